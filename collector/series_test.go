package collector

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

// Label values that differ only in invalid UTF-8 become one series, not
// two identical ones that would fail the scrape.
func TestSeriesMergeAfterUTF8Repair(t *testing.T) {
	set := newSeriesSet()
	set.add(vgpPaymentsDesc, 1, "acct", "caller\xff", "paid")
	set.add(vgpPaymentsDesc, 2, "acct", "caller\xfe", "paid")
	if l := set.list(); len(l) != 1 || l[0].value != 3 || l[0].labels[1] != "caller\uFFFD" {
		t.Fatalf("series %+v", l)
	}
}

var orderDesc = newDesc("test", "order", "Series order.", "zeta", "beta")

// A family is sorted by one key a series; the order must stay the
// registry's (label values compared one by one in label name order) for
// values that are prefixes of others, empty, multi-byte, or hold a zero
// byte, which makes a family sort value by value instead.
func TestSeriesOrderMatchesRegistry(t *testing.T) {
	values := []string{"", "a", "ab", "a b", "b", "é", "z", "\uFFFD", "aa"}
	for _, withZero := range []bool{false, true} {
		t.Run(fmt.Sprintf("zero_byte=%t", withZero), func(t *testing.T) {
			vs, accounts := values, []string{"x"}
			if withZero {
				vs = append(slices.Clone(values), "\x00", "a\x00", "a\x00b")
				accounts = append(accounts, "x\x00")
			}
			type row struct{ account, zeta, beta string }
			var rows []row
			for _, account := range accounts {
				for _, zeta := range vs {
					for _, beta := range vs {
						rows = append(rows, row{account, zeta, beta})
					}
				}
			}
			rand.New(rand.NewPCG(1, 2)).Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
			set := newSeriesSet()
			var consts []prometheus.Metric
			for i, r := range rows {
				set.add(orderDesc, float64(i), r.account, r.zeta, r.beta)
				consts = append(consts, prometheus.MustNewConstMetric(orderDesc, prometheus.GaugeValue, float64(i), r.account, r.zeta, r.beta))
			}
			for _, x := range set.list() {
				if want := !strings.Contains(strings.Join(x.labels, ""), "\x00"); x.sortable() != want {
					t.Fatalf("series %q: sortable %t", x.labels, !want)
				}
			}
			ms, err := set.metrics()
			if err != nil {
				t.Fatal(err)
			}
			r, err := render(ms, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			got.Write(r.blocks[0].header.text)
			seg, err := r.blocks[0].segment(formatText)
			if err != nil {
				t.Fatal(err)
			}
			if err := inflate(&got, seg); err != nil {
				t.Fatal(err)
			}

			reg := prometheus.NewPedanticRegistry()
			reg.MustRegister(metricList{orderDesc, consts})
			mfs, err := reg.Gather()
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if _, err := expfmt.MetricFamilyToText(&want, mfs[0]); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("%d series: order differs from the registry's; first difference: %s", len(rows), firstDiff(got.Bytes(), want.Bytes()))
			}
		})
	}
}

// Keys whose hashes collide are still told apart: with every key hashing
// alike, series merge exactly as they do otherwise.
func TestSeriesKeyHashCollisions(t *testing.T) {
	build := func() []*series {
		set := newSeriesSet()
		for i := range 300 {
			set.add(orderDesc, 1, "a", strconv.Itoa(i%100), "b")
			set.max(orderDesc, float64(i), "a", strconv.Itoa(i%100), "c")
		}
		return set.list()
	}
	want := build()
	defer func(h func([]byte) uint64) { keyHash = h }(keyHash)
	keyHash = func([]byte) uint64 { return 42 }
	got := build()
	if len(want) != 200 || len(got) != len(want) {
		t.Fatalf("%d series with distinct hashes, %d with one hash; want 200", len(want), len(got))
	}
	for i := range want {
		if got[i].key != want[i].key || got[i].value != want[i].value {
			t.Errorf("series %d: %q = %v with one hash, %q = %v without", i, got[i].key, got[i].value, want[i].key, want[i].value)
		}
	}
}
