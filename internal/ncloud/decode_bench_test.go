package ncloud

import (
	"context"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/billingexporter/billing_exporter/internal/sandbox/ncloudsim"
)

// benchCredits is the size of the decoding benchmark: by default 50 pages
// of 1000, the size of the harness's paging scenario (go run ./bench);
// BILLING_BENCH_CREDITS changes it (the harness's -smoke makes it small).
func benchCredits(b *testing.B) int {
	b.Helper()
	if v := os.Getenv("BILLING_BENCH_CREDITS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("BILLING_BENCH_CREDITS=%q: want a positive number", v)
		}
		return n
	}
	return 50_000
}

// creditPages fetches every page of n generated credits from the fake in
// the given format, so that the benchmark times decoding only.
func creditPages(b *testing.B, format string, n int) [][]byte {
	b.Helper()
	data := ncloudsim.Generate(ncloudsim.GenerateOptions{
		Seed: 1, Now: time.Now(), Members: []string{"10000001", "10000002", "10000003"}, Credits: n,
	})
	return simPages(b, data, format, ActionCreditHistory, url.Values{}, n)
}

// simPages fetches the pages of rows rows of action (with q) from a fake
// serving data, in the given format.
func simPages(b *testing.B, data ncloudsim.Data, format, action string, q url.Values, rows int) [][]byte {
	b.Helper()
	sim := ncloudsim.New(ncloudsim.Options{})
	sim.AddAccount(ncloudsim.Account{AccessKey: ak, SecretKey: sk, Data: data})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	c, err := New(Options{Endpoint: srv.URL + "/billing/v1", AccessKey: ak, SecretKey: sk, Format: format})
	if err != nil {
		b.Fatal(err)
	}
	var pages [][]byte
	for p := 1; p <= (rows+pageSize-1)/pageSize; p++ {
		q.Set("pageNo", strconv.Itoa(p))
		q.Set("pageSize", strconv.Itoa(pageSize))
		body, _, err := c.get(context.Background(), action, q)
		if err != nil {
			b.Fatal(err)
		}
		pages = append(pages, body)
	}
	return pages
}

// BenchmarkDecodeCredits decodes every page of benchCredits credit records
// per iteration and reports the cost per record; the harness runs it and
// prints ns/record in its table. XML is encoding/xml, JSON
// github.com/go-json-experiment/json, each in one pass.
func BenchmarkDecodeCredits(b *testing.B) {
	records := benchCredits(b)
	for _, format := range []string{"xml", "json"} {
		b.Run(format, func(b *testing.B) {
			decodeEvery(b, ActionCreditHistory, creditList, creditPages(b, format, records), records, "ns/record")
		})
	}
}

// BenchmarkDecodeDemand decodes the demand pages of 50 members × 40
// products × 3 months, a tenth of the harness's partner account, and
// reports the cost per row.
func BenchmarkDecodeDemand(b *testing.B) {
	members := make([]string, 50)
	for i := range members {
		members[i] = strconv.Itoa(10000001 + i)
	}
	now := time.Now()
	data := ncloudsim.Generate(ncloudsim.GenerateOptions{Seed: 1, Now: now, Members: members, DemandProducts: 40, DemandMonths: 3})
	to := MonthOf(now)
	rows := len(members) * 40 * 3
	pages := simPages(b, data, "xml", ActionDemandCost, url.Values{"startMonth": {to.Add(-2).String()}, "endMonth": {to.String()}}, rows)
	decodeEvery(b, ActionDemandCost, demandList, pages, rows, "ns/row")
}

// decodeEvery decodes every page per iteration, requires rows rows, and
// reports the time per row as unit.
func decodeEvery[T any](b *testing.B, action string, l list[T], pages [][]byte, rows int, unit string) {
	size := 0
	for _, p := range pages {
		size += len(p)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, body := range pages {
			p, err := decodePage(action, l, body)
			if err != nil {
				b.Fatal(err)
			}
			n += len(p.items)
		}
		if n != rows {
			b.Fatalf("decoded %d rows, want %d", n, rows)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows), unit)
}
