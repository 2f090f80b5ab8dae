package portonesim

import (
	"reflect"
	"testing"
	"time"
	"unicode/utf8"
)

func TestGenerate(t *testing.T) {
	opts := GenerateOptions{Seed: 42, Now: t0, Customers: 30, SchedulesPerCustomer: 6, Lookback: 60 * 24 * time.Hour, Lookahead: 30 * 24 * time.Hour}
	got := Generate(opts)
	if len(got) != 180 {
		t.Fatalf("got %d schedules, want 180", len(got))
	}
	if !reflect.DeepEqual(got, Generate(opts)) {
		t.Error("not deterministic")
	}
	opts.Seed++
	if reflect.DeepEqual(got, Generate(opts)) {
		t.Error("seed ignored")
	}

	now, lo, hi := t0.Unix(), t0.Add(-60*24*time.Hour).Unix(), t0.Add(30*24*time.Hour).Unix()
	combos, currencies, customers, merchantUIDs := map[string]int{}, map[string]int{}, map[string]bool{}, map[string]bool{}
	for _, s := range got {
		ps := "null"
		if s.PaymentStatus != nil {
			ps = *s.PaymentStatus
		}
		combos[s.ScheduleStatus+"/"+ps]++
		currencies[s.Currency]++
		customers[s.CustomerUID] = true
		if merchantUIDs[s.MerchantUID] {
			t.Errorf("duplicate merchant_uid %s", s.MerchantUID)
		}
		merchantUIDs[s.MerchantUID] = true
		if s.ScheduleAt < lo || s.ScheduleAt > hi {
			t.Errorf("%s: schedule_at %d outside [%d, %d]", s.MerchantUID, s.ScheduleAt, lo, hi)
		}
		executed := s.ScheduleStatus == StatusExecuted
		if executed != (s.ImpUID != nil) || executed != (s.PaymentStatus != nil) || executed != (s.ExecutedAt > 0) ||
			(s.ScheduleStatus == StatusRevoked) != (s.RevokedAt > 0) || (ps == PaymentFailed) != (s.FailReason != "") {
			t.Errorf("inconsistent schedule %+v", s)
		}
		if s.ExecutedAt > now || s.RevokedAt > now || (executed && s.ScheduleAt > now) {
			t.Errorf("%s happened in the future", s.MerchantUID)
		}
		for _, f := range []struct {
			v   string
			max int
		}{{s.MerchantUID, 40}, {s.Name, 40}, {s.BuyerName, 16}, {s.BuyerEmail, 64}, {s.BuyerTel, 16}, {s.BuyerAddr, 128}, {s.BuyerPostcode, 8}} {
			if n := utf8.RuneCountInString(f.v); n == 0 || n > f.max {
				t.Errorf("field %q has %d characters, want 1..%d", f.v, n, f.max)
			}
		}
		if s.ImpUID != nil && len(*s.ImpUID) > 32 {
			t.Errorf("imp_uid %s too long", *s.ImpUID)
		}
		if s.CustomerID == "" || s.PGProvider == "" || s.PGID == "" || s.CustomData == "" || s.Amount <= 0 {
			t.Errorf("missing fields in %+v", s)
		}
	}
	for _, c := range []string{"scheduled/null", "executed/paid", "executed/failed", "executed/cancelled", "revoked/null"} {
		if combos[c] == 0 {
			t.Errorf("no %s schedule; got %v", c, combos)
		}
	}
	if len(combos) != 5 || currencies["KRW"] == 0 || currencies["USD"] == 0 || len(currencies) != 2 || len(customers) != 30 {
		t.Errorf("combos %v, currencies %v, %d customers", combos, currencies, len(customers))
	}
}

func TestGenerateCoversEveryStatusFromFive(t *testing.T) {
	got := Generate(GenerateOptions{Seed: 1, Now: t0, Customers: 1, SchedulesPerCustomer: 5, Lookback: time.Hour, Lookahead: time.Hour})
	seen := map[string]bool{}
	for _, s := range got {
		ps := "null"
		if s.PaymentStatus != nil {
			ps = *s.PaymentStatus
		}
		seen[s.ScheduleStatus+"/"+ps] = true
	}
	if len(seen) != 5 {
		t.Errorf("got %v, want all five outcomes", seen)
	}
	if g := Generate(GenerateOptions{Now: t0}); g == nil || len(g) != 0 {
		t.Errorf("no customers: %v", g)
	}
}
