package collector

import (
	"context"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/common/promslog"

	"github.com/billingexporter/billing_exporter/internal/ncloud"
	"github.com/billingexporter/billing_exporter/internal/sandbox/ncloudsim"
)

// BenchmarkRenderSmall renders the refresh of a small account (a few
// dozen series), the cost every refresh of the parallelism scenario pays.
func BenchmarkRenderSmall(b *testing.B) {
	c := &setCollector{account: "a", n: 12}
	b.ReportAllocs()
	for b.Loop() {
		ms, err := c.Update(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := render(ms, nil, formatOpenMetrics.set()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderLarge renders a refresh of 100,000 series in one family
// and 33,334 in another, the tail of a large refresh after its last page:
// its wall time per op is what the refresh waits for.
func BenchmarkRenderLarge(b *testing.B) {
	c := &setCollector{account: "a", n: 100_000}
	ms, err := c.Update(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := render(ms, nil, formatOpenMetrics.set()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPartnerRefresh reads the demand of an NCP partner account (500
// members × 40 products × 3 months, 60 pages of XML) from the fake without
// latency, and reports the two parts of the refresh apart: reading the
// pages into series (update-ms) and rendering them (render-ms), the part
// that follows the last page.
func BenchmarkPartnerRefresh(b *testing.B) {
	members := make([]string, 500)
	for i := range members {
		members[i] = strconv.Itoa(10000001 + i)
	}
	now := time.Now()
	sim := ncloudsim.New(ncloudsim.Options{ReuseResponses: true})
	sim.AddAccount(ncloudsim.Account{AccessKey: testAccessKey, SecretKey: testSecretKey, Data: ncloudsim.Generate(ncloudsim.GenerateOptions{
		Seed: 1, Now: now, Members: members, DemandProducts: 40, DemandMonths: 3,
	})})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	client, err := ncloud.New(ncloud.Options{Endpoint: srv.URL + "/billing/v1", AccessKey: testAccessKey, SecretKey: testSecretKey,
		Format: "xml", MaxConcurrency: 4, Logger: promslog.NewNopLogger()})
	if err != nil {
		b.Fatal(err)
	}
	c := &ncloudDemandCollector{account: "partner", client: client, months: 3, now: func() time.Time { return now }}
	var update, rendering time.Duration
	for b.Loop() {
		start := time.Now()
		ms, err := c.Update(withFormats(context.Background(), formatOpenMetrics.set()))
		if err != nil {
			b.Fatal(err)
		}
		update += time.Since(start)
		start = time.Now()
		r, err := render(ms, nil, formatOpenMetrics.set())
		if err != nil {
			b.Fatal(err)
		}
		rendering += time.Since(start)
		if r.series < 2*len(members)*40*3 {
			b.Fatalf("%d series", r.series)
		}
	}
	b.ReportMetric(float64(update.Milliseconds())/float64(b.N), "update-ms")
	b.ReportMetric(float64(rendering.Milliseconds())/float64(b.N), "render-ms")
}

// BenchmarkDemandRows turns the demand rows of an NCP partner account (500
// members × 40 products × 3 months) into series, the work of a refresh
// between its pages' decoding and its rendering.
func BenchmarkDemandRows(b *testing.B) {
	var rows []ncloud.ProductDemandCost
	for m := range 3 {
		for member := range 500 {
			for p := range 40 {
				r := ncloud.ProductDemandCost{
					MemberNo:    ncloud.FlexString(strconv.Itoa(10000001 + member)),
					DemandMonth: ncloud.FlexString(strconv.Itoa(202610 + m)),
					UseAmount:   ncloud.Number{Value: float64(1000 + p), Set: true},
					PayCurrency: ncloud.CommonCode{Code: "KRW"},
				}
				r.ProductDemandType.Code, r.ProductDemandType.RegionCode = "PRD"+strconv.Itoa(p), "KR"
				r.DemandAmount = r.UseAmount
				if p%5 == 1 {
					r.PromotionDiscountAmount = ncloud.Number{Value: 20, Set: true}
				}
				rows = append(rows, r)
			}
		}
	}
	c := &ncloudDemandCollector{account: "partner"}
	b.ReportAllocs()
	for b.Loop() {
		set := newSeriesSet()
		for page := range slices.Chunk(rows, 1000) {
			c.add(set, page)
		}
		if set.n < 2*len(rows) {
			b.Fatalf("%d series", set.n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(rows)), "ns/row")
}
