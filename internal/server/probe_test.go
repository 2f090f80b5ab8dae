package server

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/promslog"

	"github.com/billingexporter/billing_exporter/collector"
	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/sandbox"
	"github.com/billingexporter/billing_exporter/internal/upstream"
)

// probeServer serves the demo's accounts; exporterOnly is the flag.
func probeServer(t *testing.T, exporterOnly bool) (*httptest.Server, *sandbox.Demo) {
	t.Helper()
	d, err := sandbox.Start(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	cfg := *d.Config
	cfg.Global.MinRefreshInterval = config.Duration(time.Minute)
	reg := prometheus.NewRegistry()
	e, err := collector.New(&cfg, collector.Options{Logger: promslog.NewNopLogger(), Requests: upstream.NewRequestCounter(reg)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Logger: promslog.NewNopLogger(), Gatherer: reg, Registerer: reg, ExporterOnly: exporterOnly})
	if err != nil {
		t.Fatal(err)
	}
	s.SetExporter(e)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts, d
}

func TestProbe(t *testing.T) {
	ts, d := probeServer(t, false)
	for _, tc := range []struct {
		query      string
		code       int
		has, hasnt []string
	}{
		{"target=portone/shop", 200,
			[]string{`billing_up{account="shop",collector="schedules",provider="portone"} 1`, "billing_portone_schedules{", `billing_alert_threshold{account="shop"`},
			[]string{`account="main"`, `account="fleet"`, "go_goroutines", "billing_upstream_requests_total", "billing_exporter_build_info"}},
		{"target=ncloud/main&collector=credit", 200,
			[]string{`billing_up{account="main",collector="credit",provider="ncloud"} 1`, "billing_ncloud_credit_remaining{"},
			[]string{`collector="coin"`, "billing_ncloud_coin_remaining", `account="org"`}},
		{"", 400, []string{`missing "target" parameter`}, nil},
		{"target=ncloud", 400, []string{`target "ncloud" is not <provider>/<account>`}, nil},
		{"target=ncloud/nope", 400, []string{`unknown target "ncloud/nope": no such account in the configuration`}, nil},
		{"target=http://169.254.169.254/latest", 400, []string{"unknown target"}, nil},
		{"target=vgp/fleet&collector=credit", 400, []string{`target "vgp/fleet" has no collector "credit" (it has payments)`}, nil},
	} {
		code, body := get(t, ts.URL+"/probe?"+tc.query)
		if code != tc.code {
			t.Errorf("/probe?%s = %d, want %d: %.200s", tc.query, code, tc.code, body)
		}
		for _, s := range tc.has {
			if !strings.Contains(body, s) {
				t.Errorf("/probe?%s lacks %s", tc.query, s)
			}
		}
		for _, s := range tc.hasnt {
			if strings.Contains(body, s) {
				t.Errorf("/probe?%s has %s", tc.query, s)
			}
		}
	}
	// /probe and /metrics share one cache: with min_refresh_interval 1m,
	// neither adds calls after the first refresh of each collector.
	before := d.NCloud.Calls("", "") + d.VGP.Calls() + d.PortOne.Calls("")
	get(t, ts.URL+"/metrics")
	get(t, ts.URL+"/probe?target=portone/shop")
	get(t, ts.URL+"/probe?target=ncloud/main")
	get(t, ts.URL+"/metrics")
	if after := d.NCloud.Calls("", "") + d.VGP.Calls() + d.PortOne.Calls(""); after-before != 9 {
		// The first /metrics refreshes the 9 targets not probed before (one
		// call each: ncloud main coin, demand and invoice, ncloud org x4, vgp x2); the
		// probed PortOne and ncloud/main credit come from the cache, and so
		// does everything after that.
		t.Errorf("%d upstream calls for /metrics after probes, want 9", after-before)
	}
}

func TestExporterOnlyMetrics(t *testing.T) {
	ts, _ := probeServer(t, true)
	_, body := get(t, ts.URL+"/metrics")
	if strings.Contains(body, "billing_up{") || strings.Contains(body, "billing_ncloud_") || !strings.Contains(body, "promhttp_metric_handler_requests_total") {
		t.Errorf("--metrics.exporter-only /metrics:\n%.500s", body)
	}
	if _, body := get(t, ts.URL+"/probe?target=vgp/kiosk"); !strings.Contains(body, `billing_vgp_balance{account="kiosk"`) {
		t.Errorf("probe in exporter-only mode:\n%.300s", body)
	}
	if _, body := get(t, ts.URL+"/metrics"); !strings.Contains(body, `billing_upstream_requests_total{account="kiosk",code="200",provider="vgp"} 1`) {
		t.Errorf("upstream request counters missing from /metrics")
	}
}
