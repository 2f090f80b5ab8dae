// Package server is billing_exporter's HTTP surface: /metrics, the status
// page, health and readiness. It holds the current collector.Exporter behind
// an atomic pointer so that a reload swaps it without blocking scrapes.
package server

import (
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/billingexporter/billing_exporter/collector"
)

// Options configure the HTTP surface.
type Options struct {
	Logger        *slog.Logger
	MetricsPath   string                // e.g. /metrics
	Gatherer      prometheus.Gatherer   // the exporter's own metrics (build info, Go, process, upstream requests)
	Registerer    prometheus.Registerer // where the handler instruments itself
	TimeoutOffset time.Duration         // subtracted from the scrape timeout Prometheus announces
	MaxRequests   int                   // concurrent /metrics and /probe requests; 0 = unlimited
	ExporterOnly  bool                  // /metrics serves only the exporter's own metrics; accounts via /probe
	Version       string                // shown on the landing page
	Demo          bool                  // --demo: / and /status say that the upstreams are fake
}

// Server serves the exporter's HTTP endpoints.
type Server struct {
	o        Options
	exporter atomic.Pointer[collector.Exporter]
	landing  atomic.Pointer[web.LandingPageHandler] // rendered for the current exporter
	mux      *http.ServeMux
	inflight chan struct{} // nil = unlimited
	reload   *reloader     // nil until EnableReload
}

// New builds the handlers. Set an exporter before serving scrapes.
func New(o Options) (*Server, error) {
	if o.MetricsPath == "" {
		o.MetricsPath = "/metrics"
	}
	s := &Server{o: o, mux: http.NewServeMux()}
	if o.MaxRequests > 0 {
		s.inflight = make(chan struct{}, o.MaxRequests)
	}
	metrics := http.Handler(http.HandlerFunc(s.serveMetrics))
	if o.Registerer != nil {
		metrics = promhttp.InstrumentMetricHandler(o.Registerer, metrics)
	}
	s.mux.Handle("GET "+o.MetricsPath, metrics)
	s.mux.HandleFunc("GET /status", s.serveStatus)
	s.mux.HandleFunc("GET /probe", s.serveProbe)
	s.mux.HandleFunc("GET /-/healthy", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("Healthy\n"))
	})
	s.mux.HandleFunc("GET /-/ready", s.serveReady)
	s.mux.HandleFunc("POST /-/reload", s.serveReload)
	s.mux.HandleFunc("PUT /-/reload", s.serveReload)
	if o.MetricsPath != "/" {
		s.mux.HandleFunc("GET /{$}", s.serveLanding)
	}
	return s, nil
}

// NewHTTPServer returns the http.Server that serves h, with limits on slow
// or oversized requests. No write timeout: a scrape may legitimately take as
// long as the scrape timeout Prometheus sends.
func NewHTTPServer(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10, // the request line counts: a huge query string gets 431
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelError),
	}
}

// SetExporter makes e serve from the next scrape on, and renders the
// landing page for its accounts.
func (s *Server) SetExporter(e *collector.Exporter) {
	s.exporter.Store(e)
	if h, err := s.newLanding(e); err != nil {
		s.o.Logger.Error("Rendering the landing page failed", "err", err) // keeps the previous page
	} else {
		s.landing.Store(h)
	}
}

// Exporter returns the exporter currently serving.
func (s *Server) Exporter() *collector.Exporter { return s.exporter.Load() }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) serveReady(w http.ResponseWriter, _ *http.Request) {
	if s.exporter.Load() == nil {
		http.Error(w, "Not ready: no configuration loaded", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("Ready\n"))
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	e := s.exporter.Load()
	if e == nil {
		http.Error(w, "No configuration loaded yet", http.StatusServiceUnavailable)
		return
	}
	s.serveScrape(w, r, e, nil, true)
}
