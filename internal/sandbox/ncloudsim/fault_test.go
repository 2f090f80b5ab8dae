package ncloudsim

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestFaultStatus(t *testing.T) {
	s, c := start(t, Options{}, SeedData())
	s.AddAccount(Account{AccessKey: "other", SecretKey: "other-secret", Data: SeedData()})
	other := *c
	other.key, other.secret = "other", "other-secret"

	const limited = `{"error":{"errorCode":"420","message":"Rate Limited"}}`
	s.SetFault(testKey, ActionCreditHistory, Fault{Status: http.StatusTooManyRequests, Body: limited})
	s.SetFault(testKey, "", Fault{Status: http.StatusServiceUnavailable, Body: "busy"})
	for _, tc := range []struct {
		name        string
		c           *client
		action      string
		status      int
		body, ctype string
	}{
		{"exact action wins", c, ActionCreditHistory, 429, limited, "application/json;charset=UTF-8"},
		{"account-wide fault", c, ActionCoinHistory, 503, "busy", "text/plain;charset=UTF-8"},
		{"other account unaffected", &other, ActionCreditHistory, 200, embeddedSeed(t, ActionCreditHistory), "application/xml;charset=UTF-8"},
	} {
		r := tc.c.get(t, tc.action, "")
		if r.status != tc.status || r.body != tc.body || r.header.Get("Content-Type") != tc.ctype {
			t.Errorf("%s: %d %q %q, want %d %q %q", tc.name, r.status, r.header.Get("Content-Type"), r.body, tc.status, tc.ctype, tc.body)
		}
	}
	if n := s.Calls(testKey, ""); n != 2 {
		t.Errorf("faulted requests reached the action %d times, want 2", n)
	}

	// A fault applies only after authentication.
	bad := *c
	bad.secret = "wrong"
	if r := bad.get(t, ActionCreditHistory, ""); r.status != http.StatusUnauthorized {
		t.Errorf("bad signature under a fault: %d", r.status)
	}

	// The zero Fault clears; clearing the exact one uncovers the account-wide one.
	s.SetFault(testKey, ActionCreditHistory, Fault{})
	if r := c.get(t, ActionCreditHistory, ""); r.status != http.StatusServiceUnavailable {
		t.Errorf("after clearing the action fault: %d, want the account fault's 503", r.status)
	}
	s.SetFault(testKey, "", Fault{})
	if r := c.get(t, ActionCoinHistory, ""); r.status != http.StatusOK {
		t.Errorf("after clearing all faults: %d", r.status)
	}
}

// startWatched serves s and reports each return of ServeHTTP on the channel.
func startWatched(t *testing.T, d Data) (*Server, *client, chan struct{}) {
	t.Helper()
	s := New(Options{Now: func() time.Time { return testNow }})
	s.AddAccount(Account{AccessKey: testKey, SecretKey: testSecret, Data: d})
	returned := make(chan struct{}, 16)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.ServeHTTP(w, r)
		returned <- struct{}{}
	}))
	t.Cleanup(ts.Close)
	return s, &client{base: ts.URL, prefix: "/billing/v1/discount/", key: testKey, secret: testSecret, ts: testNow}, returned
}

func waitReturn(t *testing.T, returned chan struct{}) {
	t.Helper()
	select {
	case <-returned:
	case <-time.After(2 * time.Second):
		t.Fatal("the handler kept running after the client gave up")
	}
}

