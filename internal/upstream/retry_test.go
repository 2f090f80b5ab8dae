package upstream

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/common/promslog"
)

// scripted answers each request with the next step of a script.
type scripted struct {
	calls atomic.Int32
	steps []func(w http.ResponseWriter)
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := int(s.calls.Add(1)) - 1
	if i >= len(s.steps) {
		i = len(s.steps) - 1
	}
	s.steps[i](w)
}

func status(code int, header ...string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, http.StatusText(code))
	}
}

// reset closes the connection without an answer.
func reset(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// truncated promises 100 bytes and sends 5.
func truncated(w http.ResponseWriter) {
	w.Header().Set("Content-Length", "100")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "short")
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

func TestRetryTransport(t *testing.T) {
	policy := RetryPolicy{MaxRetries: 2, BaseDelay: 10 * time.Millisecond, MaxDelay: 2 * time.Second, MaxBodyBytes: 1024}
	for _, tc := range []struct {
		name     string
		steps    []func(http.ResponseWriter)
		timeout  time.Duration
		calls    int32
		code     int // 0 = an error is expected
		minTook  time.Duration
		maxTook  time.Duration
		errMatch string
	}{
		{"503 then ok", []func(http.ResponseWriter){status(503), status(200)}, 5 * time.Second, 2, 200, 0, time.Second, ""},
		{"500 three times", []func(http.ResponseWriter){status(500)}, 5 * time.Second, 3, 500, 0, time.Second, ""},
		{"429 honours Retry-After", []func(http.ResponseWriter){status(429, "Retry-After", "1"), status(200)}, 5 * time.Second, 2, 200, time.Second, 2 * time.Second, ""},
		{"429 without Retry-After backs off", []func(http.ResponseWriter){status(429), status(200)}, 5 * time.Second, 2, 200, 0, time.Second, ""},
		{"Retry-After past the deadline", []func(http.ResponseWriter){status(429, "Retry-After", "30"), status(200)}, 300 * time.Millisecond, 1, 429, 0, 200 * time.Millisecond, ""},
		{"400 is final", []func(http.ResponseWriter){status(400), status(200)}, 5 * time.Second, 1, 400, 0, time.Second, ""},
		{"401 is left to the client", []func(http.ResponseWriter){status(401), status(200)}, 5 * time.Second, 1, 401, 0, time.Second, ""},
		{"404 is final", []func(http.ResponseWriter){status(404), status(200)}, 5 * time.Second, 1, 404, 0, time.Second, ""},
		{"connection reset then ok", []func(http.ResponseWriter){reset, status(200)}, 5 * time.Second, 2, 200, 0, time.Second, ""},
		{"truncated body then ok", []func(http.ResponseWriter){truncated, status(200)}, 5 * time.Second, 2, 200, 0, time.Second, ""},
		{"resets until out of retries", []func(http.ResponseWriter){reset}, 5 * time.Second, 3, 0, 0, time.Second, "EOF"},
		{"oversized body is not retried", []func(http.ResponseWriter){func(w http.ResponseWriter) { _, _ = io.WriteString(w, strings.Repeat("x", 5000)) }}, 5 * time.Second, 1, 0, 0, time.Second, "exceeds the size limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := &scripted{steps: tc.steps}
				url, base := pipeServer(t, s)
				client := &http.Client{Transport: NewRetryTransport(base, policy, promslog.NewNopLogger())}
				ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
				defer cancel()
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(`{"a":1}`))
				start := time.Now()
				resp, err := client.Do(req)
				took := time.Since(start)
				if resp != nil {
					defer resp.Body.Close()
				}
				if got := s.calls.Load(); got != tc.calls {
					t.Errorf("%d attempts, want %d", got, tc.calls)
				}
				if tc.code == 0 {
					if err == nil || !strings.Contains(err.Error(), tc.errMatch) {
						t.Errorf("err = %v, want %q", err, tc.errMatch)
					}
				} else if err != nil || resp.StatusCode != tc.code {
					t.Errorf("got %v %v, want HTTP %d", resp, err, tc.code)
				}
				if took < tc.minTook || took > tc.maxTook {
					t.Errorf("took %s, want %s..%s", took, tc.minTook, tc.maxTook)
				}
			})
		})
	}
}

// A retried POST sends its body again.
func TestRetryReplaysBody(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var bodies []string
		var calls atomic.Int32
		url, base := pipeServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			bodies = append(bodies, string(b))
			if calls.Add(1) == 1 {
				w.WriteHeader(http.StatusBadGateway)
				return
			}
			_, _ = io.WriteString(w, "ok")
		}))
		client := &http.Client{Transport: NewRetryTransport(base, RetryPolicy{MaxRetries: 1, BaseDelay: time.Millisecond}, promslog.NewNopLogger())}
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, url, strings.NewReader("payload"))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != "ok" || len(bodies) != 2 || bodies[0] != "payload" || bodies[1] != "payload" {
			t.Errorf("body %q, bodies %q", body, bodies)
		}
	})
}

// An HTTP date is read against the clock: on synctest's, to the second.
func TestRetryAfterParsing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if d, ok := retryAfter("7"); !ok || d != 7*time.Second {
			t.Errorf("seconds: %v %v", d, ok)
		}
		if d, ok := retryAfter(time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)); !ok || d != 3*time.Second {
			t.Errorf("date: %v %v, want 3s", d, ok)
		}
		for _, bad := range []string{"", "soon", "-1"} {
			if _, ok := retryAfter(bad); ok {
				t.Errorf("%q accepted", bad)
			}
		}
	})
}
