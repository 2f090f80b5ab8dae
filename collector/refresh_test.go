package collector

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/sandbox/ncloudsim"
)

// Each collector reuses its upstream result for its own interval: with
// demand at 1h and the account at 10m over a global 5m, scrapes every
// minute for an hour call credit and coin six times and demand once.
func TestPerCollectorMinRefreshInterval(t *testing.T) {
	var clock atomic.Int64
	clock.Store(time.Date(2022, 12, 20, 10, 0, 0, 0, time.UTC).Unix())
	now := func() time.Time { return time.Unix(clock.Load(), 0) }
	sim, url := ncloudServer(t, ncloudsim.SeedData(), now)
	a := ncloudAccount(url, "json")
	account := config.Duration(10 * time.Minute)
	a.MinRefreshInterval = &account
	a.MinRefreshIntervalByCollector = map[string]config.Duration{config.NCloudDemand: config.Duration(time.Hour)}
	cfg := &config.Config{Global: config.DefaultGlobal, NCloud: []config.NCloudAccount{a}}
	e, _ := newTestExporter(t, cfg, now)
	for range 60 {
		scrapeBytes(t, e, context.Background())
		clock.Add(60)
	}
	for action, want := range map[string]int{
		ncloudsim.ActionCreditHistory: 6,
		ncloudsim.ActionCoinHistory:   6,
		ncloudsim.ActionDemandCost:    1,
	} {
		if n := sim.Calls(testAccessKey, action); n != want {
			t.Errorf("%s: %d upstream calls in an hour of scrapes, want %d", action, n, want)
		}
	}
}
