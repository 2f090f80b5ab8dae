package collector

import (
	"fmt"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/sandbox/portonesim"
)

var portoneMetrics = []string{
	"billing_portone_schedules", "billing_portone_schedule_amount", "billing_portone_upcoming_schedules", "billing_up",
}

func portoneServer(t *testing.T, o portonesim.Options, merchants ...portonesim.Merchant) (*portonesim.Server, string) {
	t.Helper()
	sim := portonesim.New(o)
	for _, m := range merchants {
		sim.AddMerchant(m)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, srv.URL
}

func portoneAccount(url string, customers ...string) config.PortOneAccount {
	return config.PortOneAccount{
		Name: "shop", Endpoint: url, ImpKey: "imp_key_1", ImpSecret: "imp_secret_1",
		CustomerUIDs: customers, Lookback: config.Duration(30 * 24 * time.Hour), Lookahead: config.Duration(60 * 24 * time.Hour),
	}
}

// The vendor's schema example, in both response shapes, gives the same
// series: its schedule_at is "0", so nothing is upcoming.
func TestPortOneSeedGolden(t *testing.T) {
	for _, shape := range []portonesim.Shape{portonesim.ShapeArray, portonesim.ShapePaged} {
		t.Run(fmt.Sprint("shape ", shape), func(t *testing.T) {
			_, url := portoneServer(t, portonesim.Options{Shape: shape},
				portonesim.Merchant{ImpKey: "imp_key_1", ImpSecret: "imp_secret_1", Verbatim: true})
			e, _ := newTestExporter(t, &config.Config{PortOne: []config.PortOneAccount{portoneAccount(url, "string")}}, nil)
			compareGolden(t, e, "testdata/portone_seed.prom", portoneMetrics...)
			if n := testutilCount(t, e, "billing_portone_next_payment_timestamp_seconds"); n != 0 {
				t.Errorf("%d next payment series for a schedule at 0", n)
			}
		})
	}
}

// schedule builds one schedule for the fake.
func schedule(customer, merchant string, at time.Time, status, payment string, amount float64) portonesim.Schedule {
	s := portonesim.Schedule{
		CustomerUID: customer, MerchantUID: merchant, ScheduleAt: at.Unix(), Amount: amount,
		Currency: "KRW", ScheduleStatus: status, BuyerName: "홍길동", BuyerEmail: "hong@example.com", BuyerTel: "010-1234-5678",
	}
	if payment != "none" {
		s.PaymentStatus = &payment
	}
	return s
}

// A 120-day window is read in calls of at most 3 months, and schedules at
// the seams and the edges are counted once or not at all, as from <= at < to says.
func TestPortOneWindowSplitAtSeams(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	from, to := now.Add(-60*24*time.Hour), now.Add(60*24*time.Hour)
	seam := from.Add(89 * 24 * time.Hour)
	var list []portonesim.Schedule
	add := func(name string, at time.Time, status, payment string, amount float64) {
		list = append(list, schedule("cust_a", name, at, status, payment, amount))
	}
	add("at_from", from, "executed", "paid", 100)                     // included: from <= at
	add("before_from", from.Add(-time.Second), "executed", "paid", 1) // excluded
	add("before_seam", seam.Add(-time.Second), "scheduled", "none", 10)
	add("at_seam", seam, "scheduled", "none", 20)
	add("after_seam", seam.Add(time.Second), "scheduled", "none", 40)
	add("before_to", to.Add(-time.Second), "scheduled", "none", 80)
	add("at_to", to, "scheduled", "none", 1000) // excluded: at < to
	add("failed", now.Add(-time.Hour), "executed", "failed", 300)
	sim, url := portoneServer(t, portonesim.Options{}, portonesim.Merchant{ImpKey: "imp_key_1", ImpSecret: "imp_secret_1", Schedules: list})
	a := portoneAccount(url, "cust_a")
	a.Lookback, a.Lookahead = config.Duration(60*24*time.Hour), config.Duration(60*24*time.Hour)
	e, _ := newTestExporter(t, &config.Config{PortOne: []config.PortOneAccount{a}}, fixedClock(now))
	want := `# HELP billing_portone_schedule_amount ` + help(portoneByCustomer.amount) + `
# TYPE billing_portone_schedule_amount gauge
billing_portone_schedule_amount{account="shop",currency="KRW",customer_uid="cust_a",payment_status="failed",schedule_status="executed"} 300
billing_portone_schedule_amount{account="shop",currency="KRW",customer_uid="cust_a",payment_status="none",schedule_status="scheduled"} 150
billing_portone_schedule_amount{account="shop",currency="KRW",customer_uid="cust_a",payment_status="paid",schedule_status="executed"} 100
# HELP billing_portone_schedules ` + help(portoneByCustomer.schedules) + `
# TYPE billing_portone_schedules gauge
billing_portone_schedules{account="shop",customer_uid="cust_a",payment_status="failed",schedule_status="executed"} 1
billing_portone_schedules{account="shop",customer_uid="cust_a",payment_status="none",schedule_status="scheduled"} 4
billing_portone_schedules{account="shop",customer_uid="cust_a",payment_status="paid",schedule_status="executed"} 1
# HELP billing_portone_upcoming_schedules ` + help(portoneByCustomer.upcoming) + `
# TYPE billing_portone_upcoming_schedules gauge
billing_portone_upcoming_schedules{account="shop",customer_uid="cust_a"} 4
# HELP billing_portone_next_payment_timestamp_seconds ` + help(portoneByCustomer.nextTime) + `
# TYPE billing_portone_next_payment_timestamp_seconds gauge
billing_portone_next_payment_timestamp_seconds{account="shop",customer_uid="cust_a"} ` + strconv.FormatInt(seam.Add(-time.Second).Unix(), 10) + `
# HELP billing_portone_next_payment_amount ` + help(portoneByCustomer.nextAmount) + `
# TYPE billing_portone_next_payment_amount gauge
billing_portone_next_payment_amount{account="shop",currency="KRW",customer_uid="cust_a"} 10
# HELP billing_portone_last_run_timestamp_seconds ` + help(portoneByCustomer.lastRun) + `
# TYPE billing_portone_last_run_timestamp_seconds gauge
billing_portone_last_run_timestamp_seconds{account="shop",customer_uid="cust_a",payment_status="failed"} ` + strconv.FormatInt(now.Add(-time.Hour).Unix(), 10) + `
billing_portone_last_run_timestamp_seconds{account="shop",customer_uid="cust_a",payment_status="paid"} ` + strconv.FormatInt(from.Unix(), 10) + `
`
	compareText(t, e, want, "billing_portone_schedules", "billing_portone_schedule_amount", "billing_portone_upcoming_schedules",
		"billing_portone_next_payment_timestamp_seconds", "billing_portone_next_payment_amount", "billing_portone_last_run_timestamp_seconds")

	var spans [][2]int64
	for _, r := range sim.Requests() {
		if r.Pattern != portonesim.PathCustomerSchedules {
			continue
		}
		f, _ := strconv.ParseInt(r.Query.Get("from"), 10, 64)
		tt, _ := strconv.ParseInt(r.Query.Get("to"), 10, 64)
		spans = append(spans, [2]int64{f, tt})
		if r.Status != 200 {
			t.Errorf("schedule request %v answered %d", r.Query, r.Status)
		}
	}
	if len(spans) != 2 || spans[0][0] > spans[1][0] && spans[1][1] != spans[0][0] {
		t.Fatalf("spans %v, want two adjacent ones", spans)
	}
	if spans[0][0] > spans[1][0] {
		spans[0], spans[1] = spans[1], spans[0]
	}
	if spans[0][0] != from.Unix() || spans[0][1] != spans[1][0] || spans[1][1] != to.Unix() {
		t.Errorf("spans %v do not tile [%d, %d)", spans, from.Unix(), to.Unix())
	}
}

// A customer with 45 schedules (pages of 20) is read completely, in both
// shapes; the paged shape reads pages 2 and 3 after page 1 tells the total.
func TestPortOneThreePages(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	var list []portonesim.Schedule
	for i := range 45 {
		list = append(list, schedule("cust_p", fmt.Sprintf("m%02d", i), now.Add(time.Duration(i+1)*time.Hour), "scheduled", "none", 1000))
	}
	for _, shape := range []portonesim.Shape{portonesim.ShapePaged, portonesim.ShapeArray} {
		t.Run(fmt.Sprint("shape ", shape), func(t *testing.T) {
			sim, url := portoneServer(t, portonesim.Options{Shape: shape}, portonesim.Merchant{ImpKey: "imp_key_1", ImpSecret: "imp_secret_1", Schedules: list})
			a := portoneAccount(url, "cust_p")
			a.Lookback, a.Lookahead = config.Duration(24*time.Hour), config.Duration(30*24*time.Hour)
			e, _ := newTestExporter(t, &config.Config{PortOne: []config.PortOneAccount{a}}, fixedClock(now))
			compareText(t, e, `# HELP billing_portone_schedules `+help(portoneByCustomer.schedules)+`
# TYPE billing_portone_schedules gauge
billing_portone_schedules{account="shop",customer_uid="cust_p",payment_status="none",schedule_status="scheduled"} 45
`, "billing_portone_schedules")
			pages := map[string]int{}
			for _, r := range sim.Requests() {
				if r.Pattern == portonesim.PathCustomerSchedules {
					pages[r.Query.Get("page")]++
				}
			}
			if pages["1"] != 1 || pages["2"] != 1 || pages["3"] != 1 || len(pages) > 4 {
				t.Errorf("pages requested %v, want 1, 2, 3 once each", pages)
			}
		})
	}
}

// A token that expires between two scrapes is renewed on the 401 without a
// failed collection.
func TestPortOneTokenRenewedAfterExpiry(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	list := []portonesim.Schedule{schedule("cust_t", "m1", now.Add(24*time.Hour), "scheduled", "none", 9900)}
	sim, url := portoneServer(t, portonesim.Options{}, portonesim.Merchant{ImpKey: "imp_key_1", ImpSecret: "imp_secret_1", Schedules: list})
	a := portoneAccount(url, "cust_t")
	a.Lookback, a.Lookahead = config.Duration(24*time.Hour), config.Duration(30*24*time.Hour) // one call per scrape
	e, _ := newTestExporter(t, &config.Config{PortOne: []config.PortOneAccount{a}}, fixedClock(now))
	up := upLine("portone", "shop", "schedules", 1)
	compareText(t, e, up, "billing_up")
	compareText(t, e, up, "billing_up")
	if n := sim.TokensIssued(); n != 1 {
		t.Errorf("%d tokens issued for two scrapes, want 1 (reused)", n)
	}
	sim.ExpireTokens()
	compareText(t, e, up, "billing_up")
	if n := sim.TokensIssued(); n != 2 {
		t.Errorf("%d tokens issued after expiry, want 2", n)
	}
	unauthorized := 0
	for _, r := range sim.Requests() {
		if r.Status == 401 {
			unauthorized++
		}
	}
	if unauthorized != 1 {
		t.Errorf("%d requests answered 401, want exactly the one after expiry", unauthorized)
	}
}

// Without customer_uids the range endpoint covers every customer, and
// aggregate drops customer_uid.
func TestPortOneRangeEndpointAggregate(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	list := []portonesim.Schedule{
		schedule("c1", "a", now.Add(48*time.Hour), "scheduled", "none", 100),
		schedule("c2", "b", now.Add(24*time.Hour), "scheduled", "none", 200),
		schedule("c3", "c", now.Add(-24*time.Hour), "executed", "failed", 300),
	}
	sim, url := portoneServer(t, portonesim.Options{}, portonesim.Merchant{ImpKey: "imp_key_1", ImpSecret: "imp_secret_1", Schedules: list})
	a := portoneAccount(url)
	a.Aggregate = true
	a.Lookback, a.Lookahead = config.Duration(30*24*time.Hour), config.Duration(30*24*time.Hour) // one window
	e, _ := newTestExporter(t, &config.Config{PortOne: []config.PortOneAccount{a}}, fixedClock(now))
	compareText(t, e, `# HELP billing_portone_schedules `+help(portoneByAccount.schedules)+`
# TYPE billing_portone_schedules gauge
billing_portone_schedules{account="shop",payment_status="failed",schedule_status="executed"} 1
billing_portone_schedules{account="shop",payment_status="none",schedule_status="scheduled"} 2
# HELP billing_portone_next_payment_amount `+help(portoneByAccount.nextAmount)+`
# TYPE billing_portone_next_payment_amount gauge
billing_portone_next_payment_amount{account="shop",currency="KRW"} 200
# HELP billing_portone_upcoming_schedules `+help(portoneByAccount.upcoming)+`
# TYPE billing_portone_upcoming_schedules gauge
billing_portone_upcoming_schedules{account="shop"} 2
`, "billing_portone_schedules", "billing_portone_next_payment_amount", "billing_portone_upcoming_schedules")
	if n := sim.Calls(portonesim.PathRangeSchedules); n != 1 {
		t.Errorf("%d range calls, want 1", n)
	}
	for _, r := range sim.Requests() {
		if r.Pattern == portonesim.PathRangeSchedules && r.Query.Get("limit") != "1000" {
			t.Errorf("range call without limit=1000: %v", r.Query)
		}
	}
	if out := scrapeText(t, e); strings.Contains(out, "customer_uid") {
		t.Errorf("aggregate output has customer_uid:\n%s", out)
	}
}
