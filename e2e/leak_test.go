package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/sandbox/fault"
	"github.com/billingexporter/billing_exporter/internal/sandbox/portonesim"
)

// TestNoSecretsOrPersonalData runs the demo through healthy scrapes and
// every kind of failure, with debug logging, and searches every log line,
// every metric, the status page (HTML and JSON) and the landing page for
// the configured secrets and the upstreams' personal data.
func TestNoSecretsOrPersonalData(t *testing.T) {
	s := newFaultStack(t, func(c *config.Config) { c.Global.MaxRetries = 1 }, nil)
	var pages []string
	collect := func() {
		_, body, err := httpGet(s.url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, string(body))
		for _, p := range []string{"/status", "/status?format=json", "/"} {
			_, b, err := httpGet(s.url + p)
			if err != nil {
				t.Fatal(err)
			}
			pages = append(pages, string(b))
		}
	}
	collect()
	for _, f := range []fault.Fault{
		{Status: 500, Body: `{"error":{"errorCode":"900","message":"Unexpected Error"}}`},
		{Status: 401, Body: `{"code":-1,"message":"Unauthorized","response":null}`},
		{Status: 200, Body: `{"status":"3200","response":"Not Member"}`},
		{Status: 200, ContentType: "text/html", Body: "<html>proxy error</html>"},
		{Reset: true},
		{Status: 200, Body: `{"a":`, Truncate: true},
	} {
		for _, p := range providers {
			p.set(s.demo, f)
		}
		collect()
	}
	s.demo.PortOne.SetFault("", "", portonesim.Fault{})
	s.demo.PortOne.ExpireTokens()
	collect()

	logs := s.logs.String()
	if !strings.Contains(logs, "level=DEBUG") || !strings.Contains(logs, "Refreshing upstream data failed") {
		t.Fatalf("the run logged no debug lines or no failures:\n%s", tail(logs, 1000))
	}
	for _, v := range append(s.demo.Secrets(), s.demo.PersonalData()...) {
		if v == "" {
			continue
		}
		if strings.Contains(logs, v) {
			t.Errorf("logs contain %q", mask(v))
		}
		for _, p := range pages {
			if strings.Contains(p, v) {
				t.Errorf("an HTTP page contains %q", mask(v))
				break
			}
		}
	}
	t.Logf("searched %d log bytes and %d pages for %d secrets and %d personal values",
		len(logs), len(pages), len(s.demo.Secrets()), len(s.demo.PersonalData()))
}

// mask shows enough of a value to find it without printing it whole.
func mask(v string) string {
	if len(v) <= 4 {
		return "****"
	}
	return v[:4] + strings.Repeat("*", len(v)-4)
}

// TestTokenAndClockFaults: an expired PortOne token is renewed without a
// failed collection; a wrong imp_secret and an NCP clock outside the
// signature window fail only their own collectors, with the upstream's code.
func TestTokenAndClockFaults(t *testing.T) {
	t.Run("expired token", func(t *testing.T) {
		s := newFaultStack(t, nil, nil)
		s.scrape(t)
		issued := s.demo.PortOne.TokensIssued()
		s.demo.PortOne.ExpireTokens()
		got, _ := s.scrape(t)
		if got[`billing_up{account="shop",collector="schedules",provider="portone"}`] != 1 {
			t.Error("the collection failed on an expired token")
		}
		if got[`billing_upstream_requests_total{account="shop",code="401",provider="portone"}`] != 1 || s.demo.PortOne.TokensIssued() != issued+1 {
			t.Errorf("want one 401 and one new token; tokens %d -> %d", issued, s.demo.PortOne.TokensIssued())
		}
	})
	t.Run("wrong imp_secret", func(t *testing.T) {
		s := newFaultStack(t, func(c *config.Config) { c.PortOne[0].ImpSecret = "not-the-secret" }, nil)
		got, _ := s.scrape(t)
		assertOnlyDown(t, got, "portone")
		line := lastLine(s.logs.String(), "Refreshing upstream data failed")
		if !strings.Contains(line, "http_status=401") || !strings.Contains(line, "portone getToken") || strings.Contains(s.logs.String(), "not-the-secret") {
			t.Errorf("log line %q", line)
		}
	})
	t.Run("NCP timestamp outside the window", func(t *testing.T) {
		skewed := func() time.Time { return time.Now().Add(10 * time.Minute) }
		s := newFaultStack(t, nil, skewed)
		got, _ := s.scrape(t)
		assertOnlyDown(t, got, "ncloud")
		line := lastLine(s.logs.String(), "Refreshing upstream data failed")
		if !strings.Contains(line, "upstream_code=200") || !strings.Contains(line, "Authentication Failed") {
			t.Errorf("log line %q", line)
		}
	})
}

// assertOnlyDown checks that exactly the collectors of provider are down.
func assertOnlyDown(t *testing.T, got map[string]float64, provider string) {
	t.Helper()
	n := 0
	for k, v := range got {
		if !strings.HasPrefix(k, "billing_up{") {
			continue
		}
		n++
		want := 1.0
		if strings.Contains(k, `provider="`+provider+`"`) {
			want = 0
		}
		if v != want {
			t.Errorf("%s = %v, want %v", k, v, want)
		}
	}
	if n != 11 {
		t.Errorf("%d billing_up series, want 11", n)
	}
}

// TestStaleValues: after a failed refresh the last good values are served
// until stale_after, then dropped; billing_up shows the failure throughout.
func TestStaleValues(t *testing.T) {
	s := newFaultStack(t, func(c *config.Config) { c.Global.StaleAfter = config.Duration(1500 * time.Millisecond) }, nil)
	good, _ := s.scrape(t)
	for _, p := range providers {
		p.set(s.demo, fault.Fault{Status: 400, Body: "{}"})
	}
	isAffected := func(k string, p provider) bool {
		return strings.Contains(k, `account="`+p.account+`"`) && !strings.HasPrefix(k, "billing_up") && !strings.HasPrefix(k, "billing_collector_") &&
			!strings.HasPrefix(k, "billing_upstream_") && !strings.HasPrefix(k, "billing_alert_") &&
			(p.name != "ncloud" || strings.Contains(k, "coin"))
	}
	stale, _ := s.scrape(t)
	for _, p := range providers {
		n := 0
		for k, v := range good {
			if isAffected(k, p) {
				n++
				if stale[k] != v {
					t.Errorf("%s: stale value %v, want the last good %v", k, stale[k], v)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no series to check", p.name)
		}
		if up := stale[`billing_up{account="`+p.account+`",collector="`+p.collector+`",provider="`+p.name+`"}`]; up != 0 {
			t.Errorf("%s: billing_up %v while serving stale values", p.name, up)
		}
	}
	var dropped map[string]float64
	poll(t, "stale values to be dropped", 10*time.Second, func() (bool, string) {
		dropped, _ = s.scrape(t)
		for k := range dropped {
			for _, p := range providers {
				if isAffected(k, p) {
					return false, k
				}
			}
		}
		return true, ""
	})
	if len(upstreamSeries(dropped, `account="kiosk"`)) == 0 {
		t.Error("healthy accounts' series vanished too")
	}
}
