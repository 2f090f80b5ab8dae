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
	// CreditRemainingRatio: a credit is low below this fraction of what was received...
	CreditRemainingRatio float64 `yaml:"credit_remaining_ratio"`
	// CreditRemainingMin: ...and below this amount.
	CreditRemainingMin float64 `yaml:"credit_remaining_min"`
	// CreditExpiryWarning: warn this long before a credit with money left expires.
	CreditExpiryWarning Duration `yaml:"credit_expiry_warning"`
	// CoinRemainingMin: the normal coins of a member are low below this amount.
	CoinRemainingMin float64 `yaml:"coin_remaining_min"`
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
		CreditRemainingRatio: 0.1,
		CreditRemainingMin:   100_000,
		CreditExpiryWarning:  Duration(30 * 24 * time.Hour),
		CoinRemainingMin:     50_000,
		InvoiceUnpaidGrace:   Duration(20 * 24 * time.Hour),
		Stale:                Duration(30 * time.Minute),
	}
	DefaultVGPThresholds     = VGPThresholds{BalanceMin: 10, Stale: Duration(30 * time.Minute)}
	DefaultPortOneThresholds = PortOneThresholds{Stale: Duration(30 * time.Minute)}
)

// UnmarshalYAML implements yaml.Unmarshaler with strict keys.
func (t *NCloudThresholds) UnmarshalYAML(n *yaml.Node) error { return decodeStruct(n, t) }

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
		{"credit_remaining_ratio", t.CreditRemainingRatio},
		{"credit_remaining_min", t.CreditRemainingMin},
		{"credit_expiry_warning_seconds", time.Duration(t.CreditExpiryWarning).Seconds()},
		{"coin_remaining_min", t.CoinRemainingMin},
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
	if t.CreditRemainingRatio < 0 || t.CreditRemainingRatio > 1 {
		return fmt.Errorf(`field "thresholds": field "credit_remaining_ratio": must be between 0 and 1, got %v`, t.CreditRemainingRatio)
	}
	if err := nonNegative("credit_remaining_min", t.CreditRemainingMin); err != nil {
		return err
	}
	if err := nonNegative("coin_remaining_min", t.CoinRemainingMin); err != nil {
		return err
	}
	if err := positiveDuration("credit_expiry_warning", t.CreditExpiryWarning); err != nil {
		return err
	}
	if err := positiveDuration("invoice_unpaid_grace", t.InvoiceUnpaidGrace); err != nil {
		return err
	}
	return positiveDuration("stale", t.Stale)
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
