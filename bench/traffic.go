package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// traffic: many scrapers at once cost the upstream what one would. With
// min_refresh_interval 1m a collector calls its upstream at most once a
// minute (plus the first call); with 0, scrapes that arrive while a refresh
// is in flight share it.
func (h *harness) traffic() error {
	// Cached: 1m.
	scrapes, calls, err := h.scrapeConcurrently("1m", h.s.trafficCached)
	if err != nil {
		return fmt.Errorf("min_refresh_interval 1m: %w", err)
	}
	most := 0
	for _, c := range calls {
		most = max(most, c)
	}
	allowed := h.s.trafficCached.Minutes() + 1
	if err := positive("upstream calls", float64(most)); err != nil {
		return err
	}
	h.add(row{
		scenario: fmt.Sprintf("3a. Upstream traffic: %d scrapers for %s, min_refresh_interval 1m, %d collectors", h.s.scrapers, h.s.trafficCached, len(calls)),
		measured: fmt.Sprintf("at most %d calls per collector in %d scrapes", most, scrapes),
		target:   fmt.Sprintf("≤ 1 per minute + 1 = %.2f", allowed),
		ratio:    fmt.Sprintf("%.2f of allowed", float64(most)/allowed),
		pass:     float64(most) <= allowed,
	})

	// Live: 0.
	scrapes, calls, err = h.scrapeConcurrently("0s", h.s.trafficLive)
	if err != nil {
		return fmt.Errorf("min_refresh_interval 0: %w", err)
	}
	total := 0
	for _, c := range calls {
		total += c
	}
	perScrape := float64(total) / float64(len(calls)) / float64(scrapes)
	if err := positive("upstream calls per scrape", perScrape); err != nil {
		return err
	}
	const limit = 0.25
	h.add(row{
		scenario: fmt.Sprintf("3b. Upstream traffic: %d scrapers for %s, min_refresh_interval 0 (coalescing)", h.s.scrapers, h.s.trafficLive),
		measured: fmt.Sprintf("%.3f calls per collector per scrape (%d scrapes)", perScrape, scrapes),
		target:   fmt.Sprintf("≤ %.2f (well below 1)", limit),
		ratio:    fmt.Sprintf("%.3f", perScrape),
		pass:     perScrape <= limit,
	})
	h.note("Upstream traffic: the parallelism scenario's accounts, L = %s; every scrape answered 200 with every collector up (checked). Calls are data requests counted by the fakes (PortOne tokens not included).", h.s.latency)
	return nil
}

// scrapeConcurrently runs h.s.scrapers scrapers in a loop for d against a
// fresh exporter and returns the number of scrapes and each collector's
// upstream calls.
func (h *harness) scrapeConcurrently(minRefresh string, d time.Duration) (int, map[string]int, error) {
	s, err := h.startSession(h.smallWorld(minRefresh), h.s.scrapers)
	if err != nil {
		return 0, nil, err
	}
	defer s.close()
	n, err := h.hammer(s, h.s.scrapers, d, 0)
	if err != nil {
		return 0, nil, err
	}
	return n, s.f.collectorCalls(), nil
}

// hammer scrapes s with the given number of concurrent scrapers until d has
// passed or, when limit > 0, limit scrapes have started. Any failed scrape
// fails it.
func (h *harness) hammer(s *session, scrapers int, d time.Duration, limit int) (int, error) {
	ctx, cancel := context.WithTimeout(h.ctx, d)
	defer cancel()
	var started, done atomic.Int64
	var once sync.Once
	var firstErr error
	var wg sync.WaitGroup
	for range scrapers {
		wg.Go(func() {
			for ctx.Err() == nil && (limit == 0 || started.Add(1) <= int64(limit)) {
				if _, err := s.scrape(h); err != nil {
					once.Do(func() { firstErr = err; cancel() })
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	return int(done.Load()), h.ctx.Err()
}
