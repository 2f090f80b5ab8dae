package portonesim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2024, 3, 15, 12, 0, 0, 0, kst)

// clock is a settable Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

type fixture struct {
	srv   *Server
	ts    *httptest.Server
	clock *clock
}

func start(t *testing.T, opts Options, merchants ...Merchant) *fixture {
	t.Helper()
	c := &clock{t: t0}
	if opts.Now == nil {
		opts.Now = c.Now
	}
	s := New(opts)
	for _, m := range merchants {
		s.AddMerchant(m)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &fixture{srv: s, ts: ts, clock: c}
}

// reply is a decoded answer with its raw body.
type reply struct {
	status   int
	raw      string
	Code     int             `json:"code"`
	Message  *string         `json:"message"`
	Response json.RawMessage `json:"response"`
}

func (f *fixture) do(t *testing.T, req *http.Request) reply {
	t.Helper()
	r, err := f.fetch(req)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// fetch sends req and decodes the answer; unlike do it may run off the test goroutine.
func (f *fixture) fetch(req *http.Request) (reply, error) {
	resp, err := f.ts.Client().Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, err
	}
	r := reply{status: resp.StatusCode, raw: string(b)}
	if err := json.Unmarshal(b, &r); err != nil {
		return reply{}, fmt.Errorf("body %q: %w", b, err)
	}
	return r, nil
}

func (f *fixture) tokenJSON(t *testing.T, key, secret string) reply {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"imp_key": key, "imp_secret": secret})
	req, _ := http.NewRequest(http.MethodPost, f.ts.URL+PathToken, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	return f.do(t, req)
}

// token returns a fresh access token, failing the test otherwise.
func (f *fixture) token(t *testing.T, key, secret string) string {
	t.Helper()
	r := f.tokenJSON(t, key, secret)
	var tok tokenResponse
	if err := json.Unmarshal(r.Response, &tok); err != nil || r.status != 200 {
		t.Fatalf("getToken: %d %s", r.status, r.raw)
	}
	return tok.AccessToken
}

// get sends an authenticated GET with the raw token in Authorization.
func (f *fixture) get(t *testing.T, tok, path string, q url.Values) reply {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.ts.URL+path+"?"+q.Encode(), nil)
	req.Header.Set("Authorization", tok)
	return f.do(t, req)
}

func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

func decodePage(t *testing.T, r reply) page {
	t.Helper()
	var p page
	if err := json.Unmarshal(r.Response, &p); err != nil {
		t.Fatalf("response %s: %v", r.Response, err)
	}
	return p
}

func customerPath(uid string) string {
	return "/subscribe/customers/" + url.PathEscape(uid) + "/schedules"
}
