package main

import "fmt"

// partner: an NCP partner account, the largest account the exporter is
// sized for: partnerMembers members, each billed for partnerProducts
// products in each of 3 months, read by the demand collector (XML, 1000
// rows a page, one call for the 3 months). Its refresh is judged as paging
// is (against the round trips, at partnerLatency), and its cached scrape
// and memory as size is (against the floor serving as many series).
func (h *harness) partner() error {
	spec := ncloudSpec{members: h.s.partnerMembers, demandProducts: h.s.partnerProducts, demandMonths: 3, collectors: "[demand]"}
	rows := spec.members * spec.demandProducts * spec.demandMonths
	pages := (rows + 999) / 1000
	what := fmt.Sprintf("NCP partner size, %d members × %d products × 3 months = %d demand rows", spec.members, spec.demandProducts, rows)

	w := world{latency: h.s.partnerLatency, minRefresh: "0s", ncloud: []ncloudSpec{spec}}
	res, err := h.pagingRun(w, pages)
	if err != nil {
		return fmt.Errorf("refresh: %w", err)
	}
	if res.peak > 4 {
		return fmt.Errorf("refresh: %d requests in flight at once, max_concurrency is 4", res.peak)
	}
	L := h.s.partnerLatency.Seconds()
	r := pagingRow(fmt.Sprintf("7a. Refresh, %s: %d pages (XML), max_concurrency 4, L = %s", what, pages, h.s.partnerLatency), pages, L, res,
		fmt.Sprintf("; exporter CPU %.2f s a scrape, %.1f µs per row", res.cpu, 1e6*res.cpu/float64(rows)))
	h.add(r)

	// The series the exporter serves for it, counted once, so that the
	// floor serves as many.
	w.minRefresh = "25m"
	series, err := h.countSeries(w, "billing_ncloud_")
	if err != nil {
		return err
	}
	if series < 2*rows {
		return fmt.Errorf("%d series for %d demand rows: want at least 2 a row (demand and use)", series, rows)
	}
	return h.sizeRun(sizeCase{
		ids:  [4]string{"7b", "7c", "7d", "7e"},
		what: fmt.Sprintf("%d series (NCP partner size)", series),
		w:    w, prefix: "billing_ncloud_", series: series,
	})
}

// countSeries starts the world and an exporter once and counts the series
// named prefix* in its first complete scrape.
func (h *harness) countSeries(w world, prefix string) (int, error) {
	s, err := h.startSession(w, 1)
	if err != nil {
		return 0, err
	}
	defer s.close()
	r, err := s.scrape(h)
	if err != nil {
		return 0, err
	}
	if err := checkUp(r.body, 1); err != nil {
		return 0, err
	}
	return countSeries(r.body, prefix), nil
}
