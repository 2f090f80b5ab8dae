package main

import (
	"fmt"
	"time"
)

// checkpoint is the exporter's footprint between two bursts of scrapes.
type checkpoint struct {
	rss        int64   // VmRSS
	goroutines float64 // go_goroutines
	heapGoal   float64 // go_memstats_next_gc_bytes: twice the live heap at the last GC
}

// footprint closes the harness's idle connections (each costs the exporter
// a goroutine), lets the exporter settle, scrapes once and reads its
// footprint.
func (h *harness) footprint(s *session) (checkpoint, error) {
	s.sc.client.CloseIdleConnections()
	time.Sleep(200 * time.Millisecond)
	r, err := s.scrape(h)
	if err != nil {
		return checkpoint{}, err
	}
	var c checkpoint
	var err1, err2 error
	c.goroutines, err1 = value(r.body, "go_goroutines")
	c.heapGoal, err2 = value(r.body, "go_memstats_next_gc_bytes")
	if err := firstError(err1, err2); err != nil {
		return c, err
	}
	c.rss, err = s.p.rss()
	return c, err
}

// soak: the steady state does not grow. The small exporter (the
// parallelism scenario's, min_refresh_interval 0, so that every scrape
// refreshes or joins a refresh) takes soakSmall scrapes from 10 scrapers;
// the exporter at size takes soakBig scrapes in turn.
func (h *harness) soak() error {
	small, err := h.startSession(h.smallWorld("0s"), 10)
	if err != nil {
		return err
	}
	err = h.soakRun(small, "6a. Soak: small exporter, min_refresh_interval 0, 10 concurrent scrapers", h.s.soakSmall, 10)
	small.close()
	if err != nil {
		return err
	}
	big, err := h.startSession(h.sizeWorld(), 1)
	if err != nil {
		return err
	}
	defer big.close()
	return h.soakRun(big, fmt.Sprintf("6b. Soak: %d series from cache, one scraper", h.s.series/3*3), h.s.soakBig, 1)
}

// soakRounds is how many checkpoints a soak takes after its warm-up.
const soakRounds = 8

// soakRun scrapes s total times: a fifth to warm up, the rest in
// soakRounds rounds with a checkpoint after each. Memory in use moves with
// the garbage collector's cycle, so a single reading proves little; a leak
// shows as the later rounds' highest reading rising above the earlier
// rounds' highest. RSS may not rise by more than a tenth between the two
// halves, goroutines not at all (two allowed for connections closing).
func (h *harness) soakRun(s *session, name string, total, scrapers int) error {
	warm := max(total/5, 2)
	if err := h.awaitRefresh(s); err != nil {
		return err
	}
	if _, err := h.hammer(s, scrapers, time.Hour, warm); err != nil {
		return err
	}
	per := max((total-warm)/soakRounds-1, 1) // a checkpoint scrapes too
	done := warm
	var marks []checkpoint
	for range soakRounds {
		n, err := h.hammer(s, scrapers, time.Hour, per)
		if err != nil {
			return err
		}
		c, err := h.footprint(s)
		if err != nil {
			return err
		}
		done += n + 1
		marks = append(marks, c)
	}
	early, late := peak(marks[:soakRounds/2]), peak(marks[soakRounds/2:])
	if err := positive("RSS", float64(early.rss)); err != nil {
		return err
	}
	h.add(row{
		scenario: fmt.Sprintf("%s: %d scrapes", name, done),
		measured: fmt.Sprintf("highest of rounds 1-%d → %d-%d after %d warm-up scrapes: RSS %s → %s, heap goal %s → %s, goroutines %.0f → %.0f",
			soakRounds/2, soakRounds/2+1, soakRounds, warm, mib(early.rss), mib(late.rss), mib(int64(early.heapGoal)), mib(int64(late.heapGoal)), early.goroutines, late.goroutines),
		target: fmt.Sprintf("RSS ≤ %.1f ×, goroutines + ≤ 2", soakRSSGrowth),
		ratio:  fmt.Sprintf("RSS %.2f ×, goroutines %+.0f", float64(late.rss)/float64(early.rss), late.goroutines-early.goroutines),
		pass:   float64(late.rss) <= soakRSSGrowth*float64(early.rss) && late.goroutines <= early.goroutines+2,
	})
	return nil
}

// soakRSSGrowth is how much the highest RSS of the late rounds may exceed
// the early rounds': a garbage collection cycle moves it by 15% at 100,000
// series.
const soakRSSGrowth = 1.2

// peak is the highest of each reading over the checkpoints.
func peak(cs []checkpoint) checkpoint {
	var p checkpoint
	for _, c := range cs {
		p.rss, p.goroutines, p.heapGoal = max(p.rss, c.rss), max(p.goroutines, c.goroutines), max(p.heapGoal, c.heapGoal)
	}
	return p
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
