package portone

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// pager answers getToken and a schedule list in process: page(n) is the
// body of page n. It records requests, the most in flight at once and the
// most goroutines alive while one was.
type pager struct {
	page  func(n int) string
	delay time.Duration

	mu                      sync.Mutex
	requests, served        int // schedule pages asked for, and answered
	inflight, maxInflight   int
	maxGoroutines, baseline int
}

func (p *pager) RoundTrip(r *http.Request) (*http.Response, error) {
	body := `{"code":0,"message":null,"response":{"access_token":"tok","now":1,"expired_at":1801}}`
	if !strings.HasSuffix(r.URL.Path, "/getToken") {
		n, _ := strconv.Atoi(r.URL.Query().Get("page"))
		p.mu.Lock()
		p.requests++
		p.inflight++
		p.maxInflight = max(p.maxInflight, p.inflight)
		p.maxGoroutines = max(p.maxGoroutines, runtime.NumGoroutine()-p.baseline)
		p.mu.Unlock()
		time.Sleep(p.delay)
		body = p.page(n)
		p.mu.Lock()
		p.inflight--
		p.served++
		p.mu.Unlock()
	}
	return &http.Response{
		StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: r,
	}, nil
}

func schedule(i int) string {
	return fmt.Sprintf(`{"customer_uid":"c%d","merchant_uid":"m%d","schedule_at":%d,"amount":1,"schedule_status":"scheduled","payment_status":null}`, i, i, 1_700_000_000+i)
}

// pagedBody is page n of a list of total schedules in pages of size.
func pagedBody(total, size, n int) string {
	var rows []string
	for i := (n-1)*size + 1; i <= min(n*size, total); i++ {
		rows = append(rows, schedule(i))
	}
	next := n + 1
	if n*size >= total {
		next = 0
	}
	return fmt.Sprintf(`{"code":0,"message":null,"response":{"total":%d,"previous":%d,"next":%d,"list":[%s]}}`, total, n-1, next, strings.Join(rows, ","))
}

func pagerClient(t *testing.T, p *pager, o Options) *Client {
	t.Helper()
	o.Endpoint, o.ImpKey, o.ImpSecret = "http://portone.invalid", "key", "secret"
	o.HTTPClient = &http.Client{Transport: p}
	o.Now = func() time.Time { return time.Unix(1_700_000_000, 0) }
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// customerSchedules and allSchedules gather what the Each methods hand out.
func customerSchedules(c *Client, ctx context.Context, uid string, from, to time.Time) ([]Schedule, error) {
	return collect(func(each func([]Schedule) error) error { return c.EachCustomerSchedule(ctx, uid, from, to, each) })
}

func allSchedules(c *Client, ctx context.Context, from, to time.Time) ([]Schedule, error) {
	return collect(func(each func([]Schedule) error) error { return c.EachSchedule(ctx, from, to, each) })
}

func collect(read func(each func([]Schedule) error) error) ([]Schedule, error) {
	var all []Schedule
	if err := read(func(list []Schedule) error { all = append(all, list...); return nil }); err != nil {
		return nil, err
	}
	return all, nil
}

var window = [2]time.Time{time.Unix(1_700_000_000, 0), time.Unix(1_700_000_000, 0).Add(30 * 24 * time.Hour)}

// A total that would need more than max_pages pages costs one request and
// an error naming the claim.
func TestScheduleListBoundedByMaxPages(t *testing.T) {
	p := &pager{page: func(n int) string { return pagedBody(9_999_000, 10, n) }}
	_, err := allSchedules(pagerClient(t, p, Options{}), context.Background(), window[0], window[1])
	if err == nil || !strings.Contains(err.Error(), "total 9999000 would need 999900 pages of 10, more than max_pages 1000") {
		t.Errorf("err = %v", err)
	}
	if p.requests != 1 {
		t.Errorf("%d requests, want 1", p.requests)
	}
}

// A bare array list that never ends is cut at max_pages with an error.
func TestScheduleArrayBoundedByMaxPages(t *testing.T) {
	p := &pager{page: func(n int) string {
		return fmt.Sprintf(`{"code":0,"response":[%s,%s]}`, schedule(2*n), schedule(2*n+1))
	}}
	_, err := allSchedules(pagerClient(t, p, Options{MaxPages: 20}), context.Background(), window[0], window[1])
	if err == nil || !strings.Contains(err.Error(), "the list did not end within max_pages 20") {
		t.Errorf("err = %v", err)
	}
	if p.requests != 20 {
		t.Errorf("%d requests, want 20", p.requests)
	}
}

// Pages are read with at most max_concurrency goroutines and requests.
func TestSchedulePagesBoundedByMaxConcurrency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &pager{page: func(n int) string { return pagedBody(3000, 100, n) }, delay: 100 * time.Millisecond}
		c := pagerClient(t, p, Options{MaxConcurrency: 2})
		p.baseline = runtime.NumGoroutine()
		list, err := allSchedules(c, context.Background(), window[0], window[1])
		if err != nil || len(list) != 3000 {
			t.Fatalf("%d schedules, %v", len(list), err)
		}
		// The window's goroutine, the two page workers and, since errgroup
		// frees a slot before the finished goroutine exits, up to one
		// exiting predecessor each: at most 5, never one per page (30).
		if p.maxInflight != 2 || p.maxGoroutines > 1+2*2 {
			t.Errorf("%d requests in flight and %d more goroutines at most, want 2 and at most 5", p.maxInflight, p.maxGoroutines)
		}
	})
}

