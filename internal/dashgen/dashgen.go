// Package dashgen generates billing_exporter's Grafana dashboards
// (dashboards/*.json) from Go, so that every panel shares the same
// data source, variables, units and layout rules, and reads them back for
// tests that evaluate their queries.
//
// The dashboards are written by `go test ./internal/dashgen -update`; the test
// without -update fails when a committed dashboard differs from what this
// package renders.
package dashgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// SchemaVersion is the Grafana dashboard schema version of the generated
// dashboards (Grafana 10.4 and newer).
const SchemaVersion = 39

// DatasourceUID is the only data source UID the dashboards use: the value of
// the datasource template variable, so that the dashboards import as is.
const DatasourceUID = "${datasource}"

// TimeZone is every dashboard's time zone: the billing APIs count months,
// expiries and due dates in Korean time, so 00:00 KST must not show as 15:00
// the day before to a viewer elsewhere.
const TimeZone = "Asia/Seoul"

// TimeZoneNote is appended to every dashboard's description.
const TimeZoneNote = "Times and dates are shown in Asia/Seoul (KST), whatever the viewer's browser time zone."

// Units of money. A panel in unit "short" whose series carry a currency
// (its legends name {{currency}}) shows money: full digits ("locale", not
// "1.49 Mil"), and Grafana's currency unit for the series of each currency
// below. A table cannot vary the unit per row, so its money columns show
// full digits next to the currency column. VGP balances and usage are VGP
// points, which have no currency.
var currencyUnits = []struct{ code, unit string }{
	{"KRW", "currencyKRW"}, {"USD", "currencyUSD"}, {"JPY", "currencyJPY"},
}

const (
	moneyUnit     = "locale"
	vgpPointsUnit = "suffix: VGP"
)

// gridWidth is the width of Grafana's dashboard grid.
const gridWidth = 24

// File is one rendered dashboard.
type File struct {
	Name    string // file name in dashboards/, e.g. billing-overview.json
	Content []byte // indented JSON with a trailing newline
}

// Render returns every dashboard, sorted by file name.
func Render() ([]File, error) {
	var files []File
	for _, b := range boards() {
		content, err := b.render()
		if err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", b.uid, err)
		}
		files = append(files, File{Name: b.uid + ".json", Content: content})
	}
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	return files, nil
}

// ---------------------------------------------------------------------------
// Model: what the dashboard definitions in boards.go are written with.

// board is one dashboard before layout.
type board struct {
	uid, title, description string
	timeFrom                string // e.g. now-7d
	vars                    []variable
	rows                    []row
}

type row struct {
	title  string
	panels []*panel
}

// variable is a query variable of the multi-value, include-All style
// (allValue ".*"), so it can only be used inside =~ matchers.
type variable struct {
	name, label, query string
}

// panel is one visualisation; build it with the constructors below
// (stat, timeseries, ...) and refine it with its chained methods.
type panel struct {
	kind, title, desc string
	w, h              int
	unit              string
	decimals          *int
	min, max          *float64
	noValue           string
	color             map[string]any
	steps             []step
	mappings          []any
	targets           []target
	options           map[string]any
	custom            map[string]any
	overrides         []override

	// tables only
	labels  []string // label columns, in order
	sortBy  string   // column to sort by
	sortDsc bool
}

// target is one PromQL query. A table target names its value column and
// the column's unit.
type target struct {
	expr, legend string
	instant      bool
	table        bool
	column, unit string
}

type step struct {
	color string
	value *float64
}

type override struct {
	name   string // field name (matcher byName), or a regular expression
	regexp bool   // name is a regular expression on the display name (matcher byRegexp)
	props  []property
}

type property struct {
	id    string
	value any
}

// q is a range query for time series panels; legend is a Grafana legend
// format such as "{{account}} ({{currency}})".
func q(expr, legend string) target { return target{expr: expr, legend: legend} }

// now is an instant query for stat, gauge and bar gauge panels: they show
// the current value and need no history.
func now(expr, legend string) target { return target{expr: expr, legend: legend, instant: true} }

// col is an instant, table-formatted query whose value becomes the column
// named column, shown with unit.
func col(column, unit, expr string) target {
	return target{expr: expr, instant: true, table: true, column: column, unit: unit}
}

func newPanel(kind, title, desc string, w, h int, targets []target) *panel {
	return &panel{kind: kind, title: title, desc: desc, w: w, h: h, targets: targets}
}

