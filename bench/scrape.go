package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// A scrape asks for what Prometheus asks for: its Accept header
// (OpenMetrics first; the floor, promhttp without OpenMetrics, answers
// text), gzipped (Go's transport adds Accept-Encoding: gzip and unpacks the
// answer), and announces a scrape timeout.
const (
	acceptHeader  = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
	scrapeTimeout = 30 * time.Second
)

// scraper scrapes one program over kept-alive connections.
type scraper struct {
	client *http.Client
}

func newScraper(conns int) *scraper {
	return &scraper{client: &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: conns},
		Timeout:   scrapeTimeout + 10*time.Second,
	}}
}

// scrapeResult is one scrape's body and how long it took, from sending the
// request to reading the last byte.
type scrapeResult struct {
	body []byte
	wall time.Duration
}

func (s *scraper) scrape(ctx context.Context, url string) (scrapeResult, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/metrics", nil)
	if err != nil {
		return scrapeResult{}, err
	}
	req.Header.Set("Accept", acceptHeader)
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", strconv.Itoa(int(scrapeTimeout/time.Second)))
	start := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		return scrapeResult{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	wall := time.Since(start)
	if err != nil {
		return scrapeResult{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return scrapeResult{}, fmt.Errorf("scrape: HTTP %d: %.200s", resp.StatusCode, body)
	}
	return scrapeResult{body: body, wall: wall}, nil
}

// sample is one line of the text format.
type sample struct {
	name, labels string
	value        float64
}

// samples returns the samples whose metric name keep accepts.
func samples(body []byte, keep func(name string) bool) []sample {
	var out []sample
	for len(body) > 0 {
		var line []byte
		line, body, _ = bytes.Cut(body, []byte("\n"))
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		end := bytes.IndexAny(line, "{ ")
		if end < 0 || !keep(string(line[:end])) {
			continue
		}
		sp := bytes.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(string(line[sp+1:]), 64)
		if err != nil {
			continue
		}
		out = append(out, sample{name: string(line[:end]), labels: string(line[end:sp]), value: v})
	}
	return out
}

// value is the single sample of an unlabelled metric, or an error.
func value(body []byte, name string) (float64, error) {
	s := samples(body, func(n string) bool { return n == name })
	if len(s) != 1 {
		return 0, fmt.Errorf("%d samples of %s in the scrape", len(s), name)
	}
	return s[0].value, nil
}

// countSeries counts the samples whose name starts with prefix.
func countSeries(body []byte, prefix string) int {
	return len(samples(body, func(n string) bool { return strings.HasPrefix(n, prefix) }))
}

// checkUp fails unless the scrape has want billing_up series, all 1.
func checkUp(body []byte, want int) error {
	up := samples(body, func(n string) bool { return n == "billing_up" })
	if len(up) != want {
		return fmt.Errorf("%d billing_up series, want %d", len(up), want)
	}
	for _, s := range up {
		if s.value != 1 {
			return fmt.Errorf("collector down: billing_up%s", s.labels)
		}
	}
	return nil
}

// sumOf is the sum of the samples of name.
func sumOf(body []byte, name string) float64 {
	total := 0.0
	for _, s := range samples(body, func(n string) bool { return n == name }) {
		total += s.value
	}
	return total
}

// checkAllUp fails unless the scrape has billing_up series, all 1.
func checkAllUp(body []byte) error {
	up := samples(body, func(n string) bool { return n == "billing_up" })
	if len(up) == 0 {
		return fmt.Errorf("no billing_up series")
	}
	for _, s := range up {
		if s.value != 1 {
			return fmt.Errorf("collector down: billing_up%s", s.labels)
		}
	}
	return nil
}
