package collector

import (
	"context"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/vgp"
)

const providerVGP = "vgp"

var (
	vgpBalanceDesc = newDesc("vgp", "balance",
		"VGP balance after the newest payment (VGPBalance of the record with the latest Timestamp in PaymentListForThirdParty)."+cached,
		"caller")
	vgpPaymentsDesc = newDesc("vgp", "payments",
		"Number of payments in the VGP history, by upstream Status in lower case."+cached, "caller", "status")
	vgpUsageDesc = newDesc("vgp", "usage",
		"Sum of VGPUsage over the payments in the VGP history, by upstream Status in lower case."+cached, "caller", "status")
	vgpLastPaymentDesc = newDesc("vgp", "last_payment_timestamp_seconds",
		"Timestamp of the newest payment in the VGP history, in seconds since the epoch."+cached, "caller")
)

func (b *builder) vgp(a config.VGPAccount) error {
	httpClient, err := b.httpClient(providerVGP, a.Name, a.HTTPClient)
	if err != nil {
		return err
	}
	client := vgp.New(vgp.Options{
		Endpoint:     a.Endpoint,
		Caller:       a.Caller,
		PhoneNumber:  a.PhoneNumber,
		Email:        a.Email,
		HTTPClient:   httpClient,
		MaxBodyBytes: b.cfg.Global.MaxResponseBytes,
	})
	b.add(providerVGP, a.Name, "payments", &vgpCollector{account: a.Name, caller: a.Caller, client: client})
	return nil
}

type vgpCollector struct {
	account, caller string
	client          *vgp.Client
}

func (c *vgpCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- vgpBalanceDesc
	ch <- vgpPaymentsDesc
	ch <- vgpUsageDesc
	ch <- vgpLastPaymentDesc
}

func (c *vgpCollector) Update(ctx context.Context) ([]prometheus.Metric, error) {
	records, err := c.client.Payments(ctx)
	if err != nil {
		return nil, err
	}
	set := newSeriesSet()
	// The list is not documented to be sorted: find the newest record. On a
	// tie the first one listed wins, so the result does not depend on how
	// the loop happens to run.
	newest := -1
	for i, r := range records {
		status := strings.ToLower(r.Status)
		set.add(vgpPaymentsDesc, 1, c.account, c.caller, status)
		set.add(vgpUsageDesc, r.Usage, c.account, c.caller, status)
		if newest < 0 || r.Timestamp.After(records[newest].Timestamp) {
			newest = i
		}
	}
	if newest >= 0 {
		n := records[newest]
		set.add(vgpBalanceDesc, n.Balance, c.account, c.caller)
		set.add(vgpLastPaymentDesc, float64(n.Timestamp.Unix()), c.account, c.caller)
	}
	return set.metrics()
}
