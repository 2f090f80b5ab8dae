package server

import (
	"html"
	"net/http"
	"net/url"

	"github.com/prometheus/exporter-toolkit/web"

	"github.com/billingexporter/billing_exporter/collector"
)

// demoNotice is shown on / and /status under --demo, so that nobody takes
// the demo's numbers for real ones.
const demoNotice = "demo mode: fake upstreams"

// newLanding renders the landing page for exporter e. exporter-toolkit's
// landing page is a text/template that escapes nothing, so every text and
// address is escaped here. The /probe link points at the first configured
// account (a made-up one would answer 400); without accounts there is none.
func (s *Server) newLanding(e *collector.Exporter) (*web.LandingPageHandler, error) {
	esc := html.EscapeString
	links := []web.LandingLinks{
		{Address: esc(s.o.MetricsPath), Text: "Metrics"},
		{Address: "/status", Text: "Status", Description: "Every account and collector: last success, last error, duration, series"},
	}
	if e != nil {
		if accounts := e.Accounts(); len(accounts) > 0 {
			target := accounts[0].Provider + "/" + accounts[0].Name
			links = append(links, web.LandingLinks{
				Address:     esc("/probe?target=" + url.QueryEscape(target)),
				Text:        esc("Probe " + target),
				Description: esc("One account's series: /probe?target=<provider>/<account>[&collector=<name>]"),
			})
		}
	}
	var extra string
	if s.o.Demo {
		extra = `<p id="demo"><strong>` + esc(demoNotice) + `</strong>: every account is served by fake upstreams on loopback; no real billing API is called.</p>`
	}
	return web.NewLandingPage(web.LandingConfig{
		Name:        "Billing Exporter",
		Description: "Prometheus exporter for NAVER Cloud, VGP and PortOne billing APIs",
		Version:     esc(s.o.Version),
		Profiling:   "false",
		Links:       links,
		ExtraHTML:   extra,
	})
}

func (s *Server) serveLanding(w http.ResponseWriter, r *http.Request) {
	h := s.landing.Load()
	if h == nil {
		http.Error(w, "No configuration loaded yet", http.StatusServiceUnavailable)
		return
	}
	h.ServeHTTP(w, r)
}
