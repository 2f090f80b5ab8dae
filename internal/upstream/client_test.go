package upstream

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	promconfig "github.com/prometheus/common/config"
	"github.com/prometheus/common/promslog"
)

// An account's client counts every attempt under its own labels, follows
// redirects on the shared transport, and with an http_client_config of
// follow_redirects: false hands the redirect back as the answer.
func TestNewClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/new", http.StatusTemporaryRedirect)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	defer srv.Close()
	requests := NewRequestCounter(prometheus.NewRegistry())
	get := func(hc *promconfig.HTTPClientConfig, account string) (int, *CountingTransport) {
		t.Helper()
		client, counted, err := NewClient(ClientOptions{Provider: "vgp", Account: account, Base: NewTransport(),
			HTTPClientConfig: hc, Requests: requests, Retry: DefaultRetryPolicy, Logger: promslog.NewNopLogger()})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Get(srv.URL + "/old")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, counted
	}
	code, counted := get(nil, "shared")
	if p, a := counted.Account(); code != 200 || p != "vgp" || a != "shared" {
		t.Errorf("shared transport: HTTP %d, counted as %s/%s; want 200, vgp/shared", code, p, a)
	}
	noFollow := promconfig.DefaultHTTPClientConfig
	noFollow.FollowRedirects = false
	if code, _ := get(&noFollow, "own"); code != http.StatusTemporaryRedirect {
		t.Errorf("follow_redirects false: HTTP %d, want 307", code)
	}
	if n := testutil.CollectAndCount(requests.vec); n != 3 {
		t.Errorf("%d request series, want 3 (shared 307 and 200, own 307)", n)
	}
	if v := testutil.ToFloat64(requests.vec.WithLabelValues("vgp", "own", "307")); v != 1 {
		t.Errorf("own 307 counted %v times, want 1", v)
	}
}
