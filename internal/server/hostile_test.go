package server

import (
	"context"
	"net/http"
	"testing"
)

// HEAD on a scrape endpoint answers from the headers alone: a monitoring
// check or a load balancer probing with HEAD costs no upstream call.
func TestHEADCallsNoUpstream(t *testing.T) {
	ts, sim := testServer(t)
	for _, path := range []string{"/metrics", "/probe?target=vgp/ok"} {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodHead, ts.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") == "" {
			t.Errorf("HEAD %s: %d, Content-Type %q", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	if n := len(sim.Requests()); n != 0 {
		t.Errorf("HEAD requests caused %d upstream calls", n)
	}
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodHead, ts.URL+"/probe?target=vgp/nobody", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("HEAD of an unknown probe target: %d, want 400", resp.StatusCode)
	}
}
