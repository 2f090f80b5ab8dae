package upstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// RetryPolicy bounds how requests are retried and how much of a response
// is read.
type RetryPolicy struct {
	MaxRetries   int           // retries after the first attempt
	BaseDelay    time.Duration // first backoff; doubles each retry
	MaxDelay     time.Duration // cap of one backoff (and of a Retry-After we honour)
	MaxBodyBytes int64         // responses larger than this are an error
	// Redact, if set, learns the values every request carries (see
	// Redactor.Remember) before it is sent, and cleans the log lines.
	Redact *Redactor
}

// DefaultRetryPolicy is used when a field is zero.
var DefaultRetryPolicy = RetryPolicy{MaxRetries: 2, BaseDelay: 200 * time.Millisecond, MaxDelay: 10 * time.Second, MaxBodyBytes: DefaultMaxBodyBytes}

// NewRetryTransport returns a transport that reads every response body in
// full (up to MaxBodyBytes) and retries transient failures: transport errors
// such as connection resets, bodies cut short, 5xx and 429. Other 4xx are
// final (401 is left to the client, which may renew a token). Backoff is
// exponential with full jitter; Retry-After is honoured. No retry waits past
// the request context's deadline: then the last answer is returned as is.
func NewRetryTransport(base http.RoundTripper, p RetryPolicy, logger *slog.Logger) http.RoundTripper {
	if p.BaseDelay <= 0 {
		p.BaseDelay = DefaultRetryPolicy.BaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultRetryPolicy.MaxDelay
	}
	if p.MaxBodyBytes <= 0 {
		p.MaxBodyBytes = DefaultRetryPolicy.MaxBodyBytes
	}
	return &retryTransport{base: base, p: p, logger: logger}
}

type retryTransport struct {
	base   http.RoundTripper
	p      RetryPolicy
	logger *slog.Logger
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	t.p.Redact.Remember(req)
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 {
			var err error
			if r, err = rewind(req); err != nil {
				return nil, err
			}
		}
		resp, err := t.attempt(r)
		wait, retry := t.shouldRetry(resp, err, attempt)
		if !retry {
			return resp, err
		}
		if d, ok := ctx.Deadline(); ok && time.Until(d) < wait {
			return resp, err // no time left for another try
		}
		t.logger.Debug("Retrying upstream request", "url", t.p.Redact.String(req.URL.Redacted()), "attempt", attempt+1,
			"wait_seconds", wait.Seconds(), "err", t.p.Redact.String(describe(resp, err)))
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return resp, err
		}
	}
}

// attempt sends one request and buffers the whole body, so that a body cut
// short is a retryable error of the attempt rather than of the caller's read.
func (t *retryTransport) attempt(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(noResend(req))
	if err != nil {
		return nil, err
	}
	body, err := ReadBody(resp, t.p.MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	resp.Body = &bufferedBody{Reader: bytes.NewReader(body), b: body}
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// noResend returns a shallow copy of req that net/http's transport will not
// send a second time by itself. The transport silently resends a request
// whose reused connection failed when the request has no body, or a body
// it can rewind with GetBody; every such resend is one attempt more than
// max_retries allows and one the request counter never sees. A body that
// cannot be rewound (empty for GET, the caller's own for POST) makes the
// transport return the error instead, and this transport decides.
func noResend(req *http.Request) *http.Request {
	r := new(http.Request)
	*r = *req
	r.GetBody = nil
	if r.Body == nil || r.Body == http.NoBody {
		// Sent as no body at all: the transport finds it empty before
		// writing the request.
		r.Body, r.ContentLength = emptyBody{}, 0
	}
	return r
}

// emptyBody is an empty request body that is neither nil nor http.NoBody.
type emptyBody struct{}

func (emptyBody) Read([]byte) (int, error) { return 0, io.EOF }
func (emptyBody) Close() error             { return nil }

// bufferedBody is a body the retry transport has read whole. ReadBody
// takes its bytes as they are instead of copying them.
type bufferedBody struct {
	*bytes.Reader
	b []byte
}

func (*bufferedBody) Close() error { return nil }

// shouldRetry decides whether an attempt's outcome is worth another try and
// how long to wait first.
func (t *retryTransport) shouldRetry(resp *http.Response, err error, attempt int) (time.Duration, bool) {
	if attempt >= t.p.MaxRetries {
		return 0, false
	}
	backoff := t.backoff(attempt)
	switch {
	case err != nil:
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrBodyTooLarge) {
			return 0, false
		}
		return backoff, true
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		if after, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
			return min(after, t.p.MaxDelay), true
		}
		return backoff, true
	case resp.StatusCode >= 500:
		return backoff, true
	}
	return 0, false
}

// backoff is exponential with full jitter: uniform in [d/2, d].
func (t *retryTransport) backoff(attempt int) time.Duration {
	d := min(t.p.BaseDelay<<attempt, t.p.MaxDelay)
	return d/2 + rand.N(d/2+1)
}

// retryAfter parses Retry-After as seconds or as an HTTP date.
func retryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(time.Until(at), 0), true
	}
	return 0, false
}

// rewind returns a copy of req with a fresh body for another attempt.
func rewind(req *http.Request) (*http.Request, error) {
	r := req.Clone(req.Context())
	if req.Body == nil || req.Body == http.NoBody {
		return r, nil
	}
	if req.GetBody == nil {
		return nil, errors.New("request body cannot be replayed for a retry")
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	r.Body = body
	return r, nil
}

func describe(resp *http.Response, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("HTTP %d", resp.StatusCode)
}
