package vgpsim

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Unix(1700000000, 0)

func TestBusinessErrors(t *testing.T) {
	s, ts := start(t)
	s.AddMember(Member{Email: "a@example.com", PhoneNumber: "821000000001", Records: []Record{}})
	s.AddMember(Member{Email: "noasset@example.com", PhoneNumber: "821000000002"})
	s.AddMember(Member{Email: "vroomgo@example.com", Callers: []string{"Vroomgo"}, Records: []Record{}})
	for _, tc := range []struct{ name, body, want string }{
		{"not JSON", `Email=a@example.com`, `{"status":"3400","response":"Unhandled Error"}`},
		{"empty body", ``, `{"status":"3400","response":"Unhandled Error"}`},
		{"JSON array", `[{"Email":"a@example.com","Caller":"Vroomgo"}]`, `{"status":"3400","response":"Unhandled Error"}`},
		{"JSON null", `null`, `{"status":"3400","response":"Unhandled Error"}`},
		{"trailing garbage", `{"Email":"a@example.com","Caller":"Vroomgo"} x`, `{"status":"3400","response":"Unhandled Error"}`},
		{"phone as number", `{"PhoneNumber":821000000001,"Caller":"Vroomgo"}`, `{"status":"3400","response":"Unhandled Error"}`},
		{"neither email nor phone", `{"Caller":"Vroomgo"}`, `{"status":"3400","response":"Unhandled Error"}`},
		{"both empty", `{"Email":"","PhoneNumber":"","Caller":"Vroomgo"}`, `{"status":"3400","response":"Unhandled Error"}`},
		{"keys in wrong case", `{"email":"a@example.com","Caller":"Vroomgo"}`, `{"status":"3400","response":"Unhandled Error"}`},
		{"old MobileNumber name", `{"MobileNumber":"821000000001","Caller":"Vroomgo"}`, `{"status":"3400","response":"Unhandled Error"}`},
		{"missing caller", `{"Email":"a@example.com"}`, `{"status":"3100","response":"Wrong Caller"}`},
		{"null caller", `{"Email":"a@example.com","Caller":null}`, `{"status":"3100","response":"Wrong Caller"}`},
		{"unknown caller", `{"Email":"a@example.com","Caller":"Other"}`, `{"status":"3100","response":"Wrong Caller"}`},
		{"caller not accepted for member", `{"Email":"vroomgo@example.com","Caller":"Genohub"}`, `{"status":"3100","response":"Wrong Caller"}`},
		{"unknown member", `{"Email":"b@example.com","Caller":"Vroomgo"}`, `{"status":"3200","response":"Not Member"}`},
		{"unknown phone", `{"PhoneNumber":"821099999999","Caller":"Genohub"}`, `{"status":"3200","response":"Not Member"}`},
		{"no asset information", `{"PhoneNumber":"821000000002","Caller":"Vroomgo"}`, `{"status":"3300","response":"No Asset Information"}`},
		{"empty history", `{"PhoneNumber":"821000000001","Caller":"Genohub"}`, `{"status":"3000","response":[]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, got := post(t, ts, tc.body)
			if code != http.StatusOK || got != tc.want {
				t.Errorf("got %d %s, want 200 %s", code, got, tc.want)
			}
		})
	}
}

func TestSuccessRendering(t *testing.T) {
	rec := Record{Timestamp: t0, Balance: "91.5", Usage: "8.5", Status: "PAID", PID: "42", StoreInfo: "GS25"}
	item := `{"Timestamp":"1700000000","VGPBalance":"91.5","PhoneNumber":"+821012345678","VGPUsage":"8.5",` +
		`"Caller":"Genohub","Status":"PAID","PID":"42","StoreInfo":"GS25","Email":"kim@example.com"}`
	for _, tc := range []struct {
		name string
		m    Member
		want string
	}{
		{"string status", Member{Email: "kim@example.com", PhoneNumber: "821012345678", Records: []Record{rec}},
			`{"status":"3000","response":[` + item + `]}`},
		{"numeric status", Member{Email: "kim@example.com", PhoneNumber: "+821012345678", Records: []Record{rec}, NumericStatus: true},
			`{"status":3000,"response":[` + item + `]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, ts := start(t)
			s.AddMember(tc.m)
			code, got := post(t, ts, `{"PhoneNumber":"821012345678","Caller":"Genohub"}`)
			if code != 200 || got != tc.want {
				t.Errorf("got %d %s\nwant %s", code, got, tc.want)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	s, ts := start(t)
	s.AddMember(Member{Email: "old@example.com", PhoneNumber: "+821011112222", Records: []Record{{Timestamp: t0, PID: "old"}}})
	s.AddMember(Member{Email: "new@example.com", PhoneNumber: "821033334444", Records: []Record{{Timestamp: t0, PID: "new"}}})
	s.AddMember(Member{Email: "newer@example.com", PhoneNumber: "821033334444", Records: []Record{{Timestamp: t0, PID: "newer"}}})
	for _, tc := range []struct{ name, body, pid string }{
		{"phone stored with plus", `{"PhoneNumber":"821011112222","Caller":"Vroomgo"}`, "old"},
		{"email only", `{"Email":"old@example.com","Caller":"Vroomgo"}`, "old"},
		{"email matches, phone unknown", `{"Email":"old@example.com","PhoneNumber":"820000000000","Caller":"Vroomgo"}`, "old"},
		{"later member wins", `{"PhoneNumber":"821033334444","Caller":"Vroomgo"}`, "newer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, got := post(t, ts, tc.body)
			if !strings.Contains(got, `"PID":"`+tc.pid+`"`) {
				t.Errorf("got %s, want PID %s", got, tc.pid)
			}
		})
	}
	if _, got := post(t, ts, `{"Email":"OLD@example.com","Caller":"Vroomgo"}`); !strings.Contains(got, "3200") {
		t.Errorf("emails compare exactly: got %s", got)
	}
}

func TestRouting(t *testing.T) {
	_, ts := start(t)
	for _, tc := range []struct {
		method, path string
		code         int
		allow        string
	}{
		{http.MethodGet, Path, http.StatusMethodNotAllowed, "POST"},
		{http.MethodPut, Path, http.StatusMethodNotAllowed, "POST"},
		{http.MethodPost, "/CheckBalanceForThirdParty", http.StatusNotFound, ""},
		{http.MethodPost, Path + "/", http.StatusNotFound, ""},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			resp := do(t, ts, tc.method, tc.path)
			if resp.StatusCode != tc.code || resp.Header.Get("Allow") != tc.allow {
				t.Errorf("got %d Allow=%q, want %d Allow=%q", resp.StatusCode, resp.Header.Get("Allow"), tc.code, tc.allow)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

func TestRequestsRecorded(t *testing.T) {
	s, ts := start(t)
	s.AddMember(SeedMember())
	before := time.Now()
	post(t, ts, `{"Email":"rlackstjdsla@naver.com","PhoneNumber":"821041139274","Caller":"Vroomgo"}`)
	post(t, ts, `{"Email":"x@example.com","Caller":"Nope"}`)
	do(t, ts, http.MethodGet, "/elsewhere")
	if s.Calls() != 3 {
		t.Fatalf("Calls() = %d, want 3", s.Calls())
	}
	reqs := s.Requests()
	want := []Request{
		{Method: "POST", Path: Path, Email: "rlackstjdsla@naver.com", PhoneNumber: "821041139274", Caller: "Vroomgo", Status: "3000"},
		{Method: "POST", Path: Path, Email: "x@example.com", Caller: "Nope", Status: "3200"},
		{Method: "GET", Path: "/elsewhere"},
	}
	for i, w := range want {
		got := reqs[i]
		if got.Time.Before(before) || got.Time.After(time.Now()) {
			t.Errorf("request %d time %v out of range", i, got.Time)
		}
		got.Time = time.Time{}
		if got != w {
			t.Errorf("request %d = %+v, want %+v", i, got, w)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	s, ts := start(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			phone := fmt.Sprintf("8210%08d", i)
			s.AddMember(Member{PhoneNumber: phone, Records: Generate(int64(i), 3, t0)})
			s.SetFault("other", Fault{Latency: time.Millisecond})
			_ = s.Requests()
			resp, err := ts.Client().Post(ts.URL+Path, "application/json", strings.NewReader(`{"PhoneNumber":"`+phone+`","Caller":"Vroomgo"}`))
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			if b, _ := io.ReadAll(resp.Body); !strings.HasPrefix(string(b), `{"status":"3000","response":[{`) {
				t.Errorf("member %s: %s", phone, b)
			}
		})
	}
	wg.Wait()
	if s.Calls() != 8 {
		t.Errorf("Calls() = %d, want 8", s.Calls())
	}
}
