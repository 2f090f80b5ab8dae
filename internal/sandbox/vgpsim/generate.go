package vgpsim

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

var stores = []string{"Familymart", "GS25", "CU", "7-Eleven", "emart24", "Olive Young", "Paris Baguette", "Starbucks"}

// Generate returns n deterministic payment records from the 90 days before
// now, in no particular order (the API documents none). About one in six is
// "Canceled" and, for n >= 2, both statuses occur. Balance is the member's
// balance after the payment; a canceled payment leaves it unchanged. Amounts
// are multiples of 0.5 written like the sample ("10", "8.5").
func Generate(seed int64, n int, now time.Time) []Record {
	if n <= 0 {
		return []Record{}
	}
	r := rand.New(rand.NewPCG(uint64(seed), 0x7667705f73696d))
	ages := make([]int64, n) // seconds before now, oldest first after sorting
	for i := range ages {
		ages[i] = r.Int64N(90 * 24 * 3600)
	}
	slices.SortFunc(ages, func(a, b int64) int { return cmp.Compare(b, a) })

	canceled := make([]bool, n)
	for i := range canceled {
		canceled[i] = r.IntN(6) == 0
	}
	if n >= 2 && !slices.Contains(canceled, true) {
		canceled[r.IntN(n)] = true
	}
	if n >= 2 && !slices.Contains(canceled, false) {
		canceled[r.IntN(n)] = false
	}

	recs := make([]Record, n)
	balance := (200 + r.Int64N(800)) * 10 // in tenths
	for i := range recs {
		usage := (2 + r.Int64N(40)) * 5
		status := "Canceled"
		if !canceled[i] {
			status = "PAID"
			if usage > balance { // the member topped up before paying
				balance += 5000
			}
			balance -= usage
		}
		recs[i] = Record{
			Timestamp: time.Unix(now.Unix()-ages[i], 0),
			Balance:   tenths(balance),
			Usage:     tenths(usage),
			Status:    status,
			PID:       strconv.Itoa(700000000 + i*1000 + r.IntN(1000)),
			StoreInfo: stores[r.IntN(len(stores))],
		}
	}
	r.Shuffle(n, func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
	return recs
}

// tenths formats an amount given in tenths as a short decimal string.
func tenths(t int64) string {
	s := strconv.FormatInt(t/10, 10)
	if t%10 != 0 {
		s += "." + strconv.FormatInt(t%10, 10)
	}
	return s
}
