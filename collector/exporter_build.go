package collector

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/promslog"

	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/upstream"
)

// Options are the parts of an Exporter that do not come from the config file.
type Options struct {
	Logger    *slog.Logger
	Requests  *upstream.RequestCounter // required: counts upstream requests
	Transport http.RoundTripper        // base transport; nil = upstream.NewTransport()
	Now       func() time.Time         // nil = time.Now; tests move the clock
	// Previous is the exporter a reload replaces: targets whose
	// configuration did not change keep its cached data.
	Previous *Exporter
}

// New builds the targets of every account in cfg.
func New(cfg *config.Config, o Options) (*Exporter, error) {
	if o.Logger == nil {
		o.Logger = promslog.NewNopLogger()
	}
	if o.Requests == nil {
		return nil, fmt.Errorf("collector.New: Options.Requests is required")
	}
	if o.Transport == nil {
		o.Transport = upstream.NewTransport()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	policy := refreshPolicy{
		minRefresh: time.Duration(cfg.Global.MinRefreshInterval),
		staleAfter: time.Duration(cfg.Global.StaleAfter),
		timeout:    time.Duration(cfg.Global.Timeout),
	}
	b := builder{cfg: cfg, o: o, policy: policy, redact: newRedactor(cfg)}
	for _, a := range cfg.NCloud {
		if err := b.ncloud(a); err != nil {
			return nil, fmt.Errorf("ncloud account %q: %w", a.Name, err)
		}
		b.thresholds(providerNCloud, a.Name, a.Thresholds.List())
	}
	for _, a := range cfg.VGP {
		if err := b.vgp(a); err != nil {
			return nil, fmt.Errorf("vgp account %q: %w", a.Name, err)
		}
		b.thresholds(providerVGP, a.Name, a.Thresholds.List())
	}
	for _, a := range cfg.PortOne {
		if err := b.portone(a); err != nil {
			return nil, fmt.Errorf("portone account %q: %w", a.Name, err)
		}
		b.thresholds(providerPortOne, a.Name, a.Thresholds.List())
	}
	e := newExporter(b.targets, b.static)
	e.carryOver(o.Previous)
	e.transports = b.transports
	e.requests = o.Requests
	e.timeout = policy.timeout
	return e, nil
}

type builder struct {
	cfg        *config.Config
	o          Options
	policy     refreshPolicy
	targets    []*Target
	static     []accountMetric
	transports []*upstream.CountingTransport
	// redact removes from every error the configured secrets and personal
	// data of every account and whatever the requests carried.
	redact *upstream.Redactor
}

// newRedactor knows every account's secrets and personal data: an upstream
// may echo any of them, not only its own account's.
func newRedactor(cfg *config.Config) *upstream.Redactor {
	var values []string
	for _, a := range cfg.NCloud {
		values = append(values, a.Sensitive()...)
	}
	for _, a := range cfg.VGP {
		values = append(values, a.Sensitive()...)
	}
	for _, a := range cfg.PortOne {
		values = append(values, a.Sensitive()...)
	}
	return upstream.NewRedactor(values...)
}

// thresholds exports an account's alert thresholds.
func (b *builder) thresholds(provider, account string, list []config.Threshold) {
	for _, t := range list {
		b.static = append(b.static, accountMetric{provider, account,
			prometheus.MustNewConstMetric(thresholdDesc, prometheus.GaugeValue, t.Value, provider, account, t.Name)})
	}
}

// httpClient is an account's client (see upstream.NewClient), with the
// retry policy of the global configuration.
func (b *builder) httpClient(provider, account string, hc *config.HTTPClientConfig) (*http.Client, error) {
	o := upstream.ClientOptions{Provider: provider, Account: account, Base: b.o.Transport, Requests: b.o.Requests, Logger: b.o.Logger}
	if hc != nil {
		o.HTTPClientConfig = &hc.HTTPClientConfig
	}
	o.Retry = upstream.DefaultRetryPolicy
	o.Retry.MaxRetries = b.cfg.Global.MaxRetries
	o.Retry.MaxBodyBytes = b.cfg.Global.MaxResponseBytes
	o.Retry.Redact = b.redact
	client, counted, err := upstream.NewClient(o)
	if err != nil {
		return nil, err
	}
	b.transports = append(b.transports, counted)
	return client, nil
}

func (b *builder) add(provider, account, name string, c Collector) {
	c = redacting{c, b.redact}
	policy := b.policy
	policy.minRefresh = b.cfg.MinRefreshInterval(provider, account, name)
	t := newTarget(provider, account, name, c, policy, b.o.Now, b.o.Logger)
	t.conf = targetConf{Global: b.cfg.Global, Account: b.accountConfig(provider, account)}
	b.targets = append(b.targets, t)
}

// targetConf is everything in the configuration that shapes a target's
// data: when it is unchanged across a reload, so is the data.
type targetConf struct {
	Global  config.Global
	Account any
}

// accountConfig returns the configuration of one account.
func (b *builder) accountConfig(provider, account string) any {
	switch provider {
	case providerNCloud:
		for _, a := range b.cfg.NCloud {
			if a.Name == account {
				return a
			}
		}
	case providerVGP:
		for _, a := range b.cfg.VGP {
			if a.Name == account {
				return a
			}
		}
	case providerPortOne:
		for _, a := range b.cfg.PortOne {
			if a.Name == account {
				return a
			}
		}
	}
	return nil
}

// carryOver gives every target whose configuration did not change the
// cached data of its predecessor in prev, so that a reload does not make
// the next scrape call every upstream again (which rate-limited APIs
// punish). Removed and changed targets start empty.
func (e *Exporter) carryOver(prev *Exporter) {
	if prev == nil {
		return
	}
	old := map[[3]string]*Target{}
	for _, t := range prev.targets {
		old[[3]string{t.Provider, t.Account, t.Collector}] = t
	}
	for _, t := range e.targets {
		p := old[[3]string{t.Provider, t.Account, t.Collector}]
		if p != nil && p.conf.Account != nil && reflect.DeepEqual(p.conf, t.conf) {
			t.cache.state = p.cache.snapshot()
		}
	}
}

// redacting is a collector whose errors pass the redactor before
// the cache logs them or the status page shows them.
type redacting struct {
	Collector
	r *upstream.Redactor
}

func (c redacting) Update(ctx context.Context) ([]prometheus.Metric, error) {
	m, err := c.Collector.Update(ctx)
	return m, c.r.Error(err)
}