func TestFaultLatency(t *testing.T) {
	s, c, returned := startWatched(t, SeedData())
	s.SetFault(testKey, ActionCoinHistory, Fault{Latency: 150 * time.Millisecond})
	began := time.Now()
	r := c.get(t, ActionCoinHistory, "")
	if took := time.Since(began); took < 150*time.Millisecond || r.status != http.StatusOK || r.body != embeddedSeed(t, ActionCoinHistory) {
		t.Errorf("took %v, status %d; want >= 150ms and the data", took, r.status)
	}
	waitReturn(t, returned)

	// A long latency ends when the client gives up.
	s.SetFault(testKey, ActionCoinHistory, Fault{Latency: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := c.send(ctx, http.MethodGet, ActionCoinHistory, "", nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the client's deadline", err)
	}
	waitReturn(t, returned)
	if log := s.Requests(); len(log) != 1 {
		t.Errorf("Requests() = %+v, want only the answered one", log)
	}
}

func TestFaultHang(t *testing.T) {
	s, c, returned := startWatched(t, SeedData())
	s.SetFault(testKey, "", Fault{Hang: true})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	began := time.Now()
	if _, err := c.send(ctx, http.MethodGet, ActionCreditHistory, "", nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the client's deadline", err)
	}
	if took := time.Since(began); took < 100*time.Millisecond {
		t.Errorf("answered after %v", took)
	}
	waitReturn(t, returned)
	if s.Calls(testKey, ActionCreditHistory) != 1 || len(s.Requests()) != 0 {
		t.Errorf("calls %d, log %+v; want 1 call and no answered request", s.Calls(testKey, ActionCreditHistory), s.Requests())
	}
}

func TestCallsAndMaxConcurrent(t *testing.T) {
	s, c, returned := startWatched(t, SeedData())
	s.SetFault(testKey, ActionCreditHistory, Fault{Hang: true})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() { _, _ = c.send(ctx, http.MethodGet, ActionCreditHistory, "", nil) })
	}
	for deadline := time.Now().Add(5 * time.Second); s.Calls(testKey, ActionCreditHistory) < 5; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of 5 requests arrived", s.Calls(testKey, ActionCreditHistory))
		}
	}
	for _, k := range [][2]string{{testKey, ActionCreditHistory}, {testKey, ""}, {"", ""}} {
		if n := s.MaxConcurrent(k[0], k[1]); n != 5 {
			t.Errorf("MaxConcurrent(%q, %q) = %d with 5 hanging, want 5", k[0], k[1], n)
		}
	}
	if n := s.MaxConcurrent(testKey, ActionCoinHistory); n != 0 {
		t.Errorf("MaxConcurrent of an idle action = %d", n)
	}
	cancel()
	wg.Wait()
	for range 5 {
		waitReturn(t, returned)
	}

	// Sequential calls never overlap, whatever the previous peak was.
	s.SetFault(testKey, ActionCreditHistory, Fault{})
	s.ResetStats()
	for range 3 {
		c.get(t, ActionCreditHistory, "")
	}
	c.get(t, ActionCoinHistory, "")
	for _, tc := range []struct {
		key, action    string
		calls, maxConc int
	}{
		{testKey, ActionCreditHistory, 3, 1},
		{testKey, ActionCoinHistory, 1, 1},
		{testKey, "", 4, 1},
		{"", ActionCreditHistory, 3, 1},
		{"", "", 4, 1},
		{"other", "", 0, 0},
	} {
		if n, m := s.Calls(tc.key, tc.action), s.MaxConcurrent(tc.key, tc.action); n != tc.calls || m != tc.maxConc {
			t.Errorf("Calls/MaxConcurrent(%q, %q) = %d/%d, want %d/%d", tc.key, tc.action, n, m, tc.calls, tc.maxConc)
		}
	}
}

func TestFaultTimesAndRetryAfter(t *testing.T) {
	s, c := start(t, Options{}, SeedData())
	s.SetFault(testKey, ActionCreditHistory, Fault{Status: http.StatusServiceUnavailable, Body: "busy", RetryAfter: "2", Times: 2})
	for i, want := range []int{503, 503, 200} {
		r := c.get(t, ActionCreditHistory, "")
		if r.status != want {
			t.Errorf("request %d: %d, want %d", i+1, r.status, want)
		}
		if ra := r.header.Get("Retry-After"); (want == 503) != (ra == "2") {
			t.Errorf("request %d: Retry-After %q", i+1, ra)
		}
	}
	var got []int
	for _, r := range s.Requests() {
		got = append(got, r.Status)
	}
	if !slices.Equal(got, []int{503, 503, 200}) {
		t.Errorf("Requests() statuses %v, want the two fault answers logged, then the data", got)
	}
}

func TestFaultCutConnection(t *testing.T) {
	s, c, returned := startWatched(t, SeedData())
	fresh := *c // a new connection each time: no retries by the Transport
	fresh.http = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	defer fresh.http.CloseIdleConnections()

	s.SetFault(testKey, ActionCoinHistory, Fault{Reset: true})
	resp, err := fresh.send(context.Background(), http.MethodGet, ActionCoinHistory, "", nil)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("reset: got %d, want no answer", resp.StatusCode)
	}
	waitReturn(t, returned)
	if s.Calls(testKey, ActionCoinHistory) != 1 || len(s.Requests()) != 0 {
		t.Errorf("reset: calls %d, log %+v; want 1 call and nothing logged", s.Calls(testKey, ActionCoinHistory), s.Requests())
	}

	s.SetFault(testKey, ActionCoinHistory, Fault{Status: http.StatusOK, Body: "<getCoinHistoryList>", Truncate: true})
	resp, err = fresh.send(context.Background(), http.MethodGet, ActionCoinHistory, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, io.ErrUnexpectedEOF) || string(b) != "<getCoinHistoryList>" || resp.Header.Get("Content-Type") != "application/xml;charset=UTF-8" {
		t.Errorf("truncate: read %q, %v, Content-Type %q", b, err, resp.Header.Get("Content-Type"))
	}
	waitReturn(t, returned)
	if log := s.Requests(); len(log) != 1 || log[0].Status != http.StatusOK || log[0].Action != ActionCoinHistory {
		t.Errorf("truncate: log %+v, want the cut answer with its status", log)
	}

	// Neither left a request in flight.
	s.SetFault(testKey, ActionCoinHistory, Fault{})
	s.ResetStats()
	c.get(t, ActionCoinHistory, "")
	if n := s.MaxConcurrent("", ""); n != 1 {
		t.Errorf("MaxConcurrent after the faults = %d, want 1", n)
	}
}
