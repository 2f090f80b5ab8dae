package collector

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// family is what the exposition needs of a descriptor newDesc made, and a
// prometheus.Desc keeps to itself: its name, help and label names.
type family struct {
	desc   *prometheus.Desc
	name   string
	help   string
	labels []string // in the descriptor's order
	// order lists label indexes by label name: the order of the label
	// pairs in the exposition.
	order []int
}

// families maps every descriptor newDesc made to its family.
var families sync.Map // *prometheus.Desc -> *family

func newFamily(desc *prometheus.Desc, name, help string, labels []string) *family {
	f := &family{desc: desc, name: name, help: help, labels: labels, order: make([]int, len(labels))}
	for i := range f.order {
		f.order[i] = i
	}
	slices.SortStableFunc(f.order, func(a, b int) int { return strings.Compare(labels[a], labels[b]) })
	families.Store(desc, f)
	return f
}

// compare orders series of the family as the registry orders them, label
// values in label name order: by their keys where both sort (appendKey),
// which is the same order, value by value otherwise.
func (f *family) compare(a, b *series) int {
	if a.sortable() && b.sortable() {
		return strings.Compare(a.key, b.key)
	}
	for _, i := range f.order {
		if c := strings.Compare(a.labels[i], b.labels[i]); c != 0 {
			return c
		}
	}
	return 0
}

func familyOf(desc *prometheus.Desc) *family {
	if f, ok := families.Load(desc); ok {
		return f.(*family)
	}
	return nil
}

// seriesSet accumulates gauge values by descriptor and label values, so that
// upstream rows that map to the same series are merged instead of producing
// a duplicate series (which would fail the whole refresh).
type seriesSet struct {
	index map[*prometheus.Desc]*familyIndex
	// The series, seriesChunk to a slice: a slice of them all grew by
	// copying, 15% of adding a partner account's rows.
	chunks  [][]series
	n       int    // how many series
	scratch []byte // the key being looked up
	ahead   aheadState
}

const seriesChunk = 1024

// at is series i.
func (s *seriesSet) at(i int32) *series { return &s.chunks[i/seriesChunk][i%seriesChunk] }

// list is every series, in the order they were first seen.
func (s *seriesSet) list() []*series {
	out := make([]*series, 0, s.n)
	for _, c := range s.chunks {
		for i := range c {
			out = append(out, &c[i])
		}
	}
	return out
}

// familyIndex finds a descriptor's series by key: by the key's hash,
// which a runtime map handles faster than the key itself (most lookups of
// a large refresh insert, and the map grows), and by the key itself for
// the rare key whose hash another key already has.
type familyIndex struct {
	fam      *family
	ids      map[uint64]int32
	collided map[string]int32
}

// keySeed seeds keyHash; keyHash is a variable so that tests can make
// every key collide.
var (
	keySeed = maphash.MakeSeed()
	keyHash = func(key []byte) uint64 { return maphash.Bytes(keySeed, key) }
)

// series is one gauge of a refresh; it implements prometheus.Metric, and
// the renderer reads its fields directly.
type series struct {
	fam    *family
	labels []string // in the descriptor's order
	key    string   // see appendKey
	value  float64
	// run holds the series' lines encoded ahead, at pos (ahead.go).
	run *lineRun
	pos int32
}

func newSeriesSet() *seriesSet {
	return &seriesSet{index: map[*prometheus.Desc]*familyIndex{}}
}

// add sums v into the series.
func (s *seriesSet) add(desc *prometheus.Desc, v float64, labels ...string) {
	if x, found := s.lookup(desc, v, labels); found {
		x.value += v
	}
}

// min keeps the smallest value seen for the series.
func (s *seriesSet) min(desc *prometheus.Desc, v float64, labels ...string) {
	if x, found := s.lookup(desc, v, labels); found {
		x.value = min(x.value, v)
	}
}

// max keeps the largest value seen for the series.
func (s *seriesSet) max(desc *prometheus.Desc, v float64, labels ...string) {
	if x, found := s.lookup(desc, v, labels); found {
		x.value = max(x.value, v)
	}
}

