// Package chartcheck tests the Helm chart in charts/billing-exporter.
//
// The sync tests always run: the chart's files/alerts and files/dashboards
// must be byte-identical copies of alerts/ and dashboards/ (Helm cannot read
// files outside the chart). The other tests check manifests rendered by
// `helm template` (scripts/check-chart.sh renders one <case>.yaml per values
// file into a directory and passes it with -rendered or
// BILLING_CHART_RENDERED); without that directory they skip.
package chartcheck

import (
	"flag"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/billingexporter/billing_exporter/internal/testenv"

	"sigs.k8s.io/yaml"
)

const (
	root     = "../.."
	chartDir = root + "/charts/billing-exporter"

	configPath     = "/etc/billing_exporter/billing_exporter.yml"
	credentialsDir = "/run/secrets/billing"
	portName       = "http-metrics"
	port           = 9977
)

var (
	update       = flag.Bool("update", false, "copy alerts/*.yml and dashboards/*.json into the chart's files/ instead of comparing")
	renderedFlag = flag.String("rendered", "", "directory of `helm template` output, one <case>.yaml per values file (default $BILLING_CHART_RENDERED)")
)

// A renderCase is the chart rendered with one values file: default (the
// chart's values.yaml alone) or ci/<name>.yaml over it.
type renderCase struct {
	name   string
	values map[string]any // values.yaml merged with the case's file, as Helm does
	docs   []manifest
}

// A manifest is one document of helm template's output.
type manifest struct {
	source     string // the template it came from
	apiVersion string
	kind       string
	name       string
	namespace  string
	data       []byte
}

func (m manifest) String() string {
	return m.kind + " " + m.name + " (" + m.source + ")"
}

var (
	docSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)
	sourceLine   = regexp.MustCompile(`(?m)^# Source: (\S+)`)
)

// renderedDir is the directory of rendered manifests; tests that need it
// skip without it.
func renderedDir(t *testing.T) string {
	t.Helper()
	dir := *renderedFlag
	if dir == "" {
		dir = os.Getenv("BILLING_CHART_RENDERED")
	}
	if dir == "" {
		t.Skip("no rendered chart: run scripts/check-chart.sh (or pass -rendered DIR)")
	}
	return dir
}

// cases reads every rendered case of the directory given with -rendered.
func cases(t *testing.T) []renderCase {
	t.Helper()
	dir := renderedDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no rendered *.yaml in %s", dir)
	}
	defaults := readValues(t, filepath.Join(chartDir, "values.yaml"))
	var out []renderCase
	names := map[string]bool{}
	for _, f := range files {
		c := renderCase{name: strings.TrimSuffix(filepath.Base(f), ".yaml"), values: defaults}
		names[c.name] = true
		if c.name != "default" {
			vf := filepath.Join(chartDir, "ci", c.name+".yaml")
			c.values = mergeValues(defaults, readValues(t, vf))
		}
		c.docs = splitManifests(t, f)
		out = append(out, c)
	}
	// Every values file of the chart must have been rendered.
	ci, _ := filepath.Glob(filepath.Join(chartDir, "ci", "*.yaml"))
	for _, f := range append(ci, "default.yaml") {
		if n := strings.TrimSuffix(filepath.Base(f), ".yaml"); !names[n] {
			t.Errorf("%s has no rendering in %s", f, dir)
		}
	}
	return out
}

