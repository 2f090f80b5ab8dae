package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// When the exporter process dies, every billing series goes stale and the
// firing billing alerts resolve; the meta-monitoring alert must page
// instead, through Alertmanager.
func TestExporterKilledPages(t *testing.T) {
	for _, v := range prometheusVersions {
		t.Run(v.name, func(t *testing.T) {
			s := startStack(t, v.find(t))
			failed := map[string]string{"alertname": "BillingPortOnePaymentFailed", "customer_uid": "cust_payment_failed"}
			poll(t, "the failed-payment alert at the webhook", 60*time.Second, func() (bool, string) {
				a, seen := s.hook.find(failed)
				return a != nil, fmt.Sprint(seen)
			})
			if a, _ := s.hook.find(map[string]string{"alertname": "BillingExporterDown"}); a != nil {
				t.Fatalf("BillingExporterDown while the exporter runs: %v", a)
			}

			s.killExporter()
			down := map[string]string{"alertname": "BillingExporterDown", "severity": "critical", "job": "billing", "instance": s.exporterAddr}
			var got map[string]string
			poll(t, "BillingExporterDown at the webhook", 60*time.Second, func() (bool, string) {
				a, seen := s.hook.find(down)
				got = a
				return a != nil, fmt.Sprint(seen)
			})
			if !strings.Contains(got["annotation:description"], s.exporterAddr) || !strings.HasSuffix(got["annotation:runbook_url"], "#runbook-billingexporterdown") {
				t.Errorf("BillingExporterDown annotations: %v", got)
			}
			// Without the meta alert this would be silence: the critical
			// billing alert is gone from Prometheus.
			poll(t, "the failed-payment alert to resolve in Prometheus", 30*time.Second, func() (bool, string) {
				res, err := query(s.prometheus, `ALERTS{alertname="BillingPortOnePaymentFailed"}`)
				return err == nil && len(res) == 0, fmt.Sprint(len(res), err)
			})
		})
	}
}

