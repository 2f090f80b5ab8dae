package config

import (
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"
)

// Thresholds are what the shipped alert rules compare against. The exporter
// exports them as billing_alert_threshold{provider, account, threshold}, so
// that each account is tuned in this file instead of in PromQL.
//
// NCloudThresholds apply to one NCP account.
type NCloudThresholds struct {
	// PrepaidRunwayMin: warn when a member's unexpired credits plus normal
	// coins last less than this at the burn rate of the last 7 days.
	PrepaidRunwayMin Duration `yaml:"prepaid_runway_min"`
	// CreditExpiryWarning: warn this long before a credit with money left expires.
	CreditExpiryWarning Duration `yaml:"credit_expiry_warning"`
	// CoinExpiryWarning: warn this long before a normal coin with money left expires.
	CoinExpiryWarning Duration `yaml:"coin_expiry_warning"`
	// InvoiceUnpaidGrace: an invoice still unpaid this long after its month
	// ended pages.
	InvoiceUnpaidGrace Duration `yaml:"invoice_unpaid_grace"`
	// Stale: warn when a collector has not refreshed successfully for this long.
	Stale Duration `yaml:"stale"`
}

// VGPThresholds apply to one VGP account.
type VGPThresholds struct {
	BalanceMin float64  `yaml:"balance_min"`
	Stale      Duration `yaml:"stale"`
}

// PortOneThresholds apply to one PortOne account.
type PortOneThresholds struct {
	Stale Duration `yaml:"stale"`
}

// Default thresholds.
var (
	DefaultNCloudThresholds = NCloudThresholds{
		PrepaidRunwayMin:    Duration(7 * 24 * time.Hour),
		CreditExpiryWarning: Duration(30 * 24 * time.Hour),
		CoinExpiryWarning:   Duration(30 * 24 * time.Hour),
		InvoiceUnpaidGrace:  Duration(20 * 24 * time.Hour),
		Stale:               Duration(30 * time.Minute),
	}
	DefaultVGPThresholds     = VGPThresholds{BalanceMin: 10, Stale: Duration(30 * time.Minute)}
	DefaultPortOneThresholds = PortOneThresholds{Stale: Duration(30 * time.Minute)}
)

// removedNCloudThresholds are keys of earlier versions, with what replaces
// them: a config that still sets one is refused with a pointer, not with a
// bare "unknown field".
var removedNCloudThresholds = map[string]string{
	"credit_remaining_ratio": "prepaid_runway_min",
	"credit_remaining_min":   "prepaid_runway_min",
	"coin_remaining_min":     "prepaid_runway_min",
}

// UnmarshalYAML implements yaml.Unmarshaler with strict keys.
func (t *NCloudThresholds) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if repl, ok := removedNCloudThresholds[n.Content[i].Value]; ok {
				return fmt.Errorf("line %d: field %q was removed: low balances are paged by the prepaid runway (%q), which a used-up credit does not trip",
					n.Content[i].Line, n.Content[i].Value, repl)
			}
		}
	}
	return decodeStruct(n, t)
}

// UnmarshalYAML implements yaml.Unmarshaler with strict keys.
func (t *VGPThresholds) UnmarshalYAML(n *yaml.Node) error { return decodeStruct(n, t) }

// UnmarshalYAML implements yaml.Unmarshaler with strict keys.
func (t *PortOneThresholds) UnmarshalYAML(n *yaml.Node) error { return decodeStruct(n, t) }

// Threshold is one exported threshold value.
type Threshold struct {
	Name  string
	Value float64
}

// List returns the thresholds as exported, durations in seconds.
func (t NCloudThresholds) List() []Threshold {
	return []Threshold{
		{"prepaid_runway_min_seconds", time.Duration(t.PrepaidRunwayMin).Seconds()},
		{"credit_expiry_warning_seconds", time.Duration(t.CreditExpiryWarning).Seconds()},
		{"coin_expiry_warning_seconds", time.Duration(t.CoinExpiryWarning).Seconds()},
		{"invoice_unpaid_grace_seconds", time.Duration(t.InvoiceUnpaidGrace).Seconds()},
		{"stale_seconds", time.Duration(t.Stale).Seconds()},
	}
}

// List returns the thresholds as exported.
func (t VGPThresholds) List() []Threshold {
	return []Threshold{{"balance_min", t.BalanceMin}, {"stale_seconds", time.Duration(t.Stale).Seconds()}}
}

// List returns the thresholds as exported.
func (t PortOneThresholds) List() []Threshold {
	return []Threshold{{"stale_seconds", time.Duration(t.Stale).Seconds()}}
}

func (t NCloudThresholds) validate() error {
	for _, d := range []struct {
		name string
		v    Duration
	}{
		{"prepaid_runway_min", t.PrepaidRunwayMin},
		{"credit_expiry_warning", t.CreditExpiryWarning},
		{"coin_expiry_warning", t.CoinExpiryWarning},
		{"invoice_unpaid_grace", t.InvoiceUnpaidGrace},
		{"stale", t.Stale},
	} {
		if err := positiveDuration(d.name, d.v); err != nil {
			return err
		}
	}
	return nil
}

func (t VGPThresholds) validate() error {
	if err := nonNegative("balance_min", t.BalanceMin); err != nil {
		return err
	}
	return positiveDuration("stale", t.Stale)
}

func (t PortOneThresholds) validate() error { return positiveDuration("stale", t.Stale) }

func nonNegative(field string, v float64) error {
	if v < 0 {
		return fmt.Errorf(`field "thresholds": field %q: must not be negative, got %v`, field, v)
	}
	return nil
}

func positiveDuration(field string, d Duration) error {
	if d <= 0 {
		return fmt.Errorf(`field "thresholds": field %q: must be greater than 0`, field)
	}
	return nil
}
