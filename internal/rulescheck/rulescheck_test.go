// Package rulescheck holds tests that keep alerts/ honest: every alert has
// the labels and annotations Alertmanager routes and people read, a runbook
// section in the README, and a promtool test where it fires and one where it
// must not. promtool itself checks syntax and behaviour (scripts/test-all.sh).
package rulescheck

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const root = "../.."

// watchdog always fires (for a dead man's switch): it has no silent test
// and severity none.
const watchdog = "BillingWatchdog"

type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Record      string            `yaml:"record"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

type testFile struct {
	Tests []struct {
		AlertRuleTest []struct {
			Alertname string `yaml:"alertname"`
			ExpAlerts []struct {
				ExpLabels map[string]string `yaml:"exp_labels"`
			} `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
	} `yaml:"tests"`
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(false)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// Alerts returns every alert defined in alerts/*.yml by name.
func alerts(t *testing.T) map[string]map[string]string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(root, "alerts", "*.yml"))
	if len(files) == 0 {
		t.Fatal("no rule files in alerts/")
	}
	out := map[string]map[string]string{}
	for _, f := range files {
		var rf ruleFile
		readYAML(t, f, &rf)
		for _, g := range rf.Groups {
			for _, r := range g.Rules {
				if r.Alert == "" {
					continue
				}
				if !strings.HasPrefix(r.Alert, "Billing") {
					t.Errorf("%s: alert %s does not start with Billing", f, r.Alert)
				}
				sev := r.Labels["severity"]
				switch {
				case r.Alert == watchdog:
					if sev != "none" {
						t.Errorf("%s: severity %q, want none (it must never page)", r.Alert, sev)
					}
				case sev != "warning" && sev != "critical":
					t.Errorf("%s: severity %q", r.Alert, sev)
				}
				for _, k := range []string{"summary", "description", "runbook_url"} {
					if r.Annotations[k] == "" {
						t.Errorf("%s: no %s annotation", r.Alert, k)
					}
				}
				out[r.Alert] = r.Annotations
			}
		}
	}
	return out
}

func TestEveryAlertHasRunbookAndTests(t *testing.T) {
	all := alerts(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^#+ (.+)$`).FindAllStringSubmatch(string(readme), -1) {
		anchors[githubAnchor(m[1])] = true
	}

	fires, silent := map[string]bool{}, map[string]bool{}
	tests, _ := filepath.Glob(filepath.Join(root, "alerts", "tests", "*.yml"))
	for _, f := range tests {
		var tf testFile
		readYAML(t, f, &tf)
		for _, tc := range tf.Tests {
			for _, a := range tc.AlertRuleTest {
				if len(a.ExpAlerts) == 0 {
					silent[a.Alertname] = true
				} else {
					fires[a.Alertname] = true
				}
			}
		}
	}
	for name, ann := range all {
		url := ann["runbook_url"]
		_, anchor, ok := strings.Cut(url, "#")
		if !ok || !anchors[anchor] {
			t.Errorf("%s: runbook_url %s points at no README section", name, url)
		}
		if !fires[name] {
			t.Errorf("%s: no promtool test where it fires", name)
		}
		if !silent[name] && name != watchdog {
			t.Errorf("%s: no promtool test where it must not fire", name)
		}
	}
	for name := range fires {
		if all[name] == nil {
			t.Errorf("tests name alert %s, which alerts/ does not define", name)
		}
	}
}

// githubAnchor is how GitHub turns a heading into a fragment.
func githubAnchor(heading string) string {
	s := strings.ToLower(strings.TrimSpace(heading))
	s = regexp.MustCompile(`[^\p{L}\p{N} _-]`).ReplaceAllString(s, "")
	return strings.ReplaceAll(s, " ", "-")
}
