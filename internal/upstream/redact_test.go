package upstream

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestRedactorRemovesEverythingCarried(t *testing.T) {
	r := NewRedactor("821012345678", "Kiosk-Operator@example.com", "ncp-secret-0001", "")
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, "https://api.example/users/getToken",
		strings.NewReader(`{"imp_key":"imp-key-0001","imp_secret":"imp/secret+0001","nested":{"list":["deep-value-01"]},"n":123456789}`))
	req.Header.Set("Authorization", "Bearer tok_abcdef123")
	req.Header.Set("X-Ncp-Apigw-Signature-V2", "c2lnbmF0dXJlPT0=")
	req.Header.Set("X-Ncp-Apigw-Timestamp", "1700000000000")
	req.Header.Set("Accept", "application/json")
	r.Remember(req)
	for _, leak := range []string{
		"imp-key-0001", "imp/secret+0001", "imp%2Fsecret%2B0001", "deep-value-01", "tok_abcdef123", "Bearer tok_abcdef123",
		"c2lnbmF0dXJlPT0=", "c2lnbmF0dXJlPT0%3D", "ncp-secret-0001", "NCP-SECRET-0001",
		"kiosk-operator@example.com", "kiosk-operator%40example.com",
		"821012345678", "+82 10-1234-5678", "010-1234-5678", "(010) 1234 5678", "01012345678",
	} {
		got := r.String("upstream said: " + leak + "!")
		if strings.Contains(got, leak) || !strings.Contains(got, Redacted) {
			t.Errorf("%q -> %q", leak, got)
		}
	}
	// Formats, page numbers, timestamps and unrelated numbers stay.
	for _, keep := range []string{"application/json", "page 2 of 1000", "1700000000000", "call 010-9999-0000", "HTTP 502"} {
		if got := r.String(keep); got != keep {
			t.Errorf("%q -> %q", keep, got)
		}
	}
}

func TestCleanAndErrors(t *testing.T) {
	if got := Clean("a\nlevel=ERROR msg=forged\r\n\x1b[31m\u202eb\tc", 100); got != "a level=ERROR msg=forged [31mb c" {
		t.Errorf("Clean = %q", got)
	}
	if got := Clean(strings.Repeat("é", 300), 240); len([]rune(got)) != 243 || !strings.HasSuffix(got, "...") {
		t.Errorf("Clean kept %d runes", len([]rune(got)))
	}
	r := NewRedactor("secret-value-1")
	ue := &Error{API: "x", HTTPStatus: 502, Code: "E\nsecret-value-1", Message: "echo: secret-value-1\n" + strings.Repeat("m", 500)}
	err := r.Error(fmt.Errorf("refresh: %w: %w", ue, context.DeadlineExceeded))
	if strings.Contains(err.Error(), "secret-value-1") || strings.Contains(err.Error(), "\n") {
		t.Errorf("error text %q", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Error("errors.Is lost the context error")
	}
	got, ok := AsError(err)
	if !ok || got == ue || got.Code != "E <redacted>" || strings.Contains(got.Message, "secret-value-1") || len(got.Message) > 250 || got.HTTPStatus != 502 {
		t.Errorf("AsError = %+v", got)
	}
	if ue.Message == got.Message {
		t.Error("the original error was modified")
	}
	if r.Error(nil) != nil {
		t.Error("nil error became non-nil")
	}
}

// No body excerpt reaches an error: only its size.
func TestSnippetShowsNoBody(t *testing.T) {
	body := []byte("<html>buyer_name=Hong Gildong</html>")
	for _, s := range []string{Snippet(body), WrongType("text/html", body, errors.New("bad"), "json").Error()} {
		if strings.Contains(s, "Hong") || !strings.Contains(s, "36 bytes") {
			t.Errorf("%q", s)
		}
	}
}

// Invalid UTF-8 around a value does not shift what is removed.
func TestRedactorInvalidUTF8(t *testing.T) {
	r := NewRedactor("Secret-Value-9")
	got := r.String("\xff\xfe prefix SECRET-value-9 \xff suffix")
	if strings.Contains(strings.ToLower(got), "secret-value-9") || !strings.Contains(got, "prefix "+Redacted+" \xff suffix") {
		t.Errorf("%q", got)
	}
}
