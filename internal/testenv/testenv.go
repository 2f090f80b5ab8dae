// Package testenv finds the external programs that tests run (promtool,
// amtool, prometheus, chromium). A missing program skips the test, unless
// BILLING_E2E is set (the test command sets it after installing them): then
// it fails, so that CI cannot pass by skipping.
package testenv

import (
	"os"
	"os/exec"
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
