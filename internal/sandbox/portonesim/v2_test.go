package portonesim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

var v2Now = time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)

func v2Data() V2Merchant {
	at := func(days int) time.Time { return v2Now.Add(time.Duration(days) * 24 * time.Hour) }
	return V2Merchant{Secret: "v2-secret", Schedules: []V2Schedule{
		{ID: "s-past-paid", StoreID: "store-a", CustomerID: "c1", CustomerEmail: "c1@example.com", TotalAmount: 9900, Currency: "KRW",
			Status: V2Succeeded, CreatedAt: at(-40), TimeToPay: at(-10), StartedAt: at(-10), CompletedAt: at(-10).Add(time.Minute)},
		{ID: "s-past-failed", StoreID: "store-a", CustomerID: "c2", TotalAmount: 9900, Currency: "KRW",
			Status: V2Failed, CreatedAt: at(-40), TimeToPay: at(-5), StartedAt: at(-5), CompletedAt: at(-5).Add(time.Minute)},
		{ID: "s-future", StoreID: "store-a", CustomerID: "c1", TotalAmount: 9900, Currency: "KRW",
			Status: V2Scheduled, CreatedAt: at(-10), TimeToPay: at(20)},
		{ID: "s-other-store", StoreID: "store-b", CustomerID: "c3", TotalAmount: 100, Currency: "USD",
			Status: V2Scheduled, CreatedAt: at(-1), TimeToPay: at(3)},
		{ID: "s-very-old", StoreID: "store-a", CustomerID: "c1", TotalAmount: 9900, Currency: "KRW",
			Status: V2Succeeded, CreatedAt: at(-200), TimeToPay: at(-120), StartedAt: at(-120), CompletedAt: at(-120)},
	}}
}

type v2Answer struct {
	Items []map[string]any `json:"items"`
	Page  V2Page           `json:"page"`
}

