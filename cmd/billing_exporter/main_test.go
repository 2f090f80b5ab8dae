package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunExitCodes(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yml")
	bad := filepath.Join(dir, "bad.yml")
	empty := filepath.Join(dir, "empty.yml")
	for path, body := range map[string]string{
		good:  "vgp:\n  - name: fleet\n    caller: Vroomgo\n    email: member@example.com\n",
		bad:   "vgp:\n  - name: fleet\n    caller: Vroomgo\n",
		empty: "",
	} {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		output string // in stdout+stderr
	}{
		{"version", []string{"--version"}, 0, "billing_exporter, version"},
		{"help", []string{"-h"}, 0, "--web.listen-address"},
		{"check good", []string{"--config.check", "--config.file", good}, 0, "Configuration is valid"},
		{"check bad", []string{"--config.check", "--config.file", bad}, 1, `vgp account \"fleet\": at least one of \"phone_number\" and \"email\" (or their _file keys) is required`},
		{"check empty", []string{"--config.check", "--config.file", empty}, 1, "no accounts configured"},
		{"missing file", []string{"--config.file", filepath.Join(dir, "nope.yml"), "--web.listen-address", "127.0.0.1:0"}, 1, "no such file"},
		{"empty config without demo", []string{"--config.file", empty, "--web.listen-address", "127.0.0.1:0"}, 1, "no accounts configured"},
		{"unknown flag", []string{"--bogus"}, 2, "unknown long flag '--bogus'"},
		{"bad log level", []string{"--log.level", "loud"}, 2, "loud"},
		{"negative offset", []string{"--scrape.timeout-offset=-1s"}, 2, "must not be negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			code := run(tc.args, &out, &out)
			if code != tc.code || !strings.Contains(out.String(), tc.output) {
				t.Errorf("run(%v) = %d, want %d with %q; output:\n%s", tc.args, code, tc.code, tc.output, out.String())
			}
		})
	}
}
