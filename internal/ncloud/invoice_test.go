package ncloud

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/billingexporter/billing_exporter/internal/sandbox/ncloudsim"
)

// bodyServer answers every request with body and records the queries.
func bodyServer(t *testing.T, contentType, body string) (string, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path+"?"+r.URL.Query().Get("startMonth")+"-"+r.URL.Query().Get("endMonth"))
		mu.Unlock()
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/billing/v1", func() []string { mu.Lock(); defer mu.Unlock(); return slices.Clone(paths) }
}

// The documented shape, in XML and JSON, decodes to the same invoices,
// from {endpoint}/cost/getDemandCostList.
func TestInvoicesDocumentedShape(t *testing.T) {
	for _, tc := range []struct{ file, contentType string }{
		{"testdata/getDemandCostList.xml", "application/xml;charset=UTF-8"},
		{"testdata/getDemandCostList.json", "application/json;charset=UTF-8"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			body, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			url, paths := bodyServer(t, tc.contentType, string(body))
			c := newClient(t, Options{Endpoint: url, AccessKey: ak, SecretKey: sk})
			rows, err := c.Invoices(context.Background(), Month{2024, 1}, Month{2024, 2})
			if err != nil {
				t.Fatal(err)
			}
			if got := paths(); len(got) != 1 || got[0] != "/billing/v1/cost/getDemandCostList?202401-202402" {
				t.Errorf("requests %v", got)
			}
			if len(rows) != 2 {
				t.Fatalf("%d rows", len(rows))
			}
			a, b := rows[0], rows[1]
			if a.MemberNo != "2760000" || a.DemandMonth != "202401" || a.DemandNo != "9540000" || !bool(a.IsPaidUp.Value) ||
				a.ThisMonthAmountIncludingVat.Value != 1980000 || a.ThisMonthVatAmount.Value != 180000 || a.PayCurrency.Code != "KRW" ||
				a.PaidUpDate != "2024-02-26T10:12:40+0900" || a.OverdueOccurDate != "" {
				t.Errorf("paid row %+v", a)
			}
			if bool(b.IsPaidUp.Value) || !b.IsPaidUp.Set || b.TotalOverdueAmount.Value != 1980000 || b.OverduePlusAmount.Value != 29700 ||
				b.OverdueRatio.Value != 0.015 || b.ThisMonthOverdueAmount.Value != 1980000 {
				t.Errorf("overdue row %+v", b)
			}
			since, ok, err := ParseDate(b.OverdueOccurDate.String())
			if err != nil || !ok || !since.Equal(time.Date(2024, 3, 5, 0, 0, 0, 0, KST)) {
				t.Errorf("overdueOccurDate %v %v %v", since, ok, err)
			}
		})
	}
}

// invoice_months beyond three are read in calls of at most three months.
func TestInvoicesSplitIntoThreeMonthCalls(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, KST)
	data := ncloudsim.Generate(ncloudsim.GenerateOptions{Seed: 3, Now: now, Members: []string{"1", "2"}, DemandProducts: 2, DemandMonths: 8})
	sim, url := newSim(t, data)
	c := newClient(t, Options{Endpoint: url, AccessKey: ak, SecretKey: sk, Format: "json"})
	to := MonthOf(now)
	rows, err := c.Invoices(context.Background(), to.Add(-6), to)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 12 { // 6 closed months x 2 members; the running month has no bill yet
		t.Errorf("%d invoices, want 12", len(rows))
	}
	var spans []string
	for _, r := range sim.Requests() {
		if r.Action != ncloudsim.ActionDemandCostList || r.Status != 200 {
			t.Errorf("request %+v", r)
		}
		spans = append(spans, r.Start.In(KST).Format("200601")+"-"+r.End.In(KST).Format("200601"))
	}
	slices.Sort(spans)
	if got := strings.Join(spans, ","); got != "202605-202607,202608-202610,202611-202611" {
		t.Errorf("spans %s", got)
	}
}

