package upstream

import (
	"log/slog"
	"net"
	"net/http"
	"time"

	promconfig "github.com/prometheus/common/config"
)

// NewTransport returns the HTTP transport shared by every upstream client:
// pooled connections with bounded dial and TLS times. Whole requests are
// bounded by the scrape's context, not here.
func NewTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
	}
}

// ClientOptions describe one account's HTTP client.
type ClientOptions struct {
	Provider, Account string
	// Base is the shared transport, used unless HTTPClientConfig is set.
	Base http.RoundTripper
	// HTTPClientConfig, when set, gives the account its own transport
	// (proxy, TLS) and redirect policy.
	HTTPClientConfig *promconfig.HTTPClientConfig
	Requests         *RequestCounter
	Retry            RetryPolicy
	Logger           *slog.Logger
}

// NewClient returns an account's client: every attempt is counted, transient
// failures are retried within the request's deadline, bodies are
// size-limited. Under those layers sits the shared transport, or the
// account's own when it has an http_client_config. The counting transport is
// returned too, so that its idle connections can be closed and its series
// forgotten when a reload removes the account.
func NewClient(o ClientOptions) (*http.Client, *CountingTransport, error) {
	base, redirect := o.Base, CheckRedirect(true)
	if o.HTTPClientConfig != nil {
		rt, err := NewConfiguredTransport(*o.HTTPClientConfig, o.Provider+"/"+o.Account)
		if err != nil {
			return nil, nil, err
		}
		base, redirect = rt, CheckRedirect(o.HTTPClientConfig.FollowRedirects)
	}
	counted := o.Requests.Transport(base, o.Provider, o.Account)
	logger := o.Logger.With("provider", o.Provider, "account", o.Account)
	return &http.Client{Transport: NewRetryTransport(counted, o.Retry, logger), CheckRedirect: redirect}, counted, nil
}
