package portone

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAPI is a minimal PortOne: getToken with a chosen lifetime, and
// schedule lists with chosen schedule_at values. It records every path.
type fakeAPI struct {
	mu       sync.Mutex
	paths    []string // escaped, as on the wire
	tokens   int
	life     int64   // seconds from now to expired_at
	at       []int64 // schedule_at of the schedules every list returns
	now      func() time.Time
	rawPaths []string
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.paths = append(f.paths, r.URL.EscapedPath())
	f.rawPaths = append(f.rawPaths, r.URL.Path)
	w.Header().Set("Content-Type", "application/json")
	if strings.HasSuffix(r.URL.Path, "/users/getToken") {
		f.tokens++
		now := f.now().Unix()
		fmt.Fprintf(w, `{"code":0,"message":null,"response":{"access_token":"tok%d","now":%d,"expired_at":%d}}`, f.tokens, now, now+f.life)
		return
	}
	var items []string
	for i, at := range f.at {
		items = append(items, fmt.Sprintf(`{"customer_uid":"c","merchant_uid":"m%d","schedule_at":%d,"amount":100,"schedule_status":"scheduled","payment_status":null}`, i, at))
	}
	fmt.Fprintf(w, `{"code":0,"message":null,"response":[%s]}`, strings.Join(items, ","))
}

func newTestClient(t *testing.T, f *fakeAPI, endpointPath string) *Client {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := New(Options{Endpoint: srv.URL + endpointPath, ImpKey: "k", ImpSecret: "s", HTTPClient: srv.Client(), Now: f.now})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A customer_uid is one escaped path segment under the endpoint: it cannot
// climb out of /subscribe/customers/ or be unescaped into another path.
func TestCustomerUIDIsOneSegment(t *testing.T) {
	f := &fakeAPI{life: 1800, now: time.Now}
	c := newTestClient(t, f, "/v1")
	now := time.Now()
	for _, tc := range []struct{ uid, path string }{
		{"pct%41", "/v1/subscribe/customers/pct%41/schedules"},
		{"a b?c#d", "/v1/subscribe/customers/a b?c#d/schedules"},
		{"user@example.com", "/v1/subscribe/customers/user@example.com/schedules"},
	} {
		f.rawPaths = nil
		if _, err := customerSchedules(c, context.Background(), tc.uid, now, now.Add(time.Hour)); err != nil {
			t.Fatalf("%q: %v", tc.uid, err)
		}
		if got := f.rawPaths[len(f.rawPaths)-1]; got != tc.path {
			t.Errorf("customer_uid %q reached %q, want %q", tc.uid, got, tc.path)
		}
	}
	for _, uid := range []string{"../../../../x", "a/b", "..", ".", `a\b`, ""} {
		f.paths = nil
		_, err := customerSchedules(c, context.Background(), uid, now, now.Add(time.Hour))
		if err == nil || !strings.Contains(err.Error(), "not one URL path segment") {
			t.Errorf("customer_uid %q: err = %v", uid, err)
		}
		for _, p := range f.paths {
			if !strings.HasPrefix(p, "/v1/subscribe/customers/") && p != "/v1/users/getToken" {
				t.Errorf("customer_uid %q sent a request to %q", uid, p)
			}
		}
	}
}

// Schedules a server returns outside [from, to) are not the window's: a
// server that ignores from/to cannot inflate the counts.
func TestScheduleWindowIsHalfOpen(t *testing.T) {
	from := time.Unix(1_800_000_000, 0)
	to := from.Add(24 * time.Hour)
	f := &fakeAPI{life: 1800, now: time.Now,
		at: []int64{from.Unix() - 1, from.Unix(), to.Unix() - 1, to.Unix(), to.Unix() + 3600, 0}}
	c := newTestClient(t, f, "")
	for name, read := range map[string]func() ([]Schedule, error){
		"by customer": func() ([]Schedule, error) { return customerSchedules(c, context.Background(), "c", from, to) },
		"by range":    func() ([]Schedule, error) { return allSchedules(c, context.Background(), from, to) },
	} {
		got, err := read()
		if err != nil {
			t.Fatal(err)
		}
		var at []int64
		for _, s := range got {
			at = append(at, s.ScheduleAt.Unix())
		}
		if want := []int64{from.Unix(), to.Unix() - 1, time.Time{}.Unix()}; fmt.Sprint(at) != fmt.Sprint(want) {
			t.Errorf("%s: kept schedule_at %v, want only %v (0: none given)", name, at, want)
		}
	}
}

// A window of several spans hands every schedule out once, although a
// server that ignores from/to answers every span with the same list, and a
// schedule without a schedule_at is kept by every span.
func TestScheduleSpansHandOutOnce(t *testing.T) {
	from := time.Unix(1_800_000_000, 0)
	to := from.Add(200 * 24 * time.Hour) // three spans
	f := &fakeAPI{life: 1800, now: time.Now, at: []int64{0, from.Unix(), from.Add(100 * 24 * time.Hour).Unix(), to.Unix() - 1}}
	c := newTestClient(t, f, "")
	var at []int64
	calls := 0
	err := c.EachCustomerSchedule(context.Background(), "c", from, to, func(list []Schedule) error {
		calls++
		for _, s := range list {
			at = append(at, s.ScheduleAt.Unix())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(at)
	if want := []int64{time.Time{}.Unix(), from.Unix(), from.Add(100 * 24 * time.Hour).Unix(), to.Unix() - 1}; fmt.Sprint(at) != fmt.Sprint(want) || calls != 3 {
		t.Errorf("schedule_at %v in %d calls, want %v in 3 (one a span)", at, calls, want)
	}
}

// A token that arrives with under a minute to live is used until it
// expires, not renewed before every request.
func TestShortLivedTokenReused(t *testing.T) {
	var mu sync.Mutex
	clock := time.Unix(1_800_000_000, 0)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	f := &fakeAPI{life: 40, now: now}
	c := newTestClient(t, f, "")
	for range 5 {
		if _, err := customerSchedules(c, context.Background(), "c", clock.Add(-time.Hour), clock.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		advance(5 * time.Second)
	}
	if f.tokens != 1 {
		t.Errorf("a 40 s token was fetched %d times for 5 requests within 25 s, want 1", f.tokens)
	}
	advance(20 * time.Second) // 45 s after issue: expired
	if _, err := customerSchedules(c, context.Background(), "c", clock.Add(-time.Hour), clock.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if f.tokens != 2 {
		t.Errorf("an expired token was not renewed: %d getToken calls", f.tokens)
	}
	// A normal 30-minute token is renewed a minute before it expires.
	f.life = 1800
	advance(time.Minute)
	_, _ = customerSchedules(c, context.Background(), "c", clock.Add(-time.Hour), clock.Add(time.Hour))
	base := f.tokens
	advance(29*time.Minute + 30*time.Second)
	_, _ = customerSchedules(c, context.Background(), "c", clock.Add(-time.Hour), clock.Add(time.Hour))
	if f.tokens != base+1 {
		t.Errorf("a token with 30 s of 30 min left was not renewed early: %d calls, want %d", f.tokens, base+1)
	}
	_ = io.Discard
}
