package collector

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/billingexporter/billing_exporter/internal/config"
)

var streamNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// pagedPortOne is a PortOne v1 whose schedule lists (either endpoint) are
// answered by page(n), a response, or "" for an error envelope. It counts
// the schedule requests.
func pagedPortOne(t *testing.T, page func(n int) string) (url string, requests func() int) {
	t.Helper()
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/users/getToken") {
			fmt.Fprint(w, `{"code":0,"message":null,"response":{"access_token":"tok","now":1,"expired_at":1801}}`)
			return
		}
		mu.Lock()
		n++
		mu.Unlock()
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		body := page(p)
		if body == "" {
			body = `{"code":-1,"message":"boom","response":null}`
		}
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() int { mu.Lock(); defer mu.Unlock(); return n }
}

// streamRow is one schedule JSON: customer, merchant, hours from now, status.
func streamRow(customer, merchant string, hours int, status string, amount int) string {
	payment := "null"
	if status == "executed" {
		payment = `"paid"`
	}
	return fmt.Sprintf(`{"customer_uid":%q,"merchant_uid":%q,"schedule_at":%d,"amount":%d,"schedule_status":%q,"payment_status":%s}`,
		customer, merchant, streamNow.Add(time.Duration(hours)*time.Hour).Unix(), amount, status, payment)
}

// streamPage is page n (pages of 10) of a list claiming total schedules.
func streamPage(total, n int) string {
	var rows []string
	for i := (n-1)*10 + 1; i <= min(n*10, total); i++ {
		rows = append(rows, streamRow("c", fmt.Sprintf("m%d", i), i, "scheduled", 100))
	}
	next := n + 1
	if n*10 >= total {
		next = 0
	}
	return fmt.Sprintf(`{"code":0,"message":null,"response":{"total":%d,"previous":%d,"next":%d,"list":[%s]}}`, total, n-1, next, strings.Join(rows, ","))
}

func streamAccount(url string, customers ...string) config.PortOneAccount {
	a := portoneAccount(url, customers...)
	a.Lookback, a.Lookahead = config.Duration(24*time.Hour), config.Duration(30*24*time.Hour) // one span
	return a
}

// A list that ends short of its total, repeats a page or fails on its
// second page fails the whole refresh, although its first page was already
// turned into series: no schedule series at all, billing_up 0.
func TestPortOneIncompleteListFailsRefresh(t *testing.T) {
	for _, tc := range []struct {
		name     string
		page     func(n int) string
		requests int
	}{
		{"ends short", func(n int) string {
			if n == 3 {
				return `{"code":0,"message":null,"response":{"total":30,"previous":2,"next":0,"list":[]}}`
			}
			return streamPage(30, n)
		}, 3},
		{"page repeated", func(n int) string { return streamPage(20, 1) }, 2},
		{"page fails", func(n int) string {
			if n == 2 {
				return ""
			}
			return streamPage(20, n)
		}, 2},
	} {
		for _, customers := range [][]string{{"c"}, nil} {
			t.Run(fmt.Sprintf("%s, customers %v", tc.name, customers), func(t *testing.T) {
				url, requests := pagedPortOne(t, tc.page)
				e, _ := newTestExporter(t, &config.Config{PortOne: []config.PortOneAccount{streamAccount(url, customers...)}}, fixedClock(streamNow))
				out := scrapeText(t, e)
				if !strings.Contains(out, upLine("portone", "shop", "schedules", 0)) {
					t.Errorf("billing_up is not 0:\n%s", out)
				}
				if strings.Contains(out, "billing_portone_") {
					t.Errorf("a failed refresh has PortOne series:\n%s", out)
				}
				if n := requests(); n != tc.requests {
					t.Errorf("%d schedule requests, want %d", n, tc.requests)
				}
			})
		}
	}
}

// The series do not depend on the order the schedules arrive in: of two
// next payments at the same time the same one is next, and of a customer's
// schedules without a schedule_at the live one wins over the revoked one.
func TestPortOneSeriesIndependentOfOrder(t *testing.T) {
	rows := []string{
		streamRow("c1", "a", 24, "scheduled", 100),
		streamRow("c2", "b", 24, "scheduled", 200),
		strings.Replace(streamRow("c3", "x", 0, "scheduled", 1), strconv.FormatInt(streamNow.Unix(), 10), "0", 1),
		strings.Replace(streamRow("c3", "y", 0, "revoked", 1), strconv.FormatInt(streamNow.Unix(), 10), "0", 1),
	}
	reversed := []string{rows[3], rows[2], rows[1], rows[0]}
	for name, list := range map[string][]string{"in order": rows, "reversed": reversed} {
		t.Run(name, func(t *testing.T) {
			url, _ := pagedPortOne(t, func(int) string {
				return `{"code":0,"message":null,"response":[` + strings.Join(list, ",") + `]}`
			})
			a := streamAccount(url)
			a.Aggregate = true
			e, _ := newTestExporter(t, &config.Config{PortOne: []config.PortOneAccount{a}}, fixedClock(streamNow))
			compareText(t, e, `# HELP billing_portone_next_payment_amount `+help(portoneByAccount.nextAmount)+`
# TYPE billing_portone_next_payment_amount gauge
billing_portone_next_payment_amount{account="shop",currency="KRW"} 100
# HELP billing_portone_customers_lapsing `+help(portoneByAccount.lapsing)+`
# TYPE billing_portone_customers_lapsing gauge
billing_portone_customers_lapsing{account="shop"} 1
`, "billing_portone_next_payment_amount", "billing_portone_customers_lapsing")
		})
	}
}
