package collector

import (
	"context"
	"math"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/sandbox/ncloudsim"
)

const (
	testAccessKey = "ncp_iam_TESTACCESSKEY0001"
	testSecretKey = "ncp_iam_TESTSECRETKEY0000000000000000001"
)

var ncloudMetrics = []string{
	"billing_ncloud_credit_remaining", "billing_ncloud_credit_received", "billing_ncloud_credit_expiry_timestamp_seconds",
	"billing_ncloud_coin_remaining", "billing_ncloud_coin_charged", "billing_ncloud_coin_expiry_timestamp_seconds",
	"billing_ncloud_demand_amount", "billing_ncloud_use_amount", "billing_ncloud_discount_amount",
	"billing_ncloud_demand_discount_applied_amount", "billing_ncloud_demand_month_start_timestamp_seconds",
	"billing_ncloud_demand_month_end_timestamp_seconds", "billing_up", "billing_alert_threshold",
}

// ncloudServer serves one account with data over real HTTP; now is the
// clock of both the fake (signature window) and the exporter.
func ncloudServer(t *testing.T, data ncloudsim.Data, now func() time.Time) (*ncloudsim.Server, string) {
	t.Helper()
	sim := ncloudsim.New(ncloudsim.Options{Now: now})
	sim.AddAccount(ncloudsim.Account{AccessKey: testAccessKey, SecretKey: testSecretKey, Data: data})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, srv.URL + "/billing/v1"
}

func ncloudAccount(endpoint, format string) config.NCloudAccount {
	return config.NCloudAccount{
		Name: "main", Endpoint: endpoint, AccessKey: testAccessKey, SecretKey: testSecretKey,
		Collectors: config.NCloudCollectors, ResponseFormat: format, DemandMonths: 1, InvoiceMonths: 3, CoinCurrency: "KRW",
		Thresholds: config.DefaultNCloudThresholds,
	}
}

// The three seed samples, served verbatim as XML and rendered as JSON, give
// exactly the same series. The clock is in the seeds' month (December 2022)
// so that the demand query covers the seed's demand row.
func TestNCloudSeedGolden(t *testing.T) {
	now := fixedClock(time.Date(2022, 12, 20, 10, 0, 0, 0, time.UTC))
	for _, format := range []string{"xml", "json"} {
		t.Run(format, func(t *testing.T) {
			sim, url := ncloudServer(t, ncloudsim.SeedData(), now)
			e, _ := newTestExporter(t, &config.Config{NCloud: []config.NCloudAccount{ncloudAccount(url, format)}}, now)
			compareGolden(t, e, "testdata/ncloud_seed.prom", ncloudMetrics...)
			for _, r := range sim.Requests() {
				if r.Format != format || r.Status != 200 || r.PageSize != 1000 || r.PageNo != 1 {
					t.Errorf("request %+v", r)
				}
			}
			if n := sim.Calls(testAccessKey, ""); n != 4 {
				t.Errorf("%d calls, want one per collector", n)
			}
		})
	}
}

// A 3-page credit list (2,500 credits) is complete, and pages 2 and 3 are
// fetched in parallel once page 1 has told totalRows.
func TestNCloudCreditPagesInParallel(t *testing.T) {
	now := time.Now()
	data := ncloudsim.Generate(ncloudsim.GenerateOptions{Seed: 7, Now: now, Credits: 2500})
	sim, url := ncloudServer(t, data, nil)
	sim.SetFault(testAccessKey, ncloudsim.ActionCreditHistory, ncloudsim.Fault{Latency: 200 * time.Millisecond})
	a := ncloudAccount(url, "json")
	a.Collectors = []string{config.NCloudCredit}
	e, _ := newTestExporter(t, &config.Config{NCloud: []config.NCloudAccount{a}}, nil)

	var remaining, received float64
	for _, c := range data.Credits {
		remaining += c.Credit.RemainingCredit
		received += c.Credit.ReceivedCredit
	}
	mfs := gatherOnce(t, e)
	gotRemaining, n := sumGauge(mfs, "billing_ncloud_credit_remaining")
	gotReceived, _ := sumGauge(mfs, "billing_ncloud_credit_received")
	if math.Abs(gotRemaining-remaining) > 1e-6 || math.Abs(gotReceived-received) > 1e-6 || n == 0 {
		t.Errorf("sum of remaining %v (%d series), received %v; want %v, %v", gotRemaining, n, gotReceived, remaining, received)
	}

	reqs := sim.Requests()
	byPage := map[int]ncloudsim.Request{}
	for _, r := range reqs {
		byPage[r.PageNo] = r
	}
	if len(reqs) != 3 || len(byPage) != 3 {
		t.Fatalf("requests %+v, want pages 1, 2, 3 once each", reqs)
	}
	p1, p2, p3 := byPage[1], byPage[2], byPage[3]
	if !p1.Answered.Before(p2.Arrived) || !p1.Answered.Before(p3.Arrived) {
		t.Errorf("pages 2 and 3 started before page 1 answered")
	}
	if !p2.Arrived.Before(p3.Answered) || !p3.Arrived.Before(p2.Answered) {
		t.Errorf("pages 2 and 3 did not overlap: p2 %v..%v, p3 %v..%v", p2.Arrived, p2.Answered, p3.Arrived, p3.Answered)
	}
	if m := sim.MaxConcurrent(testAccessKey, ncloudsim.ActionCreditHistory); m != 2 {
		t.Errorf("max concurrent credit requests %d, want 2", m)
	}
}

