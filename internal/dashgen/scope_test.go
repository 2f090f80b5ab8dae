package dashgen

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// selectorRE finds metric selectors; bareRE finds metric names of the
// exporter, its process or ALERTS used without a selector.
var (
	selectorRE = regexp.MustCompile(`([A-Za-z_:][A-Za-z0-9_:]*)?\{([^{}]*)\}`)
	bareRE     = regexp.MustCompile(`\b(billing_[a-z0-9_]+|process_[a-z_]+|ALERTS(?:_FOR_STATE)?)\b([^{(]|$)`)
)

// Every query and every query variable selects by the dashboard's job and
// instance, so that two exporters with the same account names are told
// apart; only recording rules, which aggregate across exporters, are not.
func TestEveryQueryScopedToJobAndInstance(t *testing.T) {
	dashboards := loadDashboards(t)
	queries, err := Queries(dashboardDir)
	if err != nil {
		t.Fatal(err)
	}
	exprs := map[string][]string{}
	for _, q := range queries {
		exprs[q.Dashboard] = append(exprs[q.Dashboard], q.Panel+": "+q.Expr)
	}
	for name, d := range dashboards {
		list := d["templating"].(map[string]any)["list"].([]any)
		var names []string
		for _, v := range list {
			vm := v.(map[string]any)
			names = append(names, vm["name"].(string))
			if q, _ := vm["query"].(string); vm["type"] == "query" && vm["name"] != "job" && vm["name"] != "instance" {
				exprs[name] = append(exprs[name], "variable "+vm["name"].(string)+": "+q)
			}
		}
		if len(names) < 3 || names[1] != "job" || names[2] != "instance" {
			t.Errorf("%s: variables %v, want datasource, job, instance first", name, names)
		}
		for _, e := range exprs[name] {
			_, expr, _ := strings.Cut(e, ": ")
			n := 0
			for _, m := range selectorRE.FindAllStringSubmatch(expr, -1) {
				metric, matchers := m[1], m[2]
				if strings.Contains(metric, ":") || !strings.Contains(matchers, "=") {
					continue // a recording rule, or a by/on/without clause
				}
				n++
				job, inst := `job=~"$job"`, `instance=~"$instance"`
				if strings.HasPrefix(metric, "ALERTS") {
					job, inst = `job=~"$job|"`, `instance=~"$instance|"`
				}
				if !strings.Contains(matchers, job) || !strings.Contains(matchers, inst) {
					t.Errorf("%s / %s: selector %s lacks %s or %s", name, e, m[0], job, inst)
				}
			}
			if m := bareRE.FindString(selectorRE.ReplaceAllString(expr, "")); m != "" {
				t.Errorf("%s / %s: %q without a selector", name, e, strings.TrimSpace(m))
			}
			if n == 0 && !strings.Contains(expr, ":") {
				t.Errorf("%s / %s: no selector found", name, e)
			}
		}
	}
}

// Amounts show in their currency's unit, or in full digits in tables; none
// in Grafana's "short" unit ("1.49 Mil"); VGP amounts are VGP points.
func TestMoneyUnits(t *testing.T) {
	currencyPanels := 0
	for name, d := range loadDashboards(t) {
		if d["timezone"] != TimeZone || !strings.Contains(d["description"].(string), "Asia/Seoul") {
			t.Errorf("%s: time zone %v, description %q: want Asia/Seoul, stated", name, d["timezone"], d["description"])
		}
		for _, p := range allPanels(d) {
			where := fmt.Sprintf("%s / %v", name, p["title"])
			fc, _ := p["fieldConfig"].(map[string]any)
			if fc == nil {
				continue
			}
			unit, _ := fc["defaults"].(map[string]any)["unit"].(string)
			var overrides []string
			for _, o := range fc["overrides"].([]any) {
				om := o.(map[string]any)
				matcher := om["matcher"].(map[string]any)
				for _, pr := range om["properties"].([]any) {
					prm := pr.(map[string]any)
					if prm["id"] == "unit" {
						overrides = append(overrides, fmt.Sprintf("%v=%v", matcher["options"], prm["value"]))
						if prm["value"] == "short" {
							t.Errorf("%s: column %v in unit short", where, matcher["options"])
						}
					}
				}
			}
			if unit == "short" {
				t.Errorf("%s: unit short", where)
			}
			legends := fmt.Sprint(p["targets"])
			if strings.Contains(legends, "{{currency}}") && p["type"] != "table" && unit != "percentunit" {
				currencyPanels++
				for _, want := range []string{`\(KRW\)=currencyKRW`, `\(USD\)=currencyUSD`, `\(JPY\)=currencyJPY`} {
					if !slices.Contains(overrides, want) {
						t.Errorf("%s: series by currency without override %s (has %v)", where, want, overrides)
					}
				}
				if unit != moneyUnit {
					t.Errorf("%s: money in unit %q, want %q", where, unit, moneyUnit)
				}
			}
			if name == "billing-vgp" && strings.Contains(legends, "billing_vgp_balance") && p["type"] != "table" && unit != vgpPointsUnit {
				t.Errorf("%s: VGP balance in unit %q, want %q", where, unit, vgpPointsUnit)
			}
		}
	}
	if currencyPanels < 10 {
		t.Errorf("only %d panels show series by currency", currencyPanels)
	}
}
