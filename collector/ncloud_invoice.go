package collector

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/billingexporter/billing_exporter/internal/ncloud"
)

var (
	invoiceLabels      = []string{"member_no", "month"}
	invoiceMoneyLabels = []string{"member_no", "month", "currency"}
	invoiceAmountDesc  = newDesc("ncloud", "invoice_amount",
		"Amount billed for the month including VAT (thisMonthAmountIncludingVat of NCP getDemandCostList)."+cached, invoiceMoneyLabels...)
	invoiceVATDesc = newDesc("ncloud", "invoice_vat_amount",
		"VAT part of the month's bill (thisMonthVatAmount of NCP getDemandCostList)."+cached, invoiceMoneyLabels...)
	invoicePaidDesc = newDesc("ncloud", "invoice_paid",
		"Whether the month's bill is paid (isPaidUp of NCP getDemandCostList): 1 paid, 0 unpaid."+cached, invoiceLabels...)
	invoicePaidTimeDesc = newDesc("ncloud", "invoice_paid_timestamp_seconds",
		"When the month's bill was paid (paidUpDate of NCP getDemandCostList), in seconds since the epoch; absent while unpaid."+cached, invoiceLabels...)
	invoiceOverdueDesc = newDesc("ncloud", "invoice_overdue_amount",
		"Overdue amount carried by the month's bill (totalOverdueAmount of NCP getDemandCostList); above 0, NCP may suspend the member's services."+cached, invoiceMoneyLabels...)
	invoiceSurchargeDesc = newDesc("ncloud", "invoice_overdue_surcharge_amount",
		"Surcharge for late payment on the month's bill (overduePlusAmount of NCP getDemandCostList)."+cached, invoiceMoneyLabels...)
	invoiceOverdueSinceDesc = newDesc("ncloud", "invoice_overdue_since_timestamp_seconds",
		"When the month's bill became overdue (overdueOccurDate of NCP getDemandCostList), in seconds since the epoch; absent when it never was."+cached, invoiceLabels...)
	invoiceMonthEndDesc = newDesc("ncloud", "invoice_month_end_timestamp_seconds",
		"End of the billed month in Asia/Seoul (the first second of the next month), in seconds since the epoch; the unpaid alert counts its grace from here.", invoiceLabels...)
)

// ncloudInvoiceCollector reads the invoices of the current month in Korea
// and the months before it.
type ncloudInvoiceCollector struct {
	account string
	client  *ncloud.Client
	months  int
	now     func() time.Time
}

func (c *ncloudInvoiceCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{invoiceAmountDesc, invoiceVATDesc, invoicePaidDesc, invoicePaidTimeDesc,
		invoiceOverdueDesc, invoiceSurchargeDesc, invoiceOverdueSinceDesc, invoiceMonthEndDesc} {
		ch <- d
	}
}

func (c *ncloudInvoiceCollector) Update(ctx context.Context) ([]prometheus.Metric, error) {
	to := ncloud.MonthOf(c.now())
	rows, err := c.client.Invoices(ctx, to.Add(1-c.months), to)
	if err != nil {
		return nil, err
	}
	set := newSeriesSet()
	for _, r := range rows {
		m, _ := ncloud.ParseMonth(r.DemandMonth.String()) // Invoices checked it
		labels := []string{c.account, r.MemberNo.String(), m.String()}
		money := append(labels[:3:3], r.PayCurrency.Code)
		set.add(invoiceAmountDesc, r.ThisMonthAmountIncludingVat.Value, money...)
		set.add(invoiceVATDesc, r.ThisMonthVatAmount.Value, money...)
		set.add(invoiceOverdueDesc, r.TotalOverdueAmount.Value, money...)
		set.add(invoiceSurchargeDesc, r.OverduePlusAmount.Value, money...)
		// Several bills of one member and month (other attributes or
		// currencies) are paid only when all are.
		paid := 0.0
		if r.IsPaidUp.Value {
			paid = 1
		}
		set.min(invoicePaidDesc, paid, labels...)
		set.max(invoiceMonthEndDesc, float64(m.End().Unix()), labels...)
		if t, ok, _ := ncloud.ParseDate(r.PaidUpDate.String()); ok && paid == 1 {
			set.max(invoicePaidTimeDesc, float64(t.Unix()), labels...)
		}
		if t, ok, _ := ncloud.ParseDate(r.OverdueOccurDate.String()); ok {
			set.min(invoiceOverdueSinceDesc, float64(t.Unix()), labels...)
		}
	}
	return set.metrics()
}
