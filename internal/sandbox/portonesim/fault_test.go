package portonesim

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"
)

func TestFaultsAfterAuth(t *testing.T) {
	other := Merchant{ImpKey: "imp_key_other", ImpSecret: "s2"}
	f := start(t, Options{}, acme, other)
	tokA, tokB := f.token(t, acme.ImpKey, acme.ImpSecret), f.token(t, other.ImpKey, other.ImpSecret)
	rangeQ := url.Values{"schedule_from": {"0"}, "schedule_to": {"1"}}

	f.srv.SetFault("", "", Fault{Status: 503, Body: `{"code":-1,"message":"busy","response":null}`})
	f.srv.SetFault(acme.ImpKey, PathCustomerSchedules, Fault{Status: 500, Body: "boom"})
	for _, tc := range []struct {
		name, tok, path string
		q               url.Values
		status          int
		raw             string
	}{
		{"no token is still 401", "", PathRangeSchedules, rangeQ, 401, `{"code":-1,"message":"Unauthorized","response":null}`},
		{"merchant and path", tokA, customerPath("c1"), url.Values{"from": {"0"}, "to": {"1"}}, 500, "boom"},
		{"global for another path", tokA, PathRangeSchedules, rangeQ, 503, `{"code":-1,"message":"busy","response":null}`},
		{"global for another merchant", tokB, customerPath("c1"), url.Values{"from": {"0"}, "to": {"1"}}, 503, `{"code":-1,"message":"busy","response":null}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, f.ts.URL+tc.path+"?"+tc.q.Encode(), nil)
			req.Header.Set("Authorization", "Bearer "+tc.tok)
			resp, err := f.ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body := make([]byte, 512)
			n, _ := resp.Body.Read(body)
			if resp.StatusCode != tc.status || string(body[:n]) != tc.raw {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body[:n], tc.status, tc.raw)
			}
		})
	}

	f.srv.SetFault("", "", Fault{})
	f.srv.SetFault(acme.ImpKey, PathCustomerSchedules, Fault{})
	if r := f.get(t, tokA, PathRangeSchedules, rangeQ); r.status != 200 {
		t.Errorf("after clearing: %d %s", r.status, r.raw)
	}
}

func TestTokenFault(t *testing.T) {
	f := start(t, Options{}, acme)
	f.srv.SetFault(acme.ImpKey, PathToken, Fault{Status: 502})
	if r := f.tokenJSON(t, acme.ImpKey, "wrong"); r.status != 401 {
		t.Errorf("bad credentials with a fault: %d, want 401", r.status)
	}
	resp, err := f.ts.Client().Post(f.ts.URL+PathToken, "application/json", jsonCreds(acme))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway || f.srv.TokensIssued() != 0 {
		t.Errorf("got %d with %d tokens issued, want 502 and none", resp.StatusCode, f.srv.TokensIssued())
	}
	f.srv.SetFault(acme.ImpKey, PathToken, Fault{Latency: 50 * time.Millisecond})
	begin := time.Now()
	if f.token(t, acme.ImpKey, acme.ImpSecret) == "" || time.Since(begin) < 50*time.Millisecond {
		t.Errorf("latency fault: answered after %v", time.Since(begin))
	}
}

func TestFaultsEndWithClient(t *testing.T) {
	for name, fault := range map[string]Fault{"hang": {Hang: true}, "long latency": {Latency: time.Hour}} {
		t.Run(name, func(t *testing.T) {
			f := start(t, Options{}, acme)
			tok := f.token(t, acme.ImpKey, acme.ImpSecret)
			f.srv.SetFault(acme.ImpKey, "", fault)
			ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.ts.URL+PathRangeSchedules+"?schedule_from=0&schedule_to=1", nil)
			req.Header.Set("X-ImpTokenHeader", tok)
			if _, err := f.ts.Client().Do(req); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("got %v, want deadline exceeded", err)
			}
			if f.srv.Calls(PathRangeSchedules) != 1 {
				t.Errorf("Calls = %d, want 1", f.srv.Calls(PathRangeSchedules))
			}
		})
	}
}

func TestFaultsCutConnection(t *testing.T) {
	f := start(t, Options{}, acme)
	tok := f.token(t, acme.ImpKey, acme.ImpSecret)
	client := f.ts.Client() // a new connection each time: no retries by the Transport
	tr := client.Transport.(*http.Transport).Clone()
	tr.DisableKeepAlives = true
	client.Transport = tr
	get := func() (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodGet, f.ts.URL+PathRangeSchedules+"?schedule_from=0&schedule_to=1", nil)
		req.Header.Set("Authorization", tok)
		return client.Do(req)
	}

	f.srv.SetFault(acme.ImpKey, PathRangeSchedules, Fault{Reset: true, Times: 1})
	if resp, err := get(); err == nil {
		resp.Body.Close()
		t.Fatalf("reset: got %d, want no answer", resp.StatusCode)
	}
	const cut = `{"code":0,"message":null,"response":[`
	f.srv.SetFault(acme.ImpKey, PathRangeSchedules, Fault{Body: cut, Truncate: true, Times: 1})
	resp, err := get()
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, io.ErrUnexpectedEOF) || string(b) != cut {
		t.Errorf("truncate: read %q, %v", b, err)
	}
	if r := f.get(t, tok, PathRangeSchedules, url.Values{"schedule_from": {"0"}, "schedule_to": {"1"}}); r.status != 200 || r.Code != 0 {
		t.Errorf("after the faults were used up: %d %s", r.status, r.raw)
	}

	reqs := f.srv.Requests()
	var got []int
	for _, r := range reqs[len(reqs)-3:] {
		got = append(got, r.Status)
	}
	if !slices.Equal(got, []int{0, 200, 200}) {
		t.Errorf("statuses %v, want 0 for the reset, 200 for the cut answer, then 200", got)
	}
}
