package ncloud

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"

	"github.com/orisano/gosax"
)

// xmlTokens feeds encoding/xml's decoder with gosax's tokenizer (through
// the bridge gosax provides, gosax.Token, for what it does not make
// itself). encoding/xml still maps the elements to the struct tags and
// checks that they nest and close; the tokenizing, about 80% of
// encoding/xml's CPU on a page of credits, is gosax's. BENCHMARKS.md,
// "Decoding", has the figures.
//
// Inside a row (startRow), two more things happen:
//   - the row's bytes as sent are kept, so that rows with the same bytes
//     get the same key;
//   - an element whose name no field of the row's type can read is skipped
//     here, without building its tokens: encoding/xml would skip it too,
//     token by token, and most of a credit's bytes are such elements (its
//     use history). Skipped elements are still checked for nesting and
//     escapes.
type xmlTokens struct {
	r       *gosax.Reader
	inRow   bool
	readers map[string]bool         // the element names the row's type reads
	row     []byte                  // the row's bytes as sent, to hash at its end
	tokens  [3]map[string]xml.Token // start tags, end tags, whitespace: see shared
	open    []byte                  // names of the skipped elements still open, each ended by '>'
}

func newXMLDecoder(body io.Reader) (*xml.Decoder, *xmlTokens) {
	r := gosax.NewReaderSize(body, 32<<10)
	r.EmitSelfClosingTag = true // <a/> is a start and an end, as encoding/xml reads it
	t := &xmlTokens{r: r, tokens: [3]map[string]xml.Token{{}, {}, {}}}
	return xml.NewTokenDecoder(t), t
}

func (t *xmlTokens) event() (gosax.Event, error) {
	ev, err := t.r.Event()
	if err == nil && ev.Type() == gosax.EventEOF {
		err = io.EOF
	}
	if err == nil && t.inRow {
		// Before unescaping, which rewrites the bytes in place.
		t.row = append(t.row, ev.Bytes...)
	}
	return ev, err
}

// Token implements xml.TokenReader.
func (t *xmlTokens) Token() (tok xml.Token, err error) {
	defer func() {
		// A last guard: no body, however broken, may crash a refresh.
		if r := recover(); r != nil {
			tok, err = nil, fmt.Errorf("unreadable markup (%v)", r)
		}
	}()
	for {
		ev, err := t.event()
		if err != nil {
			return nil, err
		}
		switch ev.Type() {
		case gosax.EventComment, gosax.EventDocType:
			continue // no field reads them; encoding/xml's Unmarshal skips them too
		case gosax.EventProcessingInstruction:
			if err := checkDeclaration(ev.Bytes); err != nil {
				return nil, err
			}
			continue
		case gosax.EventStart:
			if t.inRow && t.readers != nil && !t.readers[string(localName(ev.Bytes))] {
				if err := t.skip(ev); err != nil {
					return nil, err
				}
				continue
			}
			if name, attrs := gosax.Name(ev.Bytes); len(bytes.Trim(attrs, " \t\r\n/")) == 0 {
				return t.shared(ev.Type(), name), nil
			}
			return gosax.Token(ev) // with attributes, which no field reads
		case gosax.EventEnd:
			name, _ := gosax.Name(ev.Bytes)
			return t.shared(ev.Type(), name), nil
		case gosax.EventText:
			if len(bytes.TrimLeft(ev.Bytes, " \t\r\n")) == 0 {
				return t.shared(ev.Type(), ev.Bytes), nil // indentation
			}
		}
		return gosax.Token(ev)
	}
}

// shared returns the token of a start tag without attributes, an end tag
// or a run of whitespace, made once per decoder: pages repeat a few dozen
// of them thousands of times, and each would be allocated (encoding/xml
// copies what it keeps, and never changes a token).
func (t *xmlTokens) shared(typ uint8, b []byte) xml.Token {
	m := t.tokens[sharedIndex[typ]]
	if tok, ok := m[string(b)]; ok { // no allocation for the lookup
		return tok
	}
	var tok xml.Token
	switch typ {
	case gosax.EventText:
		tok = xml.CharData(bytes.Clone(b))
	default:
		n := xml.Name{Local: string(b)}
		if space, local, ok := bytes.Cut(b, []byte(":")); ok {
			n = xml.Name{Space: string(space), Local: string(local)}
		}
		if typ == gosax.EventStart {
			tok = xml.StartElement{Name: n}
		} else {
			tok = xml.EndElement{Name: n}
		}
	}
	if len(m) < maxShared {
		m[string(b)] = tok
	}
	return tok
}

var sharedIndex = map[uint8]int{gosax.EventStart: 0, gosax.EventEnd: 1, gosax.EventText: 2}

// maxShared bounds the tokens kept by one decoder: a hostile page of
// distinct names costs allocations, not memory.
const maxShared = 1024

