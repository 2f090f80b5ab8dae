package upstream

import (
	"net/http"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// RequestCounter counts upstream HTTP requests by provider, account and
// outcome. It outlives reloads, so it is created once and shared by every
// configuration's clients.
type RequestCounter struct {
	vec *prometheus.CounterVec
	// mu orders counting against forgetting: once an account's transports
	// are retired and its series deleted, a request still in flight from
	// the old configuration cannot bring the series back.
	mu sync.RWMutex
}

// NewRequestCounter registers billing_upstream_requests_total with reg.
func NewRequestCounter(reg prometheus.Registerer) *RequestCounter {
	vec := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "billing_upstream_requests_total",
		Help: "billing_exporter: Upstream HTTP requests by HTTP status code, or code=\"error\" when no response arrived.",
	}, []string{"provider", "account", "code"})
	reg.MustRegister(vec)
	return &RequestCounter{vec: vec}
}

// CountingTransport counts the requests of one account of one configuration.
type CountingTransport struct {
	base              http.RoundTripper
	r                 *RequestCounter
	provider, account string
	retired           bool // guarded by r.mu
}

// Transport wraps base so that every request it sends is counted.
func (r *RequestCounter) Transport(base http.RoundTripper, provider, account string) *CountingTransport {
	return &CountingTransport{base: base, r: r, provider: provider, account: account}
}

// Account returns the provider and account whose requests t counts.
func (t *CountingTransport) Account() (provider, account string) { return t.provider, t.account }

// CloseIdleConnections closes the idle connections of the transport
// underneath, if it keeps any.
func (t *CountingTransport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

func (t *CountingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	code := "error"
	if err == nil {
		code = strconv.Itoa(resp.StatusCode)
	}
	t.r.mu.RLock()
	if !t.retired {
		t.r.vec.WithLabelValues(t.provider, t.account, code).Inc()
	}
	t.r.mu.RUnlock()
	return resp, err
}

// Forget retires every transport in ts whose account kept does not report
// and drops that account's series, so that accounts removed by a reload
// stop producing series, even from requests still in flight.
func (r *RequestCounter) Forget(ts []*CountingTransport, kept func(provider, account string) bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range ts {
		if !kept(t.provider, t.account) {
			t.retired = true
			r.vec.DeletePartialMatch(prometheus.Labels{"provider": t.provider, "account": t.account})
		}
	}
}
