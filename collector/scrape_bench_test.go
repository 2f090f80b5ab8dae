package collector

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/common/expfmt"

	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/sandbox/ncloudsim"
	"github.com/billingexporter/billing_exporter/internal/upstream"
)

// BenchmarkScrape is the scrape path at size, for go test -cpuprofile:
// 33,334 credits (100,002 series) read once into the cache, then served
// per iteration as internal/server serves /metrics (the cached gzip
// members of the text format with the exporter's own metrics encoded per
// scrape, as Prometheus asks). go run ./bench measures
// the same on the real process against a floor.
func BenchmarkScrape(b *testing.B) {
	const credits = 33_334
	now := time.Now()
	sim := ncloudsim.New(ncloudsim.Options{})
	sim.AddAccount(ncloudsim.Account{AccessKey: testAccessKey, SecretKey: testSecretKey, Data: ncloudsim.Generate(ncloudsim.GenerateOptions{
		Seed: 1, Now: now, Members: []string{"10000001", "10000002", "10000003"}, Credits: credits,
	})})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	a := ncloudAccount(srv.URL+"/billing/v1", "xml")
	a.Collectors = []string{config.NCloudCredit}
	cfg := &config.Config{Global: config.DefaultGlobal, NCloud: []config.NCloudAccount{a}}
	cfg.Global.MinRefreshInterval = config.Duration(time.Hour)
	self := prometheus.NewRegistry()
	self.MustRegister(collectors.NewGoCollector())
	e, err := New(cfg, Options{Requests: upstream.NewRequestCounter(self)})
	if err != nil {
		b.Fatal(err)
	}
	serve := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		rec.Code = http.StatusOK
		if err := e.WriteScrape(context.Background(), rec, ScrapeOptions{Format: expfmt.FmtText, Gzip: true, Self: self}); err != nil {
			rec.Code = http.StatusInternalServerError
		}
		return rec
	}
	if rec := serve(); rec.Code != http.StatusOK { // fills the cache
		b.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
	}
	if v := e.Targets()[0].State().Series(); v != 3*credits {
		b.Fatalf("%d series cached, want %d", v, 3*credits)
	}
	b.ReportAllocs()
	for b.Loop() {
		serve()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(3*credits), "ns/series")
}
