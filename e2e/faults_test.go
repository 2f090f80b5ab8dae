package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/billingexporter/billing_exporter/collector"
	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/sandbox"
	"github.com/billingexporter/billing_exporter/internal/sandbox/fault"
	"github.com/billingexporter/billing_exporter/internal/sandbox/ncloudsim"
	"github.com/billingexporter/billing_exporter/internal/sandbox/portonesim"
	"github.com/billingexporter/billing_exporter/internal/server"
	"github.com/billingexporter/billing_exporter/internal/upstream"
)

// faultStack is the demo served in-process over real HTTP, with every log
// line captured at debug level.
type faultStack struct {
	demo *sandbox.Demo
	url  string
	logs *lockedBuffer
}

// newFaultStack starts it; edit adjusts the demo's config and now, if set,
// is the exporter's clock.
func newFaultStack(t *testing.T, edit func(*config.Config), now func() time.Time) *faultStack {
	t.Helper()
	d := startUpstreams(t)
	cfg := *d.Config
	cfg.Global.MinRefreshInterval = 0 // every scrape reaches the upstream
	cfg.Global.MaxResponseBytes = 256 << 10
	// Refreshes run under their own timeout, not the scrape's deadline: end
	// them well within the scrape (3.5 s after the offset), so that each
	// case sees its own failure and the answer is written before the 4 s
	// write deadline even under the race detector on a loaded machine.
	cfg.Global.Timeout = config.Duration(2 * time.Second)
	if edit != nil {
		edit(&cfg)
	}
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	reg := prometheus.NewRegistry()
	// Pooled connections, as in production: a reset on a reused connection
	// must cost no more attempts than max_retries allows (Go's transport
	// would resend such a request by itself; the retry layer stops it).
	transport := upstream.NewTransport()
	exp, err := collector.New(&cfg, collector.Options{Logger: logger, Requests: upstream.NewRequestCounter(reg), Transport: transport, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := newServer(logger, reg)
	if err != nil {
		t.Fatal(err)
	}
	srv.SetExporter(exp)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &faultStack{demo: d, url: ts.URL, logs: logs}
}

const scrapeTimeout = 4 * time.Second

// scrape GETs /metrics as Prometheus would and returns the parsed samples.
func (s *faultStack) scrape(t *testing.T) (map[string]float64, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*scrapeTimeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/metrics", nil)
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", strconv.FormatFloat(scrapeTimeout.Seconds(), 'f', -1, 64))
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	took := time.Since(start)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics answered %d", resp.StatusCode)
	}
	return parseSamples(string(body)), took
}

var sampleRE = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?) (\S+)$`)

func parseSamples(body string) map[string]float64 {
	out := map[string]float64{}
	for l := range strings.SplitSeq(body, "\n") {
		if m := sampleRE.FindStringSubmatch(l); m != nil {
			v, _ := strconv.ParseFloat(m[2], 64)
			out[m[1]] = v
		}
	}
	return out
}

// upstreamSeries are the samples of upstream data (not self metrics) that
// do not belong to the affected account.
func upstreamSeries(samples map[string]float64, affected string) map[string]float64 {
	out := map[string]float64{}
	for k, v := range samples {
		if strings.HasPrefix(k, "billing_") && !strings.HasPrefix(k, "billing_collector_") && !strings.HasPrefix(k, "billing_upstream_") &&
			!strings.HasPrefix(k, "billing_up{") && !strings.HasPrefix(k, "billing_config_") && !strings.Contains(k, affected) {
			out[k] = v
		}
	}
	return out
}

// provider describes where a fault is injected and what it hits.
type provider struct {
	name, account, collector string
	set                      func(d *sandbox.Demo, f fault.Fault)
	calls                    func(d *sandbox.Demo) int
	envelope                 string // a 200 answer that carries an upstream error
	envelopeCode             string
}

var providers = []provider{
	{
		name: "ncloud", account: "main", collector: "coin",
		set: func(d *sandbox.Demo, f fault.Fault) {
			d.NCloud.SetFault(sandbox.DemoNCloudAccessKey, ncloudsim.ActionCoinHistory, f)
		},
		calls: func(d *sandbox.Demo) int {
			return d.NCloud.Calls(sandbox.DemoNCloudAccessKey, ncloudsim.ActionCoinHistory)
		},
		envelope:     `{"getCoinHistoryListResponse": {"returnCode": "1007009", "returnMessage": "Invalid parameter"}}`,
		envelopeCode: "1007009",
	},
	{
		name: "vgp", account: "kiosk", collector: "payments",
		set: func(d *sandbox.Demo, f fault.Fault) { d.VGP.SetFault(sandbox.DemoVGPLowEmail, f) },
		calls: func(d *sandbox.Demo) int {
			n := 0
			for _, r := range d.VGP.Requests() {
				if r.Email == sandbox.DemoVGPLowEmail {
					n++
				}
			}
			return n
		},
		envelope:     `{"status":"3400","response":"Unhandled Error"}`,
		envelopeCode: "3400",
	},
	{
		name: "portone", account: "shop", collector: "schedules",
		set: func(d *sandbox.Demo, f fault.Fault) {
			d.PortOne.SetFault(sandbox.DemoPortOneImpKey, portonesim.PathRangeSchedules, f)
		},
		calls:        func(d *sandbox.Demo) int { return d.PortOne.Calls(portonesim.PathRangeSchedules) },
		envelope:     `{"code":1,"message":"Search failed","response":null}`,
		envelopeCode: "1",
	},
}

type faultCase struct {
	name    string
	fault   func(p provider) fault.Fault
	up      bool   // the collector recovers within the scrape (a retry succeeds)
	calls   int    // requests the affected endpoint receives in the scrape
	code    string // billing_upstream_requests_total code that must have counted it
	errText string // in the failed refresh's log line
}

// TestUpstreamFaults injects every fault into every provider and checks
// that only the affected collector suffers, within the scrape timeout,
// counted, logged once, retried within bounds, and without secrets.
func TestUpstreamFaults(t *testing.T) {
	big := strings.Repeat("x", 300<<10)
	cases := []faultCase{
		{"hang", func(provider) fault.Fault { return fault.Fault{Hang: true} }, false, 1, "error", "context deadline exceeded"},
		{"latency past the deadline", func(provider) fault.Fault { return fault.Fault{Latency: time.Minute} }, false, 1, "error", "deadline"},
		{"500 until out of retries", func(provider) fault.Fault { return fault.Fault{Status: 500, Body: "boom"} }, false, 3, "500", "HTTP 500"},
		{"503 once", func(provider) fault.Fault { return fault.Fault{Status: 503, Times: 1} }, true, 2, "503", ""},
		{"429 with Retry-After once", func(provider) fault.Fault { return fault.Fault{Status: 429, RetryAfter: "1", Times: 1} }, true, 2, "429", ""},
		{"429 without Retry-After once", func(provider) fault.Fault { return fault.Fault{Status: 429, Times: 1} }, true, 2, "429", ""},
		{"429 with Retry-After past the deadline", func(provider) fault.Fault { return fault.Fault{Status: 429, RetryAfter: "120"} }, false, 1, "429", "HTTP 429"},
		{"connection reset once", func(provider) fault.Fault { return fault.Fault{Reset: true, Times: 1} }, true, 2, "error", ""},
		{"connection reset always", func(provider) fault.Fault { return fault.Fault{Reset: true} }, false, 3, "error", "EOF"},
		{"truncated body", func(provider) fault.Fault { return fault.Fault{Status: 200, Body: `{"a":"`, Truncate: true} }, false, 3, "200", "unexpected EOF"},
		{"malformed body", func(provider) fault.Fault { return fault.Fault{Status: 200, Body: `{"broken": [`} }, false, 1, "200", "malformed"},
		{"wrong content type", func(provider) fault.Fault {
			return fault.Fault{Status: 200, ContentType: "text/html", Body: "<html><body>Maintenance</body></html>"}
		}, false, 1, "200", "text/html"},
		{"200 with an error envelope", func(p provider) fault.Fault { return fault.Fault{Status: 200, Body: p.envelope} }, false, 1, "200", "upstream_code="},
		{"oversized body", func(provider) fault.Fault { return fault.Fault{Status: 200, Body: big} }, false, 1, "200", "exceeds the size limit"},
		{"400 is not retried", func(provider) fault.Fault { return fault.Fault{Status: 400, Body: `{}`} }, false, 1, "400", "HTTP 400"},
	}
	for _, p := range providers {
		for _, tc := range cases {
			t.Run(p.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				checkFault(t, p, tc)
			})
		}
	}
}

