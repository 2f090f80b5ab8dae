// Package fault makes the sandbox's fake upstream APIs misbehave for tests of
// reliability: delays, hangs, dropped connections, error answers, bodies cut
// short, for every request or for the first few.
//
// A fake looks up the Fault of a request in a Table, once per request, at the
// point where it would start its own answer (usually after authentication),
// and calls Apply; when Apply reports done the request is over.
package fault

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault makes a fake upstream misbehave. The zero Fault is no fault.
//
// Latency combines with the other fields: the delay comes first. Then Hang
// wins over Reset, which wins over an answer (Status or Body). A Fault with
// none of Hang, Reset, Status and Body only delays the API's own answer;
// ContentType, RetryAfter and Truncate then do nothing.
type Fault struct {
	Latency     time.Duration // delay before answering; ends early if the client gives up
	Hang        bool          // never answer; return when the request context ends
	Reset       bool          // close the connection without any answer (hijack + close)
	Status      int           // answer this HTTP status with Body instead of the API's answer (200 when 0 and Body is set)
	Body        string        // raw body of that answer
	ContentType string        // Content-Type of that answer; "" = guessed from Body ({ or [ => application/json;charset=UTF-8, < => application/xml;charset=UTF-8, else text/plain;charset=UTF-8)
	RetryAfter  string        // Retry-After header sent with that answer
	Truncate    bool          // announce Content-Length of twice len(Body) (at least 1), send Body, then close: a body cut short
	Times       int           // apply only to the first Times requests it matches (in a Table), then behave normally; 0 = every request
	Echo        bool          // replace {{request}} in Body by the request as received (method, URL, headers, body; see CaptureBody), escaped for the body's content type: an upstream that echoes credentials
}

// Content types that a Fault guesses from its Body.
const (
	contentJSON = "application/json;charset=UTF-8"
	contentXML  = "application/xml;charset=UTF-8"
	contentText = "text/plain;charset=UTF-8"
)

// IsZero reports whether f is the zero Fault, which changes nothing.
func (f Fault) IsZero() bool { return f == Fault{} }

// Apply carries out f on one request. done reports that the request has been
// answered or abandoned (the caller must then not write); status is the HTTP
// status written, 0 when none was (hang, reset, client gone).
//
// Reset and Truncate hijack the connection through http.NewResponseController,
// so a wrapping ResponseWriter must have an Unwrap method. Where hijacking is
// not possible (HTTP/2), Reset aborts the response with http.ErrAbortHandler
// and Truncate leaves the short body to end the stream, which the client also
// sees as a body cut short.
func (f Fault) Apply(w http.ResponseWriter, r *http.Request) (status int, done bool) {
	ctx := r.Context()
	if f.Latency > 0 && !sleep(ctx, f.Latency) {
		return 0, true
	}
	switch {
	case f.Hang:
		<-ctx.Done()
		return 0, true
	case f.Reset:
		reset(w)
		return 0, true
	case f.Status == 0 && f.Body == "":
		return 0, false
	}
	status = cmp.Or(f.Status, http.StatusOK)
	h := w.Header()
	contentType := cmp.Or(f.ContentType, guessContentType(f.Body))
	h.Set("Content-Type", contentType)
	body := f.Body
	if f.Echo {
		body = strings.ReplaceAll(body, "{{request}}", escapeFor(contentType, echo(r)))
	}
	if f.RetryAfter != "" {
		h.Set("Retry-After", f.RetryAfter)
	}
	if f.Truncate {
		h.Set("Content-Length", strconv.Itoa(max(2*len(body), 1)))
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body) // the client may be gone; nothing to do about it
	if f.Truncate {
		cut(w)
	}
	return status, true
}

type bodyKey struct{}

// CaptureBody keeps a copy of each request's body (up to 1 MiB) for Echo,
// since the fake reads the body before it looks up its fault.
func CaptureBody(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			r = r.WithContext(context.WithValue(r.Context(), bodyKey{}, b))
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		h.ServeHTTP(w, r)
	})
}

// echo writes r as received: request line, headers, body.
func echo(r *http.Request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", r.Method, r.URL.RequestURI())
	for _, k := range slices.Sorted(maps.Keys(r.Header)) {
		for _, v := range r.Header[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	if body, ok := r.Context().Value(bodyKey{}).([]byte); ok {
		b.Write(body)
	}
	return b.String()
}

// escapeFor escapes s to sit inside a JSON string or XML text.
func escapeFor(contentType, s string) string {
	switch {
	case strings.Contains(contentType, "json"):
		q, _ := json.Marshal(s)
		return string(q[1 : len(q)-1])
	case strings.Contains(contentType, "xml"), strings.Contains(contentType, "html"):
		return html.EscapeString(s)
	}
	return s
}

// guessContentType is the Content-Type a Fault without ContentType sends
// with body.
func guessContentType(body string) string {
	switch t := strings.TrimLeft(body, " \t\r\n"); {
	case strings.HasPrefix(t, "{"), strings.HasPrefix(t, "["):
		return contentJSON
	case strings.HasPrefix(t, "<"):
		return contentXML
	}
	return contentText
}

// sleep waits for d and reports false if ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// reset closes the connection before anything was written.
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // the server drops the connection or stream without logging
	}
	_ = conn.Close()
}

// cut sends what was written so far and closes the connection under it.
func cut(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	if err := rc.Flush(); err != nil {
		return // the client is gone
	}
	if conn, _, err := rc.Hijack(); err == nil {
		_ = conn.Close()
	}
}

// Table holds faults by key, safe for concurrent use, and counts down Times.
// The zero Table is empty and ready to use.
type Table[K comparable] struct {
	mu     sync.Mutex
	faults map[K]Fault
}

// NewTable returns an empty Table.
func NewTable[K comparable]() *Table[K] { return &Table[K]{faults: map[K]Fault{}} }

// Set installs f under k, replacing any fault there; the zero Fault clears k.
func (t *Table[K]) Set(k K, f Fault) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f.IsZero() {
		delete(t.faults, k)
		return
	}
	if t.faults == nil {
		t.faults = map[K]Fault{}
	}
	t.faults[k] = f
}

// Take returns the fault of the first key (in the order given) that has one,
// or the zero Fault if none has. When that fault's Times is positive, Take
// uses up one of them and clears the key after the last.
func (t *Table[K]) Take(keys ...K) Fault {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		f, ok := t.faults[k]
		if !ok {
			continue
		}
		switch {
		case f.Times == 1:
			delete(t.faults, k)
		case f.Times > 1:
			left := f
			left.Times--
			t.faults[k] = left
		}
		return f
	}
	return Fault{}
}
