package portonesim

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// hourly returns n scheduled payments of customer uid, one an hour before t0.
func hourly(uid string, n int) []Schedule {
	out := make([]Schedule, n)
	for i := range out {
		out[i] = Schedule{
			CustomerUID: uid, MerchantUID: fmt.Sprintf("%s_%03d", uid, i),
			ScheduleAt: t0.Add(-time.Duration(i+1) * time.Hour).Unix(), Amount: 9900,
			ScheduleStatus: StatusScheduled,
		}
	}
	return out
}

func merchantUIDs(list []Schedule) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s.MerchantUID
	}
	return out
}

func dayRange() url.Values {
	return url.Values{"from": {unix(t0.Add(-72 * time.Hour))}, "to": {unix(t0)}}
}

func TestCustomerPaging(t *testing.T) {
	m := acme
	m.Schedules = append(hourly("c1", 45), hourly("c2", 3)...)
	f := start(t, Options{}, m)
	tok := f.token(t, m.ImpKey, m.ImpSecret)
	var seen []string
	for _, tc := range []struct{ page, n, previous, next int }{
		{1, 20, 0, 2}, {2, 20, 1, 3}, {3, 5, 2, 0}, {4, 0, 3, 0}, {99, 0, 3, 0},
	} {
		q := dayRange()
		q.Set("page", fmt.Sprint(tc.page))
		r := f.get(t, tok, customerPath("c1"), q)
		p := decodePage(t, r)
		if r.status != 200 || r.Code != 0 || p.Total != 45 || len(p.List) != tc.n || p.Previous != tc.previous || p.Next != tc.next {
			t.Errorf("page %d: got %d total=%d len=%d previous=%d next=%d", tc.page, r.status, p.Total, len(p.List), p.Previous, p.Next)
		}
		if tc.n == 0 && !strings.Contains(r.raw, `"list":[]`) {
			t.Errorf("empty page must be [], got %s", r.raw)
		}
		seen = append(seen, merchantUIDs(p.List)...)
	}
	want := merchantUIDs(hourly("c1", 45)) // already newest first
	if !slices.Equal(seen, want) {
		t.Errorf("pages out of order or incomplete:\n%v", seen)
	}
	r := f.get(t, tok, customerPath("c1"), dayRange())
	if p := decodePage(t, r); p.List[0].MerchantUID != "c1_000" || p.Previous != 0 {
		t.Errorf("page defaults to 1: %+v", p.List[0])
	}
}

func TestCustomerArrayShapeAndPageSize(t *testing.T) {
	m := acme
	m.Schedules = hourly("c1", 45)
	f := start(t, Options{Shape: ShapeArray, PageSize: 10}, m)
	tok := f.token(t, m.ImpKey, m.ImpSecret)
	for page, n := range map[string]int{"1": 10, "5": 5, "6": 0} {
		q := dayRange()
		q.Set("page", page)
		r := f.get(t, tok, customerPath("c1"), q)
		var list []Schedule
		if err := json.Unmarshal(r.Response, &list); err != nil || len(list) != n || list == nil {
			t.Errorf("page %s: %s (%v), want an array of %d", page, r.Response, err, n)
		}
	}
	r := f.get(t, tok, customerPath("unknown"), dayRange())
	if r.raw != `{"code":0,"message":null,"response":[]}` {
		t.Errorf("unknown customer: %s", r.raw)
	}
}

func TestCustomerUnknownIsEmpty(t *testing.T) {
	f := start(t, Options{}, acme)
	r := f.get(t, f.token(t, acme.ImpKey, acme.ImpSecret), customerPath("nobody"), dayRange())
	if r.status != 200 || r.raw != `{"code":0,"message":null,"response":{"total":0,"previous":0,"next":0,"list":[]}}` {
		t.Errorf("got %d %s", r.status, r.raw)
	}
}

