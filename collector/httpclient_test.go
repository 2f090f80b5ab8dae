package collector

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/sandbox/vgpsim"
	"github.com/billingexporter/billing_exporter/internal/testenv"
)

// tinyproxy starts Debian's tinyproxy on loopback with the extra config
// lines and returns its URL and a function returning its log so far.
func tinyproxy(t *testing.T, extra ...string) (string, func() string) {
	t.Helper()
	bin := testenv.LookPath(t, "tinyproxy")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir := t.TempDir()
	conf := filepath.Join(dir, "tinyproxy.conf")
	lines := append([]string{"Port " + strconv.Itoa(port), "Listen 127.0.0.1", "Allow 127.0.0.1",
		"Timeout 30", "MaxClients 20", "LogLevel Connect"}, extra...)
	if err := os.WriteFile(conf, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var log lockedLog
	cmd := exec.Command(bin, "-d", "-c", conf)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := "127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("tinyproxy did not listen on %s: %v\n%s", addr, err, log.String())
		}
		time.Sleep(20 * time.Millisecond) // polling a port another process opens
	}
	return "http://" + addr, log.String
}

type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// testCA writes a fresh CA certificate to dir/ca.pem and returns a server
// certificate for 127.0.0.1 signed by it.
func testCA(t *testing.T, dir string) tls.Certificate {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "billing_exporter test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "upstream"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"billing-upstream.test"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// vgpUpstream serves the VGP seed member, over TLS with cert when given,
// and records the Via header of the requests it gets.
func vgpUpstream(t *testing.T, cert *tls.Certificate) (url string, via func() []string) {
	t.Helper()
	sim := vgpsim.New()
	sim.AddMember(vgpsim.SeedMember())
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Via"))
		mu.Unlock()
		sim.ServeHTTP(w, r)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	if cert != nil {
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{*cert}}
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv.URL + vgpsim.Path, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

// vgpUp loads a config file with one VGP account and the given
// http_client_config block (YAML lines indented for it), scrapes once and
// returns billing_up of the account.
func vgpUp(t *testing.T, dir, endpoint, httpClientConfig string) string {
	t.Helper()
	text := "vgp:\n  - name: fleet\n    endpoint: " + endpoint + "\n    caller: Vroomgo\n    phone_number: \"821041139274\"\n"
	if httpClientConfig != "" {
		text += "    http_client_config:\n" + httpClientConfig
	}
	file := filepath.Join(dir, "billing_exporter.yml")
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Global.MaxRetries = 0
	e, _ := newTestExporter(t, cfg, nil)
	mfs := gatherCtx(t, e, context.Background())
	for _, mf := range mfs {
		if mf.GetName() == "billing_up" && len(mf.GetMetric()) == 1 {
			return strconv.FormatFloat(mf.GetMetric()[0].GetGauge().GetValue(), 'g', -1, 64)
		}
	}
	t.Fatalf("no billing_up series in %v", mfs)
	return ""
}

// A forward proxy from proxy_url carries the requests: the upstream sees
// tinyproxy's Via header, and the account fails when the proxy refuses.
func TestHTTPClientConfigProxy(t *testing.T) {
	proxy, _ := tinyproxy(t)
	url, via := vgpUpstream(t, nil)
	dir := t.TempDir()
	if up := vgpUp(t, dir, url, "      proxy_url: "+proxy+"\n"); up != "1" {
		t.Fatalf("through tinyproxy: billing_up %s, want 1", up)
	}
	got := via()
	if len(got) != 1 || !strings.Contains(got[0], "tinyproxy") {
		t.Errorf("upstream saw Via %q, want one request through tinyproxy", got)
	}
	// Loopback is never proxied from the environment, and without
	// http_client_config the request goes directly.
	if up := vgpUp(t, dir, url, ""); up != "1" || len(via()) != 2 || via()[1] != "" {
		t.Errorf("direct: billing_up %s, Via %q", up, via())
	}
	// A proxy that does not answer puts the account down: the requests go
	// nowhere else.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := l.Addr().String()
	l.Close()
	if up := vgpUp(t, dir, url, "      proxy_url: http://"+dead+"\n"); up != "0" || len(via()) != 2 {
		t.Errorf("dead proxy: billing_up %s, upstream requests %d", up, len(via()))
	}
}

// A TLS upstream whose certificate a test CA signed: refused by default,
// accepted with tls_config.ca_file (relative to the config file), also
// through the proxy (CONNECT), where proxy_connect_header authenticates.
func TestHTTPClientConfigTLS(t *testing.T) {
	dir := t.TempDir()
	cert := testCA(t, dir)
	url, via := vgpUpstream(t, &cert)
	if up := vgpUp(t, dir, url, ""); up != "0" {
		t.Errorf("private CA without ca_file: billing_up %s, want 0", up)
	}
	if up := vgpUp(t, dir, url, "      tls_config: {min_version: TLS12}\n"); up != "0" {
		t.Errorf("tls_config without ca_file: billing_up %s, want 0", up)
	}
	if up := vgpUp(t, dir, url, "      tls_config:\n        ca_file: ca.pem\n"); up != "1" {
		t.Errorf("with ca_file: billing_up %s, want 1", up)
	}
	// server_name is what the certificate is checked against.
	if up := vgpUp(t, dir, url, "      tls_config: {ca_file: ca.pem, server_name: other.test}\n"); up != "0" {
		t.Errorf("server_name the certificate does not name: billing_up %s, want 0", up)
	}
	if up := vgpUp(t, dir, url, "      tls_config: {ca_file: ca.pem, server_name: billing-upstream.test}\n"); up != "1" {
		t.Errorf("server_name the certificate names: billing_up %s, want 1", up)
	}
	if up := vgpUp(t, dir, url, "      tls_config: {insecure_skip_verify: true}\n"); up != "1" {
		t.Errorf("insecure_skip_verify: billing_up %s, want 1", up)
	}
	if n := len(via()); n != 3 {
		t.Errorf("upstream served %d requests, want 3 (only those that complete TLS)", n)
	}

	proxy, proxyLog := tinyproxy(t, "BasicAuth billing s3cret")
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("billing:s3cret"))
	viaProxy := "      proxy_url: " + proxy + "\n      tls_config:\n        ca_file: ca.pem\n"
	if up := vgpUp(t, dir, url, viaProxy+"      proxy_connect_header:\n        Proxy-Authorization: ['"+auth+"']\n"); up != "1" {
		t.Errorf("CONNECT with proxy_connect_header: billing_up %s, want 1\n%s", up, proxyLog())
	}
	host := strings.TrimPrefix(strings.TrimSuffix(url, vgpsim.Path), "https://")
	if !strings.Contains(proxyLog(), "CONNECT "+host) {
		t.Errorf("tinyproxy log has no CONNECT %s:\n%s", host, proxyLog())
	}
	if up := vgpUp(t, dir, url, viaProxy); up != "0" {
		t.Errorf("CONNECT without the proxy's credentials: billing_up %s, want 0", up)
	}
	if n := len(via()); n != 4 {
		t.Errorf("upstream served %d requests, want 4", n)
	}
}

// follow_redirects: false hands a redirect back as the answer (an error for
// the client); the default follows it.
func TestHTTPClientConfigFollowRedirects(t *testing.T) {
	url, via := vgpUpstream(t, nil)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, url, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirect.Close)
	dir := t.TempDir()
	from := redirect.URL + vgpsim.Path
	if up := vgpUp(t, dir, from, "      follow_redirects: false\n"); up != "0" || len(via()) != 0 {
		t.Errorf("follow_redirects false: billing_up %s, upstream requests %d; want 0, 0", up, len(via()))
	}
	if up := vgpUp(t, dir, from, "      follow_redirects: true\n"); up != "1" || len(via()) != 1 {
		t.Errorf("follow_redirects true: billing_up %s, upstream requests %d; want 1, 1", up, len(via()))
	}
}
