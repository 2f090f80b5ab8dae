package fault

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const realBody = "the API's own answer"

// outcome is what Apply returned for one request.
type outcome struct {
	status int
	done   bool
}

// fake is a fake upstream whose every request takes its fault from table
// (keyed by path, then "") and reports what Apply returned.
type fake struct {
	table    *Table[string]
	ts       *httptest.Server
	outcomes chan outcome
}

func newFake(t *testing.T, http2 bool) *fake {
	t.Helper()
	f := &fake{table: NewTable[string](), outcomes: make(chan outcome, 100)}
	f.ts = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var o outcome
		defer func() { f.outcomes <- o }() // also when Apply aborts the handler
		o.status, o.done = f.table.Take(r.URL.Path, "").Apply(w, r)
		if !o.done {
			_, _ = io.WriteString(w, realBody)
		}
	}))
	if http2 {
		f.ts.EnableHTTP2 = true
		f.ts.StartTLS()
	} else {
		f.ts.Start()
	}
	t.Cleanup(f.ts.Close)
	return f
}

// freshClient does not reuse connections, so that the Transport never
// retries a request on a dropped connection behind the test's back.
func (f *fake) freshClient() *http.Client {
	c := f.ts.Client()
	tr := c.Transport.(*http.Transport).Clone()
	tr.DisableKeepAlives = true
	c.Transport = tr
	return c
}

func (f *fake) get(ctx context.Context, c *http.Client, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.ts.URL+path, nil)
	if err != nil {
		return nil, err
	}
	return c.Do(req)
}

// read gets path and reads the whole answer, failing the test on an error.
func (f *fake) read(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	resp, err := f.get(t.Context(), f.ts.Client(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// outcome waits for the handler of the next request to return.
func (f *fake) outcome(t *testing.T) outcome {
	t.Helper()
	select {
	case o := <-f.outcomes:
		return o
	case <-time.After(5 * time.Second):
		t.Fatal("the handler did not return")
		return outcome{}
	}
}

func TestLatencyThenAnswer(t *testing.T) {
	f := newFake(t, false)
	f.table.Set("", Fault{Latency: 100 * time.Millisecond})
	begin := time.Now()
	resp, body := f.read(t, "/")
	if took := time.Since(begin); took < 100*time.Millisecond || resp.StatusCode != http.StatusOK || body != realBody {
		t.Errorf("after %v: %d %q, want >= 100ms and the real answer", took, resp.StatusCode, body)
	}
	if o := f.outcome(t); o != (outcome{0, false}) {
		t.Errorf("Apply = %+v, want not done", o)
	}

	// Latency before an answer of the fault's own.
	f.table.Set("", Fault{Latency: 50 * time.Millisecond, Status: http.StatusBadGateway})
	begin = time.Now()
	if resp, _ := f.read(t, "/"); time.Since(begin) < 50*time.Millisecond || resp.StatusCode != http.StatusBadGateway {
		t.Errorf("latency + status: %d after %v", resp.StatusCode, time.Since(begin))
	}
	if o := f.outcome(t); o != (outcome{http.StatusBadGateway, true}) {
		t.Errorf("Apply = %+v, want 502 done", o)
	}
}

func TestEndsWithClient(t *testing.T) {
	for name, flt := range map[string]Fault{
		"hang":                {Hang: true},
		"long latency":        {Latency: time.Hour},
		"latency then status": {Latency: time.Hour, Status: http.StatusServiceUnavailable},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, false)
			f.table.Set("", flt)
			ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
			defer cancel()
			begin := time.Now()
			resp, err := f.get(ctx, f.ts.Client(), "/")
			if err == nil {
				resp.Body.Close()
			}
			if !errors.Is(err, context.DeadlineExceeded) || time.Since(begin) < 100*time.Millisecond {
				t.Fatalf("got %v after %v, want the client's deadline", err, time.Since(begin))
			}
			if o := f.outcome(t); o != (outcome{0, true}) {
				t.Errorf("Apply = %+v, want done without a status", o)
			}
		})
	}
}

func TestReset(t *testing.T) {
	f := newFake(t, false)
	f.table.Set("", Fault{Reset: true, Latency: 10 * time.Millisecond})
	resp, err := f.get(t.Context(), f.freshClient(), "/")
	if resp != nil {
		resp.Body.Close()
		t.Fatalf("got a response %d, want none", resp.StatusCode)
	}
	if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("err = %v, want EOF or connection reset", err)
	}
	if o := f.outcome(t); o != (outcome{0, true}) {
		t.Errorf("Apply = %+v, want done without a status", o)
	}
}

