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
	return world{latency: h.s.latency, minRefresh: "1h", ncloud: []ncloudSpec{{credits: h.s.series / 3, collectors: "[credit]"}}}
}

// programRun is what one process cost per scrape (medians) and at peak.
type programRun struct {
	cpu, alloc, wall float64 // seconds, bytes, seconds
	peak             int64   // VmHWM, bytes
}

// runProgram takes a warm-up scrape (for the exporter, the refresh), one
// more to read the allocation counter from, then the measured scrapes. CPU
// and allocations are their totals divided by their number: a garbage
// collection marks the whole cache but comes every second scrape or so,
// and a median of single scrapes would count it or not by chance.
func (h *harness) runProgram(p *proc, check func(body []byte) error) (programRun, error) {
	sc := newScraper(1)
	defer sc.client.CloseIdleConnections()
	if r, err := sc.scrape(h.ctx, p.url); err != nil {
		return programRun{}, err
	} else if err := check(r.body); err != nil {
		return programRun{}, err
	}
	_, first, err := measure(h, p, sc, 0)
	if err != nil {
		return programRun{}, err
	}
	var cpu time.Duration
	var walls []float64
	last := first
	for range h.s.scrapesPerRep {
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
	n := float64(h.s.scrapesPerRep)
	return programRun{cpu: cpu.Seconds() / n, alloc: (last - first) / n, wall: median(walls), peak: peak}, nil
}

// size: the scrape budget at size, exporter against floor, alternating
// the two programs in each repetition so that drift in the machine's speed
// affects both alike.
func (h *harness) size() error {
	f, err := startFakes(h.sizeWorld(), time.Now())
	if err != nil {
		return err
	}
	defer f.close()
	series := h.s.series / 3 * 3
	var floors, exps []programRun
	for rep := range h.s.reps {
		logf("size: repetition %d of %d", rep+1, h.s.reps)
		fp, err := startFloor(h.floor, series)
		if err != nil {
			return err
		}
		fr, err := h.runProgram(fp, func(b []byte) error { return wantSeries(b, "floor_credit_", series) })
		fp.stop()
		if err != nil {
			return fmt.Errorf("floor: %w", err)
		}
		s, err := h.attach(f, 1)
		if err != nil {
			return err
		}
		er, err := h.runProgram(s.p, func(b []byte) error {
			if err := checkUp(b, 1); err != nil {
				return err
			}
			return wantSeries(b, "billing_ncloud_credit_", series)
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
	}{{"floor CPU", fl.cpu}, {"exporter CPU", ex.cpu}, {"floor allocations", fl.alloc}, {"exporter allocations", ex.alloc}} {
		if err := positive(v.what, v.v); err != nil {
			return err
		}
	}
	n := float64(series)
	h.add(row{
		scenario: fmt.Sprintf("4a. Scrape CPU per series, %d series from cached data", series),
		measured: fmt.Sprintf("%.2f µs (%.3f s a scrape); floor %.2f µs (%.3f s)", 1e6*ex.cpu/n, ex.cpu, 1e6*fl.cpu/n, fl.cpu),
		target:   "≤ 1.5 × floor",
		ratio:    fmt.Sprintf("%.2f × floor", ex.cpu/fl.cpu),
		pass:     ex.cpu <= 1.5*fl.cpu,
	})
	h.add(row{
		scenario: fmt.Sprintf("4b. Bytes allocated per series, %d series", series),
		measured: fmt.Sprintf("%.0f B (%s a scrape); floor %.0f B (%s)", ex.alloc/n, mib(int64(ex.alloc)), fl.alloc/n, mib(int64(fl.alloc))),
		target:   "≤ 1.5 × floor",
		ratio:    fmt.Sprintf("%.2f × floor", ex.alloc/fl.alloc),
		pass:     ex.alloc <= 1.5*fl.alloc,
	})
	h.add(row{
		scenario: fmt.Sprintf("5. Peak RSS with %d series (refresh and scrapes included)", series),
		measured: fmt.Sprintf("%s; floor %s", mib(ex.peak), mib(fl.peak)),
		target:   "≤ 1.5 × floor",
		ratio:    fmt.Sprintf("%.2f × floor", float64(ex.peak)/float64(fl.peak)),
		pass:     float64(ex.peak) <= 1.5*float64(fl.peak),
	})
	h.note("Size: %d repetitions, each a fresh floor process and a fresh exporter process (default GOGC), each scraped %d times after a warm-up; CPU a scrape is utime+stime from the start of each scrape to 100 ms after its answer, allocations the rise of go_memstats_alloc_bytes_total, both averaged over the scrapes of a process; medians over repetitions. Scrape wall time: exporter %.3f s, floor %.3f s. The floor serves the same number of gauges with six labels each (bench/floor); a third of the exporter's series (expiry) have three.",
		h.s.reps, h.s.scrapesPerRep, ex.wall, fl.wall)
	return nil
}

func medianRun(runs []programRun) programRun {
	var cpu, alloc, wall []float64
	var peak []int64
	for _, r := range runs {
		cpu, alloc, wall, peak = append(cpu, r.cpu), append(alloc, r.alloc), append(wall, r.wall), append(peak, r.peak)
	}
	return programRun{cpu: median(cpu), alloc: median(alloc), wall: median(wall), peak: median(peak)}
}

// wantSeries fails unless the scrape has n samples of metrics named prefix*.
func wantSeries(body []byte, prefix string, n int) error {
	if got := countSeries(body, prefix); got != n {
		return fmt.Errorf("%d %s* series, want %d", got, strings.TrimSuffix(prefix, "_"), n)
	}
	return nil
}
