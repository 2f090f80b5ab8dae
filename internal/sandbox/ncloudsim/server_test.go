package ncloudsim

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPaging(t *testing.T) {
	d := Generate(GenerateOptions{Seed: 7, Now: testNow, Credits: 2500})
	_, c := start(t, Options{}, d)
	var got []string
	for _, tc := range []struct{ pageNo, items int }{{1, 1000}, {2, 1000}, {3, 500}, {4, 0}, {99, 0}} {
		r := c.get(t, ActionCreditHistory, fmt.Sprintf("pageNo=%d&pageSize=1000&responseFormatType=json", tc.pageNo))
		total, items := listReply(t, r, ActionCreditHistory, "creditHistoryList")
		if total != 2500 || len(items) != tc.items {
			t.Errorf("page %d: totalRows %d, %d items; want 2500, %d", tc.pageNo, total, len(items), tc.items)
		}
		for _, it := range items {
			got = append(got, path(it, "credit", "discountNo").(string))
		}
	}
	want := make([]string, len(d.Credits))
	for i, h := range d.Credits {
		want[i] = h.Credit.DiscountNo
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages 1-3 do not list every credit once, in order (got %d)", len(got))
	}

	for _, tc := range []struct {
		name, query  string
		total, items int
	}{
		{"defaults are page 1 of 1000", "responseFormatType=json", 2500, 1000},
		{"pageNo 0 is empty", "pageNo=0&responseFormatType=json", 2500, 0},
		{"negative pageNo is empty", "pageNo=-1&responseFormatType=json", 2500, 0},
		{"small pages", "pageNo=3&pageSize=7&responseFormatType=json", 2500, 7},
		{"huge pageNo", "pageNo=9223372036854775807&pageSize=1000&responseFormatType=json", 2500, 0},
	} {
		total, items := listReply(t, c.get(t, ActionCreditHistory, tc.query), ActionCreditHistory, "creditHistoryList")
		if total != tc.total || len(items) != tc.items {
			t.Errorf("%s: totalRows %d, %d items; want %d, %d", tc.name, total, len(items), tc.total, tc.items)
		}
	}

	r := c.get(t, ActionCreditHistory, "pageNo=4")
	if !strings.Contains(r.body, "<totalRows>2500</totalRows>") || !strings.Contains(r.body, "\n  <creditHistoryList/>\n") {
		t.Errorf("XML page past the end:\n%s", r.body)
	}
}

// filterData has known validity ranges, members and codes.
func filterData() Data {
	credit := func(no, member, from, to string) CreditHistory {
		return CreditHistory{MemberNo: member, Credit: Credit{DiscountNo: no, ValidityStartMonth: from, ValidityEndMonth: to, PayCurrency: krw}}
	}
	coin := func(no, member string) CoinHistory {
		return CoinHistory{MemberNo: member, Coin: Coin{DiscountNo: no, ValidityStartMonth: "202401", ValidityEndMonth: "202612"}}
	}
	d := Data{
		Credits: []CreditHistory{credit("1", "m1", "202401", "202403"), credit("2", "m2", "202404", "202406"), credit("3", "m1", "202312", "202312")},
		Coins:   []CoinHistory{coin("54", "m1"), coin("55", "m2"), coin("56", "m1")},
	}
	for m := 1; m <= 6; m++ {
		for _, member := range []string{"m1", "m2"} {
			for _, code := range []string{"SVR", "GDNS", "BST"} {
				d.Demand = append(d.Demand, ProductDemandCost{MemberNo: member, DemandMonth: fmt.Sprintf("2024%02d", m), ProductDemandType: ProductDemandType{Code: code}})
			}
		}
	}
	return d
}

