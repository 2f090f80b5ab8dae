package rulescheck

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"
)

var update = flag.Bool("update", false, "rewrite generated files instead of comparing")

const prometheusRulePath = "examples/kubernetes/prometheusrule.yaml"

// prometheusRule renders alerts/*.yml as a prometheus-operator
// PrometheusRule: the rule groups are copied node by node, so expressions
// keep their layout and alerts/ stays the one source of truth.
func prometheusRule(t *testing.T) []byte {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(root, "alerts", "*.yml"))
	groups := &yaml.Node{Kind: yaml.SequenceNode}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		top := doc.Content[0]
		for i := 0; i+1 < len(top.Content); i += 2 {
			if top.Content[i].Value == "groups" {
				groups.Content = append(groups.Content, top.Content[i+1].Content...)
			}
		}
	}
	scalar := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: v} }
	mapping := func(kv ...*yaml.Node) *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Content: kv} }
	doc := mapping(
		scalar("apiVersion"), scalar("monitoring.coreos.com/v1"),
		scalar("kind"), scalar("PrometheusRule"),
		scalar("metadata"), mapping(
			scalar("name"), scalar("billing-exporter"),
			scalar("namespace"), scalar("monitoring"),
			scalar("labels"), mapping(
				scalar("app.kubernetes.io/name"), scalar("billing-exporter"),
				scalar("release"), scalar("prometheus"),
			),
		),
		scalar("spec"), mapping(scalar("groups"), groups),
	)
	var buf bytes.Buffer
	buf.WriteString("# Generated from alerts/ by `go test ./internal/rulescheck -update`. Do not edit.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestPrometheusRuleInSync(t *testing.T) {
	want := prometheusRule(t)
	path := filepath.Join(root, prometheusRulePath)
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date with alerts/; run go test ./internal/rulescheck -update", prometheusRulePath)
	}
	// The spec must hold every alert of alerts/.
	var pr struct {
		Spec struct {
			Groups []struct {
				Rules []struct {
					Alert string `yaml:"alert"`
				} `yaml:"rules"`
			} `yaml:"groups"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(got, &pr); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range pr.Spec.Groups {
		for _, r := range g.Rules {
			if r.Alert != "" {
				n++
			}
		}
	}
	if all := alerts(t); n != len(all) || n == 0 {
		t.Errorf("PrometheusRule has %d alerts, alerts/ has %d", n, len(all))
	}
}