func TestAnswer(t *testing.T) {
	f := newFake(t, false)
	for _, tc := range []struct {
		name          string
		flt           Fault
		status        int
		ctype, header string
	}{
		{"status, JSON and Retry-After", Fault{Status: 503, Body: ` {"error":"busy"}`, RetryAfter: "7"}, 503, "application/json;charset=UTF-8", "7"},
		{"array", Fault{Status: 500, Body: `[1]`}, 500, "application/json;charset=UTF-8", ""},
		{"XML", Fault{Status: 429, Body: "<error/>", RetryAfter: "Wed, 21 Oct 2015 07:28:00 GMT"}, 429, "application/xml;charset=UTF-8", "Wed, 21 Oct 2015 07:28:00 GMT"},
		{"text", Fault{Status: 502, Body: "Bad Gateway"}, 502, "text/plain;charset=UTF-8", ""},
		{"body alone is a 200", Fault{Body: "not json"}, 200, "text/plain;charset=UTF-8", ""},
		{"status alone", Fault{Status: 500}, 500, "text/plain;charset=UTF-8", ""},
		{"explicit type", Fault{Status: 400, Body: `{"title":"x"}`, ContentType: "application/problem+json"}, 400, "application/problem+json", ""},
	} {
		f.table.Set("", tc.flt)
		resp, body := f.read(t, "/")
		if resp.StatusCode != tc.status || body != tc.flt.Body || resp.Header.Get("Content-Type") != tc.ctype || resp.Header.Get("Retry-After") != tc.header {
			t.Errorf("%s: %d %q %q Retry-After %q, want %d %q %q %q", tc.name, resp.StatusCode, resp.Header.Get("Content-Type"), body,
				resp.Header.Get("Retry-After"), tc.status, tc.ctype, tc.flt.Body, tc.header)
		}
		if o := f.outcome(t); o != (outcome{tc.status, true}) {
			t.Errorf("%s: Apply = %+v, want %d done", tc.name, o, tc.status)
		}
	}
}

func TestTruncate(t *testing.T) {
	for _, h2 := range []bool{false, true} {
		t.Run("http2="+strconv.FormatBool(h2), func(t *testing.T) {
			f := newFake(t, h2)
			for _, body := range []string{`{"list":[1,2,3]}`, ""} {
				f.table.Set("", Fault{Status: http.StatusOK, Body: body, Truncate: true})
				resp, err := f.get(t.Context(), f.ts.Client(), "/")
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if want := map[bool]int{false: 1, true: 2}[h2]; resp.ProtoMajor != want {
					t.Fatalf("HTTP/%d, want HTTP/%d", resp.ProtoMajor, want)
				}
				if want := int64(max(2*len(body), 1)); resp.ContentLength != want {
					t.Errorf("%q: Content-Length %d, want %d", body, resp.ContentLength, want)
				}
				if !errors.Is(err, io.ErrUnexpectedEOF) || string(got) != body {
					t.Errorf("%q: read %q, %v; want the body and unexpected EOF", body, got, err)
				}
				if o := f.outcome(t); o != (outcome{http.StatusOK, true}) {
					t.Errorf("%q: Apply = %+v, want 200 done", body, o)
				}
			}
		})
	}
}

func TestResetHTTP2(t *testing.T) {
	f := newFake(t, true)
	f.table.Set("", Fault{Reset: true})
	resp, err := f.get(t.Context(), f.ts.Client(), "/")
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got a response %d, want an error", resp.StatusCode)
	}
	if o := f.outcome(t); o != (outcome{}) {
		t.Errorf("outcome %+v, want the handler aborted", o)
	}
	// The connection survives; other requests are answered.
	f.table.Set("", Fault{})
	if resp, body := f.read(t, "/"); resp.StatusCode != http.StatusOK || body != realBody {
		t.Errorf("after the reset: %d %q", resp.StatusCode, body)
	}
}

