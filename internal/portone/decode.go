package portone

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Bodies are decoded in one pass straight into typed values with
// github.com/go-json-experiment/json: the envelope hands its `response` to
// the decoder of what the call expects, and the flexible number-or-string
// fields decode themselves (UnmarshalJSONFrom).

var jsonOptions = json.JoinOptions(jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))

// envelope is {code, message, response}. response is decoded into out
// (skipped when out is nil or code is not 0).
type envelope struct {
	Code        int
	Message     string
	hasCode     bool
	hasResponse bool // present and not null
	out         any
}

// decodeEnvelope reads body, decoding its response into out.
func decodeEnvelope(body []byte, out any) (envelope, error) {
	e := envelope{out: out}
	if err := json.Unmarshal(body, &e, jsonOptions); err != nil {
		return e, fmt.Errorf("malformed JSON: %w", err)
	}
	if !e.hasCode {
		return e, errors.New("response has no code")
	}
	return e, nil
}

// members reads an object, handing each member's name to member, which
// reads (or skips) its value.
func members(dec *jsontext.Decoder, what string, member func(name string) error) error {
	if tok, err := dec.ReadToken(); err != nil {
		return err
	} else if tok.Kind() != '{' {
		return fmt.Errorf("%s is not an object", what)
	}
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		if err := member(tok.String()); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (e *envelope) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return members(dec, "the body", func(name string) error {
		switch name {
		case "code":
			var n flexNumber
			if err := n.UnmarshalJSONFrom(dec); err != nil {
				return fmt.Errorf("code: %w", err)
			}
			if !n.set || n.v != math.Trunc(n.v) || math.Abs(n.v) > 1e9 {
				return fmt.Errorf("code %v is not an integer", n.v)
			}
			e.Code, e.hasCode = int(n.v), true
		case "message":
			var s flexString
			if err := s.UnmarshalJSONFrom(dec); err != nil {
				return fmt.Errorf("message: %w", err)
			}
			e.Message = string(s)
		case "response":
			if dec.PeekKind() == 'n' || e.out == nil || (e.hasCode && e.Code != 0) {
				return dec.SkipValue()
			}
			if err := json.UnmarshalDecode(dec, e.out); err != nil {
				return fmt.Errorf("response: %w", err)
			}
			e.hasResponse = true
		default:
			return dec.SkipValue()
		}
		return nil
	})
}

// scheduleList is the `response` of a schedule list in either shape: a
// plain array (swagger), or the paged object {total, previous, next, list}
// the official SDKs read.
type scheduleList struct {
	pageResult
	hasList bool // the paged object had a list (possibly empty)
	// told, if not nil, gets a paged object's total as soon as it is read
	// ahead of the list, before the list is decoded.
	told func(total int)
}

// pagedJSON is the paged object's members, read by decode.
type pagedJSON struct {
	Total, Previous, Next flexNumber
	List                  *[]scheduleJSON
}

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (l *scheduleList) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	var items []scheduleJSON
	switch dec.PeekKind() {
	case '[':
		if err := json.UnmarshalDecode(dec, &items); err != nil {
			return fmt.Errorf("malformed schedule list: %w", err)
		}
		l.hasList = true
	case '{':
		var p pagedJSON
		if err := p.decode(dec, l.told); err != nil {
			return fmt.Errorf("malformed schedule page: %w", err)
		}
		l.paged = true
		for _, f := range []struct {
			dst  *int
			v    flexNumber
			name string
		}{{&l.total, p.Total, "total"}, {&l.previous, p.Previous, "previous"}, {&l.next, p.Next, "next"}} {
			if !pageCount(f.v) {
				return fmt.Errorf("%s %v is not a page count", f.name, f.v.v)
			}
			*f.dst = int(f.v.v)
		}
		if p.List != nil {
			items, l.hasList = *p.List, true
		}
	default:
		if err := dec.SkipValue(); err != nil {
			return err
		}
		return errors.New("response is neither a list nor a page")
	}
	l.list = make([]Schedule, 0, len(items))
	for i, it := range items {
		s, err := it.schedule()
		if err != nil {
			return fmt.Errorf("schedule %d: %w", i+1, err)
		}
		l.list = append(l.list, s)
	}
	return nil
}

func pageCount(n flexNumber) bool {
	return n.v >= 0 && n.v == math.Trunc(n.v) && n.v <= math.MaxInt32
}

