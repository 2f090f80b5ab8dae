package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"

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
// exporter's own metrics.
func (s *Server) serveScrape(w http.ResponseWriter, r *http.Request, e *collector.Exporter, keep func(*collector.Target) bool, withSelf bool) {
	if r.Method == http.MethodHead {
		// Headers only: a HEAD check must not cost a collection, which
		// would call every upstream whose cache has expired.
		w.Header().Set("Content-Type", string(expfmt.NegotiateAccept(r.Header, expfmt.DefaultOpenMetricsAcceptedFormats()...)))
		w.WriteHeader(http.StatusOK)
		return
	}
	if s.inflight != nil {
		select {
		case s.inflight <- struct{}{}:
			defer func() { <-s.inflight }()
		default:
			http.Error(w, "Too many concurrent scrapes; raise --web.max-requests", http.StatusServiceUnavailable)
			return
		}
	}
	ctx, cancel, err := scrapeContext(r, s.o.TimeoutOffset)
	if err != nil {
		s.o.Logger.Warn("Refusing scrape", "err", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	defer cancel()
	var gatherers prometheus.Gatherers
	if keep != nil || !s.o.ExporterOnly {
		reg := prometheus.NewRegistry()
		if err := reg.Register(e.Scrape(ctx, keep)); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		gatherers = append(gatherers, reg)
	}
	if withSelf && s.o.Gatherer != nil {
		gatherers = append(gatherers, s.o.Gatherer)
	}
	promhttp.HandlerFor(gatherers, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(s.o.Logger.Handler(), slog.LevelError),
		ErrorHandling: promhttp.ContinueOnError,
	}).ServeHTTP(w, r)
}
