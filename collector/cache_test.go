package collector

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/promslog"
)

var fakeDesc = newDesc("test", "value", "A test value.", "k")

// fakeCollector counts its updates and answers with value, err or a block.
type fakeCollector struct {
	calls   atomic.Int32
	mu      sync.Mutex
	value   float64
	err     error
	release chan struct{} // when set, Update waits for it or ctx
	delay   time.Duration // when set, Update takes this long (or until ctx ends)
}

func (f *fakeCollector) Describe(ch chan<- *prometheus.Desc) { ch <- fakeDesc }

func (f *fakeCollector) Update(ctx context.Context) ([]prometheus.Metric, error) {
	f.calls.Add(1)
	f.mu.Lock()
	v, err, release, delay := f.value, f.err, f.release, f.delay
	f.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if release != nil {
		select {
		case <-release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if err != nil {
		return nil, err
	}
	return []prometheus.Metric{prometheus.MustNewConstMetric(fakeDesc, prometheus.GaugeValue, v, "acct", "x")}, nil
}

func (f *fakeCollector) set(v float64, err error) {
	f.mu.Lock()
	f.value, f.err = v, err
	f.mu.Unlock()
}

// clock is a test clock for cache ages.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func testExporter(p refreshPolicy, clk *clock, cs ...*fakeCollector) *Exporter {
	var targets []*Target
	for i, c := range cs {
		targets = append(targets, newTarget("test", "acct", string(rune('a'+i)), c, p, clk.now, promslog.NewNopLogger()))
	}
	return newExporter(targets, nil)
}

func gather(t *testing.T, e *Exporter, ctx context.Context) string {
	t.Helper()
	return string(scrapeBytes(t, e, ctx, "billing_test_value", "billing_up"))
}

func TestCacheReusesWithinMinRefresh(t *testing.T) {
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	f := &fakeCollector{value: 1}
	e := testExporter(refreshPolicy{minRefresh: time.Minute, staleAfter: time.Hour, timeout: time.Second}, clk, f)

	gather(t, e, context.Background())
	f.set(2, nil)
	clk.advance(59 * time.Second)
	if out := gather(t, e, context.Background()); !strings.Contains(out, `billing_test_value{account="acct",k="x"} 1`) {
		t.Errorf("value not reused within min_refresh_interval:\n%s", out)
	}
	clk.advance(2 * time.Second)
	if out := gather(t, e, context.Background()); !strings.Contains(out, `billing_test_value{account="acct",k="x"} 2`) {
		t.Errorf("value not refreshed after min_refresh_interval:\n%s", out)
	}
	if n := f.calls.Load(); n != 2 {
		t.Errorf("%d upstream calls, want 2", n)
	}
}

func TestConcurrentScrapesShareOneCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := &clock{t: time.Unix(1_700_000_000, 0)}
		f := &fakeCollector{value: 7, release: make(chan struct{})}
		// min_refresh_interval 0: every scrape refreshes, but concurrent ones coalesce.
		e := testExporter(refreshPolicy{timeout: 5 * time.Second, staleAfter: time.Hour}, clk, f)
		var wg sync.WaitGroup
		outs := make([]string, 10)
		for i := range outs {
			wg.Go(func() { outs[i] = gather(t, e, context.Background()) })
		}
		synctest.Wait() // every scrape is waiting for the one call
		close(f.release)
		wg.Wait()
		if n := f.calls.Load(); n != 1 {
			t.Errorf("%d upstream calls for 10 concurrent scrapes, want 1", n)
		}
		for i, out := range outs {
			if !strings.Contains(out, `billing_test_value{account="acct",k="x"} 7`) {
				t.Errorf("scrape %d:\n%s", i, out)
			}
		}
	})
}

// A scrape with a short deadline reports up 0 for itself only: the refresh
// it started runs under the exporter's own timeout, a scrape with a longer
// deadline that joins it gets its result, and so do the scrapes after it.
// A refresh bounded by the first caller's deadline would fail after 300ms
// and serve that failure to everyone for min_refresh_interval.
func TestShortDeadlineDoesNotCutTheRefresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := &clock{t: time.Unix(1_700_000_000, 0)}
		f := &fakeCollector{value: 4, delay: time.Second}
		e := testExporter(refreshPolicy{minRefresh: 5 * time.Minute, staleAfter: time.Hour, timeout: 10 * time.Second}, clk, f)

		var short, long string
		var wg sync.WaitGroup
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			short = gather(t, e, ctx)
		})
		synctest.Wait() // the short scrape has started the refresh
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			long = gather(t, e, ctx)
		})
		wg.Wait()
		if !strings.Contains(short, `billing_up{account="acct",collector="a",provider="test"} 0`) || strings.Contains(short, "billing_test_value{") {
			t.Errorf("short scrape, want up 0 and no value yet:\n%s", short)
		}
		want := `billing_test_value{account="acct",k="x"} 4`
		if !strings.Contains(long, want) || !strings.Contains(long, `billing_up{account="acct",collector="a",provider="test"} 1`) {
			t.Errorf("long scrape joining the refresh, want its result:\n%s", long)
		}
		clk.advance(time.Minute)
		if out := gather(t, e, context.Background()); !strings.Contains(out, want) || !strings.Contains(out, `billing_up{account="acct",collector="a",provider="test"} 1`) {
			t.Errorf("next scrape, want the cached success:\n%s", out)
		}
		if n := f.calls.Load(); n != 1 {
			t.Errorf("%d upstream calls, want 1", n)
		}
	})
}

