package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/billingexporter/billing_exporter/internal/sandbox"
	"github.com/billingexporter/billing_exporter/internal/sandbox/ncloudsim"
	"github.com/billingexporter/billing_exporter/internal/sandbox/portonesim"
)

// TestProbeIntervals: a real Prometheus scrapes two accounts through /probe
// at different intervals. Each account's series carry its own instance, and
// the upstream calls counted by the fakes follow each job's interval and
// min_refresh_interval.
func TestProbeIntervals(t *testing.T) {
	prometheus := lookPath(t, "prometheus")
	dir := t.TempDir()
	bin := buildExporter(t, dir)
	d := startUpstreams(t)

	const minRefresh = 2 * time.Second
	cfg := filepath.Join(dir, "billing_exporter.yml")
	writeFile(t, cfg, fmt.Sprintf(`global: {min_refresh_interval: %s}
ncloud:
  - {name: main, endpoint: "%s", access_key: %s, secret_key: %s, demand_months: 1}
portone:
  - {name: shop, endpoint: "%s", imp_key: %s, imp_secret: %s, lookback: 30d, lookahead: 45d}
`, minRefresh, d.Config.NCloud[0].Endpoint, sandbox.DemoNCloudAccessKey, sandbox.DemoNCloudSecretKey,
		d.Config.PortOne[0].Endpoint, sandbox.DemoPortOneImpKey, sandbox.DemoPortOneImpSecret))
	exporterAddr, promAddr := freeAddr(t), freeAddr(t)
	start(t, bin, "--config.file="+cfg, "--web.listen-address="+exporterAddr, "--metrics.exporter-only", "--log.level=warn")

	job := func(name, interval, target string) string {
		return fmt.Sprintf(`  - job_name: %s
    scrape_interval: %s
    scrape_timeout: 1s
    metrics_path: /probe
    static_configs: [{targets: ['%s']}]
    relabel_configs:
      - {source_labels: [__address__], target_label: __param_target}
      - {source_labels: [__param_target], target_label: instance}
      - {target_label: __address__, replacement: '%s'}
`, name, interval, target, exporterAddr)
	}
	promConfig := filepath.Join(dir, "prometheus.yml")
	writeFile(t, promConfig, "scrape_configs:\n"+job("billing_ncloud", "4s", "ncloud/main")+job("billing_portone", "1s", "portone/shop"))
	start(t, prometheus, "--config.file="+promConfig, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"), "--web.listen-address="+promAddr)
	base := "http://" + promAddr

	// Wait until both jobs scraped, then let them run a fixed number of
	// their own intervals and count.
	poll(t, "both probe jobs to be scraped", 30*time.Second, func() (bool, string) {
		res, err := query(base, `up == 1`)
		return err == nil && len(res) == 2, fmt.Sprint(res, err)
	})
	ncloudBefore := d.NCloud.Calls(sandbox.DemoNCloudAccessKey, ncloudsim.ActionCreditHistory)
	portoneBefore := d.PortOne.Calls(portonesim.PathRangeSchedules)
	const window = 12 * time.Second
	time.Sleep(window) // measuring a rate over real time: the window is the point, not a wait for a condition
	ncloudCalls := d.NCloud.Calls(sandbox.DemoNCloudAccessKey, ncloudsim.ActionCreditHistory) - ncloudBefore
	portoneCalls := d.PortOne.Calls(portonesim.PathRangeSchedules) - portoneBefore
	t.Logf("in %s: ncloud/main (scraped every 4s) made %d getCreditHistoryList calls; portone/shop (scraped every 1s, min_refresh_interval %s) made %d schedule calls",
		window, ncloudCalls, minRefresh, portoneCalls)

	// ncloud: one refresh per 4s scrape (longer than min_refresh_interval).
	if ncloudCalls < 2 || ncloudCalls > 4 {
		t.Errorf("ncloud/main: %d calls in %s at a 4s interval, want 3 (2..4)", ncloudCalls, window)
	}
	// portone: scraped every second but refreshed at most every 2s; a
	// refresh happens at the first scrape after the 2s have passed, so the
	// period is 2s to 3s: 4 to 6 calls, 12 if the cache did not work.
	if portoneCalls < 3 || portoneCalls > 7 {
		t.Errorf("portone/shop: %d calls in %s at a 1s interval and 2s min_refresh_interval, want 4..6", portoneCalls, window)
	}

	for _, tc := range []struct{ expr, instance, job string }{
		{`billing_ncloud_credit_remaining`, "ncloud/main", "billing_ncloud"},
		{`billing_portone_schedules`, "portone/shop", "billing_portone"},
	} {
		res, err := query(base, tc.expr)
		if err != nil || len(res) == 0 {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		for _, s := range res {
			if s.Metric["instance"] != tc.instance || s.Metric["job"] != tc.job {
				t.Errorf("%s has instance %q job %q, want %q %q", tc.expr, s.Metric["instance"], s.Metric["job"], tc.instance, tc.job)
			}
		}
	}
	// Each target's series stay with its own job: no PortOne series under the NCP target.
	if res, _ := query(base, `{instance="ncloud/main", __name__=~"billing_portone_.*"}`); len(res) != 0 {
		t.Errorf("PortOne series under the ncloud/main target: %v", res)
	}
	if res, _ := query(base, `count by (instance) ({__name__=~"billing_.*"})`); len(res) != 2 || !strings.Contains(fmt.Sprint(res), "portone/shop") {
		t.Errorf("series by instance: %v", res)
	}
}
