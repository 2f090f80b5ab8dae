package server

import (
	"errors"
	"fmt"
	"net/http"
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
	lock     chan struct{} // held by the reload in progress; a channel so that waiting can time out
	load     Loader
	onSwap   func(old, cur *collector.Exporter)
	ok       prometheus.Gauge
	okTime   prometheus.Gauge
	lifeline bool          // POST /-/reload allowed (--web.enable-lifecycle)
	timeout  time.Duration // longest a load may take
}

// DefaultReloadTimeout bounds one configuration load. Secret files are read
// within 5 s each; a load that takes longer is stuck, not slow.
const DefaultReloadTimeout = 30 * time.Second

// EnableReload makes Reload (and, when lifecycle is true, POST /-/reload)
// rebuild the exporter with load. onSwap, if set, runs after a successful
// swap, e.g. to drop series of accounts that are gone. The reload gauges
// are registered with reg and start as a success at the current time.
func (s *Server) EnableReload(load Loader, lifecycle bool, reg prometheus.Registerer, onSwap func(old, cur *collector.Exporter)) {
	r := &reloader{
		lock:    make(chan struct{}, 1),
		timeout: DefaultReloadTimeout,
		load:    load,
		onSwap:  onSwap,
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
	fail := func(err error) error {
		r.ok.Set(0)
		s.o.Logger.Error("Reloading configuration failed; the previous configuration keeps serving", "err", err)
		return err
	}
	select {
	case r.lock <- struct{}{}:
	case <-time.After(r.timeout):
		return fail(fmt.Errorf("another reload has been running for over %s", r.timeout))
	}
	defer func() { <-r.lock }()
	next, err := r.loadWithin()
	if err != nil {
		return fail(err)
	}
	old := s.exporter.Swap(next)
	if h, err := s.newLanding(next); err == nil {
		s.landing.Store(h) // the /probe link follows the accounts
	}
	if r.onSwap != nil && old != nil {
		r.onSwap(old, next)
	}
	if old != nil {
		old.Retire() // its idle upstream connections would linger for IdleConnTimeout
	}
	r.ok.Set(1)
	r.okTime.Set(float64(time.Now().UnixMilli()) / 1e3)
	s.o.Logger.Info("Reloaded configuration", "targets", len(next.Targets()))
	return nil
}

// loadWithin runs the loader and gives up on it after the timeout: the
// reload fails and later reloads may run. An exporter the abandoned load
// builds after all is retired unused.
func (r *reloader) loadWithin() (*collector.Exporter, error) {
	type result struct {
		e   *collector.Exporter
		err error
	}
	done := make(chan result) // unbuffered: a load that finishes after the timeout sees abandoned
	abandoned := make(chan struct{})
	go func() {
		e, err := r.load()
		select {
		case done <- result{e, err}:
		case <-abandoned:
			if e != nil {
				e.Retire()
			}
		}
	}()
	timer := time.NewTimer(r.timeout)
	defer timer.Stop()
	select {
	case res := <-done:
		return res.e, res.err
	case <-timer.C:
		close(abandoned)
		return nil, fmt.Errorf("loading the configuration took longer than %s", r.timeout)
	}
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
