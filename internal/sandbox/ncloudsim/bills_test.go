package ncloudsim

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
)

func billsData() Data {
	paid := DemandCost{MemberNo: "10000001", DemandMonth: "202501", DemandNo: "D1", IsPaidUp: true,
		ThisMonthDemandAmount: 100000, PaidUpDate: "2025-02-25T10:00:00+0900", PayCurrency: krw}
	late := DemandCost{MemberNo: "10000001", DemandMonth: "202502", DemandNo: "D2",
		ThisMonthDemandAmount: 200000, OverdueOccurDate: "2025-03-05T00:00:00+0900",
		TotalOverdueAmount: 220000, OverduePlusAmount: 3300, PayCurrency: krw}
	other := DemandCost{MemberNo: "10000002", DemandMonth: "202412", DemandNo: "D3", IsPaidUp: true, PayCurrency: krw}
	for _, b := range []*DemandCost{&paid, &late, &other} {
		SetVAT(b)
	}
	return Data{Bills: []DemandCost{paid, late, other}}
}

// getDemandCostList lives under /cost/, answers JSON with the documented
// root and list names, filters by month and member, and keeps the types
// (isPaidUp a boolean, amounts numbers, dates strings).
func TestDemandCostListJSON(t *testing.T) {
	_, c := start(t, Options{}, billsData())
	c.prefix = "/billing/v1/cost/"
	total, items := listReply(t, c.get(t, ActionDemandCostList, "startMonth=202501&endMonth=202503&responseFormatType=json"), ActionDemandCostList, "demandCostList")
	if total != 2 || len(items) != 2 {
		t.Fatalf("totalRows %d, %d items, want 2 and 2", total, len(items))
	}
	if items[0]["isPaidUp"] != true || items[1]["isPaidUp"] != false {
		t.Errorf("isPaidUp = %v, %v", items[0]["isPaidUp"], items[1]["isPaidUp"])
	}
	if v := items[1]["thisMonthAmountIncludingVat"]; v != 220000.0 {
		t.Errorf("thisMonthAmountIncludingVat = %v, want 220000", v)
	}
	if v := items[1]["totalOverdueAmount"]; v != 220000.0 {
		t.Errorf("totalOverdueAmount = %v", v)
	}
	if v := items[1]["overdueOccurDate"]; v != "2025-03-05T00:00:00+0900" {
		t.Errorf("overdueOccurDate = %v", v)
	}
	if v := path(items[0], "payCurrency", "code"); v != "KRW" {
		t.Errorf("payCurrency.code = %v", v)
	}
	total, items = listReply(t, c.get(t, ActionDemandCostList, "startMonth=202412&endMonth=202502&memberNoList.1=10000002&responseFormatType=json"), ActionDemandCostList, "demandCostList")
	if total != 1 || items[0]["demandNo"] != "D3" {
		t.Errorf("member filter: %d rows %v", total, items)
	}
	// Nothing in range is an explicit empty list.
	total, items = listReply(t, c.get(t, ActionDemandCostList, "startMonth=202301&endMonth=202303&responseFormatType=json"), ActionDemandCostList, "demandCostList")
	if total != 0 || len(items) != 0 {
		t.Errorf("empty range: %d rows", total)
	}
}

// The XML root is getDemandCostListResponse and each item a <demandCost>.
func TestDemandCostListXML(t *testing.T) {
	_, c := start(t, Options{}, billsData())
	c.prefix = "/billing/v1/cost/"
	r := c.get(t, ActionDemandCostList, "startMonth=202502&endMonth=202502")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/xml") {
		t.Fatalf("status %d %s: %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	var doc struct {
		XMLName   xml.Name `xml:"getDemandCostListResponse"`
		TotalRows int      `xml:"totalRows"`
		Items     []struct {
			DemandNo string `xml:"demandNo"`
			IsPaidUp string `xml:"isPaidUp"`
			Overdue  string `xml:"totalOverdueAmount"`
			PaidUp   string `xml:"paidUpDate"`
		} `xml:"demandCostList>demandCost"`
	}
	if err := xml.Unmarshal([]byte(r.body), &doc); err != nil {
		t.Fatalf("%v in %s", err, r.body)
	}
	if doc.TotalRows != 1 || len(doc.Items) != 1 || doc.Items[0].DemandNo != "D2" || doc.Items[0].IsPaidUp != "false" ||
		doc.Items[0].Overdue != "220000" || doc.Items[0].PaidUp != "" {
		t.Errorf("decoded %+v from %s", doc, r.body)
	}
	if !strings.Contains(r.body, "<paidUpDate/>") {
		t.Errorf("an unset date is not an empty element: %s", r.body)
	}
}

// startMonth and endMonth are required and span at most 3 months, whatever
// MaxDemandMonths says for the discount op; the discount path does not
// serve the cost op.
func TestDemandCostListMonthRule(t *testing.T) {
	_, c := start(t, Options{MaxDemandMonths: 6}, billsData())
	c.prefix = "/billing/v1/cost/"
	for _, q := range []string{"startMonth=202501&endMonth=202504", "startMonth=202501", "", "startMonth=202503&endMonth=202501"} {
		r := c.get(t, ActionDemandCostList, q+"&responseFormatType=json")
		code, _ := path(jsonBody(t, r), "responseError", "returnCode").(string)
		if r.status != http.StatusBadRequest || code != ReturnCodeMonthRange {
			t.Errorf("%q: status %d code %q", q, r.status, code)
		}
	}
	c.prefix = "/billing/v1/discount/"
	if r := c.get(t, ActionDemandCostList, "startMonth=202501&endMonth=202501"); r.status != http.StatusNotFound {
		t.Errorf("discount path: status %d", r.status)
	}
	c.prefix = "/billing/v1/cost/"
	if r := c.get(t, ActionCreditHistory, ""); r.status != http.StatusNotFound {
		t.Errorf("credit op under cost/: status %d", r.status)
	}
}

// Generated data bills every closed month once per member, paid, with the
// demand rows' total plus 10% VAT.
func TestGenerateBills(t *testing.T) {
	d := Generate(GenerateOptions{Seed: 3, Now: testNow, Members: []string{"1", "2"}, DemandProducts: 3, DemandMonths: 3})
	if len(d.Bills) != 4 {
		t.Fatalf("%d bills, want 2 members x 2 closed months", len(d.Bills))
	}
	for _, b := range d.Bills {
		var sum float64
		for _, r := range d.Demand {
			if r.MemberNo == b.MemberNo && r.DemandMonth == b.DemandMonth {
				sum += r.DemandAmount
			}
		}
		if b.DemandMonth == "202503" || !b.IsPaidUp || b.ThisMonthDemandAmount != sum || b.ThisMonthAmountIncludingVat != sum+b.ThisMonthVatAmount {
			t.Errorf("bill %+v, demand sum %v", b, sum)
		}
	}
}
