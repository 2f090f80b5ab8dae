package rulescheck

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/billingexporter/billing_exporter/internal/testenv"

	"go.yaml.in/yaml/v3"
)

// promtool runs promtool with args (see testenv for when it is missing).
func promtool(t *testing.T, args ...string) string {
	t.Helper()
	return testenv.Run(t, "promtool", args...)
}

// The PrometheusRule's groups are valid rules for promtool too.
func TestPrometheusRuleSpecChecks(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, prometheusRulePath))
	if err != nil {
		t.Fatal(err)
	}
	var pr struct {
		Spec yaml.Node `yaml:"spec"`
	}
	if err := yaml.Unmarshal(data, &pr); err != nil {
		t.Fatal(err)
	}
	out, err := yaml.Marshal(&pr.Spec)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rules.yml")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("SUCCESS: %d rules found", ruleCount(t))
	if got := promtool(t, "check", "rules", path); !strings.Contains(got, want) {
		t.Errorf("promtool: %s", got)
	}
}

// The Kubernetes examples parse, and the Deployment runs unprivileged with
// a read-only root filesystem and the credentials mounted as files.
func TestKubernetesExamples(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(root, "examples", "kubernetes", "*.yaml"))
	kinds := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var obj map[string]any
		if err := yaml.Unmarshal(data, &obj); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		kind, _ := obj["kind"].(string)
		kinds[kind] = true
		if kind != "Deployment" {
			continue
		}
		var d struct {
			Spec struct {
				Template struct {
					Spec struct {
						SecurityContext struct {
							RunAsNonRoot bool `yaml:"runAsNonRoot"`
							RunAsUser    int  `yaml:"runAsUser"`
						} `yaml:"securityContext"`
						Containers []struct {
							Env             []any `yaml:"env"`
							SecurityContext struct {
								ReadOnlyRootFilesystem   bool `yaml:"readOnlyRootFilesystem"`
								AllowPrivilegeEscalation bool `yaml:"allowPrivilegeEscalation"`
							} `yaml:"securityContext"`
							VolumeMounts []struct {
								MountPath string `yaml:"mountPath"`
								ReadOnly  bool   `yaml:"readOnly"`
							} `yaml:"volumeMounts"`
						} `yaml:"containers"`
					} `yaml:"spec"`
				} `yaml:"template"`
			} `yaml:"spec"`
		}
		if err := yaml.Unmarshal(data, &d); err != nil {
			t.Fatal(err)
		}
		ps := d.Spec.Template.Spec
		if !ps.SecurityContext.RunAsNonRoot || ps.SecurityContext.RunAsUser == 0 || len(ps.Containers) != 1 {
			t.Errorf("pod security context: %+v", ps.SecurityContext)
		}
		c := ps.Containers[0]
		if !c.SecurityContext.ReadOnlyRootFilesystem || c.SecurityContext.AllowPrivilegeEscalation || len(c.Env) != 0 {
			t.Errorf("container: %+v", c)
		}
		for _, m := range c.VolumeMounts {
			if !m.ReadOnly {
				t.Errorf("mount %s is writable", m.MountPath)
			}
		}
	}
	for _, k := range []string{"Deployment", "Service", "Secret", "ServiceMonitor", "PrometheusRule"} {
		if !kinds[k] {
			t.Errorf("no %s in examples/kubernetes", k)
		}
	}
}

func TestPrometheusAndAlertmanagerExamples(t *testing.T) {
	configs, _ := filepath.Glob(filepath.Join(root, "examples", "prometheus*.yml"))
	if len(configs) < 4 {
		t.Fatalf("%d Prometheus examples, want the plain, probe and two sharded ones", len(configs))
	}
	for _, c := range configs {
		if got := promtool(t, "check", "config", c); !strings.Contains(got, "is valid prometheus config file syntax") {
			t.Errorf("promtool check config %s: %s", c, got)
		}
	}
	// The example uses msteamsv2_configs and webhook payloads: amtool 0.35.
	amtool := testenv.AMTool(t)
	out, err := exec.Command(amtool, "check-config", filepath.Join(root, "examples", "alertmanager.yml")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "1 templates") || !strings.Contains(string(out), "SUCCESS") {
		t.Errorf("amtool check-config examples/alertmanager.yml: %v\n%s", err, out)
	}
}

// ruleCount is the number of rules (recording and alerting) in alerts/.
func ruleCount(t *testing.T) int {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(root, "alerts", "*.yml"))
	n := 0
	for _, f := range files {
		var rf ruleFile
		readYAML(t, f, &rf)
		for _, g := range rf.Groups {
			n += len(g.Rules)
		}
	}
	return n
}
