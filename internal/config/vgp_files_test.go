package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The member's phone number and e-mail can come from files, read like
// secrets: trimmed, relative to the config file, regular files only, and
// never quoted in an error.
func TestVGPMemberFromFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("phone", "821041139274\n")
	write("email", "  member@example.com\n")
	write("bad-phone", "010-4113-9274\n")
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	load := func(t *testing.T, account string) (*Config, error) {
		t.Helper()
		file := filepath.Join(dir, "billing_exporter.yml")
		if err := os.WriteFile(file, []byte("vgp:\n  - {name: fleet, caller: Vroomgo, "+account+"}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return Load(file)
	}

	c, err := load(t, "phone_number_file: phone, email_file: email")
	if err != nil {
		t.Fatal(err)
	}
	if a := c.VGP[0]; a.PhoneNumber != "821041139274" || a.Email != "member@example.com" {
		t.Errorf("phone %q, email %q", a.PhoneNumber, a.Email)
	}
	if got := c.VGP[0].Sensitive(); len(got) != 2 || got[0] != "821041139274" || got[1] != "member@example.com" {
		t.Errorf("Sensitive() = %q: the values read from files must be redacted like inline ones", got)
	}
	c, err = load(t, "email_file: "+filepath.Join(dir, "email"))
	if err != nil || c.VGP[0].Email != "member@example.com" || c.VGP[0].PhoneNumber != "" {
		t.Errorf("absolute email_file alone: %+v, %v", c, err)
	}

	for _, tc := range []struct{ name, account, want string }{
		{"both phone forms", `phone_number: "821041139274", phone_number_file: phone`, `vgp account "fleet": at most one of "phone_number" and "phone_number_file"`},
		{"both email forms", `email: a@example.com, email_file: email`, `at most one of "email" and "email_file"`},
		{"missing file", `phone_number_file: nope`, `vgp account "fleet": field "phone_number_file": `},
		{"a directory", `email_file: .`, `vgp account "fleet": field "email_file": `},
		{"a FIFO", `email_file: fifo`, `vgp account "fleet": field "email_file": `},
		{"bad number in the file", `phone_number_file: bad-phone`, `vgp account "fleet": field "phone_number": want 8 to 15 digits`},
		{"neither", ``, `at least one of "phone_number" and "email" (or their _file keys) is required`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, tc.account)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			// The temporary directory's random name may hold any digits.
			msg := strings.ReplaceAll(err.Error(), dir, "<dir>")
			for _, personal := range []string{"821041139274", "member@example.com", "010-4113-9274", "4113"} {
				if strings.Contains(msg, personal) {
					t.Errorf("error quotes personal data: %v", err)
				}
			}
		})
	}
}
