package vgpsim

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestFaults(t *testing.T) {
	s, ts := start(t)
	s.AddMember(Member{Email: "a@example.com", PhoneNumber: "821000000001", Records: []Record{}})
	s.AddMember(Member{Email: "b@example.com", PhoneNumber: "821000000002", Records: []Record{}})
	const a, b = `{"PhoneNumber":"821000000001","Caller":"Vroomgo"}`, `{"Email":"b@example.com","Caller":"Vroomgo"}`
	ok := `{"status":"3000","response":[]}`

	s.SetFault("+821000000001", Fault{Status: http.StatusBadGateway, Body: `{"message": "Internal server error"}`})
	if code, got := post(t, ts, a); code != 502 || got != `{"message": "Internal server error"}` {
		t.Errorf("keyed by phone: got %d %s", code, got)
	}
	if _, got := post(t, ts, b); got != ok {
		t.Errorf("other member affected: %s", got)
	}

	s.SetFault("", Fault{Body: "not json"})
	if code, got := post(t, ts, b); code != 200 || got != "not json" {
		t.Errorf("global fault: got %d %s", code, got)
	}
	if code, _ := post(t, ts, a); code != 502 {
		t.Errorf("keyed fault should win over global, got %d", code)
	}
	if code, got := post(t, ts, `garbage`); code != 200 || got != "not json" {
		t.Errorf("global fault on undecodable body: got %d %s", code, got)
	}

	s.SetFault("", Fault{})
	s.SetFault("821000000001", Fault{})
	if _, got := post(t, ts, a); got != ok {
		t.Errorf("after clearing: %s", got)
	}

	s.SetFault("b@example.com", Fault{Latency: 100 * time.Millisecond})
	start := time.Now()
	if _, got := post(t, ts, b); got != ok || time.Since(start) < 100*time.Millisecond {
		t.Errorf("latency: got %s after %v", got, time.Since(start))
	}
	if s.Requests()[len(s.Requests())-1].Status != "3000" {
		t.Error("a latency-only fault must still answer normally")
	}
}

func TestFaultsEndWithClient(t *testing.T) {
	for name, f := range map[string]Fault{
		"hang":         {Hang: true},
		"long latency": {Latency: time.Hour},
	} {
		t.Run(name, func(t *testing.T) {
			s, ts := start(t)
			s.SetFault("", f)
			ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+Path, strings.NewReader(`{"Email":"a@example.com","Caller":"Vroomgo"}`))
			_, err := ts.Client().Do(req)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("got %v, want deadline exceeded", err)
			}
			if s.Calls() != 1 {
				t.Errorf("Calls() = %d, want 1", s.Calls())
			}
			// ts.Close in Cleanup blocks until the handler returned.
		})
	}
}

func TestFaultsForSomeRequests(t *testing.T) {
	s, ts := start(t)
	s.AddMember(Member{Email: "a@example.com", Records: []Record{}})
	const a = `{"Email":"a@example.com","Caller":"Vroomgo"}`
	s.SetFault("a@example.com", Fault{Status: http.StatusTooManyRequests, Body: `{"message":"Too Many Requests"}`, RetryAfter: "3", Times: 1})
	resp, err := ts.Client().Post(ts.URL+Path, "application/json", strings.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "3" || resp.Header.Get("Content-Type") != "application/json;charset=UTF-8" {
		t.Errorf("got %d, Retry-After %q, Content-Type %q", resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"))
	}
	if code, got := post(t, ts, a); code != 200 || got != `{"status":"3000","response":[]}` {
		t.Errorf("after the one faulted request: %d %s", code, got)
	}

	// A POST is not retried by the Transport: the client sees the reset.
	s.SetFault("", Fault{Reset: true, Times: 1})
	if resp, err := ts.Client().Post(ts.URL+Path, "application/json", strings.NewReader(a)); err == nil {
		resp.Body.Close()
		t.Fatalf("reset: got %d, want no answer", resp.StatusCode)
	}
	if code, _ := post(t, ts, a); code != 200 {
		t.Errorf("after the reset: %d", code)
	}
	if st := s.Requests(); len(st) != 4 || st[0].Status != "" || st[1].Status != StatusOK || st[2].Status != "" || st[3].Status != StatusOK {
		t.Errorf("requests %+v", st)
	}
}
