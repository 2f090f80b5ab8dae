package collector

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// seriesSet accumulates gauge values by descriptor and label values, so that
// upstream rows that map to the same series are merged instead of producing
// a duplicate series (which would fail the whole scrape).
type seriesSet struct {
	index   map[*prometheus.Desc]map[string]int
	series  []series
	scratch []byte // the key being looked up
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
	if i, found := s.lookup(desc, v, labels); found {
		s.series[i].value += v
	}
}

// min keeps the smallest value seen for the series.
func (s *seriesSet) min(desc *prometheus.Desc, v float64, labels ...string) {
	if i, found := s.lookup(desc, v, labels); found {
		s.series[i].value = min(s.series[i].value, v)
	}
}

// max keeps the largest value seen for the series.
func (s *seriesSet) max(desc *prometheus.Desc, v float64, labels ...string) {
	if i, found := s.lookup(desc, v, labels); found {
		s.series[i].value = max(s.series[i].value, v)
	}
}

// lookup returns the index of the series of desc and labels, and whether
// it existed; a new series starts at v. Label values are made valid UTF-8
// first (invalid UTF-8 would fail the refresh), so that values that differ
// only in invalid bytes are one series, and the key is built once.
func (s *seriesSet) lookup(desc *prometheus.Desc, v float64, labels []string) (int, bool) {
	for i, l := range labels {
		labels[i] = strings.ToValidUTF8(l, "\uFFFD")
	}
	m := s.index[desc]
	if m == nil {
		m = map[string]int{}
		s.index[desc] = m
	}
	// Most lookups find a series that exists; the key is built in scratch
	// and only becomes a string when it is stored.
	s.scratch = appendKey(s.scratch[:0], labels)
	if i, ok := m[string(s.scratch)]; ok {
		return i, true
	}
	m[string(s.scratch)] = len(s.series)
	s.series = append(s.series, series{desc: desc, labels: labels, value: v})
	return len(s.series) - 1, false
}

// metrics returns the accumulated series as gauges, grouped by descriptor
// in the order the descriptors were first seen, each group in scrape order.
func (s *seriesSet) metrics() ([]prometheus.Metric, error) {
	sorted := s.scrapeOrder()
	gauges := make([]gauge, len(sorted)) // one allocation for all
	out := make([]prometheus.Metric, len(sorted))
	for i, x := range sorted {
		m, err := newGauge(&gauges[i], x)
		if err != nil {
			return nil, err
		}
		out[i] = m
	}
	return out, nil
}

// appendKey joins label values with a byte that cannot occur in valid UTF-8.
func appendKey(b []byte, labels []string) []byte {
	for i, l := range labels {
		if i > 0 {
			b = append(b, 0xff)
		}
		b = append(b, l...)
	}
	return b
}
