package collector

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	dto "github.com/prometheus/client_model/go"
)

// metrics() hands the registry each family already in the order it sorts
// them (label values compared with the labels in name order), whatever the
// order the series were added in; series of different descriptors stay
// grouped in first-seen order.
func TestSeriesInScrapeOrder(t *testing.T) {
	set := newSeriesSet()
	r := rand.New(rand.NewPCG(1, 2))
	for _, i := range r.Perm(300) {
		n := strconv.Itoa(i)
		// creditLabels put member_no before credit_name; names sort the other way.
		set.add(creditRemainingDesc, 1, "acct", "m"+strconv.Itoa(i%7), n, "credit-"+n, "FCHG", "KRW")
		set.add(creditExpiryDesc, 2, "acct", "m"+strconv.Itoa(i%7), n)
	}
	ms, err := set.metrics()
	if err != nil {
		t.Fatal(err)
	}
	values := func(i int) []string {
		var m dto.Metric
		if err := ms[i].Write(&m); err != nil {
			t.Fatal(err)
		}
		var vs []string
		for _, lp := range m.Label { // sorted by name, as the registry sees them
			vs = append(vs, lp.GetValue())
		}
		return vs
	}
	for i := 1; i < len(ms); i++ {
		if ms[i].Desc() != ms[i-1].Desc() {
			continue
		}
		if a, b := values(i-1), values(i); slices.Compare(a, b) >= 0 {
			t.Fatalf("series %d and %d out of order: %q >= %q", i-1, i, a, b)
		}
	}
	if len(ms) != 600 || ms[0].Desc() != creditRemainingDesc || ms[300].Desc() != creditExpiryDesc {
		t.Fatalf("%d series; not grouped by descriptor in first-seen order", len(ms))
	}
}

// Label values that differ only in invalid UTF-8 become one series, not
// two identical ones that would fail the scrape.
func TestSeriesMergeAfterUTF8Repair(t *testing.T) {
	set := newSeriesSet()
	set.add(vgpPaymentsDesc, 1, "acct", "caller\xff", "paid")
	set.add(vgpPaymentsDesc, 2, "acct", "caller\xfe", "paid")
	if len(set.series) != 1 || set.series[0].value != 3 || set.series[0].labels[1] != "caller\uFFFD" {
		t.Fatalf("series %+v", set.series)
	}
}