// stat shows one big number per series.
func stat(title, desc string, targets ...target) *panel {
	p := newPanel("stat", title, desc, 6, 5, targets)
	p.options = map[string]any{
		"colorMode":         "value",
		"graphMode":         "none",
		"justifyMode":       "auto",
		"orientation":       "auto",
		"reduceOptions":     lastValue(),
		"showPercentChange": false,
		"textMode":          "value_and_name",
		"wideLayout":        true,
	}
	return p
}

// gauge shows each series against min and max.
func gauge(title, desc string, targets ...target) *panel {
	p := newPanel("gauge", title, desc, 6, 6, targets)
	p.options = map[string]any{
		"minVizHeight":         75,
		"minVizWidth":          75,
		"orientation":          "auto",
		"reduceOptions":        lastValue(),
		"showThresholdLabels":  false,
		"showThresholdMarkers": true,
		"sizing":               "auto",
	}
	return p
}

// bargauge compares the current value of many series as horizontal bars.
func bargauge(title, desc string, targets ...target) *panel {
	p := newPanel("bargauge", title, desc, 12, 8, targets)
	p.options = map[string]any{
		"displayMode":   "gradient",
		"maxVizHeight":  300,
		"minVizHeight":  16,
		"minVizWidth":   8,
		"namePlacement": "auto",
		"orientation":   "horizontal",
		"reduceOptions": lastValue(),
		"showUnfilled":  true,
		"sizing":        "auto",
		"valueMode":     "color",
	}
	return p
}

// timeseries draws history. Billing values change in steps, so lines are
// drawn as steps.
func timeseries(title, desc string, targets ...target) *panel {
	p := newPanel("timeseries", title, desc, 12, 8, targets)
	p.color = map[string]any{"mode": "palette-classic"}
	p.custom = map[string]any{
		"axisBorderShow":    false,
		"axisPlacement":     "auto",
		"drawStyle":         "line",
		"fillOpacity":       10,
		"gradientMode":      "none",
		"lineInterpolation": "stepAfter",
		"lineWidth":         1,
		"pointSize":         4,
		"showPoints":        "never",
		"spanNulls":         false,
		"stacking":          map[string]any{"group": "A", "mode": "none"},
	}
	p.options = map[string]any{
		"legend": map[string]any{
			"calcs":       []string{"lastNotNull"},
			"displayMode": "table",
			"placement":   "right",
			"showLegend":  true,
		},
		"tooltip": map[string]any{"mode": "multi", "sort": "desc"},
	}
	return p
}

// table lists instant values: labels are the label columns in order, and
// each col target adds one value column. Rows with the same labels in all
// queries are merged into one.
func table(title, desc string, labels []string, targets ...target) *panel {
	p := newPanel("table", title, desc, 12, 8, targets)
	p.labels = labels
	p.custom = map[string]any{
		"align":       "auto",
		"cellOptions": map[string]any{"type": "auto"},
		"filterable":  false,
		"inspect":     false,
	}
	return p
}

func lastValue() map[string]any {
	return map[string]any{"calcs": []string{"lastNotNull"}, "fields": "", "values": false}
}

func (p *panel) size(w, h int) *panel { p.w, p.h = w, h; return p }

func (p *panel) withUnit(unit string) *panel { p.unit = unit; return p }

func (p *panel) withDecimals(n int) *panel { p.decimals = &n; return p }

func (p *panel) withMin(v float64) *panel { p.min = &v; return p }

func (p *panel) withMax(v float64) *panel { p.max = &v; return p }

// withNoValue sets what is shown when a query returns nothing, for counts
// of bad things whose queries return no series when there are none.
func (p *panel) withNoValue(s string) *panel { p.noValue = s; return p }

// withThresholds colours values: base is the colour below the first step.
func (p *panel) withThresholds(base string, steps ...step) *panel {
	p.steps = append([]step{{color: base}}, steps...)
	p.color = map[string]any{"mode": "thresholds"}
	return p
}

// at is a threshold step: from value on, values are coloured color.
func at(value float64, color string) step { return step{color: color, value: &value} }

// withValueText maps an exact value to a text and a colour, e.g. 1 to UP.
func (p *panel) withValueText(value, text, color string) *panel {
	if len(p.mappings) == 0 {
		p.mappings = []any{map[string]any{"type": "value", "options": map[string]any{}}}
	}
	opts := p.mappings[0].(map[string]any)["options"].(map[string]any)
	opts[value] = map[string]any{"color": color, "index": len(opts), "text": text}
	return p
}

