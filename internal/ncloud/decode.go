package ncloud

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"unicode"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/billingexporter/billing_exporter/internal/upstream"
)

// header is what every list response carries before its list.
type header struct {
	RequestID     string
	ReturnCode    FlexString
	ReturnMessage string
	TotalRows     Number
}

func (h header) status() error {
	if h.ReturnCode == "" || h.ReturnCode == "0" {
		return nil
	}
	return &bodyError{code: string(h.ReturnCode), message: h.ReturnMessage}
}

// bodyError is an error the upstream reported inside a response body.
type bodyError struct{ code, message string }

func (e *bodyError) Error() string { return "code " + e.code + ": " + e.message }

// list names a list response's container and item: in XML every item is
// an element of its own inside the container; in JSON the container is an
// array of items.
type list[T any] struct {
	container, item string
	// check says which identifying field a row lacks, if any.
	check func(*T) error
	// shortLastPage accepts a list whose last page has fewer rows than
	// totalRows implies, when every page before it came full: the vendor's
	// own demand sample says totalRows 2 and lists one row.
	shortLastPage bool
	// xml reads a row's elements (xmlfields.go).
	xml fields[T]
}

var (
	creditList = list[CreditHistory]{"creditHistoryList", "creditHistory", func(r *CreditHistory) error {
		return required("memberNo", r.MemberNo, "credit.discountNo", r.Credit.DiscountNo)
	}, false, creditXML}
	coinList = list[CoinHistory]{"coinHistoryList", "coinHistory", func(r *CoinHistory) error {
		return required("memberNo", r.MemberNo, "coin.discountNo", r.Coin.DiscountNo)
	}, false, coinXML}
	demandList = list[ProductDemandCost]{"productDemandCostByDiscountList", "productDemandCostByDiscount", func(r *ProductDemandCost) error {
		return required("memberNo", r.MemberNo, "demandMonth", r.DemandMonth, "productDemandType.code", FlexString(r.ProductDemandType.Code))
	}, true, demandXML}
)

// required names the first of the (name, value) pairs whose value is empty.
func required(pairs ...any) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1].(FlexString) == "" {
			return fmt.Errorf("has no %s", pairs[i])
		}
	}
	return nil
}

// page is one decoded page of a list.
type page[T any] struct {
	header
	hasTotal bool
	hasList  bool
	items    []T
	keys     []rowKey     // keys[i] identifies items[i]'s bytes, for exact duplicates
	early    func(header) // see decodePageEarly
}

// rowKey is a 128-bit hash of a row's bytes as sent: rows with the same key
// are exact duplicates.
type rowKey [2]uint64

var rowSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

func keyOf(raw []byte) rowKey {
	raw = bytes.TrimLeft(raw, " \t\r\n,")
	return rowKey{maphash.Bytes(rowSeeds[0], raw), maphash.Bytes(rowSeeds[1], raw)}
}

// decodePage decodes a successful (2xx) response in one pass. The format is
// taken from the body itself, not from what was asked for or from
// Content-Type, so that a gateway answering in the other format is still
// read. The page must be complete: a root, totalRows, and its list (which
// may be empty, or absent when totalRows is 0), every row with its
// identifying fields.
func decodePage[T any](action string, l list[T], body []byte) (page[T], error) {
	return decodePageEarly(action, l, body, nil)
}

// decodePageEarly is decodePage that also hands early, if not nil, the
// page's header as soon as its totalRows is known, so that the next pages
// can be asked for meanwhile: in XML as soon as it is read (before the
// rows, where NCP sends it), otherwise once the page is decoded. early
// sees what the header holds by then, and is called once at most.
func decodePageEarly[T any](action string, l list[T], body []byte, early func(header)) (page[T], error) {
	p := page[T]{early: early}
	var err error
	switch firstByte(body) {
	case '<':
		err = decodeXML(action, l, body, &p)
	case '{':
		err = decodeJSON(action, l, body, &p)
	default:
		return p, fmt.Errorf("response is neither XML nor JSON: %s", upstream.Snippet(body))
	}
	if err != nil {
		return p, err
	}
	if err := p.status(); err != nil {
		return p, err
	}
	switch {
	case !p.hasTotal:
		return p, fmt.Errorf("response has no totalRows")
	case p.TotalRows.Value < 0:
		return p, fmt.Errorf("negative totalRows %v", p.TotalRows.Value)
	case !p.hasList && p.TotalRows.Value > 0:
		return p, fmt.Errorf("response has no %s although totalRows is %.0f", l.container, p.TotalRows.Value)
	}
	for i := range p.items {
		if err := l.check(&p.items[i]); err != nil {
			return p, fmt.Errorf("%s %d: %w", l.item, i+1, err)
		}
	}
	p.told()
	return p, nil
}

