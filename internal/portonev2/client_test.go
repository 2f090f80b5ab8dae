package portonev2

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/billingexporter/billing_exporter/internal/sandbox/portonesim"
	"github.com/billingexporter/billing_exporter/internal/upstream"
)

const secret = "v2-test-secret-0000000000000001"

var now = time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)

// schedules makes n schedules, one a day from 30 days ago, the past ones
// succeeded and the future ones scheduled, with personal data filled in.
func schedules(n int) []portonesim.V2Schedule {
	out := make([]portonesim.V2Schedule, n)
	for i := range out {
		at := now.Add(time.Duration(i-30) * 24 * time.Hour).Add(time.Duration(i%7) * time.Minute)
		s := portonesim.V2Schedule{
			ID: fmt.Sprintf("sched-%05d", i), StoreID: "store-1", PaymentID: fmt.Sprintf("pay-%05d", i),
			BillingKey: "billing-key-secret-" + fmt.Sprint(i), OrderName: "Plan",
			CustomerID: fmt.Sprintf("cust-%d", i%5), CustomerName: "홍길동", CustomerEmail: "buyer@example.com",
			CustomerPhone: "010-1234-5678", TotalAmount: 9900, Currency: "KRW",
			Status: portonesim.V2Scheduled, CreatedAt: now.Add(-60 * 24 * time.Hour).Add(time.Duration(i) * time.Second), TimeToPay: at,
		}
		if at.Before(now) {
			s.Status, s.StartedAt, s.CompletedAt = portonesim.V2Succeeded, at, at.Add(time.Minute)
		}
		out[i] = s
	}
	return out
}