// lookup returns the series of desc and labels, and whether it existed; a
// new series starts at v. Label values are made valid UTF-8 first (invalid
// UTF-8 would fail the refresh), so that values that differ only in
// invalid bytes are one series, and the key is built once.
func (s *seriesSet) lookup(desc *prometheus.Desc, v float64, labels []string) (*series, bool) {
	for i, l := range labels {
		if !validUTF8(l) {
			labels[i] = strings.ToValidUTF8(l, "\uFFFD")
		}
	}
	fi := s.index[desc]
	if fi == nil {
		fi = &familyIndex{fam: familyOf(desc), ids: map[uint64]int32{}}
		if fi.fam == nil {
			fi.fam = &family{desc: desc} // reported by metrics
		}
		s.index[desc] = fi
	}
	// The key is built in scratch and only becomes a string when it is
	// stored.
	s.scratch = appendKey(s.scratch[:0], labels, fi.fam.order)
	h := keyHash(s.scratch)
	i, ok := fi.ids[h]
	next := int32(s.n)
	switch {
	case !ok:
		fi.ids[h] = next
	case s.at(i).key == string(s.scratch):
		return s.at(i), true
	default: // another key has this hash
		if i, ok := fi.collided[string(s.scratch)]; ok {
			return s.at(i), true
		}
		if fi.collided == nil {
			fi.collided = map[string]int32{}
		}
		fi.collided[string(s.scratch)] = next
	}
	if s.n%seriesChunk == 0 {
		s.chunks = append(s.chunks, make([]series, 0, seriesChunk))
	}
	c := &s.chunks[len(s.chunks)-1]
	*c = append(*c, series{fam: fi.fam, labels: labels, key: string(s.scratch), value: v})
	s.n++
	return &(*c)[len(*c)-1], false
}

// validUTF8 is utf8.ValidString with a shortcut for ASCII: label values
// are short and nearly all ASCII, and both utf8.ValidString and
// strings.ToValidUTF8 cost more on a few bytes (adding a partner account's
// rows: 16% of it in ToValidUTF8).
func validUTF8(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return utf8.ValidString(s[i:])
		}
	}
	return true
}

// metrics returns the accumulated series: in the order they were first
// seen, or, when the set encodes ahead, family by family in sorted order
// (those made after the last page read at the end); the renderer sorts
// what is not sorted, once per refresh.
func (s *seriesSet) metrics() ([]prometheus.Metric, error) {
	sorted := s.ahead.sorted()
	out := make([]prometheus.Metric, s.n)
	list := s.list()
	for i, x := range list {
		if x.fam.name == "" {
			return nil, fmt.Errorf("%s was not made by newDesc", x.fam.desc)
		}
		if len(x.labels) != len(x.fam.labels) {
			return nil, fmt.Errorf("%s: %d label values for %d labels", x.fam.name, len(x.labels), len(x.fam.labels))
		}
		out[i] = x
	}
	if sorted != nil {
		// The series handed to be encoded ahead come sorted, family by
		// family; those made after the last page read follow.
		for i, x := range sorted {
			out[i] = x
		}
		for i, x := range list[s.ahead.handed:] {
			out[len(sorted)+i] = x
		}
	}
	return out, nil
}

func (x *series) Desc() *prometheus.Desc { return x.fam.desc }

// labelsByName writes x's label values into dst in label name order, the
// order of the exposition.
func (x *series) labelsByName(dst []string) {
	for j, i := range x.fam.order {
		dst[j] = x.labels[i]
	}
}

// Write implements prometheus.Metric, for anyone who reads a series as a
// metric; the renderer does not need it.
func (x *series) Write(m *dto.Metric) error {
	m.Label = make([]*dto.LabelPair, len(x.labels))
	for j, i := range x.fam.order {
		m.Label[j] = &dto.LabelPair{Name: &x.fam.labels[i], Value: &x.labels[i]}
	}
	m.Gauge = &dto.Gauge{Value: &x.value}
	return nil
}

// appendKey appends the key of a series with these label values: the
// values in label name order, each but the first after a zero byte. Keys
// so made compare as the registry orders series, value by value in label
// name order (a zero byte sorts before any other), so a family is sorted
// by comparing one string per pair. A value that holds a zero byte itself
// would make that order, and the key, ambiguous: such a series gets a
// rawKey, which never equals a sortable key, and its family is sorted
// value by value.
func appendKey(b []byte, labels []string, order []int) []byte {
	if len(labels) != len(order) {
		return appendRawKey(b, labels) // reported by metrics
	}
	start := len(b)
	for j, i := range order {
		if j > 0 {
			b = append(b, 0)
		}
		b = append(b, labels[i]...)
	}
	// The separators are all the zero bytes there should be.
	if bytes.Count(b[start:], []byte{0}) != max(len(order)-1, 0) {
		return appendRawKey(b[:start], labels)
	}
	return b
}

// rawKey starts every key that does not sort (appendKey); the byte cannot
// occur in valid UTF-8, so no sortable key starts with it.
const rawKey = 0xff

// appendRawKey joins label values, in the descriptor's order, after rawKey
// and with it between them.
func appendRawKey(b []byte, labels []string) []byte {
	b = append(b, rawKey)
	for i, l := range labels {
		if i > 0 {
			b = append(b, rawKey)
		}
		b = append(b, l...)
	}
	return b
}

// sortable reports whether x's key sorts as its label values do.
func (x *series) sortable() bool { return len(x.key) == 0 || x.key[0] != rawKey }
