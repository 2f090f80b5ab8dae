package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/promslog"

	"github.com/billingexporter/billing_exporter/collector"
	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/sandbox/vgpsim"
	"github.com/billingexporter/billing_exporter/internal/upstream"
)

// testServer serves two VGP accounts: "ok" (the seed member) and "broken"
// (an unknown member, so every refresh fails with 3200).
func testServer(t *testing.T) (*httptest.Server, *vgpsim.Server) {
	t.Helper()
	sim := vgpsim.New()
	sim.AddMember(vgpsim.SeedMember())
	up := httptest.NewServer(sim)
	t.Cleanup(up.Close)
	cfg := &config.Config{Global: config.DefaultGlobal, VGP: []config.VGPAccount{
		{Name: "ok", Endpoint: up.URL + vgpsim.Path, Caller: "Vroomgo", PhoneNumber: "821041139274"},
		{Name: "broken", Endpoint: up.URL + vgpsim.Path, Caller: "Vroomgo", Email: "ghost@example.com"},
	}}
	reg := prometheus.NewRegistry()
	e, err := collector.New(cfg, collector.Options{Logger: promslog.NewNopLogger(), Requests: upstream.NewRequestCounter(reg)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Logger: promslog.NewNopLogger(), Gatherer: reg, Registerer: reg, TimeoutOffset: 100 * time.Millisecond, MaxRequests: 2})
	if err != nil {
		t.Fatal(err)
	}
	s.SetExporter(e)
	ts := httptest.NewUnstartedServer(nil)
	ts.Config = NewHTTPServer(s, promslog.NewNopLogger()) // the limits the binary serves with
	ts.Start()
	t.Cleanup(ts.Close)
	return ts, sim
}

func get(t *testing.T, url string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestEndpoints(t *testing.T) {
	ts, _ := testServer(t)
	for _, tc := range []struct {
		path   string
		code   int
		substr string
	}{
		{"/-/healthy", 200, "Healthy"},
		{"/-/ready", 200, "Ready"},
		{"/", 200, `href="/metrics"`},
		{"/", 200, `href="/status"`},
		{"/metrics", 200, `billing_up{account="ok",collector="payments",provider="vgp"} 1`},
		{"/metrics", 200, `billing_up{account="broken",collector="payments",provider="vgp"} 0`},
		{"/metrics", 200, `billing_vgp_balance{account="ok",caller="Vroomgo"} 100`},
		{"/metrics", 200, `billing_upstream_requests_total{account="ok",code="200",provider="vgp"}`},
		{"/metrics", 200, "promhttp_metric_handler_requests_total"},
		{"/nope", 404, ""},
	} {
		code, body := get(t, ts.URL+tc.path)
		if code != tc.code || !strings.Contains(body, tc.substr) {
			t.Errorf("GET %s = %d, want %d with %q; body:\n%.400s", tc.path, code, tc.code, tc.substr, body)
		}
	}
}

func TestBadRequests(t *testing.T) {
	ts, _ := testServer(t)
	for _, tc := range []struct {
		method, path string
		header       []string
		code         int
	}{
		{http.MethodPost, "/metrics", nil, http.StatusMethodNotAllowed},
		{http.MethodDelete, "/status", nil, http.StatusMethodNotAllowed},
		{http.MethodGet, "/metrics", []string{scrapeTimeoutHeader, "soon"}, http.StatusBadRequest},
		{http.MethodGet, "/metrics", []string{scrapeTimeoutHeader, "-3"}, http.StatusBadRequest},
		{http.MethodGet, "/metrics?" + strings.Repeat("x=1&", 20000), nil, http.StatusRequestHeaderFieldsTooLarge},
		{http.MethodGet, "/" + strings.Repeat("a", 3000), nil, http.StatusNotFound},
		{http.MethodPut, "/-/healthy", nil, http.StatusMethodNotAllowed},
		{http.MethodGet, "/-/reload", nil, http.StatusMethodNotAllowed},
		{http.MethodPost, "/-/reload", nil, http.StatusForbidden}, // lifecycle API not enabled
	} {
		req, _ := http.NewRequestWithContext(context.Background(), tc.method, ts.URL+tc.path, nil)
		for i := 0; i+1 < len(tc.header); i += 2 {
			req.Header.Set(tc.header[i], tc.header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.code {
			t.Errorf("%s %.40s %v = %d, want %d", tc.method, tc.path, tc.header, resp.StatusCode, tc.code)
		}
	}
}

func TestStatusPage(t *testing.T) {
	ts, _ := testServer(t)
	// Before any scrape, nothing has been attempted and no upstream was called.
	code, body := get(t, ts.URL+"/status?format=json")
	var rows []TargetStatus
	if err := json.Unmarshal([]byte(body), &rows); code != 200 || err != nil {
		t.Fatalf("status json: %d %v", code, err)
	}
	if len(rows) != 2 || rows[0].State != "pending" || rows[1].State != "pending" {
		t.Fatalf("rows before a scrape: %+v", rows)
	}
	get(t, ts.URL+"/metrics")
	_, body = get(t, ts.URL+"/status?format=json")
	rows = nil
	if err := json.Unmarshal([]byte(body), &rows); err != nil {
		t.Fatal(err)
	}
	ok, broken := rows[0], rows[1]
	if ok.Account != "ok" || ok.State != "ok" || ok.Series != 6 || ok.LastSuccess == "" || ok.Error != "" {
		t.Errorf("ok row: %+v", ok)
	}
	if broken.Account != "broken" || broken.State != "failing" || broken.ErrorCode != "3200" || broken.ErrorMessage != "Not Member" || broken.LastSuccess != "" {
		t.Errorf("broken row: %+v", broken)
	}
	code, html := get(t, ts.URL+"/status")
	for _, want := range []string{`<tr class="failing" data-target="vgp/broken/payments">`, "Not Member", "3200", `<tr class="ok" data-target="vgp/ok/payments">`} {
		if code != 200 || !strings.Contains(html, want) {
			t.Errorf("status page lacks %q", want)
		}
	}
	if strings.Contains(html, "ghost@example.com") || strings.Contains(html, "821041139274") {
		t.Error("status page shows personal data")
	}
}

func TestScrapeContext(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   time.Duration // 0 = no deadline
		err    bool
	}{
		{"", 0, false},
		{"10", 9500 * time.Millisecond, false},
		{"0.6", 300 * time.Millisecond, false}, // never below half the announced timeout
		{"2.5", 2 * time.Second, false},
		{"abc", 0, true},
		{"0", 0, true},
		{"-1", 0, true},
		{"NaN", 0, true},
	} {
		r := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if tc.header != "" {
			r.Header.Set(scrapeTimeoutHeader, tc.header)
		}
		start := time.Now()
		ctx, cancel, err := scrapeContext(r, 500*time.Millisecond)
		if tc.err {
			if err == nil {
				t.Errorf("header %q accepted", tc.header)
			}
			continue
		}
		if err != nil {
			t.Fatalf("header %q: %v", tc.header, err)
		}
		d, ok := ctx.Deadline()
		cancel()
		if tc.want == 0 {
			if ok {
				t.Errorf("header %q: deadline set", tc.header)
			}
			continue
		}
		if got := d.Sub(start); got < tc.want-50*time.Millisecond || got > tc.want+50*time.Millisecond {
			t.Errorf("header %q: deadline in %s, want %s", tc.header, got, tc.want)
		}
	}
}
