package portonesim

import (
	"cmp"
	"context"
	"io"
	"net/http"
	"time"
)

// Fault changes how requests are answered. The zero Fault means "no fault".
type Fault struct {
	Latency    time.Duration // delay before answering (ends early if the client goes away)
	Hang       bool          // never answer; return only when the request context ends
	HTTPStatus int           // answer with this status and Body instead of the API's answer
	Body       string        // raw body for HTTPStatus (status 200 when HTTPStatus is 0)
}

// apply runs f and reports whether it already finished the request.
func (f Fault) apply(w http.ResponseWriter, r *http.Request) bool {
	ctx := r.Context()
	if f.Latency > 0 && !sleep(ctx, f.Latency) {
		return true
	}
	if f.Hang {
		<-ctx.Done()
		return true
	}
	if f.HTTPStatus == 0 && f.Body == "" {
		return false
	}
	w.WriteHeader(cmp.Or(f.HTTPStatus, http.StatusOK))
	_, _ = io.WriteString(w, f.Body)
	return true
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
