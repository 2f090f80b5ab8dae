package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// loadWith writes a config whose ncloud account takes its secret key from
// secretPath and loads it.
func loadWith(t *testing.T, secretPath string) error {
	t.Helper()
	path := filepath.Join(t.TempDir(), "billing_exporter.yml")
	yml := "ncloud:\n  - name: a\n    access_key: k\n    secret_key_file: " + secretPath + "\n"
	if ca, ok := strings.CutPrefix(secretPath, "ca:"); ok {
		yml = "ncloud:\n  - name: a\n    access_key: k\n    secret_key: s\n    http_client_config: {tls_config: {ca_file: " + ca + "}}\n"
	}
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	return err
}

// A secret file that is not a regular file, or is huge, is refused quickly
// with an error saying so, instead of exhausting memory (/dev/zero) or
// blocking the load forever (a FIFO without a writer).
func TestSecretFileKinds(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, 64<<10+1), 0o600); err != nil {
		t.Fatal(err)
	}
	limit := filepath.Join(dir, "limit")
	if err := os.WriteFile(limit, []byte(strings.Repeat("k", 64<<10)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, want string
	}{
		{"/dev/zero", "/dev/zero", `field "secret_key_file": not a regular file (a device)`},
		{"/dev/zero as a CA bundle", "ca:/dev/zero", `tls_config: "ca_file": not a regular file (a device)`},
		{"a FIFO as a CA bundle", "ca:" + fifo, `tls_config: "ca_file": not a regular file (a named pipe)`},
		{"a FIFO", fifo, `field "secret_key_file": not a regular file (a named pipe)`},
		{"a directory", dir, `field "secret_key_file": not a regular file (a directory)`},
		{"over 64 KiB", big, `field "secret_key_file": the file is larger than 64 KiB`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { done <- loadWith(t, tc.path) }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("err = %v, want %q", err, tc.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("loading the config blocked")
			}
		})
	}
	if err := loadWith(t, limit); err != nil {
		t.Errorf("a 64 KiB secret file was refused: %v", err)
	}
}

// A secret pasted where a file path belongs, or a password in an endpoint's
// userinfo, never reaches the error message.
func TestErrorsDoNotEchoSecrets(t *testing.T) {
	const secret = "Zx9-pasted-secret-value"
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"secret in secret_key_file", "ncloud:\n  - {name: a, access_key: k, secret_key_file: " + secret + "}\n", `field "secret_key_file": cannot read the file`},
		{"secret in imp_secret_file", "portone:\n  - {name: p, imp_key: k, imp_secret_file: " + secret + "}\n", `field "imp_secret_file": cannot read the file`},
		{"secret in access_key_file", "ncloud:\n  - {name: a, access_key_file: " + secret + ", secret_key: s}\n", `field "access_key_file": cannot read the file`},
		{"password in endpoint", "ncloud:\n  - {name: a, access_key: k, secret_key: s, endpoint: \"https://user:" + secret + "@billing.example/v1\"}\n", `field "endpoint": "https://user:xxxxx@billing.example/v1" must not carry a user or password`},
		{"password in a bad endpoint", "ncloud:\n  - {name: a, access_key: k, secret_key: s, endpoint: \"ftp://user:" + secret + "@billing.example/v1\"}\n", `field "endpoint"`},
		{"password in an unparsable endpoint", "vgp:\n  - {name: v, caller: c, email: a@example.com, endpoint: \"https://user:" + secret + "@bad host/\"}\n", `field "endpoint"`},
		{"password in an unparsable proxy_url", "vgp:\n  - {name: v, caller: c, email: a@example.com, http_client_config: {proxy_url: \"ftp://u:" + secret + "@pro xy:3128\"}}\n", `field "http_client_config"`},
		{"a key pasted into key_file", "vgp:\n  - {name: v, caller: c, email: a@example.com, http_client_config: {tls_config: {cert_file: /etc/hostname, key_file: \"" + secret + "\"}}}\n", `tls_config: "key_file": cannot read the file: no such file or directory`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "billing_exporter.yml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil {
				t.Fatal("config accepted")
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error echoes the secret: %v", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want %q", err, tc.want)
			}
		})
	}
}

func TestDocumentsAndNames(t *testing.T) {
	const acct = "ncloud:\n  - {name: a, access_key: k, secret_key: s}\n"
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"two documents", acct + "---\nvgp:\n  - {name: v, caller: c, email: a@example.com}\n", "more than one YAML document (the second starts on line 3)"},
		{"an empty second document", acct + "---\n", "more than one YAML document"},
		{"carriage return in a name", "ncloud:\n  - {name: \"main\\r\", access_key: k, secret_key: s}\n", `field "name": "main\r" must be letters, digits, "-", "_" or "."`},
		{"non-breaking space in a name", "ncloud:\n  - {name: \"main\u00a0x\", access_key: k, secret_key: s}\n", `field "name": "main\u00a0x" must be letters, digits`},
		{"quote in a name", "vgp:\n  - {name: 'a\"b', caller: c, email: a@example.com}\n", `field "name": "a\"b" must be letters`},
		{"name too long", "vgp:\n  - {name: " + strings.Repeat("n", 65) + ", caller: c, email: a@example.com}\n", "longer than 64 characters"},
		{"customer_uid with a slash", "portone:\n  - {name: p, imp_key: k, imp_secret: s, customer_uids: [a/b]}\n", `field "customer_uids": "a/b" is not one URL path segment`},
		{"customer_uid climbing up", "portone:\n  - {name: p, imp_key: k, imp_secret: s, customer_uids: [\"../../../../x\"]}\n", `"../../../../x" is not one URL path segment`},
		{"customer_uid dot-dot", "portone:\n  - {name: p, imp_key: k, imp_secret: s, customer_uids: [\"..\"]}\n", `".." is not one URL path segment`},
		{"customer_uid backslash", "portone:\n  - {name: p, imp_key: k, imp_secret: s, customer_uids: [\"a\\\\b\"]}\n", `is not one URL path segment`},
		{"customer_uid control character", "portone:\n  - {name: p, imp_key: k, imp_secret: s, customer_uids: [\"a\\tb\"]}\n", `is not one URL path segment`},
		{"endpoint with dot segments", "portone:\n  - {name: p, imp_key: k, imp_secret: s, endpoint: \"https://api.example/v1/../admin\"}\n", `field "endpoint": path must not contain "." or ".." segments`},
		{"endpoint with an encoded slash", "portone:\n  - {name: p, imp_key: k, imp_secret: s, endpoint: \"https://api.example/v1%2F..\"}\n", `field "endpoint": path must not contain`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "x.yml")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v\nwant %q", err, tc.want)
			}
		})
	}
	good := "ncloud:\n  - {name: Main-1_prod.kr, access_key: k, secret_key: s}\n" +
		"portone:\n  - {name: p, imp_key: k, imp_secret: s, customer_uids: [\"pct%41\", \"user@example.com\", \"a b\"]}\n"
	if _, err := Parse([]byte(good), "x.yml"); err != nil {
		t.Errorf("valid names and customer_uids refused: %v", err)
	}
}
