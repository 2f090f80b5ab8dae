package config

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"
)

// NCloud collector names.
const (
	NCloudCredit = "credit"
	NCloudCoin   = "coin"
	NCloudDemand = "demand"
	// NCloudInvoice reads monthly invoices (getDemandCostList): paid, overdue.
	NCloudInvoice = "invoice"
)

// NCloudCollectors lists every NCP collector, in the default order.
var NCloudCollectors = []string{NCloudCredit, NCloudCoin, NCloudDemand, NCloudInvoice}

// DefaultNCloudEndpoint is the public NCP billing API.
const DefaultNCloudEndpoint = "https://billingapi.apigw.ntruss.com/billing/v1"

// NCloudAccount is one NAVER Cloud Platform account (API key pair).
type NCloudAccount struct {
	Name           string           `yaml:"name"`
	Endpoint       string           `yaml:"endpoint"`
	AccessKey      string           `yaml:"access_key"`
	AccessKeyFile  string           `yaml:"access_key_file"`
	SecretKey      Secret           `yaml:"secret_key"`
	SecretKeyFile  string           `yaml:"secret_key_file"`
	Collectors     []string         `yaml:"collectors"`
	ResponseFormat string           `yaml:"response_format"`
	IsOrganization bool             `yaml:"is_organization"`
	IsPartner      bool             `yaml:"is_partner"`
	MemberNos      []string         `yaml:"member_nos"`
	DemandMonths   int              `yaml:"demand_months"`
	InvoiceMonths  int              `yaml:"invoice_months"`
	CoinCurrency   string           `yaml:"coin_currency"`
	Thresholds     NCloudThresholds `yaml:"thresholds"`
	// HTTPClient sets proxies and TLS for this account's upstream; nil = the
	// shared transport (HTTPS_PROXY and friends from the environment).
	HTTPClient *HTTPClientConfig `yaml:"http_client_config"`
	// MinRefreshInterval and MinRefreshIntervalByCollector override
	// global.min_refresh_interval (see Refresh).
	MinRefreshInterval            *Duration           `yaml:"min_refresh_interval"`
	MinRefreshIntervalByCollector map[string]Duration `yaml:"min_refresh_interval_by_collector"`
}

func (a *NCloudAccount) setDefaults() {
	a.Endpoint = DefaultNCloudEndpoint
	a.ResponseFormat = "xml"
	a.DemandMonths = 1
	a.InvoiceMonths = 3
	a.CoinCurrency = "KRW"
	a.Thresholds = DefaultNCloudThresholds
}

var (
	memberNoRE = regexp.MustCompile(`^[0-9A-Za-z*_-]+$`)
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
)

func (a *NCloudAccount) validate(dir string) error {
	if err := checkEndpoint(a.Endpoint); err != nil {
		return err
	}
	if err := resolveSecret(&a.AccessKey, a.AccessKeyFile, "access_key", dir, true); err != nil {
		return err
	}
	secret := string(a.SecretKey)
	if err := resolveSecret(&secret, a.SecretKeyFile, "secret_key", dir, true); err != nil {
		return err
	}
	a.SecretKey = Secret(secret)
	if len(a.Collectors) == 0 {
		a.Collectors = append([]string(nil), NCloudCollectors...)
	}
	seen := map[string]bool{}
	for _, c := range a.Collectors {
		if err := checkChoice("collectors", c, NCloudCollectors...); err != nil {
			return err
		}
		if seen[c] {
			return fmt.Errorf("field \"collectors\": %q listed twice", c)
		}
		seen[c] = true
	}
	if err := checkChoice("response_format", a.ResponseFormat, "xml", "json"); err != nil {
		return err
	}
	if a.IsOrganization && a.IsPartner {
		return errors.New(`fields "is_organization" and "is_partner": the API refuses both being true`)
	}
	for _, m := range a.MemberNos {
		if !memberNoRE.MatchString(m) {
			return fmt.Errorf("field \"member_nos\": %q is not a member number", m)
		}
	}
	if a.DemandMonths < 1 || a.DemandMonths > 36 {
		return fmt.Errorf("field \"demand_months\": must be between 1 and 36, got %d", a.DemandMonths)
	}
	if a.InvoiceMonths < 1 || a.InvoiceMonths > 36 {
		return fmt.Errorf("field \"invoice_months\": must be between 1 and 36, got %d", a.InvoiceMonths)
	}
	if !currencyRE.MatchString(a.CoinCurrency) {
		return fmt.Errorf("field \"coin_currency\": %q is not a three-letter currency code", a.CoinCurrency)
	}
	if err := a.HTTPClient.validate(dir); err != nil {
		return err
	}
	r := Refresh{MinRefreshInterval: a.MinRefreshInterval, ByCollector: a.MinRefreshIntervalByCollector}
	if err := r.validate(NCloudCollectors); err != nil {
		return err
	}
	if err := a.Thresholds.validate(); err != nil {
		return err
	}
	if slices.Contains(a.Collectors, NCloudInvoice) {
		// A bill leaves the window invoice_months after its month began; it
		// must stay in it past the grace for a month of pages, or an unpaid
		// bill would never page (or stop paging) while still unpaid.
		const month = 28 * 24 * time.Hour
		grace := time.Duration(a.Thresholds.InvoiceUnpaidGrace)
		if need := 2 + int((grace+month-1)/month); a.InvoiceMonths < need {
			return fmt.Errorf("field \"invoice_months\": %d months drop an unpaid bill before thresholds.invoice_unpaid_grace %s has passed by a month; at least %d are needed",
				a.InvoiceMonths, a.Thresholds.InvoiceUnpaidGrace, need)
		}
	}
	return nil
}