func fake(t *testing.T, o portonesim.V2Options, list []portonesim.V2Schedule) (*portonesim.V2Server, string) {
	t.Helper()
	o.Now = func() time.Time { return now }
	s := portonesim.NewV2(o)
	s.AddMerchant(portonesim.V2Merchant{Secret: secret, Schedules: list})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

func client(t *testing.T, endpoint string, o Options) *Client {
	t.Helper()
	o.Endpoint = endpoint
	if o.APISecret == "" {
		o.APISecret = secret
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// collect gathers what EachSchedule hands out.
func collect(c *Client, ctx context.Context, from, until time.Time) ([]Schedule, error) {
	var all []Schedule
	err := c.EachSchedule(ctx, from, until, func(page []Schedule) error {
		all = append(all, page...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// until is always sent, so future schedules are seen (the API's default
// until is now); the request goes in requestBody, 0-based, with storeId.
func TestSendsUntilAndFrom(t *testing.T) {
	sim, url := fake(t, portonesim.V2Options{}, schedules(60))
	got, err := collect(client(t, url, Options{StoreID: "store-1"}), context.Background(), now.Add(-10*24*time.Hour), now.Add(20*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	future := 0
	for _, s := range got {
		if s.TimeToPay.After(now) {
			future++
		}
	}
	if len(got) != 30 || future != 20 {
		t.Errorf("%d schedules, %d in the future; want 30 and 20", len(got), future)
	}
	reqs := sim.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	f := reqs[0].Body.Filter
	if reqs[0].Style != "query" || f == nil || f.Until == nil || f.From == nil || !f.Until.Equal(now.Add(20*24*time.Hour)) ||
		!f.From.Equal(now.Add(-10*24*time.Hour)) || f.StoreID != "store-1" || reqs[0].Body.Page.Number != 0 {
		t.Errorf("request %+v filter %+v", reqs[0], f)
	}
}

// Pages follow the size the server used, and the list is complete whether
// totalCount is the total or the page's count.
func TestPaging(t *testing.T) {
	for _, o := range []portonesim.V2Options{{}, {MaxPageSize: 300}, {MaxPageSize: 300, TotalCountIsPageCount: true}, {TotalCountIsPageCount: true}} {
		t.Run(fmt.Sprintf("%+v", o), func(t *testing.T) {
			sim, url := fake(t, o, schedules(2500))
			got, err := collect(client(t, url, Options{}), context.Background(), now.Add(-40*24*time.Hour), now.Add(3000*24*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, s := range got {
				seen[s.ID] = true
			}
			if len(got) != 2500 || len(seen) != 2500 {
				t.Errorf("%d schedules (%d distinct), want 2500", len(got), len(seen))
			}
			want := 3
			if o.MaxPageSize == 300 {
				want = 9
			}
			if n := sim.Calls(); n != want {
				t.Errorf("%d requests, want %d", n, want)
			}
			for i, r := range sim.Requests() {
				if r.Body.Page.Number != i || r.Body.Sort.By != "CREATED_AT" || r.Body.Sort.Order != "ASC" {
					t.Errorf("request %d: %+v %+v", i, r.Body.Page, r.Body.Sort)
				}
			}
		})
	}
}

// Personal data and billing keys are not decoded at all.
func TestNoPersonalData(t *testing.T) {
	_, url := fake(t, portonesim.V2Options{}, schedules(10))
	got, err := collect(client(t, url, Options{}), context.Background(), now.Add(-40*24*time.Hour), now.Add(40*24*time.Hour))
	if err != nil || len(got) != 10 {
		t.Fatalf("%d, %v", len(got), err)
	}
	dump := fmt.Sprintf("%+v", got)
	for _, p := range []string{"홍길동", "buyer@example.com", "010-1234-5678", "billing-key-secret"} {
		if strings.Contains(dump, p) {
			t.Errorf("%q decoded", p)
		}
	}
	if got[0].CustomerID != "cust-0" || got[0].Status != Succeeded || got[0].TotalAmount != 9900 || got[0].Currency != "KRW" ||
		!got[0].CompletedAt.Equal(got[0].TimeToPay.Add(time.Minute)) {
		t.Errorf("first %+v", got[0])
	}
}

// A wrong secret is a 401 naming the type and message, never the secret,
// even when the upstream echoes it.
func TestUnauthorized(t *testing.T) {
	_, url := fake(t, portonesim.V2Options{EchoCredentials: true}, nil)
	_, err := collect(client(t, url, Options{APISecret: "wrong-v2-secret-value"}), context.Background(), now, now.Add(time.Hour))
	ue, ok := upstream.AsError(err)
	if !ok || ue.HTTPStatus != 401 || ue.Code != "UNAUTHORIZED" || !strings.Contains(ue.Message, "invalid or missing API secret") {
		t.Fatalf("error %#v", err)
	}
	if strings.Contains(err.Error(), "wrong-v2-secret-value") || !strings.Contains(err.Error(), "<secret>") {
		t.Errorf("secret not redacted: %v", err)
	}
}

// Empty and partial answers are errors naming what is missing; an
// explicitly empty list is an empty success.
func TestIncompleteAnswers(t *testing.T) {
	item := `{"id":"s1","status":"SCHEDULED","timeToPay":"2026-11-21T00:00:00Z","totalAmount":100,"currency":"KRW","customer":{"id":"c"}}`
	for _, tc := range []struct {
		name, body, contentType string
		status                  int
		want                    string
		n                       int
	}{
		{"empty list", `{"items":[],"page":{"number":0,"size":1000,"totalCount":0}}`, "", 200, "", 0},
		{"one item", `{"items":[` + item + `],"page":{"number":0,"size":1000,"totalCount":1}}`, "", 200, "", 1},
		{"string amount", `{"items":[` + strings.Replace(item, "100", `"100"`, 1) + `],"page":{"number":0,"size":1000,"totalCount":1}}`, "", 200, "", 1},
		{"empty object", `{}`, "", 200, "response has no items", 0},
		{"null items", `{"items":null,"page":{"totalCount":0}}`, "", 200, "response has no items", 0},
		{"no page", `{"items":[]}`, "", 200, "response has no page", 0},
		{"no timeToPay", `{"items":[{"id":"s1","status":"SCHEDULED","totalAmount":1,"currency":"KRW"}],"page":{}}`, "", 200, `item 1: no timeToPay of schedule "s1"`, 0},
		{"no id", `{"items":[{"status":"SCHEDULED"}],"page":{}}`, "", 200, "item 1: no id", 0},
		{"no amount", `{"items":[` + strings.Replace(item, `"totalAmount":100,`, "", 1) + `],"page":{}}`, "", 200, "no totalAmount", 0},
		{"bad time", `{"items":[` + strings.Replace(item, "2026-11-21T00:00:00Z", "tomorrow", 1) + `],"page":{}}`, "", 200, `"tomorrow" is not an RFC 3339 time`, 0},
		{"html", `<html>buyer@example.com</html>`, "text/html", 200, "response is not a JSON object", 0},
		{"short of totalCount", `{"items":[],"page":{"number":0,"size":1000,"totalCount":5}}`, "", 200, "page 0 is empty after 0 schedules, page.totalCount says 5", 0},
		{"huge totalCount", `{"items":[` + item + `],"page":{"number":0,"size":1000,"totalCount":1e22}}`, "", 200, "page.totalCount 1e+22 is not a count", 0},
		{"negative totalCount", `{"items":[` + item + `],"page":{"number":0,"size":1000,"totalCount":-1}}`, "", 200, "page.totalCount -1 is not a count", 0},
		{"fractional size", `{"items":[` + item + `],"page":{"number":0,"size":0.5,"totalCount":1}}`, "", 200, "page.size 0.5 is not a count", 0},
		{"invalid request", `{"type":"INVALID_REQUEST","message":"bad\nfilter"}`, "", 400, "HTTP 400: code INVALID_REQUEST: bad filter", 0},
		{"forbidden", `{"type":"FORBIDDEN","message":"store not allowed"}`, "", 403, "code FORBIDDEN: store not allowed", 0},
		{"html error", `<html>buyer@example.com</html>`, "text/html", 502, "HTTP 502: unrecognised error body (30 bytes", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim, url := fake(t, portonesim.V2Options{}, nil)
			sim.SetFault("", portonesim.Fault{Status: tc.status, Body: tc.body, ContentType: tc.contentType})
			got, err := collect(client(t, url, Options{}), context.Background(), now, now.Add(48*time.Hour))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("error %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want %q", err, tc.want)
			case err != nil && strings.Contains(err.Error(), "buyer@example.com"):
				t.Errorf("body in error: %v", err)
			}
			if len(got) != tc.n {
				t.Errorf("%d schedules, want %d", len(got), tc.n)
			}
		})
	}
}

// A list that never ends stops at MaxPages with an error; schedules the
// server returns outside [from, until) and repeats are dropped.
func TestBoundedAndFiltered(t *testing.T) {
	page := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var items []string
		for i := range 1000 {
			items = append(items, fmt.Sprintf(`{"id":"p%d-%d","status":"SCHEDULED","timeToPay":"2026-11-21T00:00:00Z","totalAmount":1,"currency":"KRW"}`, page, i))
		}
		page++
		fmt.Fprintf(w, `{"items":[%s],"page":{"number":0,"size":1000,"totalCount":1000}}`, strings.Join(items, ","))
	}))
	t.Cleanup(srv.Close)
	_, err := collect(client(t, srv.URL, Options{MaxPages: 5}), context.Background(), now, now.Add(48*time.Hour))
	if err == nil || !strings.Contains(err.Error(), "did not end within 5 pages (5000 schedules so far)") || page != 5 {
		t.Errorf("error %v after %d pages", err, page)
	}

	sim, url := fake(t, portonesim.V2Options{}, nil)
	sim.SetFault("", portonesim.Fault{Body: `{"items":[` +
		`{"id":"in","status":"SCHEDULED","timeToPay":"2026-11-21T00:00:00Z","totalAmount":1,"currency":"KRW"},` +
		`{"id":"in","status":"SCHEDULED","timeToPay":"2026-11-21T00:00:00Z","totalAmount":1,"currency":"KRW"},` +
		`{"id":"late","status":"SCHEDULED","timeToPay":"2026-11-22T03:00:00Z","totalAmount":1,"currency":"KRW"},` +
		`{"id":"early","status":"SUCCEEDED","timeToPay":"2026-11-20T02:59:59Z","totalAmount":1,"currency":"KRW"}` +
		`],"page":{"number":0,"size":1000,"totalCount":4}}`})
	got, err := collect(client(t, url, Options{}), context.Background(), now, now.Add(48*time.Hour))
	if err != nil || len(got) != 1 || got[0].ID != "in" {
		t.Errorf("got %+v, %v; want only the one inside the window, once", got, err)
	}
}

// Each page is handed out before the next one is asked for: the list is
// never held whole.
func TestPagesHandedOutAsTheyArrive(t *testing.T) {
	var mu sync.Mutex
	requests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		var items []string
		for i := range min(2, 5-2*requests) {
			items = append(items, fmt.Sprintf(`{"id":"p%d-%d","status":"SCHEDULED","timeToPay":"2026-11-21T00:00:00Z","totalAmount":1,"currency":"KRW"}`, requests, i))
		}
		requests++
		fmt.Fprintf(w, `{"items":[%s],"page":{"number":%d,"size":2,"totalCount":5}}`, strings.Join(items, ","), requests-1)
	}))
	t.Cleanup(srv.Close)
	var calls []string
	err := client(t, srv.URL, Options{}).EachSchedule(context.Background(), now, now.Add(48*time.Hour), func(page []Schedule) error {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, fmt.Sprintf("%d after %d requests", len(page), requests))
		return nil
	})
	if want := "[2 after 1 requests 2 after 2 requests 1 after 3 requests]"; err != nil || fmt.Sprint(calls) != want {
		t.Errorf("handed out %v, %v; want %s", calls, err, want)
	}
}
