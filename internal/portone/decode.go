package portone

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/billingexporter/billing_exporter/internal/upstream"
)

// decodeList reads the `response` of a schedule list in either shape: a plain
// array, or the paged object {total, previous, next, list}. null is empty.
// decodeListFast reads the usual lists; decodeListStd (encoding/json)
// decides on the rest and words every error.
func decodeList(raw json.RawMessage) (pageResult, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return pageResult{}, nil
	}
	if r, ok := decodeListFast(raw); ok {
		return r, nil
	}
	return decodeListStd(raw)
}

// decodeListStd is decodeList with encoding/json, for a trimmed raw that is
// neither empty nor null.
func decodeListStd(raw json.RawMessage) (pageResult, error) {
	var items []json.RawMessage
	var r pageResult
	switch raw[0] {
	case '[':
		if err := json.Unmarshal(raw, &items); err != nil {
			return r, fmt.Errorf("malformed schedule list: %w", err)
		}
	case '{':
		var p struct {
			Total    json.Number       `json:"total"`
			Previous json.Number       `json:"previous"`
			Next     json.Number       `json:"next"`
			List     []json.RawMessage `json:"list"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			return r, fmt.Errorf("malformed schedule page: %w", err)
		}
		r.paged = true
		var err error
		for _, f := range []struct {
			dst *int
			v   json.Number
			n   string
		}{{&r.total, p.Total, "total"}, {&r.previous, p.Previous, "previous"}, {&r.next, p.Next, "next"}} {
			if *f.dst, err = pageNumber(f.v, f.n); err != nil {
				return r, err
			}
		}
		items = p.List
	default:
		return r, fmt.Errorf("response is neither a list nor a page: %s", upstream.Snippet(raw))
	}
	r.list = make([]Schedule, 0, len(items))
	for i, it := range items {
		s, err := decodeSchedule(it)
		if err != nil {
			return r, fmt.Errorf("schedule %d: %w", i+1, err)
		}
		r.list = append(r.list, s)
	}
	return r, nil
}

func pageNumber(v json.Number, name string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v.String())
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s %q is not a page count", name, v)
	}
	return n, nil
}

// decodeSchedule reads one ScheduleResultAnnotation. Buyer fields (name,
// e-mail, phone, address, postcode) are never decoded. Timestamps and
// amounts may be numbers or numeric strings: swagger's example writes
// "schedule_at": "0".
func decodeSchedule(raw json.RawMessage) (Schedule, error) {
	var it scheduleJSON
	if err := json.Unmarshal(raw, &it); err != nil {
		return Schedule{}, fmt.Errorf("malformed schedule: %w", err)
	}
	return it.schedule()
}

// scheduleJSON is a schedule as it arrives.
type scheduleJSON struct {
	CustomerUID    string          `json:"customer_uid"`
	MerchantUID    string          `json:"merchant_uid"`
	ScheduleAt     json.RawMessage `json:"schedule_at"`
	ExecutedAt     json.RawMessage `json:"executed_at"`
	RevokedAt      json.RawMessage `json:"revoked_at"`
	Amount         json.RawMessage `json:"amount"`
	Currency       *string         `json:"currency"`
	ScheduleStatus string          `json:"schedule_status"`
	PaymentStatus  *string         `json:"payment_status"`
	FailReason     *string         `json:"fail_reason"`
}

// schedule checks and converts a decoded schedule.
func (it scheduleJSON) schedule() (Schedule, error) {
	s := Schedule{
		CustomerUID:    it.CustomerUID,
		MerchantUID:    it.MerchantUID,
		ScheduleStatus: strings.ToLower(strings.TrimSpace(it.ScheduleStatus)),
		Currency:       "KRW",
		PaymentStatus:  "none",
	}
	if it.Currency != nil && strings.TrimSpace(*it.Currency) != "" {
		s.Currency = strings.ToUpper(strings.TrimSpace(*it.Currency))
	}
	if it.PaymentStatus != nil && strings.TrimSpace(*it.PaymentStatus) != "" {
		s.PaymentStatus = strings.ToLower(strings.TrimSpace(*it.PaymentStatus))
	}
	if it.FailReason != nil {
		s.FailReason = *it.FailReason
	}
	if s.ScheduleStatus == "" {
		return s, fmt.Errorf("merchant_uid %q has no schedule_status", s.MerchantUID)
	}
	var err error
	for _, f := range []struct {
		dst  *time.Time
		raw  json.RawMessage
		name string
	}{{&s.ScheduleAt, it.ScheduleAt, "schedule_at"}, {&s.ExecutedAt, it.ExecutedAt, "executed_at"}, {&s.RevokedAt, it.RevokedAt, "revoked_at"}} {
		if *f.dst, err = unixTime(f.raw, f.name); err != nil {
			return s, err
		}
	}
	if s.Amount, err = flexNumber(it.Amount, "amount"); err != nil {
		return s, err
	}
	return s, nil
}

// flexNumber reads a number or numeric string; missing or null is 0.
func flexNumber(raw json.RawMessage, name string) (float64, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	s := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return 0, nil
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s %s is not a number", name, raw)
	}
	return v, nil
}

// unixTime reads unix seconds; 0 (not applicable) is the zero time.
func unixTime(raw json.RawMessage, name string) (time.Time, error) {
	v, err := flexNumber(raw, name)
	if err != nil {
		return time.Time{}, err
	}
	if v < 0 || v != math.Trunc(v) || v > 1e11 {
		return time.Time{}, fmt.Errorf("%s %v is not unix seconds", name, v)
	}
	if v == 0 {
		return time.Time{}, nil
	}
	return time.Unix(int64(v), 0), nil
}
