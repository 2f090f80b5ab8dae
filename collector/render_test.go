package collector

import (
	"bytes"
	stdgzip "compress/gzip"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/prometheus/common/promslog"
)

var (
	renderDesc  = newDesc("test", "render", "A test value with \"quotes\", a back\\slash and a\nnew line.", "k", "z")
	renderOther = newDesc("test", "other", "Another test value.", "k")
	// constDesc is not made by newDesc: its metrics take the registry path.
	constDesc = prometheus.NewDesc("billing_test_const", "A constant metric.", []string{"account", "b"}, prometheus.Labels{"fixed": "yes"})
)

// setCollector answers every refresh with the same series, built as the
// package's collectors build them, plus constant metrics.
type setCollector struct {
	account string
	n       int
	updates atomic.Int32
}

func (c *setCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- renderDesc
	ch <- renderOther
	ch <- constDesc
}

// Update reads its series as a paged collector does, in pages of 700,
// encoding them ahead when the refresh tells its formats; a few series
// change after their page was read.
func (c *setCollector) Update(ctx context.Context) ([]prometheus.Metric, error) {
	c.updates.Add(1)
	set := newSeriesSet()
	set.encodeAhead(ctx)
	key := func(i int) string { return fmt.Sprintf("v%05d \"q\" \\ \n 한글", i) }
	// Added in reverse so that the renderer has to sort; more series than
	// one encoding chunk.
	for i := c.n - 1; i >= 0; i-- {
		set.add(renderDesc, float64(i)*1.5, c.account, key(i), strconv.Itoa(c.n-i))
		if i%3 == 0 {
			set.add(renderOther, float64(-i), c.account, key(i))
		}
		if i%700 == 0 {
			set.pageRead()
			// A later page adds to a series of an earlier one.
			set.add(renderDesc, 0.25, c.account, key(c.n-1), "1")
		}
	}
	set.add(renderOther, 0.1, c.account, "nan-free \xff")
	ms, err := set.metrics()
	if err != nil {
		return nil, err
	}
	for _, b := range []string{"y", "x"} {
		ms = append(ms, prometheus.MustNewConstMetric(constDesc, prometheus.GaugeValue, 1e-9, c.account, b))
	}
	return ms, nil
}

// rawCollector emits what a set of collectors return, as the registry saw
// them before scrapes were rendered once per refresh.
type rawCollector struct{ cs []Collector }

func (r rawCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range r.cs {
		c.Describe(ch)
	}
}

func (r rawCollector) Collect(ch chan<- prometheus.Metric) {
	for _, c := range r.cs {
		ms, _ := c.Update(context.Background())
		for _, m := range ms {
			ch <- m
		}
	}
}

