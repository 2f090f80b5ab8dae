package collector

import (
	"bytes"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"golang.org/x/sync/errgroup"
)

// A successful refresh is validated and encoded once, as kube-state-metrics
// does: per metric family, the series lines in the text format and in
// OpenMetrics, each kept compressed (deflate.go). A scrape splices the
// compressed segments into its gzip answer, or inflates them for a client
// that did not ask for gzip; the consistency checks the registry ran on
// every scrape run here, once.
//
// A refresh encodes the formats that scrapes asked for since the refresh
// before (Prometheus asks for OpenMetrics; curl and some agents for text);
// a format nobody asked for is encoded the first time a scrape asks, once,
// from what the refresh keeps of the validated series until then: their
// sort keys and values (a tenth of the series as collected), from which
// the label values are read back.

// format is an exposition format a block is encoded in.
type format int

const (
	formatText format = iota
	formatOpenMetrics
	formats // how many
)

// formatSet is a set of formats, one bit each.
type formatSet uint8

func (s formatSet) has(f format) bool { return s&(1<<f) != 0 }
func (f format) set() formatSet       { return 1 << f }

// allFormats asks for every format.
const allFormats formatSet = 1<<formats - 1

// rendered is one refresh of one target.
type rendered struct {
	series int
	blocks []*block // sorted by family name
}

// block is one family's series of one target.
type block struct {
	name   string
	header *header
	// first holds the label values of the block's first series, in label
	// name order: blocks of several targets are written in the order the
	// registry would sort their series.
	first []string
	size  int               // how many series
	enc   [formats]encoding // the series lines, by format
	// source encodes the series lines in a format; it holds the validated
	// series and is dropped once every format is encoded.
	source  func(format) (segment, error)
	pending atomic.Int32 // formats not encoded yet
	// ahead refers to the series lines encoded ahead, until the refresh
	// has encoded its formats.
	ahead []aheadRef
}

// encoding is a block's series lines in one format, encoded once.
type encoding struct {
	once sync.Once
	done atomic.Bool // once has run
	seg  segment
	err  error
}

// segment returns the block's series lines in f, encoding them the first
// time they are asked for.
func (b *block) segment(f format) (segment, error) {
	e := &b.enc[f]
	e.once.Do(func() {
		e.seg, e.err = b.source(f)
		if b.pending.Add(-1) == 0 {
			b.source = nil // both calls have returned: the series can go
		}
		e.done.Store(true)
	})
	return e.seg, e.err
}

// ready reports whether the block is encoded in f without an error (one
// that failed is asked again, to report its error).
func (b *block) ready(f format) bool { return b.enc[f].done.Load() && b.enc[f].err == nil }

// header is a family's HELP and TYPE lines in both formats, plain and
// compressed.
type header struct {
	text, om   []byte
	textZ, omZ segment
}

// chunk is how many series are built as client_model structs at once:
// enough to amortise the encoder's calls, few enough that a family of
// 100,000 series never exists as a tree.
const chunk = 2048

