package portone

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"reflect"
	"testing"
)

// agreeWithStd fails when a fast path accepts b (as an envelope, or as a
// list) but encoding/json refuses it or reads something else.
func agreeWithStd(t *testing.T, b []byte) {
	t.Helper()
	if env, ok := decodeEnvelopeFast(b); ok {
		want, err := decodeEnvelopeStd(b)
		if err != nil || !reflect.DeepEqual(env, want) {
			t.Fatalf("envelope %q: fast %+v, encoding/json %+v, %v", b, env, want, err)
		}
	}
	raw := bytes.TrimSpace(b)
	if len(raw) == 0 || string(raw) == "null" {
		return
	}
	if r, ok := decodeListFast(raw); ok {
		want, err := decodeListStd(raw)
		if err != nil || !reflect.DeepEqual(r, want) {
			t.Fatalf("list %q: fast %+v, encoding/json %+v, %v", raw, r, want, err)
		}
	}
}

// FuzzDecodeResponse runs a body through the envelope and list decoders as
// a page read does: no panic, a decoded schedule always has a status and
// finite amount, and the fast paths never accept what encoding/json
// refuses or reads otherwise.
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
		agreeWithStd(t, body)
		env, err := decodeEnvelope(body)
		if err != nil {
			return
		}
		agreeWithStd(t, env.Response)
		r, err := decodeList(json.RawMessage(env.Response))
		if err != nil {
			return
		}
		if r.total < 0 || r.next < 0 || r.previous < 0 {
			t.Fatalf("negative page numbers %+v", r)
		}
		for _, s := range r.list {
			if s.ScheduleStatus == "" || s.PaymentStatus == "" || math.IsNaN(s.Amount) || math.IsInf(s.Amount, 0) {
				t.Fatalf("decoded %+v", s)
			}
		}
	})
}