// told hands the header to early, once.
func (p *page[T]) told() {
	if p.early != nil {
		p.early(p.header)
		p.early = nil
	}
}

// member reads one member of a page object (the root, or the payload under
// it); it reports false for a name that belongs to no page.
func (p *page[T]) member(dec *jsontext.Decoder, body []byte, l list[T], name string) (bool, error) {
	var err error
	switch name {
	case "requestId":
		var s FlexString
		err = json.UnmarshalDecode(dec, &s)
		p.RequestID = string(s)
	case "returnCode":
		err = json.UnmarshalDecode(dec, &p.ReturnCode)
	case "returnMessage":
		var s FlexString
		err = json.UnmarshalDecode(dec, &s)
		p.ReturnMessage = string(s)
	case "totalRows":
		err = json.UnmarshalDecode(dec, &p.TotalRows)
		p.hasTotal = p.TotalRows.Set
	case l.container:
		err = p.jsonRows(dec, body)
	default:
		return false, dec.SkipValue()
	}
	if err != nil {
		return true, fmt.Errorf("%s: %w", name, err)
	}
	return true, nil
}

// jsonRows reads the list array row by row, keeping each row's bytes' key.
func (p *page[T]) jsonRows(dec *jsontext.Decoder, body []byte) error {
	switch dec.PeekKind() {
	case 'n':
		_, err := dec.ReadToken() // null: as good as absent
		return err
	case '[':
	default:
		return fmt.Errorf("is not a list")
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	p.hasList = true
	for dec.PeekKind() != ']' {
		start := dec.InputOffset()
		var it T
		if err := json.UnmarshalDecode(dec, &it); err != nil {
			return fmt.Errorf("row %d: %w", len(p.items)+1, err)
		}
		p.items = append(p.items, it)
		p.keys = append(p.keys, keyOf(body[start:dec.InputOffset()]))
	}
	_, err := dec.ReadToken()
	return err
}

var jsonOptions = json.JoinOptions(jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))

// decodeJSON reads {"<action>Response": {...}} (or "<action>", or the
// payload without a wrapper, as some gateways send it) and the gateway's
// ({"error":{...}}) and the API's ({"responseError":{...}}) error bodies.
func decodeJSON[T any](action string, l list[T], body []byte, p *page[T]) error {
	dec := jsontext.NewDecoder(bytes.NewReader(body), jsonOptions)
	err := func() error {
		if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
			return fmt.Errorf("root is not an object")
		}
		found := false
		for dec.PeekKind() != '}' {
			tok, err := dec.ReadToken()
			if err != nil {
				return err
			}
			switch name := tok.String(); name {
			case action + "Response", action:
				if dec.PeekKind() != '{' {
					return fmt.Errorf("%s is not an object", name)
				}
				if _, err := dec.ReadToken(); err != nil {
					return err
				}
				for dec.PeekKind() != '}' {
					tok, err := dec.ReadToken()
					if err != nil {
						return err
					}
					if _, err := p.member(dec, body, l, tok.String()); err != nil {
						return fmt.Errorf("%s.%w", name, err)
					}
				}
				if _, err := dec.ReadToken(); err != nil {
					return err
				}
				found = true
			case "error", "responseError":
				return jsonError(dec, name)
			default:
				known, err := p.member(dec, body, l, name)
				if err != nil {
					return err
				}
				found = found || known
			}
		}
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("response has no %sResponse", action)
		}
		if _, err := dec.ReadToken(); !errors.Is(err, io.EOF) {
			return fmt.Errorf("data after the root object")
		}
		return nil
	}()
	if _, ok := errors.AsType[*bodyError](err); err != nil && !ok {
		return fmt.Errorf("malformed JSON: %w", err)
	}
	return err
}

// jsonError reads the value of an "error" or "responseError" member.
func jsonError(dec *jsontext.Decoder, name string) error {
	var e struct {
		ErrorCode     FlexString `json:"errorCode"`
		Message       FlexString `json:"message"`
		Details       FlexString `json:"details"`
		ReturnCode    FlexString `json:"returnCode"`
		ReturnMessage FlexString `json:"returnMessage"`
	}
	if err := json.UnmarshalDecode(dec, &e); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if name == "responseError" {
		return &bodyError{code: string(e.ReturnCode), message: string(e.ReturnMessage)}
	}
	msg := string(e.Message)
	if e.Details != "" {
		msg += " (" + string(e.Details) + ")"
	}
	return &bodyError{code: string(e.ErrorCode), message: msg}
}

