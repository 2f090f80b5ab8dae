package collector

import (
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/billingexporter/billing_exporter/internal/upstream"
)

// Target is one (provider, account, collector) with its refresh cache.
type Target struct {
	Provider  string
	Account   string
	Collector string
	c         Collector
	cache     *cache
	conf      targetConf // what shaped it, to keep its cache across reloads
}

// State returns what the target knows of its last refresh, without calling
// the upstream.
func (t *Target) State() State { return t.cache.snapshot() }

// Exporter is the set of targets built from one configuration. It is
// immutable: a reload builds a new one.
type Exporter struct {
	targets []*Target
	static  []accountMetric // from the config, not the upstream
	// transports count each account's requests; retired when a reload
	// removes the account.
	transports []*upstream.CountingTransport
	requests   *upstream.RequestCounter
	// timeout bounds a refresh: once it has passed after Retire, no
	// refresh of this exporter can still be using a connection.
	timeout time.Duration
}

// Retire closes the idle upstream connections of an exporter a reload
// replaced: at once, then every second until its longest refresh (timeout)
// can no longer be running, so that the connections of refreshes still
// under way close soon after they end. Left alone they would stay open for
// the transport's IdleConnTimeout, and a burst of reloads piled up
// thousands of them.
func (e *Exporter) Retire() {
	transports := e.transports // not e: its caches need not live on
	closeIdle := func() {
		for _, t := range transports {
			t.CloseIdleConnections()
		}
	}
	closeIdle()
	until := time.Now().Add(e.timeout + time.Second)
	var tick func()
	tick = func() {
		closeIdle()
		if time.Now().Before(until) {
			time.AfterFunc(time.Second, tick)
		}
	}
	time.AfterFunc(time.Second, tick)
}

// ForgetRemoved drops the request series of accounts that old had and cur
// has not, so that accounts removed by a reload stop producing series. It
// is the reload's hook for swapping old for cur.
func ForgetRemoved(old, cur *Exporter) {
	if old == nil || old.requests == nil {
		return
	}
	kept := map[Account]bool{}
	for _, a := range cur.Accounts() {
		kept[a] = true
	}
	old.requests.Forget(old.transports, func(provider, account string) bool { return kept[Account{provider, account}] })
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

// newExporter indexes targets.
func newExporter(targets []*Target, static []accountMetric) *Exporter {
	return &Exporter{targets: targets, static: static}
}

// newTarget wraps a collector with a refresh cache.
func newTarget(provider, account, name string, c Collector, p refreshPolicy, now func() time.Time, logger *slog.Logger) *Target {
	t := &Target{Provider: provider, Account: account, Collector: name, c: c}
	described := map[*prometheus.Desc]bool{}
	ch := make(chan *prometheus.Desc, 64)
	go func() { c.Describe(ch); close(ch) }()
	for d := range ch {
		described[d] = true
	}
	t.cache = &cache{
		update:    c.Update,
		described: described,
		policy:    p,
		now:       now,
		logger:    logger.With("provider", provider, "account", account, "collector", name),
	}
	return t
}
