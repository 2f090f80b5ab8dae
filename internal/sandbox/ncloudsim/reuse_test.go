package ncloudsim

import (
	"net/http"
	"testing"
)

// With ReuseResponses the same request gets the same bytes (requestId
// included) and is still counted; other parameters get their own answer,
// and errors are not kept.
func TestReuseResponses(t *testing.T) {
	s, c := start(t, Options{ReuseResponses: true}, Generate(GenerateOptions{Seed: 1, Now: testNow, Credits: 30}))
	a := c.get(t, ActionCreditHistory, "pageNo=1&pageSize=10")
	b := c.get(t, ActionCreditHistory, "pageNo=1&pageSize=10")
	if a.status != http.StatusOK || a.body != b.body {
		t.Fatalf("status %d; second answer differs: %t", a.status, a.body != b.body)
	}
	if other := c.get(t, ActionCreditHistory, "pageNo=2&pageSize=10"); other.body == a.body {
		t.Error("page 2 got page 1's answer")
	}
	if bad := c.get(t, ActionCreditHistory, "pageSize=5000"); bad.status != http.StatusBadRequest {
		t.Errorf("pageSize=5000: status %d", bad.status)
	}
	if n := s.Calls(testKey, ActionCreditHistory); n != 4 {
		t.Errorf("Calls = %d, want 4", n)
	}
}
