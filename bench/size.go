package main

import (
	"fmt"
	"strings"
	"time"
)

// sizeWorld serves one NCP account whose credits give the wanted number of
// series (3 per credit: remaining, received, expiry). The long
// min_refresh_interval makes every scrape after the first read the cache.
func (h *harness) sizeWorld() world {
	return world{latency: h.s.latency, minRefresh: "25m", ncloud: []ncloudSpec{{credits: h.s.series / 3, collectors: "[credit]"}}}
}

// programRun is what one process cost per scrape (medians) and at peak.
type programRun struct {
	cpu, alloc, wall float64 // seconds, bytes, seconds
	peak             int64   // VmHWM, bytes: the whole life, first refresh included
	steady           int64   // VmRSS after the scrapes, bytes
	bound            bool    // cpu is an upper bound: the scrapes took less than one tick of the CPU clock
}

// clockTick is the resolution of utime+stime in /proc.
const clockTick = 10 * time.Millisecond

// runProgram takes a warm-up scrape (for the exporter, the refresh), one
// more to read the allocation counter from, then the measured scrapes. CPU
// and allocations are their totals divided by their number: a garbage
// collection marks the whole cache but comes every second scrape or so,
// and a median of single scrapes would count it or not by chance.
func (h *harness) runProgram(p *proc, scrapes int, check func(body []byte) error) (programRun, error) {
	sc := newScraper(1)
	defer sc.client.CloseIdleConnections()
	// The warm-up is the exporter's first refresh, which on a loaded
	// machine may outlast one scrape timeout: the refresh goes on, and a
	// later scrape gets its result.
	for try := 1; ; try++ {
		r, err := sc.scrape(h.ctx, p.url)
		if err != nil {
			return programRun{}, err
		}
		if err = check(r.body); err == nil {
			break
		} else if try == 3 {
			return programRun{}, err
		}
	}
	_, first, err := measure(h, p, sc, 0)
	if err != nil {
		return programRun{}, err
	}
	var cpu time.Duration
	var walls []float64
	last := first
	for range scrapes {
		var m measured
		if m, last, err = measure(h, p, sc, last); err != nil {
			return programRun{}, err
		}
		if err := check(m.body); err != nil {
			return programRun{}, err
		}
		cpu += m.cpu
		walls = append(walls, m.wall.Seconds())
	}
	peak, err := p.peakRSS()
	if err != nil {
		return programRun{}, err
	}
	steady, err := p.rss()
	if err != nil {
		return programRun{}, err
	}
	n := float64(scrapes)
	r := programRun{cpu: cpu.Seconds() / n, alloc: (last - first) / n, wall: median(walls), peak: peak, steady: steady}
	if cpu == 0 {
		r.cpu, r.bound = clockTick.Seconds()/n, true
	}
	return r, nil
}

// sizeCase is one size the scrape budget is measured at.
type sizeCase struct {
	ids    [4]string // the rows' numbers: CPU, allocations, steady RSS, peak RSS
	what   string    // e.g. "300000 series (100000 NCP credits)"
	w      world
	prefix string // the exporter's data series are named prefix*
	series int    // and there are this many of them
}

// size: the scrape budget at 100,000 credits.
func (h *harness) size() error {
	series := h.s.series / 3 * 3
	return h.sizeRun(sizeCase{
		ids:  [4]string{"4a", "4b", "5a", "5b"},
		what: fmt.Sprintf("%d series (%d NCP credits)", series, series/3),
		w:    h.sizeWorld(), prefix: "billing_ncloud_credit_", series: series,
	})
}

