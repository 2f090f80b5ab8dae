package portonesim

import (
	"net/url"
	"testing"
	"time"
)

// With ReuseResponses the same page of schedules gets the same bytes, for
// the same query or for a window that moved without changing which
// schedules are in it, and still counts; another page gets its own answer,
// and errors are not kept.
func TestReuseResponses(t *testing.T) {
	m := acme
	m.Schedules = hourly("c1", 45)
	f := start(t, Options{ReuseResponses: true}, m)
	tok := f.token(t, m.ImpKey, m.ImpSecret)
	q := dayRange()
	a := f.get(t, tok, customerPath("c1"), q)
	b := f.get(t, tok, customerPath("c1"), q)
	if a.status != 200 || a.raw != b.raw {
		t.Fatalf("status %d; second answer differs: %t", a.status, a.raw != b.raw)
	}
	q2 := url.Values{"from": q["from"], "to": q["to"], "page": {"2"}}
	if c := f.get(t, tok, customerPath("c1"), q2); c.raw == a.raw {
		t.Error("page 2 got page 1's answer")
	}
	moved := url.Values{"from": {unix(t0.Add(-72*time.Hour - time.Second))}, "to": {unix(t0.Add(time.Second))}}
	if c := f.get(t, tok, customerPath("c1"), moved); c.raw != a.raw {
		t.Error("a window with the same schedules got another answer")
	}
	bad := url.Values{"from": q["from"], "to": q["to"], "page": {"0"}}
	if r := f.get(t, tok, customerPath("c1"), bad); r.status != 400 {
		t.Errorf("page 0: status %d", r.status)
	}
	if n := len(f.srv.rendered); n != 2 {
		t.Errorf("%d answers kept, want 2 (pages 1 and 2)", n)
	}
	if n := f.srv.Calls(PathCustomerSchedules); n != 5 {
		t.Errorf("Calls = %d, want 5", n)
	}
}
