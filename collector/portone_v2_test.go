package collector

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/sandbox/portonesim"
	"github.com/billingexporter/billing_exporter/internal/upstream"
)

const v2Secret = "portone-v2-secret-0000000000000001"

var v2Now = time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)

// v2Merchant holds one customer in each situation, with personal data set.
func v2Merchant() portonesim.V2Merchant {
	day := 24 * time.Hour
	at := func(d time.Duration) time.Time { return v2Now.Add(d) }
	var list []portonesim.V2Schedule
	add := func(id, cust, status string, pay time.Time, amount int64, currency string) *portonesim.V2Schedule {
		list = append(list, portonesim.V2Schedule{ID: id, StoreID: "store-1", PaymentID: "pay-" + id, BillingKey: "bk-secret-" + id,
			CustomerID: cust, CustomerName: "김민수", CustomerEmail: cust + "@example.com", CustomerPhone: "010-9876-5432",
			TotalAmount: amount, Currency: currency, Status: status, CreatedAt: pay.Add(-30 * day), TimeToPay: pay})
		return &list[len(list)-1]
	}
	done := func(s *portonesim.V2Schedule) {
		s.StartedAt, s.CompletedAt = s.TimeToPay, s.TimeToPay.Add(2*time.Minute)
	}
	done(add("p1", "c-paid", portonesim.V2Succeeded, at(-10*day), 9900, "KRW"))
	add("p2", "c-paid", portonesim.V2Scheduled, at(20*day), 9900, "KRW")
	done(add("f1", "c-failed", portonesim.V2Succeeded, at(-25*day), 19000, "KRW"))
	done(add("f2", "c-failed", portonesim.V2Failed, at(-2*day), 19000, "KRW"))
	add("f3", "c-failed", portonesim.V2Scheduled, at(5*day), 19000, "KRW")
	done(add("l1", "c-lapsing", portonesim.V2Succeeded, at(-15*day), 5, "USD"))
	r := add("r1", "c-revoked", portonesim.V2Revoked, at(3*day), 1000, "KRW")
	r.RevokedAt = at(-day)
	p := add("q1", "c-pending", portonesim.V2Pending, at(-time.Hour), 2000, "KRW")
	done(p)
	s := add("q2", "c-pending", portonesim.V2Started, at(-30*time.Minute), 2000, "KRW")
	s.StartedAt = s.TimeToPay
	add("u1", "c-new", "PAUSED", at(7*day), 3000, "KRW")
	add("u2", "c-new", "PAUSED", at(37*day), 3000, "KRW")
	add("old", "c-paid", portonesim.V2Succeeded, at(-40*day), 9900, "KRW") // before the lookback
	add("far", "c-paid", portonesim.V2Scheduled, at(70*day), 9900, "KRW")  // after the lookahead
	return portonesim.V2Merchant{Secret: v2Secret, Schedules: list}
}

func v2Server(t *testing.T, o portonesim.V2Options, m portonesim.V2Merchant) (*portonesim.V2Server, string) {
	t.Helper()
	o.Now = fixedClock(v2Now)
	sim := portonesim.NewV2(o)
	sim.AddMerchant(m)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, srv.URL
}

func v2Account(url string) config.PortOneAccount {
	return config.PortOneAccount{
		Name: "store", APIVersion: config.PortOneV2, Endpoint: url, APISecret: v2Secret, StoreID: "store-1",
		Lookback: config.Duration(30 * 24 * time.Hour), Lookahead: config.Duration(60 * 24 * time.Hour),
		Thresholds: config.DefaultPortOneThresholds,
	}
}

