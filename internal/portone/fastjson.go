package portone

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The fast path reads the envelope and the schedule lists as the API sends
// them in one pass each, where encoding/json takes six (checking and
// decoding the envelope, the list, and each schedule on its own): 11.7 ms
// for a page of 1000 schedules against 3.3 ms (BenchmarkDecodeSchedules),
// most of a refresh past its round trips. It gives up (ok false) on anything it does
// not read exactly as encoding/json would - keys in another case or with
// escapes, a value of an unexpected type, numbers as strings, invalid
// UTF-8 in a value, nesting deeper than maxDepth, malformed JSON - and the
// caller then decodes with encoding/json, whose results and errors decide.
// FuzzDecodeResponse checks that the two agree.

const maxDepth = 100 // encoding/json allows 10000; deeper bodies take its path

// jsonScanner reads JSON from b at pos; its methods report false to give up.
type jsonScanner struct {
	b     []byte
	pos   int
	depth int
}

func (s *jsonScanner) ws() {
	for s.pos < len(s.b) {
		switch s.b[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, 0 at the end.
func (s *jsonScanner) peek() byte {
	s.ws()
	if s.pos >= len(s.b) {
		return 0
	}
	return s.b[s.pos]
}

// literal reads true, false or null.
func (s *jsonScanner) literal(word string) bool {
	s.ws()
	if s.pos+len(word) > len(s.b) || string(s.b[s.pos:s.pos+len(word)]) != word {
		return false
	}
	s.pos += len(word)
	return true
}

// rawString reads a string token and returns it with its quotes; escaped
// reports a backslash in it. Control characters are invalid JSON.
func (s *jsonScanner) rawString() (tok []byte, escaped, ok bool) {
	if s.peek() != '"' {
		return nil, false, false
	}
	start := s.pos
	for s.pos++; s.pos < len(s.b); s.pos++ {
		switch c := s.b[s.pos]; {
		case c == '"':
			s.pos++
			return s.b[start:s.pos], escaped, true
		case c == '\\':
			escaped = true
			if !s.escape() {
				return nil, false, false
			}
		case c < 0x20:
			return nil, false, false
		}
	}
	return nil, false, false
}

// escape checks the escape sequence at pos (the backslash) and leaves pos
// on its last byte.
func (s *jsonScanner) escape() bool {
	if s.pos+1 >= len(s.b) {
		return false
	}
	s.pos++
	switch s.b[s.pos] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return true
	case 'u':
		if s.pos+4 >= len(s.b) {
			return false
		}
		for _, c := range s.b[s.pos+1 : s.pos+5] {
			if !isHex(c) {
				return false
			}
		}
		s.pos += 4
		return true
	}
	return false
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// str reads a string value. Plain valid UTF-8 is taken as it is; escapes
// and invalid UTF-8 are left to encoding/json, which decodes the token.
func (s *jsonScanner) str() (string, bool) {
	tok, escaped, ok := s.rawString()
	if !ok {
		return "", false
	}
	inner := tok[1 : len(tok)-1]
	if !escaped && utf8.Valid(inner) {
		return string(inner), true
	}
	var v string
	return v, json.Unmarshal(tok, &v) == nil
}

// number reads a number token as JSON's grammar has it.
func (s *jsonScanner) number() ([]byte, bool) {
	s.ws()
	start := s.pos
	s.accept('-')
	switch {
	case s.accept('0'):
	case s.digits() == 0:
		return nil, false
	}
	if s.accept('.') && s.digits() == 0 {
		return nil, false
	}
	if s.accept('e') || s.accept('E') {
		if !s.accept('+') {
			s.accept('-')
		}
		if s.digits() == 0 {
			return nil, false
		}
	}
	return s.b[start:s.pos], true
}

func (s *jsonScanner) accept(c byte) bool {
	if s.pos < len(s.b) && s.b[s.pos] == c {
		s.pos++
		return true
	}
	return false
}

func (s *jsonScanner) digits() int {
	start := s.pos
	for s.pos < len(s.b) && '0' <= s.b[s.pos] && s.b[s.pos] <= '9' {
		s.pos++
	}
	return s.pos - start
}

// value reads any value and returns its bytes.
func (s *jsonScanner) value() ([]byte, bool) {
	var ok bool
	switch c := s.peek(); {
	case c == '{':
		start := s.pos
		ok = s.object(func([]byte) bool { _, ok := s.value(); return ok })
		return s.b[start:s.pos], ok
	case c == '[':
		start := s.pos
		ok = s.array(func() bool { _, ok := s.value(); return ok })
		return s.b[start:s.pos], ok
	case c == '"':
		tok, _, ok := s.rawString()
		return tok, ok
	case c == 't' || c == 'f' || c == 'n':
		start := s.pos
		ok = s.literal("true") || s.literal("false") || s.literal("null")
		return s.b[start:s.pos], ok
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	}
	return nil, false
}

// object reads an object, calling member after each key to read its value.
// Keys with escapes are left to encoding/json.
func (s *jsonScanner) object(member func(key []byte) bool) bool {
	if s.peek() != '{' || s.depth >= maxDepth {
		return false
	}
	s.pos++
	s.depth++
	defer func() { s.depth-- }()
	if s.peek() == '}' {
		s.pos++
		return true
	}
	for {
		tok, escaped, ok := s.rawString()
		if !ok || escaped || s.peek() != ':' {
			return false
		}
		s.pos++
		if !member(tok[1 : len(tok)-1]) {
			return false
		}
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return true
		default:
			return false
		}
	}
}

// array reads an array, calling elem to read each element.
func (s *jsonScanner) array(elem func() bool) bool {
	if s.peek() != '[' || s.depth >= maxDepth {
		return false
	}
	s.pos++
	s.depth++
	defer func() { s.depth-- }()
	if s.peek() == ']' {
		s.pos++
		return true
	}
	for {
		if !elem() {
			return false
		}
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return true
		default:
			return false
		}
	}
}

// end reports whether only white space is left, as encoding/json requires.
func (s *jsonScanner) end() bool {
	s.ws()
	return s.pos == len(s.b)
}

// known reports whether key is one of names; a key that differs from one
// only in case would be matched by encoding/json, so it gives up (ok false).
func known(key []byte, names ...string) (name string, ok bool) {
	for _, n := range names {
		if string(key) == n {
			return n, true
		}
	}
	for _, n := range names {
		if strings.EqualFold(string(key), n) {
			return "", false
		}
	}
	for _, c := range key { // encoding/json also folds K and ſ to k and s
		if c >= utf8.RuneSelf {
			return "", false
		}
	}
	return "", true
}

// optString reads a string or null into a *string, as encoding/json does.
func (s *jsonScanner) optString(dst **string) bool {
	if s.peek() == 'n' {
		*dst = nil
		return s.literal("null")
	}
	v, ok := s.str()
	*dst = &v
	return ok
}

// plainString reads a string into dst; null leaves dst as it is.
func (s *jsonScanner) plainString(dst *string) bool {
	if s.peek() == 'n' {
		return s.literal("null")
	}
	v, ok := s.str()
	*dst = v
	return ok
}

// decodeEnvelopeFast is decodeEnvelope for a body whose code is a number
// and whose message is a string or null. Response aliases body.
func decodeEnvelopeFast(body []byte) (envelope, bool) {
	s := jsonScanner{b: body}
	var code []byte
	var msg *string
	var env envelope
	ok := s.object(func(key []byte) bool {
		name, ok := known(key, "code", "message", "response")
		if !ok {
			return false
		}
		switch name {
		case "code":
			code, ok = s.number()
		case "message":
			ok = s.optString(&msg)
		case "response":
			env.Response, ok = s.value()
		default:
			_, ok = s.value()
		}
		return ok
	})
	if !ok || !s.end() || code == nil {
		return envelope{}, false
	}
	n, err := strconv.Atoi(string(code))
	if err != nil {
		return envelope{}, false
	}
	env.Code = n
	if msg != nil {
		env.Message = *msg
	}
	return env, true
}

// decodeListFast is decodeList for the usual lists; raw is trimmed and
// neither empty nor null.
func decodeListFast(raw []byte) (pageResult, bool) {
	s := jsonScanner{b: raw}
	var items []scheduleJSON
	var r pageResult
	var ok bool
	switch raw[0] {
	case '[':
		ok = s.array(func() bool { return s.schedule(&items) })
	case '{':
		r.paged = true
		var counts [3][]byte // total, previous, next; nil when absent or null
		lists := 0
		ok = s.object(func(key []byte) bool {
			name, ok := known(key, "total", "previous", "next", "list")
			if !ok {
				return false
			}
			switch name {
			case "total", "previous", "next":
				i := strings.Index("tpn", name[:1]) // total, previous, next
				if s.peek() == 'n' {
					return s.literal("null") // keeps an earlier value, as encoding/json does
				}
				counts[i], ok = s.number()
			case "list":
				// A second list would be decoded into the first one's
				// elements by encoding/json; leave that to it.
				if lists++; lists > 1 {
					return false
				}
				if s.peek() == 'n' {
					return s.literal("null")
				}
				ok = s.array(func() bool { return s.schedule(&items) })
			default:
				_, ok = s.value()
			}
			return ok
		})
		for i, dst := range []*int{&r.total, &r.previous, &r.next} {
			if counts[i] == nil {
				continue
			}
			n, err := pageNumber(json.Number(counts[i]), "")
			if err != nil {
				return r, false
			}
			*dst = n
		}
	}
	if !ok || !s.end() {
		return pageResult{}, false
	}
	r.list = make([]Schedule, 0, len(items))
	for _, it := range items {
		sc, err := it.schedule()
		if err != nil {
			return pageResult{}, false
		}
		r.list = append(r.list, sc)
	}
	return r, true
}

// schedule reads one schedule object (or null, an empty one) onto items.
func (s *jsonScanner) schedule(items *[]scheduleJSON) bool {
	*items = append(*items, scheduleJSON{})
	it := &(*items)[len(*items)-1]
	if s.peek() == 'n' {
		return s.literal("null")
	}
	return s.object(func(key []byte) bool {
		name, ok := known(key, "customer_uid", "merchant_uid", "schedule_at", "executed_at", "revoked_at",
			"amount", "currency", "schedule_status", "payment_status", "fail_reason")
		if !ok {
			return false
		}
		switch name {
		case "customer_uid":
			return s.plainString(&it.CustomerUID)
		case "merchant_uid":
			return s.plainString(&it.MerchantUID)
		case "schedule_status":
			return s.plainString(&it.ScheduleStatus)
		case "schedule_at":
			it.ScheduleAt, ok = s.value()
		case "executed_at":
			it.ExecutedAt, ok = s.value()
		case "revoked_at":
			it.RevokedAt, ok = s.value()
		case "amount":
			it.Amount, ok = s.value()
		case "currency":
			return s.optString(&it.Currency)
		case "payment_status":
			return s.optString(&it.PaymentStatus)
		case "fail_reason":
			return s.optString(&it.FailReason)
		default:
			_, ok = s.value()
		}
		return ok
	})
}
