package collector

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// seriesSet accumulates gauge values by descriptor and label values, so that
// upstream rows that map to the same series are merged instead of producing
// a duplicate series (which would fail the whole scrape).
type seriesSet struct {
	index  map[*prometheus.Desc]map[string]int
	series []series
}

type series struct {
	desc   *prometheus.Desc
	labels []string
	value  float64
}

func newSeriesSet() *seriesSet {
	return &seriesSet{index: map[*prometheus.Desc]map[string]int{}}
}

// add sums v into the series.
func (s *seriesSet) add(desc *prometheus.Desc, v float64, labels ...string) {
	if i, ok := s.find(desc, labels); ok {
		s.series[i].value += v
		return
	}
	s.insert(desc, v, labels)
}

// min keeps the smallest value seen for the series.
func (s *seriesSet) min(desc *prometheus.Desc, v float64, labels ...string) {
	if i, ok := s.find(desc, labels); ok {
		s.series[i].value = min(s.series[i].value, v)
		return
	}
	s.insert(desc, v, labels)
}

// max keeps the largest value seen for the series.
func (s *seriesSet) max(desc *prometheus.Desc, v float64, labels ...string) {
	if i, ok := s.find(desc, labels); ok {
		s.series[i].value = max(s.series[i].value, v)
		return
	}
	s.insert(desc, v, labels)
}

func (s *seriesSet) find(desc *prometheus.Desc, labels []string) (int, bool) {
	i, ok := s.index[desc][key(labels)]
	return i, ok
}

func (s *seriesSet) insert(desc *prometheus.Desc, v float64, labels []string) {
	m := s.index[desc]
	if m == nil {
		m = map[string]int{}
		s.index[desc] = m
	}
	for i, l := range labels {
		labels[i] = strings.ToValidUTF8(l, "\uFFFD") // invalid UTF-8 would fail the refresh
	}
	m[key(labels)] = len(s.series)
	s.series = append(s.series, series{desc: desc, labels: labels, value: v})
}

// metrics returns the accumulated series as constant gauges, in the order
// they were first seen.
func (s *seriesSet) metrics() ([]prometheus.Metric, error) {
	out := make([]prometheus.Metric, 0, len(s.series))
	for _, x := range s.series {
		m, err := prometheus.NewConstMetric(x.desc, prometheus.GaugeValue, x.value, x.labels...)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// key joins label values with a byte that cannot occur in valid UTF-8.
func key(labels []string) string { return strings.Join(labels, "\xff") }
