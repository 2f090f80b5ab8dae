package rulescheck

import (
	"fmt"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/prometheus/common/model"
)

// lookback is Prometheus' default query lookback: a series not scraped for
// this long is absent from every rule evaluation.
const lookback = 5 * time.Minute

// metaJobRE is the job selector of alerts/billing.meta.yml, anchored as
// Prometheus anchors regex matchers.
var metaJobRE = regexp.MustCompile(`^(?:billing.*)$`)

type scrapeConfigs struct {
	Global struct {
		ScrapeInterval string `yaml:"scrape_interval"`
	} `yaml:"global"`
	ScrapeConfigs []struct {
		JobName        string `yaml:"job_name"`
		ScrapeInterval string `yaml:"scrape_interval"`
	} `yaml:"scrape_configs"`
}

// checkInterval fails unless every scrape of a billing series is well
// inside the lookback; a 15m interval made every NCP series absent 10
// minutes out of 15, so that no alert with a `for` could fire.
func checkInterval(t *testing.T, where, raw string) {
	t.Helper()
	if err := intervalProblem(raw); err != nil {
		t.Errorf("%s: %v", where, err)
	}
}

func intervalProblem(raw string) error {
	if raw == "" {
		raw = "1m" // Prometheus' default
	}
	d, err := model.ParseDuration(raw)
	if err != nil {
		return fmt.Errorf("scrape interval %q: %w", raw, err)
	}
	if time.Duration(d) >= lookback {
		return fmt.Errorf("scrapes every %s: series go stale after %s without a scrape, so alerts cannot fire; scrape at least every minute", raw, lookback)
	}
	return nil
}

func TestExamplesScrapeOftenAndMatchTheMetaJobSelector(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(root, "examples", "prometheus*.yml"))
	if len(files) < 4 {
		t.Fatalf("%d Prometheus examples", len(files))
	}
	for _, f := range files {
		var c scrapeConfigs
		readYAML(t, f, &c)
		if len(c.ScrapeConfigs) == 0 {
			t.Errorf("%s: no scrape configs", f)
		}
		for _, sc := range c.ScrapeConfigs {
			where := filepath.Base(f) + " job " + sc.JobName
			checkInterval(t, where, cmpOr(sc.ScrapeInterval, c.Global.ScrapeInterval))
			if !metaJobRE.MatchString(sc.JobName) {
				t.Errorf("%s: job name does not match the meta-monitoring selector job=~\"billing.*\"", where)
			}
		}
	}

	var sm struct {
		Metadata struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
		Spec struct {
			Endpoints []struct {
				Interval string `yaml:"interval"`
			} `yaml:"endpoints"`
		} `yaml:"spec"`
	}
	readYAML(t, filepath.Join(root, "examples", "kubernetes", "servicemonitor.yaml"), &sm)
	for _, ep := range sm.Spec.Endpoints {
		checkInterval(t, "examples/kubernetes/servicemonitor.yaml", ep.Interval)
	}
	// prometheus-operator names the job after the Service.
	var svc struct {
		Metadata struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
	}
	readYAML(t, filepath.Join(root, "examples", "kubernetes", "service.yaml"), &svc)
	if !metaJobRE.MatchString(svc.Metadata.Name) {
		t.Errorf("Service %q (the job of the ServiceMonitor) does not match job=~\"billing.*\"", svc.Metadata.Name)
	}

	var values struct {
		ServiceMonitor struct {
			Interval string `yaml:"interval"`
		} `yaml:"serviceMonitor"`
	}
	readYAML(t, filepath.Join(root, "charts", "billing-exporter", "values.yaml"), &values)
	if values.ServiceMonitor.Interval == "" {
		t.Error("chart values have no serviceMonitor.interval")
	}
	checkInterval(t, "the Helm chart's serviceMonitor.interval", values.ServiceMonitor.Interval)
}

// The check itself fails on a sparse interval.
func TestCheckIntervalRefusesSparseScrapes(t *testing.T) {
	for raw, ok := range map[string]bool{"": true, "30s": true, "1m": true, "4m": true, "5m": false, "15m": false, "1h": false} {
		if err := intervalProblem(raw); (err == nil) != ok {
			t.Errorf("interval %q: %v", raw, err)
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// The examples that load rules load every rule file of alerts/, so that the
// meta-monitoring rules are never left out.
func TestExamplesLoadEveryRuleFile(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(root, "alerts", "*.yml"))
	for _, ex := range []string{"prometheus.yml", "prometheus-probe.yml"} {
		var c struct {
			RuleFiles []string `yaml:"rule_files"`
		}
		readYAML(t, filepath.Join(root, "examples", ex), &c)
		loaded := map[string]bool{}
		for _, r := range c.RuleFiles {
			loaded[filepath.Base(r)] = true
		}
		for _, f := range files {
			if !loaded[filepath.Base(f)] {
				t.Errorf("examples/%s does not load alerts/%s", ex, filepath.Base(f))
			}
		}
	}
}
