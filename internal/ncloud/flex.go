package ncloud

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
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

// UnmarshalJSON implements json.Unmarshaler.
func (n *Number) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		return n.parse(s)
	}
	return n.parse(string(b))
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

// UnmarshalJSON implements json.Unmarshaler.
func (f *FlexString) UnmarshalJSON(b []byte) error {
	switch {
	case bytes.Equal(b, []byte("null")):
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = FlexString(strings.TrimSpace(s))
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		*f = FlexString(b)
	default:
		return fmt.Errorf("%s is neither a string nor a number", b)
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

// UnmarshalJSON implements json.Unmarshaler.
func (f *FlexBool) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*f = false
		return nil
	}
	return f.UnmarshalText(bytes.Trim(b, `"`))
}
