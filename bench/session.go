package main

import (
	"fmt"
	"runtime/debug"
	"time"
)

// session is one exporter process scraping one world of fakes.
type session struct {
	f      *fakes
	p      *proc
	sc     *scraper
	shared bool // f belongs to the caller
}

// startSession generates the world's data, serves it and starts an
// exporter pointed at it.
func (h *harness) startSession(w world, conns int) (*session, error) {
	f, err := startFakes(w, time.Now())
	if err != nil {
		return nil, err
	}
	s, err := h.attach(f, conns)
	if err != nil {
		f.close()
		return nil, err
	}
	s.shared = false
	return s, nil
}

// attach starts an exporter pointed at running fakes; closing the session
// then stops only the exporter (the caller closes f).
func (h *harness) attach(f *fakes, conns int) (*session, error) {
	cfg, err := f.config(h.dir)
	if err != nil {
		return nil, err
	}
	p, err := startExporter(h.exporter, cfg)
	if err != nil {
		return nil, err
	}
	return &session{f: f, p: p, sc: newScraper(conns), shared: true}, nil
}

// close stops the exporter, and the fakes when the session started them.
func (s *session) close() {
	s.p.stop()
	s.sc.client.CloseIdleConnections()
	if !s.shared {
		s.f.close()
	}
}

// scrape scrapes the exporter once and checks that every collector is up.
func (s *session) scrape(h *harness) (scrapeResult, error) {
	r, err := s.sc.scrape(h.ctx, s.p.url)
	if err == nil {
		err = checkUp(r.body, s.f.collectors())
	}
	if err != nil {
		if dead := s.p.alive(); dead != nil {
			return r, dead
		}
		return r, fmt.Errorf("%w (exporter log: %s)", err, s.p.log())
	}
	return r, nil
}

// measured is what one scrape cost the scraped program.
type measured struct {
	wall  time.Duration
	cpu   time.Duration
	alloc float64 // bytes allocated since the previous scrape's snapshot
	body  []byte
}

// measure scrapes target and reads the CPU the program used for it,
// waiting a moment after the answer so that garbage collection the scrape
// set off is counted too. prevAlloc is the previous scrape's
// go_memstats_alloc_bytes_total (0: none, alloc is then 0).
func measure(h *harness, p *proc, sc *scraper, prevAlloc float64) (measured, float64, error) {
	settle()
	cpu0, err := p.cpu()
	if err != nil {
		return measured{}, 0, err
	}
	r, err := sc.scrape(h.ctx, p.url)
	if err != nil {
		return measured{}, 0, err
	}
	time.Sleep(100 * time.Millisecond)
	cpu1, err := p.cpu()
	if err != nil {
		return measured{}, 0, err
	}
	total, err := value(r.body, "go_memstats_alloc_bytes_total")
	if err != nil {
		return measured{}, 0, err
	}
	m := measured{wall: r.wall, cpu: cpu1 - cpu0, body: r.body}
	if prevAlloc > 0 {
		m.alloc = total - prevAlloc
	}
	return m, total, nil
}

// settle collects the harness's own garbage (generated data and rendered
// pages of earlier scenarios) and hands the freed memory back to the OS
// before a measurement, so that the harness, whose fakes share the CPUs
// with the exporter, does neither during one.
func settle() { debug.FreeOSMemory() }

// awaitRefresh scrapes until every collector is up: a first refresh of a
// large account may outlast one scrape timeout on a loaded machine, and
// goes on until a later scrape gets its result.
func (h *harness) awaitRefresh(s *session) error {
	for try := 1; ; try++ {
		r, err := s.sc.scrape(h.ctx, s.p.url)
		if err != nil {
			return err
		}
		err = checkAllUp(r.body)
		if err == nil || try == 3 {
			return err
		}
	}
}