// decode reads the paged object member by member, as struct tags would
// (exact names, the last of a repeated name wins), so that told gets a
// total that comes ahead of the list while the list is still unread.
func (p *pagedJSON) decode(dec *jsontext.Decoder, told func(total int)) error {
	return members(dec, "the page", func(name string) error {
		var dst any
		switch name {
		case "total":
			dst = &p.Total
		case "previous":
			dst = &p.Previous
		case "next":
			dst = &p.Next
		case "list":
			if told != nil && p.Total.set && pageCount(p.Total) {
				told(int(p.Total.v))
				told = nil
			}
			dst = &p.List
		default:
			return dec.SkipValue()
		}
		if err := json.UnmarshalDecode(dec, dst); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	})
}

// scheduleJSON is a schedule as it arrives. Buyer fields (name, e-mail,
// phone, address, postcode) are never decoded. Timestamps and amounts may
// be numbers or numeric strings: swagger's example writes "schedule_at": "0".
type scheduleJSON struct {
	CustomerUID    flexString `json:"customer_uid"`
	MerchantUID    flexString `json:"merchant_uid"`
	ScheduleAt     flexNumber `json:"schedule_at"`
	ExecutedAt     flexNumber `json:"executed_at"`
	RevokedAt      flexNumber `json:"revoked_at"`
	Amount         flexNumber `json:"amount"`
	Currency       flexString `json:"currency"`
	ScheduleStatus flexString `json:"schedule_status"`
	PaymentStatus  flexString `json:"payment_status"`
	FailReason     flexString `json:"fail_reason"`
}

// schedule checks and converts a decoded schedule.
func (it scheduleJSON) schedule() (Schedule, error) {
	s := Schedule{
		CustomerUID:    string(it.CustomerUID),
		MerchantUID:    string(it.MerchantUID),
		ScheduleStatus: strings.ToLower(strings.TrimSpace(string(it.ScheduleStatus))),
		Currency:       "KRW",
		PaymentStatus:  "none",
		FailReason:     string(it.FailReason),
		Amount:         it.Amount.v,
	}
	if c := strings.TrimSpace(string(it.Currency)); c != "" {
		s.Currency = strings.ToUpper(c)
	}
	if p := strings.TrimSpace(string(it.PaymentStatus)); p != "" {
		s.PaymentStatus = strings.ToLower(p)
	}
	if s.ScheduleStatus == "" {
		return s, fmt.Errorf("merchant_uid %q has no schedule_status", s.MerchantUID)
	}
	var err error
	for _, f := range []struct {
		dst  *time.Time
		v    flexNumber
		name string
	}{{&s.ScheduleAt, it.ScheduleAt, "schedule_at"}, {&s.ExecutedAt, it.ExecutedAt, "executed_at"}, {&s.RevokedAt, it.RevokedAt, "revoked_at"}} {
		if *f.dst, err = unixTime(f.v, f.name); err != nil {
			return s, err
		}
	}
	return s, nil
}

// flexNumber is a number or numeric string; missing, null and "" are 0.
type flexNumber struct {
	v   float64
	set bool
}

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (n *flexNumber) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	kind := dec.PeekKind()
	switch kind {
	case 'n', '"', '0':
	default:
		if err := dec.SkipValue(); err != nil {
			return err
		}
		return fmt.Errorf("a JSON %s is not a number", kind)
	}
	tok, err := dec.ReadToken()
	if err != nil || kind == 'n' {
		return err
	}
	s := strings.TrimSpace(tok.String())
	if s == "" {
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%q is not a number", s)
	}
	n.v, n.set = v, true
	return nil
}

// flexString is a string; null is "" and a number is its text.
type flexString string

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (f *flexString) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	kind := dec.PeekKind()
	switch kind {
	case 'n', '"', '0':
	default:
		if err := dec.SkipValue(); err != nil {
			return err
		}
		return fmt.Errorf("a JSON %s is not a string", kind)
	}
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	if kind != 'n' {
		*f = flexString(tok.String())
	}
	return nil
}

// unixTime reads unix seconds; 0 (not applicable) is the zero time.
func unixTime(n flexNumber, name string) (time.Time, error) {
	v := n.v
	if v < 0 || v != math.Trunc(v) || v > 1e11 {
		return time.Time{}, fmt.Errorf("%s %v is not unix seconds", name, v)
	}
	if v == 0 {
		return time.Time{}, nil
	}
	return time.Unix(int64(v), 0), nil
}
