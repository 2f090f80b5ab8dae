package ncloud

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/orisano/gosax"
)

// gosax finds where markup ends and leaves the rest unread: a tag's name
// and attributes, entity and character references, comments and doctypes
// are checked here as encoding/xml reads them, so that what it refuses is
// an error and not an element skipped (a field left unset, a smaller
// success), and what gosax would end elsewhere than encoding/xml is
// refused rather than read into other rows.

// startTag checks a start tag (<name attr="v" ...> or .../>) and returns
// its name, and its local name (localName).
func startTag(tag []byte) (name, local []byte, err error) {
	b := bytes.TrimSuffix(tag[1:len(tag)-1], []byte("/"))
	// Most names are ASCII without a colon, valid if they do not start
	// with a digit, '.' or '-': no need to decode them.
	n := 0
	for n < len(b) && asciiNameByte[b[n]] {
		n++
	}
	simple := n > 0 && b[0] >= 'A' && (n == len(b) || !nameByte[b[n]])
	if !simple {
		n = nameLen(b)
	}
	name, local = b[:n], b[:n]
	if !simple {
		if !validName(name) {
			return nil, nil, fmt.Errorf("invalid element name in %.40q", tag)
		}
		local = localName(name)
	}
	for b = b[n:]; ; {
		rest := trimSpace(b)
		if len(rest) == 0 {
			return name, local, nil
		}
		if len(rest) == len(b) { // an attribute must follow a space
			return nil, nil, fmt.Errorf("malformed tag %.40q", tag)
		}
		n := nameLen(rest)
		if !validName(rest[:n]) {
			return nil, nil, fmt.Errorf("invalid attribute name in %.40q", tag)
		}
		rest = trimSpace(rest[n:])
		if len(rest) == 0 || rest[0] != '=' {
			return nil, nil, fmt.Errorf("attribute without a value in %.40q", tag)
		}
		rest = trimSpace(rest[1:])
		if len(rest) == 0 || rest[0] != '"' && rest[0] != '\'' {
			return nil, nil, fmt.Errorf("unquoted attribute value in %.40q", tag)
		}
		end := bytes.IndexByte(rest[1:], rest[0]) // gosax ended the tag outside quotes: it is there
		if end < 0 {
			return nil, nil, fmt.Errorf("malformed tag %.40q", tag)
		}
		value := rest[1 : 1+end]
		if bytes.IndexByte(value, '<') >= 0 {
			return nil, nil, fmt.Errorf("unescaped < in an attribute value in %.40q", tag)
		}
		if err := checkChars(value); err != nil {
			return nil, nil, err
		}
		if err := checkRefs(value); err != nil {
			return nil, nil, err
		}
		b = rest[2+end:]
	}
}

// endTag checks an end tag (</name> or </name >) and returns its name,
// which the caller compares with the open element's (checked as a start
// tag's).
func endTag(tag []byte) ([]byte, error) {
	b := tag[2 : len(tag)-1]
	n := nameLen(b)
	if len(trimSpace(b[n:])) > 0 {
		return nil, fmt.Errorf("malformed end tag %.40q", tag)
	}
	return b[:n], nil
}

func trimSpace(b []byte) []byte {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return b[i:]
}

// nameByte marks the bytes encoding/xml reads into a name below U+0080;
// it reads every byte from U+0080 up too, then checks the whole.
var nameByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '_' || c == ':' || c == '.' || c == '-'
	}
	return t
}()

// asciiNameByte is nameByte below U+0080 without ':'.
var asciiNameByte = func() (t [256]bool) {
	t = nameByte
	for c := utf8.RuneSelf; c < 256; c++ {
		t[c] = false
	}
	t[':'] = false
	return t
}()

// nameLen is the length of the name b starts with.
func nameLen(b []byte) int {
	for i, c := range b {
		if !nameByte[c] {
			return i
		}
	}
	return len(b)
}

