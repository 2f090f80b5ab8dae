package server

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/billingexporter/billing_exporter/collector"
)

// serveProbe serves one account's series, as blackbox_exporter serves one
// target: GET /probe?target=<provider>/<account>[&collector=<name>]. The
// target only ever names a configured account; nothing in the request is
// used as a URL or a credential. It shares the refresh caches with /metrics.
func (s *Server) serveProbe(w http.ResponseWriter, r *http.Request) {
	e := s.exporter.Load()
	if e == nil {
		http.Error(w, "No configuration loaded yet", http.StatusServiceUnavailable)
		return
	}
	keep, err := probeFilter(e, r.URL.Query().Get("target"), r.URL.Query().Get("collector"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.serveScrape(w, r, e, keep, false)
}

// probeFilter selects the targets a probe asks for, or says why it cannot.
func probeFilter(e *collector.Exporter, target, collectorName string) (func(*collector.Target) bool, error) {
	if target == "" {
		return nil, fmt.Errorf(`missing "target" parameter: want target=<provider>/<account>, e.g. target=ncloud/main`)
	}
	provider, account, ok := strings.Cut(target, "/")
	if !ok || provider == "" || account == "" {
		return nil, fmt.Errorf("target %q is not <provider>/<account>", target)
	}
	var names []string
	found := false
	for _, t := range e.Targets() {
		if t.Provider == provider && t.Account == account {
			found = true
			names = append(names, t.Collector)
		}
	}
	if !found {
		return nil, fmt.Errorf("unknown target %q: no such account in the configuration", target)
	}
	if collectorName != "" && !slices.Contains(names, collectorName) {
		return nil, fmt.Errorf("target %q has no collector %q (it has %s)", target, collectorName, strings.Join(names, ", "))
	}
	return func(t *collector.Target) bool {
		return t.Provider == provider && t.Account == account && (collectorName == "" || t.Collector == collectorName)
	}, nil
}

// serveScrape answers one scrape of the targets keep selects (all when nil),
// bounded by the scrape timeout Prometheus announces; withSelf adds the
// exporter's own metrics. The format and compression are negotiated as
// promhttp does (OpenMetrics when asked, gzip when accepted); name[]
// selects families.
func (s *Server) serveScrape(w http.ResponseWriter, r *http.Request, e *collector.Exporter, keep func(*collector.Target) bool, withSelf bool) {
	if r.Method == http.MethodHead {
		// Headers only: a HEAD check must not cost a collection, which
		// would call every upstream whose cache has expired.
		format, _ := collector.Negotiate(r.Header)
		w.Header().Set("Content-Type", string(format))
		w.WriteHeader(http.StatusOK)
		return
	}
	// No response outlives its scrape: Prometheus gives up at the timeout
	// it announced, and a client that stops reading must not hold the
	// connection (or, before the answer was buffered, a scrape slot).
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(writeTimeout(r)))
	answer, ok := s.render(w, r, e, keep, withSelf)
	if !ok {
		return
	}
	answer.writeTo(w)
}

// render collects and encodes one scrape into memory, within a scrape slot
// (--web.max-requests). The slot is given back before the answer is sent,
// so that clients which do not read cannot hold every slot. ok is false
// when the answer (an error) was already written to w.
func (s *Server) render(w http.ResponseWriter, r *http.Request, e *collector.Exporter, keep func(*collector.Target) bool, withSelf bool) (_ *bufferedAnswer, ok bool) {
	if s.inflight != nil {
		select {
		case s.inflight <- struct{}{}:
			defer func() { <-s.inflight }()
		default:
			http.Error(w, "Too many concurrent scrapes; raise --web.max-requests", http.StatusServiceUnavailable)
			return nil, false
		}
	}
	ctx, cancel, err := scrapeContext(r, s.o.TimeoutOffset)
	if err != nil {
		s.o.Logger.Warn("Refusing scrape", "err", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return nil, false
	}
	defer cancel()
	format, gzipped := collector.Negotiate(r.Header)
	o := collector.ScrapeOptions{Format: format, Gzip: gzipped, Keep: keep, Names: r.URL.Query()["name[]"]}
	if keep == nil && s.o.ExporterOnly {
		o.Keep = func(*collector.Target) bool { return false }
	}
	if withSelf && s.o.Gatherer != nil {
		o.Self = s.o.Gatherer
	}
	answer := &bufferedAnswer{header: http.Header{}, code: http.StatusOK}
	answer.header.Add("Vary", "Accept")
	answer.header.Add("Vary", "Accept-Encoding")
	answer.header.Set("Content-Type", string(format))
	if gzipped {
		answer.header.Set("Content-Encoding", "gzip")
	}
	// The cached blocks are copied into the answer: a cached scrape costs
	// about that copy.
	if err := e.WriteScrape(ctx, &answer.body, o); err != nil {
		s.o.Logger.Error("Error writing a scrape", "err", err)
	}
	return answer, true
}

// Bounds of the write deadline: without the scrape timeout header the
// client is not Prometheus, and its answer gets defaultWriteTimeout; an
// announced timeout counts up to maxWriteTimeout.
const (
	defaultWriteTimeout = time.Minute
	maxWriteTimeout     = 10 * time.Minute
)

// writeTimeout is how long the answer to r may take to send: the scrape
// timeout Prometheus announces (it closes the connection then anyway).
func writeTimeout(r *http.Request) time.Duration {
	secs, err := strconv.ParseFloat(r.Header.Get(scrapeTimeoutHeader), 64)
	if err != nil || !(secs > 0) {
		return defaultWriteTimeout
	}
	return min(time.Duration(secs*float64(time.Second)), maxWriteTimeout)
}

// bufferedAnswer is an http.ResponseWriter that keeps the answer in memory
// (compressed when the client asked for it) until it is sent.
type bufferedAnswer struct {
	header http.Header
	code   int
	body   bytes.Buffer
	wrote  bool
}

func (a *bufferedAnswer) Header() http.Header { return a.header }

func (a *bufferedAnswer) WriteHeader(code int) {
	if !a.wrote {
		a.code, a.wrote = code, true
	}
}

func (a *bufferedAnswer) Write(b []byte) (int, error) {
	a.WriteHeader(http.StatusOK)
	return a.body.Write(b)
}

// writeTo sends the answer; a client that does not read it within the
// write deadline gets it cut short.
func (a *bufferedAnswer) writeTo(w http.ResponseWriter) {
	h := w.Header()
	maps.Copy(h, a.header)
	h.Set("Content-Length", strconv.Itoa(a.body.Len()))
	w.WriteHeader(a.code)
	_, _ = w.Write(a.body.Bytes())
}