func checkFault(t *testing.T, p provider, tc faultCase) {
	s := newFaultStack(t, nil, nil)
	baseline, _ := s.scrape(t)
	affected := fmt.Sprintf(`account="%s"`, p.account)
	upKey := fmt.Sprintf(`billing_up{account="%s",collector="%s",provider="%s"}`, p.account, p.collector, p.name)
	if baseline[upKey] != 1 {
		t.Fatalf("baseline: %s = %v", upKey, baseline[upKey])
	}
	callsBefore := p.calls(s.demo)
	logLines := strings.Count(s.logs.String(), "Refreshing upstream data failed")

	p.set(s.demo, tc.fault(p))
	got, took := s.scrape(t)

	if took > scrapeTimeout {
		t.Errorf("scrape took %s, longer than the %s scrape timeout", took, scrapeTimeout)
	}
	want := 0.0
	if tc.up {
		want = 1
	}
	for k, v := range got {
		if strings.HasPrefix(k, "billing_up{") {
			exp := 1.0
			if k == upKey {
				exp = want
			}
			if v != exp {
				t.Errorf("%s = %v, want %v", k, v, exp)
			}
		}
	}
	// Every other account's upstream series are unchanged.
	before, after := upstreamSeries(baseline, affected), upstreamSeries(got, affected)
	if len(before) == 0 || !equalSamples(before, after) {
		t.Errorf("other accounts' series changed: %d before, %d after; first differences: %s", len(before), len(after), diffSamples(before, after))
	}
	if calls := p.calls(s.demo) - callsBefore; calls != tc.calls {
		t.Errorf("%d requests reached the faulty endpoint, want %d", calls, tc.calls)
	}
	// A refresh cut off by the scrape deadline ends (and logs, and counts
	// its request) just after the scrape was answered: wait for its line.
	failures := func() int { return strings.Count(s.logs.String(), "Refreshing upstream data failed") - logLines }
	if !tc.up {
		poll(t, "the failure to be logged", 5*time.Second, func() (bool, string) { return failures() > 0, "" })
	}
	logs := s.logs.String()
	if tc.up {
		if failures() != 0 {
			t.Errorf("a recovered refresh was logged as failed:\n%s", tail(logs, 1500))
		}
	} else {
		if n := failures(); n != 1 {
			t.Errorf("%d failure log lines, want 1", n)
		}
		line := lastLine(logs, "Refreshing upstream data failed")
		if !strings.Contains(line, "account="+p.account) || !strings.Contains(line, tc.errText) {
			t.Errorf("log line %q does not name the account and %q", line, tc.errText)
		}
		if tc.name == "200 with an error envelope" && !strings.Contains(line, "upstream_code="+p.envelopeCode) {
			t.Errorf("log line %q lacks the upstream's code %s", line, p.envelopeCode)
		}
	}
	counter := fmt.Sprintf(`billing_upstream_requests_total{account="%s",code="%s",provider="%s"}`, p.account, tc.code, p.name)
	if got[counter] <= baseline[counter] {
		if later, _ := s.scrape(t); later[counter] <= baseline[counter] {
			t.Errorf("%s did not count the failure (%v -> %v)", counter, baseline[counter], later[counter])
		}
	}
	for _, secret := range []string{sandbox.DemoNCloudSecretKey, sandbox.DemoNCloudOrgSecret, sandbox.DemoPortOneImpSecret, sandbox.DemoVGPPhone, sandbox.DemoVGPLowEmail} {
		if strings.Contains(logs, secret) {
			t.Errorf("a secret or personal datum appears in the logs: %.12s...", secret)
		}
	}
}

func equalSamples(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func diffSamples(a, b map[string]float64) string {
	var d []string
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			d = append(d, fmt.Sprintf("%s %v -> %v", k, v, b[k]))
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			d = append(d, "new "+k)
		}
	}
	sort.Strings(d)
	if len(d) > 3 {
		d = d[:3]
	}
	return strings.Join(d, "; ")
}

func lastLine(logs, substr string) string {
	last := ""
	for l := range strings.SplitSeq(logs, "\n") {
		if strings.Contains(l, substr) {
			last = l
		}
	}
	return last
}

func newServer(logger *slog.Logger, reg *prometheus.Registry) (*server.Server, error) {
	return server.New(server.Options{Logger: logger, Gatherer: reg, Registerer: reg, TimeoutOffset: 500 * time.Millisecond})
}
