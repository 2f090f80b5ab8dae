package portonev2

import (
	"os"
	"strings"
	"testing"
)

// decodePage never panics, and what it accepts is complete: every schedule
// has its id, status, timeToPay and currency, and no personal data is kept.
func FuzzDecodePage(f *testing.F) {
	f.Add([]byte(`{"items":[],"page":{"number":0,"size":1000,"totalCount":0}}`))
	f.Add([]byte(`{"items":[{"id":"s1","status":"SCHEDULED","timeToPay":"2026-11-21T00:00:00Z","totalAmount":100,"currency":"KRW",` +
		`"customer":{"id":"c","name":{"full":"홍길동"},"email":"a@example.com","phoneNumber":"010-1234-5678"},"billingKey":"bk"}],"page":{"number":0,"size":1000,"totalCount":1}}`))
	f.Add([]byte(`{"items":[{"id":"s1","status":"PAUSED","timeToPay":"2026-11-21T00:00:00+09:00","totalAmount":"100","currency":"USD","completedAt":null}],"page":{}}`))
	f.Add([]byte(`{"type":"UNAUTHORIZED","message":"invalid"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodePage(body)
		if err != nil {
			return
		}
		for _, s := range p.items {
			if s.ID == "" || s.Status == "" || s.TimeToPay.IsZero() || s.Currency == "" {
				t.Fatalf("accepted %q as %+v", body, s)
			}
		}
	})
}

// The fuzz seeds hold personal data; the decoded schedule type has no
// field that could carry it.
func TestScheduleHasNoPersonalFields(t *testing.T) {
	src, err := os.ReadFile("client.go")
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	typ := s[strings.Index(s, "type Schedule struct {"):]
	typ = typ[:strings.Index(typ, "}")]
	for _, f := range []string{"Name", "Email", "Phone", "BillingKey"} {
		if strings.Contains(typ, f) {
			t.Errorf("Schedule has a %s field", f)
		}
	}
}
