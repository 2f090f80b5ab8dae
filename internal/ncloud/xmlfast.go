package ncloud

import (
	"bytes"
	"encoding"
	"reflect"
	"unicode/utf8"
)

// decodeXMLFast decodes a page the way decodeXMLStd (encoding/xml) does,
// several times faster, for the XML the API sends: an optional
// <?xml version="1.0" encoding="UTF-8"?>, then elements with ASCII names
// and no attributes, and text with the predefined and numeric entities.
// It gives up (false) on anything else - comments, CDATA, processing
// instructions, namespaces, attributes, carriage returns, malformed XML,
// a value its UnmarshalText refuses, a root other than action's - and the
// caller then decodes with encoding/xml, whose result and errors are
// authoritative. So it may only succeed where encoding/xml succeeds with
// the same result; FuzzDecode* check that.
//
// encoding/xml reads a byte at a time through an interface and allocates
// every token: 80-90 µs a credit, 4-6 s of CPU for 50 pages of 1000 credits
// (BenchmarkDecodeCredits), which no concurrency could hide on two CPUs.
func decodeXMLFast(action string, body []byte, page any) bool {
	v := reflect.ValueOf(page)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return false
	}
	p := planOf(v.Elem().Type())
	if p == nil {
		return false
	}
	d := fastDecoder{b: body}
	if !d.prolog() {
		return false
	}
	name, empty, ok := d.startTag()
	if !ok || (string(name) != action && string(name) != action+"Response") {
		return false
	}
	// Decode into a fresh value, so that giving up half-way leaves page as
	// it was for encoding/xml.
	fresh := reflect.New(v.Elem().Type())
	if !empty && !d.content(name, fresh.Elem(), p) {
		return false
	}
	v.Elem().Set(fresh.Elem())
	return true
}

// fastDecoder reads body from pos; its methods report false to give up.
type fastDecoder struct {
	b   []byte
	pos int
	buf []byte // an element's text, when it holds entities
}

// xmlDecl is the only prolog decodeXMLFast accepts, besides none.
var xmlDecls = [][]byte{
	[]byte(`<?xml version="1.0" encoding="UTF-8"?>`),
	[]byte(`<?xml version="1.0" encoding="utf-8"?>`),
	[]byte(`<?xml version="1.0"?>`),
}

// prolog skips white space and an XML declaration up to the root element.
func (d *fastDecoder) prolog() bool {
	d.space()
	for _, decl := range xmlDecls {
		if bytes.HasPrefix(d.b[d.pos:], decl) {
			d.pos += len(decl)
			d.space()
			break
		}
	}
	return d.pos < len(d.b) && d.b[d.pos] == '<'
}

