package portone

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/billingexporter/billing_exporter/internal/sandbox/portonesim"
)

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
	} {
		r, err := decodeList(json.RawMessage(tc.raw))
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
	if r, err := decodeList(json.RawMessage(`null`)); err != nil || len(r.list) != 0 {
		t.Errorf("null: %v %v", r, err)
	}
}

// The vendor example writes timestamps as strings ("0"); amounts may be
// strings too; a missing currency is KRW.
func TestDecodeScheduleFlexible(t *testing.T) {
	s, err := decodeSchedule(json.RawMessage(`{"customer_uid":"string","schedule_at":"0","executed_at":"1700000000","amount":"12.5","schedule_status":"Executed","payment_status":"PAID"}`))
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
		{`{"merchant_uid":"m9"}`, `merchant_uid "m9" has no schedule_status`},
		{`[1]`, "malformed schedule"},
	} {
		if _, err := decodeSchedule(json.RawMessage(tc.raw)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.raw, err, tc.want)
		}
	}
	if _, err := decodeList(json.RawMessage(`{"total":"many","list":[]}`)); err == nil {
		t.Error("bad total accepted")
	}
	if _, err := decodeList(json.RawMessage(`"nothing"`)); err == nil || !strings.Contains(err.Error(), "neither a list nor a page") {
		t.Errorf("string response: %v", err)
	}
}

func TestDecodeEnvelope(t *testing.T) {
	env, err := decodeEnvelope([]byte(`{"code":1,"message":"등록된 고객정보가 없습니다.","response":null}`))
	if err != nil || env.Code != 1 || env.Message != "등록된 고객정보가 없습니다." {
		t.Errorf("%+v %v", env, err)
	}
	for _, body := range []string{`{"message":"x"}`, `{"code":"a"}`, `not json`} {
		if _, err := decodeEnvelope([]byte(body)); err == nil {
			t.Errorf("%s accepted", body)
		}
	}
}

// The fast paths read the API's own bodies - the vendor example and the
// fake's generated pages - and agree with encoding/json on them and on
// edge cases; where they give up, encoding/json decides.
func TestDecodeFastAgrees(t *testing.T) {
	item := `{"customer_uid":"c1","merchant_uid":"m\u0031","schedule_at":1767225600,"executed_at":"0","amount":9.5,"currency":null,"schedule_status":"scheduled","payment_status":null,"buyer_name":"홍길동","custom_data":"{\"a\":[1,2,{}]}"}`
	for _, tc := range []struct {
		body string
		fast bool
	}{
		{`{"code":0,"message":null,"response":{"total":3,"previous":0,"next":2,"list":[` + item + `,` + item + `]}}`, true},
		{` {"code":0,"response":[` + item + `],"extra":[true,false,null,-1.5e+3]} `, true},
		{`{"code":0,"response":{"total":null,"list":null}}`, true},
		{`{"code":0,"response":{"list":[{"customer_uid":"a","customer_uid":null,"schedule_status":"x"}]}}`, true},
		{`{"Code":0,"response":[]}`, false},
		{`{"code":"0","response":[]}`, false},
		{`{"code":0,"response":{"list":[],"list":[]}}`, false},
		{`{"code":0,"response":{"total":"5","list":[]}}`, false},
		{`{"code":0,"response":[{"schedule_status":"x","amount":"1,0"}]}`, false},
		{`{"code":0,"response":[{"schedule_status":"x"}]} x`, false},
		{`{"code":0,"response":[01]}`, false},
		{"{\"code\":0,\"response\":[{\"schedule_status\":\"a\x01\"}]}", false},
		{"{\"code\":0,\"response\":[{\"schedule_status\":\"\xff\"}]}", true}, // U+FFFD, as encoding/json reads it
		{seedBody(t), true},
		{generatedPage(t), true},
	} {
		agreeWithStd(t, []byte(tc.body))
		env, err := decodeEnvelope([]byte(tc.body))
		if err != nil {
			continue
		}
		agreeWithStd(t, env.Response)
		_, fastEnv := decodeEnvelopeFast([]byte(tc.body))
		raw := bytes.TrimSpace(env.Response)
		_, fastList := decodeListFast(raw)
		if got := fastEnv && fastList; got != tc.fast {
			t.Errorf("%s: fast paths taken: %t, want %t", tc.body, got, tc.fast)
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
