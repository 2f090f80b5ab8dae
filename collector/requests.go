package collector

import (
	"net/http"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// RequestCounter counts upstream HTTP requests by provider, account and
// outcome. It outlives reloads, so it is created once and passed to New.
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
		Namespace: namespace,
		Name:      "upstream_requests_total",
		Help:      "billing_exporter: Upstream HTTP requests by HTTP status code, or code=\"error\" when no response arrived.",
	}, []string{"provider", "account", "code"})
	reg.MustRegister(vec)
	return &RequestCounter{vec: vec}
}

// countingTransport counts the requests of one account of one exporter.
type countingTransport struct {
	base              http.RoundTripper
	r                 *RequestCounter
	provider, account string
	retired           bool // guarded by r.mu
}

// transport wraps base so that every request it sends is counted.
func (r *RequestCounter) transport(base http.RoundTripper, provider, account string) *countingTransport {
	return &countingTransport{base: base, r: r, provider: provider, account: account}
}

// CloseIdleConnections closes the idle connections of the transport
// underneath, if it keeps any.
func (t *countingTransport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
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

// ForgetRemoved drops the series of accounts that old had and cur has not,
// so that accounts removed by a reload stop producing series.
func (r *RequestCounter) ForgetRemoved(old, cur *Exporter) {
	kept := map[Account]bool{}
	for _, a := range cur.Accounts() {
		kept[a] = true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range old.transports {
		if a := (Account{t.provider, t.account}); !kept[a] {
			t.retired = true
			r.vec.DeletePartialMatch(prometheus.Labels{"provider": a.Provider, "account": a.Name})
		}
	}
}
