package ncloud

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"github.com/orisano/gosax"
)

// NCP's XML pages are read from github.com/orisano/gosax's events straight
// into the row types, through the field tables of xmlfields.go. The struct
// tags on those types stay the reference: tests decode every page with
// encoding/xml as well and require the same rows (xmlread_test.go, and the
// fuzz targets). encoding/xml over gosax's tokens cost 20-25 µs of CPU a
// credit and 62% of a partner account's refresh, in reflection and token
// handling (BENCHMARKS.md, "XML decoding").
//
// What encoding/xml does, this does: elements must nest and close, text
// must be well escaped, an element no field reads is skipped (with its
// children), a text field gets the character data directly inside its
// element (children skipped), a repeated element is read again into the
// same field, names match without their namespace prefix. Tags,
// references, comments and doctypes are checked as encoding/xml reads them
// (xmlsyntax.go), then comments, doctypes and processing instructions are
// dropped; an XML declaration of an encoding other than UTF-8 is refused.

// xmlReader reads one page's events.
type xmlReader struct {
	r     *gosax.Reader
	open  []byte // names of the open elements, each followed by '>'
	opens []int  // where each open element's name starts in open
	inRow bool
	row   []byte // the row's bytes as sent while inRow, for its key
	text  []byte // a text field's character data
	// started is the local name of the element the last start tag opened,
	// valid until the next event.
	started []byte
	strings map[string]string // see intern
}

func newXMLReader(body []byte) *xmlReader {
	r := gosax.NewReaderSize(bytes.NewReader(body), 32<<10)
	r.EmitSelfClosingTag = true // <a/> is a start and an end
	return &xmlReader{r: r}
}

// depth is how many elements are open.
func (x *xmlReader) depth() int { return len(x.opens) }

// next returns the next event, keeping the open elements: an end tag must
// close the element opened last.
func (x *xmlReader) next() (gosax.Event, error) {
	ev, err := x.r.Event()
	if err != nil {
		if errors.Is(err, io.EOF) && x.depth() > 0 {
			err = io.ErrUnexpectedEOF
		}
		return ev, err
	}
	if x.inRow {
		x.row = append(x.row, ev.Bytes...) // before unescaping, which rewrites them
	}
	switch ev.Type() {
	case gosax.EventStart:
		name, local, err := startTag(ev.Bytes)
		if err != nil {
			return ev, err
		}
		x.opens = append(x.opens, len(x.open))
		x.open = append(append(x.open, name...), '>')
		x.started = local
	case gosax.EventEnd:
		if x.depth() == 0 {
			return ev, fmt.Errorf("end tag %.40q without a start", ev.Bytes)
		}
		i := x.opens[len(x.opens)-1]
		open := x.open[i : len(x.open)-1]
		// A self-closing tag's end is the start tag again, already read;
		// </name> closing the open element (whose name was checked) is
		// well formed.
		if b := ev.Bytes; b[1] == '/' && !bytes.Equal(b[2:len(b)-1], open) {
			if name, err := endTag(b); err != nil {
				return ev, err
			} else if !bytes.Equal(open, name) {
				return ev, fmt.Errorf("element <%.40s> closed by </%.40s>", open, name)
			}
		}
		x.open = x.open[:i]
		x.opens = x.opens[:len(x.opens)-1]
	case gosax.EventComment:
		if err := checkComment(ev.Bytes); err != nil {
			return ev, err
		}
	case gosax.EventDocType:
		if err := checkDoctype(ev.Bytes); err != nil {
			return ev, err
		}
	case gosax.EventProcessingInstruction:
		if err := checkDeclaration(ev.Bytes); err != nil {
			return ev, err
		}
	case gosax.EventEOF:
		if x.depth() > 0 {
			return ev, io.ErrUnexpectedEOF
		}
		return ev, io.EOF
	}
	return ev, nil
}

// root reads up to the document's first element and returns its name.
func (x *xmlReader) root() (string, error) {
	for {
		ev, err := x.next()
		if err != nil {
			return "", err
		}
		switch ev.Type() {
		case gosax.EventStart:
			return string(x.started), nil
		case gosax.EventText:
			if len(bytes.TrimLeft(ev.Bytes, " \t\r\n\ufeff")) > 0 {
				return "", fmt.Errorf("text before the root element")
			}
		}
	}
}