// Pages are handed out as they arrive, not once the list is complete, and
// the pages after the first are asked for while page 1 is handed out: with
// an each that takes 1 s a page against 100 ms round trips and
// max_concurrency 2, never more than 3 pages are in hand (answered and not
// yet handed out, the one being handed out included: page 1 and the two
// requests' pages), and every round trip but page 1's hides behind each.
// Holding the list until its last page had all 30 in hand; taking page 1
// before asking for page 2 added a round trip.
func TestSchedulePagesHandedOutAsTheyArrive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &pager{page: func(n int) string { return pagedBody(3000, 100, n) }, delay: 100 * time.Millisecond}
		c := pagerClient(t, p, Options{MaxConcurrency: 2})
		var calls, rows, maxInHand int
		start := time.Now()
		err := c.EachSchedule(context.Background(), window[0], window[1], func(list []Schedule) error {
			time.Sleep(time.Second) // every request that can go out meanwhile has been answered
			p.mu.Lock()
			maxInHand = max(maxInHand, p.served-calls)
			p.mu.Unlock()
			calls++
			rows += len(list)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if calls != 30 || rows != 3000 {
			t.Errorf("%d schedules in %d calls, want 3000 in 30", rows, calls)
		}
		if maxInHand != 3 {
			t.Errorf("at most %d pages in hand, want 3", maxInHand)
		}
		if took, want := time.Since(start), p.delay+30*time.Second; took != want {
			t.Errorf("took %s, want %s", took, want)
		}
	})
}

