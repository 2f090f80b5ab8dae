package collector

import (
	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/ncloud"
)

const providerNCloud = "ncloud"

// cached is appended to the HELP of upstream metrics (writing_exporters.md:
// say so when values are not fetched on every scrape).
const cached = " Refreshed at most every min_refresh_interval."

// ncloud adds the collectors of one NCP account; they share one client and
// so one concurrency limit.
func (b *builder) ncloud(a config.NCloudAccount) error {
	httpClient, err := b.httpClient(providerNCloud, a.Name, a.HTTPClient)
	if err != nil {
		return err
	}
	client, err := ncloud.New(ncloud.Options{
		Endpoint:       a.Endpoint,
		AccessKey:      a.AccessKey,
		SecretKey:      a.SecretKey.Reveal(),
		Format:         a.ResponseFormat,
		IsOrganization: a.IsOrganization,
		IsPartner:      a.IsPartner,
		MemberNos:      a.MemberNos,
		HTTPClient:     httpClient,
		MaxConcurrency: b.cfg.Global.MaxConcurrency,
		MaxPages:       b.cfg.Global.MaxPages,
		MaxBodyBytes:   b.cfg.Global.MaxResponseBytes,
		Logger:         b.o.Logger.With("provider", providerNCloud, "account", a.Name),
		Now:            b.o.Now,
	})
	if err != nil {
		return err
	}
	for _, name := range a.Collectors {
		switch name {
		case config.NCloudCredit:
			b.add(providerNCloud, a.Name, name, &ncloudCreditCollector{account: a.Name, client: client})
		case config.NCloudCoin:
			b.add(providerNCloud, a.Name, name, &ncloudCoinCollector{account: a.Name, client: client, currency: a.CoinCurrency})
		case config.NCloudDemand:
			b.add(providerNCloud, a.Name, name, &ncloudDemandCollector{account: a.Name, client: client, months: a.DemandMonths, now: b.o.Now})
		case config.NCloudInvoice:
			b.add(providerNCloud, a.Name, name, &ncloudInvoiceCollector{account: a.Name, client: client, months: a.InvoiceMonths, now: b.o.Now})
		}
	}
	return nil
}

// expiry returns the expiry of something valid through the month yyyyMM:
// the first second after that month ends in Korea. ok is false when the
// month is empty (no expiry given).
func expiry(month string) (ts float64, ok bool, err error) {
	if month == "" {
		return 0, false, nil
	}
	m, err := ncloud.ParseMonth(month)
	if err != nil {
		return 0, false, err
	}
	return float64(m.End().Unix()), true, nil
}
