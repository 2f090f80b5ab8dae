package collector

import (
	"bytes"
	"context"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/promslog"
)

var aheadDesc = newDesc("test", "ahead", "A series read in pages.", "member", "product", "month")

// pagedSet reads pages of series as a paged collector does: members in
// the order pages bring them (months one after another, so that pages
// interleave in the sorted order), and then adds to changed series after
// their pages were read. It returns the set and how many series it has.
func pagedSet(ctx context.Context, members, products int, changed [][4]string) (*seriesSet, int) {
	set := newSeriesSet()
	set.encodeAhead(ctx)
	n := 0
	for _, month := range []string{"202611", "202610", "202612"} {
		for m := range members {
			for p := range products {
				product := "PRD" + strconv.Itoa(p)
				if m == 4 && p == 1 {
					// A value with a zero byte: its family is compared
					// value by value, not by keys.
					product = "PRD\x00" + month
				}
				set.add(aheadDesc, float64(m*products+p), "acct", strconv.Itoa(1000+m), product, month)
				n++
			}
			if m%7 == 6 {
				set.pageRead()
			}
		}
		set.pageRead()
	}
	for _, c := range changed {
		set.add(aheadDesc, 0.5, c[:]...)
	}
	return set, n
}

// countingEncoders counts the series each format's encoder is given, for
// the life of the test.
func countingEncoders(t *testing.T) *[formats]int {
	var counts [formats]int
	saved := encoders
	t.Cleanup(func() { encoders = saved })
	for f := range formats {
		enc := saved[f]
		encoders[f] = func(w *bytes.Buffer, mf *dto.MetricFamily) error {
			counts[f] += len(mf.Metric)
			return enc(w, mf)
		}
	}
	return &counts
}

// A set read in pages hands each page's series to be encoded in the
// background, in the formats of the refresh; the render after the last
// page encodes only the series whose value changed since (and each
// family's first series, for its HELP and TYPE), and its exposition is
// byte for byte the one a set read without encoding ahead gives.
func TestRenderUsesLinesEncodedAhead(t *testing.T) {
	changed := [][4]string{{"acct", "1003", "PRD2", "202610"}, {"acct", "1000", "PRD0", "202612"}, {"acct", "1029", "PRD4", "202611"}}
	plain, n := pagedSet(context.Background(), 30, 5, changed)
	want, err := plain.metrics()
	if err != nil {
		t.Fatal(err)
	}
	ref, err := render(want, nil, allFormats)
	if err != nil {
		t.Fatal(err)
	}
	for _, asked := range []formatSet{formatOpenMetrics.set(), formatText.set(), allFormats} {
		t.Run(fmt.Sprint(asked), func(t *testing.T) {
			ahead, _ := pagedSet(withFormats(context.Background(), asked), 30, 5, changed)
			ms, err := ahead.metrics() // waits for the encoders
			if err != nil {
				t.Fatal(err)
			}
			counts := countingEncoders(t)
			r, err := render(ms, nil, asked)
			if err != nil {
				t.Fatal(err)
			}
			for f := range formats {
				if asked.has(f) && counts[f] != 1+len(changed) {
					t.Errorf("the render encoded %d series in format %d, want %d (the header's and the %d changed)", counts[f], f, 1+len(changed), len(changed))
				}
			}
			if r.series != n || ref.series != n {
				t.Fatalf("%d and %d series, want %d", r.series, ref.series, n)
			}
			for f := range formats {
				// A format not encoded ahead is encoded now, from the series.
				if got, want := inflated(t, r, f), inflated(t, ref, f); got != want {
					t.Errorf("format %d: exposition differs; first difference: %s", f, firstDiff([]byte(got), []byte(want)))
				}
			}
			if got := inflated(t, r, formatOpenMetrics); !strings.Contains(got, `billing_test_ahead{account="acct",member="1003",month="202610",product="PRD2"} 17.5`) {
				t.Errorf("the changed series lacks its last value:\n%.400s", got)
			}
			for _, m := range ms {
				if m.(*series).run != nil {
					t.Fatal("a series still refers to its lines after the render")
				}
			}
		})
	}
}

