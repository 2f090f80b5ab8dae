package vgp

import (
	"math"
	"os"
	"testing"
)

// FuzzDecode: no input panics, and a success never carries a value that
// did not parse (NaN, infinities) or a negative timestamp.
func FuzzDecode(f *testing.F) {
	seed, err := os.ReadFile("../sandbox/vgpsim/seed_response.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"status":3000,"response":[]}`))
	f.Add([]byte(`{"status":"3200","response":"Not Member"}`))
	f.Add([]byte(`{"status":"3000","response":[{"Timestamp":1,"VGPBalance":"1e3","VGPUsage":"-0.5"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		recs, err := Decode(body)
		if err != nil {
			return
		}
		for _, r := range recs {
			if math.IsNaN(r.Balance) || math.IsInf(r.Balance, 0) || math.IsNaN(r.Usage) || math.IsInf(r.Usage, 0) || r.Timestamp.Unix() < 0 {
				t.Fatalf("decoded %+v from %q", r, body)
			}
		}
	})
}
