package portone

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/billingexporter/billing_exporter/internal/sandbox/portonesim"
)

// decodeList decodes a schedule list body (the `response` alone).
func decodeList(raw string) (scheduleList, error) {
	var l scheduleList
	env, err := decodeEnvelope([]byte(`{"code":0,"response":`+raw+`}`), &l)
	if err == nil && !env.hasResponse {
		return l, errNoResponse
	}
	return l, err
}

var errNoResponse = errors.New("no response")

func decodeSchedule(raw string) (Schedule, error) {
	l, err := decodeList("[" + raw + "]")
	if err != nil || len(l.list) != 1 {
		return Schedule{}, err
	}
	return l.list[0], nil
}

func TestDecodeListShapes(t *testing.T) {
	item := `{"customer_uid":"c1","merchant_uid":"m1","schedule_at":1767225600,"executed_at":0,"revoked_at":0,"amount":9900,"currency":"KRW",
	  "schedule_status":"scheduled","payment_status":null,"buyer_name":"홍길동","buyer_email":"h@example.com","buyer_tel":"010-1111-2222"}`
	for _, tc := range []struct {
		name  string
		raw   string
		paged bool
		next  int
	}{
		{"array", `[` + item + `]`, false, 0},
		{"paged", `{"total":41,"previous":0,"next":2,"list":[` + item + `]}`, true, 2},
		{"paged with string numbers", `{"total":"41","previous":null,"next":"2","list":[` + item + `]}`, true, 2},
	} {
		r, err := decodeList(tc.raw)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if r.paged != tc.paged || r.next != tc.next || len(r.list) != 1 {
			t.Fatalf("%s: %+v", tc.name, r)
		}
		s := r.list[0]
		if s.CustomerUID != "c1" || s.ScheduleAt.Unix() != 1767225600 || !s.ExecutedAt.IsZero() || s.Amount != 9900 ||
			s.PaymentStatus != "none" || s.ScheduleStatus != "scheduled" || s.Currency != "KRW" {
			t.Errorf("%s: %+v", tc.name, s)
		}
	}
	for _, empty := range []string{`[]`, `{"total":0,"list":[]}`} {
		if r, err := decodeList(empty); err != nil || len(r.list) != 0 || !r.hasList {
			t.Errorf("%s: %+v %v", empty, r, err)
		}
	}
	if _, err := decodeList(`null`); !errors.Is(err, errNoResponse) {
		t.Errorf("null response: %v, want it reported as no response", err)
	}
}

// The vendor example writes timestamps as strings ("0"); amounts may be
// strings too; a missing currency is KRW.
func TestDecodeScheduleFlexible(t *testing.T) {
	s, err := decodeSchedule(`{"customer_uid":"string","schedule_at":"0","executed_at":"1700000000","amount":"12.5","schedule_status":"Executed","payment_status":"PAID"}`)
	if err != nil {
		t.Fatal(err)
	}
	if !s.ScheduleAt.IsZero() || s.ExecutedAt.Unix() != 1700000000 || s.Amount != 12.5 || s.Currency != "KRW" || s.ScheduleStatus != "executed" || s.PaymentStatus != "paid" {
		t.Errorf("%+v", s)
	}
	for _, tc := range []struct{ raw, want string }{
		{`{"schedule_status":"scheduled","amount":"free"}`, "amount"},
		{`{"schedule_status":"scheduled","schedule_at":-5}`, "schedule_at -5 is not unix seconds"},
		{`{"schedule_status":"scheduled","schedule_at":"soon"}`, "schedule_at"},
		{`{"schedule_status":"scheduled","amount":[1]}`, "is not a number"},
		{`{"merchant_uid":"m9"}`, `merchant_uid "m9" has no schedule_status`},
		{`[1]`, "malformed schedule"},
	} {
		if _, err := decodeSchedule(tc.raw); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.raw, err, tc.want)
		}
	}
	if _, err := decodeList(`{"total":"many","list":[]}`); err == nil {
		t.Error("bad total accepted")
	}
	if _, err := decodeList(`"nothing"`); err == nil || !strings.Contains(err.Error(), "neither a list nor a page") {
		t.Errorf("string response: %v", err)
	}
}

