package collector

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/promslog"

	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/sandbox/vgpsim"
	"github.com/billingexporter/billing_exporter/internal/upstream"
)

// A reload keeps the cache of every account whose configuration did not
// change: the next scrape calls only the changed and the new accounts'
// upstreams. Removed accounts' series go.
func TestReloadKeepsUnchangedCaches(t *testing.T) {
	members := []vgpsim.Member{
		{Email: "a@example.com", Records: []vgpsim.Record{{Timestamp: unixTime(1700000100), Balance: "50", Usage: "5", Status: "PAID", PID: "1"}}},
		{Email: "b@example.com", Records: []vgpsim.Record{{Timestamp: unixTime(1700000100), Balance: "7", Usage: "1", Status: "PAID", PID: "2"}}},
		{Email: "c@example.com", Records: []vgpsim.Record{{Timestamp: unixTime(1700000100), Balance: "9", Usage: "1", Status: "PAID", PID: "3"}}},
	}
	sim, url := vgpServer(t, members...)
	account := func(name, email, caller string) config.VGPAccount {
		return config.VGPAccount{Name: name, Endpoint: url, Caller: caller, Email: email}
	}
	cfg := func(accounts ...config.VGPAccount) *config.Config {
		c := &config.Config{Global: config.DefaultGlobal, VGP: accounts}
		c.Global.MinRefreshInterval = config.Duration(time.Hour)
		return c
	}
	requests := upstream.NewRequestCounter(prometheus.NewRegistry())
	build := func(c *config.Config, prev *Exporter) *Exporter {
		e, err := New(c, Options{Logger: promslog.NewNopLogger(), Requests: requests, Previous: prev})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	first := build(cfg(account("a", "a@example.com", "Vroomgo"), account("b", "b@example.com", "Vroomgo"), account("c", "c@example.com", "Vroomgo")), nil)
	scrapeBytes(t, first, context.Background())
	if n := sim.Calls(); n != 3 {
		t.Fatalf("%d calls for the first scrape, want 3", n)
	}

	// a unchanged, b's caller changed, c removed, d added.
	second := build(cfg(account("a", "a@example.com", "Vroomgo"), account("b", "b@example.com", "Genohub"), account("d", "c@example.com", "Vroomgo")), first)
	out := string(scrapeBytes(t, second, context.Background(), "billing_vgp_balance", "billing_up"))
	if n := sim.Calls(); n != 5 {
		t.Errorf("%d calls after the reload, want 5 (b and d only)", n)
	}
	for _, want := range []string{`billing_vgp_balance{account="a",caller="Vroomgo"} 50`, `billing_vgp_balance{account="b",caller="Genohub"} 7`, `billing_vgp_balance{account="d",caller="Vroomgo"} 9`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in\n%s", want, out)
		}
	}
	if strings.Contains(out, `account="c"`) || strings.Contains(out, `caller="Vroomgo"} 7`) {
		t.Errorf("a removed account or a changed account's old series survived:\n%s", out)
	}
	if a := second.Targets()[0].State(); a.LastSuccess.IsZero() || a.Series() == 0 {
		t.Errorf("account a's state was not carried over: %+v", a)
	}
}
