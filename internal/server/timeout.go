package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

const scrapeTimeoutHeader = "X-Prometheus-Scrape-Timeout-Seconds"

// scrapeContext bounds a scrape by the timeout Prometheus announces, less
// offset (never below half of it) so that the answer is encoded and sent
// before Prometheus gives up. Without the header the scrape has no deadline
// of its own; each refresh is still capped by the configured timeout.
func scrapeContext(r *http.Request, offset time.Duration) (context.Context, context.CancelFunc, error) {
	v := r.Header.Get(scrapeTimeoutHeader)
	if v == "" {
		ctx, cancel := context.WithCancel(r.Context())
		return ctx, cancel, nil
	}
	secs, err := strconv.ParseFloat(v, 64)
	if err != nil || !(secs > 0 && secs <= 1e6) { // also refuses NaN
		return nil, nil, fmt.Errorf("invalid %s header %q: want a positive number of seconds", scrapeTimeoutHeader, v)
	}
	announced := time.Duration(secs * float64(time.Second))
	ctx, cancel := context.WithTimeout(r.Context(), max(announced-offset, announced/2))
	return ctx, cancel, nil
}
