package upstream

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Redacted replaces every value a Redactor removes.
const Redacted = "<redacted>"

const (
	// minCarried is the shortest value taken from a request: shorter ones
	// ("1", "json") are page numbers and formats, not secrets, and
	// replacing them would garble every message.
	minCarried = 6
	// maxCarried bounds the values remembered from requests: tokens and
	// signatures change with every request, and the newest are the ones
	// an upstream can echo.
	maxCarried = 4096
	// maxCodeLen and maxMessageLen bound what of an upstream's error code
	// and message is shown.
	maxCodeLen    = 40
	maxMessageLen = 240
	maxErrorLen   = 2000 // a whole error, with its wrapping
)

// Redactor removes from text everything an account's requests carried:
// its configured secrets and personal data, and the values its requests
// sent (Authorization tokens, signatures, access keys, the strings of a
// JSON body). An upstream that echoes a request back cannot leak it into
// logs, errors or the status page. It is safe for concurrent use.
type Redactor struct {
	fixed   []entry // configured values, never forgotten
	mu      sync.Mutex
	carried []entry // values requests carried: a ring of maxCarried
	next    int     // where the next carried value goes once the ring is full
	seen    map[string]bool
}

// entry is one value in the lower-cased spellings an echo may use.
type entry struct {
	value string
	forms []string
}

func newEntry(v string) entry {
	e := entry{value: v}
	for _, f := range forms(v) {
		if f = asciiLower(f); !slices.Contains(e.forms, f) {
			e.forms = append(e.forms, f)
		}
	}
	return e
}

// NewRedactor returns a redactor that always removes values (empty ones
// are ignored).
func NewRedactor(values ...string) *Redactor {
	r := &Redactor{seen: map[string]bool{}}
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" && !r.seen[v] {
			r.seen[v] = true
			r.fixed = append(r.fixed, newEntry(v))
		}
	}
	return r
}