// Ten concurrent scrapes cost the upstream one call per collector.
func TestNCloudConcurrentScrapesOneCall(t *testing.T) {
	data := ncloudsim.Generate(ncloudsim.GenerateOptions{Seed: 1, Now: time.Now(), Credits: 20, Coins: 5, DemandProducts: 4, DemandMonths: 1})
	sim, url := ncloudServer(t, data, nil)
	sim.SetFault(testAccessKey, "", ncloudsim.Fault{Latency: 300 * time.Millisecond})
	e, _ := newTestExporter(t, &config.Config{NCloud: []config.NCloudAccount{ncloudAccount(url, "xml")}}, nil)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if n := testutilCount(t, e, "billing_ncloud_credit_remaining"); n == 0 {
				t.Error("a scrape saw no credits")
			}
		})
	}
	wg.Wait()
	for _, action := range []string{ncloudsim.ActionCreditHistory, ncloudsim.ActionCoinHistory, ncloudsim.ActionDemandCost} {
		if n := sim.Calls(testAccessKey, action); n != 1 {
			t.Errorf("%s: %d upstream calls for 10 concurrent scrapes, want 1", action, n)
		}
	}
}

// A hanging upstream costs only its own collector: the scrape ends at its
// deadline, coin reports billing_up 0, credit and demand keep their series.
func TestNCloudHangingCollector(t *testing.T) {
	data := ncloudsim.Generate(ncloudsim.GenerateOptions{Seed: 2, Now: time.Now(), Credits: 5, Coins: 5, DemandProducts: 3, DemandMonths: 1})
	sim, url := ncloudServer(t, data, nil)
	sim.SetFault(testAccessKey, ncloudsim.ActionCoinHistory, ncloudsim.Fault{Hang: true})
	e, _ := newTestExporter(t, &config.Config{NCloud: []config.NCloudAccount{ncloudAccount(url, "xml")}}, nil)

	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	mfs := gatherCtx(t, e, ctx)
	if took := time.Since(start); took > 1500*time.Millisecond {
		t.Errorf("scrape took %s with a 500ms deadline", took)
	}
	ups := map[string]float64{}
	counts := map[string]int{}
	for _, mf := range mfs {
		counts[mf.GetName()] = len(mf.GetMetric())
		if mf.GetName() == "billing_up" {
			for _, m := range mf.GetMetric() {
				ups[label(m, "collector")] = m.GetGauge().GetValue()
			}
		}
	}
	if ups["credit"] != 1 || ups["demand"] != 1 || ups["coin"] != 0 {
		t.Errorf("billing_up = %v, want credit 1, demand 1, coin 0", ups)
	}
	if counts["billing_ncloud_credit_remaining"] != 5 || counts["billing_ncloud_demand_amount"] == 0 || counts["billing_ncloud_coin_remaining"] != 0 {
		t.Errorf("series counts %v", counts)
	}
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// gatherOnce is one scrape, gathered.
func gatherOnce(t *testing.T, e *Exporter) []*dto.MetricFamily {
	t.Helper()
	return gatherCtx(t, e, context.Background())
}

// sumGauge sums every series of a gauge.
func sumGauge(mfs []*dto.MetricFamily, name string) (float64, int) {
	for _, mf := range mfs {
		if mf.GetName() == name {
			sum := 0.0
			for _, m := range mf.GetMetric() {
				sum += m.GetGauge().GetValue()
			}
			return sum, len(mf.GetMetric())
		}
	}
	return 0, 0
}
