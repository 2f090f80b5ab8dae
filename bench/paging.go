package main

import (
	"fmt"
	"math"
	"time"
)

// paging: one account with many pages; page 1 tells the total, the rest
// are read max_concurrency (4) at a time. The target applies to the
// refresh (billing_collector_duration_seconds: from the first request to
// the last page decoded and turned into series), which is the paging; the
// scrape also encodes the result, 150,000 series for 50,000 credits, whose
// cost scenario 4 measures. The fakes' clock bounds it from below: it may
// not be shorter than from the first page's arrival to the last answer.
func (h *harness) paging() error {
	L := h.s.latency.Seconds()
	// NCP: 1000 credits a page.
	{
		w := world{latency: h.s.latency, minRefresh: "0s", ncloud: []ncloudSpec{{credits: h.s.pagingCredits, collectors: "[credit]"}}}
		pages := (h.s.pagingCredits + 999) / 1000
		res, err := h.pagingRun(w, pages)
		if err != nil {
			return fmt.Errorf("ncloud: %w", err)
		}
		if res.peak > 4 {
			return fmt.Errorf("ncloud: %d requests in flight at once, max_concurrency is 4", res.peak)
		}
		h.add(pagingRow(fmt.Sprintf("2a. Paging: NCP, %d credits = %d pages (XML), max_concurrency 4", h.s.pagingCredits, pages), pages, L, res,
			fmt.Sprintf("; exporter CPU %.2f s a scrape, %.1f µs per credit", res.cpu, 1e6*res.cpu/float64(h.s.pagingCredits))))
	}
	// PortOne: the range endpoint, 1000 schedules a page, one window.
	{
		w := world{latency: h.s.latency, minRefresh: "0s", portone: []int{h.s.pagingSchedules}}
		pages := (h.s.pagingSchedules + 999) / 1000
		res, err := h.pagingRun(w, pages)
		if err != nil {
			return fmt.Errorf("portone: %w", err)
		}
		h.add(pagingRow(fmt.Sprintf("2b. Paging: PortOne range endpoint, %d schedules = %d pages, max_concurrency 4", h.s.pagingSchedules, pages), pages, L, res,
			fmt.Sprintf("; exporter CPU %.2f s a scrape", res.cpu)))
	}
	h.note("Paging: median of %d scrapes after a warm-up (PortOne's token, connections), min_refresh_interval 0; every scrape made exactly one call per page (checked), NCP never more than 4 at once (checked).", h.s.wallReps)
	return nil
}

func pagingRow(scenario string, pages int, L float64, res pagingResult, extra string) row {
	rounds := 1 + math.Ceil(float64(pages-1)/4)
	return row{
		scenario: scenario,
		measured: fmt.Sprintf("refresh %.3f s (scrape %.3f s%s)", res.refresh, res.wall, extra),
		target:   fmt.Sprintf("refresh ≤ (1 + ⌈%d/4⌉) × L × 1.3 = %.3f s", pages-1, rounds*L*1.3),
		ratio:    fmt.Sprintf("%.2f × %g L", res.refresh/(rounds*L), rounds),
		pass:     res.refresh <= rounds*L*1.3,
	}
}

type pagingResult struct {
	wall, refresh, cpu float64 // medians, seconds
	peak               int     // most NCP requests in flight at once
}

// pagingRun measures the median scrape of a one-account world that needs
// pages upstream calls per scrape, and the exporter CPU of a scrape.
func (h *harness) pagingRun(w world, pages int) (pagingResult, error) {
	var res pagingResult
	s, err := h.startSession(w, 1)
	if err != nil {
		return res, err
	}
	defer s.close()
	if _, err := s.scrape(h); err != nil {
		return res, err
	}
	var walls, refreshes, cpus []float64
	for range h.s.wallReps {
		s.f.ncloud.ResetStats() // for upstreamSpan and MaxConcurrent
		before := s.f.calls()
		m, _, err := measure(h, s.p, s.sc, 0)
		if err != nil {
			return res, err
		}
		if err := checkUp(m.body, 1); err != nil {
			return res, err
		}
		if calls := s.f.calls() - before; calls != pages {
			return res, fmt.Errorf("a scrape made %d upstream calls, want %d (one per page)", calls, pages)
		}
		refresh := sumOf(m.body, "billing_collector_duration_seconds")
		if span := upstreamSpan(s.f); refresh < span.Seconds() || refresh > m.wall.Seconds() {
			return res, fmt.Errorf("refresh of %.3f s reported, but the pages took %.3f s upstream and the scrape %.3f s", refresh, span.Seconds(), m.wall.Seconds())
		}
		walls, refreshes, cpus = append(walls, m.wall.Seconds()), append(refreshes, refresh), append(cpus, m.cpu.Seconds())
		if len(w.ncloud) > 0 {
			res.peak = max(res.peak, s.f.ncloud.MaxConcurrent(ncloudKey(0), ""))
		}
	}
	res.wall, res.refresh, res.cpu = median(walls), median(refreshes), median(cpus)
	return res, positive("paging refresh time", res.refresh)
}

// upstreamSpan is the time from the first NCP request's arrival to the
// last answer since the last ResetStats (0 without NCP requests).
func upstreamSpan(f *fakes) time.Duration {
	var first, last time.Time
	for _, r := range f.ncloud.Requests() {
		if first.IsZero() || r.Arrived.Before(first) {
			first = r.Arrived
		}
		if r.Answered.After(last) {
			last = r.Answered
		}
	}
	return last.Sub(first)
}