// withOption sets a top-level panel option, e.g. the stat's colorMode.
func (p *panel) withOption(key string, value any) *panel { p.options[key] = value; return p }

// sorted sorts a table by one of its columns.
func (p *panel) sorted(column string, desc bool) *panel {
	p.sortBy, p.sortDsc = column, desc
	return p
}

// ---------------------------------------------------------------------------
// Rendering: the Grafana JSON model.

type dsRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

var promDS = &dsRef{Type: "prometheus", UID: DatasourceUID}

type dashboardJSON struct {
	Annotations          annotationsJSON `json:"annotations"`
	Description          string          `json:"description"`
	Editable             bool            `json:"editable"`
	FiscalYearStartMonth int             `json:"fiscalYearStartMonth"`
	GraphTooltip         int             `json:"graphTooltip"`
	ID                   *int            `json:"id"`
	Links                []linkJSON      `json:"links"`
	Panels               []any           `json:"panels"`
	Refresh              string          `json:"refresh"`
	SchemaVersion        int             `json:"schemaVersion"`
	Tags                 []string        `json:"tags"`
	Templating           templatingJSON  `json:"templating"`
	Time                 timeJSON        `json:"time"`
	Timepicker           struct{}        `json:"timepicker"`
	Timezone             string          `json:"timezone"`
	Title                string          `json:"title"`
	UID                  string          `json:"uid"`
	Version              int             `json:"version"`
	WeekStart            string          `json:"weekStart"`
}

type annotationsJSON struct {
	List []any `json:"list"`
}

type linkJSON struct {
	AsDropdown  bool     `json:"asDropdown"`
	Icon        string   `json:"icon"`
	IncludeVars bool     `json:"includeVars"`
	KeepTime    bool     `json:"keepTime"`
	Tags        []string `json:"tags"`
	TargetBlank bool     `json:"targetBlank"`
	Title       string   `json:"title"`
	Tooltip     string   `json:"tooltip"`
	Type        string   `json:"type"`
	URL         string   `json:"url"`
}

type templatingJSON struct {
	List []variableJSON `json:"list"`
}

type variableJSON struct {
	AllValue   string       `json:"allValue,omitempty"`
	Current    *optionJSON  `json:"current,omitempty"`
	Datasource *dsRef       `json:"datasource,omitempty"`
	Hide       int          `json:"hide"`
	IncludeAll bool         `json:"includeAll"`
	Label      string       `json:"label"`
	Multi      bool         `json:"multi"`
	Name       string       `json:"name"`
	Options    []optionJSON `json:"options"`
	Query      string       `json:"query"`
	Refresh    int          `json:"refresh"`
	Regex      string       `json:"regex"`
	Sort       int          `json:"sort,omitempty"`
	Type       string       `json:"type"`
}

type optionJSON struct {
	Selected bool     `json:"selected"`
	Text     []string `json:"text"`
	Value    []string `json:"value"`
}

type timeJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type gridPosJSON struct {
	H int `json:"h"`
	W int `json:"w"`
	X int `json:"x"`
	Y int `json:"y"`
}

type rowJSON struct {
	Collapsed bool        `json:"collapsed"`
	GridPos   gridPosJSON `json:"gridPos"`
	ID        int         `json:"id"`
	Panels    []any       `json:"panels"`
	Title     string      `json:"title"`
	Type      string      `json:"type"`
}

type panelJSON struct {
	Datasource      *dsRef          `json:"datasource"`
	Description     string          `json:"description"`
	FieldConfig     fieldConfigJSON `json:"fieldConfig"`
	GridPos         gridPosJSON     `json:"gridPos"`
	ID              int             `json:"id"`
	Options         map[string]any  `json:"options"`
	Targets         []targetJSON    `json:"targets"`
	Title           string          `json:"title"`
	Transformations []any           `json:"transformations,omitempty"`
	Type            string          `json:"type"`
}

type fieldConfigJSON struct {
	Defaults  map[string]any `json:"defaults"`
	Overrides []any          `json:"overrides"`
}

type targetJSON struct {
	Datasource   *dsRef `json:"datasource"`
	EditorMode   string `json:"editorMode"`
	Expr         string `json:"expr"`
	Format       string `json:"format"`
	Instant      bool   `json:"instant"`
	LegendFormat string `json:"legendFormat"`
	Range        bool   `json:"range"`
	RefID        string `json:"refId"`
}

