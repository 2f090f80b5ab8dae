package config

import (
	"errors"
	"fmt"
	"time"
)

// DefaultPortOneEndpoint is the PortOne (iamport) REST API v1.
const DefaultPortOneEndpoint = "https://api.iamport.kr"

// DefaultPortOneV2Endpoint is the PortOne V2 API.
const DefaultPortOneV2Endpoint = "https://api.portone.io"

// PortOne API versions (api_version).
const (
	PortOneV1 = "v1" // the former iamport REST API: imp_key and imp_secret
	PortOneV2 = "v2" // PortOne V2: one API secret, /payment-schedules
)

// PortOneAccount is one PortOne merchant: a v1 REST API key pair, or a V2
// API secret.
type PortOneAccount struct {
	Name          string            `yaml:"name"`
	APIVersion    string            `yaml:"api_version"`
	Endpoint      string            `yaml:"endpoint"`
	ImpKey        string            `yaml:"imp_key"`
	ImpKeyFile    string            `yaml:"imp_key_file"`
	ImpSecret     Secret            `yaml:"imp_secret"`
	ImpSecretFile string            `yaml:"imp_secret_file"`
	APISecret     Secret            `yaml:"api_secret"`
	APISecretFile string            `yaml:"api_secret_file"`
	StoreID       string            `yaml:"store_id"`
	CustomerUIDs  []string          `yaml:"customer_uids"`
	Lookback      Duration          `yaml:"lookback"`
	Lookahead     Duration          `yaml:"lookahead"`
	Aggregate     bool              `yaml:"aggregate"`
	Thresholds    PortOneThresholds `yaml:"thresholds"`
	// HTTPClient sets proxies and TLS for this account's upstream; nil = the
	// shared transport (HTTPS_PROXY and friends from the environment).
	HTTPClient *HTTPClientConfig `yaml:"http_client_config"`
	// MinRefreshInterval overrides global.min_refresh_interval.
	MinRefreshInterval *Duration `yaml:"min_refresh_interval"`
}

func (a *PortOneAccount) setDefaults() {
	a.APIVersion = PortOneV1
	a.Lookback = Duration(30 * 24 * time.Hour)
	a.Lookahead = Duration(60 * 24 * time.Hour)
	a.Thresholds = DefaultPortOneThresholds
}

// maxWindow bounds lookback and lookahead: each 3-month slice is one call
// per customer.
const maxWindow = 2 * 366 * 24 * time.Hour

func (a *PortOneAccount) validate(dir string) error {
	if err := checkChoice("api_version", a.APIVersion, PortOneV1, PortOneV2); err != nil {
		return err
	}
	if a.Endpoint == "" {
		a.Endpoint = DefaultPortOneEndpoint
		if a.APIVersion == PortOneV2 {
			a.Endpoint = DefaultPortOneV2Endpoint
		}
	}
	if err := checkEndpoint(a.Endpoint); err != nil {
		return err
	}
	if err := a.validateCredentials(dir); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, uid := range a.CustomerUIDs {
		switch {
		case uid == "":
			return errors.New(`field "customer_uids": empty customer_uid`)
		case len(uid) > 80:
			return fmt.Errorf(`field "customer_uids": %q is longer than 80 characters`, uid)
		case CheckPathSegment(uid) != nil:
			return fmt.Errorf(`field "customer_uids": %q is not one URL path segment: it %w`, uid, CheckPathSegment(uid))
		case seen[uid]:
			return fmt.Errorf(`field "customer_uids": %q listed twice`, uid)
		}
		seen[uid] = true
	}
	for _, d := range []struct {
		name string
		v    Duration
	}{{"lookback", a.Lookback}, {"lookahead", a.Lookahead}} {
		if d.v < 0 {
			return fmt.Errorf("field %q: must not be negative, got -%s", d.name, -d.v)
		}
		if time.Duration(d.v) > maxWindow {
			return fmt.Errorf("field %q: %s is longer than two years", d.name, d.v)
		}
	}
	if a.Lookback+a.Lookahead == 0 {
		return errors.New(`fields "lookback" and "lookahead": the window is empty`)
	}
	if err := a.HTTPClient.validate(dir); err != nil {
		return err
	}
	if err := (Refresh{MinRefreshInterval: a.MinRefreshInterval}).validate(nil); err != nil {
		return err
	}
	return a.Thresholds.validate()
}

// validateCredentials reads the version's credentials and refuses the other
// version's, so that a half-migrated account fails at load time.
func (a *PortOneAccount) validateCredentials(dir string) error {
	if a.APIVersion == PortOneV2 {
		for _, k := range []struct{ name, v string }{
			{"imp_key", a.ImpKey}, {"imp_key_file", a.ImpKeyFile}, {"imp_secret", string(a.ImpSecret)}, {"imp_secret_file", a.ImpSecretFile},
		} {
			if k.v != "" {
				return fmt.Errorf("field %q: api_version v2 authenticates with api_secret, not imp_key and imp_secret", k.name)
			}
		}
		secret := string(a.APISecret)
		if err := resolveSecret(&secret, a.APISecretFile, "api_secret", dir, true); err != nil {
			return err
		}
		a.APISecret = Secret(secret)
		return nil
	}
	for _, k := range []struct{ name, v string }{
		{"api_secret", string(a.APISecret)}, {"api_secret_file", a.APISecretFile}, {"store_id", a.StoreID},
	} {
		if k.v != "" {
			return fmt.Errorf("field %q: only for api_version v2", k.name)
		}
	}
	if err := resolveSecret(&a.ImpKey, a.ImpKeyFile, "imp_key", dir, true); err != nil {
		return err
	}
	secret := string(a.ImpSecret)
	if err := resolveSecret(&secret, a.ImpSecretFile, "imp_secret", dir, true); err != nil {
		return err
	}
	a.ImpSecret = Secret(secret)
	return nil
}
