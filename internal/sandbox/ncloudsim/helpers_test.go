package ncloudsim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testNow is the fake gateway clock in every test.
var testNow = time.Date(2025, 3, 10, 9, 30, 0, 0, seoul)

const testKey, testSecret = "ncp_iam_TESTACCESSKEY0001", "ncp_iam_TESTSECRETKEY0000000000000000001"

// start serves a fresh Server with one account over real HTTP.
func start(t *testing.T, opts Options, d Data) (*Server, *client) {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return testNow }
	}
	s := New(opts)
	s.AddAccount(Account{AccessKey: testKey, SecretKey: testSecret, Data: d})
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, &client{base: ts.URL, prefix: "/billing/v1/discount/", key: testKey, secret: testSecret, ts: testNow}
}

// client signs requests independently of the Server's code paths except sign,
// which TestSignVectors pins to the documented vectors.
type client struct {
	base, prefix string
	key, secret  string
	ts           time.Time
	http         *http.Client // nil = http.DefaultClient
}

type reply struct {
	status int
	header http.Header
	body   string
}

// get calls action with the query exactly as given (the string is signed as sent).
func (c *client) get(t *testing.T, action, query string) reply {
	t.Helper()
	return c.do(t, context.Background(), http.MethodGet, action, query, nil)
}

// post sends form as an application/x-www-form-urlencoded body.
func (c *client) post(t *testing.T, action string, form url.Values) reply {
	t.Helper()
	return c.do(t, context.Background(), http.MethodPost, action, "", form)
}

func (c *client) do(t *testing.T, ctx context.Context, method, action, query string, form url.Values) reply {
	t.Helper()
	resp, err := c.send(ctx, method, action, query, form)
	if err != nil {
		t.Fatal(err)
	}
	return readReply(t, resp)
}

func readReply(t *testing.T, resp *http.Response) reply {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, string(b)}
}

func (c *client) send(ctx context.Context, method, action, query string, form url.Values) (*http.Response, error) {
	u := c.base + c.prefix + action
	if query != "" {
		u += "?" + query
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	ms := strconv.FormatInt(c.ts.UnixMilli(), 10)
	req.Header.Set("x-ncp-apigw-timestamp", ms)
	req.Header.Set("x-ncp-iam-access-key", c.key)
	req.Header.Set("x-ncp-apigw-signature-v2", sign(method, req.URL.RequestURI(), ms, c.key, c.secret))
	if c.http != nil {
		return c.http.Do(req)
	}
	return http.DefaultClient.Do(req)
}

// jsonBody decodes a JSON reply, failing the test on anything else.
func jsonBody(t *testing.T, r reply) map[string]any {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
		t.Fatalf("Content-Type = %q, want JSON; body %s", ct, r.body)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("%v in %s", err, r.body)
	}
	return m
}

// listReply decodes a successful JSON list response: its totalRows and items.
func listReply(t *testing.T, r reply, action, list string) (int, []map[string]any) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	root, ok := jsonBody(t, r)[action+"Response"].(map[string]any)
	if !ok {
		t.Fatalf("no %sResponse object in %s", action, r.body)
	}
	arr, ok := root[list].([]any)
	if !ok {
		t.Fatalf("%s is %T, want an array", list, root[list])
	}
	items := make([]map[string]any, len(arr))
	for i, v := range arr {
		items[i] = v.(map[string]any)
	}
	return int(root["totalRows"].(float64)), items
}

// path walks nested objects: path(m, "credit", "discountNo").
func path(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		v = v.(map[string]any)[k]
	}
	return v
}
