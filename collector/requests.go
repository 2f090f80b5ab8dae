package collector

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// RequestCounter counts upstream HTTP requests by provider, account and
// outcome. It outlives reloads, so it is created once and passed to New.
type RequestCounter struct {
	vec *prometheus.CounterVec
}

// NewRequestCounter registers billing_upstream_requests_total with reg.
func NewRequestCounter(reg prometheus.Registerer) *RequestCounter {
	vec := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace,
		Name:      "upstream_requests_total",
		Help:      "billing_exporter: Upstream HTTP requests by HTTP status code, or code=\"error\" when no response arrived.",
	}, []string{"provider", "account", "code"})
	reg.MustRegister(vec)
	return &RequestCounter{vec: vec}
}

// Transport wraps base so that every request it sends is counted.
func (r *RequestCounter) Transport(base http.RoundTripper, provider, account string) http.RoundTripper {
	return &countingTransport{base: base, vec: r.vec, provider: provider, account: account}
}

// ForgetRemoved drops the series of accounts that old had and cur has not,
// so that accounts removed by a reload stop producing series.
func (r *RequestCounter) ForgetRemoved(old, cur *Exporter) {
	kept := map[Account]bool{}
	for _, a := range cur.Accounts() {
		kept[a] = true
	}
	for _, a := range old.Accounts() {
		if !kept[a] {
			r.vec.DeletePartialMatch(prometheus.Labels{"provider": a.Provider, "account": a.Name})
		}
	}
}

type countingTransport struct {
	base              http.RoundTripper
	vec               *prometheus.CounterVec
	provider, account string
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	code := "error"
	if err == nil {
		code = strconv.Itoa(resp.StatusCode)
	}
	t.vec.WithLabelValues(t.provider, t.account, code).Inc()
	return resp, err
}