// Without formats in the context (a collector called outside a refresh),
// a set encodes nothing ahead and hands its series as they were made.
func TestNoFormatsNoEncodingAhead(t *testing.T) {
	set, n := pagedSet(context.Background(), 3, 2, nil)
	ms, err := set.metrics()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != n {
		t.Fatalf("%d metrics, want %d", len(ms), n)
	}
	for _, m := range ms {
		if x := m.(*series); x.run != nil {
			t.Fatalf("series %v was encoded ahead", x.labels)
		}
	}
	if first := ms[0].(*series); first.labels[3] != "202611" || first.labels[1] != "1000" {
		t.Errorf("first series %v, want the first made", first.labels)
	}
}

// formatsCollector records the formats each refresh tells it.
type formatsCollector struct{ told []formatSet }

func (c *formatsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- aheadDesc }
func (c *formatsCollector) Update(ctx context.Context) ([]prometheus.Metric, error) {
	c.told = append(c.told, formatsOf(ctx))
	set := newSeriesSet()
	set.add(aheadDesc, 1, "acct", "m", "p", "202612")
	return set.metrics()
}

// The refresh tells its collectors the formats scrapes asked for.
func TestRefreshTellsItsFormats(t *testing.T) {
	c := &formatsCollector{}
	tg := newTarget("test", "acct", "c", c, refreshPolicy{timeout: time.Minute}, (&clock{}).now, promslog.NewNopLogger())
	tg.cache.get(context.Background(), formatOpenMetrics.set())
	tg.cache.get(context.Background(), formatText.set())
	told := c.told
	if !slices.Equal(told, []formatSet{formatOpenMetrics.set(), formatText.set()}) {
		t.Errorf("refreshes were told %v", told)
	}
}

// Sorted runs merge into the order a sort gives, whether pages come in
// order, interleaved or shuffled, and with series whose values hold zero
// bytes (compared value by value, not by key); pages of any sizes, in any
// order of sizes, leave at most log2 of the series of runs.
func TestSortedRunsMergeAsASort(t *testing.T) {
	f := familyOf(aheadDesc)
	for _, layout := range []string{"in order", "interleaved", "shuffled", "zero bytes"} {
		t.Run(layout, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(len(layout))))
			var all []*series
			for m := range 40 {
				for p := range 9 {
					for _, month := range []string{"a", "b", "c"} {
						labels := []string{"acct", fmt.Sprintf("%03d", m), "P" + strconv.Itoa(p), month}
						if layout == "zero bytes" && rng.IntN(5) == 0 {
							labels[2] += "\x00x"
						}
						all = append(all, &series{fam: f, labels: labels, key: string(appendKey(nil, labels, f.order))})
					}
				}
			}
			switch layout {
			case "interleaved": // month by month, as NCP's demand pages may come
				slices.SortStableFunc(all, func(a, b *series) int { return strings.Compare(a.labels[3], b.labels[3]) })
			case "shuffled", "zero bytes":
				rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
			}
			want := slices.Clone(all)
			slices.SortFunc(want, f.compare)

			var r sortedRuns
			rest := all
			for size := 120; len(rest) > 0; size = max(1, size-1-rng.IntN(8)) { // shrinking pages
				run := slices.Clone(rest[:min(len(rest), size)])
				rest = rest[len(run):]
				slices.SortFunc(run, f.compare)
				r.add(run, f.compare)
				if len(r.runs) > bits.Len(uint(len(all)-len(rest))) {
					t.Fatalf("%d runs for %d series", len(r.runs), len(all)-len(rest))
				}
			}
			got := r.runs[0]
			for _, run := range r.runs[1:] {
				got = merge(got, run, f.compare)
			}
			if !slices.Equal(got, want) {
				t.Errorf("merged order differs from the sort's")
			}
		})
	}
}

// sortsBefore counts a run's first series that sort before x, at every
// position and at both ends.
func TestSortsBefore(t *testing.T) {
	f := familyOf(aheadDesc)
	mk := func(i int) *series {
		labels := []string{"acct", fmt.Sprintf("%04d", i), "p", "m"}
		return &series{fam: f, labels: labels, key: string(appendKey(nil, labels, f.order))}
	}
	for n := 1; n < 70; n++ {
		run := make([]*series, n)
		for i := range run {
			run[i] = mk(2 * i)
		}
		for i := 1; i <= 2*n; i++ {
			if got, want := sortsBefore(run, mk(i), f.compare), (i+1)/2; got != want {
				t.Fatalf("run of %d, x = %d: %d before, want %d", n, i, got, want)
			}
		}
	}
}

