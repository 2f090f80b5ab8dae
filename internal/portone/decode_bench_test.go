package portone

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/billingexporter/billing_exporter/internal/sandbox/portonesim"
)

// BenchmarkDecodeSchedules decodes one page of 1000 generated schedules
// as the range endpoint sends it (envelope and paged list), as a page read
// does, and reports the cost per schedule.
func BenchmarkDecodeSchedules(b *testing.B) {
	now := time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)
	list := portonesim.Generate(portonesim.GenerateOptions{Seed: 1, Now: now, Customers: 100, SchedulesPerCustomer: 10, Lookback: 28 * 24 * time.Hour, Lookahead: 58 * 24 * time.Hour})
	body, err := json.Marshal(map[string]any{"code": 0, "message": nil, "response": map[string]any{"total": 5000, "previous": 0, "next": 2, "list": list}})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var r scheduleList
		_, err := decodeEnvelope(body, &r)
		if err != nil || len(r.list) != len(list) {
			b.Fatalf("%d schedules, %v", len(r.list), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(list)), "ns/schedule")
}