func TestCustomerFilters(t *testing.T) {
	at := func(h int) int64 { return t0.Add(time.Duration(h) * time.Hour).Unix() }
	m := acme
	m.Schedules = []Schedule{
		{CustomerUID: "c/1", MerchantUID: "before", ScheduleAt: at(-1) - 1, ScheduleStatus: StatusExecuted},
		{CustomerUID: "c/1", MerchantUID: "at-from", ScheduleAt: at(-1), ScheduleStatus: StatusExecuted},
		{CustomerUID: "c/1", MerchantUID: "inside", ScheduleAt: at(0), ScheduleStatus: StatusRevoked},
		{CustomerUID: "c/1", MerchantUID: "at-to", ScheduleAt: at(1), ScheduleStatus: StatusScheduled},
		{CustomerUID: "other", MerchantUID: "other", ScheduleAt: at(0), ScheduleStatus: StatusExecuted},
	}
	f := start(t, Options{}, m)
	tok := f.token(t, m.ImpKey, m.ImpSecret)
	from, to := fmt.Sprint(at(-1)), fmt.Sprint(at(1))
	for _, tc := range []struct {
		name string
		q    url.Values
		want []string
	}{
		{"from inclusive, to exclusive", url.Values{"from": {from}, "to": {to}}, []string{"inside", "at-from"}},
		{"status", url.Values{"from": {from}, "to": {to}, "schedule-status": {"executed"}}, []string{"at-from"}},
		{"empty status is all", url.Values{"from": {from}, "to": {to}, "schedule-status": {""}}, []string{"inside", "at-from"}},
		{"java names", url.Values{"schedule_from": {from}, "schedule_to": {to}, "schedule_status": {"revoked"}}, []string{"inside"}},
		{"swagger names win", url.Values{"from": {from}, "to": {to}, "schedule_from": {"0"}, "schedule_to": {"1"}}, []string{"inside", "at-from"}},
		{"empty range", url.Values{"from": {from}, "to": {from}}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.get(t, tok, customerPath("c/1"), tc.q)
			if got := merchantUIDs(decodePage(t, r).List); r.status != 200 || !slices.Equal(got, tc.want) {
				t.Errorf("got %d %v, want %v", r.status, got, tc.want)
			}
		})
	}
}

func TestCustomerBadRequests(t *testing.T) {
	f := start(t, Options{}, acme)
	tok := f.token(t, acme.ImpKey, acme.ImpSecret)
	jan15 := time.Date(2024, 1, 15, 0, 0, 0, 0, kst)
	feb1 := time.Date(2024, 2, 1, 0, 0, 0, 0, kst) // Jan 31 15:00 UTC
	for _, tc := range []struct {
		name    string
		q       url.Values
		message string // "" = accepted
	}{
		{"missing from", url.Values{"to": {"100"}}, "from and to are required"},
		{"missing to", url.Values{"from": {"100"}}, "from and to are required"},
		{"non-integer from", url.Values{"from": {"2024-01-01"}, "to": {"100"}}, "from and to must be unix timestamps"},
		{"fractional to", url.Values{"from": {"1"}, "to": {"1.5"}}, "from and to must be unix timestamps"},
		{"to before from", url.Values{"from": {"100"}, "to": {"99"}}, "to must not be before from"},
		{"exactly 3 months", url.Values{"from": {unix(jan15)}, "to": {unix(jan15.AddDate(0, 3, 0))}}, ""},
		{"3 months and 1 s", url.Values{"from": {unix(jan15)}, "to": {unix(jan15.AddDate(0, 3, 0).Add(time.Second))}}, "search range must not exceed 3 months"},
		{"months counted in Seoul", url.Values{"from": {unix(feb1)}, "to": {unix(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC))}}, "search range must not exceed 3 months"},
		{"month end normalised", url.Values{"from": {unix(time.Date(2023, 11, 30, 0, 0, 0, 0, kst))}, "to": {unix(time.Date(2024, 3, 1, 0, 0, 0, 0, kst))}}, ""},
		{"page 0", url.Values{"from": {"1"}, "to": {"2"}, "page": {"0"}}, "page must be an integer of at least 1"},
		{"page not a number", url.Values{"from": {"1"}, "to": {"2"}, "page": {"x"}}, "page must be an integer of at least 1"},
		{"unknown status", url.Values{"from": {"1"}, "to": {"2"}, "schedule-status": {"paid"}}, "schedule status must be scheduled, executed or revoked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.get(t, tok, customerPath("c1"), tc.q)
			want := `{"code":-1,"message":"` + tc.message + `","response":null}`
			if tc.message == "" && (r.status != 200 || r.Code != 0) {
				t.Errorf("got %d %s, want 200", r.status, r.raw)
			}
			if tc.message != "" && (r.status != 400 || r.raw != want) {
				t.Errorf("got %d %s, want 400 %s", r.status, r.raw, want)
			}
		})
	}
}

