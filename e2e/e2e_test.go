// Package e2e runs billing_exporter --demo under a real Prometheus (Debian's
// package) that loads alerts/ and sends to a real Alertmanager, which posts
// to a webhook receiver in this test; all on loopback. It checks that every
// dashboard query returns data and that the alerts arrive with the right
// labels. It polls; nothing sleeps a fixed time.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/billingexporter/billing_exporter/internal/dashgen"
	"github.com/billingexporter/billing_exporter/internal/testenv"
)

// lookPath finds a program the test runs (see testenv).
func lookPath(t *testing.T, name string) string { return testenv.LookPath(t, name) }

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// start runs a process until the test ends, keeping its output for
// failures. kill ends it early with SIGKILL, as the OOM killer or an
// evicted pod would.
func start(t *testing.T, name string, args ...string) (kill func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, name, args...)
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	wait := func() { once.Do(func() { _ = cmd.Wait() }) }
	t.Cleanup(func() {
		cancel()
		wait()
		if t.Failed() {
			t.Logf("--- %s output:\n%s", filepath.Base(name), tail(out.String(), 4000))
		}
	})
	return func() {
		_ = cmd.Process.Kill()
		wait()
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// poll calls f until it returns true or the deadline passes.
func poll(t *testing.T, what string, timeout time.Duration, f func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for time.Now().Before(deadline) {
		ok, state := f()
		if ok {
			return
		}
		last = state
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s; last state: %s", timeout, what, last)
}

func httpGet(u string) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// webhook collects the alerts Alertmanager posts.
type webhook struct {
	mu     sync.Mutex
	alerts []map[string]string // labels of firing alerts
}

func (h *webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var msg struct {
		Alerts []struct {
			Status      string            `json:"status"`
			Labels      map[string]string `json:"labels"`
			Annotations map[string]string `json:"annotations"`
		} `json:"alerts"`
	}
	if err := json.NewDecoder(r.Body).Decode(&msg); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, a := range msg.Alerts {
		if a.Status == "firing" {
			l := maps.Clone(a.Labels)
			for k, v := range a.Annotations {
				l["annotation:"+k] = v
			}
			h.alerts = append(h.alerts, l)
		}
	}
}

// find returns the first received alert whose labels include want.
func (h *webhook) find(want map[string]string) (map[string]string, []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var names []string
	for _, a := range h.alerts {
		names = append(names, a["alertname"]+"/"+a["account"])
		ok := true
		for k, v := range want {
			if a[k] != v {
				ok = false
				break
			}
		}
		if ok {
			return a, nil
		}
	}
	return nil, names
}

var forRE = regexp.MustCompile(`(?m)^(\s+)for: .*$`)

// rulesForTest copies alerts/ with every `for:` set to 0s, so that alerts
// fire on the first evaluation instead of after the hours they wait for in
// production; expressions, labels and annotations are the shipped ones.
func rulesForTest(t *testing.T, dir string) []string {
	t.Helper()
	return rulesWithFor(t, dir, "0s")
}

// rulesWithFor copies alerts/ into dir with every `for:` set to forValue.
func rulesWithFor(t *testing.T, dir, forValue string) []string {
	t.Helper()
	files, err := filepath.Glob("../alerts/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no rule files: %v", err)
	}
	var out []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, filepath.Base(f))
		if err := os.WriteFile(dst, forRE.ReplaceAll(data, []byte("${1}for: "+forValue)), 0o600); err != nil {
			t.Fatal(err)
		}
		out = append(out, dst)
	}
	return out
}

type stack struct {
	exporter, prometheus, alertmanager string // base URLs
	exporterAddr                       string
	hook                               *webhook
	killExporter                       func()
}

// prometheusVersions are the Prometheus servers the end-to-end tests run
// on: Debian's 2.42 from PATH and Prometheus 3 built from the module proxy
// (scripts/test-all.sh installs both).
var prometheusVersions = []struct {
	name string
	find func(testing.TB) string
}{
	{"Prometheus 2", func(t testing.TB) string { return testenv.LookPath(t, "prometheus") }},
	{"Prometheus 3", testenv.Prometheus3},
}

