package collector

import (
	"strings"
	"testing"
	"time"

	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/sandbox/ncloudsim"
)

var invoiceMetrics = []string{
	"billing_ncloud_invoice_amount", "billing_ncloud_invoice_vat_amount", "billing_ncloud_invoice_paid",
	"billing_ncloud_invoice_paid_timestamp_seconds", "billing_ncloud_invoice_overdue_amount",
	"billing_ncloud_invoice_overdue_surcharge_amount", "billing_ncloud_invoice_overdue_since_timestamp_seconds",
	"billing_ncloud_invoice_month_end_timestamp_seconds",
}

func invoiceData() ncloudsim.Data {
	bill := func(member, month string, demand float64) ncloudsim.DemandCost {
		return ncloudsim.DemandCost{MemberNo: member, DemandMonth: month, DemandNo: "D" + member + month,
			ThisMonthDemandAmount: demand, PayCurrency: ncloudsim.CommonCode{Code: "KRW", CodeName: "South Korea Won"}}
	}
	old := bill("10000001", "202609", 50000) // outside the window
	old.IsPaidUp = true
	oct := bill("10000001", "202610", 100000)
	oct.IsPaidUp, oct.PaidUpDate = true, "2026-11-25T10:00:00+0900"
	nov := bill("10000001", "202611", 200000)
	nov.OverdueOccurDate, nov.TotalOverdueAmount, nov.OverduePlusAmount = "2026-11-05T00:00:00+0900", 110000, 1650
	other := bill("10000002", "202611", 0)
	other.IsPaidUp = true
	usd := bill("10000002", "202611", 30)
	usd.DemandNo, usd.PayCurrency = "DUSD", ncloudsim.CommonCode{Code: "USD", CodeName: "US Dollar"}
	bills := []ncloudsim.DemandCost{old, oct, nov, other, usd}
	for i := range bills {
		ncloudsim.SetVAT(&bills[i])
	}
	return ncloudsim.Data{Bills: bills}
}

// At 2026-11-30T15:30Z it is already 1 December in Seoul: the invoice
// collector asks for 202610..202612 (the current month and the two before,
// in Korea) and exports each bill with VAT, paid or not, overdue since when.
// A member with two bills in one month (KRW and USD) is unpaid when one is.
func TestNCloudInvoiceSeoulMonthBoundary(t *testing.T) {
	now := fixedClock(time.Date(2026, 11, 30, 15, 30, 0, 0, time.UTC))
	for _, format := range []string{"xml", "json"} {
		t.Run(format, func(t *testing.T) {
			sim, url := ncloudServer(t, invoiceData(), now)
			a := ncloudAccount(url, format)
			a.Collectors = []string{config.NCloudInvoice}
			e, _ := newTestExporter(t, &config.Config{NCloud: []config.NCloudAccount{a}}, now)
			compareGolden(t, e, "testdata/ncloud_invoice.prom", append(invoiceMetrics, "billing_up")...)
			reqs := sim.Requests()
			if len(reqs) != 1 || reqs[0].Start.Format("200601") != "202610" || reqs[0].End.Format("200601") != "202612" ||
				reqs[0].Action != ncloudsim.ActionDemandCostList {
				t.Errorf("requests %+v", reqs)
			}
		})
	}
}

// An invoice row without isPaidUp puts the collector down: it must not read
// as paid (no page) or unpaid (a false page).
func TestNCloudInvoiceRowWithoutPaidFlag(t *testing.T) {
	now := fixedClock(time.Date(2026, 11, 30, 15, 30, 0, 0, time.UTC))
	sim, url := ncloudServer(t, invoiceData(), now)
	sim.SetFault(testAccessKey, ncloudsim.ActionDemandCostList, ncloudsim.Fault{
		Body: `{"getDemandCostListResponse":{"totalRows":1,"demandCostList":[{"memberNo":"1","demandMonth":"202611","thisMonthAmountIncludingVat":5}]}}`})
	a := ncloudAccount(url, "json")
	a.Collectors = []string{config.NCloudInvoice}
	e, _ := newTestExporter(t, &config.Config{NCloud: []config.NCloudAccount{a}}, now)
	compareText(t, e, upLine("ncloud", "main", "invoice", 0), "billing_up")
	if n := testutilCount(t, e, "billing_ncloud_invoice_paid"); n != 0 {
		t.Errorf("%d paid series from a row without isPaidUp", n)
	}
	if s := scrapeText(t, e); strings.Contains(s, "invoice_amount") {
		t.Errorf("amount exported from a broken answer:\n%s", s)
	}
}
