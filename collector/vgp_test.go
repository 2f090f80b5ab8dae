package collector

import (
	"bytes"
	"log/slog"

	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/sandbox/vgpsim"
	"github.com/billingexporter/billing_exporter/internal/upstream"
)

var vgpMetrics = []string{
	"billing_vgp_balance", "billing_vgp_payments", "billing_vgp_usage",
	"billing_vgp_last_payment_timestamp_seconds", "billing_up",
}

func vgpServer(t *testing.T, members ...vgpsim.Member) (*vgpsim.Server, string) {
	t.Helper()
	sim := vgpsim.New()
	for _, m := range members {
		sim.AddMember(m)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, srv.URL + vgpsim.Path
}

// The seed's sample response, served verbatim, becomes exactly these series.
func TestVGPSeedGolden(t *testing.T) {
	for _, numeric := range []bool{false, true} {
		m := vgpsim.SeedMember()
		m.NumericStatus = numeric
		_, url := vgpServer(t, m)
		e, _ := newTestExporter(t, &config.Config{VGP: []config.VGPAccount{{
			Name: "fleet", Endpoint: url, Caller: "Vroomgo", PhoneNumber: "821041139274",
		}}}, nil)
		compareGolden(t, e, "testdata/vgp_seed.prom", vgpMetrics...)
	}
}

// The balance comes from the newest record, wherever it is in the list.
func TestVGPBalanceFromNewestRecord(t *testing.T) {
	m := vgpsim.Member{Email: "member@example.com", Records: []vgpsim.Record{
		{Timestamp: unixTime(1700000100), Balance: "50", Usage: "5", Status: "PAID", PID: "2"},
		{Timestamp: unixTime(1700000300), Balance: "12.5", Usage: "7.5", Status: "PAID", PID: "3"},
		{Timestamp: unixTime(1700000000), Balance: "55", Usage: "5", Status: "Canceled", PID: "1"},
	}}
	_, url := vgpServer(t, m)
	e, _ := newTestExporter(t, &config.Config{VGP: []config.VGPAccount{{Name: "a", Endpoint: url, Caller: "Vroomgo", Email: "member@example.com"}}}, nil)
	want := `# HELP billing_vgp_balance ` + help(vgpBalanceDesc) + `
# TYPE billing_vgp_balance gauge
billing_vgp_balance{account="a",caller="Vroomgo"} 12.5
# HELP billing_vgp_last_payment_timestamp_seconds ` + help(vgpLastPaymentDesc) + `
# TYPE billing_vgp_last_payment_timestamp_seconds gauge
billing_vgp_last_payment_timestamp_seconds{account="a",caller="Vroomgo"} 1.7000003e+09
`
	compareText(t, e, want, "billing_vgp_balance", "billing_vgp_last_payment_timestamp_seconds")
}

// Every non-3000 status is a failed collection naming the code and meaning.
func TestVGPErrorStatuses(t *testing.T) {
	seed := vgpsim.SeedMember()
	noAssets := vgpsim.Member{PhoneNumber: "821099990000"}
	_, url := vgpServer(t, seed, noAssets)
	for _, tc := range []struct {
		name   string
		acct   config.VGPAccount
		code   string
		phrase string
	}{
		{"wrong caller", config.VGPAccount{Caller: "Nobody", PhoneNumber: "821041139274"}, "3100", "Wrong Caller"},
		{"not member", config.VGPAccount{Caller: "Vroomgo", Email: "stranger@example.com"}, "3200", "Not Member"},
		{"no assets", config.VGPAccount{Caller: "Vroomgo", PhoneNumber: "821099990000"}, "3300", "No Asset Information"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.acct.Name, tc.acct.Endpoint = "a", url
			e, _ := newTestExporter(t, &config.Config{VGP: []config.VGPAccount{tc.acct}}, nil)
			compareText(t, e, upLine("vgp", "a", "payments", 0), "billing_up")
			err := e.Targets()[0].State().Err
			if err == nil || !strings.Contains(err.Error(), "code "+tc.code) || !strings.Contains(err.Error(), tc.phrase) {
				t.Errorf("error %v, want code %s and %q", err, tc.code, tc.phrase)
			}
		})
	}
}

// A 3200 answer is logged once, naming "Not Member", at error level, and no
// log line at any level carries the member's phone number or e-mail.
func TestVGPNotMemberLogged(t *testing.T) {
	_, url := vgpServer(t, vgpsim.SeedMember())
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := &config.Config{Global: config.DefaultGlobal, VGP: []config.VGPAccount{{
		Name: "fleet", Endpoint: url, Caller: "Vroomgo", PhoneNumber: "821055501234", Email: "nobody@example.com",
	}}}
	e, err := New(cfg, Options{Logger: logger, Requests: upstream.NewRequestCounter(prometheus.NewRegistry())})
	if err != nil {
		t.Fatal(err)
	}
	compareText(t, e, upLine("vgp", "fleet", "payments", 0), "billing_up")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var errorLines []string
	for _, l := range lines {
		if strings.Contains(l, "level=ERROR") {
			errorLines = append(errorLines, l)
		}
		if strings.Contains(l, "821055501234") || strings.Contains(l, "nobody@example.com") {
			t.Errorf("personal data logged: %s", l)
		}
	}
	if len(errorLines) != 1 || !strings.Contains(errorLines[0], `upstream_message="Not Member`) ||
		!strings.Contains(errorLines[0], "upstream_code=3200") || !strings.Contains(errorLines[0], "account=fleet") {
		t.Errorf("want one error line naming Not Member, code 3200 and the account; got:\n%s", buf.String())
	}
}