func TestTimes(t *testing.T) {
	f := newFake(t, false)
	f.table.Set("", Fault{Status: http.StatusServiceUnavailable, RetryAfter: "1", Times: 2})
	var got []int
	for range 4 {
		resp, _ := f.read(t, "/")
		got = append(got, resp.StatusCode)
	}
	if want := []int{503, 503, 200, 200}; !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}

	// A reset of one request: the next one is answered.
	f.table.Set("", Fault{Reset: true, Times: 1})
	c := f.freshClient()
	if resp, err := f.get(t.Context(), c, "/"); err == nil {
		resp.Body.Close()
		t.Fatal("the first request was answered")
	}
	resp, err := f.get(t.Context(), c, "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("second request: %d", resp.StatusCode)
	}
}

func TestTakeConcurrent(t *testing.T) {
	tab := NewTable[int]()
	tab.Set(1, Fault{Status: 500, Times: 50})
	var hits atomic.Int64
	var wg sync.WaitGroup
	for range 200 {
		wg.Go(func() {
			if f := tab.Take(1); !f.IsZero() {
				hits.Add(1)
			}
		})
	}
	for i := range 20 { // Sets of other keys race with the Takes
		wg.Go(func() { tab.Set(2+i, Fault{Hang: true}) })
	}
	wg.Wait()
	if hits.Load() != 50 {
		t.Errorf("%d requests got the fault, want 50", hits.Load())
	}
	if f := tab.Take(1); !f.IsZero() {
		t.Errorf("used-up fault still there: %+v", f)
	}
}

func TestTakePrecedence(t *testing.T) {
	type key struct{ account, path string }
	tab := NewTable[key]()
	exact, account, path, all := Fault{Status: 1}, Fault{Status: 2}, Fault{Status: 3}, Fault{Status: 4}
	tab.Set(key{"a", "/p"}, exact)
	tab.Set(key{"a", ""}, account)
	tab.Set(key{"", "/p"}, path)
	tab.Set(key{"", ""}, all)
	order := func(a, p string) Fault { return tab.Take(key{a, p}, key{a, ""}, key{"", p}, key{"", ""}) }
	for _, tc := range []struct {
		account, path string
		want          Fault
	}{
		{"a", "/p", exact},
		{"a", "/q", account},
		{"b", "/p", path},
		{"b", "/q", all},
	} {
		if got := order(tc.account, tc.path); got != tc.want {
			t.Errorf("(%q, %q): %+v, want %+v", tc.account, tc.path, got, tc.want)
		}
	}
	if got := tab.Take(key{"", ""}, key{"a", "/p"}); got != all {
		t.Errorf("the order given decides: %+v", got)
	}

	// The zero Fault clears a key and uncovers the next one.
	tab.Set(key{"a", "/p"}, Fault{})
	if got := order("a", "/p"); got != account {
		t.Errorf("after clearing the exact fault: %+v", got)
	}
	for _, k := range []key{{"a", ""}, {"", "/p"}, {"", ""}} {
		tab.Set(k, Fault{})
	}
	if got := order("a", "/p"); !got.IsZero() {
		t.Errorf("after clearing all: %+v", got)
	}
	if got := tab.Take(); !got.IsZero() {
		t.Errorf("Take() = %+v", got)
	}

	// A used-up fault uncovers the next key too.
	tab.Set(key{"a", "/p"}, Fault{Status: 5, Times: 1})
	tab.Set(key{"a", ""}, account)
	if got := order("a", "/p"); got.Status != 5 {
		t.Errorf("first take: %+v", got)
	}
	if got := order("a", "/p"); got != account {
		t.Errorf("second take: %+v, want the account fault", got)
	}

	var zero Table[string] // the zero Table works
	if !zero.Take("x").IsZero() {
		t.Error("zero Table has a fault")
	}
	zero.Set("x", Fault{Hang: true})
	if !zero.Take("x").Hang {
		t.Error("zero Table lost a fault")
	}
}

func TestZeroFault(t *testing.T) {
	if !(Fault{}).IsZero() || (Fault{Times: 1}).IsZero() || (Fault{Truncate: true}).IsZero() {
		t.Error("IsZero is wrong")
	}
	f := newFake(t, false)
	if resp, body := f.read(t, "/"); resp.StatusCode != http.StatusOK || body != realBody {
		t.Errorf("no fault: %d %q", resp.StatusCode, body)
	}
	if o := f.outcome(t); o != (outcome{0, false}) {
		t.Errorf("Apply of the zero Fault = %+v", o)
	}
}
