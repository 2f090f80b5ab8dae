package portonesim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var acme = Merchant{ImpKey: "imp_key_acme", ImpSecret: "secret-acme"}

func TestGetTokenBodies(t *testing.T) {
	for _, tc := range []struct{ name, contentType, body string }{
		{"json", "application/json", `{"imp_key":"imp_key_acme","imp_secret":"secret-acme"}`},
		{"json with charset", "application/json; charset=utf-8", `{"imp_key":"imp_key_acme","imp_secret":"secret-acme"}`},
		{"form", "application/x-www-form-urlencoded", url.Values{"imp_key": {"imp_key_acme"}, "imp_secret": {"secret-acme"}}.Encode()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := start(t, Options{}, acme)
			req, _ := http.NewRequest(http.MethodPost, f.ts.URL+PathToken, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", tc.contentType)
			r := f.do(t, req)
			if r.status != 200 || r.Code != 0 || r.Message != nil || !strings.Contains(r.raw, `"message":null`) {
				t.Fatalf("got %d %s", r.status, r.raw)
			}
			var tok tokenResponse
			if err := json.Unmarshal(r.Response, &tok); err != nil {
				t.Fatal(err)
			}
			if !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(tok.AccessToken) ||
				tok.Now != t0.Unix() || tok.ExpiredAt != t0.Add(30*time.Minute).Unix() {
				t.Errorf("token response %+v", tok)
			}
		})
	}
}