// The cached exposition is byte for byte what client_golang's registry and
// promhttp produce for the same metrics: text and OpenMetrics, plain and
// gzip (one gzip member, as curl and browsers need, read alike by Go's and
// klauspost's readers), the same Content-Type, with several targets sharing families, series across
// encoding chunks, escaped label values and help, a registry-path family
// and the live self metrics interleaved by name. The caches are filled by
// a scrape in one format, so that the other is encoded when first asked.
func TestExpositionMatchesClientGolang(t *testing.T) {
	for _, fill := range []expfmt.Format{expfmt.FmtText, expfmt.FmtOpenMetrics_1_0_0} {
		clk := &clock{t: time.Unix(1_700_000_000, 0)}
		cs := []Collector{&setCollector{account: "b-second", n: 3000}, &setCollector{account: "a-first", n: 2100}, &fakeCollector{value: 2}}
		p := refreshPolicy{minRefresh: time.Hour, staleAfter: time.Hour, timeout: time.Minute}
		var targets []*Target
		for i, c := range cs {
			targets = append(targets, newTarget("test", []string{"b-second", "a-first", "acct"}[i], "c", c, p, clk.now, promslog.NewNopLogger()))
		}
		self := prometheus.NewRegistry()
		requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "billing_upstream_requests_total", Help: "Requests."}, []string{"code"})
		requests.WithLabelValues("200").Add(7)
		self.MustRegister(requests)
		static := []accountMetric{{"test", "a-first", prometheus.MustNewConstMetric(thresholdDesc, prometheus.GaugeValue, 3, "test", "a-first", "days")}}
		e := newExporter(targets, static)
		ctx := context.Background()
		if err := e.WriteScrape(ctx, io.Discard, ScrapeOptions{Format: fill}); err != nil { // fills the caches
			t.Fatal(err)
		}

		// The reference: the collectors' own metrics and the same self
		// metrics in one registry, served by promhttp.
		views := make([]view, len(targets))
		for i, tg := range targets {
			views[i] = tg.cache.get(ctx, 0)
		}
		ref := prometheus.NewPedanticRegistry()
		ref.MustRegister(rawCollector{cs}, &selfMetrics{e: e, targets: targets, views: views})
		handler := promhttp.HandlerFor(prometheus.Gatherers{ref, self}, promhttp.HandlerOpts{EnableOpenMetrics: true})

		for _, accept := range []string{
			"",
			"text/plain;version=0.0.4",
			"application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
			"application/openmetrics-text;version=0.0.1",
		} {
			for _, gz := range []bool{false, true} {
				t.Run(fmt.Sprintf("filled=%s/%s/gzip=%t", strings.Fields(string(fill))[0], accept, gz), func(t *testing.T) {
					req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
					req.Header.Set("Accept", accept)
					if gz {
						req.Header.Set("Accept-Encoding", "gzip")
					}
					rec := httptest.NewRecorder()
					handler.ServeHTTP(rec, req)
					want := rec.Body.Bytes()
					if gz {
						want = gunzip(t, want, false)
					}

					format, gzipped := Negotiate(req.Header)
					if string(format) != rec.Header().Get("Content-Type") || gzipped != gz {
						t.Errorf("negotiated %q gzip %t, promhttp %q", format, gzipped, rec.Header().Get("Content-Type"))
					}
					var b bytes.Buffer
					if err := e.WriteScrape(ctx, &b, ScrapeOptions{Format: format, Gzip: gzipped, Self: self}); err != nil {
						t.Fatal(err)
					}
					got := b.Bytes()
					if gz {
						if !bytes.Equal(gunzip(t, got, true), gunzip(t, got, false)) {
							t.Fatal("Go's and klauspost's gzip readers disagree")
						}
						got = gunzip(t, got, false)
					}
					if !bytes.Equal(got, want) {
						t.Errorf("exposition differs from promhttp's (%d vs %d bytes); first difference: %s", len(got), len(want), firstDiff(got, want))
					}
					if !bytes.Contains(got, []byte("billing_test_render{")) || !bytes.Contains(got, []byte(`billing_up{account="a-first"`)) {
						t.Errorf("scrape lacks the families it should have:\n%.600s", got)
					}
				})
			}
		}
	}
}

// A protobuf request gets text, which every Prometheus reads.
func TestNegotiateProtobufFallsBackToText(t *testing.T) {
	h := http.Header{"Accept": {"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"}, "Accept-Encoding": {"gzip;q=0"}}
	format, gz := Negotiate(h)
	if format.FormatType() != expfmt.TypeTextPlain || gz {
		t.Errorf("format %q, gzip %t; want text without gzip", format, gz)
	}
	for v, want := range map[string]bool{"gzip": true, "br, gzip;q=0.5": true, "*": true, "identity": false, "gzip;q=0, *;q=0": false, "": false} {
		if got := acceptsGzip(v); got != want {
			t.Errorf("Accept-Encoding %q: gzip %t, want %t", v, got, want)
		}
	}
}

