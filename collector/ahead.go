package collector

import (
	"bytes"
	"context"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"

	"golang.org/x/sync/errgroup"
)

// Encoding ahead. A paged refresh spends most of its time waiting for the
// next pages, and a page's series are final as soon as it has been read,
// but for the few that a later row adds to. A set that encodes ahead hands
// the series of each page read to a background encoder, in the formats the
// refresh will encode, while the next pages are on their way; the encoder
// also sorts them and merges them into the family's sorted runs. After the
// last page the render then checks and compresses, and encodes only the
// series whose value changed since: at the size of an NCP partner account
// (174,000 series), encoding and sorting were two thirds of the work left
// after the last page. The lines are encoded by expfmt as the render would
// encode them, one series a line; the render uses them in place of its
// own.

// formatsKey is the context key of the formats a refresh encodes.
type formatsKey struct{}

// withFormats tells the collectors that the refresh of ctx encodes want.
func withFormats(ctx context.Context, want formatSet) context.Context {
	return context.WithValue(ctx, formatsKey{}, want)
}

func formatsOf(ctx context.Context) formatSet {
	want, _ := ctx.Value(formatsKey{}).(formatSet)
	return want
}

// aheadSlots bounds the encoders working ahead, process-wide, to the
// CPUs: they take what the decoders leave.
var aheadSlots = make(chan struct{}, runtime.GOMAXPROCS(0))

// aheadState is a seriesSet's encoding ahead.
type aheadState struct {
	want     formatSet
	handed   int // series before this one were handed to an encoder
	working  sync.WaitGroup
	mu       sync.Mutex
	families []*family // in the order they were first handed
	runs     map[*family]*sortedRuns
}

// sortedRuns are the series of a family handed so far, as runs sorted as
// the render sorts them. A run is merged into the one before it while it
// is as long: there are never more than log2 of the pages, and the render
// finds its family sorted after a merge of the few left, not a sort.
type sortedRuns struct {
	mu   sync.Mutex
	runs [][]*series // longest first
}

func (r *sortedRuns) add(run []*series, cmp func(a, b *series) int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runs = append(r.runs, run)
	for n := len(r.runs); n > 1 && len(r.runs[n-1]) >= len(r.runs[n-2]); n-- {
		r.runs = append(r.runs[:n-2], merge(r.runs[n-2], r.runs[n-1], cmp))
	}
}

// merge merges two sorted runs into a new one, a stretch at a time: pages
// often hold stretches of series that sort together (one member's
// products), and a stretch is found by galloping, in fewer comparisons
// than series.
func merge(a, b []*series, cmp func(a, b *series) int) []*series {
	out := make([]*series, 0, len(a)+len(b))
	if len(a) > 0 && len(b) > 0 && cmp(b[0], a[0]) < 0 {
		a, b = b, a
	}
	for len(a) > 0 && len(b) > 0 {
		// a[0] sorts first: take a's stretch before b[0], then b leads.
		n := sortsBefore(a, b[0], cmp)
		out = append(out, a[:n]...)
		a, b = b, a[n:]
	}
	return append(append(out, a...), b...)
}

// sortsBefore returns how many of run's first series sort before x, run[0]
// known to: by doubling steps, then by bisection.
func sortsBefore(run []*series, x *series, cmp func(a, b *series) int) int {
	lo, hi := 0, 1 // run[lo] sorts before x
	for hi < len(run) && cmp(run[hi], x) < 0 {
		lo, hi = hi, 2*hi
	}
	hi = min(hi, len(run))
	// run[lo] < x; run[hi] >= x or hi == len(run).
	return lo + 1 + sort.Search(hi-lo-1, func(i int) bool { return cmp(run[lo+1+i], x) >= 0 })
}

// encodeAhead makes the set encode ahead, in the formats of ctx's refresh
// (none when ctx tells none).
func (s *seriesSet) encodeAhead(ctx context.Context) { s.ahead.want = formatsOf(ctx) }

