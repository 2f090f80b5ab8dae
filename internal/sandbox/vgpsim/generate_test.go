package vgpsim

import (
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestGenerate(t *testing.T) {
	recs := Generate(7, 60, t0)
	if len(recs) != 60 {
		t.Fatalf("got %d records", len(recs))
	}
	if !reflect.DeepEqual(recs, Generate(7, 60, t0)) {
		t.Error("not deterministic")
	}
	if reflect.DeepEqual(recs, Generate(8, 60, t0)) {
		t.Error("seed ignored")
	}
	statuses := map[string]int{}
	pids := map[string]bool{}
	for _, r := range recs {
		statuses[r.Status]++
		if pids[r.PID] {
			t.Errorf("duplicate PID %s", r.PID)
		}
		pids[r.PID] = true
		if r.Timestamp.After(t0) || r.Timestamp.Before(t0.Add(-90*24*time.Hour)) {
			t.Errorf("timestamp %v outside the last 90 days", r.Timestamp)
		}
		for _, v := range []string{r.Balance, r.Usage} {
			if f, err := strconv.ParseFloat(v, 64); err != nil || f < 0 || strconv.FormatFloat(f, 'f', -1, 64) != v {
				t.Errorf("amount %q is not a short non-negative decimal", v)
			}
		}
		if r.StoreInfo == "" {
			t.Error("empty StoreInfo")
		}
	}
	if statuses["PAID"] == 0 || statuses["Canceled"] == 0 || len(statuses) != 2 {
		t.Errorf("statuses %v, want PAID and Canceled only", statuses)
	}
	oldest := func(a, b Record) int { return a.Timestamp.Compare(b.Timestamp) }
	newest := func(a, b Record) int { return b.Timestamp.Compare(a.Timestamp) }
	if slices.IsSortedFunc(recs, oldest) || slices.IsSortedFunc(recs, newest) {
		t.Error("records should come unsorted")
	}
}

func TestGenerateSmall(t *testing.T) {
	if got := Generate(1, 0, t0); got == nil || len(got) != 0 {
		t.Errorf("n=0: %v", got)
	}
	for seed := range int64(20) {
		recs := Generate(seed, 2, t0)
		if recs[0].Status == recs[1].Status {
			t.Errorf("seed %d: both records %s", seed, recs[0].Status)
		}
	}
}
