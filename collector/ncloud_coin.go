package collector

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/billingexporter/billing_exporter/internal/ncloud"
)

var (
	coinLabels        = []string{"member_no", "discount_no", "coin_type", "coin_status", "currency"}
	coinRemainingDesc = newDesc("ncloud", "coin_remaining",
		"Coin not yet used (remainingCoin of NCP getCoinHistoryList); the currency is coin_currency from the config, as coins carry none."+cached, coinLabels...)
	coinChargedDesc = newDesc("ncloud", "coin_charged",
		"Coin charged (chargedCoin of NCP getCoinHistoryList); the currency is coin_currency from the config."+cached, coinLabels...)
	coinExpiryDesc = newDesc("ncloud", "coin_expiry_timestamp_seconds",
		"When the coin expires: the first second after validityEndMonth ends in Asia/Seoul, in seconds since the epoch."+cached,
		"member_no", "discount_no")
)

type ncloudCoinCollector struct {
	account  string
	client   *ncloud.Client
	currency string
}

func (c *ncloudCoinCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- coinRemainingDesc
	ch <- coinChargedDesc
	ch <- coinExpiryDesc
}

func (c *ncloudCoinCollector) Update(ctx context.Context) ([]prometheus.Metric, error) {
	set := newSeriesSet()
	set.encodeAhead(ctx)
	err := c.client.EachCoin(ctx, func(coins []ncloud.CoinHistory) error {
		for _, h := range coins {
			co := h.Coin
			member, discount := h.MemberNo.String(), co.DiscountNo.String()
			labels := []string{c.account, member, discount, co.CoinType.Code, co.CoinStatus.Code, c.currency}
			set.add(coinRemainingDesc, co.RemainingCoin.Value, labels...)
			set.add(coinChargedDesc, co.ChargedCoin.Value, labels...)
			ts, ok, err := expiry(co.ValidityEndMonth.String())
			if err != nil {
				return fmt.Errorf("coin %s of member %s: validityEndMonth: %w", discount, member, err)
			}
			if ok {
				set.min(coinExpiryDesc, ts, c.account, member, discount)
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
