package collector

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/portone"
)

const providerPortOne = "portone"

// portoneDescs are the descriptors of one label layout: per customer, or
// per account when aggregate drops customer_uid.
type portoneDescs struct {
	schedules, amount, upcoming, nextTime, nextAmount, lastRun *prometheus.Desc
	failing, lapsing                                           *prometheus.Desc
}

func newPortOneDescs(perCustomer bool) portoneDescs {
	var cust []string
	if perCustomer {
		cust = []string{"customer_uid"}
	}
	with := func(extra ...string) []string { return append(append([]string(nil), cust...), extra...) }
	failing, lapsing := portoneHealthDescs(perCustomer)
	return portoneDescs{
		failing: failing, lapsing: lapsing,
		schedules: newDesc("portone", "schedules",
			"Scheduled payments in the lookback..lookahead window, by schedule_status and payment_status (none = not run yet)."+cached,
			with("schedule_status", "payment_status")...),
		amount: newDesc("portone", "schedule_amount",
			"Sum of amount over the scheduled payments in the window, by schedule_status, payment_status and currency."+cached,
			with("schedule_status", "payment_status", "currency")...),
		upcoming: newDesc("portone", "upcoming_schedules",
			"Scheduled payments still to run (schedule_status scheduled, schedule_at after now) in the lookahead window; 0 means the subscription is lapsing."+cached,
			with()...),
		nextTime: newDesc("portone", "next_payment_timestamp_seconds",
			"schedule_at of the earliest scheduled payment after now, in seconds since the epoch; absent when there is none."+cached,
			with()...),
		nextAmount: newDesc("portone", "next_payment_amount",
			"amount of the earliest scheduled payment after now; absent when there is none."+cached,
			with("currency")...),
		lastRun: newDesc("portone", "last_run_timestamp_seconds",
			"When the latest executed schedule in the window with this payment_status ran (executed_at, or schedule_at when executed_at is 0), in seconds since the epoch; a failed run newer than the last paid one means the subscription is failing."+cached,
			with("payment_status")...),
	}
}

var (
	portoneByCustomer = newPortOneDescs(true)
	portoneByAccount  = newPortOneDescs(false)
)

func (b *builder) portone(a config.PortOneAccount) error {
	if a.APIVersion == config.PortOneV2 {
		return b.portoneV2(a)
	}
	httpClient, err := b.httpClient(providerPortOne, a.Name, a.HTTPClient)
	if err != nil {
		return err
	}
	client, err := portone.New(portone.Options{
		Endpoint:       a.Endpoint,
		ImpKey:         a.ImpKey,
		ImpSecret:      a.ImpSecret.Reveal(),
		HTTPClient:     httpClient,
		MaxConcurrency: b.cfg.Global.MaxConcurrency,
		MaxPages:       b.cfg.Global.MaxPages,
		MaxBodyBytes:   b.cfg.Global.MaxResponseBytes,
		Now:            b.o.Now,
	})
	if err != nil {
		return err
	}
	c := b.newPortOneCollector(a)
	c.client = client
	b.add(providerPortOne, a.Name, "schedules", c)
	return nil
}

// newPortOneCollector is the schedules collector of a, of either API
// version, without its upstream.
func (b *builder) newPortOneCollector(a config.PortOneAccount) *portoneCollector {
	c := &portoneCollector{
		account:     a.Name,
		customers:   a.CustomerUIDs,
		lookback:    time.Duration(a.Lookback),
		lookahead:   time.Duration(a.Lookahead),
		aggregate:   a.Aggregate,
		concurrency: b.cfg.Global.MaxConcurrency,
		now:         b.o.Now,
		descs:       portoneByCustomer,
	}
	if a.Aggregate {
		c.descs = portoneByAccount
	}
	return c
}

type portoneCollector struct {
	account             string
	client              *portone.Client
	customers           []string // empty: every customer, through the range endpoint
	lookback, lookahead time.Duration
	aggregate           bool
	concurrency         int
	now                 func() time.Time
	descs               portoneDescs
	// source, when set, reads the window instead of client (PortOne V2).
	source func(ctx context.Context, from, to time.Time) ([]portone.Schedule, error)
}

func (c *portoneCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.descs.schedules
	ch <- c.descs.amount
	ch <- c.descs.upcoming
	ch <- c.descs.nextTime
	ch <- c.descs.nextAmount
	ch <- c.descs.lastRun
	ch <- c.descs.failing
	ch <- c.descs.lapsing
}

func (c *portoneCollector) Update(ctx context.Context) ([]prometheus.Metric, error) {
	now := c.now()
	from, to := now.Add(-c.lookback), now.Add(c.lookahead)
	schedules, err := c.fetch(ctx, from, to)
	if err != nil {
		return nil, err
	}
	set := newSeriesSet()
	// labels returns the account and, unless aggregated, the customer.
	labels := func(customer string, extra ...string) []string {
		l := make([]string, 1, 2+len(extra)) // one allocation: this runs for every schedule
		l[0] = c.account
		if !c.aggregate {
			l = append(l, customer)
		}
		return append(l, extra...)
	}
	// Configured customers always get an upcoming count, so that a customer
	// with nothing scheduled shows 0 instead of vanishing.
	for _, uid := range c.customers {
		set.add(c.descs.upcoming, 0, labels(uid)...)
	}
	next := map[string]portone.Schedule{} // by customer ("" when aggregated)
	for _, s := range schedules {
		set.add(c.descs.schedules, 1, labels(s.CustomerUID, s.ScheduleStatus, s.PaymentStatus)...)
		set.add(c.descs.amount, s.Amount, labels(s.CustomerUID, s.ScheduleStatus, s.PaymentStatus, s.Currency)...)
		if s.ScheduleStatus == "executed" {
			ran := s.ExecutedAt
			if ran.IsZero() {
				ran = s.ScheduleAt
			}
			set.max(c.descs.lastRun, float64(ran.Unix()), labels(s.CustomerUID, s.PaymentStatus)...)
		}
		if s.ScheduleStatus != "scheduled" || !s.ScheduleAt.After(now) {
			set.add(c.descs.upcoming, 0, labels(s.CustomerUID)...)
			continue
		}
		set.add(c.descs.upcoming, 1, labels(s.CustomerUID)...)
		k := s.CustomerUID
		if c.aggregate {
			k = ""
		}
		if n, ok := next[k]; !ok || s.ScheduleAt.Before(n.ScheduleAt) {
			next[k] = s
		}
	}
	for _, s := range next {
		set.add(c.descs.nextTime, float64(s.ScheduleAt.Unix()), labels(s.CustomerUID)...)
		set.add(c.descs.nextAmount, s.Amount, labels(s.CustomerUID, s.Currency)...)
	}
	c.addHealth(set, schedules, now)
	return set.metrics()
}

// fetch reads the window for the configured customers concurrently (the
// client bounds the requests), or for every customer through the range
// endpoint when none are configured.
func (c *portoneCollector) fetch(ctx context.Context, from, to time.Time) ([]portone.Schedule, error) {
	if c.source != nil {
		return c.source(ctx, from, to)
	}
	if len(c.customers) == 0 {
		return c.client.AllSchedules(ctx, from, to)
	}
	parts := make([][]portone.Schedule, len(c.customers))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(1, c.concurrency)) // a goroutine per request slot, not per customer
	for i, uid := range c.customers {
		g.Go(func() error {
			var err error
			parts[i], err = c.client.CustomerSchedules(gctx, uid, from, to)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var all []portone.Schedule
	for _, p := range parts {
		all = append(all, p...)
	}
	return all, nil
}