// remember adds a value a request carried.
func (r *Redactor) remember(v string) {
	v = strings.TrimSpace(v)
	if len(v) < minCarried {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen[v] {
		return
	}
	r.seen[v] = true
	e := newEntry(v)
	if len(r.carried) < maxCarried {
		r.carried = append(r.carried, e)
		return
	}
	delete(r.seen, r.carried[r.next].value)
	r.carried[r.next] = e
	r.next = (r.next + 1) % maxCarried
}

// notSecret are request headers whose values say nothing about the account.
var notSecret = map[string]bool{
	"Accept": true, "Accept-Encoding": true, "Content-Type": true, "Content-Length": true,
	"User-Agent": true, "Connection": true, "X-Ncp-Apigw-Timestamp": true,
}

// Remember records the values req carries: every header value but the
// few that describe formats (for "Bearer x", x as well), the password of
// the URL, and every string of a JSON or form body. The body is read
// through GetBody, so req is left as it was.
func (r *Redactor) Remember(req *http.Request) {
	if r == nil {
		return
	}
	for k, vs := range req.Header {
		if notSecret[http.CanonicalHeaderKey(k)] {
			continue
		}
		for _, v := range vs {
			r.remember(v)
			if _, after, ok := strings.Cut(v, " "); ok {
				r.remember(after)
			}
		}
	}
	if p, ok := req.URL.User.Password(); ok {
		r.remember(p)
	}
	if req.GetBody == nil {
		return
	}
	body, err := req.GetBody()
	if err != nil {
		return
	}
	defer body.Close()
	b, err := io.ReadAll(io.LimitReader(body, 64<<10))
	if err != nil {
		return
	}
	var v any
	if json.Unmarshal(b, &v) == nil {
		walkStrings(v, r.remember)
		return
	}
	if q, err := url.ParseQuery(string(b)); err == nil {
		for _, vs := range q {
			for _, v := range vs {
				r.remember(v)
			}
		}
	}
}

func walkStrings(v any, f func(string)) {
	switch v := v.(type) {
	case string:
		f(v)
	case []any:
		for _, e := range v {
			walkStrings(e, f)
		}
	case map[string]any:
		for _, e := range v {
			walkStrings(e, f)
		}
	}
}

// String returns s without any value, in the forms an upstream may echo
// it: as sent, URL-escaped, JSON- or HTML-escaped, in any letter case, and
// for phone numbers with any separators or a national prefix. Longer values
// go first, so that a value inside another cannot leave the rest showing.
func (r *Redactor) String(s string) string {
	if r == nil || s == "" {
		return s
	}
	r.mu.Lock()
	all := append(slices.Clone(r.fixed), r.carried...)
	r.mu.Unlock()
	slices.SortFunc(all, func(a, b entry) int { return len(b.value) - len(a.value) })
	ls := asciiLower(s)
	for _, e := range all {
		for _, f := range e.forms {
			if strings.Contains(ls, f) {
				s, ls = replaceLower(s, ls, f)
			}
		}
	}
	// Configured phone numbers in any notation; numbers a request carried
	// (timestamps, page sizes) are not phone numbers.
	for _, e := range r.fixed {
		if digits := phoneDigits(e.value); digits != "" {
			s = redactPhone(s, digits)
		}
	}
	return s
}

// forms are the spellings of v an echo may use.
func forms(v string) []string {
	out := []string{v}
	add := func(f string) {
		if f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	add(url.QueryEscape(v))
	add(url.PathEscape(v))
	add(html.EscapeString(v))
	if b, err := json.Marshal(v); err == nil {
		add(strings.Trim(string(b), `"`))
	}
	return out
}

// replaceLower replaces every occurrence of f (lower case) in ls, the
// ASCII-lowered s, and the same bytes of s. Redacted is lower case, so the
// results are again a string and its lowered form.
func replaceLower(s, ls, f string) (string, string) {
	var b, lb strings.Builder
	for {
		i := strings.Index(ls, f)
		if i < 0 {
			b.WriteString(s)
			lb.WriteString(ls)
			return b.String(), lb.String()
		}
		b.WriteString(s[:i])
		lb.WriteString(ls[:i])
		b.WriteString(Redacted)
		lb.WriteString(Redacted)
		s, ls = s[i+len(f):], ls[i+len(f):]
	}
}

// asciiLower lowers ASCII letters only, byte by byte, so that byte offsets
// stay those of s (whatever it holds, invalid UTF-8 included).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// phoneDigits returns the significant digits of a value that looks like a
// phone number (8 to 15 digits, an optional +): without the Korean
// country code or trunk prefix, so that "821012345678", "+82 10-1234-5678"
// and "010-1234-5678" share "1012345678".
func phoneDigits(v string) string {
	d := strings.TrimPrefix(v, "+")
	if len(d) < 8 || len(d) > 15 || strings.ContainsFunc(d, func(r rune) bool { return r < '0' || r > '9' }) {
		return ""
	}
	d = strings.TrimPrefix(d, "82")
	return strings.TrimPrefix(d, "0")
}

// redactPhone replaces every run of digits and separators in s whose
// digits end with digits.
func redactPhone(s, digits string) string {
	isPart := func(r rune) bool { return r >= '0' && r <= '9' || strings.ContainsRune("+-. ()", r) }
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i
		var ds strings.Builder
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if !isPart(r) {
				break
			}
			if r >= '0' && r <= '9' {
				ds.WriteRune(r)
			}
			j += n
		}
		if strings.Contains(ds.String(), digits) {
			b.WriteString(Redacted)
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	return b.String()
}

// Clean makes upstream text fit for a log line or the status page: valid
// UTF-8, no control characters (a newline could forge a log line), white
// space collapsed, at most limit runes.
func Clean(s string, limit int) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		if unicode.Is(unicode.Cf, r) { // bidi overrides and other invisible format characters
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > limit {
		s = string([]rune(s)[:limit]) + "..."
	}
	return s
}

// Error returns err with every value removed from its text and from the
// code and message of the *Error inside it (which are also cleaned). The result still unwraps to
// err, so errors.Is finds context errors, while errors.As and AsError find
// a cleaned copy of the *Error instead of the original.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	out := &redactedError{text: Clean(r.String(err.Error()), maxErrorLen), cause: err}
	if ue, ok := AsError(err); ok {
		clean := *ue
		clean.Code, clean.Message = ue.Shown()
		clean.Code, clean.Message = r.String(clean.Code), r.String(clean.Message)
		out.upstream = &clean
	}
	return out
}

type redactedError struct {
	text     string
	upstream *Error
	cause    error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.cause }

func (e *redactedError) As(target any) bool {
	if t, ok := target.(**Error); ok && e.upstream != nil {
		*t = e.upstream
		return true
	}
	return false
}