// sizeRun measures the scrape budget of one size, exporter against floor,
// alternating the two programs in each repetition so that drift in the
// machine's speed affects both alike.
func (h *harness) sizeRun(c sizeCase) error {
	f, err := startFakes(c.w, time.Now())
	if err != nil {
		return err
	}
	defer f.close()
	series := c.series
	var floors, exps []programRun
	for rep := range h.s.reps {
		logf("size: %s: repetition %d of %d", c.what, rep+1, h.s.reps)
		fp, err := startFloor(h.floor, series)
		if err != nil {
			return err
		}
		fr, err := h.runProgram(fp, h.s.scrapesPerRep, func(b []byte) error { return wantSeries(b, "floor_credit_", series) })
		fp.stop()
		if err != nil {
			return fmt.Errorf("floor: %w", err)
		}
		s, err := h.attach(f, 1)
		if err != nil {
			return err
		}
		er, err := h.runProgram(s.p, h.s.cachedScrapes, func(b []byte) error {
			if err := checkUp(b, 1); err != nil {
				return err
			}
			return wantSeries(b, c.prefix, series)
		})
		s.close()
		if err != nil {
			return fmt.Errorf("exporter: %w", err)
		}
		floors, exps = append(floors, fr), append(exps, er)
	}
	fl, ex := medianRun(floors), medianRun(exps)
	for _, v := range []struct {
		what string
		v    float64
	}{{"floor CPU", fl.cpu}, {"exporter CPU", ex.cpu}, {"floor allocations", fl.alloc}} {
		if err := positive(v.what, v.v); err != nil {
			return err
		}
	}
	n := float64(series)
	le := map[bool]string{true: "≤ "}[ex.bound]
	h.add(row{
		scenario: fmt.Sprintf("%s. Cached scrape CPU, %s, gzip as Prometheus asks", c.ids[0], c.what),
		measured: fmt.Sprintf("%s%.3f ms a scrape (%.4f µs a series); floor %.0f ms (%.2f µs)", le, 1e3*ex.cpu, 1e6*ex.cpu/n, 1e3*fl.cpu, 1e6*fl.cpu/n),
		target:   "≤ 0.05 × floor",
		ratio:    fmt.Sprintf("%s%.4f × floor", le, ex.cpu/fl.cpu),
		pass:     ex.cpu <= 0.05*fl.cpu,
	})
	h.add(row{
		scenario: fmt.Sprintf("%s. Bytes allocated per cached scrape, %s", c.ids[1], c.what),
		measured: fmt.Sprintf("%s a scrape; floor %s", mib(int64(ex.alloc)), mib(int64(fl.alloc))),
		target:   "reported", ratio: fmt.Sprintf("%.4f × floor", ex.alloc/fl.alloc), info: true,
	})
	h.add(row{
		scenario: fmt.Sprintf("%s. Steady RSS after the scrapes, %s", c.ids[2], c.what),
		measured: fmt.Sprintf("%s; floor %s", mib(ex.steady), mib(fl.steady)),
		target:   "≤ 0.35 × floor",
		ratio:    fmt.Sprintf("%.2f × floor", float64(ex.steady)/float64(fl.steady)),
		pass:     float64(ex.steady) <= 0.35*float64(fl.steady),
	})
	h.add(row{
		scenario: fmt.Sprintf("%s. Peak RSS over the whole life, first refresh included, %s", c.ids[3], c.what),
		measured: fmt.Sprintf("%s; floor %s", mib(ex.peak), mib(fl.peak)),
		target:   "≤ 0.6 × floor",
		ratio:    fmt.Sprintf("%.2f × floor", float64(ex.peak)/float64(fl.peak)),
		pass:     float64(ex.peak) <= 0.6*float64(fl.peak),
	})
	h.note("Size (%s): %d repetitions, each a fresh floor process and a fresh exporter process (default GOGC), each scraped %d (floor) or %d (exporter) times after a warm-up; CPU a scrape is utime+stime from the start of each scrape to 100 ms after its answer, allocations the rise of go_memstats_alloc_bytes_total, both averaged over the scrapes of a process; medians over repetitions. Scrape wall time: exporter %.3f s, floor %.3f s. The floor serves the same number of gauges with six labels each (bench/floor).",
		c.what, h.s.reps, h.s.scrapesPerRep, h.s.cachedScrapes, ex.wall, fl.wall)
	return nil
}

func medianRun(runs []programRun) programRun {
	var cpu, alloc, wall []float64
	var peak, steady []int64
	bound := false
	for _, r := range runs {
		cpu, alloc, wall, peak, steady = append(cpu, r.cpu), append(alloc, r.alloc), append(wall, r.wall), append(peak, r.peak), append(steady, r.steady)
		bound = bound || r.bound
	}
	return programRun{cpu: median(cpu), alloc: median(alloc), wall: median(wall), peak: median(peak), steady: median(steady), bound: bound}
}

// wantSeries fails unless the scrape has n samples of metrics named prefix*.
func wantSeries(body []byte, prefix string, n int) error {
	if got := countSeries(body, prefix); got != n {
		return fmt.Errorf("%d %s* series, want %d", got, strings.TrimSuffix(prefix, "_"), n)
	}
	return nil
}
