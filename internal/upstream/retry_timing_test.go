package upstream

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/common/promslog"
)

// answers is a transport that plays a script of answers in process: a
// status (with an optional Retry-After), or 0 for a connection error.
type answers struct {
	script     []int
	retryAfter string
	calls      atomic.Int32
}

func (a *answers) RoundTrip(r *http.Request) (*http.Response, error) {
	i := int(a.calls.Add(1)) - 1
	code := a.script[min(i, len(a.script)-1)]
	if code == 0 {
		return nil, errors.New("connection reset by peer")
	}
	h := http.Header{}
	if a.retryAfter != "" && code != http.StatusOK {
		h.Set("Retry-After", a.retryAfter)
	}
	return &http.Response{StatusCode: code, Header: h, Body: io.NopCloser(strings.NewReader("x")), ContentLength: 1, Request: r}, nil
}

// Backoff, Retry-After and the deadline, timed exactly on synctest's clock:
// full jitter keeps each wait within [d/2, d] of its doubling base; a
// Retry-After is waited as sent (capped at MaxDelay); no wait runs past the
// deadline; at most max_retries + 1 attempts.
func TestRetryTiming(t *testing.T) {
	policy := RetryPolicy{MaxRetries: 2, BaseDelay: 100 * time.Millisecond, MaxDelay: 2 * time.Second, MaxBodyBytes: 1024}
	for _, tc := range []struct {
		name             string
		script           []int
		retryAfter       string
		timeout          time.Duration
		attempts         int32
		code             int
		minTook, maxTook time.Duration
	}{
		{"503 then ok", []int{503, 200}, "", time.Minute, 2, 200, 50 * time.Millisecond, 100 * time.Millisecond},
		{"500 three times", []int{500}, "", time.Minute, 3, 500, 150 * time.Millisecond, 300 * time.Millisecond},
		{"resets three times", []int{0}, "", time.Minute, 3, 0, 150 * time.Millisecond, 300 * time.Millisecond},
		{"Retry-After honoured", []int{429, 200}, "1", time.Minute, 2, 200, time.Second, time.Second},
		{"Retry-After capped", []int{503, 200}, "60", time.Minute, 2, 200, 2 * time.Second, 2 * time.Second},
		{"Retry-After past the deadline", []int{429, 200}, "1", 500 * time.Millisecond, 1, 429, 0, 0},
		{"backoff past the deadline", []int{500, 200}, "", 40 * time.Millisecond, 1, 500, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				a := &answers{script: tc.script, retryAfter: tc.retryAfter}
				client := &http.Client{Transport: NewRetryTransport(a, policy, promslog.NewNopLogger())}
				ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
				defer cancel()
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://upstream.invalid/", nil)
				start := time.Now()
				resp, err := client.Do(req)
				took := time.Since(start)
				if resp != nil {
					resp.Body.Close()
				}
				if n := a.calls.Load(); n != tc.attempts {
					t.Errorf("%d attempts, want %d", n, tc.attempts)
				}
				switch {
				case tc.code == 0 && err == nil:
					t.Errorf("got HTTP %d, want an error", resp.StatusCode)
				case tc.code != 0 && (err != nil || resp.StatusCode != tc.code):
					t.Errorf("got %v %v, want HTTP %d", resp, err, tc.code)
				}
				if took < tc.minTook || took > tc.maxTook {
					t.Errorf("took %s, want %s..%s", took, tc.minTook, tc.maxTook)
				}
			})
		})
	}
}