func TestGetTokenErrors(t *testing.T) {
	f := start(t, Options{}, acme)
	for _, tc := range []struct {
		name, method, contentType, body string
		status                          int
		want                            string
	}{
		{"wrong secret", "POST", "application/json", `{"imp_key":"imp_key_acme","imp_secret":"nope"}`,
			401, `{"code":-1,"message":"invalid imp_key or imp_secret","response":null}`},
		{"unknown key", "POST", "application/json", `{"imp_key":"other","imp_secret":"secret-acme"}`,
			401, `{"code":-1,"message":"invalid imp_key or imp_secret","response":null}`},
		{"missing secret", "POST", "application/json", `{"imp_key":"imp_key_acme"}`,
			401, `{"code":-1,"message":"imp_key and imp_secret are required","response":null}`},
		{"empty form", "POST", "application/x-www-form-urlencoded", ``,
			401, `{"code":-1,"message":"imp_key and imp_secret are required","response":null}`},
		{"malformed json", "POST", "application/json", `{"imp_key":`,
			400, `{"code":-1,"message":"invalid request body","response":null}`},
		{"wrong method", "GET", "", ``,
			405, `{"code":-1,"message":"Method Not Allowed","response":null}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, f.ts.URL+PathToken, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", tc.contentType)
			if r := f.do(t, req); r.status != tc.status || r.raw != tc.want {
				t.Errorf("got %d %s, want %d %s", r.status, r.raw, tc.status, tc.want)
			}
		})
	}
	if n := f.srv.TokensIssued(); n != 0 {
		t.Errorf("TokensIssued() = %d after failures", n)
	}
}

// expiry reads expired_at from a getToken answer.
func expiry(t *testing.T, r reply) (string, int64) {
	t.Helper()
	var tok tokenResponse
	if err := json.Unmarshal(r.Response, &tok); err != nil || r.status != 200 {
		t.Fatalf("getToken: %d %s", r.status, r.raw)
	}
	return tok.AccessToken, tok.ExpiredAt
}

func TestTokenReuseExtensionExpiry(t *testing.T) {
	f := start(t, Options{}, acme)
	probe := func(tok string) int {
		return f.get(t, tok, PathRangeSchedules, url.Values{"schedule_from": {"0"}, "schedule_to": {"1"}}).status
	}
	first, exp := expiry(t, f.tokenJSON(t, acme.ImpKey, acme.ImpSecret))

	f.clock.Set(t0.Add(10 * time.Minute))
	if tok, e := expiry(t, f.tokenJSON(t, acme.ImpKey, acme.ImpSecret)); tok != first || e != exp {
		t.Errorf("before expiry: got %s/%d, want the same token %s/%d", tok, e, first, exp)
	}

	f.clock.Set(t0.Add(29*time.Minute + 30*time.Second)) // 30 s left: extended by 5 min
	if tok, e := expiry(t, f.tokenJSON(t, acme.ImpKey, acme.ImpSecret)); tok != first || e != t0.Add(35*time.Minute).Unix() {
		t.Errorf("near expiry: got %s/%d, want %s extended to %d", tok, e, first, t0.Add(35*time.Minute).Unix())
	}
	f.clock.Set(t0.Add(34*time.Minute + 59*time.Second))
	if got := probe(first); got != 200 {
		t.Errorf("extended token just before expiry: %d", got)
	}

	f.clock.Set(t0.Add(35 * time.Minute))
	if got := probe(first); got != 401 {
		t.Errorf("expired token: %d, want 401", got)
	}
	second, e := expiry(t, f.tokenJSON(t, acme.ImpKey, acme.ImpSecret))
	if second == first || e != t0.Add(65*time.Minute).Unix() {
		t.Errorf("after expiry: got %s/%d, want a new token expiring at %d", second, e, t0.Add(65*time.Minute).Unix())
	}
	if probe(second) != 200 || probe(first) != 401 || f.srv.TokensIssued() != 2 {
		t.Errorf("new token: %d, old token: %d, issued %d", probe(second), probe(first), f.srv.TokensIssued())
	}
}

func TestTokenTTLOption(t *testing.T) {
	f := start(t, Options{TokenTTL: time.Hour}, acme)
	if _, e := expiry(t, f.tokenJSON(t, acme.ImpKey, acme.ImpSecret)); e != t0.Add(time.Hour).Unix() {
		t.Errorf("expired_at %d, want now+1h", e)
	}
}

func TestExpireTokens(t *testing.T) {
	other := Merchant{ImpKey: "imp_key_other", ImpSecret: "s2"}
	f := start(t, Options{}, acme, other)
	q := url.Values{"schedule_from": {"0"}, "schedule_to": {"1"}}
	a, b := f.token(t, acme.ImpKey, acme.ImpSecret), f.token(t, other.ImpKey, other.ImpSecret)
	f.srv.ExpireTokens()
	for _, tok := range []string{a, b} {
		if r := f.get(t, tok, PathRangeSchedules, q); r.status != 401 {
			t.Errorf("expired token answered %d", r.status)
		}
	}
	if fresh := f.token(t, acme.ImpKey, acme.ImpSecret); fresh == a || f.get(t, fresh, PathRangeSchedules, q).status != 200 {
		t.Error("getToken after ExpireTokens must issue a new, working token")
	}
	if f.srv.TokensIssued() != 3 {
		t.Errorf("TokensIssued() = %d, want 3", f.srv.TokensIssued())
	}
}

func TestTokenHeaders(t *testing.T) {
	f := start(t, Options{}, acme)
	tok := f.token(t, acme.ImpKey, acme.ImpSecret)
	const unauthorized = `{"code":-1,"message":"Unauthorized","response":null}`
	for _, tc := range []struct {
		name    string
		headers map[string]string
		status  int
	}{
		{"bearer", map[string]string{"Authorization": "Bearer " + tok}, 200},
		{"bearer lower case", map[string]string{"Authorization": "bearer " + tok}, 200},
		{"raw authorization", map[string]string{"Authorization": tok}, 200},
		{"X-ImpTokenHeader", map[string]string{"X-ImpTokenHeader": tok}, 200},
		{"stale authorization, good X-ImpTokenHeader", map[string]string{"Authorization": "old", "X-ImpTokenHeader": tok}, 200},
		{"no token", nil, 401},
		{"unknown token", map[string]string{"Authorization": "Bearer " + strings.Repeat("0", 40)}, 401},
		{"bearer alone", map[string]string{"Authorization": "Bearer "}, 401},
		{"token in wrong header", map[string]string{"X-Token": tok}, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, f.ts.URL+customerPath("c1")+"?from=0&to=1", nil)
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			r := f.do(t, req)
			if r.status != tc.status || (tc.status == 401 && r.raw != unauthorized) {
				t.Errorf("got %d %s, want %d", r.status, r.raw, tc.status)
			}
		})
	}
}
