package portonesim

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
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
	s.writeSchedules(w, q, m, func(sc *Schedule) bool { return sc.CustomerUID == customer })
}

// rangeSchedules serves GET /subscribe/payments/schedule: every customer of the merchant.
func (s *Server) rangeSchedules(w http.ResponseWriter, r *http.Request, m Merchant) {
	q, err := parseRangeQuery(r.URL.Query())
	if err != nil {
		writeBadRequest(w, err)
		return
	}
	s.writeSchedules(w, q, m, func(*Schedule) bool { return true })
}

// writeSchedules answers the page of q among the schedules of m that keep
// selects.
func (s *Server) writeSchedules(w http.ResponseWriter, q query, m Merchant, keep func(*Schedule) bool) {
	all := m.Schedules
	var idx []int // of the matches in all, in the answer's order
	for i := range all {
		sc := &all[i]
		if keep(sc) && q.from <= sc.ScheduleAt && sc.ScheduleAt < q.to && (q.status == "" || sc.ScheduleStatus == q.status) {
			idx = append(idx, i)
		}
	}
	slices.SortFunc(idx, func(i, j int) int {
		a, b := &all[i], &all[j]
		c := cmp.Compare(b.ScheduleAt, a.ScheduleAt)
		if q.ascending {
			c = -c
		}
		return cmp.Or(c, strings.Compare(a.MerchantUID, b.MerchantUID))
	})
	total, first, end := pageBounds(len(idx), q.page, q.limit)
	key := ""
	if s.opts.ReuseResponses {
		key = pageKey(m.ImpKey, s.opts.Shape, total, q.page, q.limit, idx[first:end])
		s.mu.Lock()
		body, ok := s.rendered[key]
		s.mu.Unlock()
		if ok {
			writeRaw(w, http.StatusOK, body)
			return
		}
	}
	list := make([]Schedule, 0, end-first)
	for _, i := range idx[first:end] {
		sc := all[i]
		sc.Currency = cmp.Or(sc.Currency, "KRW")
		list = append(list, sc)
	}
	var response any = list
	if s.opts.Shape != ShapeArray {
		response = paginate(total, q.page, q.limit, list)
	}
	body := mustJSON(envelope{Response: response})
	if key != "" {
		s.mu.Lock()
		if s.rendered == nil {
			s.rendered = map[string][]byte{}
		}
		s.rendered[key] = body
		s.mu.Unlock()
	}
	writeRaw(w, http.StatusOK, body)
}

// pageBounds returns the total and the range of page n (1-based) of the
// given size among total matches.
func pageBounds(total, n, size int) (int, int, int) {
	if last := (total + size - 1) / size; n > last {
		return total, total, total
	}
	start := (n - 1) * size
	return total, start, min(start+size, total)
}

// paginate wraps page n of the given size, holding list, in the paged shape.
func paginate(total, n, size int, list []Schedule) page {
	last := (total + size - 1) / size
	p := page{Total: total, Previous: min(n-1, last), List: list}
	if n < last {
		p.Next = n + 1
	}
	return p
}

// pageKey identifies an answer for ReuseResponses: the same schedules
// (by index) of the same merchant in the same shape and place give the
// same bytes.
func pageKey(impKey string, shape Shape, total, n, size int, page []int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d %d %d %d:", impKey, shape, total, n, size)
	for _, i := range page {
		b.WriteString(strconv.Itoa(i))
		b.WriteByte(',')
	}
	return b.String()
}
