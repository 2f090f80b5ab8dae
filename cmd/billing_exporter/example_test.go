package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// examples/billing_exporter.yml, the README's starting point, passes
// --config.check once its secret files exist next to it, and fails while
// one is missing (so the check really reads them).
func TestExampleConfigChecks(t *testing.T) {
	example, err := os.ReadFile("../../examples/billing_exporter.yml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "billing_exporter.yml")
	if err := os.WriteFile(cfg, example, 0o600); err != nil {
		t.Fatal(err)
	}
	check := func() (int, string) {
		var out bytes.Buffer
		code := run([]string{"--config.check", "--config.file", cfg}, &out, &out)
		return code, out.String()
	}
	if code, out := check(); code != 1 || !strings.Contains(out, "_file") {
		t.Fatalf("without its secret files: exit %d, want 1 naming a *_file key:\n%s", code, out)
	}
	files := regexp.MustCompile(`(?m)^\s+[a-z_]+_file: (secrets/\S+)`).FindAllSubmatch(example, -1)
	if len(files) < 5 {
		t.Fatalf("the example names %d secret files, want every credential in a file", len(files))
	}
	if err := os.Mkdir(filepath.Join(dir, "secrets"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		value := "example-credential\n"
		if strings.Contains(string(f[1]), "phone") {
			value = "821012345678\n"
		}
		if err := os.WriteFile(filepath.Join(dir, string(f[1])), []byte(value), 0o400); err != nil {
			t.Fatal(err)
		}
	}
	if code, out := check(); code != 0 || !strings.Contains(out, "Configuration is valid") {
		t.Errorf("examples/billing_exporter.yml: exit %d:\n%s", code, out)
	}
}
