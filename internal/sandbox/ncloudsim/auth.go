package ncloudsim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"time"
)

// Header names of the NCP API gateway signature (api-notes 2.1).
const (
	headerTimestamp   = "x-ncp-apigw-timestamp"
	headerAccessKey   = "x-ncp-iam-access-key"
	headerSignatureV2 = "x-ncp-apigw-signature-v2"
	headerSignatureV1 = "x-ncp-apigw-signature-v1" // what most SDK packages send
)

// timestampWindow is how far the signed timestamp may be from the gateway clock.
const timestampWindow = 5 * time.Minute

// sign computes signature v2: Base64(HMAC-SHA256(secret,
// METHOD + " " + requestURI + "\n" + timestamp + "\n" + accessKey)).
func sign(method, requestURI, timestamp, accessKey, secretKey string) string {
	mac := hmac.New(sha256.New, []byte(secretKey))
	mac.Write([]byte(method + " " + requestURI + "\n" + timestamp + "\n" + accessKey))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// authenticate finds the caller's account and checks the signature over the
// request-URI exactly as received. On failure it returns the reason for the
// 401's details, which never contains a secret.
func (s *Server) authenticate(r *http.Request) (*account, string) {
	ts, key := r.Header.Get(headerTimestamp), r.Header.Get(headerAccessKey)
	sig := r.Header.Get(headerSignatureV2)
	if sig == "" {
		sig = r.Header.Get(headerSignatureV1)
	}
	switch {
	case ts == "":
		return nil, "missing header " + headerTimestamp
	case key == "":
		return nil, "missing header " + headerAccessKey
	case sig == "":
		return nil, "missing header " + headerSignatureV2
	}
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, "malformed " + headerTimestamp
	}
	if d := s.now().Sub(time.UnixMilli(ms)); d > timestampWindow || d < -timestampWindow {
		return nil, "timestamp is more than 5 minutes from the gateway clock"
	}
	s.mu.Lock()
	a := s.accounts[key]
	s.mu.Unlock()
	if a == nil {
		return nil, "unknown access key"
	}
	uri := r.RequestURI
	if uri == "" { // a request built in-process rather than received
		uri = r.URL.RequestURI()
	}
	if !hmac.Equal([]byte(sign(r.Method, uri, ts, key, a.secret)), []byte(sig)) {
		return nil, "signature mismatch"
	}
	return a, ""
}
