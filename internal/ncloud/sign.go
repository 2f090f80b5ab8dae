package ncloud

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
)

// Sign computes the API Gateway signature v2: the Base64 of
// HMAC-SHA256(secretKey, METHOD + " " + requestURI + "\n" + timestamp + "\n" + accessKey).
// requestURI must be exactly the path and query that are sent.
func Sign(method, requestURI, timestamp, accessKey, secretKey string) string {
	mac := hmac.New(sha256.New, []byte(secretKey))
	mac.Write([]byte(method))
	mac.Write([]byte(" "))
	mac.Write([]byte(requestURI))
	mac.Write([]byte("\n"))
	mac.Write([]byte(timestamp))
	mac.Write([]byte("\n"))
	mac.Write([]byte(accessKey))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