// Incomplete answers are errors naming what is missing; an explicitly
// empty list is an empty success; a repeated invoice counts once.
func TestInvoicesIncompleteAnswers(t *testing.T) {
	row := func(extra string) string {
		return `{"memberNo":"1","demandMonth":"202401","demandNo":"9","isPaidUp":false,"thisMonthAmountIncludingVat":10` + extra + `}`
	}
	for _, tc := range []struct {
		name, body string
		want       string // error text; "" = success
		rows       int
	}{
		{"empty list", `{"getDemandCostListResponse":{"returnCode":"0","totalRows":0,"demandCostList":[]}}`, "", 0},
		{"empty xml list", `<getDemandCostListResponse><returnCode>0</returnCode><totalRows>0</totalRows><demandCostList/></getDemandCostListResponse>`, "", 0},
		{"null root", `{"getDemandCostListResponse":null}`, "getDemandCostListResponse is not an object", 0},
		{"empty object", `{}`, "response has no getDemandCostListResponse", 0},
		{"only returnCode", `{"returnCode":"0"}`, "no totalRows", 0},
		{"empty xml root", `<getDemandCostListResponse/>`, "no totalRows", 0},
		{"wrong xml root", `<getCreditHistoryList><totalRows>0</totalRows></getCreditHistoryList>`, "unexpected XML root element", 0},
		{"list missing", `{"getDemandCostListResponse":{"totalRows":2}}`, "response has no demandCostList although totalRows is 2", 0},
		{"list short", `{"getDemandCostListResponse":{"totalRows":2,"demandCostList":[` + row("") + `]}}`, "the list ended after 1 of totalRows 2 rows", 0},
		{"no isPaidUp", `{"getDemandCostListResponse":{"totalRows":1,"demandCostList":[{"memberNo":"1","demandMonth":"202401"}]}}`, "demandCost 1: member 1: no isPaidUp", 0},
		{"null isPaidUp", `{"getDemandCostListResponse":{"totalRows":1,"demandCostList":[{"memberNo":"1","demandMonth":"202401","isPaidUp":null}]}}`, "no isPaidUp", 0},
		{"empty xml isPaidUp", `<getDemandCostListResponse><totalRows>1</totalRows><demandCostList><demandCost><memberNo>1</memberNo><demandMonth>202401</demandMonth><isPaidUp/></demandCost></demandCostList></getDemandCostListResponse>`, "no isPaidUp", 0},
		{"no memberNo", `{"getDemandCostListResponse":{"totalRows":1,"demandCostList":[{"demandMonth":"202401","isPaidUp":true}]}}`, "demandCost 1: no memberNo", 0},
		{"bad month", `{"getDemandCostListResponse":{"totalRows":1,"demandCostList":[{"memberNo":"1","demandMonth":"2024-01","isPaidUp":true}]}}`, `demandMonth: "2024-01" is not a yyyyMM month`, 0},
		{"bad date", `{"getDemandCostListResponse":{"totalRows":1,"demandCostList":[` + row(`,"overdueOccurDate":"soon"`) + `]}}`, `overdueOccurDate: "soon" is not a date`, 0},
		{"repeated row", `{"getDemandCostListResponse":{"totalRows":2,"demandCostList":[` + row("") + "," + row("") + `]}}`, "", 1},
		{"truncated boolean", `{"getDemandCostListResponse":{"totalRows":1,"demandCostList":[{"memberNo":"1","demandMonth":"202401","isPaidUp": t0`, "malformed", 0},
		{"business error", `{"responseError":{"returnCode":"1007011","returnMessage":"month range"}}`, "code 1007011: month range", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, _ := bodyServer(t, "", tc.body)
			c := newClient(t, Options{Endpoint: url, AccessKey: ak, SecretKey: sk, Format: "json"})
			rows, err := c.Invoices(context.Background(), Month{2024, 1}, Month{2024, 1})
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("error %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), "getDemandCostList"):
				t.Errorf("error %v does not name the action", err)
			}
			if len(rows) != tc.rows {
				t.Errorf("%d rows, want %d", len(rows), tc.rows)
			}
		})
	}
}

func TestParseDateShapes(t *testing.T) {
	want := time.Date(2024, 3, 5, 9, 30, 0, 0, KST)
	for _, s := range []string{"2024-03-05T09:30:00+0900", "2024-03-05T00:30:00Z", "2024-03-05T09:30:00", "2024-03-05 09:30:00", "20240305093000"} {
		got, ok, err := ParseDate(s)
		if err != nil || !ok || !got.Equal(want) {
			t.Errorf("ParseDate(%q) = %v %v %v", s, got, ok, err)
		}
	}
	if got, ok, err := ParseDate("20240305"); err != nil || !ok || !got.Equal(time.Date(2024, 3, 5, 0, 0, 0, 0, KST)) {
		t.Errorf("day only: %v %v %v", got, ok, err)
	}
	if _, ok, err := ParseDate(" "); ok || err != nil {
		t.Errorf("blank: %v %v", ok, err)
	}
}