// pageRead hands the series made since the last call to an encoder in
// the background. The caller then goes on adding series, and may change
// the values of those handed: the encoder reads a copy of the values, and
// the render encodes again a series whose value is not the one copied.
func (s *seriesSet) pageRead() {
	a := &s.ahead
	if a.want == 0 || a.handed == s.n {
		return
	}
	batch := make([]*series, 0, s.n-a.handed)
	values := make([]float64, 0, s.n-a.handed)
	a.mu.Lock()
	if a.runs == nil {
		a.runs = map[*family]*sortedRuns{}
	}
	for i := a.handed; i < s.n; i++ {
		x := s.at(int32(i))
		if x.fam.name == "" || len(x.labels) != len(x.fam.labels) {
			continue // reported by metrics
		}
		batch = append(batch, x)
		values = append(values, x.value)
		if a.runs[x.fam] == nil {
			a.runs[x.fam] = &sortedRuns{}
			a.families = append(a.families, x.fam)
		}
	}
	a.mu.Unlock()
	a.handed = s.n
	a.working.Go(func() {
		aheadSlots <- struct{}{}
		defer func() { <-aheadSlots }()
		a.encode(batch, values)
	})
}

// encode encodes the series of batch, with these values, in the formats
// of want, family by family, gives each series its lines, and adds the
// family's series to its sorted runs.
func (a *aheadState) encode(batch []*series, values []float64) {
	want := a.want
	byFamily := map[*family][]int{}
	var fams []*family
	for i, x := range batch {
		if _, seen := byFamily[x.fam]; !seen {
			fams = append(fams, x.fam)
		}
		byFamily[x.fam] = append(byFamily[x.fam], i)
	}
	plain := plainBuffers.Get().(*bytes.Buffer)
	defer plainBuffers.Put(plain)
	for _, fam := range fams {
		idx := byFamily[fam]
		c := newChunkBuilder(fam, min(chunk, len(idx)))
		for from := 0; from < len(idx); from += chunk {
			part := idx[from:min(len(idx), from+chunk)]
			mf := c.build(len(part), func(k int, dst []string) {
				x := batch[part[k]]
				for j, i := range fam.order {
					dst[j] = x.labels[i]
				}
			}, func(k int) *float64 { return &values[part[k]] })
			for f := range formats {
				if !want.has(f) {
					continue
				}
				plain.Reset()
				if encoders[f](plain, mf) != nil {
					continue // the render encodes them, and reports the error
				}
				body := plain.Bytes()
				lines := splitLines(bytes.Clone(body[headerLen(body):]), len(part))
				for k, line := range lines {
					x := batch[part[k]]
					x.ahead[f], x.aheadValue = line, values[part[k]]
				}
			}
		}
		run := make([]*series, len(idx))
		for k, i := range idx {
			run[k] = batch[i]
		}
		cmp := fam.compare
		slices.SortFunc(run, cmp)
		a.mu.Lock()
		r := a.runs[fam]
		a.mu.Unlock()
		r.add(run, cmp)
	}
}

// splitLines splits b into n lines, each with its newline, or returns nil
// when b is not n lines.
func splitLines(b []byte, n int) [][]byte {
	if bytes.Count(b, []byte{'\n'}) != n || (n > 0 && b[len(b)-1] != '\n') {
		return nil
	}
	lines := make([][]byte, n)
	for k := range lines {
		i := bytes.IndexByte(b, '\n')
		lines[k], b = b[:i+1:i+1], b[i+1:]
	}
	return lines
}

// sorted waits for every series handed to be encoded, and returns them
// family by family, each family sorted; nil when none were handed.
func (a *aheadState) sorted() []*series {
	a.working.Wait()
	if len(a.families) == 0 {
		return nil
	}
	// The families' last merges, on every CPU.
	merged := make([][]*series, len(a.families))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, f := range a.families {
		g.Go(func() error {
			r := a.runs[f]
			for n := len(r.runs); n > 1; n-- {
				r.runs = append(r.runs[:n-2], merge(r.runs[n-2], r.runs[n-1], f.compare))
			}
			merged[i] = r.runs[0]
			return nil
		})
	}
	_ = g.Wait() // nothing fails
	return slices.Concat(merged...)
}

// encodedAhead returns x's line encoded ahead in f, nil when it has none
// or its value changed since.
func (x *series) encodedAhead(f format) []byte {
	if math.Float64bits(x.value) != math.Float64bits(x.aheadValue) {
		return nil
	}
	return x.ahead[f]
}