// render validates the metrics of one refresh and encodes them in the
// formats of want; described is the set of descriptors the target's
// collector announced.
func render(metrics []prometheus.Metric, described map[*prometheus.Desc]bool, want formatSet) (*rendered, error) {
	// This runs on one CPU before the rest runs on all: one map lookup a
	// series, and a family's descriptor checked once.
	famIndex := map[*family]int{}
	var fams []*family
	var lists [][]*series
	byDesc := map[*prometheus.Desc][]prometheus.Metric{}
	var descs []*prometheus.Desc
	last := -1 // the family of the series before: most come family by family
	for _, m := range metrics {
		if x, ok := m.(*series); ok && x.fam.name != "" {
			if last >= 0 && fams[last] == x.fam {
				lists[last] = append(lists[last], x)
				continue
			}
			i, seen := famIndex[x.fam]
			if !seen {
				if described != nil && !described[x.fam.desc] {
					return nil, fmt.Errorf("collected metric %s was not described by its collector", x.fam.desc)
				}
				i = len(fams)
				famIndex[x.fam] = i
				fams, lists = append(fams, x.fam), append(lists, nil)
			}
			lists[i], last = append(lists[i], x), i
			continue
		}
		d := m.Desc()
		if described != nil && !described[d] {
			return nil, fmt.Errorf("collected metric %s was not described by its collector", d)
		}
		if _, seen := byDesc[d]; !seen {
			descs = append(descs, d)
		}
		byDesc[d] = append(byDesc[d], m)
	}

	blocks := make([]*block, len(fams)+len(descs))
	g := errgroup.Group{}
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, f := range fams {
		g.Go(func() (err error) {
			blocks[i], err = renderSeries(f, lists[i])
			return err
		})
	}
	for i, d := range descs {
		g.Go(func() (err error) {
			blocks[len(fams)+i], err = renderMetrics(d, byDesc[d])
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	slices.SortFunc(blocks, func(a, b *block) int { return strings.Compare(a.name, b.name) })
	for i := 1; i < len(blocks); i++ {
		if blocks[i].name == blocks[i-1].name {
			return nil, fmt.Errorf("metric family %s comes from two descriptors", blocks[i].name)
		}
	}
	r := &rendered{series: len(metrics), blocks: blocks}
	if err := r.encode(want, nil); err != nil {
		return nil, err
	}
	for _, b := range blocks {
		b.ahead = nil // read: a format encoded later is encoded from the series
	}
	return r, nil
}

// encode encodes the blocks (those named in names; all when nil) in the
// formats of want that are not encoded yet, a family and format at a time
// on every CPU. Blocks already encoded cost no goroutine: the common case
// of a cached scrape.
func (r *rendered) encode(want formatSet, names map[string]bool) error {
	var todo []*block
	for _, b := range r.blocks {
		if names == nil || names[b.name] {
			for f := range formats {
				if want.has(f) && !b.ready(f) {
					todo = append(todo, b)
					break
				}
			}
		}
	}
	if len(todo) == 0 {
		return nil
	}
	g := errgroup.Group{}
	g.SetLimit(runtime.GOMAXPROCS(0))
	// The largest first, so that the last task to start is a short one.
	slices.SortStableFunc(todo, func(a, b *block) int { return b.size - a.size })
	for _, b := range todo {
		for f := range formats {
			if want.has(f) && !b.ready(f) {
				g.Go(func() error {
					_, err := b.segment(f)
					return err
				})
			}
		}
	}
	return g.Wait()
}

// renderSeries renders a family of the package's own series: sorted as the
// registry sorts a family (label values compared in label name order),
// without duplicates.
func renderSeries(f *family, list []*series) (*block, error) {
	keyed := !slices.ContainsFunc(list, func(x *series) bool { return !x.sortable() })
	cmp := f.compare
	if keyed {
		cmp = func(a, b *series) int { return strings.Compare(a.key, b.key) }
	}
	// Series encoded ahead come sorted (ahead.go): checked, not sorted
	// again.
	if !slices.IsSortedFunc(list, cmp) {
		slices.SortFunc(list, cmp)
	}
	n := len(f.labels)
	// The block keeps what it needs to encode a format later: for a family
	// of sortable keys, the keys and values only, not the series, their
	// label slices and the rows' strings; and the lines encoded ahead.
	values := make([]float64, len(list))
	var keys []string
	if keyed && n > 0 {
		keys = make([]string, len(list))
	}
	var ahead []aheadRef
	for i, x := range list {
		for j, v := range x.labels {
			// Sorted series share most of their values with the one
			// before, often the same string: checked once.
			if i > 0 && v == list[i-1].labels[j] {
				continue
			}
			if !utf8.ValidString(v) {
				return nil, fmt.Errorf("%s: label %s has a value that is not valid UTF-8", f.name, f.labels[j])
			}
		}
		if i > 0 && slices.Equal(x.labels, list[i-1].labels) {
			return nil, fmt.Errorf("%s: duplicate series %v", f.name, x.labels)
		}
		values[i] = x.value
		if keys != nil {
			keys[i] = x.key
		}
		if x.run != nil {
			if ahead == nil {
				ahead = make([]aheadRef, len(list))
			}
			// The block holds the lines until the refresh has encoded
			// them; a series kept for a later format must not.
			ahead[i], x.run = x.aheadRef(), nil
		}
	}
	// labels returns series i's label values in label name order, into
	// dst.
	labels := func(i int, dst []string) { list[i].labelsByName(dst) }
	if keys != nil {
		labels = func(i int, dst []string) { splitKey(keys[i], dst) }
	}
	// parts returns a function that builds the family with series
	// from..to, at most most of them at a time, in buffers of its own:
	// two formats may be encoded at once.
	parts := func(most int) func(from, to int) *dto.MetricFamily {
		c := newChunkBuilder(f, min(chunk, len(values), most)) // most families are small
		return func(from, to int) *dto.MetricFamily {
			return c.build(from, to, labels, values)
		}
	}
	return newBlock(f.name, len(list), parts, ahead)
}

// chunkBuilder builds a family's series as client_model structs, up to
// its size at a time, in buffers it reuses.
type chunkBuilder struct {
	f      *family
	mf     dto.MetricFamily
	typ    dto.MetricType
	vals   []string
	pairs  []dto.LabelPair
	ptrs   []*dto.LabelPair
	gauges []dto.Gauge
	ms     []dto.Metric
	mps    []*dto.Metric
}

func newChunkBuilder(f *family, size int) *chunkBuilder {
	return (&chunkBuilder{}).reset(f, size)
}

// reset makes c build series of f, up to size at a time, in the buffers it
// has when they are large enough.
func (c *chunkBuilder) reset(f *family, size int) *chunkBuilder {
	n := len(f.labels)
	if cap(c.vals) < size*n {
		c.vals, c.pairs, c.ptrs = make([]string, size*n), make([]dto.LabelPair, size*n), make([]*dto.LabelPair, size*n)
	}
	if cap(c.ms) < size {
		c.gauges, c.ms, c.mps = make([]dto.Gauge, size), make([]dto.Metric, size), make([]*dto.Metric, size)
	}
	c.f, c.typ = f, dto.MetricType_GAUGE
	c.mf = dto.MetricFamily{Name: &f.name, Help: &f.help, Type: &c.typ}
	return c
}

// chunkBuilders are the encoders' working ahead: each page's families
// would otherwise leave their client_model structs, several hundred
// bytes a series, to the garbage collector.
var chunkBuilders = sync.Pool{New: func() any { return new(chunkBuilder) }}

func getChunkBuilder(f *family, size int) *chunkBuilder {
	return chunkBuilders.Get().(*chunkBuilder).reset(f, size)
}

// putChunkBuilder returns c to the pool, without what it pointed to
// outside itself.
func putChunkBuilder(c *chunkBuilder) {
	clear(c.vals[:cap(c.vals)])
	clear(c.gauges[:cap(c.gauges)])
	c.f, c.mf = nil, dto.MetricFamily{}
	chunkBuilders.Put(c)
}

// build returns the family with series from..to: labels(i, dst) writes
// series i's label values, in label name order, and values[i] is its
// value.
func (c *chunkBuilder) build(from, to int, labels func(i int, dst []string), values []float64) *dto.MetricFamily {
	f, n := c.f, len(c.f.labels)
	c.mf.Metric = c.mps[:to-from]
	for k := range to - from {
		labels(from+k, c.vals[k*n:(k+1)*n])
		lp := c.ptrs[k*n : (k+1)*n]
		for j, i := range f.order {
			c.pairs[k*n+j] = dto.LabelPair{Name: &f.labels[i], Value: &c.vals[k*n+j]}
			lp[j] = &c.pairs[k*n+j]
		}
		c.gauges[k] = dto.Gauge{Value: &values[from+k]}
		c.ms[k] = dto.Metric{Label: lp, Gauge: &c.gauges[k]}
		c.mps[k] = &c.ms[k]
	}
	return &c.mf
}

// splitKey reads a sortable key (appendKey) back into its label values,
// in label name order: len(dst) of them.
func splitKey(key string, dst []string) {
	for j := range len(dst) - 1 {
		i := strings.IndexByte(key, 0)
		dst[j], key = key[:i], key[i+1:]
	}
	dst[len(dst)-1] = key
}

// renderMetrics renders the metrics of one descriptor that were not made
// by a seriesSet, through a registry of their own: the registry's checks
// and order, once per refresh.
func renderMetrics(d *prometheus.Desc, list []prometheus.Metric) (*block, error) {
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(metricList{d, list}); err != nil {
		return nil, err
	}
	mfs, err := reg.Gather()
	if err != nil {
		return nil, err
	}
	if len(mfs) != 1 {
		return nil, fmt.Errorf("%s: gathered %d families", d, len(mfs))
	}
	all := mfs[0].Metric
	return newBlock(mfs[0].GetName(), len(all), func(int) func(from, to int) *dto.MetricFamily {
		// A family of its own: two formats may be encoded at once.
		src := mfs[0]
		mf := &dto.MetricFamily{Name: src.Name, Help: src.Help, Type: src.Type, Unit: src.Unit}
		return func(from, to int) *dto.MetricFamily {
			mf.Metric = all[from:to]
			return mf
		}
	}, nil)
}

type metricList struct {
	desc    *prometheus.Desc
	metrics []prometheus.Metric
}

func (l metricList) Describe(ch chan<- *prometheus.Desc) { ch <- l.desc }
func (l metricList) Collect(ch chan<- prometheus.Metric) {
	for _, m := range l.metrics {
		ch <- m
	}
}

// newBlock makes the block of a family of n series (n > 0): its headers
// now, from its first series, and its series lines in each format when
// first asked for. parts(most) returns a function that builds the family
// with series from..to, to-from <= most: the headers need one series, not
// a chunk's buffers. ahead, when not nil, tells which series were encoded
// ahead (ahead.go), for the formats of the refresh.
func newBlock(name string, n int, parts func(most int) func(from, to int) *dto.MetricFamily, ahead []aheadRef) (*block, error) {
	b := &block{name: name, header: &header{}, size: n, ahead: ahead}
	mf := parts(1)(0, 1)
	for _, m := range mf.Metric[0].Label {
		b.first = append(b.first, m.GetValue())
	}
	var plain bytes.Buffer
	for f, h := range []*[]byte{&b.header.text, &b.header.om} {
		plain.Reset()
		if err := encoders[f](&plain, mf); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		*h = bytes.Clone(plain.Bytes()[:headerLen(plain.Bytes())])
	}
	b.header.textZ = storedSegment(b.header.text)
	b.header.omZ = storedSegment(b.header.om)
	b.source = func(f format) (segment, error) { return encodeSeries(name, f, n, parts, b.ahead) }
	b.pending.Store(int32(formats))
	return b, nil
}

// encoders encode a family with expfmt, by format.
var encoders = [formats]func(*bytes.Buffer, *dto.MetricFamily) error{encodeText, encodeOpenMetrics}

// encodeSeries encodes n series of a family in f, without the header
// lines: the lines encoded ahead as they are (ahead, when not nil, tells
// which), the others chunk by chunk (parts as for newBlock).
func encodeSeries(name string, f format, n int, parts func(most int) func(from, to int) *dto.MetricFamily, ahead []aheadRef) (segment, error) {
	// The series lines go to a plain buffer, and from it to the segment
	// once they are large enough to be worth a compressor's call.
	var (
		out  segmentBuilder
		part func(from, to int) *dto.MetricFamily
	)
	plain := plainBuffers.Get().(*bytes.Buffer)
	defer plainBuffers.Put(plain)
	plain.Reset()
	flush := func() error {
		err := out.write(plain.Bytes())
		plain.Reset()
		return err
	}
	// encode encodes series from..to with expfmt.
	encode := func(from, to int) error {
		if part == nil {
			part = parts(chunk)
		}
		if err := flush(); err != nil {
			return err
		}
		if err := encoders[f](plain, part(from, to)); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		body := plain.Bytes()
		err := out.write(body[headerLen(body):])
		plain.Reset()
		return err
	}
	if ahead == nil {
		for from := 0; from < n; from += chunk {
			if err := encode(from, min(n, from+chunk)); err != nil {
				return segment{}, err
			}
		}
		return out.segment()
	}
	pending := 0 // series pending..i-1 are to be encoded
	for i := range n {
		var line []byte
		if ahead[i].run != nil {
			// Read even when stale: a run's lines are read in order.
			if l, ok := ahead[i].run.next(f); ok && ahead[i].fresh {
				line = l
			}
		}
		if line == nil {
			if i+1-pending == chunk {
				if err := encode(pending, i+1); err != nil {
					return segment{}, err
				}
				pending = i + 1
			}
			continue
		}
		if pending < i {
			if err := encode(pending, i); err != nil {
				return segment{}, err
			}
		}
		pending = i + 1
		plain.Write(line)
		if plain.Len() >= flushSize {
			if err := flush(); err != nil {
				return segment{}, err
			}
		}
	}
	if pending < n {
		if err := encode(pending, n); err != nil {
			return segment{}, err
		}
	}
	if err := flush(); err != nil {
		return segment{}, err
	}
	return out.segment()
}

// flushSize is how many bytes of lines encoded ahead are gathered before
// they go to the compressor.
const flushSize = 64 << 10

// plainBuffers hold a chunk's series lines between the encoder and the
// compressor: a chunk of a large family is about half a megabyte, which a
// new buffer grew to by copying, for every block.
var plainBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// segmentBuilder collects one block's bytes, compressing them once there
// are enough to be worth it.
type segmentBuilder struct {
	small bytes.Buffer
	z     *segmenter
}

func (s *segmentBuilder) write(p []byte) error {
	if s.z == nil && s.small.Len()+len(p) < storedLimit {
		s.small.Write(p)
		return nil
	}
	if s.z == nil {
		s.z = newSegmenter()
		if _, err := s.z.Write(s.small.Bytes()); err != nil {
			return err
		}
	}
	_, err := s.z.Write(p)
	return err
}

func (s *segmentBuilder) segment() (segment, error) {
	if s.z == nil {
		return storedSegment(s.small.Bytes()), nil
	}
	return s.z.segment()
}

func encodeText(w *bytes.Buffer, mf *dto.MetricFamily) error {
	_, err := expfmt.MetricFamilyToText(w, escaped(mf))
	return err
}

func encodeOpenMetrics(w *bytes.Buffer, mf *dto.MetricFamily) error {
	_, err := expfmt.MetricFamilyToOpenMetrics(w, escaped(mf))
	return err
}

// escaped is mf with its names escaped as promhttp escapes them
// (underscores), or mf itself when they are valid legacy names already, as
// every name of the exporter's own is. The names are checked on the first
// series only: every series of a family comes from one descriptor and has
// its label names. EscapeMetricFamily checks every label of every series,
// 15% of a large family's rendering, to change nothing.
func escaped(mf *dto.MetricFamily) *dto.MetricFamily {
	valid := model.LegacyValidation.IsValidMetricName(mf.GetName())
	if len(mf.Metric) > 0 {
		for _, l := range mf.Metric[0].Label {
			valid = valid && model.LegacyValidation.IsValidMetricName(l.GetName()) && l.GetName() != model.MetricNameLabel
		}
	}
	if valid {
		return mf
	}
	return model.EscapeMetricFamily(mf, model.UnderscoreEscaping)
}

// headerLen is the length of the comment lines (HELP, TYPE, UNIT) that
// start an encoded family.
func headerLen(b []byte) int {
	n := 0
	for bytes.HasPrefix(b[n:], []byte("# ")) {
		i := bytes.IndexByte(b[n:], '\n')
		if i < 0 {
			return len(b)
		}
		n += i + 1
	}
	return n
}