// children calls child for every element inside the one just opened, up to
// its end; child must read its element to its end (or skip it). Text
// between the children is checked and dropped.
func (x *xmlReader) children(child func(name []byte) error) error {
	depth := x.depth()
	for {
		ev, err := x.next()
		if err != nil {
			return err
		}
		switch ev.Type() {
		case gosax.EventStart:
			if err := child(x.started); err != nil {
				return err
			}
			if x.depth() != depth {
				return fmt.Errorf("an element inside <%.40s> not read to its end", x.open)
			}
		case gosax.EventEnd:
			if x.depth() < depth {
				return nil
			}
		default:
			if err := checkText(ev); err != nil {
				return err
			}
		}
	}
}

// checkText checks the text and CDATA that are read only to be dropped.
func checkText(ev gosax.Event) error {
	var err error
	switch ev.Type() {
	case gosax.EventText:
		if len(trimSpace(ev.Bytes)) == 0 {
			return nil // the indentation between elements: nothing to check
		}
		_, err = unescape(ev.Bytes)
	case gosax.EventCData:
		_, err = cdata(ev.Bytes)
	}
	return err
}

// skip reads the element just opened to its end, checking what is in it.
// It loops rather than recurses: a hostile body nests as deep as it is long.
func (x *xmlReader) skip() error {
	depth := x.depth()
	for x.depth() >= depth {
		ev, err := x.next()
		if err != nil {
			return err
		}
		if err := checkText(ev); err != nil {
			return err
		}
	}
	return nil
}

// chars reads the element just opened to its end and returns the character
// data directly inside it (children skipped), valid until the next call.
func (x *xmlReader) chars() ([]byte, error) {
	x.text = x.text[:0]
	depth := x.depth()
	for {
		ev, err := x.next()
		if err != nil {
			return nil, err
		}
		switch ev.Type() {
		case gosax.EventStart:
			if err := x.skip(); err != nil {
				return nil, err
			}
		case gosax.EventEnd:
			if x.depth() < depth {
				return x.text, nil
			}
		case gosax.EventText:
			b, err := unescape(ev.Bytes)
			if err != nil {
				return nil, err
			}
			x.text = append(x.text, b...)
		case gosax.EventCData:
			b, err := cdata(ev.Bytes)
			if err != nil {
				return nil, err
			}
			x.text = appendLines(x.text, b)
		}
	}
}

func cdata(b []byte) ([]byte, error) {
	inner, ok := bytes.CutPrefix(b, []byte("<![CDATA["))
	if inner, closed := bytes.CutSuffix(inner, []byte("]]>")); ok && closed {
		return inner, checkChars(inner)
	}
	return nil, fmt.Errorf("malformed CDATA section %.40q", b)
}

// appendLines appends b with its line ends read as encoding/xml reads them
// in CDATA as in text: "\r\n" and "\r" are "\n".
func appendLines(dst, b []byte) []byte {
	for {
		i := bytes.IndexByte(b, '\r')
		if i < 0 {
			return append(dst, b...)
		}
		dst = append(append(dst, b[:i]...), '\n')
		b = bytes.TrimPrefix(b[i+1:], []byte("\n"))
	}
}

// startRow starts keeping the bytes of a row; endRow returns their key.
func (x *xmlReader) startRow() {
	x.row = x.row[:0]
	x.inRow = true
}

func (x *xmlReader) endRow() rowKey {
	x.inRow = false
	return keyOf(x.row)
}

// localName is an element name without its namespace prefix, the part
// that is matched. As encoding/xml splits names, a prefix is cut only when
// both sides of the colon are there: <:a> is named ":a".
func localName(name []byte) []byte {
	if space, local, ok := bytes.Cut(name, []byte(":")); ok && len(space) > 0 && len(local) > 0 {
		return local
	}
	return name
}

// checkDeclaration refuses a processing instruction that is not one, and
// an XML declaration of a version other than 1.0 or an encoding other than
// UTF-8, which would otherwise be read as UTF-8 and garble every name
// (encoding/xml refuses both).
func checkDeclaration(pi []byte) error {
	body, opened := bytes.CutPrefix(pi, []byte("<?"))
	body, closed := bytes.CutSuffix(body, []byte("?>"))
	n := nameLen(body)
	target, rest := body[:n], body[n:]
	if !opened || !closed || !validName(target) || len(rest) > 0 && len(trimSpace(rest)) == len(rest) {
		return fmt.Errorf("malformed processing instruction %.40q", pi)
	}
	if string(target) != "xml" {
		return nil
	}
	if v, ok := declParam(rest, "version"); ok && v != "1.0" {
		return fmt.Errorf("XML version %.20q declared; only 1.0 is read", v)
	}
	if enc, ok := declParam(rest, "encoding"); ok {
		if e := strings.ToLower(enc); e != "utf-8" && e != "utf8" {
			return fmt.Errorf("encoding %.20q declared; only UTF-8 is read", enc)
		}
	}
	return nil
}

