// Package upstream holds what every billing API client shares: the HTTP
// plumbing under each account's client (the shared transport, retries,
// request counting, proxy and TLS configuration), a typed error that
// carries the upstream's own code and message, and a size-limited body
// reader, so that no client can be made to buffer an unbounded body.
package upstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
)

// DefaultMaxBodyBytes bounds one upstream response body unless configured.
const DefaultMaxBodyBytes = 32 << 20

// Error is a failure reported by an upstream API. Code and Message are the
// upstream's own words, taken from its error fields (never a body excerpt);
// they are shown cleaned (see Clean) and, once they pass a Redactor, with
// every value the request carried removed.
type Error struct {
	API        string // which call failed, e.g. "ncloud getCreditHistoryList"
	HTTPStatus int    // 0 when the body reported the failure with HTTP 200
	Code       string // the upstream's error code, if it sent one
	Message    string // the upstream's error message, if it sent one
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.API)
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.HTTPStatus)
	}
	code, msg := e.Shown()
	if code != "" {
		fmt.Fprintf(&b, ": code %s", code)
	}
	if msg != "" {
		fmt.Fprintf(&b, ": %s", msg)
	}
	return b.String()
}

// Shown returns the code and message as they may be shown: length-limited,
// without control characters.
func (e *Error) Shown() (code, message string) {
	return Clean(e.Code, maxCodeLen), Clean(e.Message, maxMessageLen)
}

// AsError returns the upstream error inside err, if there is one.
func AsError(err error) (*Error, bool) {
	return errors.AsType[*Error](err)
}

// ErrBodyTooLarge is returned when a response exceeds the configured limit.
var ErrBodyTooLarge = errors.New("response body exceeds the size limit")

// readBuffers are ReadBody's buffers. A body of unknown length is read
// into one and copied out; growing a fresh buffer for every page allocated
// three times the page, in memory the runtime had mostly handed back to
// the OS since the last refresh, and faulting it in again cost more than
// the reading. A caller that marked its request with ReusableBody gets
// the buffer itself, and hands it back with Release once decoded: a
// refresh of many pages then reads them into the few buffers in use at
// once (at 60 NCP pages of 1.5 MB, 88 MB less garbage a refresh). Buffers
// larger than maxPooledBuffer are not kept.
var readBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

const maxPooledBuffer = 8 << 20

type reusableKey struct{}

// ReusableBody marks the requests made with ctx as ones whose bodies the
// caller hands back with Release once nothing refers to their bytes.
func ReusableBody(ctx context.Context) context.Context {
	return context.WithValue(ctx, reusableKey{}, true)
}

func reusable(resp *http.Response) bool {
	return resp.Request != nil && resp.Request.Context().Value(reusableKey{}) != nil
}

// Release hands back the body of a ReusableBody request: its bytes are
// overwritten by a later body.
func Release(body []byte) {
	if cap(body) > 0 && cap(body) <= maxPooledBuffer {
		b := body[:0]
		readBuffers.Put(&b)
	}
}

// ReadBody reads at most limit bytes of resp.Body and closes it. A longer
// body is an error rather than a truncated success. No buffer ever grows
// past limit+1 bytes, whatever the body's length (chunked included), and
// reading stops there: a 150 MB body costs the limit, not 150 MB.
func ReadBody(resp *http.Response, limit int64) ([]byte, error) {
	defer resp.Body.Close()
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%w of %d bytes (Content-Length %d)", ErrBodyTooLarge, limit, resp.ContentLength)
	}
	if b, ok := resp.Body.(*bufferedBody); ok && b.Len() == len(b.b) {
		return b.b, nil // read whole by the retry transport, within the limit just checked
	}
	reuse := reusable(resp)
	if n := resp.ContentLength; n >= 0 && !reuse {
		// One buffer of the announced size: growing one from 512 bytes
		// copied a 3 MB page six times over. The transport stops at the
		// announced length, so the extra byte only detects a lie.
		body, err := appendCapped(make([]byte, 0, n+1), resp.Body, limit)
		if err != nil {
			return nil, err
		}
		return body, nil
	}
	bp := readBuffers.Get().(*[]byte)
	b := (*bp)[:0]
	if n := resp.ContentLength; n >= 0 && (int64(cap(b)) <= n || int64(cap(b)) > 4*(n+1)) {
		Release(b) // not the size for this body
		b = make([]byte, 0, n+1)
	}
	b, err := appendCapped(b, resp.Body, limit)
	if err != nil {
		Release(b)
		return nil, err
	}
	if reuse || cap(b) > maxPooledBuffer {
		return b, nil // the caller's, to hand back or, too large to keep, to let go
	}
	defer Release(b)
	return bytes.Clone(b), nil
}

// appendCapped reads r to its end into b, doubling b's capacity as it
// fills but never past limit+1 bytes; a body that reaches limit+1 bytes is
// ErrBodyTooLarge without another byte being read.
func appendCapped(b []byte, r io.Reader, limit int64) ([]byte, error) {
	if int64(cap(b)) > limit+1 {
		b = b[: 0 : limit+1]
	}
	for {
		if len(b) == cap(b) {
			if int64(len(b)) > limit {
				return b, fmt.Errorf("%w of %d bytes", ErrBodyTooLarge, limit)
			}
			next := max(2*int64(cap(b)), 4096)
			if next >= limit {
				next = limit + 1 // the last step: room for the limit and the byte that betrays a longer body
			}
			grown := make([]byte, len(b), next)
			copy(grown, b)
			b = grown
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if errors.Is(err, io.EOF) {
			if int64(len(b)) > limit {
				return b, fmt.Errorf("%w of %d bytes", ErrBodyTooLarge, limit)
			}
			return b, nil
		}
		if err != nil {
			return b, fmt.Errorf("reading response body: %w", err)
		}
	}
}

// Snippet describes an unexpected body for an error message by its size
// only: a body can carry anything (an echo of the request, a proxy's page
// with personal data), so no part of it is quoted.
func Snippet(b []byte) string {
	return fmt.Sprintf("(%d bytes, not shown)", len(b))
}

// WrongType explains a body that failed to decode: when the upstream said
// it sent something other than the formats expected (an HTML error page
// from a proxy, say), the error names that content type and quotes the body
// instead of the decoder's complaint. formats are media subtypes such as
// "json" or "xml".
func WrongType(contentType string, body []byte, err error, formats ...string) error {
	mt, _, perr := mime.ParseMediaType(contentType)
	if contentType == "" {
		return err
	}
	for _, f := range formats {
		if perr == nil && (strings.HasSuffix(mt, "/"+f) || strings.HasSuffix(mt, "+"+f)) {
			return err
		}
	}
	return fmt.Errorf("response is %s, not %s %s", Clean(contentType, 80), strings.Join(formats, " or "), Snippet(body))
}

// Response is an upstream answer read in full.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
}

// Do sends req and reads the whole (size-limited) answer, whatever its
// status. Transport and read errors name api; deciding what the status and
// body mean is the caller's.
func Do(client *http.Client, req *http.Request, api string, limit int64) (Response, error) {
	resp, err := client.Do(req)
	if err != nil {
		return Response{}, fmt.Errorf("%s: %w", api, err)
	}
	body, err := ReadBody(resp, limit)
	if err != nil {
		return Response{}, fmt.Errorf("%s: HTTP %d: %w", api, resp.StatusCode, err)
	}
	return Response{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: body}, nil
}