func (b board) render() ([]byte, error) {
	d := dashboardJSON{
		Annotations: annotationsJSON{List: []any{}},
		Description: b.description + " " + TimeZoneNote,
		Editable:    true,
		Links: []linkJSON{{
			AsDropdown: true, Icon: "external link", IncludeVars: true, KeepTime: true,
			Tags: []string{"billing"}, Title: "Billing dashboards", Type: "dashboards",
		}},
		Refresh:       "5m",
		SchemaVersion: SchemaVersion,
		Tags:          []string{"billing"},
		Templating:    templatingJSON{List: b.variables()},
		Time:          timeJSON{From: b.timeFrom, To: "now"},
		Timezone:      TimeZone,
		Title:         b.title,
		UID:           b.uid,
		Version:       1,
	}
	id, y := 0, 0
	for _, r := range b.rows {
		id++
		d.Panels = append(d.Panels, rowJSON{
			GridPos: gridPosJSON{H: 1, W: gridWidth, X: 0, Y: y},
			ID:      id, Panels: []any{}, Title: r.title, Type: "row",
		})
		y++
		x, rowHeight := 0, 0
		for _, p := range r.panels {
			if p.w > gridWidth || p.w <= 0 || p.h <= 0 {
				return nil, fmt.Errorf("panel %q: size %dx%d does not fit the grid", p.title, p.w, p.h)
			}
			if x+p.w > gridWidth {
				x, y, rowHeight = 0, y+rowHeight, 0
			}
			id++
			pj, err := p.render(id, gridPosJSON{H: p.h, W: p.w, X: x, Y: y})
			if err != nil {
				return nil, fmt.Errorf("panel %q: %w", p.title, err)
			}
			d.Panels = append(d.Panels, pj)
			x += p.w
			rowHeight = max(rowHeight, p.h)
		}
		y += rowHeight
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep PromQL's < > & readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (b board) variables() []variableJSON {
	list := []variableJSON{{
		Label: "Data source", Name: "datasource", Options: []optionJSON{},
		Query: "prometheus", Refresh: 1, Type: "datasource",
	}}
	for _, v := range append(scopeVars(), b.vars...) {
		list = append(list, variableJSON{
			AllValue:   ".*",
			Current:    &optionJSON{Selected: true, Text: []string{"All"}, Value: []string{"$__all"}},
			Datasource: promDS,
			IncludeAll: true,
			Label:      v.label,
			Multi:      true,
			Name:       v.name,
			Options:    []optionJSON{},
			Query:      v.query,
			Refresh:    2, // on time range change: new accounts and customers show up
			Sort:       1,
			Type:       "query",
		})
	}
	return list
}

func (p *panel) render(id int, pos gridPosJSON) (panelJSON, error) {
	if p.title == "" || p.desc == "" {
		return panelJSON{}, fmt.Errorf("title and description are required")
	}
	if len(p.targets) == 0 {
		return panelJSON{}, fmt.Errorf("no queries")
	}
	defaults := map[string]any{}
	money := p.unit == "short" && p.kind != "table" && p.hasCurrency()
	if money {
		defaults["unit"] = moneyUnit
	} else if p.unit != "" {
		defaults["unit"] = p.unit
	}
	if p.decimals != nil {
		defaults["decimals"] = *p.decimals
	}
	if p.min != nil {
		defaults["min"] = *p.min
	}
	if p.max != nil {
		defaults["max"] = *p.max
	}
	if p.noValue != "" {
		defaults["noValue"] = p.noValue
	}
	steps := p.steps
	if steps == nil {
		steps = []step{{color: "green"}}
	}
	var stepsJSON []any
	for _, s := range steps {
		stepsJSON = append(stepsJSON, map[string]any{"color": s.color, "value": s.value})
	}
	defaults["thresholds"] = map[string]any{"mode": "absolute", "steps": stepsJSON}
	if p.color != nil {
		defaults["color"] = p.color
	}
	if p.custom != nil {
		defaults["custom"] = p.custom
	}
	defaults["mappings"] = append([]any{}, p.mappings...)

	pj := panelJSON{
		Datasource:  promDS,
		Description: p.desc,
		FieldConfig: fieldConfigJSON{Defaults: defaults, Overrides: []any{}},
		GridPos:     pos,
		ID:          id,
		Options:     maps.Clone(p.options),
		Title:       p.title,
		Type:        p.kind,
	}
	if pj.Options == nil {
		pj.Options = map[string]any{}
	}
	for i, t := range p.targets {
		if t.table != (p.kind == "table") {
			return panelJSON{}, fmt.Errorf("query %d: table panels take col() queries, other panels q() or now()", i)
		}
		format := "time_series"
		if t.table {
			format = "table"
		}
		pj.Targets = append(pj.Targets, targetJSON{
			Datasource:   promDS,
			EditorMode:   "code",
			Expr:         t.expr,
			Format:       format,
			Instant:      t.instant,
			LegendFormat: t.legend,
			Range:        !t.instant,
			RefID:        refID(i),
		})
	}
	if p.kind == "table" {
		if err := p.tableLayout(&pj); err != nil {
			return panelJSON{}, err
		}
	}
	for _, o := range p.overrides {
		pj.FieldConfig.Overrides = append(pj.FieldConfig.Overrides, o.json())
	}
	if money {
		for _, c := range currencyUnits {
			o := override{name: `\(` + c.code + `\)`, regexp: true, props: []property{{"unit", c.unit}}}
			pj.FieldConfig.Overrides = append(pj.FieldConfig.Overrides, o.json())
		}
		o := override{name: `\bVGP\b`, regexp: true, props: []property{{"unit", vgpPointsUnit}}}
		pj.FieldConfig.Overrides = append(pj.FieldConfig.Overrides, o.json())
	}
	return pj, nil
}

// hasCurrency reports whether the panel's series are told apart by currency.
func (p *panel) hasCurrency() bool {
	for _, t := range p.targets {
		if strings.Contains(t.legend, "{{currency}}") {
			return true
		}
	}
	return false
}

// tableLayout merges the table's queries into rows, keeps only the label
// and value columns, orders and renames them, and sets the value columns'
// units.
func (p *panel) tableLayout(pj *panelJSON) error {
	valueField := func(i int) string {
		if len(p.targets) == 1 {
			return "Value"
		}
		return "Value #" + refID(i)
	}
	keep := slices.Clone(p.labels)
	index := map[string]int{}
	rename := map[string]string{}
	for i, l := range p.labels {
		index[l] = i
	}
	columns := map[string]bool{}
	for i, t := range p.targets {
		if t.column == "" {
			return fmt.Errorf("query %s has no column name", refID(i))
		}
		if columns[t.column] || slices.Contains(p.labels, t.column) {
			return fmt.Errorf("column %q twice", t.column)
		}
		columns[t.column] = true
		f := valueField(i)
		keep = append(keep, f)
		index[f] = len(p.labels) + i
		rename[f] = t.column
		unit := t.unit
		if unit == "short" && slices.Contains(p.labels, "currency") {
			unit = moneyUnit // money, next to its currency column
		}
		p.overrides = append(p.overrides, override{name: t.column, props: []property{{"unit", unit}}})
	}
	if p.sortBy != "" && !columns[p.sortBy] && !slices.Contains(p.labels, p.sortBy) {
		return fmt.Errorf("sort column %q is not a column", p.sortBy)
	}
	if len(p.targets) > 1 {
		pj.Transformations = append(pj.Transformations, map[string]any{"id": "merge", "options": map[string]any{}})
	}
	pj.Transformations = append(pj.Transformations,
		map[string]any{"id": "filterFieldsByName", "options": map[string]any{
			"include": map[string]any{"names": keep},
		}},
		map[string]any{"id": "organize", "options": map[string]any{
			"excludeByName": map[string]any{},
			"indexByName":   index,
			"renameByName":  rename,
		}},
	)
	pj.Options = map[string]any{
		"cellHeight": "sm",
		"footer":     map[string]any{"countRows": false, "fields": "", "reducer": []string{"sum"}, "show": false},
		"showHeader": true,
	}
	if p.sortBy != "" {
		pj.Options["sortBy"] = []any{map[string]any{"desc": p.sortDsc, "displayName": p.sortBy}}
	}
	return nil
}

func (o override) json() any {
	var props []any
	for _, pr := range o.props {
		props = append(props, map[string]any{"id": pr.id, "value": pr.value})
	}
	matcher := "byName"
	if o.regexp {
		matcher = "byRegexp"
	}
	return map[string]any{
		"matcher":    map[string]any{"id": matcher, "options": o.name},
		"properties": props,
	}
}

func refID(i int) string {
	if i >= 26 {
		panic("dashgen: more than 26 queries in a panel")
	}
	return string(rune('A' + i))
}