func TestRangeEndpoint(t *testing.T) {
	m := acme
	for c := range 5 {
		m.Schedules = append(m.Schedules, hourly(fmt.Sprintf("c%d", c), 10)...)
	}
	m.Schedules[7].ScheduleStatus = StatusRevoked
	other := Merchant{ImpKey: "imp_key_other", ImpSecret: "s2", Schedules: hourly("x", 5)}
	f := start(t, Options{}, m, other)
	tok := f.token(t, m.ImpKey, m.ImpSecret)
	rng := func(kv ...string) url.Values {
		q := url.Values{"schedule_from": {unix(t0.Add(-72 * time.Hour))}, "schedule_to": {unix(t0)}}
		for i := 0; i < len(kv); i += 2 {
			q.Set(kv[i], kv[i+1])
		}
		return q
	}
	for _, tc := range []struct {
		name                 string
		q                    url.Values
		total, n, prev, next int
		firstUID, lastUID    string
	}{
		{"default limit 20, newest first", rng(), 50, 20, 0, 2, "c0_000", "c4_003"},
		{"limit 7 page 8", rng("limit", "7", "page", "8"), 50, 1, 7, 0, "c4_009", "c4_009"},
		{"limit 1000", rng("limit", "1000"), 50, 50, 0, 0, "c0_000", "c4_009"},
		{"oldest first", rng("sorting", "scheduled", "limit", "3"), 50, 3, 0, 2, "c0_009", "c2_009"},
		{"explicit newest first", rng("sorting", "-scheduled", "limit", "1"), 50, 1, 0, 2, "c0_000", "c0_000"},
		{"status", rng("schedule_status", "revoked"), 1, 1, 0, 0, "c0_007", "c0_007"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.get(t, tok, PathRangeSchedules, tc.q)
			p := decodePage(t, r)
			if r.status != 200 || p.Total != tc.total || len(p.List) != tc.n || p.Previous != tc.prev || p.Next != tc.next ||
				p.List[0].MerchantUID != tc.firstUID || p.List[len(p.List)-1].MerchantUID != tc.lastUID {
				t.Errorf("got %d total=%d len=%d prev=%d next=%d uids=%v", r.status, p.Total, len(p.List), p.Previous, p.Next, merchantUIDs(p.List))
			}
		})
	}
	for _, tc := range []struct {
		name    string
		q       url.Values
		message string
	}{
		{"limit over 1000", rng("limit", "1001"), "limit must be an integer from 1 to 1000"},
		{"limit 0", rng("limit", "0"), "limit must be an integer from 1 to 1000"},
		{"bad sorting", rng("sorting", "newest"), "sorting must be scheduled or -scheduled"},
		{"page 0", rng("page", "0"), "page must be an integer of at least 1"},
		{"customer endpoint names are not accepted", url.Values{"from": {"1"}, "to": {"2"}}, "from and to are required"},
		{"over 3 months", url.Values{"schedule_from": {"0"}, "schedule_to": {"8000000"}}, "search range must not exceed 3 months"},
		{"bad status", rng("schedule_status", "failed"), "schedule status must be scheduled, executed or revoked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.get(t, tok, PathRangeSchedules, tc.q)
			if want := `{"code":-1,"message":"` + tc.message + `","response":null}`; r.status != 400 || r.raw != want {
				t.Errorf("got %d %s, want 400 %s", r.status, r.raw, want)
			}
		})
	}
}

func TestRangeArrayShape(t *testing.T) {
	m := acme
	m.Schedules = hourly("c1", 5)
	f := start(t, Options{Shape: ShapeArray}, m)
	q := url.Values{"schedule_from": {unix(t0.Add(-72 * time.Hour))}, "schedule_to": {unix(t0)}, "limit": {"2"}, "page": {"3"}}
	r := f.get(t, f.token(t, m.ImpKey, m.ImpSecret), PathRangeSchedules, q)
	var list []Schedule
	if err := json.Unmarshal(r.Response, &list); err != nil || len(list) != 1 || list[0].MerchantUID != "c1_004" {
		t.Errorf("got %s", r.raw)
	}
}