// A scrape whose deadline passes while a refresh is in flight gets the last
// good values with up 0; the refresh's success then serves everyone.
func TestDeadlineDuringRefreshServesLastGood(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := &clock{t: time.Unix(1_700_000_000, 0)}
		f := &fakeCollector{value: 1}
		e := testExporter(refreshPolicy{minRefresh: time.Minute, staleAfter: time.Hour, timeout: 10 * time.Second}, clk, f)
		gather(t, e, context.Background())

		clk.advance(2 * time.Minute)
		f.mu.Lock()
		f.value, f.delay = 2, 3*time.Second
		f.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		out := gather(t, e, ctx)
		cancel()
		if !strings.Contains(out, `billing_test_value{account="acct",k="x"} 1`) || !strings.Contains(out, `billing_up{account="acct",collector="a",provider="test"} 0`) {
			t.Errorf("want the last good value with up 0:\n%s", out)
		}
		time.Sleep(5 * time.Second) // the refresh ends on its own
		if out := gather(t, e, context.Background()); !strings.Contains(out, `billing_test_value{account="acct",k="x"} 2`) || !strings.Contains(out, `billing_up{account="acct",collector="a",provider="test"} 1`) {
			t.Errorf("after the refresh, want its value with up 1:\n%s", out)
		}
		if n := f.calls.Load(); n != 2 {
			t.Errorf("%d upstream calls, want 2", n)
		}
	})
}

// A refresh that outlives the configured timeout fails with up 0, and the
// failure is the refresh's own, not a caller's.
func TestRefreshTimeoutIsTheExportersOwn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := &clock{t: time.Unix(1_700_000_000, 0)}
		f := &fakeCollector{value: 1, delay: time.Hour}
		e := testExporter(refreshPolicy{minRefresh: time.Minute, staleAfter: time.Hour, timeout: 10 * time.Second}, clk, f)
		start := time.Now()
		out := gather(t, e, context.Background())
		if took := time.Since(start); took != 10*time.Second {
			t.Errorf("refresh took %s, want the 10s timeout", took)
		}
		if !strings.Contains(out, `billing_up{account="acct",collector="a",provider="test"} 0`) {
			t.Errorf("want up 0:\n%s", out)
		}
		if err := e.Targets()[0].State().Err; !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("state error %v, want the deadline", err)
		}
	})
}

func TestStaleValuesServedUntilStaleAfter(t *testing.T) {
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	f := &fakeCollector{value: 5}
	e := testExporter(refreshPolicy{minRefresh: time.Minute, staleAfter: 10 * time.Minute, timeout: time.Second}, clk, f)
	gather(t, e, context.Background())

	f.set(0, errors.New("upstream down"))
	clk.advance(5 * time.Minute)
	out := gather(t, e, context.Background())
	if !strings.Contains(out, `billing_test_value{account="acct",k="x"} 5`) || !strings.Contains(out, `billing_up{account="acct",collector="a",provider="test"} 0`) {
		t.Errorf("within stale_after want last good value and up 0:\n%s", out)
	}
	clk.advance(6 * time.Minute)
	out = gather(t, e, context.Background())
	if strings.Contains(out, "billing_test_value{") || !strings.Contains(out, `billing_up{account="acct",collector="a",provider="test"} 0`) {
		t.Errorf("after stale_after want no value and up 0:\n%s", out)
	}
	st := e.Targets()[0].State()
	if st.Err == nil || st.Err.Error() != "upstream down" || st.Series() != 0 {
		t.Errorf("state = %+v", st)
	}
}

func TestHangingTargetCostsOnlyItself(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := &clock{t: time.Unix(1_700_000_000, 0)}
		hang := &fakeCollector{value: 1, release: make(chan struct{})}
		defer close(hang.release)
		fine := &fakeCollector{value: 3}
		e := testExporter(refreshPolicy{timeout: time.Minute, staleAfter: time.Hour}, clk, hang, fine)

		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		out := gather(t, e, ctx)
		if took := time.Since(start); took != 200*time.Millisecond {
			t.Errorf("scrape took %s with a 200ms deadline", took)
		}
		for _, want := range []string{
			`billing_up{account="acct",collector="a",provider="test"} 0`,
			`billing_up{account="acct",collector="b",provider="test"} 1`,
			`billing_test_value{account="acct",k="x"} 3`,
		} {
			if !strings.Contains(out, want) {
				t.Errorf("missing %s in\n%s", want, out)
			}
		}
	})
}