// Incomplete answers are errors naming what is missing; an explicitly
// empty list is an empty success.
func TestScheduleAnswersMustBeComplete(t *testing.T) {
	for _, tc := range []struct {
		name  string
		page  func(n int) string
		want  string
		empty bool
	}{
		{"no response", func(int) string { return `{"code":0}` }, "code 0 without a response", false},
		{"null response", func(int) string { return `{"code":0,"message":null,"response":null}` }, "code 0 without a response", false},
		{"paged without list", func(int) string { return `{"code":0,"response":{"total":5,"next":0}}` }, "page 1 has no list although total is 5", false},
		{"pages missing", func(n int) string {
			if n == 1 {
				return pagedBody(300, 100, 1)
			}
			return `{"code":0,"response":{"total":300,"next":0,"list":[]}}`
		}, "the list ended after 100 of total 300 schedules", false},
		{"ends short of total", func(int) string {
			return strings.Replace(pagedBody(20, 20, 1), `"total":20`, `"total":500`, 1)
		}, "the list ended after 20 of total 500 schedules", false},
		{"page ignored", func(int) string { return pagedBody(40, 20, 1) }, "page 2 repeats 20 schedules already read instead of the next ones", false},
		{"empty array", func(int) string { return `{"code":0,"response":[]}` }, "", true},
		{"empty page", func(int) string { return `{"code":0,"response":{"total":0,"previous":0,"next":0,"list":[]}}` }, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, err := allSchedules(pagerClient(t, &pager{page: tc.page}, Options{}), context.Background(), window[0], window[1])
			if tc.empty {
				if err != nil || len(list) != 0 {
					t.Errorf("%d schedules, %v; want an empty success", len(list), err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// An each that fails on page 1 fails the list with its error, while the
// pages asked for meanwhile are dropped: each is not called again.
func TestScheduleFirstPageEachErrorStopsTheOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &pager{page: func(n int) string { return pagedBody(3000, 100, n) }, delay: 100 * time.Millisecond}
		c := pagerClient(t, p, Options{MaxConcurrency: 2})
		boom := errors.New("boom")
		calls := 0
		err := c.EachSchedule(context.Background(), window[0], window[1], func([]Schedule) error {
			calls++
			time.Sleep(time.Second) // pages 2 and 3 arrive meanwhile
			return boom
		})
		if !errors.Is(err, boom) || calls != 1 {
			t.Errorf("err = %v after %d calls of each, want boom after 1", err, calls)
		}
		if p.requests > 3 {
			t.Errorf("%d requests, want at most 3 (page 1 and the two in flight)", p.requests)
		}
	})
}

// On the range endpoint, which asks for pages of 1000, the pages after the
// first are asked for as soon as page 1 has told its total, ahead of its
// list: every page exactly once whatever page size the server keeps to,
// the total read after the list as well, and a page 1 that tells two
// totals is an error.
func TestScheduleRangePagesAskedFromTotal(t *testing.T) {
	reordered := func(total, size, n int) string { // total after the list
		b := pagedBody(total, size, n)
		i := strings.Index(b, `"total"`)
		j := strings.Index(b, `,"list"`)
		return b[:i] + b[j+1:len(b)-2] + "," + b[i:j] + "}}"
	}
	for _, tc := range []struct {
		name           string
		page           func(n int) string
		requests, rows int
		err            string
	}{
		{"pages of 1000", func(n int) string { return pagedBody(5000, 1000, n) }, 5, 5000, ""},
		{"pages of 100", func(n int) string { return pagedBody(3000, 100, n) }, 30, 3000, ""},
		{"total after the list", func(n int) string { return reordered(3000, 1000, n) }, 3, 3000, ""},
		{"two totals", func(n int) string {
			b := pagedBody(5000, 1000, n)
			return strings.TrimSuffix(b, "}}") + `,"total":4000}}`
		}, 0, 0, "page 1 gives total 5000, then 4000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := &pager{page: tc.page, delay: 100 * time.Millisecond}
				c := pagerClient(t, p, Options{MaxConcurrency: 4})
				list, err := allSchedules(c, context.Background(), window[0], window[1])
				if tc.err != "" {
					if err == nil || !strings.Contains(err.Error(), tc.err) {
						t.Fatalf("err = %v, want %q", err, tc.err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				seen := map[string]bool{}
				for _, s := range list {
					seen[s.MerchantUID] = true
				}
				if len(list) != tc.rows || len(seen) != tc.rows || p.requests != tc.requests {
					t.Errorf("%d schedules (%d distinct) in %d requests, want %d in %d", len(list), len(seen), p.requests, tc.rows, tc.requests)
				}
			})
		})
	}
}

// A page 1 that tells a total of several pages but no next page is the
// whole list: the pages asked for from its total are dropped, and the list
// is short of its total.
func TestScheduleRangeOnePageAfterAll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &pager{page: func(n int) string {
			return strings.Replace(pagedBody(5000, 1000, n), `"next":2`, `"next":0`, 1)
		}, delay: 100 * time.Millisecond}
		c := pagerClient(t, p, Options{MaxConcurrency: 4})
		_, err := allSchedules(c, context.Background(), window[0], window[1])
		if err == nil || !strings.Contains(err.Error(), "the list ended after 1000 of total 5000 schedules") {
			t.Errorf("err = %v", err)
		}
		if p.requests > 5 {
			t.Errorf("%d requests, want at most 5", p.requests)
		}
	})
}
