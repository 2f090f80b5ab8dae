package ncloud

import (
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/billingexporter/billing_exporter/internal/sandbox/ncloudsim"
	"github.com/billingexporter/billing_exporter/internal/upstream"
)

const (
	ak = "ncp_iam_TESTACCESSKEY0001"
	sk = "ncp_iam_TESTSECRETKEY0000000000000000001"
)

func newSim(t *testing.T, data ncloudsim.Data) (*ncloudsim.Server, string) {
	t.Helper()
	sim := ncloudsim.New(ncloudsim.Options{})
	sim.AddAccount(ncloudsim.Account{AccessKey: ak, SecretKey: sk, Data: data})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, srv.URL + "/billing/v1"
}

func newClient(t *testing.T, o Options) *Client {
	t.Helper()
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Five months of demand are read in spans of at most three, adjacent and
// complete, and every row of every month comes back once.
func TestDemandCostSplitsLongRanges(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, KST)
	data := ncloudsim.Generate(ncloudsim.GenerateOptions{Seed: 3, Now: now, DemandProducts: 4, DemandMonths: 6})
	sim, url := newSim(t, data)
	c := newClient(t, Options{Endpoint: url, AccessKey: ak, SecretKey: sk, Format: "json"})
	to := MonthOf(now)
	rows, err := c.DemandCost(context.Background(), to.Add(-4), to)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, r := range data.Demand {
		if m, _ := ParseMonth(r.DemandMonth); !m.Before(to.Add(-4)) && !to.Before(m) {
			want++
		}
	}
	if len(rows) != want || want == 0 {
		t.Errorf("%d rows, want %d", len(rows), want)
	}
	var spans []string
	for _, r := range sim.Requests() {
		spans = append(spans, r.Start.In(KST).Format("200601")+"-"+r.End.In(KST).Format("200601"))
	}
	slices.Sort(spans)
	got := strings.Join(spans, ",")
	if got != "202607-202609,202610-202611" {
		t.Errorf("demand spans %s, want 202607-202609,202610-202611", got)
	}
}

// Upstream failures become upstream.Errors naming the action, the HTTP
// status and the upstream's own code and message; no secret appears.
func TestUpstreamErrors(t *testing.T) {
	_, url := newSim(t, ncloudsim.SeedData())
	for _, tc := range []struct {
		name       string
		o          Options
		call       func(*Client) error
		status     int
		code, text string
	}{
		{"bad secret", Options{AccessKey: ak, SecretKey: "wrong-secret-value"},
			func(c *Client) error { _, err := c.CreditHistory(context.Background()); return err },
			401, "200", "Authentication Failed"},
		{"clock skew", Options{AccessKey: ak, SecretKey: sk, Now: func() time.Time { return time.Now().Add(-10 * time.Minute) }},
			func(c *Client) error { _, err := c.CoinHistory(context.Background()); return err },
			401, "200", "Authentication Failed"},
		{"both scopes", Options{AccessKey: ak, SecretKey: sk, IsOrganization: true, IsPartner: true},
			func(c *Client) error { _, err := c.CoinHistory(context.Background()); return err },
			400, ncloudsim.ReturnCodeScopeConflict, ""},
		{"demand span too long", Options{AccessKey: ak, SecretKey: sk, DemandSpan: 6},
			func(c *Client) error {
				_, err := c.DemandCost(context.Background(), Month{2026, 1}, Month{2026, 6})
				return err
			},
			400, ncloudsim.ReturnCodeMonthRange, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Endpoint = url
			err := tc.call(newClient(t, tc.o))
			ue, ok := upstream.AsError(err)
			if !ok {
				t.Fatalf("error %v is not an upstream.Error", err)
			}
			if ue.HTTPStatus != tc.status || ue.Code != tc.code || !strings.Contains(ue.Message, tc.text) || !strings.HasPrefix(ue.API, "ncloud get") {
				t.Errorf("error %+v, want HTTP %d code %s %q", ue, tc.status, tc.code, tc.text)
			}
			if strings.Contains(err.Error(), sk) || strings.Contains(err.Error(), "wrong-secret-value") {
				t.Errorf("secret in error: %v", err)
			}
		})
	}
}

// A body over the limit is an error, not a truncated success.
func TestBodyLimit(t *testing.T) {
	_, url := newSim(t, ncloudsim.Generate(ncloudsim.GenerateOptions{Seed: 1, Now: time.Now(), Credits: 200}))
	c := newClient(t, Options{Endpoint: url, AccessKey: ak, SecretKey: sk, MaxBodyBytes: 4096})
	_, err := c.CreditHistory(context.Background())
	if err == nil || !strings.Contains(err.Error(), "exceeds the size limit") || !strings.Contains(err.Error(), "getCreditHistoryList") {
		t.Errorf("err = %v", err)
	}
}