func TestFilters(t *testing.T) {
	_, c := start(t, Options{}, filterData())
	lists := map[string]string{ActionCreditHistory: "creditHistoryList", ActionCoinHistory: "coinHistoryList",
		ActionDemandCost: "productDemandCostByDiscountList", ActionDiscountList: "discountList"}
	id := func(action string, it map[string]any) string {
		switch action {
		case ActionCreditHistory:
			return path(it, "credit", "discountNo").(string)
		case ActionCoinHistory:
			return path(it, "coin", "discountNo").(string)
		case ActionDemandCost:
			return fmt.Sprint(it["demandMonth"], ":", path(it, "productDemandType", "code"), ":", it["memberNo"])
		}
		return it["discountNo"].(string)
	}
	for _, tc := range []struct {
		name, action, query string
		total               int
		ids                 []string // nil: only totalRows is checked
	}{
		{"credits: all", ActionCreditHistory, "", 3, []string{"1", "2", "3"}},
		{"credits: discountNoList", ActionCreditHistory, "discountNoList.1=1&discountNoList.2=3", 2, []string{"1", "3"}},
		{"credits: list index order is free", ActionCreditHistory, "discountNoList.2=2", 1, []string{"2"}},
		{"credits: bare list name is ignored", ActionCreditHistory, "discountNoList=1", 3, nil},
		{"credits: memberNoList", ActionCreditHistory, "memberNoList.1=m2", 1, []string{"2"}},
		{"credits: filters combine", ActionCreditHistory, "discountNoList.1=1&memberNoList.1=m2", 0, []string{}},
		{"credits: months overlap", ActionCreditHistory, "startMonth=202403&endMonth=202404", 2, []string{"1", "2"}},
		{"credits: startMonth only", ActionCreditHistory, "startMonth=202405", 1, []string{"2"}},
		{"credits: endMonth only", ActionCreditHistory, "endMonth=202312", 1, []string{"3"}},
		{"coins: discountNoList", ActionCoinHistory, "discountNoList.1=55", 1, []string{"55"}},
		{"coins: memberNoList", ActionCoinHistory, "memberNoList.1=m1", 2, []string{"54", "56"}},
		{"coins: months are ignored", ActionCoinHistory, "startMonth=209901&endMonth=209901", 3, nil},
		{"demand: month range", ActionDemandCost, "startMonth=202402&endMonth=202403", 12, nil},
		{"demand: across a year", ActionDemandCost, "startMonth=202311&endMonth=202401", 6, nil},
		{"demand: codes", ActionDemandCost, "startMonth=202401&endMonth=202401&productDemandTypeCodeList.1=GDNS&productDemandTypeCodeList.2=BST", 4,
			[]string{"202401:GDNS:m1", "202401:BST:m1", "202401:GDNS:m2", "202401:BST:m2"}},
		{"demand: member and code", ActionDemandCost, "startMonth=202406&endMonth=202406&memberNoList.1=m2&productDemandTypeCodeList.1=SVR", 1,
			[]string{"202406:SVR:m2"}},
		{"discounts: COIN", ActionDiscountList, "discountTypeCode=COIN", 3, []string{"54", "55", "56"}},
		{"discounts: CREDIT of m1", ActionDiscountList, "discountTypeCode=CREDIT&memberNoList.1=m1", 2, []string{"1", "3"}},
		{"discounts: valid this month", ActionDiscountList, "isValidDiscount=true", 3, []string{"54", "55", "56"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := "responseFormatType=json"
			if tc.query != "" {
				q = tc.query + "&" + q
			}
			total, items := listReply(t, c.get(t, tc.action, q), tc.action, lists[tc.action])
			if total != tc.total {
				t.Errorf("totalRows %d, want %d", total, tc.total)
			}
			if tc.ids == nil {
				return
			}
			got := []string{}
			for _, it := range items {
				got = append(got, id(tc.action, it))
			}
			if !slices.Equal(got, tc.ids) {
				t.Errorf("items %v, want %v", got, tc.ids)
			}
		})
	}

	// The same parameters in a POST form body.
	form := url.Values{"discountNoList.1": {"3"}, "responseFormatType": {"json"}}
	if _, items := listReply(t, c.post(t, ActionCreditHistory, form), ActionCreditHistory, "creditHistoryList"); len(items) != 1 || path(items[0], "credit", "discountNo") != "3" {
		t.Errorf("POST form filter: %v", items)
	}
}

