package server

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/promslog"

	"github.com/billingexporter/billing_exporter/collector"
	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/upstream"
)

func landingServer(t *testing.T, demo bool, cfg *config.Config) (*Server, *httptest.Server) {
	t.Helper()
	reg := prometheus.NewRegistry()
	requests := upstream.NewRequestCounter(reg)
	build := func(cfg *config.Config) *collector.Exporter {
		e, err := collector.New(cfg, collector.Options{Logger: promslog.NewNopLogger(), Requests: requests})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	s, err := New(Options{Logger: promslog.NewNopLogger(), Gatherer: reg, Version: `(version=<b>1</b>, branch=x&y)`, Demo: demo})
	if err != nil {
		t.Fatal(err)
	}
	s.SetExporter(build(cfg))
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts
}

func vgpConfig(names ...string) *config.Config {
	c := &config.Config{Global: config.DefaultGlobal}
	for _, n := range names {
		c.VGP = append(c.VGP, config.VGPAccount{Name: n, Endpoint: "http://127.0.0.1:1/x", Caller: "C", Email: "a@example.com"})
	}
	return c
}

// Every text on / is escaped, and /probe links to the first configured
// account.
func TestLandingPageEscapedWithFirstAccount(t *testing.T) {
	_, ts := landingServer(t, false, vgpConfig("fleet", "other"))
	code, body := get(t, ts.URL+"/")
	if code != 200 {
		t.Fatalf("GET / = %d", code)
	}
	for _, want := range []string{
		`href="/probe?target=vgp%2Ffleet"`,
		`>Probe vgp/fleet</a>`,
		`/probe?target=&lt;provider&gt;/&lt;account&gt;[&amp;collector=&lt;name&gt;]`,
		`(version=&lt;b&gt;1&lt;/b&gt;, branch=x&amp;y)`,
		`href="/metrics"`, `href="/status"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("landing page lacks %s:\n%s", want, body)
		}
	}
	for _, bad := range []string{"<provider>", "<b>1</b>", "ncloud/main", demoNotice, "debug/pprof"} {
		if strings.Contains(body, bad) {
			t.Errorf("landing page contains %q", bad)
		}
	}
	if _, status := get(t, ts.URL+"/status"); strings.Contains(status, demoNotice) {
		t.Error("/status claims demo mode without --demo")
	}
}

// Without accounts there is no /probe link; after a reload the link
// follows the new first account.
func TestLandingPageFollowsReload(t *testing.T) {
	s, ts := landingServer(t, false, &config.Config{Global: config.DefaultGlobal})
	if _, body := get(t, ts.URL+"/"); strings.Contains(body, "probe?target") || !strings.Contains(body, `href="/status"`) {
		t.Errorf("landing page without accounts:\n%s", body)
	}
	reg := prometheus.NewRegistry()
	requests := upstream.NewRequestCounter(reg)
	s.EnableReload(func() (*collector.Exporter, error) {
		return collector.New(vgpConfig("after"), collector.Options{Logger: promslog.NewNopLogger(), Requests: requests})
	}, false, reg, nil)
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	if _, body := get(t, ts.URL+"/"); !strings.Contains(body, `href="/probe?target=vgp%2Fafter"`) {
		t.Errorf("landing page after reload:\n%s", body)
	}
}

func TestDemoNotice(t *testing.T) {
	_, ts := landingServer(t, true, vgpConfig("fleet"))
	for _, path := range []string{"/", "/status"} {
		if _, body := get(t, ts.URL+path); !strings.Contains(body, `<strong>demo mode: fake upstreams</strong>`) {
			t.Errorf("%s under --demo lacks the notice:\n%s", path, body)
		}
	}
}
