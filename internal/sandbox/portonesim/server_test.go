package portonesim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func jsonCreds(m Merchant) io.Reader {
	b, _ := json.Marshal(map[string]string{"imp_key": m.ImpKey, "imp_secret": m.ImpSecret})
	return strings.NewReader(string(b))
}

func TestRouting(t *testing.T) {
	f := start(t, Options{}, acme)
	tok := f.token(t, acme.ImpKey, acme.ImpSecret)
	for _, tc := range []struct {
		method, path string
		status       int
		allow, raw   string
	}{
		{"GET", "/payments/imp_1", 404, "", `{"code":-1,"message":"Not Found","response":null}`},
		{"GET", "/subscribe/customers/c1", 404, "", `{"code":-1,"message":"Not Found","response":null}`},
		{"POST", customerPath("c1"), 405, "GET", `{"code":-1,"message":"Method Not Allowed","response":null}`},
		{"DELETE", PathRangeSchedules, 405, "GET", `{"code":-1,"message":"Method Not Allowed","response":null}`},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, f.ts.URL+tc.path, nil)
			req.Header.Set("Authorization", tok)
			resp, err := f.ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || resp.Header.Get("Allow") != tc.allow || string(b) != tc.raw ||
				resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
				t.Errorf("got %d Allow=%q %s", resp.StatusCode, resp.Header.Get("Allow"), b)
			}
		})
	}
}

func TestCallsAndRequests(t *testing.T) {
	f := start(t, Options{}, acme)
	tok := f.token(t, acme.ImpKey, acme.ImpSecret)
	f.token(t, acme.ImpKey, acme.ImpSecret)
	f.get(t, tok, customerPath("c 1"), url.Values{"from": {"0"}, "to": {"1"}})
	f.get(t, tok, customerPath("c2"), url.Values{"from": {"x"}, "to": {"1"}})
	f.get(t, "", PathRangeSchedules, url.Values{"schedule_from": {"0"}})
	for path, n := range map[string]int{PathToken: 2, PathCustomerSchedules: 2, PathRangeSchedules: 1, "": 5, "/nope": 0} {
		if got := f.srv.Calls(path); got != n {
			t.Errorf("Calls(%q) = %d, want %d", path, got, n)
		}
	}
	want := []Request{
		{Time: t0, Method: "POST", Path: PathToken, Pattern: PathToken, Query: url.Values{}, Status: 200},
		{Time: t0, Method: "POST", Path: PathToken, Pattern: PathToken, Query: url.Values{}, Status: 200},
		{Time: t0, Method: "GET", Path: "/subscribe/customers/c 1/schedules", Pattern: PathCustomerSchedules, Query: url.Values{"from": {"0"}, "to": {"1"}}, Status: 200},
		{Time: t0, Method: "GET", Path: "/subscribe/customers/c2/schedules", Pattern: PathCustomerSchedules, Query: url.Values{"from": {"x"}, "to": {"1"}}, Status: 400},
		{Time: t0, Method: "GET", Path: PathRangeSchedules, Pattern: PathRangeSchedules, Query: url.Values{"schedule_from": {"0"}}, Status: 401},
	}
	if got := f.srv.Requests(); !reflect.DeepEqual(got, want) {
		t.Errorf("Requests() =\n%+v\nwant\n%+v", got, want)
	}
}

func TestConcurrentUse(t *testing.T) {
	f := start(t, Options{})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			m := Merchant{ImpKey: fmt.Sprintf("k%d", i), ImpSecret: "s", Schedules: hourly("c", 3)}
			f.srv.AddMerchant(m)
			f.srv.SetFault("x", "", Fault{Latency: 1})
			_ = f.srv.Requests()
			req, _ := http.NewRequest(http.MethodPost, f.ts.URL+PathToken, jsonCreds(m))
			r, err := f.fetch(req)
			var tok tokenResponse
			if err == nil {
				err = json.Unmarshal(r.Response, &tok)
			}
			if err != nil {
				t.Error(err)
				return
			}
			req, _ = http.NewRequest(http.MethodGet, f.ts.URL+customerPath("c")+"?"+dayRange().Encode(), nil)
			req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
			if r, err = f.fetch(req); err != nil || !strings.Contains(r.raw, `"total":3,`) {
				t.Errorf("merchant %s: %v %s", m.ImpKey, err, r.raw)
			}
		})
	}
	wg.Wait()
	if f.srv.TokensIssued() != 8 || f.srv.Calls("") != 16 {
		t.Errorf("issued %d, calls %d", f.srv.TokensIssued(), f.srv.Calls(""))
	}
}

func TestDefaultClock(t *testing.T) {
	s := New(Options{})
	s.AddMerchant(acme)
	f := &fixture{srv: s, ts: httptest.NewServer(s)}
	t.Cleanup(f.ts.Close)
	before := time.Now().Unix()
	_, exp := expiry(t, f.tokenJSON(t, acme.ImpKey, acme.ImpSecret))
	if after := time.Now().Unix(); exp < before+1800 || exp > after+1800 {
		t.Errorf("expired_at %d not 30 min after [%d, %d]", exp, before, after)
	}
}
