package config

import (
	"errors"
	"regexp"
	"strings"
)

// DefaultVGPEndpoint is the public PaymentListForThirdParty endpoint.
const DefaultVGPEndpoint = "https://dd3jwb4e7e.execute-api.us-east-2.amazonaws.com/PaymentListForThirdParty"

// VGPAccount is one member's VGP (Genohub/Coconut) payment history. The
// phone number and e-mail identify the member upstream; they are personal
// data and never become labels. Like secrets they can come from files
// (phone_number_file, email_file), which are read the same hardened way.
type VGPAccount struct {
	Name            string        `yaml:"name"`
	Endpoint        string        `yaml:"endpoint"`
	Caller          string        `yaml:"caller"`
	PhoneNumber     string        `yaml:"phone_number"`
	PhoneNumberFile string        `yaml:"phone_number_file"`
	Email           string        `yaml:"email"`
	EmailFile       string        `yaml:"email_file"`
	Thresholds      VGPThresholds `yaml:"thresholds"`
	// HTTPClient sets proxies and TLS for this account's upstream; nil = the
	// shared transport (HTTPS_PROXY and friends from the environment).
	HTTPClient *HTTPClientConfig `yaml:"http_client_config"`
	// MinRefreshInterval overrides global.min_refresh_interval.
	MinRefreshInterval *Duration `yaml:"min_refresh_interval"`
}

func (a *VGPAccount) setDefaults() {
	a.Endpoint = DefaultVGPEndpoint
	a.Thresholds = DefaultVGPThresholds
}

var phoneRE = regexp.MustCompile(`^\+?[0-9]{8,15}$`)

func (a *VGPAccount) validate(dir string) error {
	if err := checkEndpoint(a.Endpoint); err != nil {
		return err
	}
	if a.Caller == "" {
		return errors.New(`field "caller": required (the calling service, e.g. Vroomgo)`)
	}
	if err := resolveSecret(&a.PhoneNumber, a.PhoneNumberFile, "phone_number", dir, false); err != nil {
		return err
	}
	if err := resolveSecret(&a.Email, a.EmailFile, "email", dir, false); err != nil {
		return err
	}
	if a.PhoneNumber == "" && a.Email == "" {
		return errors.New(`at least one of "phone_number" and "email" (or their _file keys) is required`)
	}
	// The values are personal data: errors say what is wrong, not what they are.
	if a.PhoneNumber != "" && !phoneRE.MatchString(a.PhoneNumber) {
		return errors.New(`field "phone_number": want 8 to 15 digits with the country code, e.g. "821012345678"`)
	}
	if a.Email != "" && (!strings.Contains(a.Email, "@") || strings.ContainsAny(a.Email, " \t\n")) {
		return errors.New(`field "email": not an e-mail address`)
	}
	if err := a.HTTPClient.validate(dir); err != nil {
		return err
	}
	if err := (Refresh{MinRefreshInterval: a.MinRefreshInterval}).validate(nil); err != nil {
		return err
	}
	return a.Thresholds.validate()
}
