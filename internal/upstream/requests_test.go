package upstream

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// roundTripFunc answers in process.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Every attempt is counted by its status code, or code="error" when no
// response arrived; a retired account's transport counts nothing more and
// its series are gone, while the kept account's stay.
func TestRequestCounter(t *testing.T) {
	reg := prometheus.NewRegistry()
	r := NewRequestCounter(reg)
	codes := []int{200, 503, 0, 200}
	i := 0
	base := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		c := codes[i%len(codes)]
		i++
		if c == 0 {
			return nil, errors.New("connection refused")
		}
		return &http.Response{StatusCode: c, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
	})
	gone := r.Transport(base, "vgp", "gone")
	kept := r.Transport(base, "ncloud", "kept")
	send := func(rt http.RoundTripper) {
		req, _ := http.NewRequest(http.MethodGet, "http://upstream.invalid/", nil)
		if resp, err := rt.RoundTrip(req); err == nil {
			resp.Body.Close()
		}
	}
	for range 4 {
		send(gone)
	}
	send(kept)
	want := `
# HELP billing_upstream_requests_total billing_exporter: Upstream HTTP requests by HTTP status code, or code="error" when no response arrived.
# TYPE billing_upstream_requests_total counter
billing_upstream_requests_total{account="gone",code="200",provider="vgp"} 2
billing_upstream_requests_total{account="gone",code="503",provider="vgp"} 1
billing_upstream_requests_total{account="gone",code="error",provider="vgp"} 1
billing_upstream_requests_total{account="kept",code="200",provider="ncloud"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Fatal(err)
	}
	if p, a := gone.Account(); p != "vgp" || a != "gone" {
		t.Errorf("Account() = %s/%s", p, a)
	}

	r.Forget([]*CountingTransport{gone, kept}, func(provider, account string) bool { return account == "kept" })
	send(gone) // in flight from the old configuration
	send(kept)
	want = `
# HELP billing_upstream_requests_total billing_exporter: Upstream HTTP requests by HTTP status code, or code="error" when no response arrived.
# TYPE billing_upstream_requests_total counter
billing_upstream_requests_total{account="kept",code="200",provider="ncloud"} 1
billing_upstream_requests_total{account="kept",code="error",provider="ncloud"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Fatal(err)
	}
}
