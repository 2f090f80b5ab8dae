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
	// source, when set, reads the window instead of client (PortOne V2),
	// handing it to each a page at a time as EachSchedule does.
	source func(ctx context.Context, from, to time.Time, each func([]portone.Schedule) error) error
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
	t := c.newTally(now)
	// Each page becomes series as it arrives; a failed read discards them.
	if err := c.fetch(ctx, from, to, t.add); err != nil {
		return nil, err
	}
	return t.finish()
}

// portoneTally turns schedules into series a page at a time; what needs
// every schedule (the next payment, the customers' health) it keeps per
// customer and adds when finished.
type portoneTally struct {
	c      *portoneCollector
	now    time.Time
	set    *seriesSet
	next   map[string]portone.Schedule // by customer ("" when aggregated)
	health *portoneHealth
}

func (c *portoneCollector) newTally(now time.Time) *portoneTally {
	t := &portoneTally{c: c, now: now, set: newSeriesSet(), next: map[string]portone.Schedule{}, health: newPortoneHealth(c.customers, now)}
	// Configured customers always get an upcoming count, so that a customer
	// with nothing scheduled shows 0 instead of vanishing.
	for _, uid := range c.customers {
		t.set.add(c.descs.upcoming, 0, t.labels(uid)...)
	}
	return t
}

// labels returns the account and, unless aggregated, the customer.
func (t *portoneTally) labels(customer string, extra ...string) []string {
	l := make([]string, 1, 2+len(extra)) // one allocation: this runs for every schedule
	l[0] = t.c.account
	if !t.c.aggregate {
		l = append(l, customer)
	}
	return append(l, extra...)
}

// add adds one page of schedules.
func (t *portoneTally) add(schedules []portone.Schedule) error {
	d, set := &t.c.descs, t.set
	for _, s := range schedules {
		t.health.add(s)
		set.add(d.schedules, 1, t.labels(s.CustomerUID, s.ScheduleStatus, s.PaymentStatus)...)
		set.add(d.amount, s.Amount, t.labels(s.CustomerUID, s.ScheduleStatus, s.PaymentStatus, s.Currency)...)
		if s.ScheduleStatus == "executed" {
			ran := s.ExecutedAt
			if ran.IsZero() {
				ran = s.ScheduleAt
			}
			set.max(d.lastRun, float64(ran.Unix()), t.labels(s.CustomerUID, s.PaymentStatus)...)
		}
		if s.ScheduleStatus != "scheduled" || !s.ScheduleAt.After(t.now) {
			set.add(d.upcoming, 0, t.labels(s.CustomerUID)...)
			continue
		}
		set.add(d.upcoming, 1, t.labels(s.CustomerUID)...)
		k := s.CustomerUID
		if t.c.aggregate {
			k = ""
		}
		if n, ok := t.next[k]; !ok || before(s, n) {
			t.next[k] = s
		}
	}
	return nil
}

// before orders schedules by schedule_at, then customer and merchant, so
// that of two at the same time the same one is next whatever order the
// pages arrived in.
func before(a, b portone.Schedule) bool {
	if !a.ScheduleAt.Equal(b.ScheduleAt) {
		return a.ScheduleAt.Before(b.ScheduleAt)
	}
	if a.CustomerUID != b.CustomerUID {
		return a.CustomerUID < b.CustomerUID
	}
	return a.MerchantUID < b.MerchantUID
}

// finish adds the next payments and the customers' health.
func (t *portoneTally) finish() ([]prometheus.Metric, error) {
	for _, s := range t.next {
		t.set.add(t.c.descs.nextTime, float64(s.ScheduleAt.Unix()), t.labels(s.CustomerUID)...)
		t.set.add(t.c.descs.nextAmount, s.Amount, t.labels(s.CustomerUID, s.Currency)...)
	}
	t.c.addHealth(t.set, t.health)
	return t.set.metrics()
}

// fetch hands the window to each, for the configured customers
// concurrently (the client bounds the requests), or for every customer
// through the range endpoint when none are configured; each is called one
// page at a time.
func (c *portoneCollector) fetch(ctx context.Context, from, to time.Time, each func([]portone.Schedule) error) error {
	if c.source != nil {
		return c.source(ctx, from, to, each)
	}
	if len(c.customers) == 0 {
		return c.client.EachSchedule(ctx, from, to, each)
	}
	// A one-slot channel rather than a sync.Mutex: a page waiting for
	// another customer's is then durably blocked under testing/synctest.
	turn := make(chan struct{}, 1)
	serial := func(list []portone.Schedule) error {
		turn <- struct{}{}
		defer func() { <-turn }()
		return each(list)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(1, c.concurrency)) // a goroutine per request slot, not per customer
	for _, uid := range c.customers {
		g.Go(func() error { return c.client.EachCustomerSchedule(gctx, uid, from, to, serial) })
	}
	return g.Wait()
}
