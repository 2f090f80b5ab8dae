package portone

import (
	"math"
	"os"
	"testing"
)

// FuzzDecodeResponse runs a body through the envelope and list decoder as
// a page read does: no panic, and a decoded schedule always has a status
// and a finite amount.
func FuzzDecodeResponse(f *testing.F) {
	seed, err := os.ReadFile("../sandbox/portonesim/seed_schedules.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"code":0,"message":null,"response":{"total":3,"previous":0,"next":2,"list":[{"customer_uid":"c","schedule_at":1,"amount":"9.5","schedule_status":"scheduled","payment_status":null}]}}`))
	f.Add([]byte(`{"code":-1,"message":"Unauthorized","response":null}`))
	f.Add([]byte(`{"code":0,"response":{"access_token":"t","now":1,"expired_at":1801}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var l scheduleList
		env, err := decodeEnvelope(body, &l)
		if err != nil || env.Code != 0 {
			return
		}
		if l.total < 0 || l.next < 0 || l.previous < 0 {
			t.Fatalf("negative page numbers %+v", l)
		}
		for _, s := range l.list {
			if s.ScheduleStatus == "" || s.PaymentStatus == "" || math.IsNaN(s.Amount) || math.IsInf(s.Amount, 0) {
				t.Fatalf("decoded %+v", s)
			}
		}
	})
}
