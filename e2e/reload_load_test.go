package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/promslog"

	"github.com/billingexporter/billing_exporter/collector"
	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/server"
	"github.com/billingexporter/billing_exporter/internal/upstream"
)

// TestReloadsUnderLoad: 120 reloads while 20 scrapers scrape without
// pause. Every scrape succeeds with every collector up, and goroutines,
// upstream connections and heap return to their baseline: the transports
// each reload retires close their connections.
func TestReloadsUnderLoad(t *testing.T) {
	const scrapers, reloads = 20, 120
	d := startUpstreams(t)
	cfg := *d.Config
	cfg.Global.MinRefreshInterval = config.Duration(time.Second)
	cfg.Global.Timeout = config.Duration(60 * time.Second) // refreshes are slow under -race on a loaded machine, not failed
	reg := prometheus.NewRegistry()
	requests := upstream.NewRequestCounter(reg)
	// As the binary does: every load builds its own transports.
	load := func() (*collector.Exporter, error) {
		return collector.New(&cfg, collector.Options{Logger: promslog.NewNopLogger(), Requests: requests})
	}
	srv, err := server.New(server.Options{Logger: promslog.NewNopLogger(), Gatherer: reg, Registerer: reg, TimeoutOffset: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	first, err := load()
	if err != nil {
		t.Fatal(err)
	}
	srv.SetExporter(first)
	srv.EnableReload(load, false, reg, collector.ForgetRemoved)
	ts := httptest.NewUnstartedServer(nil)
	ts.Config = server.NewHTTPServer(srv, promslog.NewNopLogger())
	ts.Start()
	defer ts.Close()
	targets := len(first.Targets())

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: scrapers}}
	scrape := func() error {
		// Generous: under -race on a loaded machine a scrape can take
		// seconds; a failure here is an error answer or a collector down.
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		return scrapeAllUp(ctx, client, ts.URL, "60", targets)
	}
	if err := scrape(); err != nil {
		t.Fatal(err)
	}
	// A baseline with the first exporter's connections in place.
	client.CloseIdleConnections()
	baseGoroutines, baseHeap := settle()

	var ok, failed atomic.Int64
	var firstErr atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range scrapers {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := scrape(); err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				} else {
					ok.Add(1)
				}
				time.Sleep(20 * time.Millisecond) // scrapers, not a busy loop
			}
		})
	}
	start := time.Now()
	for i := range reloads {
		if err := srv.Reload(); err != nil {
			t.Fatalf("reload %d: %v", i+1, err)
		}
		time.Sleep(25 * time.Millisecond) // 120 reloads in about 3 s, scrapes in between
	}
	close(stop)
	wg.Wait()
	elapsed := time.Since(start)
	// A last scrape so that the serving exporter holds its connections, as
	// the first did at the baseline.
	if err := scrape(); err != nil {
		t.Fatal(err)
	}
	client.CloseIdleConnections()
	ts.CloseClientConnections()
	// The retired exporters close the connections of refreshes that were
	// under way within a second of their end.
	goroutines, heap := settle()
	for deadline := time.Now().Add(time.Duration(cfg.Global.Timeout) + 5*time.Second); goroutines > baseGoroutines+10 && time.Now().Before(deadline); {
		goroutines, heap = settle()
	}
	t.Logf("%d reloads and %d scrapers in %s: %d scrapes, %d failed; goroutines %d -> %d; heap %.1f -> %.1f MiB",
		reloads, scrapers, elapsed.Round(time.Millisecond), ok.Load(), failed.Load(), baseGoroutines, goroutines, mib(baseHeap), mib(heap))
	if failed.Load() != 0 {
		t.Errorf("%d failed scrapes, first: %v", failed.Load(), firstErr.Load())
	}
	if ok.Load() < scrapers {
		t.Errorf("only %d scrapes", ok.Load())
	}
	if goroutines > baseGoroutines+10 {
		_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
		t.Errorf("goroutines %d after %d reloads, baseline %d", goroutines, reloads, baseGoroutines)
	}
	if heap > baseHeap+8<<20 {
		t.Errorf("heap %.1f MiB after %d reloads, baseline %.1f MiB", mib(heap), reloads, mib(baseHeap))
	}
}