// splitManifests splits helm template's output into its documents.
func splitManifests(t *testing.T, path string) []manifest {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []manifest
	for _, doc := range docSeparator.Split(string(data), -1) {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		m := manifest{data: []byte(doc)}
		if s := sourceLine.FindStringSubmatch(doc); s != nil {
			m.source = s[1]
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(m.data, &head); err != nil {
			t.Fatalf("%s: document from %s: %v", path, m.source, err)
		}
		if head.Kind == "" {
			// Comments only: a template that rendered nothing.
			continue
		}
		m.apiVersion, m.kind = head.APIVersion, head.Kind
		m.name, m.namespace = head.Metadata.Name, head.Metadata.Namespace
		out = append(out, m)
	}
	if len(out) == 0 {
		t.Fatalf("%s holds no manifests", path)
	}
	return out
}

// strict decodes a manifest into v, refusing unknown and duplicate fields.
func strict(t *testing.T, m manifest, v any) bool {
	t.Helper()
	if err := yaml.UnmarshalStrict(m.data, v); err != nil {
		t.Errorf("%s: %v", m, err)
		return false
	}
	return true
}

// ofKind returns the case's manifests of one kind.
func (c renderCase) ofKind(kind string) []manifest {
	var out []manifest
	for _, m := range c.docs {
		if m.kind == kind {
			out = append(out, m)
		}
	}
	return out
}

func readValues(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v := map[string]any{}
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

// mergeValues merges over into base as Helm does: maps deeply, anything
// else (lists included) replaced.
func mergeValues(base, over map[string]any) map[string]any {
	out := maps.Clone(base)
	for k, v := range over {
		bm, ok1 := out[k].(map[string]any)
		om, ok2 := v.(map[string]any)
		if ok1 && ok2 {
			out[k] = mergeValues(bm, om)
		} else {
			out[k] = v
		}
	}
	return out
}

// value looks up a dotted path in values.
func value(values map[string]any, path string) any {
	var cur any = values
	for k := range strings.SplitSeq(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

func str(values map[string]any, path string) string {
	s, _ := value(values, path).(string)
	return s
}

func enabled(values map[string]any, path string) bool {
	b, _ := value(values, path).(bool)
	return b
}

func strMap(values map[string]any, path string) map[string]string {
	out := map[string]string{}
	m, _ := value(values, path).(map[string]any)
	for k, v := range m {
		s, _ := v.(string)
		out[k] = s
	}
	return out
}

// subset reports the entries of want missing or different in got.
func subset(want, got map[string]string) []string {
	var bad []string
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if got[k] != want[k] {
			bad = append(bad, k+"="+want[k])
		}
	}
	return bad
}

// releaseNamespace is the namespace the case was rendered for: the Service's.
func (c renderCase) releaseNamespace(t *testing.T) string {
	t.Helper()
	svc := c.ofKind("Service")
	if len(svc) != 1 || svc[0].namespace == "" {
		t.Fatalf("%s: want one Service with a namespace, got %d", c.name, len(svc))
	}
	return svc[0].namespace
}

// Which values the rendered cases exercise: the ci files must turn on
// every optional part, so that each one is rendered and checked.
func TestRenderedCasesCoverTheChart(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range cases(t) {
		for _, k := range []string{"serviceMonitor.enabled", "prometheusRule.enabled", "dashboards.enabled", "serviceAccount.create"} {
			if enabled(c.values, k) {
				seen[k] = true
			} else {
				seen["!"+k] = true
			}
		}
		if enabled(c.values, "serviceMonitor.perAccount.enabled") {
			seen["serviceMonitor.perAccount.enabled"] = true
		}
		if str(c.values, "existingSecret") != "" {
			seen["existingSecret"] = true
		}
		if m, _ := value(c.values, "secrets").(map[string]any); len(m) > 0 {
			seen["secrets"] = true
		}
		for _, k := range []string{"nodeSelector", "tolerations", "affinity", "podAnnotations", "extraArgs",
			"extraEnv", "extraVolumes", "extraVolumeMounts", "webConfig.config.tls_server_config", "webConfig.config.basic_auth_users", "webConfig.tlsSecret"} {
			if v := value(c.values, k); v != nil && !isEmpty(v) {
				seen[k] = true
			}
		}
	}
	for _, k := range []string{
		"serviceMonitor.enabled", "prometheusRule.enabled", "dashboards.enabled",
		"!serviceMonitor.enabled", "serviceAccount.create", "!serviceAccount.create",
		"existingSecret", "secrets", "nodeSelector", "tolerations", "affinity", "podAnnotations", "extraArgs",
		"extraEnv", "extraVolumes", "extraVolumeMounts", "webConfig.config.tls_server_config", "webConfig.config.basic_auth_users",
		"webConfig.tlsSecret", "serviceMonitor.perAccount.enabled",
	} {
		if !seen[k] {
			t.Errorf("no rendered values file covers %s", k)
		}
	}
}

func isEmpty(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	case string:
		return v == ""
	}
	return v == nil
}

// promtool runs promtool with args (see testenv for when it is missing).
func promtool(t *testing.T, args ...string) string {
	t.Helper()
	return testenv.Run(t, "promtool", args...)
}