func (d *fastDecoder) space() {
	for d.pos < len(d.b) && isSpace(d.b[d.pos]) {
		d.pos++
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// startTag reads <name>, <name > or <name/> at pos.
func (d *fastDecoder) startTag() (name []byte, empty, ok bool) {
	if d.pos >= len(d.b) || d.b[d.pos] != '<' {
		return nil, false, false
	}
	d.pos++
	if name, ok = d.name(); !ok {
		return nil, false, false
	}
	d.space()
	switch {
	case d.pos < len(d.b) && d.b[d.pos] == '>':
		d.pos++
		return name, false, true
	case d.pos+1 < len(d.b) && d.b[d.pos] == '/' && d.b[d.pos+1] == '>':
		d.pos += 2
		return name, true, true
	}
	return nil, false, false // attributes, or broken
}

// name reads an ASCII XML name without a namespace prefix.
func (d *fastDecoder) name() ([]byte, bool) {
	start := d.pos
	for d.pos < len(d.b) {
		c := d.b[d.pos]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' ||
			d.pos > start && ('0' <= c && c <= '9' || c == '.' || c == '-') {
			d.pos++
			continue
		}
		break
	}
	return d.b[start:d.pos], d.pos > start
}

// endTag reads </name> (white space allowed before >) at pos, which must
// close the element name.
func (d *fastDecoder) endTag(name []byte) bool {
	d.pos += 2 // "</"
	got, ok := d.name()
	if !ok || !bytes.Equal(got, name) {
		return false
	}
	d.space()
	if d.pos >= len(d.b) || d.b[d.pos] != '>' {
		return false
	}
	d.pos++
	return true
}

// next reads character data up to the next markup, which it classifies.
// With keep, the data (entities replaced) is appended to d.buf.
func (d *fastDecoder) next(keep bool) (markup byte, ok bool) {
	for d.pos < len(d.b) {
		c := d.b[d.pos]
		switch {
		case c == '<':
			if d.pos+1 >= len(d.b) {
				return 0, false
			}
			switch m := d.b[d.pos+1]; m {
			case '/':
				return '/', true
			case '!', '?': // comment, CDATA, directive, processing instruction
				return 0, false
			}
			return '<', true
		case c == '&':
			r, ok := d.entity()
			if !ok {
				return 0, false
			}
			if keep {
				d.buf = utf8.AppendRune(d.buf, r)
			}
			continue
		case c == '>':
			// "]]>" outside CDATA is an error for encoding/xml.
			if d.pos >= 2 && d.b[d.pos-1] == ']' && d.b[d.pos-2] == ']' {
				return 0, false
			}
		case c == '\r':
			return 0, false // encoding/xml rewrites it to \n
		case c < 0x20 && c != '\t' && c != '\n':
			return 0, false
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(d.b[d.pos:])
			if r == utf8.RuneError && size == 1 || !inCharRange(r) {
				return 0, false
			}
			if keep {
				d.buf = append(d.buf, d.b[d.pos:d.pos+size]...)
			}
			d.pos += size
			continue
		}
		if keep {
			d.buf = append(d.buf, c)
		}
		d.pos++
	}
	return 0, false // end of input inside an element
}

// entity reads &lt; &gt; &amp; &apos; &quot; &#N; or &#xH; at pos.
func (d *fastDecoder) entity() (rune, bool) {
	end := bytes.IndexByte(d.b[d.pos:min(len(d.b), d.pos+12)], ';')
	if end < 0 {
		return 0, false
	}
	ref := d.b[d.pos+1 : d.pos+end]
	d.pos += end + 1
	switch string(ref) {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "apos":
		return '\'', true
	case "quot":
		return '"', true
	}
	if len(ref) < 2 || ref[0] != '#' {
		return 0, false
	}
	digits, base := ref[1:], rune(10)
	if digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	var r rune
	for _, c := range digits {
		var v rune
		switch {
		case '0' <= c && c <= '9':
			v = rune(c - '0')
		case base == 16 && 'a' <= c && c <= 'f':
			v = rune(c-'a') + 10
		case base == 16 && 'A' <= c && c <= 'F':
			v = rune(c-'A') + 10
		default:
			return 0, false
		}
		if r = r*base + v; r > utf8.MaxRune {
			return 0, false
		}
	}
	// encoding/xml would turn a carriage return into \n, a surrogate into
	// U+FFFD; leave those to it.
	if len(digits) == 0 || r == '\r' || !inCharRange(r) || 0xD800 <= r && r <= 0xDFFF {
		return 0, false
	}
	return r, true
}

// inCharRange is XML's Char production, as encoding/xml checks it.
func inCharRange(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// content reads the children of the open element name into v, a struct
// whose plan (or the part of it under a path element) is p, through the
// element's end tag.
func (d *fastDecoder) content(name []byte, v reflect.Value, p *plan) bool {
	for {
		markup, ok := d.next(false) // a struct's own text is ignored
		if !ok {
			return false
		}
		if markup == '/' {
			return d.endTag(name)
		}
		child, empty, ok := d.startTag()
		if !ok {
			return false
		}
		c := p.children[string(child)]
		switch {
		case c == nil:
			if !empty && !d.skip(child) {
				return false
			}
		case c.kind == kindNone: // a path element: its children map further down
			if !empty && !d.content(child, v, c) {
				return false
			}
		default:
			if !d.field(child, empty, v.FieldByIndex(c.field), c) {
				return false
			}
		}
	}
}

// field decodes the element name into f as the leaf c says.
func (d *fastDecoder) field(name []byte, empty bool, f reflect.Value, c *plan) bool {
	switch c.kind {
	case kindText, kindString:
		text, ok := d.text(name, empty)
		if !ok {
			return false
		}
		if c.kind == kindString {
			f.SetString(string(text))
			return true
		}
		return f.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText(text) == nil
	case kindStruct:
		return empty || d.content(name, f, c.elem)
	case kindSlice:
		n := f.Len()
		f.Grow(1)
		f.SetLen(n + 1)
		f.Index(n).SetZero()
		return empty || d.content(name, f.Index(n), c.elem)
	}
	return false
}

// text reads the element's own character data through its end tag,
// skipping child elements, as encoding/xml does for a text field.
func (d *fastDecoder) text(name []byte, empty bool) ([]byte, bool) {
	d.buf = d.buf[:0]
	if empty {
		return d.buf, true
	}
	// Most values are plain text directly followed by the end tag: return
	// a slice of the body.
	start := d.pos
	if end := bytes.IndexByte(d.b[start:], '<'); end >= 0 && end+1 < len(d.b[start:]) && d.b[start+end+1] == '/' &&
		plainText(d.b[start:start+end]) {
		d.pos = start + end
		return d.b[start : start+end], d.endTag(name)
	}
	for {
		markup, ok := d.next(true)
		if !ok {
			return nil, false
		}
		if markup == '/' {
			return d.buf, d.endTag(name)
		}
		child, childEmpty, ok := d.startTag()
		if !ok || !childEmpty && !d.skip(child) {
			return nil, false
		}
	}
}

// plainText reports whether b is text that needs no decoding: printable
// ASCII, tabs and newlines, without entities or "]]>".
func plainText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' || c >= utf8.RuneSelf || c == '&' || c == '>' {
			return false
		}
	}
	return true
}

// skip reads past the end of the open element name and everything in it.
func (d *fastDecoder) skip(name []byte) bool {
	open := [][]byte{name}
	for len(open) > 0 {
		markup, ok := d.next(false)
		if !ok {
			return false
		}
		if markup == '/' {
			if !d.endTag(open[len(open)-1]) {
				return false
			}
			open = open[:len(open)-1]
			continue
		}
		child, empty, ok := d.startTag()
		if !ok {
			return false
		}
		if !empty {
			open = append(open, child)
		}
	}
	return true
}
