package collector

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// A cached upstream result is kept as gauges that hold their label values
// only, and build their label pairs when a scrape asks (Write), instead of
// as prometheus.NewConstMetric's metrics, whose ready-made label pairs cost
// about 700 bytes a series (70 MB for 100,000 series, kept for as long as
// the result) and, at 150,000 series, a sixth of a second of CPU at the end
// of every refresh. A scrape allocates the pairs and drops them.

// labelLayout is how the label values of a descriptor's series, in the
// descriptor's order, become label pairs: sorted by name, as the registry
// compares and the exposition prints them.
type labelLayout struct {
	names []string // the variable label names, sorted
	index []int    // names[j]'s value is labels[index[j]]
}

// layouts holds the layout of every descriptor newDesc made.
var layouts sync.Map // *prometheus.Desc -> *labelLayout

func registerLabels(desc *prometheus.Desc, labels []string) {
	l := &labelLayout{index: make([]int, len(labels))}
	for i := range l.index {
		l.index[i] = i
	}
	slices.SortStableFunc(l.index, func(a, b int) int { return strings.Compare(labels[a], labels[b]) })
	for _, i := range l.index {
		l.names = append(l.names, labels[i])
	}
	layouts.Store(desc, l)
}

func layoutOf(desc *prometheus.Desc) *labelLayout {
	if l, ok := layouts.Load(desc); ok {
		return l.(*labelLayout)
	}
	return nil
}

// gauge is one cached series; it implements prometheus.Metric.
type gauge struct {
	desc   *prometheus.Desc
	layout *labelLayout
	labels []string // in the descriptor's order
	value  float64
}

// newGauge fills g with x, or returns a constant metric for a descriptor
// newDesc did not make.
func newGauge(g *gauge, x series) (prometheus.Metric, error) {
	l := layoutOf(x.desc)
	if l == nil {
		return prometheus.NewConstMetric(x.desc, prometheus.GaugeValue, x.value, x.labels...)
	}
	if len(x.labels) != len(l.names) {
		return nil, fmt.Errorf("%s: %d label values for %d labels", x.desc, len(x.labels), len(l.names))
	}
	*g = gauge{desc: x.desc, layout: l, labels: x.labels, value: x.value}
	return g, nil
}

func (g *gauge) Desc() *prometheus.Desc { return g.desc }

// Write builds the series for one scrape. The pairs point at the gauge's
// strings, which never change: the registry and the encoder only read them.
func (g *gauge) Write(m *dto.Metric) error {
	n := len(g.layout.names)
	pairs := make([]dto.LabelPair, n)
	m.Label = make([]*dto.LabelPair, n)
	for j, i := range g.layout.index {
		pairs[j].Name, pairs[j].Value = &g.layout.names[j], &g.labels[i]
		m.Label[j] = &pairs[j]
	}
	m.Gauge = &dto.Gauge{Value: &g.value}
	return nil
}

// scrapeOrder returns the series in the order the registry sorts a
// family's metrics on every scrape: by label values, compared in label name
// order. The registry's sort then finds them sorted and costs one pass;
// sorting 100,000 shuffled series took 40% of a scrape's CPU. Sorting once
// per refresh is cheaper than once per scrape.
func (s *seriesSet) scrapeOrder() []series {
	var descs []*prometheus.Desc
	groups := map[*prometheus.Desc][]series{}
	for _, x := range s.series {
		if _, ok := groups[x.desc]; !ok {
			descs = append(descs, x.desc)
		}
		groups[x.desc] = append(groups[x.desc], x)
	}
	// The groups sort in parallel: this is the end of a refresh, which
	// the scrape that started it waits for.
	var wg sync.WaitGroup
	for _, d := range descs {
		if l := layoutOf(d); l != nil && len(groups[d]) > 1 {
			wg.Go(func() {
				slices.SortFunc(groups[d], func(a, b series) int {
					for _, i := range l.index {
						if c := strings.Compare(a.labels[i], b.labels[i]); c != 0 {
							return c
						}
					}
					return 0
				})
			})
		}
	}
	wg.Wait()
	out := make([]series, 0, len(s.series))
	for _, d := range descs {
		out = append(out, groups[d]...)
	}
	return out
}
