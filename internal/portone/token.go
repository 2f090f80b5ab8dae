package portone

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/billingexporter/billing_exporter/internal/upstream"
)

// tokenMargin renews a token this long before it expires; PortOne itself
// extends a token that has less than a minute left.
const tokenMargin = time.Minute

// tokenSource issues and reuses access tokens. Its lock is a channel so that
// a caller waiting for another's getToken call can give up with its context.
type tokenSource struct {
	c       *Client
	lock    chan struct{}
	value   string
	renewAt time.Time // local clock
}

func newTokenSource(c *Client) *tokenSource {
	return &tokenSource{c: c, lock: make(chan struct{}, 1)}
}

// get returns a valid token, fetching a new one when there is none, it is
// about to expire, or stale is the token that the upstream just refused.
func (t *tokenSource) get(ctx context.Context, stale string) (string, error) {
	select {
	case t.lock <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("%s: waiting for an access token: %w", apiToken, ctx.Err())
	}
	defer func() { <-t.lock }()
	if t.value != "" && t.value != stale && t.c.o.Now().Before(t.renewAt) {
		return t.value, nil
	}
	t.value = ""
	sent := t.c.o.Now()
	value, life, err := t.fetch(ctx)
	if err != nil {
		return "", err
	}
	t.value, t.renewAt = value, sent.Add(renewAfter(life))
	return value, nil
}

// renewAfter is how long a token with the given lifetime is used. Normally
// until a minute before it expires; a token issued with less than two
// minutes left (PortOne hands out the current token, extended when it has
// under a minute) is used until it expires, since renewing it early would
// cost a getToken before every request.
func renewAfter(life time.Duration) time.Duration {
	if life > 2*tokenMargin {
		return life - tokenMargin
	}
	return life
}

const apiToken = "portone getToken"

// fetch returns a new token and its lifetime as the upstream states it.
func (t *tokenSource) fetch(ctx context.Context) (string, time.Duration, error) {
	body, err := json.Marshal(map[string]string{"imp_key": t.c.o.ImpKey, "imp_secret": t.c.o.ImpSecret})
	if err != nil {
		return "", 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.c.base.JoinPath("users", "getToken").String(), bytes.NewReader(body))
	if err != nil {
		return "", 0, fmt.Errorf("%s: %w", apiToken, err)
	}
	req.Header.Set("Content-Type", "application/json")
	raw, err := t.c.do(req, apiToken)
	if err != nil {
		return "", 0, err
	}
	var r struct {
		AccessToken string `json:"access_token"`
		Now         int64  `json:"now"`
		ExpiredAt   int64  `json:"expired_at"`
	}
	if err := json.Unmarshal(raw, &r); err != nil || r.AccessToken == "" {
		return "", 0, &upstream.Error{API: apiToken, Message: "response carries no access_token"}
	}
	// Trust the upstream's lifetime (expired_at - now), not its clock.
	life := time.Duration(r.ExpiredAt-r.Now) * time.Second
	if r.ExpiredAt == 0 || life <= 0 {
		life = 30 * time.Minute // the documented lifetime
	}
	return r.AccessToken, life, nil
}