// checkDeclaration refuses a processing instruction that is not one, and
// an XML declaration of an encoding other than UTF-8, which would otherwise
// be read as UTF-8 and garble every name (encoding/xml's own tokenizer
// refuses it too).
func checkDeclaration(pi []byte) error {
	body, opened := bytes.CutPrefix(pi, []byte("<?"))
	body, closed := bytes.CutSuffix(body, []byte("?>"))
	if !opened || !closed || len(body) == 0 || body[0] == ' ' {
		return fmt.Errorf("malformed processing instruction %.40q", pi)
	}
	target, rest, _ := bytes.Cut(body, []byte(" "))
	if string(target) != "xml" {
		return nil
	}
	_, enc, ok := bytes.Cut(rest, []byte("encoding"))
	if !ok {
		return nil
	}
	enc = bytes.TrimLeft(enc, " \t\r\n=")
	if len(enc) > 0 && (enc[0] == '"' || enc[0] == '\'') {
		if end := bytes.IndexByte(enc[1:], enc[0]); end >= 0 {
			enc = enc[1 : 1+end]
		}
	}
	if e := strings.ToLower(string(enc)); e != "utf-8" && e != "utf8" {
		return fmt.Errorf("encoding %.20q declared; only UTF-8 is read", enc)
	}
	return nil
}

// skip reads up to the end of the element that start opened.
func (t *xmlTokens) skip(start gosax.Event) error {
	t.open = t.open[:0]
	ev := start
	for {
		switch ev.Type() {
		case gosax.EventStart:
			name, _ := gosax.Name(ev.Bytes)
			t.open = append(append(t.open, name...), '>')
		case gosax.EventEnd:
			name, _ := gosax.Name(ev.Bytes)
			i := bytes.LastIndexByte(t.open[:len(t.open)-1], '>') + 1
			if !bytes.Equal(t.open[i:len(t.open)-1], name) {
				return fmt.Errorf("element <%s> closed by </%s>", t.open[i:len(t.open)-1], name)
			}
			if t.open = t.open[:i]; len(t.open) == 0 {
				return nil
			}
		case gosax.EventText:
			if _, err := gosax.Unescape(ev.Bytes); err != nil {
				return err
			}
		}
		var err error
		if ev, err = t.event(); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
	}
}

// localName is a start tag's element name without its namespace prefix,
// the part encoding/xml matches against struct tags.
func localName(tag []byte) []byte {
	name, _ := gosax.Name(tag)
	if _, local, ok := bytes.Cut(name, []byte(":")); ok {
		return local
	}
	return name
}

// startRow starts a row of type T; endRow returns the key of its bytes.
func startRow[T any](t *xmlTokens) {
	t.row = t.row[:0]
	t.inRow = true
	t.readers = elementReaders(reflect.TypeFor[T]())
}

func (t *xmlTokens) endRow() rowKey {
	t.inRow = false
	return keyOf(t.row)
}

var readersByType sync.Map // reflect.Type -> map[string]bool

// elementReaders is every element name a field of typ, or of a type in
// it, reads: the names in the xml tags (each step of an a>b path), and a
// field's own name where the tag gives none. It is nil, meaning "skip
// nothing", if a type reads elements some other way (innerxml, any,
// an UnmarshalXML method).
func elementReaders(typ reflect.Type) map[string]bool {
	if v, ok := readersByType.Load(typ); ok {
		return v.(map[string]bool)
	}
	names := map[string]bool{}
	if !addReaders(typ, names, map[reflect.Type]bool{}) {
		names = nil
	}
	readersByType.Store(typ, names)
	return names
}

var xmlUnmarshaler = reflect.TypeFor[xml.Unmarshaler]()

func addReaders(typ reflect.Type, names map[string]bool, seen map[reflect.Type]bool) bool {
	for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Array {
		typ = typ.Elem()
	}
	if seen[typ] {
		return true
	}
	seen[typ] = true
	if typ.Implements(xmlUnmarshaler) || reflect.PointerTo(typ).Implements(xmlUnmarshaler) {
		return false
	}
	if typ.Kind() != reflect.Struct {
		return true
	}
	for f := range typ.Fields() {
		tag := f.Tag.Get("xml")
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		for o := range strings.SplitSeq(opts, ",") {
			switch o {
			case "innerxml", "any":
				return false
			}
		}
		if opts == "attr" || strings.HasPrefix(opts, "attr,") || opts == "chardata" || opts == "cdata" || opts == "comment" {
			continue
		}
		if _, local, ok := strings.Cut(name, " "); ok { // "namespace-URL name"
			name = local
		}
		if name == "" {
			name = f.Name
		}
		for step := range strings.SplitSeq(name, ">") {
			names[step] = true
		}
		if !addReaders(f.Type, names, seen) {
			return false
		}
	}
	return true
}
