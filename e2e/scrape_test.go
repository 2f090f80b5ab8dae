package e2e

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// prometheusAccept is the Accept header Prometheus 2.x sends.
const prometheusAccept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

// checkCachedScrape scrapes the exporter as Prometheus does: the answer is
// one gzip member (cached blocks spliced with the live self metrics) in
// OpenMetrics, and the real Prometheus that scraped it reports up 1 and as
// many samples as the exporter serves.
func checkCachedScrape(t *testing.T, s *stack) {
	req, err := http.NewRequest(http.MethodGet, s.exporter+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", prometheusAccept)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); resp.Header.Get("Content-Encoding") != "gzip" || !bytes.HasPrefix([]byte(ct), []byte("application/openmetrics-text; version=1.0.0")) {
		t.Fatalf("Content-Encoding %q, Content-Type %q", resp.Header.Get("Content-Encoding"), ct)
	}
	br := bytes.NewReader(body)
	zr, err := gzip.NewReader(br)
	if err != nil {
		t.Fatal(err)
	}
	zr.Multistream(false)
	om, err := io.ReadAll(zr)
	if err != nil || br.Len() != 0 {
		t.Fatalf("not one gzip member: %v, %d bytes left", err, br.Len())
	}
	if !bytes.HasSuffix(om, []byte("# EOF\n")) || bytes.Count(om, []byte("# EOF")) != 1 {
		t.Errorf("OpenMetrics answer does not end with one # EOF:\n%s", om[max(0, len(om)-200):])
	}

	want := textSamples(t, s.exporter)
	poll(t, "Prometheus to ingest every sample of a scrape", 30*time.Second, func() (bool, string) {
		up, err1 := query(s.prometheus, `up{job="billing"}`)
		samples, err2 := query(s.prometheus, `scrape_samples_scraped{job="billing"}`)
		if err1 != nil || err2 != nil || len(up) != 1 || len(samples) != 1 {
			return false, fmt.Sprint(err1, err2, up, samples)
		}
		n, _ := strconv.Atoi(fmt.Sprint(samples[0].Value[1]))
		return fmt.Sprint(up[0].Value[1]) == "1" && n == want, fmt.Sprintf("up %v, %d samples scraped, want %d", up[0].Value[1], n, want)
	})
}

// textSamples counts the samples of a plain text scrape.
func textSamples(t *testing.T, base string) int {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			switch mf.GetType() {
			case dto.MetricType_SUMMARY:
				n += len(m.GetSummary().GetQuantile()) + 2
			case dto.MetricType_HISTOGRAM:
				n += len(m.GetHistogram().GetBucket()) + 2
			default:
				n++
			}
		}
	}
	return n
}
