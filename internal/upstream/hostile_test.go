package upstream

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/common/promslog"
)

// A 150 MB chunked body against a 32 MiB limit is refused without ever
// holding more than the limit: ReadBody allocates about twice the limit
// (a buffer that doubles up to it), not the growth past it plus a copy,
// and stops reading at the limit instead of draining the body.
func TestChunkedBodyNeverBufferedPastLimit(t *testing.T) {
	synctest.Test(t, testChunkedBodyNeverBufferedPastLimit)
}

func testChunkedBodyNeverBufferedPastLimit(t *testing.T) {
	const limit = 32 << 20
	const size = 150 << 20
	var sent atomic.Int64
	url, base := pipeServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		chunk := []byte(strings.Repeat("x", 64<<10))
		for sent.Load() < size {
			n, err := w.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				return
			}
			w.(http.Flusher).Flush() // no Content-Length: chunked
		}
	}))
	client := &http.Client{Transport: NewRetryTransport(base, RetryPolicy{MaxRetries: 0, MaxBodyBytes: limit}, promslog.NewNopLogger())}

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	resp, err := client.Do(req)
	runtime.ReadMemStats(&after)
	if resp != nil {
		resp.Body.Close()
	}
	if !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("err = %v, want ErrBodyTooLarge", err)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %.1f MiB reading a %d MiB chunked body with a %d MiB limit; the server sent %.1f MiB",
		float64(allocated)/(1<<20), size>>20, limit>>20, float64(sent.Load())/(1<<20))
	if allocated > 5*limit/2 {
		t.Errorf("allocated %.1f MiB, want at most 2.5 x the %d MiB limit", float64(allocated)/(1<<20), limit>>20)
	}
	// Wait until the server has noticed the closed connection. A pipe
	// buffers nothing; the margin is what socket buffers would hold.
	synctest.Wait()
	if s := sent.Load(); s > limit+16<<20 {
		t.Errorf("the server sent %.1f MiB: the body was drained past the limit", float64(s)/(1<<20))
	}
}

// Bodies within the limit, of known and unknown length, arrive whole.
func TestReadBodyExact(t *testing.T) {
	for _, n := range []int{0, 1, 511, 512, 513, 4096, 1 << 20, 3<<20 + 7} {
		body := strings.Repeat("y", n)
		for _, length := range []int64{-1, int64(n)} {
			resp := &http.Response{Body: io.NopCloser(strings.NewReader(body)), ContentLength: length}
			got, err := ReadBody(resp, 3<<20+7)
			if err != nil || string(got) != body {
				t.Errorf("%d bytes (Content-Length %d): got %d bytes, %v", n, length, len(got), err)
			}
		}
	}
}

// keepAliveThenReset answers the first request on a connection, then
// closes the connection on every later request without answering.
type keepAliveThenReset struct{ calls atomic.Int32 }

func (s *keepAliveThenReset) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.calls.Add(1) == 1 {
		_, _ = io.WriteString(w, "ok")
		return
	}
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
	}
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// Go's transport silently resends a request whose reused connection was
// reset; those resends count against max_retries, so that a reset costs at
// most max_retries+1 attempts whatever the connection pool holds.
func TestRetriesCountTransportResends(t *testing.T) {
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		for _, retries := range []int{0, 2} {
			t.Run(method, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					s := &keepAliveThenReset{}
					url, base := pipeServer(t, s)
					base.MaxIdleConnsPerHost = 4
					client := &http.Client{Transport: NewRetryTransport(base, RetryPolicy{MaxRetries: retries, BaseDelay: time.Millisecond}, promslog.NewNopLogger())}
					send := func() error {
						req, _ := http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(`{"a":1}`))
						if method == http.MethodGet {
							req, _ = http.NewRequestWithContext(context.Background(), method, url, nil)
						}
						resp, err := client.Do(req)
						if err == nil {
							_, _ = io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
						}
						return err
					}
					if err := send(); err != nil { // leaves a connection in the pool
						t.Fatal(err)
					}
					if err := send(); err == nil {
						t.Fatal("a reset connection gave no error")
					}
					if got, want := int(s.calls.Load())-1, retries+1; got != want {
						t.Errorf("max_retries %d: the server saw %d attempts, want %d", retries, got, want)
					}
				})
			})
		}
	}
}

// The body that stops the transport from resending a GET is not sent: the
// upstream sees a plain GET without Content-Length or Transfer-Encoding.
func TestGETStaysBodiless(t *testing.T) {
	synctest.Test(t, testGETStaysBodiless)
}

func testGETStaysBodiless(t *testing.T) {
	var got []string
	url, base := pipeServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, r.Header.Get("Content-Length"), strings.Join(r.TransferEncoding, ","), string(b))
	}))
	client := &http.Client{Transport: NewRetryTransport(base, RetryPolicy{}, promslog.NewNopLogger())}
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if strings.Join(got, "|") != "||" {
		t.Errorf("the GET arrived with Content-Length, Transfer-Encoding, body = %q", got)
	}
	if took := time.Since(start); took > 150*time.Millisecond {
		t.Errorf("took %s: the transport waited for the empty body", took)
	}
}

// A body is the caller's unless its request was marked ReusableBody: an
// unmarked body is never overwritten by a later one, and marked bodies,
// handed back with Release, still arrive whole, of known and unknown
// length.
func TestReadBodyOwnedUnlessReusable(t *testing.T) {
	read := func(ctx context.Context, body string, length int64) []byte {
		t.Helper()
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
		resp := &http.Response{Body: io.NopCloser(strings.NewReader(body)), ContentLength: length, Request: req}
		got, err := ReadBody(resp, 8<<20)
		if err != nil || string(got) != body {
			t.Fatalf("%d bytes (Content-Length %d): got %d bytes, %v", len(body), length, len(got), err)
		}
		return got
	}
	for _, length := range []int64{-1, 1 << 20} {
		first := read(context.Background(), strings.Repeat("a", 1<<20), length)
		for i := range 20 {
			Release(read(ReusableBody(context.Background()), strings.Repeat(string(rune('b'+i)), 1<<20), length))
		}
		read(context.Background(), strings.Repeat("z", 1<<20), length)
		if strings.Count(string(first), "a") != 1<<20 {
			t.Errorf("Content-Length %d: a body read without ReusableBody was overwritten by later ones", length)
		}
	}
}
