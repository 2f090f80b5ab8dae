package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/sandbox"
	"github.com/billingexporter/billing_exporter/internal/sandbox/fault"
	"github.com/billingexporter/billing_exporter/internal/sandbox/portonesim"
	"github.com/billingexporter/billing_exporter/internal/upstream"
)

// TestNoSecretsOrPersonalData runs the demo through healthy scrapes and
// every kind of failure, with debug logging, and searches every log line,
// every metric, the status page (HTML and JSON), the landing page and each
// account's /probe for the configured secrets and access keys, the
// credentials the requests carried (PortOne tokens, NCP signatures), and
// the upstreams' personal data. Among the faults are upstreams that echo
// the whole request (headers and body) in their error fields, a VGP
// gateway error that names the member, a PortOne HTML error page with
// buyer fields, and error messages with forged log lines.
func TestNoSecretsOrPersonalData(t *testing.T) {
	s := newFaultStack(t, func(c *config.Config) { c.Global.MaxRetries = 1 }, nil)
	var pages []string
	collect := func() {
		paths := []string{"/metrics", "/status", "/status?format=json", "/"}
		for _, a := range s.demo.Config.NCloud {
			paths = append(paths, "/probe?target=ncloud/"+a.Name)
		}
		for _, a := range s.demo.Config.VGP {
			paths = append(paths, "/probe?target=vgp/"+a.Name)
		}
		for _, a := range s.demo.Config.PortOne {
			paths = append(paths, "/probe?target=portone/"+a.Name)
		}
		for _, p := range paths {
			_, b, err := httpGet(s.url + p)
			if err != nil {
				t.Fatal(err)
			}
			pages = append(pages, string(b))
		}
	}
	collect()
	buyer := s.demo.PersonalData()[3] // a PortOne buyer's name (after the VGP phone, +phone and e-mail)
	forged := "\nlevel=ERROR msg=\"forged line\"\r\n\u001b[31m"
	faults := []fault.Fault{
		{Status: 500, Body: `{"error":{"errorCode":"900","message":"Unexpected Error"}}`},
		{Status: 401, Body: `{"code":-1,"message":"Unauthorized","response":null}`},
		{Status: 200, Body: `{"status":"3200","response":"Not Member"}`},
		{Status: 200, ContentType: "text/html", Body: "<html>proxy error</html>"},
		{Reset: true},
		{Status: 200, Body: `{"a":`, Truncate: true},
		// Upstreams echoing the request in every field they have.
		{Status: 400, Echo: true, Body: `{"error":{"errorCode":"{{request}}","message":"{{request}}"},"code":-1,"message":"{{request}}","status":"3400","response":"{{request}}"}`},
		{Status: 200, Echo: true, Body: `{"code":1,"message":"{{request}}","status":"3100","response":"{{request}}","getCoinHistoryListResponse":{"returnCode":"1","returnMessage":"{{request}}"}}`},
		{Status: 200, Echo: true, ContentType: "application/xml", Body: `<getCoinHistoryListResponse><returnCode>1</returnCode><returnMessage>{{request}}</returnMessage></getCoinHistoryListResponse>`},
		{Status: 502, Echo: true, ContentType: "text/html", Body: `<html><body><h1>502</h1><pre>{{request}}</pre></body></html>`},
		// Personal data in an error message and an error page.
		{Status: 502, Body: `{"message":"member ` + sandbox.DemoVGPPhone + ` (+82 10-1234-5678, 010.1234.5678) / ` + strings.ToUpper(sandbox.DemoVGPLowEmail) + ` failed"}`},
		{Status: 500, ContentType: "text/html; charset=utf-8", Body: `<html><body>buyer_name=` + buyer + ` buyer_tel=010-1234-5678</body></html>`},
		// Control characters that would forge log lines or garble a terminal.
		{Status: 500, Body: `{"code":-1,"message":"` + forged + `","error":{"errorCode":"` + forged + `","message":"` + forged + `"},"status":"3400","response":"` + forged + `"}`},
	}
	for _, f := range faults {
		for _, p := range providers {
			p.set(s.demo, f)
		}
		s.demo.PortOne.SetFault(sandbox.DemoPortOneImpKey, portonesim.PathToken, f)
		collect()
		s.demo.PortOne.SetFault(sandbox.DemoPortOneImpKey, portonesim.PathToken, fault.Fault{})
	}
	for _, p := range providers {
		p.set(s.demo, fault.Fault{})
	}
	s.demo.PortOne.SetFault("", "", portonesim.Fault{})
	s.demo.PortOne.ExpireTokens()
	collect()

	logs := s.logs.String()
	if !strings.Contains(logs, "level=DEBUG") || !strings.Contains(logs, "Refreshing upstream data failed") {
		t.Fatalf("the run logged no debug lines or no failures:\n%s", tail(logs, 1000))
	}
	if !strings.Contains(logs, upstream.Redacted) {
		t.Errorf("no echo was redacted: the echo faults did not reach the exporter")
	}
	var secrets []string
	for _, a := range s.demo.Config.NCloud {
		secrets = append(secrets, a.Sensitive()...)
	}
	for _, a := range s.demo.Config.PortOne {
		secrets = append(secrets, a.Sensitive()...)
	}
	secrets = append(append(secrets, s.demo.Secrets()...), s.demo.Carried()...)
	if len(s.demo.Carried()) < 3 {
		t.Fatalf("only %d credentials seen on the wire", len(s.demo.Carried()))
	}
	personal := append(s.demo.PersonalData(), "+82 10-1234-5678", "010-1234-5678", "010.1234.5678", strings.ToUpper(sandbox.DemoVGPLowEmail))
	for _, v := range append(secrets, personal...) {
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
	for l := range strings.SplitSeq(logs, "\n") {
		if strings.Contains(l, "forged line") && !strings.HasPrefix(l, "time=") || strings.Contains(l, "\x1b") || strings.Contains(l, "\r") {
			t.Errorf("a forged or garbled log line: %q", l)
		}
	}
	for _, p := range pages {
		if strings.Contains(p, "\x1b") {
			t.Errorf("a page carries a control character")
		}
	}
	t.Logf("searched %d log bytes and %d pages under %d faults for %d secrets and credentials and %d personal values",
		len(logs), len(pages), len(faults)+6, len(secrets), len(personal))
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
		s := newFaultStack(t, func(c *config.Config) {
			c.PortOne[0].ImpSecret = "not-the-secret"
			c.PortOne[1].APISecret = "not-the-v2-secret" // the V2 store
		}, nil)
		got, _ := s.scrape(t)
		assertOnlyDown(t, got, "portone")
		line := lastLine(s.logs.String(), "portone getToken")
		if !strings.Contains(line, "Refreshing upstream data failed") || !strings.Contains(line, "http_status=401") || strings.Contains(s.logs.String(), "not-the-secret") {
			t.Errorf("log line %q", line)
		}
		line = lastLine(s.logs.String(), "portone v2 payment-schedules")
		if !strings.Contains(line, "Refreshing upstream data failed") || !strings.Contains(line, "http_status=401") ||
			!strings.Contains(line, "UNAUTHORIZED") || strings.Contains(s.logs.String(), "not-the-v2-secret") {
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
	if n != 12 {
		t.Errorf("%d billing_up series, want 12", n)
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
