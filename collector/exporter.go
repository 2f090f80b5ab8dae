package collector

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Target is one (provider, account, collector) with its refresh cache.
type Target struct {
	Provider  string
	Account   string
	Collector string
	c         Collector
	cache     *cache
}

// State returns what the target knows of its last refresh, without calling
// the upstream.
func (t *Target) State() State { return t.cache.snapshot() }

// Exporter is the set of targets built from one configuration. It is
// immutable: a reload builds a new one.
type Exporter struct {
	targets []*Target
	descs   []*prometheus.Desc
	static  []accountMetric // from the config, not the upstream
	// transports count each account's requests; retired when a reload
	// removes the account.
	transports []*countingTransport
	// timeout bounds a refresh: once it has passed after Retire, no
	// refresh of this exporter can still be using a connection.
	timeout time.Duration
}

// Retire closes the idle upstream connections of an exporter a reload
// replaced, now and again once any refresh still running has ended; left
// alone they would stay open for the transport's IdleConnTimeout, and a
// burst of reloads piled up thousands of them.
func (e *Exporter) Retire() {
	transports := e.transports // not e: its caches need not live on
	closeIdle := func() {
		for _, t := range transports {
			t.CloseIdleConnections()
		}
	}
	closeIdle()
	time.AfterFunc(e.timeout+time.Second, closeIdle)
}

// accountMetric is a metric that belongs to an account rather than to one
// of its collectors.
type accountMetric struct {
	provider, account string
	metric            prometheus.Metric
}

// Targets returns the targets in configuration order.
func (e *Exporter) Targets() []*Target { return e.targets }

// Account names one configured account.
type Account struct{ Provider, Name string }

// Accounts returns the configured accounts, each once, in configuration order.
func (e *Exporter) Accounts() []Account {
	var out []Account
	seen := map[Account]bool{}
	for _, t := range e.targets {
		a := Account{t.Provider, t.Account}
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

// newExporter indexes targets and the union of their descriptors.
func newExporter(targets []*Target, static []accountMetric) *Exporter {
	e := &Exporter{targets: targets, static: static, descs: append([]*prometheus.Desc(nil), selfDescs...)}
	seen := map[*prometheus.Desc]bool{}
	for _, t := range targets {
		ch := make(chan *prometheus.Desc, 64)
		go func() { t.c.Describe(ch); close(ch) }()
		for d := range ch {
			if !seen[d] {
				seen[d] = true
				e.descs = append(e.descs, d)
			}
		}
	}
	return e
}

// newTarget wraps a collector with a refresh cache.
func newTarget(provider, account, name string, c Collector, p refreshPolicy, now func() time.Time, logger *slog.Logger) *Target {
	t := &Target{Provider: provider, Account: account, Collector: name, c: c}
	t.cache = &cache{
		update: c.Update,
		policy: p,
		now:    now,
		logger: logger.With("provider", provider, "account", account, "collector", name),
	}
	return t
}

// Scrape returns a prometheus.Collector for one scrape: it collects every
// target for which keep returns true (all when keep is nil), in parallel,
// bounded by ctx's deadline.
func (e *Exporter) Scrape(ctx context.Context, keep func(*Target) bool) prometheus.Collector {
	s := &scrape{ctx: ctx, e: e}
	for _, t := range e.targets {
		if keep == nil || keep(t) {
			s.targets = append(s.targets, t)
		}
	}
	return s
}

type scrape struct {
	ctx     context.Context
	e       *Exporter
	targets []*Target
}

// Describe sends every descriptor the exporter can produce, so that
// pedantic registries can check the metrics against them.
func (s *scrape) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range s.e.descs {
		ch <- d
	}
}

// Collect runs every target in parallel; a slow or failing target costs
// only its own series.
func (s *scrape) Collect(ch chan<- prometheus.Metric) {
	accounts := map[[2]string]bool{}
	for _, t := range s.targets {
		accounts[[2]string{t.Provider, t.Account}] = true
	}
	for _, m := range s.e.static {
		if accounts[[2]string{m.provider, m.account}] {
			ch <- m.metric
		}
	}
	var wg sync.WaitGroup
	for _, t := range s.targets {
		wg.Go(func() {
			v := t.cache.get(s.ctx)
			for _, m := range v.metrics {
				ch <- m
			}
			labels := []string{t.Provider, t.Account, t.Collector}
			up := 0.0
			if v.up {
				up = 1
			}
			ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, up, labels...)
			ch <- prometheus.MustNewConstMetric(durationDesc, prometheus.GaugeValue, v.duration.Seconds(), labels...)
			if !v.state.LastSuccess.IsZero() {
				ch <- prometheus.MustNewConstMetric(lastSuccessDesc, prometheus.GaugeValue,
					float64(v.state.LastSuccess.UnixMilli())/1e3, labels...)
			}
		})
	}
	wg.Wait()
}
