package collector

import (
	"bytes"
	"fmt"
	"runtime"
	"slices"
	"strings"
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
	text  segment // the text format's series lines
	om    segment // OpenMetrics' series lines
}

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

// render validates and encodes the metrics of one refresh. described is
// the set of descriptors the target's collector announced.
func render(metrics []prometheus.Metric, described map[*prometheus.Desc]bool) (*rendered, error) {
	byFamily := map[*family][]*series{}
	var fams []*family
	byDesc := map[*prometheus.Desc][]prometheus.Metric{}
	var descs []*prometheus.Desc
	for _, m := range metrics {
		d := m.Desc()
		if described != nil && !described[d] {
			return nil, fmt.Errorf("collected metric %s was not described by its collector", d)
		}
		if x, ok := m.(*series); ok && x.fam.name != "" {
			if _, seen := byFamily[x.fam]; !seen {
				fams = append(fams, x.fam)
			}
			byFamily[x.fam] = append(byFamily[x.fam], x)
			continue
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
			blocks[i], err = renderSeries(f, byFamily[f])
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
	return &rendered{series: len(metrics), blocks: blocks}, nil
}

// renderSeries renders a family of the package's own series: sorted as the
// registry sorts a family (label values compared in label name order),
// without duplicates.
func renderSeries(f *family, list []*series) (*block, error) {
	if !slices.ContainsFunc(list, func(x *series) bool { return !x.sortable() }) {
		slices.SortFunc(list, func(a, b *series) int { return strings.Compare(a.key, b.key) })
	} else {
		slices.SortFunc(list, func(a, b *series) int {
			for _, i := range f.order {
				if c := strings.Compare(a.labels[i], b.labels[i]); c != 0 {
					return c
				}
			}
			return 0
		})
	}
	for i, x := range list {
		for j, v := range x.labels {
			if !utf8.ValidString(v) {
				return nil, fmt.Errorf("%s: label %s has a value that is not valid UTF-8", f.name, f.labels[j])
			}
		}
		if i > 0 && slices.Equal(x.labels, list[i-1].labels) {
			return nil, fmt.Errorf("%s: duplicate series %v", f.name, x.labels)
		}
	}
	name, help, typ := f.name, f.help, dto.MetricType_GAUGE
	mf := &dto.MetricFamily{Name: &name, Help: &help, Type: &typ}
	size := min(chunk, len(list)) // most families are small
	pairs := make([]dto.LabelPair, size*len(f.labels))
	ptrs := make([]*dto.LabelPair, size*len(f.labels))
	gauges := make([]dto.Gauge, size)
	ms := make([]dto.Metric, size)
	mps := make([]*dto.Metric, size)
	return encodeFamily(name, len(list), func(from, to int) *dto.MetricFamily {
		mf.Metric = mps[:to-from]
		n := len(f.labels)
		for k, x := range list[from:to] {
			lp := ptrs[k*n : (k+1)*n]
			for j, i := range f.order {
				pairs[k*n+j] = dto.LabelPair{Name: &f.labels[i], Value: &x.labels[i]}
				lp[j] = &pairs[k*n+j]
			}
			gauges[k] = dto.Gauge{Value: &x.value}
			ms[k] = dto.Metric{Label: lp, Gauge: &gauges[k]}
			mps[k] = &ms[k]
		}
		return mf
	})
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
	mf := mfs[0]
	all := mf.Metric
	return encodeFamily(mf.GetName(), len(all), func(from, to int) *dto.MetricFamily {
		mf.Metric = all[from:to]
		return mf
	})
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

// encodeFamily encodes n series of a family, chunk by chunk (part returns
// the family with series from..to), with expfmt in both formats.
func encodeFamily(name string, n int, part func(from, to int) *dto.MetricFamily) (*block, error) {
	b := &block{name: name, header: &header{}}
	// The series lines go to a plain buffer until it is large enough to be
	// worth compressing; from then on through a compressor.
	outs := [2]*segmentBuilder{{}, {}}
	var plain bytes.Buffer
	for from := 0; from < n; from += chunk {
		mf := part(from, min(n, from+chunk))
		if from == 0 {
			for _, m := range mf.Metric[0].Label {
				b.first = append(b.first, m.GetValue())
			}
		}
		for i, f := range []struct {
			encode func(*bytes.Buffer, *dto.MetricFamily) error
			header *[]byte
		}{{encodeText, &b.header.text}, {encodeOpenMetrics, &b.header.om}} {
			plain.Reset()
			if err := f.encode(&plain, mf); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			body := plain.Bytes()
			h := headerLen(body)
			if from == 0 {
				*f.header = bytes.Clone(body[:h])
			}
			if err := outs[i].write(body[h:]); err != nil {
				return nil, err
			}
		}
	}
	var err error
	if b.text, err = outs[0].segment(); err != nil {
		return nil, err
	}
	if b.om, err = outs[1].segment(); err != nil {
		return nil, err
	}
	b.header.textZ = storedSegment(b.header.text)
	b.header.omZ = storedSegment(b.header.om)
	return b, nil
}

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
