package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestHTTPClientConfigParsed(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), testCAPEM(t), 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "billing_exporter.yml")
	text := `vgp:
  - name: fleet
    caller: Vroomgo
    email: a@example.com
    http_client_config:
      proxy_url: http://proxy.internal:3128
      no_proxy: localhost,10.0.0.0/8
      proxy_connect_header:
        X-Egress-Team: [billing]
      follow_redirects: false
      enable_http2: false
      tls_config:
        ca_file: ca.pem
        server_name: billing.example.com
        min_version: TLS12
`
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(file)
	if err != nil {
		t.Fatal(err)
	}
	h := c.VGP[0].HTTPClient
	if h == nil {
		t.Fatal("http_client_config not decoded")
	}
	if h.ProxyURL.String() != "http://proxy.internal:3128" || h.NoProxy != "localhost,10.0.0.0/8" ||
		h.FollowRedirects || h.EnableHTTP2 || h.TLSConfig.CAFile != filepath.Join(dir, "ca.pem") ||
		h.TLSConfig.ServerName != "billing.example.com" || h.TLSConfig.MinVersion.String() != "TLS12" ||
		len(h.ProxyConnectHeader["X-Egress-Team"]) != 1 {
		t.Errorf("http_client_config = %+v", h.HTTPClientConfig)
	}
	// Absent: nil, the shared transport. Present but empty: the library's defaults.
	c, err = Parse([]byte("vgp: [{name: a, caller: C, email: a@example.com}, {name: b, caller: C, email: a@example.com, http_client_config: {}}]"), "x.yml")
	if err != nil {
		t.Fatal(err)
	}
	if c.VGP[0].HTTPClient != nil || c.VGP[1].HTTPClient == nil || !c.VGP[1].HTTPClient.FollowRedirects || !c.VGP[1].HTTPClient.EnableHTTP2 {
		t.Errorf("defaults: %+v / %+v", c.VGP[0].HTTPClient, c.VGP[1].HTTPClient)
	}
}

func TestHTTPClientConfigRefused(t *testing.T) {
	acct := func(block string) string {
		return "portone:\n  - name: shop\n    imp_key: k\n    imp_secret: s\n    http_client_config:\n" + block
	}
	for _, tc := range []struct{ name, yaml, want string }{
		{"basic auth", acct("      basic_auth: {username: u, password: p}\n"),
			`portone account "shop": field "http_client_config": "basic_auth" is not allowed`},
		{"authorization", acct("      authorization: {credentials: tok}\n"),
			`portone account "shop": field "http_client_config": "authorization" is not allowed`},
		{"oauth2", acct("      oauth2: {client_id: a, client_secret: b, token_url: 'http://x/'}\n"),
			`portone account "shop": field "http_client_config": "oauth2" is not allowed`},
		{"bearer token", acct("      bearer_token_file: /run/token\n"),
			`field "http_client_config": "authorization" is not allowed`}, // the library reads it as authorization
		{"headers", acct("      http_headers: {X-Key: {values: [v]}}\n"),
			`field "http_client_config": "http_headers" is not allowed`},
		{"unknown key, with its line in the file", acct("      proxy_url: http://p:3128\n      proxy_ulr: http://p:3128\n"),
			`portone account "shop": field "http_client_config": line 7: field proxy_ulr not found`},
		{"proxy_url and proxy_from_environment", acct("      proxy_url: http://p:3128\n      proxy_from_environment: true\n"),
			`field "http_client_config": if proxy_from_environment is configured, proxy_url must not be configured`},
		{"missing CA file", acct("      tls_config: {ca_file: no-such-ca.pem}\n"),
			`field "http_client_config": tls_config: "ca_file": cannot read the file: no such file or directory`},
		{"not a mapping", acct("      true\n"), `field "http_client_config": line 6: expected a mapping`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "x.yml")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v\nwant it to contain %s", err, tc.want)
			}
			if err != nil && (strings.Contains(err.Error(), "tok") || strings.Contains(err.Error(), "password: p")) {
				t.Errorf("error echoes a credential: %v", err)
			}
		})
	}
}

// testCAPEM returns a fresh self-signed CA certificate.
func testCAPEM(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
