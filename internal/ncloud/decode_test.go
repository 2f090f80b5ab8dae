package ncloud

import (
	"strings"
	"testing"
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
			h, items, err := decodeCredits(ActionCreditHistory, []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if h.TotalRows.Value != 1 || len(items) != 1 {
				t.Fatalf("totalRows %v, %d items", h.TotalRows.Value, len(items))
			}
			c := items[0].Credit
			if items[0].MemberNo != "12349" || c.DiscountNo != "6383" || c.ReceivedCredit.Value != 30000 || c.RemainingCredit.Value != 1250.5 ||
				c.CreditType.Code != "FCHG" || c.PayCurrency.Code != "KRW" || len(items[0].Uses) != 0 {
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
		h, items, err := decodeCoins(ActionCoinHistory, []byte(body))
		if err != nil || len(items) != 0 || h.TotalRows.Value != 0 {
			t.Errorf("%s: items %d, err %v", body, len(items), err)
		}
	}
}

func TestDecodeAppliedAmountSpellings(t *testing.T) {
	for _, tc := range []struct{ body string }{
		{`<getProductDemandCostByDiscountListResponse><returnCode>0</returnCode><totalRows>1</totalRows><productDemandCostByDiscountList><productDemandCostByDiscount>
		  <appliedProductDiscountHistoryList><appliedProductDiscountHistory><discountNo>1</discountNo><discountAppliedamount>60</discountAppliedamount></appliedProductDiscountHistory></appliedProductDiscountHistoryList>
		  </productDemandCostByDiscount></productDemandCostByDiscountList></getProductDemandCostByDiscountListResponse>`},
		{`{"getProductDemandCostByDiscountListResponse":{"returnCode":"0","totalRows":1,"productDemandCostByDiscountList":[{"appliedProductDiscountHistoryList":[{"discountNo":"1","discountAppliedAmount":60}]}]}}`},
		{`{"getProductDemandCostByDiscountListResponse":{"returnCode":"0","totalRows":1,"productDemandCostByDiscountList":[{"appliedProductDiscountHistoryList":[{"discountNo":"1","discountAppliedamount":60.0}]}]}}`},
	} {
		_, rows, err := decodeDemand(ActionDemandCost, []byte(tc.body))
		if err != nil {
			t.Fatalf("%s: %v", tc.body, err)
		}
		if got := rows[0].AppliedProductDiscounts[0].Amount(); got != 60 {
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
		{"wrong json root", `{"somethingElse":{}}`, "unexpected JSON root keys [somethingElse]"},
		{"truncated xml", `<getCreditHistoryList><returnCode>0</returnCode><creditHistoryList><creditHi`, "malformed XML"},
		{"truncated json", `{"getCreditHistoryListResponse":{"returnCode":"0",`, "malformed JSON"},
		{"html", `<!DOCTYPE html><html>oops</html>`, "unexpected XML root element <html>"},
		{"text", `Service Unavailable`, "neither XML nor JSON"},
		{"bad amount", `{"getCreditHistoryListResponse":{"returnCode":"0","totalRows":1,"creditHistoryList":[{"credit":{"remainingCredit":"abc"}}]}}`, `"abc" is not a number`},
		{"bad xml amount", `<getCreditHistoryList><returnCode>0</returnCode><totalRows>1</totalRows><creditHistoryList><creditHistory><credit><remainingCredit>1,000</remainingCredit></credit></creditHistory></creditHistoryList></getCreditHistoryList>`, `"1,000" is not a number`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := decodeCredits(ActionCreditHistory, []byte(tc.body))
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
