package collector

import (
	"testing"
)

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
