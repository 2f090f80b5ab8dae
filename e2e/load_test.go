package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/promslog"

	"github.com/billingexporter/billing_exporter/collector"
	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/sandbox"
	"github.com/billingexporter/billing_exporter/internal/sandbox/ncloudsim"
	"github.com/billingexporter/billing_exporter/internal/sandbox/portonesim"
	"github.com/billingexporter/billing_exporter/internal/sandbox/vgpsim"
	"github.com/billingexporter/billing_exporter/internal/server"
	"github.com/billingexporter/billing_exporter/internal/upstream"
)

// loadDuration is how long TestLoad scrapes: short in the test command,
// BILLING_LOAD_DURATION=60s for the full run.
func loadDuration(t *testing.T) time.Duration {
	if v := os.Getenv("BILLING_LOAD_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("BILLING_LOAD_DURATION: %v", err)
		}
		return d
	}
	return 8 * time.Second
}

// upstreamCalls counts every request the demo's fake upstreams received.
func upstreamCalls(d *sandbox.Demo) int {
	return d.NCloud.Calls("", "") + d.VGP.Calls() + d.PortOne.Calls("")
}

// TestLoad: 50 concurrent scrapers against the demo with 100ms of upstream
// latency. No scrape fails, upstream calls stay bounded by
// min_refresh_interval, and goroutines and heap return to their baseline.
func TestLoad(t *testing.T) {
	const scrapers = 50
	const minRefresh = 2 * time.Second
	duration := loadDuration(t)

	d, err := sandbox.Start(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	latency := 100 * time.Millisecond
	d.NCloud.SetFault("", "", ncloudsim.Fault{Latency: latency})
	d.VGP.SetFault("", vgpsim.Fault{Latency: latency})
	d.PortOne.SetFault("", "", portonesim.Fault{Latency: latency})

	cfg := *d.Config
	cfg.Global.MinRefreshInterval = config.Duration(minRefresh)
	reg := prometheus.NewRegistry()
	exp, err := collector.New(&cfg, collector.Options{Logger: promslog.NewNopLogger(), Requests: upstream.NewRequestCounter(reg)})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Options{Logger: promslog.NewNopLogger(), Gatherer: reg, Registerer: reg, TimeoutOffset: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv.SetExporter(exp)
	ts := httptest.NewUnstartedServer(nil)
	ts.Config = server.NewHTTPServer(srv, promslog.NewNopLogger())
	ts.Start()
	defer ts.Close()
	targets := len(exp.Targets())

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: scrapers}}
	scrape := func() error {
		return scrapeAllUp(context.Background(), client, ts.URL, "10", targets)
	}

	// Warm up: fill every cache once, then take the baseline.
	if err := scrape(); err != nil {
		t.Fatal(err)
	}
	perRefresh := upstreamCalls(d)
	client.CloseIdleConnections()
	baseGoroutines, baseHeap := settle()

	var ok, failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range scrapers {
		wg.Go(func() {
			for time.Since(start) < duration {
				if err := scrape(); err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				} else {
					ok.Add(1)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	calls := upstreamCalls(d) - perRefresh

	// Each collector refreshes at most once per min_refresh_interval (plus
	// the one under way when the run ends); each refresh costs what the
	// warm-up cost per collector, tokens aside.
	maxRefreshes := int(elapsed/minRefresh) + 1
	limit := perRefresh * maxRefreshes
	client.CloseIdleConnections()
	ts.CloseClientConnections()
	goroutines, heap := settle()
	t.Logf("%d scrapers, %s: %d scrapes (%.0f/s), %d failed; upstream calls %d (limit %d = %d per refresh x %d refreshes); goroutines %d -> %d; heap %.1f -> %.1f MiB",
		scrapers, elapsed.Round(time.Millisecond), ok.Load(), float64(ok.Load())/elapsed.Seconds(), failed.Load(),
		calls, limit, perRefresh, maxRefreshes, baseGoroutines, goroutines, mib(baseHeap), mib(heap))

	if failed.Load() != 0 {
		t.Errorf("%d failed scrapes, first: %v", failed.Load(), firstErr.Load())
	}
	if ok.Load() < scrapers {
		t.Errorf("only %d scrapes in %s", ok.Load(), elapsed)
	}
	if calls > limit {
		t.Errorf("%d upstream calls, more than %d allowed by min_refresh_interval", calls, limit)
	}
	if goroutines > baseGoroutines+5 {
		t.Errorf("goroutines %d after the run, baseline %d", goroutines, baseGoroutines)
	}
	if heap > baseHeap+8<<20 {
		t.Errorf("heap %.1f MiB after the run, baseline %.1f MiB", mib(heap), mib(baseHeap))
	}
}

// settle waits for goroutines to wind down and returns the goroutine count
// and live heap after a GC.
func settle() (int, uint64) {
	var prev int
	for range 50 {
		runtime.GC()
		n := runtime.NumGoroutine()
		if n == prev {
			break
		}
		prev = n
		time.Sleep(100 * time.Millisecond)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return prev, ms.HeapAlloc
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// scrapeAllUp scrapes /metrics as Prometheus does, with timeout as the
// scrape timeout header, and fails unless the answer is a 200 with
// billing_up 1 for each of the targets.
func scrapeAllUp(ctx context.Context, client *http.Client, base, timeout string, targets int) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", timeout)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if up := strings.Count(string(body), "\nbilling_up{"); up != targets {
		return fmt.Errorf("%d billing_up series, want %d", up, targets)
	}
	for l := range strings.SplitSeq(string(body), "\n") {
		if strings.HasPrefix(l, "billing_up{") && strings.HasSuffix(l, " 0") {
			return fmt.Errorf("collector down: %s", l)
		}
	}
	return nil
}