// newLoggedExporter is newTestExporter with the log kept in buf.
func newLoggedExporter(t *testing.T, cfg *config.Config, now func() time.Time, buf *bytes.Buffer) *Exporter {
	t.Helper()
	cfg.Global = config.DefaultGlobal
	cfg.Global.MinRefreshInterval = 0
	logger := slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e, err := New(cfg, Options{Logger: logger, Requests: upstream.NewRequestCounter(prometheus.NewRegistry()), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// A V2 store exports the v1 metric names: SCHEDULED is scheduled/none,
// STARTED and PENDING executed/pending, SUCCEEDED executed/paid, FAILED
// executed/failed, REVOKED revoked/none and an unknown status other/other
// (logged once). The future schedules are there because until is sent.
func TestPortOneV2Golden(t *testing.T) {
	sim, url := v2Server(t, portonesim.V2Options{}, v2Merchant())
	var logs bytes.Buffer
	e := newLoggedExporter(t, &config.Config{PortOne: []config.PortOneAccount{v2Account(url)}}, fixedClock(v2Now), &logs)
	compareGolden(t, e, "testdata/portone_v2.prom", append(portoneMetrics,
		"billing_portone_next_payment_timestamp_seconds", "billing_portone_next_payment_amount", "billing_portone_last_run_timestamp_seconds")...)
	compareGolden(t, e, "testdata/portone_v2.prom", "billing_portone_schedules") // a second refresh logs nothing new
	// The per-customer judgement of v1 holds for V2: c-failed's latest run
	// failed; c-lapsing, c-pending and c-new have nothing scheduled; c-revoked
	// cancelled.
	compareText(t, e, `# HELP billing_portone_customers_failing `+help(portoneByCustomer.failing)+`
# TYPE billing_portone_customers_failing gauge
billing_portone_customers_failing{account="store",customer_uid="c-failed"} 1
billing_portone_customers_failing{account="store",customer_uid="c-lapsing"} 0
billing_portone_customers_failing{account="store",customer_uid="c-new"} 0
billing_portone_customers_failing{account="store",customer_uid="c-paid"} 0
billing_portone_customers_failing{account="store",customer_uid="c-pending"} 0
billing_portone_customers_failing{account="store",customer_uid="c-revoked"} 0
# HELP billing_portone_customers_lapsing `+help(portoneByCustomer.lapsing)+`
# TYPE billing_portone_customers_lapsing gauge
billing_portone_customers_lapsing{account="store",customer_uid="c-failed"} 0
billing_portone_customers_lapsing{account="store",customer_uid="c-lapsing"} 1
billing_portone_customers_lapsing{account="store",customer_uid="c-new"} 1
billing_portone_customers_lapsing{account="store",customer_uid="c-paid"} 0
billing_portone_customers_lapsing{account="store",customer_uid="c-pending"} 1
billing_portone_customers_lapsing{account="store",customer_uid="c-revoked"} 0
`, "billing_portone_customers_failing", "billing_portone_customers_lapsing")
	if n := strings.Count(logs.String(), "Unknown PortOne V2 schedule status"); n != 1 || !strings.Contains(logs.String(), "status=PAUSED") {
		t.Errorf("%d log lines about the unknown status:\n%s", n, logs.String())
	}
	reqs := sim.Requests()
	if len(reqs) != 3 || reqs[0].Style != "query" || reqs[0].Body.Filter.StoreID != "store-1" ||
		!reqs[0].Body.Filter.Until.Equal(v2Now.Add(60*24*time.Hour)) || !reqs[0].Body.Filter.From.Equal(v2Now.Add(-30*24*time.Hour)) {
		t.Errorf("requests %+v", reqs)
	}
	out := scrapeText(t, e) + logs.String()
	for _, p := range []string{"김민수", "@example.com", "010-9876-5432", "bk-secret", v2Secret} {
		if strings.Contains(out, p) {
			t.Errorf("%q in the metrics or the log", p)
		}
	}
}

// Aggregated, the customer label goes and the counts add up.
func TestPortOneV2Aggregate(t *testing.T) {
	_, url := v2Server(t, portonesim.V2Options{}, v2Merchant())
	a := v2Account(url)
	a.Aggregate = true
	e, _ := newTestExporter(t, &config.Config{PortOne: []config.PortOneAccount{a}}, fixedClock(v2Now))
	compareText(t, e, `# HELP billing_portone_upcoming_schedules `+help(portoneByAccount.upcoming)+`
# TYPE billing_portone_upcoming_schedules gauge
billing_portone_upcoming_schedules{account="store"} 2
`, "billing_portone_upcoming_schedules")
}

// customer_uids narrows a V2 store to those customers, and each of them
// has an upcoming count even with nothing scheduled.
func TestPortOneV2CustomerUIDs(t *testing.T) {
	_, url := v2Server(t, portonesim.V2Options{}, v2Merchant())
	a := v2Account(url)
	a.CustomerUIDs = []string{"c-lapsing", "c-gone"}
	e, _ := newTestExporter(t, &config.Config{PortOne: []config.PortOneAccount{a}}, fixedClock(v2Now))
	compareText(t, e, `# HELP billing_portone_upcoming_schedules `+help(portoneByCustomer.upcoming)+`
# TYPE billing_portone_upcoming_schedules gauge
billing_portone_upcoming_schedules{account="store",customer_uid="c-gone"} 0
billing_portone_upcoming_schedules{account="store",customer_uid="c-lapsing"} 0
`, "billing_portone_upcoming_schedules")
	if n := testutilCount(t, e, "billing_portone_schedules"); n != 1 {
		t.Errorf("%d schedule series, want c-lapsing's one", n)
	}
}

// A wrong secret puts only that account down; the log names the type and
// message, never the secret, even when the upstream echoes it.
func TestPortOneV2Unauthorized(t *testing.T) {
	_, url := v2Server(t, portonesim.V2Options{EchoCredentials: true}, v2Merchant())
	bad := v2Account(url)
	bad.Name, bad.APISecret = "bad", "wrong-secret-value-1234"
	var logs bytes.Buffer
	e := newLoggedExporter(t, &config.Config{PortOne: []config.PortOneAccount{v2Account(url), bad}}, fixedClock(v2Now), &logs)
	compareText(t, e, `# HELP billing_up `+help(upDesc)+`
# TYPE billing_up gauge
billing_up{account="bad",collector="schedules",provider="portone"} 0
billing_up{account="store",collector="schedules",provider="portone"} 1
`, "billing_up")
	if !strings.Contains(logs.String(), "UNAUTHORIZED") || !strings.Contains(logs.String(), "invalid or missing API secret") ||
		strings.Contains(logs.String(), "wrong-secret-value-1234") {
		t.Errorf("log:\n%s", logs.String())
	}
}

func TestPortOneV2GoldenIsV1Shaped(t *testing.T) {
	// The golden file uses only v1's metric names and label sets, so the
	// shipped rules and dashboards read it unchanged.
	b, err := os.ReadFile("testdata/portone_v2.prom")
	if err != nil {
		t.Fatal(err)
	}
	v1, err := os.ReadFile("testdata/portone_seed.prom")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if strings.HasPrefix(line, "# HELP ") && !strings.Contains(string(v1), line) && !strings.Contains(line, "billing_portone_next_") &&
			!strings.Contains(line, "billing_portone_last_run") {
			t.Errorf("HELP line not in v1's golden file: %s", line)
		}
	}
}
