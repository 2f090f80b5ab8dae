package collector

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/billingexporter/billing_exporter/internal/ncloud"
)

var (
	demandLabels     = []string{"member_no", "month", "product_demand_type", "region_code", "currency"}
	demandAmountDesc = newDesc("ncloud", "demand_amount",
		"Amount billed after discounts (demandAmount of NCP getProductDemandCostByDiscountList), by product and month."+cached, demandLabels...)
	useAmountDesc = newDesc("ncloud", "use_amount",
		"Amount used before discounts (useAmount of NCP getProductDemandCostByDiscountList), by product and month."+cached, demandLabels...)
	discountAmountDesc = newDesc("ncloud", "discount_amount",
		"Discount applied to the demand by kind (discount_type=product|credit|promise|promotion|etc|member_price|member_promise_add, from the *DiscountAmount fields of NCP getProductDemandCostByDiscountList); a kind that is 0 for a row is not exported, absent means 0."+cached,
		append(append([]string(nil), demandLabels...), "discount_type")...)
	monthStartDesc = newDesc("ncloud", "demand_month_start_timestamp_seconds",
		"Start of a reported demand month in Asia/Seoul, in seconds since the epoch; with the end, alert rules find the current month and how much of it has passed.",
		"month")
	monthEndDesc = newDesc("ncloud", "demand_month_end_timestamp_seconds",
		"End of a reported demand month in Asia/Seoul (the first second of the next month), in seconds since the epoch.",
		"month")
	appliedDiscountDesc = newDesc("ncloud", "demand_discount_applied_amount",
		"Amount of one credit or product discount applied to the demand (discountAppliedAmount of appliedCreditHistoryList and appliedProductDiscountHistoryList, discount_kind=credit|product)."+cached,
		append(append([]string(nil), demandLabels...), "discount_no", "discount_kind")...)
)

type ncloudDemandCollector struct {
	account string
	client  *ncloud.Client
	months  int
	now     func() time.Time
}

func (c *ncloudDemandCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- demandAmountDesc
	ch <- useAmountDesc
	ch <- discountAmountDesc
	ch <- appliedDiscountDesc
	ch <- monthStartDesc
	ch <- monthEndDesc
}

func (c *ncloudDemandCollector) Update(ctx context.Context) ([]prometheus.Metric, error) {
	to := ncloud.MonthOf(c.now())
	from := to.Add(1 - c.months)
	set := newSeriesSet()
	set.encodeAhead(ctx)
	for m := from; !to.Before(m); m = m.Add(1) {
		set.add(monthStartDesc, float64(m.Add(-1).End().Unix()), c.account, m.String())
		set.add(monthEndDesc, float64(m.End().Unix()), c.account, m.String())
	}
	err := c.client.EachDemandCost(ctx, from, to, func(rows []ncloud.ProductDemandCost) error {
		c.add(set, rows)
		set.pageRead()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return set.metrics()
}

// add turns one page of demand rows into series.
func (c *ncloudDemandCollector) add(set *seriesSet, rows []ncloud.ProductDemandCost) {
	for _, r := range rows {
		labels := []string{c.account, r.MemberNo.String(), r.DemandMonth.String(),
			r.ProductDemandType.Code, r.ProductDemandType.RegionCode, r.PayCurrency.Code}
		set.add(demandAmountDesc, r.DemandAmount.Value, labels...)
		set.add(useAmountDesc, r.UseAmount.Value, labels...)
		for _, d := range []struct {
			kind string
			v    ncloud.Number
		}{
			{"product", r.ProductDiscountAmount},
			{"credit", r.CreditDiscountAmount},
			{"promise", r.PromiseDiscountAmount},
			{"promotion", r.PromotionDiscountAmount},
			{"etc", r.EtcDiscountAmount},
			{"member_price", r.MemberPriceDiscountAmount},
			{"member_promise_add", r.MemberPromiseDiscountAddAmount},
		} {
			// Most kinds are 0 for most rows: at the size of a partner
			// account, two thirds of all series. Absent means 0, and sums
			// are the same.
			if d.v.Value != 0 {
				set.add(discountAmountDesc, d.v.Value, append(labels, d.kind)...)
			}
		}
		for _, a := range r.AppliedCredits {
			set.add(appliedDiscountDesc, a.Amount(), append(labels, a.DiscountNo.String(), "credit")...)
		}
		for _, a := range r.AppliedProductDiscounts {
			set.add(appliedDiscountDesc, a.Amount(), append(labels, a.DiscountNo.String(), "product")...)
		}
	}
}
