package collector

import (
	"testing"
	"time"

	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/sandbox/portonesim"
)

// customerHealthSchedules: c_fail failed after its last paid run while
// c_paid paid later than that failure (an account-wide "latest run" would
// call the account healthy); c_recovered failed and then paid; c_lapse ran
// and has nothing scheduled; c_cancel's newest schedule is revoked;
// c_tie failed and paid in the same second.
func customerHealthSchedules(now time.Time) []portonesim.Schedule {
	h := func(n int) time.Time { return now.Add(time.Duration(n) * time.Hour) }
	return []portonesim.Schedule{
		schedule("c_fail", "f1", h(-72), "executed", "paid", 100),
		schedule("c_fail", "f2", h(-48), "executed", "failed", 100),
		schedule("c_fail", "f3", h(24), "scheduled", "none", 100),
		schedule("c_paid", "p1", h(-1), "executed", "paid", 100),
		schedule("c_paid", "p2", h(48), "scheduled", "none", 100),
		schedule("c_recovered", "r1", h(-30), "executed", "failed", 100),
		schedule("c_recovered", "r2", h(-6), "executed", "paid", 100),
		schedule("c_recovered", "r3", h(700), "scheduled", "none", 100),
		schedule("c_lapse", "l1", h(-100), "executed", "paid", 100),
		schedule("c_cancel", "x1", h(-200), "executed", "paid", 100),
		schedule("c_cancel", "x2", h(500), "revoked", "none", 100),
		schedule("c_tie", "t1", h(-5), "executed", "failed", 100),
		schedule("c_tie", "t2", h(-5), "executed", "paid", 100),
		schedule("c_tie", "t3", h(5), "scheduled", "none", 100),
	}
}

func TestPortOneCustomerHealthPerCustomer(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	_, url := portoneServer(t, portonesim.Options{}, portonesim.Merchant{ImpKey: "imp_key_1", ImpSecret: "imp_secret_1", Schedules: customerHealthSchedules(now)})
	// c_new is configured but has no schedule at all: it lapses.
	a := portoneAccount(url, "c_fail", "c_paid", "c_recovered", "c_lapse", "c_cancel", "c_tie", "c_new")
	e, _ := newTestExporter(t, &config.Config{PortOne: []config.PortOneAccount{a}}, fixedClock(now))
	compareText(t, e, `# HELP billing_portone_customers_failing `+help(portoneByCustomer.failing)+`
# TYPE billing_portone_customers_failing gauge
billing_portone_customers_failing{account="shop",customer_uid="c_cancel"} 0
billing_portone_customers_failing{account="shop",customer_uid="c_fail"} 1
billing_portone_customers_failing{account="shop",customer_uid="c_lapse"} 0
billing_portone_customers_failing{account="shop",customer_uid="c_new"} 0
billing_portone_customers_failing{account="shop",customer_uid="c_paid"} 0
billing_portone_customers_failing{account="shop",customer_uid="c_recovered"} 0
billing_portone_customers_failing{account="shop",customer_uid="c_tie"} 0
# HELP billing_portone_customers_lapsing `+help(portoneByCustomer.lapsing)+`
# TYPE billing_portone_customers_lapsing gauge
billing_portone_customers_lapsing{account="shop",customer_uid="c_cancel"} 0
billing_portone_customers_lapsing{account="shop",customer_uid="c_fail"} 0
billing_portone_customers_lapsing{account="shop",customer_uid="c_lapse"} 1
billing_portone_customers_lapsing{account="shop",customer_uid="c_new"} 1
billing_portone_customers_lapsing{account="shop",customer_uid="c_paid"} 0
billing_portone_customers_lapsing{account="shop",customer_uid="c_recovered"} 0
billing_portone_customers_lapsing{account="shop",customer_uid="c_tie"} 0
`, "billing_portone_customers_failing", "billing_portone_customers_lapsing")
}

// With aggregate and the range endpoint, the counts are per customer: the
// failure of c_fail is counted although c_paid paid later, and the
// cancelled c_cancel is not counted as lapsing.
func TestPortOneCustomerHealthAggregate(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	_, url := portoneServer(t, portonesim.Options{}, portonesim.Merchant{ImpKey: "imp_key_1", ImpSecret: "imp_secret_1", Schedules: customerHealthSchedules(now)})
	a := portoneAccount(url)
	a.Aggregate = true
	e, _ := newTestExporter(t, &config.Config{PortOne: []config.PortOneAccount{a}}, fixedClock(now))
	compareText(t, e, `# HELP billing_portone_customers_failing `+help(portoneByAccount.failing)+`
# TYPE billing_portone_customers_failing gauge
billing_portone_customers_failing{account="shop"} 1
# HELP billing_portone_customers_lapsing `+help(portoneByAccount.lapsing)+`
# TYPE billing_portone_customers_lapsing gauge
billing_portone_customers_lapsing{account="shop"} 1
`, "billing_portone_customers_failing", "billing_portone_customers_lapsing")
}
