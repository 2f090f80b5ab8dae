package server

import (
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/billingexporter/billing_exporter/collector"
)

// Loader builds an exporter from the configuration as it is now on disk
// (config file and secret files).
type Loader func() (*collector.Exporter, error)

// reloader swaps the serving exporter for a freshly loaded one. Reloads are
// serialised; a failed one leaves the old exporter serving.
type reloader struct {
	mu       sync.Mutex
	load     Loader
	onSwap   func(old, cur *collector.Exporter)
	ok       prometheus.Gauge
	okTime   prometheus.Gauge
	lifeline bool // POST /-/reload allowed (--web.enable-lifecycle)
}

// EnableReload makes Reload (and, when lifecycle is true, POST /-/reload)
// rebuild the exporter with load. onSwap, if set, runs after a successful
// swap, e.g. to drop series of accounts that are gone. The reload gauges
// are registered with reg and start as a success at the current time.
func (s *Server) EnableReload(load Loader, lifecycle bool, reg prometheus.Registerer, onSwap func(old, cur *collector.Exporter)) {
	r := &reloader{
		load:   load,
		onSwap: onSwap,
		ok: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "billing_config_last_reload_successful",
			Help: "billing_exporter: Whether the last configuration reload attempt was successful (1) or not (0).",
		}),
		okTime: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "billing_config_last_reload_success_timestamp_seconds",
			Help: "billing_exporter: Timestamp of the last successful configuration load, in seconds since the epoch.",
		}),
		lifeline: lifecycle,
	}
	reg.MustRegister(r.ok, r.okTime)
	r.ok.Set(1)
	r.okTime.SetToCurrentTime()
	s.reload = r
}

// Reload re-reads the configuration and swaps the exporter. On error the
// old exporter keeps serving and billing_config_last_reload_successful is 0.
func (s *Server) Reload() error {
	r := s.reload
	if r == nil {
		return errors.New("reloading is not enabled")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	next, err := r.load()
	if err != nil {
		r.ok.Set(0)
		s.o.Logger.Error("Reloading configuration failed; the previous configuration keeps serving", "err", err)
		return err
	}
	old := s.exporter.Swap(next)
	if h, err := s.newLanding(next); err == nil {
		s.landing.Store(h) // the /probe link follows the accounts
	}
	if r.onSwap != nil && old != nil {
		r.onSwap(old, next)
	}
	r.ok.Set(1)
	r.okTime.Set(float64(time.Now().UnixMilli()) / 1e3)
	s.o.Logger.Info("Reloaded configuration", "targets", len(next.Targets()))
	return nil
}

func (s *Server) serveReload(w http.ResponseWriter, _ *http.Request) {
	if s.reload == nil || !s.reload.lifeline {
		http.Error(w, "Lifecycle API is not enabled; start with --web.enable-lifecycle", http.StatusForbidden)
		return
	}
	if err := s.Reload(); err != nil {
		http.Error(w, "Reload failed: "+err.Error(), http.StatusInternalServerError)
		return
	}
	_, _ = w.Write([]byte("Reloaded\n"))
}