func TestDecodeEnvelope(t *testing.T) {
	var l scheduleList
	env, err := decodeEnvelope([]byte(`{"code":1,"message":"등록된 고객정보가 없습니다.","response":null}`), &l)
	if err != nil || env.Code != 1 || env.Message != "등록된 고객정보가 없습니다." {
		t.Errorf("%+v %v", env, err)
	}
	// An error code's response is not decoded as the answer, whatever it is.
	if env, err := decodeEnvelope([]byte(`{"code":-1,"message":"Unauthorized","response":"denied"}`), &l); err != nil || env.Code != -1 {
		t.Errorf("%+v %v", env, err)
	}
	if env, err := decodeEnvelope([]byte(`{"code":0}`), &l); err != nil || env.hasResponse {
		t.Errorf("no response: %+v %v", env, err)
	}
	for _, body := range []string{`{"message":"x"}`, `{"code":"a"}`, `{"code":1.5}`, `not json`, `{"code":0,"response":[]} x`} {
		if _, err := decodeEnvelope([]byte(body), &l); err == nil {
			t.Errorf("%s accepted", body)
		}
	}
}

// The vendor's example answer and the fake's generated pages decode in
// full, buyer fields left out.
func TestDecodeAPIBodies(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		n    int
	}{{"seed", seedBody(t), 1}, {"generated", generatedPage(t), 100}} {
		var l scheduleList
		env, err := decodeEnvelope([]byte(tc.body), &l)
		if err != nil || env.Code != 0 || !env.hasResponse || len(l.list) != tc.n {
			t.Errorf("%s: %d schedules, %+v, %v", tc.name, len(l.list), env, err)
		}
		for _, s := range l.list {
			if s.ScheduleStatus == "" || s.PaymentStatus == "" || s.Currency == "" {
				t.Errorf("%s: %+v", tc.name, s)
			}
		}
	}
}

// seedBody is the vendor's example answer.
func seedBody(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../sandbox/portonesim/seed_schedules.json")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// generatedPage is a page of the range endpoint as the fake renders it.
func generatedPage(t *testing.T) string {
	t.Helper()
	now := time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)
	list := portonesim.Generate(portonesim.GenerateOptions{Seed: 3, Now: now, Customers: 20, SchedulesPerCustomer: 5, Lookback: 30 * 24 * time.Hour, Lookahead: 30 * 24 * time.Hour})
	b, err := json.Marshal(map[string]any{"code": 0, "message": nil, "response": map[string]any{"total": 100, "previous": 0, "next": 0, "list": list}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A paged object's total is told before its list is decoded (a list that
// fails to decode has been told of all the same), only when it comes
// first, and only when it is a page count.
func TestPagedTotalToldAheadOfList(t *testing.T) {
	bad := `{"customer_uid":"c","merchant_uid":"m","schedule_at":1}` // no schedule_status
	for _, tc := range []struct {
		name, response string
		told           []int
		fails          bool
	}{
		{"total first, list fails", `{"total":3000,"previous":0,"next":2,"list":[` + bad + `]}`, []int{3000}, true},
		{"total after the list", `{"list":[],"next":0,"total":0}`, nil, false},
		{"total not a count", `{"total":-1,"list":[]}`, nil, true},
		{"no list", `{"total":5,"next":0}`, nil, false},
	} {
		var told []int
		l := scheduleList{told: func(total int) { told = append(told, total) }}
		_, err := decodeEnvelope([]byte(`{"code":0,"response":`+tc.response+`}`), &l)
		if (err != nil) != tc.fails || !slices.Equal(told, tc.told) {
			t.Errorf("%s: told %v, err %v; want told %v, failing %v", tc.name, told, err, tc.told, tc.fails)
		}
	}
}
