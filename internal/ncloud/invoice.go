package ncloud

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// ActionDemandCostList lists a member's monthly invoices. It is a cost and
// usage op ({endpoint}/cost/...), not a discount op like the others.
const ActionDemandCostList = "getDemandCostList"

// InvoiceSpan is the longest startMonth..endMonth range of one
// getDemandCostList call (documented: at most 3 months).
const InvoiceSpan = 3

// groupOf is the path segment an action lives under.
func groupOf(action string) string {
	if action == ActionDemandCostList {
		return "cost"
	}
	return "discount"
}

// DemandCost is one invoice: what a member is billed for one month, and
// whether it is paid (the API's DemandCost datatype, fields an exporter acts
// on). Dates are kept as sent; ParseDate reads them.
type DemandCost struct {
	MemberNo                    FlexString `xml:"memberNo" json:"memberNo"`
	DemandMonth                 FlexString `xml:"demandMonth" json:"demandMonth"`
	DemandNo                    FlexString `xml:"demandNo" json:"demandNo"`
	DemandAttribute             CommonCode `xml:"demandAttribute" json:"demandAttribute"`
	UseAmount                   Number     `xml:"useAmount" json:"useAmount"`
	ThisMonthDemandAmount       Number     `xml:"thisMonthDemandAmount" json:"thisMonthDemandAmount"`
	ThisMonthVatRatio           Number     `xml:"thisMonthVatRatio" json:"thisMonthVatRatio"`
	ThisMonthVatAmount          Number     `xml:"thisMonthVatAmount" json:"thisMonthVatAmount"`
	ThisMonthAmountIncludingVat Number     `xml:"thisMonthAmountIncludingVat" json:"thisMonthAmountIncludingVat"`
	TotalDemandAmount           Number     `xml:"totalDemandAmount" json:"totalDemandAmount"`
	// IsPaidUp unset (absent, null or empty) is an error, never an unpaid
	// (or paid) invoice.
	IsPaidUp               Flag       `xml:"isPaidUp" json:"isPaidUp"`
	PaidUpDate             FlexString `xml:"paidUpDate" json:"paidUpDate"`
	OverdueOccurDate       FlexString `xml:"overdueOccurDate" json:"overdueOccurDate"`
	OverduePlusAmount      Number     `xml:"overduePlusAmount" json:"overduePlusAmount"`
	OverdueRatio           Number     `xml:"overdueRatio" json:"overdueRatio"`
	ThisMonthOverdueAmount Number     `xml:"thisMonthOverdueAmount" json:"thisMonthOverdueAmount"`
	TotalOverdueAmount     Number     `xml:"totalOverdueAmount" json:"totalOverdueAmount"`
	PayCurrency            CommonCode `xml:"payCurrency" json:"payCurrency"`
	WriteDate              FlexString `xml:"writeDate" json:"writeDate"`
}

var invoiceList = list[DemandCost]{"demandCostList", "demandCost", (*DemandCost).check, false, invoiceXML}

// Invoices returns the invoices of the months from..to (inclusive), in
// calls of at most InvoiceSpan months. A page without totalRows, a list
// shorter than its totalRows and a row without memberNo, a yyyyMM
// demandMonth or isPaidUp are errors: a missing invoice must not read as
// nothing owed. The same demandNo twice (a repeated row) counts once.
func (c *Client) Invoices(ctx context.Context, from, to Month) ([]DemandCost, error) {
	var rows []DemandCost
	each := serially(func(page []DemandCost) error {
		rows = append(rows, page...)
		return nil
	})
	err := eachMonthSpan(ctx, from, to, InvoiceSpan, func(ctx context.Context, params url.Values) error {
		return forEachPage(ctx, c, ActionDemandCostList, params, invoiceList, each)
	})
	if err != nil {
		return nil, err
	}
	seen := map[[3]string]bool{}
	out := rows[:0]
	for _, r := range rows {
		if r.DemandNo != "" {
			k := [3]string{r.MemberNo.String(), r.DemandMonth.String(), r.DemandNo.String()}
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		out = append(out, r)
	}
	return out, nil
}

func (r *DemandCost) check() error {
	switch {
	case r.MemberNo == "":
		return fmt.Errorf("no memberNo")
	case !r.IsPaidUp.Set:
		return fmt.Errorf("member %s: no isPaidUp", r.MemberNo)
	}
	if _, err := ParseMonth(r.DemandMonth.String()); err != nil {
		return fmt.Errorf("member %s: demandMonth: %w", r.MemberNo, err)
	}
	for _, d := range []struct {
		name string
		v    FlexString
	}{{"paidUpDate", r.PaidUpDate}, {"overdueOccurDate", r.OverdueOccurDate}} {
		if _, _, err := ParseDate(d.v.String()); err != nil {
			return fmt.Errorf("member %s month %s: %s: %w", r.MemberNo, r.DemandMonth, d.name, err)
		}
	}
	return nil
}

// Flag is a boolean that must be given: true/false or "true"/"false";
// absent, null and empty leave it unset.
type Flag struct {
	Value FlexBool
	Set   bool
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (f *Flag) UnmarshalText(b []byte) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	f.Set = true
	return f.Value.UnmarshalText(b)
}

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (f *Flag) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch dec.PeekKind() {
	case 'n':
		_, err := dec.ReadToken()
		return err
	case '"':
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		return f.UnmarshalText([]byte(tok.String()))
	}
	if err := f.Value.UnmarshalJSONFrom(dec); err != nil {
		return err
	}
	f.Set = true
	return nil
}

// dateLayouts are the shapes a date may take: the API's own
// ("2022-02-01T17:59:22+0900"), RFC 3339, and zoneless forms read in Korea.
var dateLayouts = []string{
	"2006-01-02T15:04:05-0700",
	time.RFC3339,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02",
	"20060102150405",
	"20060102",
}

// ParseDate reads a date of the API; ok is false for an empty one.
func ParseDate(s string) (t time.Time, ok bool, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false, nil
	}
	for _, layout := range dateLayouts {
		if t, err := time.ParseInLocation(layout, s, KST); err == nil {
			return t, true, nil
		}
	}
	const max = 40
	if len(s) > max {
		s = s[:max] + "..."
	}
	return time.Time{}, false, fmt.Errorf("%q is not a date", strings.ToValidUTF8(s, "?"))
}
