package portonesim

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"mime"
	"net/http"
	"strings"
	"time"
)

const maxBody = 1 << 20

type token struct {
	impKey  string
	expires time.Time
}

// tokenResponse is the "response" of getToken; times are unix seconds.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	Now         int64  `json:"now"`
	ExpiredAt   int64  `json:"expired_at"`
}

// getToken serves POST /users/getToken with a JSON or form body.
func (s *Server) getToken(w http.ResponseWriter, r *http.Request) {
	if !allowMethod(w, r, http.MethodPost) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	key, secret, err := readCredentials(r)
	switch {
	case err != nil:
		writeError(w, http.StatusBadRequest, "invalid request body")
		return
	case key == "" || secret == "":
		writeError(w, http.StatusUnauthorized, "imp_key and imp_secret are required")
		return
	case !s.validCredentials(key, secret):
		writeError(w, http.StatusUnauthorized, "invalid imp_key or imp_secret")
		return
	}
	if s.applyFault(w, r, key, PathToken) {
		return
	}
	access, now, expires := s.issue(key)
	writeOK(w, tokenResponse{AccessToken: access, Now: now.Unix(), ExpiredAt: expires.Unix()})
}

func readCredentials(r *http.Request) (key, secret string, err error) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" {
		if err := r.ParseForm(); err != nil {
			return "", "", err
		}
		return r.PostForm.Get("imp_key"), r.PostForm.Get("imp_secret"), nil
	}
	var body struct {
		ImpKey    string `json:"imp_key"`
		ImpSecret string `json:"imp_secret"`
	}
	err = json.NewDecoder(r.Body).Decode(&body)
	return body.ImpKey, body.ImpSecret, err
}

func (s *Server) validCredentials(key, secret string) bool {
	s.mu.Lock()
	m, ok := s.merchants[key]
	s.mu.Unlock()
	return ok && subtle.ConstantTimeCompare([]byte(secret), []byte(m.ImpSecret)) == 1
}

// issue returns the merchant's live token, extended by 5 minutes when less
// than a minute is left, or a new one once it has expired.
func (s *Server) issue(impKey string) (access string, now, expires time.Time) {
	now = s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	access = s.current[impKey]
	if t, ok := s.tokens[access]; ok && now.Before(t.expires) {
		if t.expires.Sub(now) < time.Minute {
			t.expires = t.expires.Add(5 * time.Minute)
		}
		return access, now, t.expires
	}
	delete(s.tokens, access)
	access = newAccessToken()
	t := &token{impKey: impKey, expires: now.Add(s.opts.TokenTTL)}
	s.tokens[access] = t
	s.current[impKey] = access
	s.issued++
	return access, now, t.expires
}

// newAccessToken returns 40 hex digits, like the vendor's example token.
func newAccessToken() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b) // never fails
	return hex.EncodeToString(b)
}

// ExpireTokens makes every issued token expire now: its next use is a 401 and
// the next getToken issues a new one.
func (s *Server) ExpireTokens() {
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		t.expires = now
	}
}

// authenticate finds the merchant of a live token sent in any of the three
// accepted header forms.
func (s *Server) authenticate(r *http.Request) (Merchant, bool) {
	auth := r.Header.Get("Authorization")
	if len(auth) > len("Bearer ") && strings.EqualFold(auth[:len("Bearer ")], "Bearer ") {
		auth = auth[len("Bearer "):]
	}
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, access := range []string{auth, r.Header.Get("X-ImpTokenHeader")} {
		if t, ok := s.tokens[access]; ok && access != "" && now.Before(t.expires) {
			m, ok := s.merchants[t.impKey]
			return m, ok
		}
	}
	return Merchant{}, false
}
