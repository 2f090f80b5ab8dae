package chartcheck

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"sigs.k8s.io/yaml"
)

// The prometheus-operator CRDs have no Go types in this module, so the parts
// the chart renders are modelled here, field for field after
// monitoring.coreos.com/v1, and decoded strictly: a field the chart renders
// that is not modelled (a misspelling, most likely) fails the test.

type objectMeta struct {
	Name        string            `json:"name"`
	Namespace   string            `json:"namespace,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

type labelSelector struct {
	MatchLabels      map[string]string `json:"matchLabels,omitempty"`
	MatchExpressions []struct {
		Key      string   `json:"key"`
		Operator string   `json:"operator"`
		Values   []string `json:"values,omitempty"`
	} `json:"matchExpressions,omitempty"`
}

type relabelConfig struct {
	SourceLabels []string `json:"sourceLabels,omitempty"`
	Separator    *string  `json:"separator,omitempty"`
	TargetLabel  string   `json:"targetLabel,omitempty"`
	Regex        string   `json:"regex,omitempty"`
	Modulus      uint64   `json:"modulus,omitempty"`
	Replacement  *string  `json:"replacement,omitempty"`
	Action       string   `json:"action,omitempty"`
}

type secretKeySelector struct {
	Name     string `json:"name"`
	Key      string `json:"key"`
	Optional *bool  `json:"optional,omitempty"`
}

// secretOrConfigMap is prometheus-operator's SecretOrConfigMap.
type secretOrConfigMap struct {
	Secret    *secretKeySelector `json:"secret,omitempty"`
	ConfigMap *secretKeySelector `json:"configMap,omitempty"`
}

// safeTLSConfig is prometheus-operator's SafeTLSConfig.
type safeTLSConfig struct {
	CA                 *secretOrConfigMap `json:"ca,omitempty"`
	Cert               *secretOrConfigMap `json:"cert,omitempty"`
	KeySecret          *secretKeySelector `json:"keySecret,omitempty"`
	ServerName         string             `json:"serverName,omitempty"`
	InsecureSkipVerify bool               `json:"insecureSkipVerify,omitempty"`
	MinVersion         string             `json:"minVersion,omitempty"`
	MaxVersion         string             `json:"maxVersion,omitempty"`
}

type basicAuth struct {
	Username secretKeySelector `json:"username"`
	Password secretKeySelector `json:"password"`
}

type endpoint struct {
	Port              string              `json:"port,omitempty"`
	Path              string              `json:"path,omitempty"`
	Scheme            string              `json:"scheme,omitempty"`
	Params            map[string][]string `json:"params,omitempty"`
	Interval          string              `json:"interval,omitempty"`
	ScrapeTimeout     string              `json:"scrapeTimeout,omitempty"`
	HonorLabels       bool                `json:"honorLabels,omitempty"`
	HonorTimestamps   *bool               `json:"honorTimestamps,omitempty"`
	Relabelings       []relabelConfig     `json:"relabelings,omitempty"`
	MetricRelabelings []relabelConfig     `json:"metricRelabelings,omitempty"`
	TLSConfig         *safeTLSConfig      `json:"tlsConfig,omitempty"`
	BasicAuth         *basicAuth          `json:"basicAuth,omitempty"`
}

type serviceMonitor struct {
	APIVersion string     `json:"apiVersion"`
	Kind       string     `json:"kind"`
	Metadata   objectMeta `json:"metadata"`
	Spec       struct {
		JobLabel          string        `json:"jobLabel,omitempty"`
		TargetLabels      []string      `json:"targetLabels,omitempty"`
		Endpoints         []endpoint    `json:"endpoints"`
		Selector          labelSelector `json:"selector"`
		NamespaceSelector *struct {
			Any        bool     `json:"any,omitempty"`
			MatchNames []string `json:"matchNames,omitempty"`
		} `json:"namespaceSelector,omitempty"`
	} `json:"spec"`
}

type rule struct {
	Record        string            `json:"record,omitempty"`
	Alert         string            `json:"alert,omitempty"`
	Expr          string            `json:"expr"`
	For           string            `json:"for,omitempty"`
	KeepFiringFor string            `json:"keep_firing_for,omitempty"`
	Labels        map[string]string `json:"labels,omitempty"`
	Annotations   map[string]string `json:"annotations,omitempty"`
}

type ruleGroup struct {
	Name                    string            `json:"name"`
	Interval                string            `json:"interval,omitempty"`
	QueryOffset             string            `json:"query_offset,omitempty"`
	Limit                   *int              `json:"limit,omitempty"`
	PartialResponseStrategy string            `json:"partial_response_strategy,omitempty"`
	Labels                  map[string]string `json:"labels,omitempty"`
	Rules                   []rule            `json:"rules"`
}

type ruleFile struct {
	Groups []ruleGroup `json:"groups"`
}

type prometheusRule struct {
	APIVersion string     `json:"apiVersion"`
	Kind       string     `json:"kind"`
	Metadata   objectMeta `json:"metadata"`
	Spec       ruleFile   `json:"spec"`
}

// relabelActions are the actions prometheus-operator accepts (lower case).
var relabelActions = []string{"replace", "keep", "drop", "hashmod", "labelmap", "labeldrop", "labelkeep", "lowercase", "uppercase", "keepequal", "dropequal"}

// alertGroups returns the rule groups of alerts/*.yml, in file name order,
// which is the order the chart's PrometheusRule template reads them in.
func alertGroups(t *testing.T) []ruleGroup {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(root, "alerts", "*.yml"))
	if len(files) == 0 {
		t.Fatal("no rule files in alerts/")
	}
	var out []ruleGroup
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rf ruleFile
		if err := yaml.UnmarshalStrict(data, &rf); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, rf.Groups...)
	}
	return out
}

func ruleNames(groups []ruleGroup, alerts bool) []string {
	var out []string
	for _, g := range groups {
		for _, r := range g.Rules {
			if alerts && r.Alert != "" {
				out = append(out, r.Alert)
			}
			if !alerts && r.Record != "" {
				out = append(out, r.Record)
			}
		}
	}
	slices.Sort(out)
	return out
}

// serviceLabels returns the labels of the case's Service and its port names.
func serviceLabels(t *testing.T, c renderCase) (map[string]string, []string) {
	t.Helper()
	var svc struct {
		Metadata objectMeta `json:"metadata"`
		Spec     struct {
			Ports []struct {
				Name string `json:"name"`
			} `json:"ports"`
		} `json:"spec"`
	}
	m := c.ofKind("Service")
	if len(m) != 1 {
		t.Fatalf("%s: %d Services", c.name, len(m))
	}
	if err := yaml.Unmarshal(m[0].data, &svc); err != nil {
		t.Fatal(err)
	}
	var ports []string
	for _, p := range svc.Spec.Ports {
		ports = append(ports, p.Name)
	}
	return svc.Metadata.Labels, ports
}

func TestRenderedServiceMonitor(t *testing.T) {
	for _, c := range cases(t) {
		t.Run(c.name, func(t *testing.T) {
			docs := c.ofKind("ServiceMonitor")
			want := 0
			if enabled(c.values, "serviceMonitor.enabled") {
				want = 1
			}
			if len(docs) != want {
				t.Fatalf("%d ServiceMonitors, want %d", len(docs), want)
			}
			if want == 0 {
				return
			}
			var sm serviceMonitor
			if !strict(t, docs[0], &sm) {
				return
			}
			if sm.APIVersion != "monitoring.coreos.com/v1" {
				t.Errorf("apiVersion %q", sm.APIVersion)
			}
			ns := c.releaseNamespace(t)
			if wantNS := cmp.Or(str(c.values, "serviceMonitor.namespace"), ns); sm.Metadata.Namespace != wantNS {
				t.Errorf("namespace %q, want %q", sm.Metadata.Namespace, wantNS)
			}
			if bad := subset(strMap(c.values, "serviceMonitor.labels"), sm.Metadata.Labels); len(bad) > 0 {
				t.Errorf("labels %v lack %v", sm.Metadata.Labels, bad)
			}
			svcLabels, svcPorts := serviceLabels(t, c)
			if len(sm.Spec.Selector.MatchLabels) == 0 || len(subset(sm.Spec.Selector.MatchLabels, svcLabels)) > 0 {
				t.Errorf("selector %v does not select the Service (labels %v)", sm.Spec.Selector.MatchLabels, svcLabels)
			}
			if sm.Metadata.Namespace != ns {
				if sm.Spec.NamespaceSelector == nil || !slices.Contains(sm.Spec.NamespaceSelector.MatchNames, ns) {
					t.Errorf("ServiceMonitor in %s does not select the Service's namespace %s", sm.Metadata.Namespace, ns)
				}
			}
			// /metrics, then with perAccount one /probe endpoint per account.
			targets := accountTargets(c.values)
			perAccount := enabled(c.values, "serviceMonitor.perAccount.enabled")
			wantEndpoints := 1
			if perAccount {
				wantEndpoints += len(targets)
			}
			if len(sm.Spec.Endpoints) != wantEndpoints || (perAccount && len(targets) == 0) {
				t.Fatalf("%d endpoints, want %d (accounts %v)", len(sm.Spec.Endpoints), wantEndpoints, targets)
			}
			tls := value(c.values, "webConfig.config.tls_server_config") != nil
			auth := value(c.values, "webConfig.config.basic_auth_users") != nil
			for i, ep := range sm.Spec.Endpoints {
				path, interval, timeout := "/metrics", str(c.values, "serviceMonitor.interval"), str(c.values, "serviceMonitor.scrapeTimeout")
				if i > 0 {
					path = "/probe"
					interval = cmp.Or(str(c.values, "serviceMonitor.perAccount.interval"), interval)
					timeout = cmp.Or(str(c.values, "serviceMonitor.perAccount.scrapeTimeout"), timeout)
					if got := ep.Params["target"]; len(got) != 1 || got[0] != targets[i-1] || len(ep.Params) != 1 {
						t.Errorf("endpoint %d: params %v, want target=%s", i, ep.Params, targets[i-1])
					}
					if len(ep.Relabelings) == 0 || ep.Relabelings[0].TargetLabel != "target" || ep.Relabelings[0].Replacement == nil || *ep.Relabelings[0].Replacement != targets[i-1] {
						t.Errorf("endpoint %d: relabelings %+v do not set target=%s", i, ep.Relabelings, targets[i-1])
					}
				} else if len(ep.Params) != 0 {
					t.Errorf("/metrics endpoint has params %v", ep.Params)
				}
				checkEndpoint(t, c, ep, path, interval, timeout, svcPorts)
				if wantScheme := map[bool]string{true: "https"}[tls]; ep.Scheme != wantScheme {
					t.Errorf("endpoint %d: scheme %q, want %q (webConfig TLS %v)", i, ep.Scheme, wantScheme, tls)
				}
				if got, want := asJSON(t, ep.TLSConfig), asJSON(t, value(c.values, "serviceMonitor.tlsConfig")); tls && !reflect.DeepEqual(got, want) {
					t.Errorf("endpoint %d: tlsConfig %v, values say %v", i, got, want)
				}
				if auth && (ep.BasicAuth == nil || ep.BasicAuth.Username.Name == "" || ep.BasicAuth.Password.Key == "") {
					t.Errorf("endpoint %d: the exporter asks for basic auth, the endpoint sends none", i)
				}
			}
		})
	}
}

// checkEndpoint checks what every endpoint of the ServiceMonitor shares.
func checkEndpoint(t *testing.T, c renderCase, ep endpoint, path, interval, timeout string, svcPorts []string) {
	t.Helper()
	if ep.Port != portName || !slices.Contains(svcPorts, portName) || ep.Path != path {
		t.Errorf("endpoint port %q path %q, want %s; Service ports %v", ep.Port, ep.Path, path, svcPorts)
	}
	if ep.Interval != interval || ep.ScrapeTimeout != timeout {
		t.Errorf("%s: interval %q, scrapeTimeout %q; values say %v, %v", path, ep.Interval, ep.ScrapeTimeout, interval, timeout)
	}
	iv, err1 := model.ParseDuration(ep.Interval)
	to, err2 := model.ParseDuration(ep.ScrapeTimeout)
	if err1 != nil || err2 != nil || to > iv || to == 0 {
		t.Errorf("interval %q and scrapeTimeout %q: want durations, timeout <= interval (%v, %v)", ep.Interval, ep.ScrapeTimeout, err1, err2)
	}
	if ep.HonorLabels != enabled(c.values, "serviceMonitor.honorLabels") {
		t.Errorf("honorLabels %v", ep.HonorLabels)
	}
	for _, r := range slices.Concat(ep.Relabelings, ep.MetricRelabelings) {
		if r.Action != "" && !slices.Contains(relabelActions, strings.ToLower(r.Action)) {
			t.Errorf("relabeling action %q", r.Action)
		}
	}
}

// accountTargets lists provider/account of every account in the values'
// config, in the order the chart renders them.
func accountTargets(values map[string]any) []string {
	var out []string
	for _, p := range []string{"ncloud", "vgp", "portone"} {
		list, _ := value(values, "config."+p).([]any)
		for _, a := range list {
			if m, ok := a.(map[string]any); ok {
				out = append(out, fmt.Sprintf("%s/%v", p, m["name"]))
			}
		}
	}
	return out
}

// The PrometheusRule holds exactly the rule groups of alerts/, and promtool
// accepts them.
func TestRenderedPrometheusRule(t *testing.T) {
	for _, c := range cases(t) {
		t.Run(c.name, func(t *testing.T) {
			want := alertGroups(t)
			// The meta-monitoring rules select the release's own job: the
			// Service's name, which prometheus-operator sets as job.
			job := fmt.Sprintf("job=%q", serviceName(t, c))
			replaced := 0
			for _, g := range want {
				for i, r := range g.Rules {
					replaced += strings.Count(r.Expr, metaJobSelector)
					g.Rules[i].Expr = strings.ReplaceAll(r.Expr, metaJobSelector, job)
				}
			}
			if replaced == 0 {
				t.Fatalf("no rule in alerts/ selects %s", metaJobSelector)
			}
			docs := c.ofKind("PrometheusRule")
			n := 0
			if enabled(c.values, "prometheusRule.enabled") {
				n = 1
			}
			if len(docs) != n {
				t.Fatalf("%d PrometheusRules, want %d", len(docs), n)
			}
			if n == 0 {
				return
			}
			var pr prometheusRule
			if !strict(t, docs[0], &pr) {
				return
			}
			if pr.APIVersion != "monitoring.coreos.com/v1" {
				t.Errorf("apiVersion %q", pr.APIVersion)
			}
			if wantNS := cmp.Or(str(c.values, "prometheusRule.namespace"), c.releaseNamespace(t)); pr.Metadata.Namespace != wantNS {
				t.Errorf("namespace %q, want %q", pr.Metadata.Namespace, wantNS)
			}
			if bad := subset(strMap(c.values, "prometheusRule.labels"), pr.Metadata.Labels); len(bad) > 0 {
				t.Errorf("labels %v lack %v", pr.Metadata.Labels, bad)
			}
			for _, alerts := range []bool{true, false} {
				got, exp := ruleNames(pr.Spec.Groups, alerts), ruleNames(want, alerts)
				if len(exp) == 0 || !slices.Equal(got, exp) {
					t.Errorf("PrometheusRule names %v, alerts/ has %v", got, exp)
				}
			}
			if !reflect.DeepEqual(pr.Spec.Groups, want) {
				for i := range max(len(want), len(pr.Spec.Groups)) {
					if i >= len(want) || i >= len(pr.Spec.Groups) || !reflect.DeepEqual(pr.Spec.Groups[i], want[i]) {
						t.Errorf("rule group %d differs from alerts/", i)
					}
				}
			}
			rules, err := yaml.Marshal(pr.Spec)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "rules.yml")
			if err := os.WriteFile(path, rules, 0o600); err != nil {
				t.Fatal(err)
			}
			total := len(ruleNames(want, true)) + len(ruleNames(want, false))
			if out := promtool(t, "check", "rules", path); !strings.Contains(out, fmt.Sprintf("SUCCESS: %d rules found", total)) {
				t.Errorf("promtool check rules: %s", out)
			}
		})
	}
}

// metaJobSelector is the job selector of alerts/billing.meta.yml.
const metaJobSelector = `job=~"billing.*"`

// serviceName is the name of the case's Service.
func serviceName(t *testing.T, c renderCase) string {
	t.Helper()
	m := c.ofKind("Service")
	if len(m) != 1 {
		t.Fatalf("%s: %d Services", c.name, len(m))
	}
	var svc struct {
		Metadata objectMeta `json:"metadata"`
	}
	if err := yaml.Unmarshal(m[0].data, &svc); err != nil {
		t.Fatal(err)
	}
	return svc.Metadata.Name
}
