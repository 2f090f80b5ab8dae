// Package testenv finds the external programs that tests run (promtool,
// amtool, prometheus, chromium, and the Go-installed amtool 0.35 and
// Prometheus 3). A missing program skips the test, unless
// BILLING_E2E is set (the test command sets it after installing them): then
// it fails, so that CI cannot pass by skipping.
package testenv

import (
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// RequireEnv, when set, turns a missing program into a failure.
const RequireEnv = "BILLING_E2E"

// LookPath returns the path of program name, or skips or fails t.
func LookPath(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv(RequireEnv) != "" {
			t.Fatalf("%s not installed: %v", name, err)
		}
		t.Skipf("%s not installed (set %s=1 to require it)", name, RequireEnv)
	}
	return p
}

// Run runs program name with args and returns its combined output, failing
// t when it exits non-zero.
func Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(LookPath(t, name), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// GoBinary returns the path of program name built by `go install` from
// module at version: $GOBIN/name or $(go env GOPATH)/<dir>/name, where the
// test command installs it (scripts/test-all.sh). Debian ships older
// programs of the same names (amtool 0.25, Prometheus 2.42) on PATH, so
// the binary's build info is checked rather than trusting PATH. A missing
// or different binary skips t, or fails it when BILLING_E2E is set.
func GoBinary(t testing.TB, name, dir, module, version string) string {
	t.Helper()
	var candidates []string
	if gobin := os.Getenv("GOBIN"); gobin != "" && dir == "bin" {
		candidates = append(candidates, filepath.Join(gobin, name))
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
			gopath = strings.TrimSpace(string(out))
		}
	}
	for _, p := range filepath.SplitList(gopath) {
		candidates = append(candidates, filepath.Join(p, dir, name))
	}
	var seen []string
	for _, c := range candidates {
		info, err := buildinfo.ReadFile(c)
		if err != nil {
			seen = append(seen, fmt.Sprintf("%s: %v", c, err))
			continue
		}
		if info.Main.Path == module && info.Main.Version == version {
			return c
		}
		seen = append(seen, fmt.Sprintf("%s is %s@%s", c, info.Main.Path, info.Main.Version))
	}
	msg := fmt.Sprintf("%s from %s@%s not installed (%s)", name, module, version, strings.Join(seen, "; "))
	if os.Getenv(RequireEnv) != "" {
		t.Fatal(msg)
	}
	t.Skipf("%s; set %s=1 to require it", msg, RequireEnv)
	return ""
}

// AMTool returns amtool 0.35, which knows msteamsv2_configs and webhook
// payloads (Debian's 0.25 does not).
func AMTool(t testing.TB) string {
	t.Helper()
	return GoBinary(t, "amtool", "bin", "github.com/prometheus/alertmanager", "v0.35.0")
}

// Prometheus3 returns Prometheus 3 (module version v0.316.0), installed in
// $(go env GOPATH)/prometheus3 so that it does not shadow Debian's 2.42.
func Prometheus3(t testing.TB) string {
	t.Helper()
	return GoBinary(t, "prometheus", "prometheus3", "github.com/prometheus/prometheus", "v0.316.0")
}