func TestParameterErrors(t *testing.T) {
	for _, tc := range []struct {
		name, action, query, code string
		opts                      Options
	}{
		{"pageSize 0", ActionCreditHistory, "pageSize=0", ReturnCodeInvalidParameter, Options{}},
		{"pageSize 1001", ActionCreditHistory, "pageSize=1001", ReturnCodeInvalidParameter, Options{}},
		{"pageSize not a number", ActionCoinHistory, "pageSize=ten", ReturnCodeInvalidParameter, Options{}},
		{"pageNo not a number", ActionCoinHistory, "pageNo=first", ReturnCodeInvalidParameter, Options{}},
		{"unknown format", ActionCreditHistory, "responseFormatType=yaml", ReturnCodeInvalidParameter, Options{}},
		{"format is case-sensitive", ActionCreditHistory, "responseFormatType=JSON", ReturnCodeInvalidParameter, Options{}},
		{"both scopes", ActionCreditHistory, "isOrganization=true&isPartner=true", ReturnCodeScopeConflict, Options{}},
		{"both scopes, any case", ActionCoinHistory, "isOrganization=TRUE&isPartner=True", ReturnCodeScopeConflict, Options{}},
		{"both scopes on demand", ActionDemandCost, "startMonth=202401&endMonth=202401&isOrganization=true&isPartner=true", ReturnCodeScopeConflict, Options{}},
		{"bad boolean", ActionCoinHistory, "isPartner=yes", ReturnCodeInvalidParameter, Options{}},
		{"list index 0", ActionCreditHistory, "discountNoList.0=1", ReturnCodeInvalidParameter, Options{}},
		{"list index not a number", ActionCreditHistory, "discountNoList.x=1", ReturnCodeInvalidParameter, Options{}},
		{"credit month malformed", ActionCreditHistory, "startMonth=2024-01", ReturnCodeInvalidParameter, Options{}},
		{"credit months reversed", ActionCreditHistory, "startMonth=202405&endMonth=202404", ReturnCodeMonthRange, Options{}},
		{"demand without months", ActionDemandCost, "", ReturnCodeMonthRange, Options{}},
		{"demand without endMonth", ActionDemandCost, "startMonth=202401", ReturnCodeMonthRange, Options{}},
		{"demand month 13", ActionDemandCost, "startMonth=202413&endMonth=202501", ReturnCodeInvalidParameter, Options{}},
		{"demand month too short", ActionDemandCost, "startMonth=20241&endMonth=202401", ReturnCodeInvalidParameter, Options{}},
		{"demand months reversed", ActionDemandCost, "startMonth=202403&endMonth=202401", ReturnCodeMonthRange, Options{}},
		{"demand 4 months", ActionDemandCost, "startMonth=202401&endMonth=202404", ReturnCodeMonthRange, Options{}},
		{"demand 7 months with max 6", ActionDemandCost, "startMonth=202311&endMonth=202405", ReturnCodeMonthRange, Options{MaxDemandMonths: 6}},
		{"discount type", ActionDiscountList, "discountTypeCode=VOUCHER", ReturnCodeInvalidParameter, Options{}},
		{"discount 4 months", ActionDiscountList, "startMonth=202401&endMonth=202404", ReturnCodeMonthRange, Options{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, c := start(t, tc.opts, filterData())
			r := c.get(t, tc.action, tc.query)
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", r.status, r.body)
			}
			if !strings.HasPrefix(r.body, "{\n  \"responseError\": {\n    \"returnCode\": \"") {
				t.Errorf("body is not the pretty-printed responseError:\n%s", r.body)
			}
			e := jsonBody(t, r)["responseError"].(map[string]any)
			if e["returnCode"] != tc.code || e["returnMessage"] == "" {
				t.Errorf("responseError %v, want returnCode %s", e, tc.code)
			}
			if log := s.Requests(); len(log) != 1 || log[0].Status != http.StatusBadRequest || log[0].Action != tc.action {
				t.Errorf("Requests() = %+v", log)
			}
		})
	}

	// Ranges at the limit pass.
	for _, tc := range []struct {
		query string
		max   int
	}{{"startMonth=202311&endMonth=202401", 0}, {"startMonth=202311&endMonth=202404", 6}} {
		_, c := start(t, Options{MaxDemandMonths: tc.max}, filterData())
		if r := c.get(t, ActionDemandCost, tc.query); r.status != http.StatusOK {
			t.Errorf("%s with max %d: status %d %s", tc.query, tc.max, r.status, r.body)
		}
	}
}

