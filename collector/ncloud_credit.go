package collector

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/billingexporter/billing_exporter/internal/ncloud"
)

var (
	creditLabels        = []string{"member_no", "discount_no", "credit_name", "credit_type", "currency"}
	creditRemainingDesc = newDesc("ncloud", "credit_remaining",
		"Credit not yet used (remainingCredit of NCP getCreditHistoryList), in the credit's currency."+cached, creditLabels...)
	creditReceivedDesc = newDesc("ncloud", "credit_received",
		"Credit granted (receivedCredit of NCP getCreditHistoryList), in the credit's currency."+cached, creditLabels...)
	creditExpiryDesc = newDesc("ncloud", "credit_expiry_timestamp_seconds",
		"When the credit expires: the first second after validityEndMonth ends in Asia/Seoul, in seconds since the epoch."+cached,
		"member_no", "discount_no")
)

type ncloudCreditCollector struct {
	account string
	client  *ncloud.Client
}

func (c *ncloudCreditCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- creditRemainingDesc
	ch <- creditReceivedDesc
	ch <- creditExpiryDesc
}

func (c *ncloudCreditCollector) Update(ctx context.Context) ([]prometheus.Metric, error) {
	set := newSeriesSet()
	set.encodeAhead(ctx)
	// Each page becomes series as it arrives.
	err := c.client.EachCredit(ctx, func(credits []ncloud.CreditHistory) error {
		for _, h := range credits {
			cr := h.Credit
			member, discount := h.MemberNo.String(), cr.DiscountNo.String()
			labels := []string{c.account, member, discount, cr.CreditName, cr.CreditType.Code, cr.PayCurrency.Code}
			set.add(creditRemainingDesc, cr.RemainingCredit.Value, labels...)
			set.add(creditReceivedDesc, cr.ReceivedCredit.Value, labels...)
			ts, ok, err := expiry(cr.ValidityEndMonth.String())
			if err != nil {
				return fmt.Errorf("credit %s of member %s: validityEndMonth: %w", discount, member, err)
			}
			if ok {
				set.min(creditExpiryDesc, ts, c.account, member, discount)
			}
		}
		set.pageRead()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return set.metrics()
}
