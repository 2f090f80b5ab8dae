package e2e

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/billingexporter/billing_exporter/internal/sandbox/portonesim"
)

// TestSIGHUPHostileSecretFiles points the running binary's secret file at
// /dev/zero, then at a FIFO nobody writes, then back at a real file, with a
// SIGHUP each time: the exporter never dies or hangs, every broken reload
// is refused with billing_config_last_reload_successful 0 while the old
// config keeps serving, and the reload after them succeeds.
func TestSIGHUPHostileSecretFiles(t *testing.T) {
	dir := t.TempDir()
	bin := buildExporter(t, dir)
	sim := portonesim.New(portonesim.Options{})
	sim.AddMerchant(portonesim.Merchant{ImpKey: "key", ImpSecret: "right-secret"})
	up := httptest.NewServer(sim)
	t.Cleanup(up.Close)

	secret := filepath.Join(dir, "imp_secret")
	writeFile(t, secret, "right-secret\n")
	cfg := filepath.Join(dir, "billing_exporter.yml")
	writeFile(t, cfg, "global: {min_refresh_interval: 0s}\nportone:\n  - {name: shop, endpoint: \""+up.URL+"\", imp_key: key, imp_secret_file: "+secret+"}\n")
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}

	cmd, out, addr := startExporter(t, bin, cfg)
	waitFor := func(what string, ok func(string) bool) {
		poll(t, what, 20*time.Second, func() (bool, string) {
			_, body, err := httpGet("http://" + addr + "/metrics")
			return err == nil && ok(string(body)), tail(string(body), 300)
		})
	}
	serving := `billing_up{account="shop",collector="schedules",provider="portone"} 1`
	waitFor("the account", func(m string) bool { return strings.Contains(m, serving) })

	for _, tc := range []struct{ target, log string }{
		{"/dev/zero", "not a regular file (a device)"},
		{fifo, "not a regular file (a named pipe)"},
	} {
		_ = os.Remove(secret)
		if err := os.Symlink(tc.target, secret); err != nil {
			t.Fatal(err)
		}
		sent := time.Now()
		if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		waitFor("the reload from "+tc.target+" to fail", func(m string) bool {
			return strings.Contains(m, "billing_config_last_reload_successful 0") && strings.Contains(m, serving)
		})
		poll(t, "the failure to be logged", 5*time.Second, func() (bool, string) {
			return strings.Contains(out.String(), tc.log), ""
		})
		if took := time.Since(sent); took > 10*time.Second {
			t.Errorf("the reload from %s took %s", tc.target, took)
		}
		if cmd.ProcessState != nil {
			t.Fatalf("the exporter exited: %v", cmd.ProcessState)
		}
	}
	_ = os.Remove(secret)
	writeFile(t, secret, "right-secret\n")
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor("the good reload", func(m string) bool {
		return strings.Contains(m, "billing_config_last_reload_successful 1") && strings.Contains(m, serving)
	})
}