// exampleIntervals returns the scrape interval of every job of examples/,
// the Kubernetes ServiceMonitor and the Helm chart's default, each with
// where it comes from.
func exampleIntervals(t *testing.T) map[time.Duration][]string {
	t.Helper()
	out := map[time.Duration][]string{}
	add := func(raw, where string) {
		if raw == "" {
			raw = "1m" // Prometheus' default
		}
		d, err := model.ParseDuration(raw)
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		out[time.Duration(d)] = append(out[time.Duration(d)], where)
	}
	read := func(path string, v any) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(data, v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	files, _ := filepath.Glob("../examples/prometheus*.yml")
	if len(files) < 4 {
		t.Fatalf("%d Prometheus examples", len(files))
	}
	for _, f := range files {
		var c struct {
			Global struct {
				ScrapeInterval string `yaml:"scrape_interval"`
			} `yaml:"global"`
			ScrapeConfigs []struct {
				JobName        string `yaml:"job_name"`
				ScrapeInterval string `yaml:"scrape_interval"`
			} `yaml:"scrape_configs"`
		}
		read(f, &c)
		for _, sc := range c.ScrapeConfigs {
			raw := sc.ScrapeInterval
			if raw == "" {
				raw = c.Global.ScrapeInterval
			}
			add(raw, filepath.Base(f)+" job "+sc.JobName)
		}
	}
	var sm struct {
		Spec struct {
			Endpoints []struct {
				Interval string `yaml:"interval"`
			} `yaml:"endpoints"`
		} `yaml:"spec"`
	}
	read("../examples/kubernetes/servicemonitor.yaml", &sm)
	for _, ep := range sm.Spec.Endpoints {
		add(ep.Interval, "kubernetes/servicemonitor.yaml")
	}
	var values struct {
		ServiceMonitor struct {
			Interval string `yaml:"interval"`
		} `yaml:"serviceMonitor"`
	}
	read("../charts/billing-exporter/values.yaml", &values)
	add(values.ServiceMonitor.Interval, "Helm chart serviceMonitor.interval")
	return out
}

// timeScale compresses production time for the interval test: a minute
// becomes a second. Scrape intervals, the 5m lookback and `for` all shrink
// by the same factor, so whether a series stays visible between scrapes
// (and an alert can stay pending long enough to fire) is unchanged.
const timeScale = 60

// Every example's scrape interval keeps the NCP series visible between
// scrapes, so NCP alerts with a `for` fire; a 15m interval, as an earlier
// example had, never lets them fire. One Prometheus scrapes the demo with
// one job per distinct interval of examples/ and the chart, plus the 15m
// control, all at 1/60 of production time.
func TestEveryExampleIntervalKeepsNCPAlertsFiring(t *testing.T) {
	intervals := exampleIntervals(t)
	for _, v := range prometheusVersions {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel() // mostly waiting for scaled minutes to pass
			prometheus := v.find(t)
			dir := t.TempDir()
			bin := buildExporter(t, dir)
			exporterAddr, promAddr := freeAddr(t), freeAddr(t)
			start(t, bin, "--demo", "--web.listen-address="+exporterAddr, "--log.level=warn")

			scaled := func(d time.Duration) string { return model.Duration(d / timeScale).String() }
			jobs := map[string]time.Duration{"control_15m": 15 * time.Minute}
			var names []string
			for d, where := range intervals {
				name := "example_" + model.Duration(d).String()
				jobs[name] = d
				names = append(names, name)
				t.Logf("%s scrapes every %s (every %s here): %s", name, model.Duration(d), scaled(d), strings.Join(where, ", "))
			}
			sort.Strings(names)
			var cfg strings.Builder
			fmt.Fprintf(&cfg, "global:\n  evaluation_interval: 1s\nrule_files: ['%s']\nscrape_configs:\n",
				strings.Join(rulesWithFor(t, dir, scaled(20*time.Minute)), "', '"))
			for name, d := range jobs {
				fmt.Fprintf(&cfg, "  - job_name: %s\n    scrape_interval: %s\n    scrape_timeout: %s\n    static_configs:\n      - targets: ['%s']\n",
					name, scaled(d), scaled(min(d, time.Minute)), exporterAddr)
			}
			promConfig := filepath.Join(dir, "prometheus.yml")
			writeFile(t, promConfig, cfg.String())
			start(t, prometheus, "--config.file="+promConfig, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
				"--web.listen-address="+promAddr, "--query.lookback-delta="+scaled(5*time.Minute))
			base := "http://" + promAddr

			const alert = `ALERTS{alertname="BillingNCloudCreditExpiringUnused",account="main",discount_no="90001",alertstate="firing"}`
			for _, name := range names {
				poll(t, "the NCP alert to fire for job "+name, 90*time.Second, func() (bool, string) {
					res, err := query(base, strings.Replace(alert, "}", `,job="`+name+`"}`, 1))
					return err == nil && len(res) == 1, fmt.Sprint(len(res), err)
				})
			}
			// The control was scraped three times (30 scaled minutes, longer
			// than the 20 of `for`) and its alert went pending, but with the
			// series absent 10 of every 15 (scaled) minutes it never fired.
			poll(t, "three scrapes of the control job", 90*time.Second, func() (bool, string) {
				res, err := query(base, `count_over_time(up{job="control_15m"}[10m]) >= 3`)
				return err == nil && len(res) == 1, fmt.Sprint(len(res), err)
			})
			for expr, want := range map[string]bool{
				`count_over_time(ALERTS{alertname="BillingNCloudCreditExpiringUnused",job="control_15m",alertstate="pending"}[10m])`: true,
				`count_over_time(ALERTS{alertname="BillingNCloudCreditExpiringUnused",job="control_15m",alertstate="firing"}[10m])`:  false,
			} {
				res, err := query(base, expr)
				if err != nil || (len(res) > 0) != want {
					t.Errorf("%s: %d series (%v), want any: %v", expr, len(res), err, want)
				}
			}
		})
	}
}
