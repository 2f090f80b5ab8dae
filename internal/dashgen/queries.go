package dashgen

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Query is one PromQL query of a dashboard panel.
type Query struct {
	Dashboard string // file name without .json, which is also the dashboard's uid
	Panel     string // panel title
	RefID     string
	Expr      string // as in the dashboard, with Grafana variables; see Substitute
}

// Queries reads every dashboard in dir (*.json, in file name order) and
// returns their panel queries in panel order, including the panels of
// collapsed rows.
func Queries(dir string) ([]Query, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no dashboards (*.json) in %s", dir)
	}
	var out []Query
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		var d struct {
			Panels []queryPanel `json:"panels"`
		}
		if err := json.Unmarshal(data, &d); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		var walk func([]queryPanel)
		walk = func(panels []queryPanel) {
			for _, p := range panels {
				for _, t := range p.Targets {
					out = append(out, Query{Dashboard: name, Panel: p.Title, RefID: t.RefID, Expr: t.Expr})
				}
				walk(p.Panels)
			}
		}
		walk(d.Panels)
	}
	return out, nil
}

type queryPanel struct {
	Title   string       `json:"title"`
	Panels  []queryPanel `json:"panels"`
	Targets []struct {
		RefID string `json:"refId"`
		Expr  string `json:"expr"`
	} `json:"targets"`
}

// builtins are the values Substitute gives Grafana's global variables.
var builtins = map[string]string{
	"__rate_interval": "1m",
	"__interval":      "1m",
	"__range":         "1h",
	"__range_s":       "3600",
}

// variableRef matches Grafana's variable syntaxes: ${name}, ${name:format},
// [[name]], [[name:format]] and $name. A name starts with a letter or an
// underscore, so regular expression replacements such as $1 are left alone.
var variableRef = regexp.MustCompile(`\$\{([A-Za-z_]\w*)(?::[^}]*)?\}|\[\[([A-Za-z_]\w*)(?::[^\]]*)?\]\]|\$([A-Za-z_]\w*)`)

// Substitute replaces the Grafana variables in a dashboard query so that
// Prometheus can evaluate it: $__rate_interval and $__interval become 1m,
// $__range 1h, $__range_s 3600, and every dashboard variable (all are
// multi-value with allValue ".*" and used only inside =~ matchers, which a
// test asserts) becomes ".*", as if All were selected. Unknown $__ globals
// are left as they are.
func Substitute(expr string) string {
	return variableRef.ReplaceAllStringFunc(expr, func(ref string) string {
		name := variableName(ref)
		if strings.HasPrefix(name, "__") {
			if v, ok := builtins[name]; ok {
				return v
			}
			return ref
		}
		return ".*"
	})
}

func variableName(ref string) string {
	m := variableRef.FindStringSubmatch(ref)
	for _, g := range m[1:] {
		if g != "" {
			return g
		}
	}
	return ""
}
