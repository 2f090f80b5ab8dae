package ncloudsim

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The vectors of api-notes 2.1.
func TestSignVectors(t *testing.T) {
	for _, v := range []struct {
		method, uri, ts, key, secret, want string
	}{
		{"GET", "/billing/v1/discount/getCreditHistoryList?responseFormatType=json&pageNo=1&pageSize=1000",
			"1700000000000", testKey, testSecret, "TsicB7eYuEciqR6H7T+NAzLIdI+7LPLZFUEGv/lF4QA="},
		{"GET", "/billing/v1/discount/getProductDemandCostByDiscountList?startMonth=202401&endMonth=202403&responseFormatType=json",
			"1700000000000", testKey, testSecret, "5inmUZWb0kwHPMw77X/8dH6AzMJr9OfpPydL0cLg+rg="},
		{"GET", "/photos/puppy.jpg?query1=&query2",
			"1593848345548", "AccessKeyExample", "SecretKeyExample", "Bjc9+scuISiTBOIPGe0xDC1JXwNiixm+yZNweKg1gBg="},
	} {
		if got := sign(v.method, v.uri, v.ts, v.key, v.secret); got != v.want {
			t.Errorf("sign(%s %s) = %s, want %s", v.method, v.uri, got, v.want)
		}
	}
}

// Vector 1 sent over HTTP at its own timestamp is accepted.
func TestVectorOverHTTP(t *testing.T) {
	s, c := start(t, Options{Now: func() time.Time { return time.UnixMilli(1700000000000) }}, SeedData())
	req, err := http.NewRequest(http.MethodGet, c.base+"/billing/v1/discount/getCreditHistoryList?responseFormatType=json&pageNo=1&pageSize=1000", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("x-ncp-apigw-timestamp", "1700000000000")
	req.Header.Set("x-ncp-iam-access-key", testKey)
	req.Header.Set("x-ncp-apigw-signature-v2", "TsicB7eYuEciqR6H7T+NAzLIdI+7LPLZFUEGv/lF4QA=")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || s.Calls(testKey, ActionCreditHistory) != 1 {
		t.Fatalf("status %d, calls %d; want 200 and 1", resp.StatusCode, s.Calls(testKey, ActionCreditHistory))
	}
}

func TestAuthFailures(t *testing.T) {
	const uri = "/billing/v1/discount/getCreditHistoryList?pageNo=1"
	ms := func(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
	valid := func(ts time.Time) map[string]string {
		return map[string]string{
			"x-ncp-apigw-timestamp":    ms(ts),
			"x-ncp-iam-access-key":     testKey,
			"x-ncp-apigw-signature-v2": sign("GET", uri, ms(ts), testKey, testSecret),
		}
	}
	with := func(h map[string]string, k, v string) map[string]string {
		h[k] = v
		if v == "" {
			delete(h, k)
		}
		return h
	}
	for _, tc := range []struct {
		name    string
		headers map[string]string
		details string // "" = accepted
	}{
		{"valid", valid(testNow), ""},
		{"4m59s early is inside the window", valid(testNow.Add(-4*time.Minute - 59*time.Second)), ""},
		{"4m59s late is inside the window", valid(testNow.Add(4*time.Minute + 59*time.Second)), ""},
		{"v1 header name", with(with(valid(testNow), "x-ncp-apigw-signature-v1", valid(testNow)["x-ncp-apigw-signature-v2"]), "x-ncp-apigw-signature-v2", ""), ""},
		{"stale timestamp", valid(testNow.Add(-5*time.Minute - time.Second)), "5 minutes"},
		{"future timestamp", valid(testNow.Add(6 * time.Minute)), "5 minutes"},
		{"timestamp in seconds", with(valid(testNow), "x-ncp-apigw-timestamp", strconv.FormatInt(testNow.Unix(), 10)), "5 minutes"},
		{"malformed timestamp", with(valid(testNow), "x-ncp-apigw-timestamp", "yesterday"), "malformed"},
		{"no timestamp", with(valid(testNow), "x-ncp-apigw-timestamp", ""), "missing header x-ncp-apigw-timestamp"},
		{"no access key", with(valid(testNow), "x-ncp-iam-access-key", ""), "missing header x-ncp-iam-access-key"},
		{"no signature", with(valid(testNow), "x-ncp-apigw-signature-v2", ""), "missing header x-ncp-apigw-signature-v2"},
		{"unknown key", with(valid(testNow), "x-ncp-iam-access-key", "ncp_iam_OTHER"), "unknown access key"},
		{"wrong secret", with(valid(testNow), "x-ncp-apigw-signature-v2", sign("GET", uri, ms(testNow), testKey, "other")), "signature mismatch"},
		{"path without query signed", with(valid(testNow), "x-ncp-apigw-signature-v2", sign("GET", "/billing/v1/discount/getCreditHistoryList", ms(testNow), testKey, testSecret)), "signature mismatch"},
		{"path without prefix signed", with(valid(testNow), "x-ncp-apigw-signature-v2", sign("GET", "/discount/getCreditHistoryList?pageNo=1", ms(testNow), testKey, testSecret)), "signature mismatch"},
		{"other method signed", with(valid(testNow), "x-ncp-apigw-signature-v2", sign("POST", uri, ms(testNow), testKey, testSecret)), "signature mismatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, c := start(t, Options{}, SeedData())
			req, err := http.NewRequest(http.MethodGet, c.base+uri, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			r := readReply(t, resp)
			if tc.details == "" {
				if r.status != http.StatusOK || s.Calls(testKey, "") != 1 {
					t.Fatalf("status %d, calls %d; want 200 and 1: %s", r.status, s.Calls(testKey, ""), r.body)
				}
				return
			}
			if r.status != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401: %s", r.status, r.body)
			}
			e, ok := jsonBody(t, r)["error"].(map[string]any)
			if !ok || e["errorCode"] != "200" || e["message"] != "Authentication Failed" ||
				!strings.Contains(e["details"].(string), tc.details) {
				t.Errorf("body %s, want errorCode \"200\", Authentication Failed, details with %q", r.body, tc.details)
			}
			if strings.Contains(r.body, testSecret) {
				t.Error("the 401 body reveals the secret")
			}
			if n := s.Calls("", ""); n != 0 {
				t.Errorf("Calls = %d after a rejected request, want 0", n)
			}
			if log := s.Requests(); len(log) != 1 || log[0].Status != http.StatusUnauthorized {
				t.Errorf("Requests() = %+v, want one 401", log)
			}
		})
	}
}
