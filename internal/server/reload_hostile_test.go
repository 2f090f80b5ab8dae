package server

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/promslog"

	"github.com/billingexporter/billing_exporter/collector"
	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/sandbox/vgpsim"
	"github.com/billingexporter/billing_exporter/internal/upstream"
)

// A load that never ends (a secret file on a stalled mount, say) fails
// the reload after the load timeout, with the old config serving and
// billing_config_last_reload_successful 0, and does not block later
// reloads.
func TestReloadNeverBlocksForever(t *testing.T) {
	reg := prometheus.NewRegistry()
	s, err := New(Options{Logger: promslog.NewNopLogger()})
	if err != nil {
		t.Fatal(err)
	}
	stuck := make(chan struct{})
	defer close(stuck)
	var mu sync.Mutex
	blocking := true
	good := &collector.Exporter{}
	s.SetExporter(good)
	s.EnableReload(func() (*collector.Exporter, error) {
		mu.Lock()
		b := blocking
		mu.Unlock()
		if b {
			<-stuck
			return nil, errors.New("unblocked")
		}
		return &collector.Exporter{}, nil
	}, false, reg, nil)
	s.reload.timeout = 200 * time.Millisecond

	reloadWithin := func(d time.Duration) error {
		t.Helper()
		done := make(chan error, 1)
		go func() { done <- s.Reload() }()
		select {
		case err := <-done:
			return err
		case <-time.After(d):
			t.Fatalf("a reload blocked for %s", d)
			return nil
		}
	}
	if err := reloadWithin(5 * time.Second); err == nil || !strings.Contains(err.Error(), "took longer than") {
		t.Errorf("stuck reload: err = %v", err)
	}
	if v := testutil.ToFloat64(s.reload.ok); v != 0 {
		t.Errorf("billing_config_last_reload_successful = %v after a stuck reload", v)
	}
	if s.Exporter() != good {
		t.Error("the old configuration stopped serving")
	}
	// The first load is still stuck; the next reloads are not held by it.
	if err := reloadWithin(5 * time.Second); err == nil {
		t.Error("a second stuck reload succeeded")
	}
	mu.Lock()
	blocking = false
	mu.Unlock()
	if err := reloadWithin(5 * time.Second); err != nil {
		t.Errorf("a good reload after stuck ones failed: %v", err)
	}
	if v := testutil.ToFloat64(s.reload.ok); v != 1 {
		t.Errorf("billing_config_last_reload_successful = %v after a good reload", v)
	}
}

// Every reload builds new transports; the retired ones close their idle
// connections, so reloads do not pile up connections (and their two
// goroutines each) at the upstream.
func TestReloadClosesRetiredConnections(t *testing.T) {
	sim := vgpsim.New()
	sim.AddMember(vgpsim.SeedMember())
	var mu sync.Mutex
	open := 0
	up := httptest.NewUnstartedServer(sim)
	up.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		mu.Lock()
		defer mu.Unlock()
		switch st {
		case http.StateNew:
			open++
		case http.StateClosed, http.StateHijacked:
			open--
		}
	}
	up.Start()
	t.Cleanup(up.Close)
	cfg := &config.Config{Global: config.DefaultGlobal, VGP: []config.VGPAccount{
		{Name: "a", Endpoint: up.URL + vgpsim.Path, Caller: "Vroomgo", PhoneNumber: "821041139274"},
	}}
	cfg.Global.MinRefreshInterval = 0
	reg := prometheus.NewRegistry()
	requests := upstream.NewRequestCounter(reg)
	load := func() (*collector.Exporter, error) {
		return collector.New(cfg, collector.Options{Logger: promslog.NewNopLogger(), Requests: requests})
	}
	s, err := New(Options{Logger: promslog.NewNopLogger(), Gatherer: reg})
	if err != nil {
		t.Fatal(err)
	}
	first, _ := load()
	s.SetExporter(first)
	s.EnableReload(load, false, reg, collector.ForgetRemoved)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	for range 30 {
		if code, _ := get(t, ts.URL+"/metrics"); code != http.StatusOK {
			t.Fatalf("scrape: %d", code)
		}
		if err := s.Reload(); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := open
		mu.Unlock()
		if n <= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections open at the upstream after 30 reloads, want at most 2", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
