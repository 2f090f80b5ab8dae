package portonesim

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
)

// customerSchedules serves GET /subscribe/customers/{customer_uid}/schedules.
func (s *Server) customerSchedules(w http.ResponseWriter, r *http.Request, m Merchant) {
	q, err := parseCustomerQuery(r.URL.Query(), s.opts.PageSize)
	if err != nil {
		writeBadRequest(w, err)
		return
	}
	customer := r.PathValue("customer_uid")
	if m.Verbatim && customer == seedCustomerUID {
		writeRaw(w, http.StatusOK, s.seedBody())
		return
	}
	s.writeSchedules(w, q, m.Schedules, func(sc *Schedule) bool { return sc.CustomerUID == customer })
}

// rangeSchedules serves GET /subscribe/payments/schedule: every customer of the merchant.
func (s *Server) rangeSchedules(w http.ResponseWriter, r *http.Request, m Merchant) {
	q, err := parseRangeQuery(r.URL.Query())
	if err != nil {
		writeBadRequest(w, err)
		return
	}
	s.writeSchedules(w, q, m.Schedules, func(*Schedule) bool { return true })
}

// writeSchedules answers the page of q among the schedules keep selects.
func (s *Server) writeSchedules(w http.ResponseWriter, q query, all []Schedule, keep func(*Schedule) bool) {
	matches := []Schedule{}
	for _, sc := range all {
		if keep(&sc) && q.from <= sc.ScheduleAt && sc.ScheduleAt < q.to && (q.status == "" || sc.ScheduleStatus == q.status) {
			sc.Currency = cmp.Or(sc.Currency, "KRW")
			matches = append(matches, sc)
		}
	}
	slices.SortFunc(matches, func(a, b Schedule) int {
		c := cmp.Compare(b.ScheduleAt, a.ScheduleAt)
		if q.ascending {
			c = -c
		}
		return cmp.Or(c, strings.Compare(a.MerchantUID, b.MerchantUID))
	})

	p := paginate(matches, q.page, q.limit)
	if s.opts.Shape == ShapeArray {
		writeOK(w, p.List)
		return
	}
	writeOK(w, p)
}

// paginate cuts page n (1-based) of the given size out of all.
func paginate(all []Schedule, n, size int) page {
	total := len(all)
	last := (total + size - 1) / size
	p := page{Total: total, Previous: min(n-1, last), List: []Schedule{}}
	if n <= last {
		start := (n - 1) * size
		p.List = all[start:min(start+size, total)]
	}
	if n < last {
		p.Next = n + 1
	}
	return p
}
