package upstream

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestReadBodyLimit(t *testing.T) {
	for _, tc := range []struct {
		body   string
		length int64
		limit  int64
		err    bool
	}{
		{"12345", -1, 5, false},
		{"123456", -1, 5, true},                   // no Content-Length: caught while reading
		{"123456", 6, 5, true},                    // Content-Length: refused before reading
		{strings.Repeat("x", 1000), -1, 0, false}, // 0 = default limit
	} {
		resp := &http.Response{Body: io.NopCloser(strings.NewReader(tc.body)), ContentLength: tc.length}
		got, err := ReadBody(resp, tc.limit)
		if tc.err {
			if !errors.Is(err, ErrBodyTooLarge) {
				t.Errorf("%d bytes, limit %d: err %v", len(tc.body), tc.limit, err)
			}
			continue
		}
		if err != nil || string(got) != tc.body {
			t.Errorf("%d bytes, limit %d: %d bytes, %v", len(tc.body), tc.limit, len(got), err)
		}
	}
}

func TestErrorFormat(t *testing.T) {
	for _, tc := range []struct {
		e    *Error
		want string
	}{
		{&Error{API: "ncloud getCoinHistoryList", HTTPStatus: 401, Code: "200", Message: "Authentication Failed"}, "ncloud getCoinHistoryList: HTTP 401: code 200: Authentication Failed"},
		{&Error{API: "vgp PaymentListForThirdParty", Code: "3200", Message: "Not Member"}, "vgp PaymentListForThirdParty: code 3200: Not Member"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
		wrapped := fmt.Errorf("refresh: %w", tc.e)
		if ue, ok := AsError(wrapped); !ok || ue != tc.e {
			t.Errorf("AsError did not find the error in %v", wrapped)
		}
	}
}