// A run's lines read back, in order, as expfmt wrote them: lines sharing
// most of their bytes with the one before, all but the last label's, none,
// and a line shorter than the one before; coded in fewer bytes than the
// lines. Past the last line, or in coded bytes that do not add up, there
// is no line.
func TestLineRunReadsBackItsLines(t *testing.T) {
	f := familyOf(aheadDesc)
	var run []*series
	for _, l := range [][]string{
		{"acct", "1000", "PRD1", "202611"},
		{"acct", "1000", "PRD1", "202612"},
		{"acct", "1000", "PRD10", "202612"},
		{"acct", "1001", "P", "2"},
		{"b", "한글 \"q\"", "\\", "x"},
	} {
		run = append(run, &series{fam: f, labels: l, key: string(appendKey(nil, l, f.order))})
	}
	slices.SortFunc(run, f.compare)
	r := &lineRun{values: []float64{1, 1, 2.5, -3, 1e-9}}
	var plain bytes.Buffer
	r.encode(f, run, allFormats, &plain)

	for ft := range formats {
		c := newChunkBuilder(f, len(run))
		mf := c.build(0, len(run), func(k int, dst []string) { run[k].labelsByName(dst) }, r.values)
		var want bytes.Buffer
		if err := encoders[ft](&want, mf); err != nil {
			t.Fatal(err)
		}
		body := want.Bytes()[headerLen(want.Bytes()):]
		lines := strings.SplitAfter(string(body), "\n")
		lines = lines[:len(lines)-1] // after the last newline
		if len(r.coded[ft]) >= len(body)*3/4 {
			t.Errorf("format %d: %d bytes coded for %d", ft, len(r.coded[ft]), len(body))
		}
		for k, w := range lines {
			got, ok := r.next(ft)
			if !ok || string(got) != w {
				t.Fatalf("format %d, line %d: %q, %t; want %q", ft, k, got, ok, w)
			}
		}
		if got, ok := r.next(ft); ok {
			t.Errorf("format %d: a line past the last: %q", ft, got)
		}
	}

	bad := &lineRun{}
	bad.coded[formatText] = []byte{0, 5, 'a', 'b'} // 5 bytes announced, 2 there
	if got, ok := bad.next(formatText); ok {
		t.Errorf("read %q from bytes that do not add up", got)
	}
	bad.coded[formatText] = []byte{3, 1, 'a'} // 3 bytes shared with no line before
	if got, ok := bad.next(formatText); ok {
		t.Errorf("read %q sharing more than the line before has", got)
	}
}

// An encoder whose refresh has ended does not wait for a slot held by
// other refreshes, nor encode: the set's series still come back, all of
// them, sorted, for the render to encode.
func TestEndedRefreshEncodesNothingAhead(t *testing.T) {
	for range cap(aheadSlots) { // every slot busy with other refreshes
		aheadSlots <- struct{}{}
	}
	defer func() {
		for range cap(aheadSlots) {
			<-aheadSlots
		}
	}()
	ctx, cancel := context.WithCancel(withFormats(context.Background(), formatOpenMetrics.set()))
	cancel()
	set, n := pagedSet(ctx, 10, 3, nil)
	ms, err := set.metrics() // would wait for a free slot
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != n {
		t.Fatalf("%d series, want %d", len(ms), n)
	}
	f := familyOf(aheadDesc)
	for i, m := range ms {
		x := m.(*series)
		if x.run == nil || x.run.coded[formatText] != nil || x.run.coded[formatOpenMetrics] != nil {
			t.Fatalf("series %v: run %v, want one with nothing encoded", x.labels, x.run)
		}
		if i > 0 && f.compare(ms[i-1].(*series), x) >= 0 {
			t.Fatalf("series %d out of order", i)
		}
	}
}
