package collector

import (
	"bytes"
	"context"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/prometheus/common/promslog"

	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/upstream"
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
	e, err := New(cfg, Options{Logger: promslog.NewNopLogger(), Requests: upstream.NewRequestCounter(reg), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return e, reg
}

// scrapeBytes is one scrape as text 0.0.4, the families names (all when
// none) only.
func scrapeBytes(t testing.TB, e *Exporter, ctx context.Context, names ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := e.WriteScrape(ctx, &b, ScrapeOptions{Format: expfmt.FmtText, Names: names}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// parseText parses a text exposition into families sorted by name.
func parseText(t testing.TB, text []byte) []*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	byName, err := p.TextToMetricFamilies(bytes.NewReader(text))
	if err != nil {
		t.Fatalf("parsing the scrape: %v\n%s", err, text)
	}
	names := slices.Sorted(maps.Keys(byName))
	out := make([]*dto.MetricFamily, 0, len(names))
	for _, n := range names {
		out = append(out, byName[n])
	}
	return out
}

// normalized is a text exposition parsed and encoded again, the families
// names only: what two expositions of the same metrics have in common.
func normalized(t testing.TB, text []byte, names ...string) string {
	t.Helper()
	var b bytes.Buffer
	for _, mf := range parseText(t, text) {
		if len(names) == 0 || slices.Contains(names, mf.GetName()) {
			if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
				t.Fatal(err)
			}
		}
	}
	return b.String()
}

// compareGolden compares the named metrics of one scrape with a golden
// exposition file. Every name must occur in the file, so that a misspelt
// name cannot compare nothing.
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
	compareText(t, e, string(want), names...)
}

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

// compareText compares the named metrics of one scrape with want: the
// scrape's bytes with want parsed and encoded again.
func compareText(t *testing.T, e *Exporter, want string, names ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := string(scrapeBytes(t, e, ctx, names...))
	if w := normalized(t, []byte(want), names...); got != w {
		t.Errorf("scrape does not match:\n--- got\n%s\n--- want\n%s", got, w)
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
	for _, mf := range parseText(t, scrapeBytes(t, e, context.Background(), name)) {
		return len(mf.GetMetric())
	}
	return 0
}

// scrapeText is one scrape's full exposition.
func scrapeText(t *testing.T, e *Exporter) string {
	t.Helper()
	out := scrapeBytes(t, e, context.Background())
	if len(out) == 0 {
		t.Fatal("empty scrape")
	}
	return string(out)
}

// gatherCtx is one scrape, parsed.
func gatherCtx(t *testing.T, e *Exporter, ctx context.Context) []*dto.MetricFamily {
	t.Helper()
	return parseText(t, scrapeBytes(t, e, ctx))
}
