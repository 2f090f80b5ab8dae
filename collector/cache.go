package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"

	"github.com/billingexporter/billing_exporter/internal/upstream"
)

// State is what a target knows about its refreshes.
type State struct {
	rendered    *rendered     // the last good result, encoded
	Err         error         // the last refresh's error; nil if it succeeded
	LastAttempt time.Time     // when the last refresh finished
	LastSuccess time.Time     // when the last successful refresh finished
	Duration    time.Duration // how long the last refresh took
}

// Series is the number of series of the last good result (0 once it is
// too old to serve).
func (s State) Series() int {
	if s.rendered == nil {
		return 0
	}
	return s.rendered.series
}

// refreshPolicy says how upstream results are reused.
type refreshPolicy struct {
	minRefresh time.Duration // reuse a result this long; 0 = refresh on every scrape
	staleAfter time.Duration // serve the last good result this long after failures
	timeout    time.Duration // ceiling of one refresh
}

// cache runs a collector's refreshes: it reuses results for minRefresh and
// lets concurrent scrapes share one in-flight refresh, so that two
// Prometheus servers scraping at once cost the upstream one call.
//
// A refresh belongs to the exporter, not to the scrape that started it: it
// runs under the configured timeout whatever the deadlines of the scrapes
// waiting for it, so that one client with a short scrape timeout cannot
// cut every refresh short and have that failure served to everyone.
type cache struct {
	update    func(context.Context) ([]prometheus.Metric, error)
	described map[*prometheus.Desc]bool // what the collector announced
	policy    refreshPolicy
	now       func() time.Time
	logger    *slog.Logger

	flights singleflight.Group // one key: the target's refresh

	mu      sync.Mutex
	state   State
	started time.Time // wall clock start of the refresh in flight
	asked   formatSet // the formats scrapes asked for since the last refresh started
}

// view is what one scrape reports for a target.
type view struct {
	data     *rendered // nil: nothing to serve
	up       bool
	duration time.Duration
	state    State
}

// get returns the target's data for a scrape in the formats of want whose
// deadline is ctx's, refreshing it first when the last refresh is older
// than minRefresh. A scrape whose deadline passes first reports the
// failure for itself only; the refresh goes on and its result serves the
// scrapes after it.
func (c *cache) get(ctx context.Context, want formatSet) view {
	c.mu.Lock()
	c.asked |= want
	now := c.now()
	if !c.state.LastAttempt.IsZero() && now.Sub(c.state.LastAttempt) < c.policy.minRefresh {
		st := c.state
		c.mu.Unlock()
		return c.viewOf(st, now)
	}
	c.mu.Unlock()

	done := c.flights.DoChan("", func() (any, error) {
		c.refresh()
		return nil, nil
	})
	select {
	case <-done:
		c.mu.Lock()
		st := c.state
		c.mu.Unlock()
		return c.viewOf(st, c.now())
	case <-ctx.Done():
		c.mu.Lock()
		st, started := c.state, c.started
		c.mu.Unlock()
		st.Err = fmt.Errorf("scrape deadline reached while waiting for the upstream: %w", ctx.Err())
		v := c.viewOf(st, c.now())
		if !started.IsZero() {
			v.duration = time.Since(started)
		}
		return v
	}
}

func (c *cache) viewOf(st State, now time.Time) view {
	v := view{up: st.Err == nil, duration: st.Duration, state: st}
	if v.up || (!st.LastSuccess.IsZero() && now.Sub(st.LastSuccess) <= c.policy.staleAfter) {
		v.data = st.rendered
	}
	return v
}

// refresh calls the upstream once, under the configured timeout only.
func (c *cache) refresh() {
	start := time.Now()
	c.mu.Lock()
	c.started = start
	want := c.asked
	c.asked = 0
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), c.policy.timeout)
	defer cancel()
	ctx = withFormats(ctx, want)

	metrics, err := c.update(ctx)
	var r *rendered
	if err == nil {
		// Validate once, and encode the formats scrapes ask for; the
		// metrics are dropped once every format is encoded.
		r, err = render(metrics, c.described, want)
	}
	took := time.Since(start)
	// Log before releasing the waiters, so that the line is written by the
	// time any scrape that saw this refresh has answered.
	if err != nil {
		logRefreshError(c.logger, err, took)
	} else {
		c.logger.Debug("Refreshed upstream data", "series", r.series, "duration_seconds", took.Seconds())
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	c.started = time.Time{}
	c.state.LastAttempt = now
	c.state.Duration = took
	c.state.Err = err
	if err == nil {
		c.state.rendered = r
		c.state.LastSuccess = now
	} else if now.Sub(c.state.LastSuccess) > c.policy.staleAfter {
		c.state.rendered = nil // too old to serve; let it be collected
	}
}

// logRefreshError logs a failed refresh once, with the upstream's own code
// and message when it sent them.
func logRefreshError(logger *slog.Logger, err error, took time.Duration) {
	attrs := []any{"err", err, "duration_seconds", took.Seconds()}
	if ue, ok := upstream.AsError(err); ok {
		attrs = append(attrs, "upstream_code", ue.Code, "upstream_message", ue.Message)
		if ue.HTTPStatus != 0 {
			attrs = append(attrs, "http_status", ue.HTTPStatus)
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		attrs = append(attrs, "hint", "the upstream did not answer within the configured timeout")
	}
	logger.Error("Refreshing upstream data failed", attrs...)
}

// snapshot returns the current state without refreshing (for the status page).
func (c *cache) snapshot() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}
