package collector

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/billingexporter/billing_exporter/internal/portone"
)

// Per-customer verdicts, decided here rather than in PromQL: with aggregate
// the rules see account totals only, where a later payment of one customer
// would hide another's failure. Per customer the value is 0 or 1; with
// aggregate it is the number of customers.
func portoneHealthDescs(perCustomer bool) (failing, lapsing *prometheus.Desc) {
	var cust []string
	if perCustomer {
		cust = []string{"customer_uid"}
	}
	failing = newDesc("portone", "customers_failing",
		"Customers whose latest executed schedule in the window failed with no paid run at or after it: 0 or 1 per customer, or the number of such customers with aggregate."+cached,
		cust...)
	lapsing = newDesc("portone", "customers_lapsing",
		"Customers with nothing scheduled after now whose latest schedule was not revoked (a revoked one is a cancellation, not a lapse): 0 or 1 per customer, or the number of such customers with aggregate."+cached,
		cust...)
	return failing, lapsing
}

// customerHealth is what the schedules in the window say about one customer.
type customerHealth struct {
	lastPaid, lastFailed time.Time // latest run with that outcome
	upcoming             bool      // a scheduled payment after now
	seen                 bool      // a schedule was seen
	latest               time.Time // schedule_at of the newest schedule
	latestRevoked        bool      // the newest schedule is revoked
	ranFailed            bool
}

func (h customerHealth) failing() bool {
	// A paid run in the same second as the failure is a retry that worked.
	return h.ranFailed && h.lastPaid.Before(h.lastFailed)
}

func (h customerHealth) lapsing() bool { return !h.upcoming && !h.latestRevoked }

// portoneHealth judges every configured customer and every customer seen
// in the schedules, in that order of first appearance. Its verdicts do not
// depend on the order the schedules are added in.
type portoneHealth struct {
	now   time.Time
	order []string
	byUID map[string]*customerHealth
}

func newPortoneHealth(configured []string, now time.Time) *portoneHealth {
	h := &portoneHealth{now: now, byUID: make(map[string]*customerHealth, len(configured))}
	for _, uid := range configured {
		h.get(uid)
	}
	return h
}

func (p *portoneHealth) get(uid string) *customerHealth {
	h, ok := p.byUID[uid]
	if !ok {
		h = &customerHealth{}
		p.byUID[uid] = h
		p.order = append(p.order, uid)
	}
	return h
}

// add takes one schedule into its customer's verdict.
func (p *portoneHealth) add(s portone.Schedule) {
	h := p.get(s.CustomerUID)
	if s.ScheduleStatus == "scheduled" && s.ScheduleAt.After(p.now) {
		h.upcoming = true
	}
	if !h.seen || s.ScheduleAt.After(h.latest) {
		h.seen, h.latest, h.latestRevoked = true, s.ScheduleAt, s.ScheduleStatus == "revoked"
	} else if s.ScheduleAt.Equal(h.latest) && s.ScheduleStatus != "revoked" {
		h.latestRevoked = false // a live schedule at the same time wins
	}
	if s.ScheduleStatus != "executed" {
		return
	}
	ran := s.ExecutedAt
	if ran.IsZero() {
		ran = s.ScheduleAt
	}
	switch s.PaymentStatus {
	case "paid":
		if ran.After(h.lastPaid) {
			h.lastPaid = ran
		}
	case "failed":
		h.ranFailed = true
		if ran.After(h.lastFailed) {
			h.lastFailed = ran
		}
	}
}

// addHealth adds the failing and lapsing series of every customer (or their
// counts, with aggregate) to set.
func (c *portoneCollector) addHealth(set *seriesSet, health *portoneHealth) {
	var failing, lapsing float64
	for _, uid := range health.order {
		h := health.byUID[uid]
		f, l := b2f(h.failing()), b2f(h.lapsing())
		if c.aggregate {
			failing, lapsing = failing+f, lapsing+l
			continue
		}
		set.add(c.descs.failing, f, c.account, uid)
		set.add(c.descs.lapsing, l, c.account, uid)
	}
	if c.aggregate {
		set.add(c.descs.failing, failing, c.account)
		set.add(c.descs.lapsing, lapsing, c.account)
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
