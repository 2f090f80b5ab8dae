package ncloud

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// Number is an amount that may arrive as a JSON number, a numeric string, or
// XML text; integers and decimals alike ("30000", "30000.0", "10.5").
// Missing, null and empty leave it unset (zero).
type Number struct {
	Value float64
	Set   bool
}

// UnmarshalText implements encoding.TextUnmarshaler (XML character data).
func (n *Number) UnmarshalText(b []byte) error { return n.parse(string(b)) }

// UnmarshalJSONFrom implements json.UnmarshalerFrom: a number, a string
// or null.
func (n *Number) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	tok, err := scalarToken(dec)
	if err != nil || tok.Kind() == 'n' {
		return err
	}
	return n.parse(tok.String())
}

// scalarToken reads a string, number or null.
func scalarToken(dec *jsontext.Decoder) (jsontext.Token, error) {
	switch k := dec.PeekKind(); k {
	case 'n', '"', '0':
		return dec.ReadToken()
	case 't', 'f':
		tok, err := dec.ReadToken()
		if err != nil {
			return tok, err
		}
		return tok, fmt.Errorf("%s is neither a string nor a number", tok)
	default:
		if err := dec.SkipValue(); err != nil {
			return jsontext.Token{}, err
		}
		return jsontext.Token{}, fmt.Errorf("%s is neither a string nor a number", k)
	}
}

func (n *Number) parse(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return fmt.Errorf("%q is not a number", s)
	}
	n.Value, n.Set = v, true
	return nil
}

// FlexString is an identifier or month that may arrive as a JSON string or
// number (memberNo, discountNo, yyyyMM).
type FlexString string

// UnmarshalText implements encoding.TextUnmarshaler.
func (f *FlexString) UnmarshalText(b []byte) error {
	*f = FlexString(strings.TrimSpace(string(b)))
	return nil
}

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (f *FlexString) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	tok, err := scalarToken(dec)
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		*f = ""
	case '"':
		*f = FlexString(strings.TrimSpace(tok.String()))
	default:
		*f = FlexString(tok.String())
	}
	return nil
}

// String returns the value as text.
func (f FlexString) String() string { return string(f) }

// FlexBool is a boolean that may arrive as true/false or "true"/"false".
type FlexBool bool

// UnmarshalText implements encoding.TextUnmarshaler.
func (f *FlexBool) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "" {
		*f = false
		return nil
	}
	v, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("%q is not a boolean", s)
	}
	*f = FlexBool(v)
	return nil
}

// UnmarshalJSONFrom implements json.UnmarshalerFrom: a boolean, a string
// or null.
func (f *FlexBool) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch dec.PeekKind() {
	case 't', 'f':
		tok, err := dec.ReadToken()
		if err != nil { // a truncated literal ("t0"): Bool would panic
			return err
		}
		*f = FlexBool(tok.Bool())
		return nil
	case 'n':
		*f = false
		_, err := dec.ReadToken()
		return err
	case '"':
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		return f.UnmarshalText([]byte(tok.String()))
	default:
		if err := dec.SkipValue(); err != nil {
			return err
		}
		return fmt.Errorf("not a boolean")
	}
}
