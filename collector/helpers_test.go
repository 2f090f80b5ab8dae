package collector

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/promslog"

	"github.com/billingexporter/billing_exporter/internal/config"
)

// newTestExporter builds an exporter from cfg with its own request counter
// registry; now (optional) is the exporter's clock.
func newTestExporter(t *testing.T, cfg *config.Config, now func() time.Time) (*Exporter, *prometheus.Registry) {
	t.Helper()
	if cfg.Global == (config.Global{}) {
		cfg.Global = config.DefaultGlobal
		cfg.Global.MinRefreshInterval = 0
	}
	reg := prometheus.NewPedanticRegistry()
	e, err := New(cfg, Options{Logger: promslog.NewNopLogger(), Requests: NewRequestCounter(reg), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return e, reg
}

// compareGolden compares the named metrics of one scrape with a golden
// exposition file. Every name must occur in the file: CollectAndCompare
// filters both sides by name, so a misspelt name would compare nothing.
func compareGolden(t *testing.T, e *Exporter, golden string, names ...string) {
	t.Helper()
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if !strings.Contains(string(want), "\n"+n+"{") && !strings.HasPrefix(string(want), n+"{") {
			t.Fatalf("golden file %s has no series of %s", golden, n)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := testutil.CollectAndCompare(e.Scrape(ctx, nil), strings.NewReader(string(want)), names...); err != nil {
		t.Error(err)
	}
}

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

// compareText compares the named metrics of one scrape with want.
func compareText(t *testing.T, e *Exporter, want string, names ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := testutil.CollectAndCompare(e.Scrape(ctx, nil), strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
}

// help returns a descriptor's HELP text as the exposition format escapes it.
func help(d *prometheus.Desc) string {
	s := d.String()
	i := strings.Index(s, `help: "`) + len(`help: "`)
	j := strings.Index(s[i:], `", `)
	return strings.NewReplacer(`\"`, `"`).Replace(s[i : i+j])
}

// upLine is the exposition of one billing_up series.
func upLine(provider, account, collector string, v int) string {
	return "# HELP billing_up " + help(upDesc) + "\n# TYPE billing_up gauge\n" +
		`billing_up{account="` + account + `",collector="` + collector + `",provider="` + provider + `"} ` + string(rune('0'+v)) + "\n"
}

func unixTime(s int64) time.Time { return time.Unix(s, 0) }

// testutilCount counts the series of one metric in a scrape.
func testutilCount(t *testing.T, e *Exporter, name string) int {
	t.Helper()
	return testutil.CollectAndCount(e.Scrape(context.Background(), nil), name)
}

// scrapeText is one scrape's full exposition.
func scrapeText(t *testing.T, e *Exporter) string {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(e.Scrape(context.Background(), nil))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	// Not testutil.GatherAndFormat: without metric names it formats nothing.
	var b strings.Builder
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
			t.Fatal(err)
		}
	}
	if b.Len() == 0 {
		t.Fatal("empty scrape")
	}
	return b.String()
}
