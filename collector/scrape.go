package collector

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// offeredFormats are the formats a scrape is written in, by preference:
// both are rendered once per refresh. A client that asks only for protobuf
// gets text, which every Prometheus accepts.
var offeredFormats = []expfmt.Format{expfmt.FmtOpenMetrics_1_0_0, expfmt.FmtOpenMetrics_0_0_1, expfmt.FmtText}

// Negotiate picks the format and compression of the answer to a request
// with header h, as promhttp does.
func Negotiate(h http.Header) (format expfmt.Format, gzipped bool) {
	return expfmt.NegotiateAccept(h, offeredFormats...), acceptsGzip(h.Get("Accept-Encoding"))
}

// acceptsGzip reads Accept-Encoding: gzip (or *) with a q above 0.
func acceptsGzip(v string) bool {
	for part := range strings.SplitSeq(v, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "*" {
			continue
		}
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			if k, val, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
					q = f
				}
			}
		}
		if q > 0 {
			return true
		}
	}
	return false
}

// ScrapeOptions say what one scrape writes.
type ScrapeOptions struct {
	Format expfmt.Format       // from Negotiate; OpenMetrics or else text
	Gzip   bool                // write gzip members
	Keep   func(*Target) bool  // the targets to include; nil = all
	Names  []string            // only these families (name[]); empty = all
	Self   prometheus.Gatherer // the exporter's own live metrics; nil = none
}

// WriteScrape writes one scrape: the selected targets, each refreshed
// first when its cache has expired and bounded by ctx's deadline, then for
// every family in name order its HELP and TYPE once and the cached block
// of every target that has it, with the live self metrics (billing_up,
// durations, last success, thresholds, and o.Self) encoded now. A slow or
// failing target costs only its own series. An error gathering o.Self
// still writes everything else and is returned.
func (e *Exporter) WriteScrape(ctx context.Context, w io.Writer, o ScrapeOptions) error {
	var targets []*Target
	for _, t := range e.targets {
		if o.Keep == nil || o.Keep(t) {
			targets = append(targets, t)
		}
	}
	views := make([]view, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() { views[i] = t.cache.get(ctx, formatOf(o.Format).set()) })
	}
	wg.Wait()
	var names map[string]bool
	if len(o.Names) > 0 {
		names = map[string]bool{}
		for _, n := range o.Names {
			names[n] = true
		}
	}
	encodeErr := encodeViews(views, formatOf(o.Format), names)

	reg := prometheus.NewRegistry()
	reg.MustRegister(&selfMetrics{e: e, targets: targets, views: views})
	gatherers := prometheus.Gatherers{reg}
	if o.Self != nil {
		gatherers = append(gatherers, o.Self)
	}
	self, gatherErr := gatherers.Gather()

	cached := map[string][]*block{}
	for _, v := range views {
		if v.data == nil {
			continue
		}
		for _, b := range v.data.blocks {
			if names == nil || names[b.name] {
				cached[b.name] = append(cached[b.name], b)
			}
		}
	}
	order := make([]string, 0, len(cached)+len(self))
	for n, blocks := range cached {
		order = append(order, n)
		slices.SortStableFunc(blocks, func(a, b *block) int { return slices.Compare(a.first, b.first) })
	}
	selfByName := map[string]*dto.MetricFamily{}
	for _, mf := range self {
		if names == nil || names[mf.GetName()] {
			selfByName[mf.GetName()] = mf
			if _, dup := cached[mf.GetName()]; !dup {
				order = append(order, mf.GetName())
			}
		}
	}
	slices.Sort(order)

	out := newScrapeWriter(w, o)
	for _, n := range order {
		if blocks := cached[n]; len(blocks) > 0 {
			out.cached(blocks)
		}
		if mf := selfByName[n]; mf != nil {
			out.live(mf)
		}
	}
	out.finish()
	if out.err != nil {
		return out.err
	}
	return errors.Join(encodeErr, gatherErr)
}

func formatOf(f expfmt.Format) format {
	if f.FormatType() == expfmt.TypeOpenMetrics {
		return formatOpenMetrics
	}
	return formatText
}