// Series the registry would refuse fail the refresh instead of every
// scrape: two descriptors with one name, metrics no descriptor announced,
// duplicates of a constant metric, invalid UTF-8 in a constant metric.
func TestRenderValidates(t *testing.T) {
	same := prometheus.NewDesc("billing_test_render", "Same name.", nil, nil)
	dup := prometheus.MustNewConstMetric(constDesc, prometheus.GaugeValue, 1, "a", "x")
	set := newSeriesSet()
	set.add(renderDesc, 1, "a", "k", "z")
	ours, _ := set.metrics()
	for _, tc := range []struct {
		name      string
		metrics   []prometheus.Metric
		described []*prometheus.Desc
		want      string
	}{
		{"two descriptors, one name", append(ours, prometheus.MustNewConstMetric(same, prometheus.GaugeValue, 1)), []*prometheus.Desc{renderDesc, same}, "billing_test_render comes from two descriptors"},
		{"not described", ours, []*prometheus.Desc{renderOther}, "was not described by its collector"},
		{"duplicate", []prometheus.Metric{dup, dup}, []*prometheus.Desc{constDesc}, "collected before with the same name and label values"},
		{"invalid UTF-8", []prometheus.Metric{invalidUTF8{}}, []*prometheus.Desc{constDesc}, "not utf8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			described := map[*prometheus.Desc]bool{}
			for _, d := range tc.described {
				described[d] = true
			}
			if _, err := render(tc.metrics, described, allFormats); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// A refresh whose result does not validate is a failed refresh: up 0, the
// last good values kept.
func TestInvalidResultFailsTheRefresh(t *testing.T) {
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	f := &fakeCollector{value: 1}
	e := testExporter(refreshPolicy{minRefresh: time.Minute, staleAfter: time.Hour, timeout: time.Second}, clk, f)
	gather(t, e, context.Background())
	bad := &invalidCollector{}
	e.targets[0].cache.update = bad.Update
	clk.advance(2 * time.Minute)
	out := gather(t, e, context.Background())
	if !strings.Contains(out, `billing_test_value{account="acct",k="x"} 1`) || !strings.Contains(out, `billing_up{account="acct",collector="a",provider="test"} 0`) {
		t.Errorf("want the last good value with up 0:\n%s", out)
	}
	if err := e.Targets()[0].State().Err; err == nil || !strings.Contains(err.Error(), "was not described") {
		t.Errorf("state error %v", err)
	}
}

// invalidUTF8 is a metric whose label value is not UTF-8.
type invalidUTF8 struct{}

func (invalidUTF8) Desc() *prometheus.Desc { return constDesc }
func (invalidUTF8) Write(m *dto.Metric) error {
	pair := func(n, v string) *dto.LabelPair { return &dto.LabelPair{Name: &n, Value: &v} }
	m.Label = []*dto.LabelPair{pair("account", "a"), pair("b", "\xff"), pair("fixed", "yes")}
	v := 1.0
	m.Gauge = &dto.Gauge{Value: &v}
	return nil
}

type invalidCollector struct{}

func (invalidCollector) Update(context.Context) ([]prometheus.Metric, error) {
	return []prometheus.Metric{prometheus.MustNewConstMetric(constDesc, prometheus.GaugeValue, 1, "a", "b")}, nil
}

// gunzip reads exactly one gzip member, which must be all of b.
func gunzip(t *testing.T, b []byte, klauspost bool) []byte {
	t.Helper()
	br := bytes.NewReader(b)
	var out []byte
	var err error
	if klauspost {
		var r *gzip.Reader
		if r, err = gzip.NewReader(br); err == nil {
			r.Multistream(false)
			out, err = io.ReadAll(r)
		}
	} else {
		var r *stdgzip.Reader
		if r, err = stdgzip.NewReader(br); err == nil {
			r.Multistream(false)
			out, err = io.ReadAll(r)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if br.Len() != 0 {
		t.Fatalf("%d bytes after the first gzip member", br.Len())
	}
	return out
}

// The combined CRC-32 of two parts is the CRC-32 of the whole.
func TestCRC32Combine(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range [][2]int{{0, 0}, {0, 5}, {5, 0}, {1, 1}, {1000, 77777}, {65536, 3}} {
		a, b := make([]byte, n[0]), make([]byte, n[1])
		for i := range a {
			a[i] = byte(r.Uint32())
		}
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		want := crc32.ChecksumIEEE(append(append([]byte(nil), a...), b...))
		if got := crc32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), int64(len(b))); got != want {
			t.Errorf("%v: %08x, want %08x", n, got, want)
		}
	}
}

func firstDiff(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-80)
	return fmt.Sprintf("at byte %d:\n got  %q\n want %q", i, a[from:min(len(a), i+80)], b[from:min(len(b), i+80)])
}

// A family whose names are valid legacy names is encoded as it is; one
// with other names is escaped as promhttp escapes them.
func TestEscapedOnlyWhenNeeded(t *testing.T) {
	fam := func(name, label string) *dto.MetricFamily {
		v, typ := 1.0, dto.MetricType_GAUGE
		return &dto.MetricFamily{Name: &name, Type: &typ, Metric: []*dto.Metric{{
			Label: []*dto.LabelPair{{Name: &label, Value: &name}}, Gauge: &dto.Gauge{Value: &v},
		}}}
	}
	valid := fam("billing_up", "account")
	if escaped(valid) != valid {
		t.Error("valid names: the family was copied")
	}
	for _, mf := range []*dto.MetricFamily{fam("billing.up", "account"), fam("billing_up", "account.name")} {
		var b bytes.Buffer
		if err := encodeText(&b, mf); err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if _, err := expfmt.MetricFamilyToText(&want, model.EscapeMetricFamily(mf, model.UnderscoreEscaping)); err != nil {
			t.Fatal(err)
		}
		if b.String() != want.String() || strings.Contains(strings.SplitN(b.String(), "{", 2)[0], ".") {
			t.Errorf("got %q, want %q", b.String(), want.String())
		}
	}
}

// A refresh encodes the formats scrapes asked for since the refresh
// before; a format nobody asked for is encoded when first asked, once, and
// the series are let go once both are.
func TestRefreshEncodesTheFormatsAsked(t *testing.T) {
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	c := &setCollector{account: "a", n: 3000}
	tg := newTarget("test", "a", "c", c, refreshPolicy{minRefresh: time.Minute, staleAfter: time.Hour, timeout: time.Minute}, clk.now, promslog.NewNopLogger())
	e := newExporter([]*Target{tg}, nil)
	ctx := context.Background()
	encoded := func() (text, om int, kept bool) {
		st := tg.cache.snapshot()
		for _, b := range st.rendered.blocks {
			text += int(b.enc[formatText].seg.size)
			om += int(b.enc[formatOpenMetrics].seg.size)
			kept = kept || b.source != nil
		}
		return text, om, kept
	}
	scrape := func(f expfmt.Format) []byte {
		var b bytes.Buffer
		if err := e.WriteScrape(ctx, &b, ScrapeOptions{Format: f}); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}

	om := scrape(expfmt.FmtOpenMetrics_1_0_0)
	if text, omSize, kept := encoded(); text != 0 || omSize == 0 || !kept {
		t.Fatalf("after an OpenMetrics scrape: %d bytes of text, %d of OpenMetrics encoded, series kept %t; want only OpenMetrics, series kept", text, omSize, kept)
	}
	text := scrape(expfmt.FmtText)
	if textSize, _, kept := encoded(); textSize == 0 || kept {
		t.Fatalf("after a text scrape: %d bytes of text encoded, series kept %t; want text, series let go", textSize, kept)
	}
	if !bytes.Contains(om, []byte("# EOF\n")) || bytes.Contains(text, []byte("# EOF")) || !bytes.Contains(text, []byte("billing_test_render{")) {
		t.Fatalf("scrapes in the wrong format:\n%.300s\n%.300s", om, text)
	}
	if again := scrape(expfmt.FmtText); !bytes.Equal(again, text) || int(c.updates.Load()) != 1 {
		t.Fatalf("a cached text scrape differs or refreshed (%d refreshes)", int(c.updates.Load()))
	}

	// Both were asked for since: the next refresh encodes both.
	clk.advance(2 * time.Minute)
	scrape(expfmt.FmtOpenMetrics_1_0_0)
	if textSize, omSize, kept := encoded(); int(c.updates.Load()) != 2 || textSize == 0 || omSize == 0 || kept {
		t.Fatalf("refresh %d after both formats were asked: %d bytes of text, %d of OpenMetrics, series kept %t; want both, series let go", int(c.updates.Load()), textSize, omSize, kept)
	}
	// Only OpenMetrics since: text is not encoded again.
	clk.advance(2 * time.Minute)
	scrape(expfmt.FmtOpenMetrics_1_0_0)
	if textSize, _, kept := encoded(); int(c.updates.Load()) != 3 || textSize != 0 || !kept {
		t.Fatalf("refresh %d after OpenMetrics only: %d bytes of text, series kept %t", int(c.updates.Load()), textSize, kept)
	}
}

// Scrapes in both formats at once encode each format of a block once and
// agree with the encoder (run with -race).
func TestLazyEncodingConcurrent(t *testing.T) {
	ms, err := (&setCollector{account: "a", n: 5000}).Update(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := [formats]string{}
	for f := range formats {
		r, err := render(ms, nil, f.set())
		if err != nil {
			t.Fatal(err)
		}
		want[f] = inflated(t, r, f)
	}
	r, err := render(ms, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([]string, 8)
	for i := range got {
		wg.Go(func() { got[i] = inflated(t, r, format(i%int(formats))) })
	}
	wg.Wait()
	for i, g := range got {
		if g != want[i%int(formats)] || !strings.Contains(g, "billing_test_render{") {
			t.Errorf("scrape %d (format %d): %d bytes, want %d", i, i%int(formats), len(g), len(want[i%int(formats)]))
		}
	}
}

// inflated is every block of r in f, header lines included.
func inflated(t *testing.T, r *rendered, f format) string {
	var b bytes.Buffer
	for _, bl := range r.blocks {
		b.Write(pick(f == formatOpenMetrics, bl.header.om, bl.header.text))
		seg, err := bl.segment(f)
		if err == nil {
			err = inflate(&b, seg)
		}
		if err != nil {
			t.Error(err)
		}
	}
	return b.String()
}

// A block that cannot be encoded in the format a scrape asks for takes
// its target down for that scrape (billing_up 0, none of its series), not
// one family quietly short; the other targets are served.
func TestEncodingFailureTakesTheTargetDown(t *testing.T) {
	ms, err := (&setCollector{account: "a", n: 10}).Update(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	good, err := render(ms, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	bad, err := render(ms, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	bad.blocks[0].source = func(format) (segment, error) { return segment{}, fmt.Errorf("cannot encode") }
	views := []view{{up: true, data: good}, {up: true, data: bad}}
	err = encodeViews(views, formatText, nil)
	if err == nil || !strings.Contains(err.Error(), "cannot encode") {
		t.Errorf("err = %v", err)
	}
	if !views[0].up || views[0].data != good || views[1].up || views[1].data != nil {
		t.Errorf("views after a failed encoding: first up %t, second up %t with data %t; want the second down without data", views[0].up, views[1].up, views[1].data != nil)
	}
}