// startStack starts exporter, Alertmanager and the given Prometheus and
// waits until Prometheus has scraped the exporter.
func startStack(t *testing.T, prometheus string) *stack {
	alertmanager := lookPath(t, "prometheus-alertmanager")
	dir := t.TempDir()

	bin := buildExporter(t, dir)
	s := &stack{hook: &webhook{}}
	hookSrv := httptest.NewServer(s.hook)
	t.Cleanup(hookSrv.Close)

	exporterAddr, amAddr, promAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	s.exporter, s.alertmanager, s.prometheus = "http://"+exporterAddr, "http://"+amAddr, "http://"+promAddr
	s.exporterAddr = exporterAddr
	s.killExporter = start(t, bin, "--demo", "--web.listen-address="+exporterAddr, "--log.level=warn")

	amConfig := filepath.Join(dir, "alertmanager.yml")
	writeFile(t, amConfig, fmt.Sprintf(`route:
  receiver: hook
  group_by: ['...']
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: %s
        send_resolved: false
`, hookSrv.URL))
	start(t, alertmanager, "--config.file="+amConfig, "--storage.path="+filepath.Join(dir, "am"),
		"--web.listen-address="+amAddr, "--cluster.listen-address=")

	rules := rulesForTest(t, dir)
	promConfig := filepath.Join(dir, "prometheus.yml")
	writeFile(t, promConfig, fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files: ['%s']
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['%s']
scrape_configs:
  - job_name: billing
    static_configs:
      - targets: ['%s']
`, strings.Join(rules, "', '"), amAddr, exporterAddr))
	start(t, prometheus, "--config.file="+promConfig, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+promAddr, "--rules.alert.resend-delay=1s")

	poll(t, "Prometheus to scrape the exporter", 60*time.Second, func() (bool, string) {
		res, err := query(s.prometheus, `billing_up`)
		return err == nil && len(res) > 0, fmt.Sprint(err)
	})
	return s
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

type sample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

// query runs an instant query and returns its vector.
func query(base, expr string) ([]sample, error) {
	code, body, err := httpGet(base + "/api/v1/query?" + url.Values{"query": {expr}}.Encode())
	if err != nil {
		return nil, err
	}
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("HTTP %d: %s", code, tail(string(body), 300))
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("query %q: %s", expr, r.Error)
	}
	if r.Data.ResultType == "scalar" {
		return []sample{{}}, nil
	}
	var v []sample
	if err := json.Unmarshal(r.Data.Result, &v); err != nil {
		return nil, err
	}
	return v, nil
}

func TestEndToEnd(t *testing.T) {
	for _, v := range prometheusVersions {
		t.Run(v.name, func(t *testing.T) {
			began := time.Now()
			s := startStack(t, v.find(t))
			t.Run("alerts reach Alertmanager", func(t *testing.T) { checkAlerts(t, s) })
			t.Run("every dashboard query returns data", func(t *testing.T) { checkDashboards(t, s) })
			t.Run("Prometheus reads the cached gzip scrape", func(t *testing.T) { checkCachedScrape(t, s) })
			t.Logf("%s: %s", v.name, time.Since(began).Round(100*time.Millisecond))
		})
	}
}

// checkDashboards runs every panel query of dashboards/ (Grafana variables
// substituted) against the Prometheus that scraped the demo and requires
// data back. Recording rules and ALERTS need a few evaluations: poll.
func checkDashboards(t *testing.T, s *stack) {
	queries, err := dashgen.Queries("../dashboards")
	if err != nil || len(queries) == 0 {
		t.Fatalf("%d queries: %v", len(queries), err)
	}
	pending := queries
	poll(t, "every dashboard query to return data", 60*time.Second, func() (bool, string) {
		var still []dashgen.Query
		for _, q := range pending {
			res, err := query(s.prometheus, dashgen.Substitute(q.Expr))
			if err != nil || len(res) == 0 {
				still = append(still, q)
			}
		}
		pending = still
		var names []string
		for _, q := range pending {
			names = append(names, fmt.Sprintf("%s / %s / %s: %s", q.Dashboard, q.Panel, q.RefID, q.Expr))
		}
		return len(pending) == 0, strings.Join(names, "\n")
	})
	t.Logf("%d dashboard queries returned data", len(queries))
}

func checkAlerts(t *testing.T, s *stack) {
	for _, want := range []map[string]string{
		{"alertname": "BillingNCloudCreditExpiringUnused", "severity": "warning", "account": "main", "member_no": "10000001", "discount_no": "90001"},
		{"alertname": "BillingNCloudCoinExpiringUnused", "severity": "warning", "account": "main", "member_no": "10000003", "discount_no": "90002"},
		{"alertname": "BillingVGPBalanceLow", "severity": "warning", "account": "kiosk", "caller": "Vroomgo"},
		{"alertname": "BillingWatchdog", "severity": "none"},
		{"alertname": "BillingPortOnePaymentFailed", "severity": "critical", "account": "shop", "customer_uid": "cust_payment_failed"},
		{"alertname": "BillingPortOneSubscriptionLapsing", "severity": "warning", "account": "shop", "customer_uid": "cust_lapsing"},
		{"alertname": "BillingPortOnePaymentFailed", "severity": "critical", "account": "store", "customer_uid": "cust_v2_failed"},
		{"alertname": "BillingPortOneSubscriptionLapsing", "severity": "warning", "account": "store", "customer_uid": "cust_v2_lapsing"},
		{"alertname": "BillingNCloudInvoiceOverdue", "severity": "critical", "account": "main", "member_no": "10000002", "currency": "KRW"},
		{"alertname": "BillingNCloudInvoiceUnpaid", "severity": "warning", "account": "main", "member_no": "10000002"},
	} {
		var got map[string]string
		poll(t, fmt.Sprintf("alert %v at the webhook", want), 60*time.Second, func() (bool, string) {
			a, seen := s.hook.find(want)
			got = a
			return a != nil, fmt.Sprint(seen)
		})
		if got["annotation:summary"] == "" || !strings.Contains(got["annotation:runbook_url"], "#runbook-") {
			t.Errorf("%s arrived without summary or runbook: %v", want["alertname"], got)
		}
	}
	// Healthy accounts do not page.
	for _, quiet := range []map[string]string{
		{"alertname": "BillingVGPBalanceLow", "account": "fleet"},
		{"alertname": "BillingCollectorDown"},
		{"alertname": "BillingPortOnePaymentFailed", "customer_uid": "cust_lapsing"},
		{"alertname": "BillingNCloudInvoiceUnpaid", "member_no": "10000001"},
	} {
		if a, _ := s.hook.find(quiet); a != nil {
			t.Errorf("unexpected alert %v", a)
		}
	}
}