func v2Start(t *testing.T, o V2Options) (*V2Server, string) {
	t.Helper()
	if o.Now == nil {
		o.Now = func() time.Time { return v2Now }
	}
	s := NewV2(o)
	s.AddMerchant(v2Data())
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

// v2Get sends body in the given style ("query", "body" or "" for none).
func v2Get(t *testing.T, base, secret, style, body string) (int, v2Answer, v2Error) {
	t.Helper()
	u := base + PathPaymentSchedules
	var rd io.Reader
	switch style {
	case "query":
		u += "?requestBody=" + url.QueryEscape(body)
	case "body":
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(http.MethodGet, u, rd)
	req.Header.Set("Authorization", "PortOne "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var a v2Answer
	var e v2Error
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Fatalf("%v: %s", err, raw)
		}
	} else if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	return resp.StatusCode, a, e
}

func ids(a v2Answer) string {
	var out []string
	for _, it := range a.Items {
		out = append(out, it["id"].(string))
	}
	return strings.Join(out, ",")
}

// Without until the window ends now: the future schedule is invisible.
// With until it appears; both request styles give the same answer.
func TestV2UntilTrapAndRequestStyles(t *testing.T) {
	_, base := v2Start(t, V2Options{})
	_, a, _ := v2Get(t, base, "v2-secret", "", "")
	if got := ids(a); got != "s-past-failed,s-past-paid" {
		t.Errorf("no body: %s (want the last 90 days up to now, newest first)", got)
	}
	for _, style := range []string{"query", "body"} {
		body := `{"page":{"number":0,"size":50},"sort":{"by":"TIME_TO_PAY","order":"ASC"},"filter":{"storeId":"store-a","from":"2026-08-01T00:00:00Z","until":"2027-01-01T00:00:00Z"}}`
		code, a, _ := v2Get(t, base, "v2-secret", style, body)
		if code != 200 || ids(a) != "s-past-paid,s-past-failed,s-future" || a.Page.TotalCount != 3 || a.Page.Size != 50 {
			t.Errorf("%s: %d %s %+v", style, code, ids(a), a.Page)
		}
	}
	code, _, e := v2Get(t, base, "v2-secret", "query", `{"filter":{"status":["SCHEDULED"],"until":"2027-01-01T00:00:00Z"}}`)
	if code != 200 {
		t.Errorf("status filter: %d %+v", code, e)
	}
}

// Items carry the documented fields, the buyer's personal data included.
func TestV2ItemShape(t *testing.T) {
	_, base := v2Start(t, V2Options{})
	_, a, _ := v2Get(t, base, "v2-secret", "query", `{"filter":{"storeId":"store-a","from":"2026-11-09T00:00:00Z","until":"2026-11-11T00:00:00Z"}}`)
	if len(a.Items) != 1 {
		t.Fatalf("items %v", a.Items)
	}
	it := a.Items[0]
	if it["status"] != "SUCCEEDED" || it["timeToPay"] != "2026-11-10T03:00:00Z" || it["completedAt"] != "2026-11-10T03:01:00Z" ||
		it["totalAmount"] != 9900.0 || it["currency"] != "KRW" || it["customer"].(map[string]any)["email"] != "c1@example.com" {
		t.Errorf("item %v", it)
	}
	if _, has := it["revokedAt"]; has {
		t.Errorf("a succeeded schedule has revokedAt: %v", it)
	}
}

// Pages are 0-based; a capped size shows in page.size; totalCount reads
// either way.
func TestV2Paging(t *testing.T) {
	for _, tc := range []struct {
		o     V2Options
		total int
	}{{V2Options{MaxPageSize: 2}, 4}, {V2Options{MaxPageSize: 2, TotalCountIsPageCount: true}, 2}} {
		_, base := v2Start(t, tc.o)
		_, a, _ := v2Get(t, base, "v2-secret", "query", `{"page":{"number":0,"size":100},"sort":{"order":"ASC"},"filter":{"until":"2027-01-01T00:00:00Z"}}`)
		if ids(a) != "s-past-paid,s-past-failed" || a.Page.Size != 2 || a.Page.TotalCount != tc.total {
			t.Errorf("page 0: %s %+v", ids(a), a.Page)
		}
		_, a, _ = v2Get(t, base, "v2-secret", "query", `{"page":{"number":1,"size":100},"sort":{"order":"ASC"},"filter":{"until":"2027-01-01T00:00:00Z"}}`)
		if ids(a) != "s-other-store,s-future" {
			t.Errorf("page 1: %s", ids(a))
		}
		_, a, _ = v2Get(t, base, "v2-secret", "query", `{"page":{"number":2,"size":100},"filter":{"until":"2027-01-01T00:00:00Z"}}`)
		if len(a.Items) != 0 || a.Items == nil {
			t.Errorf("page 2: %v (want an explicit empty list)", a.Items)
		}
	}
}

func TestV2Errors(t *testing.T) {
	_, base := v2Start(t, V2Options{EchoCredentials: true})
	code, _, e := v2Get(t, base, "wrong-secret", "", "")
	if code != 401 || e.Type != "UNAUTHORIZED" || !strings.Contains(e.Message, "wrong-secret") {
		t.Errorf("bad secret: %d %+v", code, e)
	}
	for _, tc := range []struct{ style, body, want string }{
		{"query", `{"page":`, "not valid JSON"},
		{"query", `{"filter":{"status":["LOST"]}}`, "unknown status"},
		{"query", `{"page":{"number":-1,"size":10}}`, "page.number"},
		{"body", `{"sort":{"by":"NAME"}}`, "unknown sort"},
	} {
		code, _, e := v2Get(t, base, "v2-secret", tc.style, tc.body)
		if code != 400 || e.Type != "INVALID_REQUEST" || !strings.Contains(e.Message, tc.want) {
			t.Errorf("%s: %d %+v", tc.body, code, e)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, base+PathPaymentSchedules+"?requestBody=%7B%7D", strings.NewReader("{}"))
	req.Header.Set("Authorization", "PortOne v2-secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("both styles: %d", resp.StatusCode)
	}
}
