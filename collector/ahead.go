package collector

import (
	"bytes"
	"context"
	"encoding/binary"
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
	handed   int             // series before this one were handed to an encoder
	ctx      context.Context // the refresh's: once it ends, nothing more is encoded
	working  sync.WaitGroup
	mu       sync.Mutex
	families []*family // in the order they were first handed
	runs     map[*family]*sortedRuns
}

// sortedRuns are the series of a family handed so far, as runs sorted as
// the render sorts them. The last run is merged into the one before it
// while that one is not more than twice as long, whatever order and size
// pages come in: each run is then over twice as long as the next, there
// are at most log2 of the series of them, a series is merged a few times
// over the refresh, and the render finds its family sorted after merging
// the few left, not a sort.
type sortedRuns struct {
	mu   sync.Mutex
	runs [][]*series // each over twice as long as the next
}

func (r *sortedRuns) add(run []*series, cmp func(a, b *series) int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runs = append(r.runs, run)
	for n := len(r.runs); n > 1 && len(r.runs[n-2]) <= 2*len(r.runs[n-1]); n-- {
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
func (s *seriesSet) encodeAhead(ctx context.Context) {
	s.ahead.want, s.ahead.ctx = formatsOf(ctx), ctx
}

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
		// A refresh that ended (failed, or out of time) gives up its
		// encoding, not the slot of a refresh still going: its series are
		// sorted into their runs all the same.
		select {
		case aheadSlots <- struct{}{}:
			defer func() { <-aheadSlots }()
			a.encode(batch, values, a.want)
		case <-a.ctx.Done():
			a.encode(batch, values, 0)
		}
	})
}

// encode encodes the series of batch, with these values, in the formats
// of want, family by family: it sorts a family's series, encodes them into
// a lineRun and adds them to the family's sorted runs.
func (a *aheadState) encode(batch []*series, values []float64, want formatSet) {
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
		slices.SortFunc(idx, func(i, j int) int { return fam.compare(batch[i], batch[j]) })
		run := make([]*series, len(idx))
		lines := &lineRun{values: make([]float64, len(idx))}
		for k, i := range idx {
			run[k] = batch[i]
			lines.values[k] = values[i]
		}
		lines.encode(fam, run, want, plain)
		for k, x := range run {
			x.run, x.pos = lines, int32(k)
		}
		a.mu.Lock()
		r := a.runs[fam]
		a.mu.Unlock()
		r.add(run, fam.compare)
	}
}

// lineRun is one page's series of one family, in their sorted order, as
// encoded ahead: the values they were encoded with and, by format, their
// lines front coded, each as the length of the prefix it shares with the
// line before and the rest (sorted lines share most of their bytes: this
// keeps a fourth to a third of them while the next pages are read).
type lineRun struct {
	values []float64
	coded  [formats][]byte // nil: not encoded in that format
	line   [formats][]byte // the line last read back (next)
}

// encode encodes the run's series (sorted, with the values of r) in the
// formats of want, chunk by chunk.
func (r *lineRun) encode(fam *family, run []*series, want formatSet, plain *bytes.Buffer) {
	c := getChunkBuilder(fam, min(chunk, len(run)))
	defer putChunkBuilder(c)
	coded := plainBuffers.Get().(*bytes.Buffer)
	defer plainBuffers.Put(coded)
	labels := func(i int, dst []string) { run[i].labelsByName(dst) }
	for f := range formats {
		if !want.has(f) {
			continue
		}
		var prev []byte
		coded.Reset()
		ok := true
		for from := 0; from < len(run); from += chunk {
			part := run[from:min(len(run), from+chunk)]
			mf := c.build(from, from+len(part), labels, r.values)
			plain.Reset()
			if encoders[f](plain, mf) != nil {
				ok = false // the render encodes them, and reports the error
				break
			}
			body := plain.Bytes()
			body = body[headerLen(body):]
			if bytes.Count(body, []byte{'\n'}) != len(part) || body[len(body)-1] != '\n' {
				ok = false // not a line a series: the render encodes them
				break
			}
			var num [2 * binary.MaxVarintLen64]byte
			for len(body) > 0 {
				i := bytes.IndexByte(body, '\n') + 1
				line := body[:i]
				shared := commonPrefix(prev, line)
				n := binary.PutUvarint(num[:], uint64(shared))
				n += binary.PutUvarint(num[n:], uint64(len(line)-shared))
				coded.Write(num[:n])
				coded.Write(line[shared:])
				prev = append(prev[:0], line...)
				body = body[i:]
			}
		}
		if ok {
			r.coded[f] = bytes.Clone(coded.Bytes()) // kept until the render: to size
		}
	}
}

func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// next reads the run's next line in f, in the run's order; false when
// there is none. The line is valid until the next call.
func (r *lineRun) next(f format) ([]byte, bool) {
	b := r.coded[f]
	shared, n1 := binary.Uvarint(b)
	if n1 <= 0 {
		return nil, false
	}
	size, n2 := binary.Uvarint(b[n1:])
	if n2 <= 0 || shared > uint64(len(r.line[f])) || size > uint64(len(b)-n1-n2) {
		return nil, false
	}
	rest := b[n1+n2 : n1+n2+int(size)]
	r.line[f] = append(r.line[f][:shared], rest...)
	r.coded[f] = b[n1+n2+int(size):]
	return r.line[f], true
}

// aheadRef is what a block's encoding needs of a series encoded ahead.
type aheadRef struct {
	run   *lineRun // nil: not encoded ahead
	fresh bool     // the value is the one its line was encoded with
}

// aheadRef returns x's reference to its lines encoded ahead.
func (x *series) aheadRef() aheadRef {
	if x.run == nil {
		return aheadRef{}
	}
	return aheadRef{run: x.run, fresh: math.Float64bits(x.value) == math.Float64bits(x.run.values[x.pos])}
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
