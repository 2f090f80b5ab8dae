package portonesim

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// kst is Asia/Seoul without needing tzdata: UTC+9, no DST since 1988.
var kst = time.FixedZone("KST", 9*60*60)

// query is a validated schedule search.
type query struct {
	from, to  int64 // from <= schedule_at < to
	status    string
	page      int
	limit     int
	ascending bool
}

// badRequest is a parameter error, answered as HTTP 400.
type badRequest string

func (e badRequest) Error() string { return string(e) }

// parseCustomerQuery reads the customer endpoint's parameters, accepting the
// Java client's names too.
func parseCustomerQuery(v url.Values, pageSize int) (query, error) {
	q := query{limit: pageSize}
	var err error
	if q.from, q.to, err = parseRange(first(v, "from", "schedule_from"), first(v, "to", "schedule_to")); err != nil {
		return q, err
	}
	if q.status, err = parseStatus(first(v, "schedule-status", "schedule_status")); err != nil {
		return q, err
	}
	q.page, err = parseInt(v.Get("page"), "page", 1, 1, 0)
	return q, err
}

// parseRangeQuery reads /subscribe/payments/schedule's parameters.
func parseRangeQuery(v url.Values) (query, error) {
	var q query
	var err error
	if q.from, q.to, err = parseRange(v.Get("schedule_from"), v.Get("schedule_to")); err != nil {
		return q, err
	}
	if q.status, err = parseStatus(v.Get("schedule_status")); err != nil {
		return q, err
	}
	if q.page, err = parseInt(v.Get("page"), "page", 1, 1, 0); err != nil {
		return q, err
	}
	if q.limit, err = parseInt(v.Get("limit"), "limit", 20, 1, 1000); err != nil {
		return q, err
	}
	switch v.Get("sorting") {
	case "scheduled":
		q.ascending = true
	case "", "-scheduled":
	default:
		return q, badRequest("sorting must be scheduled or -scheduled")
	}
	return q, nil
}

// first returns the first non-empty value among the given parameter names.
func first(v url.Values, names ...string) string {
	for _, n := range names {
		if s := v.Get(n); s != "" {
			return s
		}
	}
	return ""
}

func parseRange(fromS, toS string) (from, to int64, err error) {
	if fromS == "" || toS == "" {
		return 0, 0, badRequest("from and to are required")
	}
	from, errFrom := strconv.ParseInt(fromS, 10, 64)
	to, errTo := strconv.ParseInt(toS, 10, 64)
	switch {
	case errFrom != nil || errTo != nil:
		return 0, 0, badRequest("from and to must be unix timestamps")
	case to < from:
		return 0, 0, badRequest("to must not be before from")
	case to > time.Unix(from, 0).In(kst).AddDate(0, 3, 0).Unix():
		return 0, 0, badRequest("search range must not exceed 3 months")
	}
	return from, to, nil
}

func parseStatus(s string) (string, error) {
	if s != "" && !slices.Contains([]string{StatusScheduled, StatusExecuted, StatusRevoked}, s) {
		return "", badRequest("schedule status must be scheduled, executed or revoked")
	}
	return s, nil
}

// parseInt parses an optional integer >= lo (and <= hi when hi > 0).
func parseInt(s, name string, def, lo, hi int) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || (hi > 0 && n > hi) {
		if hi > 0 {
			return 0, badRequest(name + " must be an integer from " + strconv.Itoa(lo) + " to " + strconv.Itoa(hi))
		}
		return 0, badRequest(name + " must be an integer of at least " + strconv.Itoa(lo))
	}
	return n, nil
}

func writeBadRequest(w http.ResponseWriter, err error) {
	writeError(w, http.StatusBadRequest, err.Error())
}
