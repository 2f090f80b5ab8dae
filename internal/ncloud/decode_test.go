package ncloud

import (
	"bytes"
	"context"
	"maps"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/billingexporter/billing_exporter/internal/sandbox/ncloudsim"
)

func TestDecodeJSONShapes(t *testing.T) {
	item := `{"memberNo":"12349","credit":{"discountNo":6383,"creditName":"c","receivedCredit":30000.0,"remainingCredit":"1250.5",
	  "validityEndMonth":"202212","creditType":{"code":"FCHG","codeName":"Fee-Charging"},"payCurrency":{"code":"KRW"}},
	  "creditUseHistory":null}`
	for _, tc := range []struct{ name, body string }{
		{"Response root", `{"getCreditHistoryListResponse": {"returnCode": "0", "totalRows": 1, "creditHistoryList": [` + item + `]}}`},
		{"bare action root", `{"getCreditHistoryList":{"returnCode":0,"totalRows":"1","creditHistoryList":[` + item + `]}}`},
		{"no wrapper", `{"requestId":"x","returnCode":"0","totalRows":1,"creditHistoryList":[` + item + `]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := decodePage(ActionCreditHistory, creditList, []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			items := p.items
			if p.TotalRows.Value != 1 || len(items) != 1 {
				t.Fatalf("totalRows %v, %d items", p.TotalRows.Value, len(items))
			}
			c := items[0].Credit
			if items[0].MemberNo != "12349" || c.DiscountNo != "6383" || c.ReceivedCredit.Value != 30000 || c.RemainingCredit.Value != 1250.5 ||
				c.CreditType.Code != "FCHG" || c.PayCurrency.Code != "KRW" {
				t.Errorf("decoded %+v", items[0])
			}
		})
	}
}

func TestDecodeEmptyListsAreEqual(t *testing.T) {
	for _, body := range []string{
		`{"getCoinHistoryListResponse":{"returnCode":"0","totalRows":0}}`,
		`{"getCoinHistoryListResponse":{"returnCode":"0","totalRows":0,"coinHistoryList":null}}`,
		`{"getCoinHistoryListResponse":{"returnCode":"0","totalRows":0,"coinHistoryList":[]}}`,
		`<getCoinHistoryList><returnCode>0</returnCode><totalRows>0</totalRows><coinHistoryList/></getCoinHistoryList>`,
		`<getCoinHistoryListResponse><returnCode>0</returnCode><totalRows>0</totalRows></getCoinHistoryListResponse>`,
	} {
		p, err := decodePage(ActionCoinHistory, coinList, []byte(body))
		if err != nil || len(p.items) != 0 || p.TotalRows.Value != 0 {
			t.Errorf("%s: items %d, err %v", body, len(p.items), err)
		}
	}
}

func TestDecodeAppliedAmountSpellings(t *testing.T) {
	for _, tc := range []struct{ body string }{
		{`<getProductDemandCostByDiscountListResponse><returnCode>0</returnCode><totalRows>1</totalRows><productDemandCostByDiscountList><productDemandCostByDiscount>
		  <memberNo>1</memberNo><demandMonth>202212</demandMonth><productDemandType><code>GDNS</code></productDemandType>
		  <appliedProductDiscountHistoryList><appliedProductDiscountHistory><discountNo>1</discountNo><discountAppliedamount>60</discountAppliedamount></appliedProductDiscountHistory></appliedProductDiscountHistoryList>
		  </productDemandCostByDiscount></productDemandCostByDiscountList></getProductDemandCostByDiscountListResponse>`},
		{`{"getProductDemandCostByDiscountListResponse":{"returnCode":"0","totalRows":1,"productDemandCostByDiscountList":[{"memberNo":1,"demandMonth":"202212","productDemandType":{"code":"GDNS"},"appliedProductDiscountHistoryList":[{"discountNo":"1","discountAppliedAmount":60}]}]}}`},
		{`{"getProductDemandCostByDiscountListResponse":{"returnCode":"0","totalRows":1,"productDemandCostByDiscountList":[{"memberNo":"1","demandMonth":202212,"productDemandType":{"code":"GDNS"},"appliedProductDiscountHistoryList":[{"discountNo":"1","discountAppliedamount":60.0}]}]}}`},
	} {
		p, err := decodePage(ActionDemandCost, demandList, []byte(tc.body))
		if err != nil {
			t.Fatalf("%s: %v", tc.body, err)
		}
		if got := p.items[0].AppliedProductDiscounts[0].Amount(); got != 60 {
			t.Errorf("%s: amount %v, want 60", tc.body, got)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"returnCode", `{"getCreditHistoryListResponse":{"returnCode":"1007009","returnMessage":"bad","totalRows":0}}`, "code 1007009: bad"},
		{"xml returnCode", `<getCreditHistoryList><returnCode>800</returnCode><returnMessage>no</returnMessage></getCreditHistoryList>`, "code 800: no"},
		{"responseError", `{"responseError": {"returnCode": "5001017", "returnMessage": "range"}}`, "code 5001017: range"},
		{"xml responseError", `<responseError><returnCode>900</returnCode><returnMessage>x</returnMessage></responseError>`, "code 900: x"},
		{"gateway", `{"error":{"errorCode":"200","message":"Authentication Failed"}}`, "code 200: Authentication Failed"},
		{"wrong root", `<getCoinHistoryList><returnCode>0</returnCode></getCoinHistoryList>`, "unexpected XML root element <getCoinHistoryList>"},
		{"wrong json root", `{"somethingElse":{}}`, "response has no getCreditHistoryListResponse"},
		{"truncated xml", `<getCreditHistoryList><returnCode>0</returnCode><creditHistoryList><creditHi`, "malformed XML"},
		{"truncated json", `{"getCreditHistoryListResponse":{"returnCode":"0",`, "malformed JSON"},
		{"html", `<!DOCTYPE html><html>oops</html>`, "unexpected XML root element <html>"},
		{"text", `Service Unavailable`, "neither XML nor JSON"},
		{"bad amount", `{"getCreditHistoryListResponse":{"returnCode":"0","totalRows":1,"creditHistoryList":[{"credit":{"remainingCredit":"abc"}}]}}`, `"abc" is not a number`},
		// Incomplete answers are errors that name what is missing, never a
		// smaller success.
		{"null root", `{"getCreditHistoryListResponse":null}`, "getCreditHistoryListResponse is not an object"},
		{"empty object", `{}`, "response has no getCreditHistoryListResponse"},
		{"only returnCode", `{"returnCode":"0"}`, "response has no totalRows"},
		{"wrapper with only returnCode", `{"getCreditHistoryListResponse":{"returnCode":"0"}}`, "response has no totalRows"},
		{"empty xml root", `<getCreditHistoryListResponse/>`, "response has no totalRows"},
		{"no list", `{"getCreditHistoryListResponse":{"returnCode":"0","totalRows":3}}`, "response has no creditHistoryList although totalRows is 3"},
		{"no xml list", `<getCreditHistoryList><returnCode>0</returnCode><totalRows>2</totalRows></getCreditHistoryList>`, "response has no creditHistoryList although totalRows is 2"},
		{"empty xml row", `<getCreditHistoryList><returnCode>0</returnCode><totalRows>1</totalRows><creditHistoryList><creditHistory/></creditHistoryList></getCreditHistoryList>`, "creditHistory 1: has no memberNo"},
		{"row without discountNo", `{"getCreditHistoryListResponse":{"returnCode":"0","totalRows":1,"creditHistoryList":[{"memberNo":"1","credit":{"remainingCredit":5}}]}}`, "creditHistory 1: has no credit.discountNo"},
		{"list not an array", `{"getCreditHistoryListResponse":{"returnCode":"0","totalRows":1,"creditHistoryList":{}}}`, "creditHistoryList: is not a list"},
		{"trailing data", `{"getCreditHistoryListResponse":{"returnCode":"0","totalRows":0}} {}`, "data after the root object"},
		{"bad xml amount", `<getCreditHistoryList><returnCode>0</returnCode><totalRows>1</totalRows><creditHistoryList><creditHistory><credit><remainingCredit>1,000</remainingCredit></credit></creditHistory></creditHistoryList></getCreditHistoryList>`, `"1,000" is not a number`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodePage(ActionCreditHistory, creditList, []byte(tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestMonth(t *testing.T) {
	m, err := ParseMonth("202212")
	if err != nil {
		t.Fatal(err)
	}
	if got := m.End().Unix(); got != 1672498800 { // 2023-01-01T00:00:00+09:00
		t.Errorf("End = %d", got)
	}
	if got := m.Add(-11).String(); got != "202201" {
		t.Errorf("Add(-11) = %s", got)
	}
	if got := m.Add(2).String(); got != "202302" {
		t.Errorf("Add(2) = %s", got)
	}
	for _, bad := range []string{"2022-12", "202213", "20221", "abcdef", ""} {
		if _, err := ParseMonth(bad); err == nil {
			t.Errorf("ParseMonth(%q) succeeded", bad)
		}
	}
}

// Rows with the same bytes get the same key, whatever precedes them in the
// list; rows that differ in any byte do not.
func TestDecodeRowKeys(t *testing.T) {
	row := `{"memberNo":"1","credit":{"discountNo":"7","remainingCredit":5}}`
	other := `{"memberNo":"1","credit":{"discountNo":"7","remainingCredit":6}}`
	body := `{"getCreditHistoryListResponse":{"returnCode":"0","totalRows":3,"creditHistoryList":[` + row + `, ` + row + `,` + other + `]}}`
	p, err := decodePage(ActionCreditHistory, creditList, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.keys) != 3 || p.keys[0] != p.keys[1] || p.keys[0] == p.keys[2] {
		t.Errorf("keys %v", p.keys)
	}
	xmlRow := `<creditHistory><memberNo>1</memberNo><credit><discountNo>7</discountNo></credit></creditHistory>`
	body = `<getCreditHistoryList><returnCode>0</returnCode><totalRows>2</totalRows><creditHistoryList>` + xmlRow + "\n" + xmlRow + `</creditHistoryList></getCreditHistoryList>`
	if p, err = decodePage(ActionCreditHistory, creditList, []byte(body)); err != nil {
		t.Fatal(err)
	}
	if len(p.keys) != 2 || p.keys[0] != p.keys[1] {
		t.Errorf("xml keys %v", p.keys)
	}
}

// A page's body goes back to a pool once decoded (upstream.Release) and is
// overwritten by the next: nothing decoded may still point into it. Every
// list, in both formats, is decoded, its body overwritten, and compared
// with a decode of an untouched copy.
func TestDecodedPagesOwnTheirValues(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	_, endpoint := newSim(t, ncloudsim.Generate(ncloudsim.GenerateOptions{Seed: 7, Now: now,
		Members: []string{"m1", "m2"}, Credits: 40, Coins: 30, DemandProducts: 8, DemandMonths: 3}))
	months := url.Values{"startMonth": {now.AddDate(0, -2, 0).Format("200601")}, "endMonth": {now.Format("200601")}}
	for _, format := range []string{"xml", "json"} {
		c := newClient(t, Options{Endpoint: endpoint, AccessKey: ak, SecretKey: sk, Format: format})
		get := func(action string, q url.Values) []byte { return firstPage(t, c, action, q) }
		ownsValues(t, format, ActionCreditHistory, creditList, get(ActionCreditHistory, url.Values{}))
		ownsValues(t, format, ActionCoinHistory, coinList, get(ActionCoinHistory, url.Values{}))
		ownsValues(t, format, ActionDemandCost, demandList, get(ActionDemandCost, months))
		ownsValues(t, format, ActionDemandCostList, invoiceList, get(ActionDemandCostList, months))
	}
}

func ownsValues[T any](t *testing.T, format, action string, l list[T], body []byte) {
	t.Helper()
	kept := bytes.Clone(body)
	p, err := decodePage(action, l, body)
	if err != nil {
		t.Fatalf("%s %s: %v", format, action, err)
	}
	for i := range body {
		body[i] = 'x'
	}
	want, err := decodePage(action, l, kept)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.items) == 0 || !reflect.DeepEqual(p.items, want.items) {
		t.Errorf("%s %s: %d rows changed when the body was overwritten", format, action, len(p.items))
	}
}

// firstPage is page 1 of action with q as the client receives it.
func firstPage(t *testing.T, c *Client, action string, q url.Values) []byte {
	t.Helper()
	q = maps.Clone(q)
	q.Set("pageNo", "1")
	q.Set("pageSize", strconv.Itoa(pageSize))
	body, _, err := c.get(context.Background(), action, q)
	if err != nil {
		t.Fatal(err)
	}
	return body
}