// decodeXML reads <action> or <actionResponse> row by row (xmlread.go),
// and the API's <responseError> body.
func decodeXML[T any](action string, l list[T], body []byte, p *page[T]) (err error) {
	defer func() {
		// A last guard: no body, however broken, may crash the exporter.
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed XML: unreadable markup (%v)", r)
		}
	}()
	x := newXMLReader(body)
	root, err := x.root()
	if err != nil {
		return fmt.Errorf("malformed XML: %w", err)
	}
	switch root {
	case action, action + "Response":
		if err := p.xmlMembers(x, l); err != nil {
			return fmt.Errorf("malformed XML: %w", err)
		}
		return nil
	case "responseError":
		var e bodyError
		if err := errorXML.read(x, &e); err != nil {
			return fmt.Errorf("malformed XML error body: %w", err)
		}
		return &e
	default:
		return fmt.Errorf("unexpected XML root element <%s>", root)
	}
}

var errorXML = newFields(fieldMap[bodyError]{
	"returnCode":    str(func(e *bodyError) *string { return &e.code }),
	"returnMessage": str(func(e *bodyError) *string { return &e.message }),
})

// headerXML reads the members every page has before its list.
var headerXML = newFields(fieldMap[header]{
	"requestId":     str(func(h *header) *string { return &h.RequestID }),
	"returnCode":    text(func(h *header) encoding.TextUnmarshaler { return &h.ReturnCode }),
	"returnMessage": str(func(h *header) *string { return &h.ReturnMessage }),
	"totalRows":     text(func(h *header) encoding.TextUnmarshaler { return &h.TotalRows }),
})

// xmlMembers reads the children of the root element up to its end.
func (p *page[T]) xmlMembers(x *xmlReader, l list[T]) error {
	err := x.children(func(name []byte) error {
		// name points into the reader's buffer, which reading the member
		// overwrites: the error names a copy.
		member := string(name)
		var err error
		if f, ok := headerXML.lookup(member); ok {
			if err = f(x, &p.header); err == nil && member == "totalRows" {
				p.told()
			}
		} else if member == l.container {
			p.hasList = true
			err = p.xmlRows(x, l)
		} else {
			err = x.skip()
		}
		if err != nil {
			return fmt.Errorf("<%.40s>: %w", member, err)
		}
		return nil
	})
	p.hasTotal = p.TotalRows.Set
	return err
}

func (p *page[T]) xmlRows(x *xmlReader, l list[T]) error {
	// totalRows comes before the list: room for a full page, or for all
	// the rows when fewer, instead of growing the slice row by row.
	if t := p.TotalRows.Value; cap(p.items) == 0 && p.TotalRows.Set && t >= 1 {
		n := pageSize
		if t < pageSize {
			n = int(t)
		}
		p.items = make([]T, 0, n)
		p.keys = make([]rowKey, 0, n)
	}
	return x.children(func(name []byte) error {
		if string(name) != l.item {
			return x.skip()
		}
		x.startRow()
		// Read in place: a row is large, and a copy of it on the heap
		// cost more than reading it.
		var zero T
		p.items = append(p.items, zero)
		err := l.xml.read(x, &p.items[len(p.items)-1])
		key := x.endRow()
		if err != nil {
			p.items = p.items[:len(p.items)-1]
			return fmt.Errorf("row %d: %w", len(p.items)+1, err)
		}
		p.keys = append(p.keys, key)
		return nil
	})
}

// decodeErrorBody extracts the upstream's code and message from a non-2xx
// body, in either format.
func decodeErrorBody(action string, body []byte) *bodyError {
	var p page[struct{}]
	l := list[struct{}]{check: func(*struct{}) error { return nil }}
	var err error
	switch firstByte(body) {
	case '{':
		err = decodeJSON(action, l, body, &p)
	case '<':
		err = decodeXML(action, l, body, &p)
	}
	if err == nil {
		err = p.status()
	}
	be, _ := errors.AsType[*bodyError](err)
	return be
}

func firstByte(b []byte) byte {
	b = bytes.TrimLeftFunc(b, unicode.IsSpace)
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // UTF-8 byte order mark
	if len(b) == 0 {
		return 0
	}
	return b[0]
}