func TestRouting(t *testing.T) {
	s, c := start(t, Options{}, SeedData())
	for _, tc := range []struct {
		method, path string
		status       int
		code, msg    string
	}{
		{http.MethodGet, "/billing/v1/discount/getNothing", http.StatusNotFound, "300", "Not Found Exception"},
		{http.MethodGet, "/billing/v2/discount/getCreditHistoryList", http.StatusNotFound, "300", "Not Found Exception"},
		{http.MethodGet, "/discount/getCreditHistoryList", http.StatusNotFound, "300", "Not Found Exception"},
		{http.MethodGet, "/billing/v1/getCreditHistoryList", http.StatusNotFound, "300", "Not Found Exception"},
		{http.MethodPut, "/billing/v1/discount/getCreditHistoryList", http.StatusMethodNotAllowed, "100", "Bad Request Exception"},
		{http.MethodDelete, "/billing/v1/discount/getCoinHistoryList", http.StatusMethodNotAllowed, "100", "Bad Request Exception"},
	} {
		req, err := http.NewRequest(tc.method, c.base+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r := readReply(t, resp)
		e, _ := jsonBody(t, r)["error"].(map[string]any)
		if r.status != tc.status || e["errorCode"] != tc.code || e["message"] != tc.msg {
			t.Errorf("%s %s: %d %s, want %d errorCode %s", tc.method, tc.path, r.status, r.body, tc.status, tc.code)
		}
		if tc.status == http.StatusMethodNotAllowed && r.header.Get("Allow") != "GET, POST" {
			t.Errorf("%s: Allow = %q", tc.method, r.header.Get("Allow"))
		}
	}
	if n := s.Calls("", ""); n != 0 {
		t.Errorf("Calls = %d for unrouted requests", n)
	}

	// A custom prefix moves the API, and the signature covers it.
	_, c = start(t, Options{PathPrefix: "/api/billing/v1/"}, SeedData())
	c.prefix = "/api/billing/v1/discount/"
	if r := c.get(t, ActionCoinHistory, ""); r.status != http.StatusOK || !strings.Contains(r.body, "<getCoinHistoryList>") {
		t.Errorf("custom prefix: %d %s", r.status, r.body)
	}
	c.prefix = "/billing/v1/discount/"
	if r := c.get(t, ActionCoinHistory, ""); r.status != http.StatusNotFound {
		t.Errorf("default prefix on a custom server: %d", r.status)
	}
}

func TestAddAccountReplaces(t *testing.T) {
	s, c := start(t, Options{}, SeedData())
	s.AddAccount(Account{AccessKey: testKey, SecretKey: "new-secret", Data: filterData()})
	if r := c.get(t, ActionCoinHistory, ""); r.status != http.StatusUnauthorized {
		t.Errorf("old secret after replacement: %d", r.status)
	}
	c.secret = "new-secret"
	if total, _ := listReply(t, c.get(t, ActionCoinHistory, "responseFormatType=json"), ActionCoinHistory, "coinHistoryList"); total != 3 {
		t.Errorf("replaced data: totalRows %d, want 3", total)
	}
	if !strings.Contains(c.get(t, ActionCreditHistory, "").body, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<getCreditHistoryList>\n  <requestId>") {
		t.Error("data without samples is not rendered")
	}
}

func TestRequestLog(t *testing.T) {
	s, c := start(t, Options{}, filterData())
	c.get(t, ActionCreditHistory, "pageNo=2&pageSize=10&responseFormatType=json")
	c.get(t, ActionDemandCost, "startMonth=202401&endMonth=202403")
	bad := *c
	bad.secret = "wrong"
	bad.get(t, ActionCoinHistory, "")
	want := []Request{
		{AccessKey: testKey, Action: ActionCreditHistory, PageNo: 2, PageSize: 10, Format: "json", Status: 200},
		{AccessKey: testKey, Action: ActionDemandCost, PageNo: 1, PageSize: 1000, Format: "xml", Status: 200,
			Start: time.Date(2024, 1, 1, 0, 0, 0, 0, seoul), End: time.Date(2024, 3, 1, 0, 0, 0, 0, seoul)},
		{AccessKey: testKey, Action: ActionCoinHistory, Status: 401},
	}
	got := s.Requests()
	if len(got) != len(want) {
		t.Fatalf("Requests() = %+v", got)
	}
	for i := range want {
		if g, w := got[i], want[i]; g.AccessKey != w.AccessKey || g.Action != w.Action || g.PageNo != w.PageNo ||
			g.PageSize != w.PageSize || g.Format != w.Format || g.Status != w.Status || !g.Start.Equal(w.Start) || !g.End.Equal(w.End) {
			t.Errorf("Requests()[%d] = %+v, want %+v", i, g, w)
		}
	}
	s.ResetStats()
	if len(s.Requests()) != 0 || s.Calls("", "") != 0 || s.MaxConcurrent("", "") != 0 {
		t.Error("ResetStats left statistics behind")
	}
}
