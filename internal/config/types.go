package config

import (
	"fmt"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// Duration is a YAML duration in Prometheus style ("30s", "5m", "30d").
// Negative values parse, so that validation can name the field they are in.
type Duration time.Duration

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	v, err := model.ParseDurationAllowNegative(s)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML implements yaml.Marshaler.
func (d Duration) MarshalYAML() (any, error) { return model.Duration(d).String(), nil }

// String formats the duration the way it is written in the file.
func (d Duration) String() string { return model.Duration(d).String() }

// Secret is a credential. Every way of printing it hides it, so that a
// config dump, an error or a log line never carries the value.
type Secret string

const hidden = "<secret>"

// String implements fmt.Stringer.
func (Secret) String() string { return hidden }

// GoString implements fmt.GoStringer (%#v).
func (Secret) GoString() string { return hidden }

// MarshalYAML implements yaml.Marshaler.
func (Secret) MarshalYAML() (any, error) { return hidden, nil }

// MarshalJSON implements json.Marshaler.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + hidden + `"`), nil }

// Reveal returns the credential itself, for the one place that signs with it.
func (s Secret) Reveal() string { return string(s) }
