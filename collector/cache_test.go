package collector

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
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
}

func (f *fakeCollector) Describe(ch chan<- *prometheus.Desc) { ch <- fakeDesc }

func (f *fakeCollector) Update(ctx context.Context) ([]prometheus.Metric, error) {
	f.calls.Add(1)
	f.mu.Lock()
	v, err, release := f.value, f.err, f.release
	f.mu.Unlock()
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
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(e.Scrape(ctx, nil))
	out, err := testutil.GatherAndFormat(reg, expfmt.TypeTextPlain, "billing_test_value", "billing_up")
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
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
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	f := &fakeCollector{value: 7, release: make(chan struct{})}
	// min_refresh_interval 0: every scrape refreshes, but concurrent ones coalesce.
	e := testExporter(refreshPolicy{timeout: 5 * time.Second, staleAfter: time.Hour}, clk, f)
	var wg sync.WaitGroup
	outs := make([]string, 10)
	for i := range outs {
		wg.Go(func() { outs[i] = gather(t, e, context.Background()) })
	}
	// Let every scrape reach the in-flight call before it answers.
	deadline := time.Now().Add(5 * time.Second)
	for f.calls.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
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
	if st.Err == nil || st.Err.Error() != "upstream down" || st.Metrics != nil {
		t.Errorf("state = %+v", st)
	}
}

func TestHangingTargetCostsOnlyItself(t *testing.T) {
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	hang := &fakeCollector{value: 1, release: make(chan struct{})}
	defer close(hang.release)
	fine := &fakeCollector{value: 3}
	e := testExporter(refreshPolicy{timeout: time.Minute, staleAfter: time.Hour}, clk, hang, fine)

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	out := gather(t, e, ctx)
	if took := time.Since(start); took > 2*time.Second {
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
}