// declParam is the value of an XML declaration's parameter, quoted or not.
func declParam(decl []byte, param string) (string, bool) {
	_, v, ok := bytes.Cut(decl, []byte(param))
	if !ok {
		return "", false
	}
	v = bytes.TrimLeft(v, " \t\r\n=")
	if len(v) > 0 && (v[0] == '"' || v[0] == '\'') {
		if end := bytes.IndexByte(v[1:], v[0]); end >= 0 {
			return string(v[1 : 1+end]), true
		}
	}
	v, _, _ = bytes.Cut(v, []byte(" "))
	return string(v), true
}

// fieldMap says how the children of an element of type T are read, by
// their local name; children without an entry are skipped.
type fieldMap[T any] map[string]func(x *xmlReader, v *T) error

// fields is a fieldMap ready to read (newFields).
type fields[T any] = *fieldTable[T]

// fieldTable finds a child's entry by the name that followed the previous
// child last time: the rows of a page all list their children in one
// order, and one comparison then replaces a map lookup. The guesses are
// shared by every reader, atomically; a wrong one costs the lookup.
type fieldTable[T any] struct {
	index map[string]int32
	names []string
	reads []func(x *xmlReader, v *T) error
	first atomic.Int32   // the entry expected first, -1 for none yet
	after []atomic.Int32 // the entry expected after each, -1 for none yet
}

func newFields[T any](m fieldMap[T]) fields[T] {
	fs := &fieldTable[T]{index: make(map[string]int32, len(m)), after: make([]atomic.Int32, len(m))}
	for name, read := range m {
		fs.index[name] = int32(len(fs.names))
		fs.names = append(fs.names, name)
		fs.reads = append(fs.reads, read)
	}
	fs.first.Store(-1)
	for i := range fs.after {
		fs.after[i].Store(-1)
	}
	return fs
}

// lookup returns the entry of a child.
func (fs *fieldTable[T]) lookup(name string) (func(x *xmlReader, v *T) error, bool) {
	i, ok := fs.index[name]
	if !ok {
		return nil, false
	}
	return fs.reads[i], true
}

// read reads the element just opened into v.
func (fs *fieldTable[T]) read(x *xmlReader, v *T) error {
	guess := &fs.first
	return x.children(func(name []byte) error {
		i := guess.Load()
		if i < 0 || fs.names[i] != string(name) {
			j, ok := fs.index[string(name)]
			if !ok {
				return x.skip() // and the guess stands, for the next entry
			}
			if i = j; guess.Load() != i {
				guess.Store(i)
			}
		}
		guess = &fs.after[i]
		return fs.reads[i](x, v)
	})
}

// text is a field read by its UnmarshalText, string a plain string field.
func text[T any](field func(*T) encoding.TextUnmarshaler) func(*xmlReader, *T) error {
	return func(x *xmlReader, v *T) error {
		b, err := x.chars()
		if err != nil {
			return err
		}
		if f, ok := field(v).(*FlexString); ok {
			*f = FlexString(x.intern(bytes.TrimSpace(b))) // as its UnmarshalText
			return nil
		}
		return field(v).UnmarshalText(b)
	}
}

func str[T any](field func(*T) *string) func(*xmlReader, *T) error {
	return func(x *xmlReader, v *T) error {
		b, err := x.chars()
		if err != nil {
			return err
		}
		*field(v) = x.intern(b)
		return nil
	}
}

// intern returns b as a string, the same string for the same short text
// within a page: member numbers, months, product codes and names repeat on
// every row, and become label values that need not be held once a row.
func (x *xmlReader) intern(b []byte) string {
	if len(b) > maxInterned {
		return string(b)
	}
	if s, ok := x.strings[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(x.strings) < maxInternedStrings {
		if x.strings == nil {
			x.strings = map[string]string{}
		}
		x.strings[s] = s
	}
	return s
}

// A page's interned strings are bounded, whatever it holds.
const maxInterned, maxInternedStrings = 64, 4096

// object is a struct field, read with its own fields.
func object[T, U any](field func(*T) *U, fs fields[U]) func(*xmlReader, *T) error {
	return func(x *xmlReader, v *T) error { return fs.read(x, field(v)) }
}

// items is a list field tagged "container>item": every item element
// inside the container is appended.
func items[T, U any](field func(*T) *[]U, item string, fs fields[U]) func(*xmlReader, *T) error {
	return func(x *xmlReader, v *T) error {
		return x.children(func(name []byte) error {
			if string(name) != item {
				return x.skip()
			}
			var zero U
			list := append(*field(v), zero) // read in place, as rows are
			*field(v) = list
			return fs.read(x, &list[len(list)-1])
		})
	}
}
