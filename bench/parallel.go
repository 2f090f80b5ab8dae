package main

import "fmt"

// smallWorld is the parallelism scenario's set of accounts, each collector
// one page: N NCP accounts with credit, coin and demand (one month), two VGP
// members and two PortOne merchants (range endpoint, one window).
func (h *harness) smallWorld(minRefresh string) world {
	w := world{latency: h.s.latency, minRefresh: minRefresh, vgp: 2, portone: []int{50, 50}}
	for range h.s.ncloudAccounts {
		w.ncloud = append(w.ncloud, ncloudSpec{credits: 12, coins: 6, demandProducts: 6})
	}
	return w
}

// parallelism: with min_refresh_interval 0 every scrape calls every
// upstream once; since collectors run in parallel, the scrape should take
// one round trip, not their sum.
func (h *harness) parallelism() error {
	s, err := h.startSession(h.smallWorld("0s"), 1)
	if err != nil {
		return err
	}
	defer s.close()
	// The warm-up fetches PortOne's tokens and opens the connections.
	if _, err := s.scrape(h); err != nil {
		return err
	}
	n := s.f.collectors()
	var walls, serial []float64
	var cpus []float64
	for range h.s.wallReps {
		settle()
		before := s.f.calls()
		cpu0, err := s.p.cpu()
		if err != nil {
			return err
		}
		r, err := s.scrape(h)
		if err != nil {
			return err
		}
		cpu1, err := s.p.cpu()
		if err != nil {
			return err
		}
		if calls := s.f.calls() - before; calls != n {
			return fmt.Errorf("a scrape made %d upstream calls, want %d (one per collector)", calls, n)
		}
		walls = append(walls, r.wall.Seconds())
		// Each collector's billing_collector_duration_seconds is its refresh
		// in this scrape: their sum is what a serial exporter would take.
		serial = append(serial, sumOf(r.body, "billing_collector_duration_seconds"))
		cpus = append(cpus, (cpu1 - cpu0).Seconds())
	}
	wall, sum := median(walls), median(serial)
	if err := positive("parallel scrape wall time", wall); err != nil {
		return err
	}
	if err := positive("serial sum", sum); err != nil {
		return err
	}
	L := h.s.latency.Seconds()
	h.add(row{
		scenario: fmt.Sprintf("1. Parallelism: %d collectors (%d NCP accounts × 3, 2 VGP, 2 PortOne), one page each, L = %s",
			n, h.s.ncloudAccounts, h.s.latency),
		measured: fmt.Sprintf("scrape %.3f s; serial sum of the refreshes %.3f s (wall / serial = %.3f)", wall, sum, wall/sum),
		target:   fmt.Sprintf("≤ 1.3 × L = %.3f s", 1.3*L),
		ratio:    fmt.Sprintf("%.2f × L", wall/L),
		pass:     wall <= 1.3*L,
	})
	h.note("Parallelism: median of %d scrapes after a warm-up, min_refresh_interval 0 (%d upstream calls per scrape, checked); exporter CPU per scrape %.0f ms.",
		h.s.wallReps, n, 1000*median(cpus))
	return nil
}