// encodeViews waits for the selected blocks of every view to be encoded in
// f, encoding those no refresh has encoded yet itself. A target whose
// block fails is down for this scrape (billing_up 0, its series left out)
// rather than quietly short of a family, and the errors are returned.
func encodeViews(views []view, f format, names map[string]bool) error {
	var errs []error
	for i, v := range views {
		if v.data == nil {
			continue
		}
		if err := v.data.encode(f.set(), names); err != nil {
			errs = append(errs, err)
			views[i].up, views[i].data = false, nil
		}
	}
	return errors.Join(errs...)
}

// scrapeWriter writes cached blocks and live families as one answer:
// plain, or one gzip member.
type scrapeWriter struct {
	w      io.Writer
	om     bool
	gz     *gzipSplicer // nil: plain
	scheme model.EscapingScheme
	err    error

	pending bytes.Buffer // live families not yet written
}

func newScrapeWriter(w io.Writer, o ScrapeOptions) *scrapeWriter {
	s := &scrapeWriter{w: w, om: o.Format.FormatType() == expfmt.TypeOpenMetrics, scheme: o.Format.ToEscapingScheme()}
	if o.Gzip {
		s.gz = &gzipSplicer{w: w}
	}
	return s
}

// cached writes a family's header and its blocks.
func (s *scrapeWriter) cached(blocks []*block) {
	s.flushLive()
	if s.err != nil {
		return
	}
	h := blocks[0].header
	if s.gz != nil {
		s.err = s.gz.cached(pick(s.om, h.omZ, h.textZ))
	} else {
		_, s.err = s.w.Write(pick(s.om, h.om, h.text))
	}
	for _, b := range blocks {
		if s.err != nil {
			return
		}
		seg, err := b.segment(pick(s.om, formatOpenMetrics, formatText)) // encoded by encodeViews
		if err != nil {
			s.err = err
		} else if s.gz != nil {
			s.err = s.gz.cached(seg)
		} else {
			s.err = inflate(s.w, seg)
		}
	}
}

func pick[T any](om bool, a, b T) T {
	if om {
		return a
	}
	return b
}

// live encodes a family now; consecutive live families are written
// together.
func (s *scrapeWriter) live(mf *dto.MetricFamily) {
	if s.err != nil {
		return
	}
	mf = model.EscapeMetricFamily(mf, s.scheme)
	var err error
	if s.om {
		_, err = expfmt.MetricFamilyToOpenMetrics(&s.pending, mf)
	} else {
		_, err = expfmt.MetricFamilyToText(&s.pending, mf)
	}
	if err != nil {
		s.err = fmt.Errorf("encoding %s: %w", mf.GetName(), err)
	}
}

func (s *scrapeWriter) flushLive() {
	if s.pending.Len() == 0 || s.err != nil {
		return
	}
	defer s.pending.Reset()
	if s.gz != nil {
		s.err = s.gz.plain(s.pending.Bytes())
		return
	}
	_, s.err = s.w.Write(s.pending.Bytes())
}

// finish writes what is left, and OpenMetrics' final # EOF.
func (s *scrapeWriter) finish() {
	if s.om {
		if _, err := expfmt.FinalizeOpenMetrics(&s.pending); err != nil && s.err == nil {
			s.err = err
		}
	}
	s.flushLive()
	if s.gz != nil && s.err == nil {
		s.err = s.gz.close()
	}
}

// selfMetrics are a scrape's live metrics of its targets.
type selfMetrics struct {
	e       *Exporter
	targets []*Target
	views   []view
}

func (m *selfMetrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range selfDescs {
		ch <- d
	}
}

func (m *selfMetrics) Collect(ch chan<- prometheus.Metric) {
	accounts := map[[2]string]bool{}
	for _, t := range m.targets {
		accounts[[2]string{t.Provider, t.Account}] = true
	}
	for _, s := range m.e.static {
		if accounts[[2]string{s.provider, s.account}] {
			ch <- s.metric
		}
	}
	for i, t := range m.targets {
		v := m.views[i]
		labels := []string{t.Provider, t.Account, t.Collector}
		up := 0.0
		if v.up {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, up, labels...)
		ch <- prometheus.MustNewConstMetric(durationDesc, prometheus.GaugeValue, v.duration.Seconds(), labels...)
		if !v.state.LastSuccess.IsZero() {
			ch <- prometheus.MustNewConstMetric(lastSuccessDesc, prometheus.GaugeValue,
				float64(v.state.LastSuccess.UnixMilli())/1e3, labels...)
		}
	}
}
