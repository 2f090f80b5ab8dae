package upstream

import (
	"fmt"
	"net/http"

	promconfig "github.com/prometheus/common/config"
)

// NewConfiguredTransport returns the base transport of an account that has
// an http_client_config: prometheus/common's round tripper (proxy, proxy
// CONNECT headers, TLS with CA, client certificate and server name, HTTP/2),
// the same one Prometheus and blackbox_exporter scrape with. The retry and
// counting layers go on top of it. name labels its connection tracing.
func NewConfiguredTransport(cfg promconfig.HTTPClientConfig, name string) (http.RoundTripper, error) {
	rt, err := promconfig.NewRoundTripperFromConfig(cfg, name)
	if err != nil {
		return nil, fmt.Errorf("http_client_config: %w", err)
	}
	return rt, nil
}

// CheckRedirect is the http.Client redirect policy for follow_redirects:
// nil (Go's default of up to 10 redirects) when following, otherwise one
// that hands the 3xx answer back, as Prometheus does.
func CheckRedirect(follow bool) func(*http.Request, []*http.Request) error {
	if follow {
		return nil
	}
	return func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
}