func TestMerchantIsolation(t *testing.T) {
	m := acme
	m.Schedules = hourly("shared-uid", 3)
	other := Merchant{ImpKey: "imp_key_other", ImpSecret: "s2", Schedules: hourly("shared-uid", 1)}
	f := start(t, Options{}, m, other)
	tok := f.token(t, other.ImpKey, other.ImpSecret)
	if p := decodePage(t, f.get(t, tok, customerPath("shared-uid"), dayRange())); p.Total != 1 {
		t.Errorf("customer endpoint: other merchant sees %d schedules, want its own 1", p.Total)
	}
	q := url.Values{"schedule_from": {unix(t0.Add(-72 * time.Hour))}, "schedule_to": {unix(t0)}}
	if p := decodePage(t, f.get(t, tok, PathRangeSchedules, q)); p.Total != 1 {
		t.Errorf("range endpoint: other merchant sees %d schedules, want 1", p.Total)
	}
}

func TestScheduleEncoding(t *testing.T) {
	m := acme
	m.Schedules = []Schedule{
		{CustomerUID: "c1", MerchantUID: "m-scheduled", ScheduleAt: t0.Unix() - 10, Amount: 9900, Name: "월간 구독",
			BuyerName: "김민준", ScheduleStatus: StatusScheduled},
		{CustomerUID: "c1", MerchantUID: "m-paid", ImpUID: new("imp_123456789012"), ScheduleAt: t0.Unix() - 20,
			ExecutedAt: t0.Unix() - 19, Amount: 19.99, Currency: "USD", ScheduleStatus: StatusExecuted, PaymentStatus: new(PaymentPaid)},
	}
	f := start(t, Options{Shape: ShapeArray}, m)
	r := f.get(t, f.token(t, m.ImpKey, m.ImpSecret), customerPath("c1"), dayRange())
	want := `{"code":0,"message":null,"response":[` +
		`{"customer_uid":"c1","merchant_uid":"m-scheduled","imp_uid":null,"schedule_at":1710471590,"executed_at":0,"revoked_at":0,` +
		`"amount":9900,"currency":"KRW","name":"월간 구독","buyer_name":"김민준","buyer_email":"","buyer_tel":"","buyer_addr":"",` +
		`"buyer_postcode":"","custom_data":"","schedule_status":"scheduled","payment_status":null,"fail_reason":"",` +
		`"pg_provider":"","pg_id":"","customer_id":""},` +
		`{"customer_uid":"c1","merchant_uid":"m-paid","imp_uid":"imp_123456789012","schedule_at":1710471580,"executed_at":1710471581,"revoked_at":0,` +
		`"amount":19.99,"currency":"USD","name":"","buyer_name":"","buyer_email":"","buyer_tel":"","buyer_addr":"",` +
		`"buyer_postcode":"","custom_data":"","schedule_status":"executed","payment_status":"paid","fail_reason":"",` +
		`"pg_provider":"","pg_id":"","customer_id":""}]}`
	if r.raw != want {
		t.Errorf("got  %s\nwant %s", r.raw, want)
	}
}

func TestGeneratedPIIIsServed(t *testing.T) {
	m := acme
	m.Schedules = Generate(GenerateOptions{Seed: 3, Now: t0, Customers: 2, SchedulesPerCustomer: 4, Lookback: 48 * time.Hour, Lookahead: 48 * time.Hour})
	f := start(t, Options{}, m)
	tok := f.token(t, m.ImpKey, m.ImpSecret)
	q := url.Values{"schedule_from": {unix(t0.Add(-49 * time.Hour))}, "schedule_to": {unix(t0.Add(49 * time.Hour))}}
	r := f.get(t, tok, PathRangeSchedules, q)
	for _, s := range m.Schedules {
		for _, v := range []string{s.BuyerName, s.BuyerEmail, s.BuyerTel, s.BuyerAddr, s.BuyerPostcode} {
			if v == "" || !strings.Contains(r.raw, v) {
				t.Errorf("PII value %q missing from the response", v)
			}
		}
	}
}
