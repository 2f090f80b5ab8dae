// Command promrules writes every panel query of the dashboards as a
// Prometheus recording rule (record dashboard_<n>:check), with Grafana's
// variables substituted, so that `promtool check rules` parses them all.
// scripts/check-dashboards.sh runs it.
//
// The rules file is JSON, which is also YAML. With -index, it also writes
// one line per rule: n, dashboard, panel title and refId, tab-separated.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/billingexporter/billing_exporter/internal/dashgen"
)

type rule struct {
	Record string `json:"record"`
	Expr   string `json:"expr"`
}

type group struct {
	Name  string `json:"name"`
	Rules []rule `json:"rules"`
}

func main() {
	dir := flag.String("dir", "dashboards", "directory of the dashboards (*.json)")
	out := flag.String("out", "-", "rules file to write; - for standard output")
	index := flag.String("index", "", "file to write the rule index to (n, dashboard, panel, refId)")
	flag.Parse()
	if err := run(*dir, *out, *index); err != nil {
		fmt.Fprintln(os.Stderr, "promrules:", err)
		os.Exit(1)
	}
}

func run(dir, out, index string) error {
	queries, err := dashgen.Queries(dir)
	if err != nil {
		return err
	}
	g := group{Name: "dashboards"}
	var idx bytes.Buffer
	for i, q := range queries {
		n := i + 1
		g.Rules = append(g.Rules, rule{Record: fmt.Sprintf("dashboard_%d:check", n), Expr: dashgen.Substitute(q.Expr)})
		fmt.Fprintf(&idx, "%d\t%s\t%s\t%s\n", n, q.Dashboard, q.Panel, q.RefID)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(map[string][]group{"groups": {g}}); err != nil {
		return err
	}
	if index != "" {
		if err := os.WriteFile(index, idx.Bytes(), 0o644); err != nil {
			return err
		}
	}
	if out == "-" {
		_, err = os.Stdout.Write(buf.Bytes())
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}