// validName is a name encoding/xml accepts: a letter, '_' or ':' first,
// then letters, digits, marks, '.', '-', '_', ':' or '·', and at most one
// colon. (encoding/xml's tables are XML 1.0's; unicode's categories are
// close to them, and no name that matters is outside ASCII.)
func validName(name []byte) bool {
	if len(name) == 0 {
		return false
	}
	// Below U+0080 nameLen took only name bytes, of which a name may not
	// start with a digit, '.' or '-'.
	colons, ascii := 0, true
	for _, c := range name {
		if c == ':' {
			colons++
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	if c := name[0]; colons > 1 || c == '.' || c == '-' || '0' <= c && c <= '9' {
		return false
	}
	if ascii {
		return true
	}
	for i, w := 0, 0; i < len(name); i += w {
		r, n := utf8.DecodeRune(name[i:])
		w = n
		switch {
		case r == utf8.RuneError && n == 1:
			return false
		case r == '_' || r == ':' || unicode.IsLetter(r):
		case i > 0 && (r == '.' || r == '-' || r == 0xB7 || unicode.IsDigit(r) || unicode.IsMark(r)):
		default:
			return false
		}
	}
	return true
}

// unescape is gosax.Unescape after checking the references as encoding/xml
// does: only the five named entities, and character references to
// characters XML allows.
func unescape(b []byte) ([]byte, error) {
	if err := checkChars(b); err != nil {
		return nil, err
	}
	if err := checkRefs(b); err != nil {
		return nil, err
	}
	return gosax.Unescape(b)
}

// checkChars refuses bytes that are not UTF-8 and characters XML does not
// allow, as encoding/xml does in text, CDATA and attribute values.
func checkChars(b []byte) error {
	// Eight bytes at a time while they are printable ASCII (none has its
	// high bit set or is below 0x20).
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	for len(b) >= 8 {
		v := binary.LittleEndian.Uint64(b)
		if (v|(v-0x20*lo))&hi != 0 {
			break
		}
		b = b[8:]
	}
	for i := 0; i < len(b); {
		if c := b[i]; c >= 0x20 && c < utf8.RuneSelf || c == '\t' || c == '\n' || c == '\r' {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 || !xmlChar(r) {
			return fmt.Errorf("character %.4q not allowed in XML", b[i:i+n])
		}
		i += n
	}
	return nil
}

func checkRefs(b []byte) error {
	for {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			return nil
		}
		b = b[i+1:]
		// gosax.Unescape reads references of up to 11 bytes between & and ;.
		end := bytes.IndexByte(b[:min(len(b), 12)], ';')
		if end < 0 {
			return fmt.Errorf("invalid escape sequence %.12q", b)
		}
		ref := string(b[:end])
		b = b[end+1:]
		switch ref {
		case "lt", "gt", "amp", "apos", "quot":
			continue
		}
		digits, base := ref, 10
		if len(digits) > 0 && digits[0] == '#' {
			digits = digits[1:]
			if len(digits) > 0 && digits[0] == 'x' {
				digits, base = digits[1:], 16
			}
		} else {
			return fmt.Errorf("invalid escape sequence &%.12s;", ref)
		}
		// ParseUint alone would take "+", "_" and the like in some forms.
		valid := len(digits) > 0
		for _, c := range []byte(digits) {
			valid = valid && ('0' <= c && c <= '9' || base == 16 && ('a' <= c && c <= 'f' || 'A' <= c && c <= 'F'))
		}
		v, err := strconv.ParseUint(digits, base, 32)
		if !valid || err != nil || !xmlChar(rune(v)) {
			return fmt.Errorf("invalid character reference &%.12s;", ref)
		}
	}
}

// xmlChar is encoding/xml's isInCharacterRange.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// checkComment refuses a comment that encoding/xml would end elsewhere or
// refuse: gosax takes "<!-" and ends at the first "-->" after it, even in
// "<!--->", where encoding/xml reads on; encoding/xml refuses "--" inside.
func checkComment(c []byte) error {
	inner, ok := bytes.CutPrefix(c, []byte("<!--"))
	inner, closed := bytes.CutSuffix(inner, []byte("-->"))
	if !ok || !closed || bytes.Contains(inner, []byte("--")) || bytes.HasSuffix(inner, []byte("-")) {
		return fmt.Errorf("malformed comment %.40q", c)
	}
	return nil
}

// checkDoctype refuses a doctype with quotes or markup inside: gosax ends
// it at the first '>' (counting nested '<' only within a buffer's worth),
// where encoding/xml skips quoted text and comments, so the two would
// read different elements after it. NCP sends no doctype.
func checkDoctype(d []byte) error {
	if bytes.ContainsAny(d[1:], `<"'`) {
		return fmt.Errorf("doctype with quotes or an internal subset %.40q not read", d)
	}
	return nil
}
