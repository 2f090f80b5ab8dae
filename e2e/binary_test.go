package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/billingexporter/billing_exporter/internal/sandbox"
	"github.com/billingexporter/billing_exporter/internal/sandbox/vgpsim"
)

// startUpstreams runs the demo's fake upstreams until the test ends.
func startUpstreams(t *testing.T) *sandbox.Demo {
	t.Helper()
	d, err := sandbox.Start(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

// buildExporter builds the binary once per test into dir.
func buildExporter(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "billing_exporter")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/billing_exporter").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestSIGHUPReload runs the binary on a config file, then edits the file
// and sends SIGHUP: a removed account's series go, a broken file is refused
// and counted while the last good config keeps serving.
func TestSIGHUPReload(t *testing.T) {
	dir := t.TempDir()
	bin := buildExporter(t, dir)
	sim := vgpsim.New()
	sim.AddMember(vgpsim.SeedMember())
	sim.AddMember(vgpsim.Member{Email: "second@example.com", Records: vgpsim.Generate(2, 5, time.Now())})
	up := httptest.NewServer(sim)
	t.Cleanup(up.Close)

	cfg := filepath.Join(dir, "billing_exporter.yml")
	account := func(name, who string) string {
		return "  - {name: " + name + ", endpoint: \"" + up.URL + vgpsim.Path + "\", caller: Vroomgo, " + who + "}\n"
	}
	writeFile(t, cfg, "global: {min_refresh_interval: 0s}\nvgp:\n"+account("fleet", `phone_number: "821041139274"`)+account("second", "email: second@example.com"))

	cmd, out, addr := startExporter(t, bin, cfg)
	metrics := func() string {
		_, body, err := httpGet("http://" + addr + "/metrics")
		if err != nil {
			return ""
		}
		return string(body)
	}
	waitFor := func(what string, ok func(string) bool) {
		poll(t, what, 20*time.Second, func() (bool, string) {
			m := metrics()
			return ok(m), tail(m, 300)
		})
	}
	waitFor("both accounts", func(m string) bool {
		return strings.Contains(m, `billing_vgp_balance{account="fleet"`) && strings.Contains(m, `billing_vgp_balance{account="second"`)
	})

	writeFile(t, cfg, "global: {min_refresh_interval: 0s}\nvgp:\n"+account("fleet", `phone_number: "821041139274"`))
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor("the removed account to go", func(m string) bool {
		return !strings.Contains(m, `account="second"`) && strings.Contains(m, `billing_vgp_balance{account="fleet"`) &&
			strings.Contains(m, "billing_config_last_reload_successful 1")
	})

	writeFile(t, cfg, "vgp:\n  - {name: fleet, caller: Vroomgo, bogus: 1}\n")
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor("the broken reload to be counted", func(m string) bool {
		return strings.Contains(m, "billing_config_last_reload_successful 0") && strings.Contains(m, `billing_vgp_balance{account="fleet"`)
	})
	poll(t, "the broken reload to be logged", 5*time.Second, func() (bool, string) {
		return strings.Contains(out.String(), `unknown field \"bogus\"`), ""
	})
}

// TestTLSBasicAuth serves the demo behind examples/web-config.yml (TLS and
// basic auth): promtool accepts the file, a client without or with wrong
// credentials gets 401, the right ones get the metrics.
func TestTLSBasicAuth(t *testing.T) {
	promtool := lookPath(t, "promtool")
	dir := t.TempDir()
	bin := buildExporter(t, dir)
	pool := writeSelfSignedCert(t, dir)
	example, err := os.ReadFile("../examples/web-config.yml")
	if err != nil {
		t.Fatal(err)
	}
	webConfig := filepath.Join(dir, "web-config.yml")
	writeFile(t, webConfig, string(example))
	if out, err := exec.Command(promtool, "check", "web-config", webConfig).CombinedOutput(); err != nil {
		t.Fatalf("promtool check web-config: %v\n%s", err, out)
	}

	addr := freeAddr(t)
	start(t, bin, "--demo", "--web.listen-address="+addr, "--web.config.file="+webConfig, "--log.level=warn")
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}, Timeout: 10 * time.Second}
	do := func(user, pass string) int {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "https://"+addr+"/metrics", nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	poll(t, "the TLS listener", 20*time.Second, func() (bool, string) {
		c := do("", "")
		return c != 0, ""
	})
	for _, tc := range []struct {
		user, pass string
		want       int
	}{
		{"", "", http.StatusUnauthorized},
		{"prometheus", "wrong", http.StatusUnauthorized},
		{"admin", "change-me-please", http.StatusUnauthorized},
		{"prometheus", "change-me-please", http.StatusOK},
	} {
		if got := do(tc.user, tc.pass); got != tc.want {
			t.Errorf("user %q: HTTP %d, want %d", tc.user, got, tc.want)
		}
	}
	// Plain HTTP on the TLS port is refused.
	if code, _, err := httpGet("http://" + addr + "/metrics"); err == nil && code == http.StatusOK {
		t.Error("plain HTTP served metrics on the TLS port")
	}
}

// writeSelfSignedCert writes tls.crt and tls.key for 127.0.0.1 into dir
// and returns a pool that trusts it.
func writeSelfSignedCert(t *testing.T, dir string) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "billing_exporter test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "tls.crt"), string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	writeFile(t, filepath.Join(dir, "tls.key"), string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})))
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}

// startExporter runs the binary on cfg at a free loopback address, for tests
// that signal the process and read its log; it is killed at the test's end.
func startExporter(t *testing.T, bin, cfg string) (*exec.Cmd, *lockedBuffer, string) {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(bin, "--config.file="+cfg, "--web.listen-address="+addr)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("exporter output:\n%s", tail(out.String(), 3000))
		}
	})
	return cmd, out, addr
}
