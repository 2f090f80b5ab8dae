package dashgen

import (
	"fmt"
	"strings"
)

// Matchers of the template variables. Every variable is multi-value with
// allValue ".*", so it appears only inside =~ matchers. byJob and
// byInstance are in every selector (sel adds them), so that a staging and a
// production exporter with the same account names are never summed.
const (
	byJob      = `job=~"$job"`
	byInstance = `instance=~"$instance"`
	byAccount  = `account=~"$account"`
	byMember   = `member_no=~"$member_no"`
	byCustomer = `customer_uid=~"$customer_uid"`
)

// Day and week in seconds, for PromQL arithmetic on timestamps.
const (
	day  = 86400
	week = 7 * day
)

// sel is a selector: metric{matchers}, scoped to the dashboard's job and
// instance. Recording rules (level:metric:operation) aggregate across
// exporters and carry neither label, so they are not scoped.
func sel(metric string, matchers ...string) string {
	if !strings.Contains(metric, ":") {
		matchers = append([]string{byJob, byInstance}, matchers...)
	}
	return metric + "{" + strings.Join(matchers, ", ") + "}"
}

// scopeVars are the job and instance variables every dashboard starts with.
func scopeVars() []variable {
	return []variable{
		{name: "job", label: "Job", query: "label_values(billing_exporter_build_info, job)"},
		{name: "instance", label: "Instance", query: "label_values(billing_exporter_build_info{" + byJob + "}, instance)"},
	}
}

// agg is "op by (labels) (expr)".
func agg(op, labels, expr string) string {
	return fmt.Sprintf("%s by (%s) (%s)", op, labels, expr)
}

// ms turns a timestamp in seconds into the milliseconds Grafana's date units
// expect.
func ms(expr string) string { return "1000 * " + expr }

// accountVar lists the accounts of one provider, or of all when provider is
// empty.
func accountVar(provider string) variable {
	metric := sel("billing_up")
	if provider != "" {
		metric = sel("billing_up", fmt.Sprintf(`provider=%q`, provider))
	}
	return variable{name: "account", label: "Account", query: fmt.Sprintf("label_values(%s, account)", metric)}
}

func boards() []board {
	return []board{overview(), ncloud(), vgp(), portone(), exporter()}
}

// filter is the variable matchers of a dashboard.
type filter []string

// m selects metric with the dashboard's matchers and extra ones.
func (f filter) m(metric string, extra ...string) string {
	return sel(metric, append(append([]string{}, f...), extra...)...)
}

// ncloudExprs are the NCP expressions more than one dashboard uses.
type ncloudExprs struct{ filter }

// validCredit is the remaining credit of credits that have not expired.
func (n ncloudExprs) validCredit() string {
	return fmt.Sprintf("(%s and on(account, member_no, discount_no) (%s > time()))",
		n.m("billing_ncloud_credit_remaining"), n.m("billing_ncloud_credit_expiry_timestamp_seconds"))
}

// usableCoin is the remaining coin in normal (usable) status.
func (n ncloudExprs) usableCoin() string {
	return n.m("billing_ncloud_coin_remaining", `coin_status="NOML"`)
}

// currentMonth keeps the series of the month that has not ended yet.
func (n ncloudExprs) currentMonth(expr string) string {
	return fmt.Sprintf("(%s and on(account, month) (%s > time()))",
		expr, sel("billing_ncloud_demand_month_end_timestamp_seconds", byAccount))
}

// expiringTable lists credits or coins with their remaining and granted
// amounts and their expiry. kind is credit or coin; when onlyLive is set,
// only those with money left that have not expired are listed.
func (n ncloudExprs) expiringTable(kind string, onlyLive bool) *panel {
	var labels []string
	var granted, grantedCol string
	switch kind {
	case "credit":
		labels = []string{"account", "member_no", "credit_name", "credit_type", "discount_no", "currency"}
		granted, grantedCol = "billing_ncloud_credit_received", "Received"
	case "coin":
		labels = []string{"account", "member_no", "coin_type", "coin_status", "discount_no", "currency"}
		granted, grantedCol = "billing_ncloud_coin_charged", "Charged"
	default:
		panic("dashgen: unknown kind " + kind)
	}
	by := strings.Join(labels, ", ")
	remaining := n.m("billing_ncloud_" + kind + "_remaining")
	expiry := n.m("billing_ncloud_" + kind + "_expiry_timestamp_seconds")
	key := "account, member_no, discount_no"
	if onlyLive {
		remaining = fmt.Sprintf("((%s > 0) and on(%s) (%s > time()))", remaining, key, expiry)
		expiry = fmt.Sprintf("((%s > time()) and on(%s) (%s > 0))", expiry, key, n.m("billing_ncloud_"+kind+"_remaining"))
	}
	expiresAt := ms(agg("max", key, expiry))
	cols := []target{
		col("Remaining", "short", agg("sum", by, remaining)),
	}
	if !onlyLive {
		cols = append(cols, col(grantedCol, "short", agg("sum", by, n.m(granted))))
	}
	cols = append(cols,
		col("Expires", "dateTimeAsIso", expiresAt),
		col("Expires in", "dateTimeFromNow", expiresAt),
	)
	return table("", "", labels, cols...).sorted("Expires", false)
}

// exhaustedCredits lists credits that are used up (nothing left of what
// was received) and have not expired: a fact the alerts no longer page on,
// shown here instead.
func (n ncloudExprs) exhaustedCredits() *panel {
	labels := []string{"account", "member_no", "credit_name", "credit_type", "discount_no", "currency"}
	by := strings.Join(labels, ", ")
	key := "account, member_no, discount_no"
	usedUp := fmt.Sprintf("((%s == 0) and on(%s) (%s > time()))",
		n.m("billing_ncloud_credit_remaining"), key, n.m("billing_ncloud_credit_expiry_timestamp_seconds"))
	received := fmt.Sprintf("(%s and on(%s) %s)", n.m("billing_ncloud_credit_received"), by, usedUp)
	expiresAt := ms(agg("max", key, fmt.Sprintf("(%s and on(%s) %s)", n.m("billing_ncloud_credit_expiry_timestamp_seconds"), key, usedUp)))
	return table("Exhausted credits",
		"Which NCP credits are used up before their validity ends? Credits with nothing left of what was received that have not expired; use they were eligible for is now paid by coins or the payment method. A used-up credit does not page: the prepaid runway alert covers the money still left.",
		labels,
		col("Received", "short", agg("sum", by, received)),
		col("Valid until", "dateTimeAsIso", expiresAt),
	).sorted("Valid until", false).size(12, 8)
}

func overview() board {
	n := ncloudExprs{filter{byAccount}}
	upcoming := sel("billing_portone_upcoming_schedules", byAccount)
	nextAt := ms(agg("max", "account, customer_uid", sel("billing_portone_next_payment_timestamp_seconds", byAccount)))
	// Alerts without an account, job or instance label (aggregations) too.
	alerts := `alertname=~"Billing.*", account=~"$account|", job=~"$job|", instance=~"$instance|"`

	credits := n.expiringTable("credit", true)
	credits.title = "Credits with money left, by expiry"
	credits.desc = "Which NCP credits expire next, and how much money would be lost with them? Unexpired credits with money left, soonest expiry first."
	coins := n.expiringTable("coin", true)
	coins.title = "Coins with money left, by expiry"
	coins.desc = "Which NCP coins expire next, and how much is left on them? Unexpired coins with money left, soonest expiry first."

	return board{
		uid:         "billing-overview",
		title:       "Billing / Overview",
		description: "Money left, what expires next, this month's NCP spend against prepaid money, PortOne payments due, and billing alerts firing.",
		timeFrom:    "now-7d",
		vars:        []variable{accountVar("")},
		rows: []row{
			{"Money left", []*panel{
				stat("Money left",
					"How much prepaid money is left per account and currency? Unexpired NCP credits, usable (NOML) NCP coins and VGP balances (VGP reports no currency).",
					now(agg("sum", "account, currency", n.validCredit()), "{{account}} NCP credit ({{currency}})"),
					now(agg("sum", "account, currency", n.usableCoin()), "{{account}} NCP coin ({{currency}})"),
					now(agg("sum", "account", sel("billing_vgp_balance", byAccount)), "{{account}} VGP"),
				).withUnit("short").size(24, 5),
			}},
			{"What expires next", []*panel{credits, coins}},
			{"This month (NCP)", []*panel{
				timeseries("Use this month vs prepaid money left",
					"Will the prepaid NCP money last the month? Use before discounts so far this month, its projection to the end of the month, and the prepaid money left (unexpired credits and usable coins), per account and currency.",
					q(sel("billing:ncloud_use_amount_this_month:sum", byAccount), "{{account}} used so far ({{currency}})"),
					q(sel("billing:ncloud_use_amount_projected_month:sum", byAccount), "{{account}} projected for the month ({{currency}})"),
					q(sel("billing:ncloud_prepaid_remaining:sum", byAccount), "{{account}} prepaid left ({{currency}})"),
				).withUnit("short"),
				bargauge("Projected month use / prepaid left",
					"Does the prepaid money cover this month's projected use? Projected use for the month divided by the prepaid money left; above 100% it does not.",
					now(fmt.Sprintf("%s / on(account, currency) (%s > 0)",
						sel("billing:ncloud_use_amount_projected_month:sum", byAccount),
						sel("billing:ncloud_prepaid_remaining:sum", byAccount)), "{{account}} ({{currency}})"),
				).withUnit("percentunit").withMin(0).withMax(1).withThresholds("green", at(0.8, "orange"), at(1, "red")).size(6, 8),
				gauge("Month elapsed",
					"How much of the current billing month (Asia/Seoul) has passed? Compare with the use so far.",
					now(agg("max", "account", sel("billing:ncloud_month_elapsed:ratio", byAccount)), "{{account}}"),
				).withUnit("percentunit").withMin(0).withMax(1).size(6, 8),
			}},
			{"PortOne payments due", []*panel{
				table("Next PortOne payments",
					"Which PortOne scheduled payments run next, when, and for how much? One row per customer, soonest first.",
					[]string{"account", "customer_uid", "currency"},
					col("Due", "dateTimeAsIso", nextAt),
					col("Due in", "dateTimeFromNow", nextAt),
					col("Amount", "short", agg("max", "account, customer_uid, currency", sel("billing_portone_next_payment_amount", byAccount))),
				).sorted("Due", false).size(18, 8),
				stat("Lapsing PortOne customers",
					"How many PortOne customers have no upcoming scheduled payment, so their subscription lapses?",
					now(agg("count", "account", upcoming+" == 0"), "{{account}}"),
				).withUnit("none").withNoValue("0").withThresholds("green", at(1, "red")).size(6, 8),
			}},
			{"Alerts", []*panel{
				stat("Billing alerts firing",
					"How many billing alerts (Billing*) are firing now?",
					now(fmt.Sprintf(`count(ALERTS{%s, alertstate="firing"})`, alerts), "firing"),
				).withUnit("none").withNoValue("0").withThresholds("green", at(1, "red")).size(6, 8),
				table("Firing billing alerts",
					"Which billing alerts are firing, for which account, and since when?",
					[]string{"alertname", "severity", "provider", "account", "collector", "member_no", "discount_no", "caller", "customer_uid"},
					col("Active since", "dateTimeAsIso", ms(fmt.Sprintf(`(ALERTS_FOR_STATE{%s} and ignoring(alertstate) ALERTS{%s, alertstate="firing"})`, alerts, alerts))),
				).sorted("Active since", true).size(18, 8),
			}},
		},
	}
}

func ncloud() board {
	n := ncloudExprs{filter{byAccount, byMember}}
	month := "account, month, currency"
	product := "account, month, product_demand_type, region_code, currency"

	credits := n.expiringTable("credit", false).size(12, 8)
	credits.title = "Credits by expiry"
	credits.desc = "When does each NCP credit expire, and how much of it is left? All credits, expired ones included, soonest expiry first."
	coins := n.expiringTable("coin", false).size(24, 8)
	coins.title = "Coins by expiry"
	coins.desc = "When does each NCP coin expire, and how much of it is left? All coins, soonest expiry first."

	return board{
		uid:         "billing-ncloud",
		title:       "Billing / NAVER Cloud",
		description: "NAVER Cloud Platform credits, coins, demand (billed and used amounts), invoices (paid, unpaid, overdue) and discounts.",
		timeFrom:    "now-30d",
		vars: []variable{
			accountVar("ncloud"),
			{name: "member_no", label: "Member", query: `label_values({__name__=~"billing_ncloud_(credit_remaining|coin_remaining|demand_amount|invoice_paid)", ` + byJob + `, ` + byInstance + `, account=~"$account"}, member_no)`},
		},
		rows: []row{
			{"Credits", []*panel{
				stat("Unexpired credit left",
					"How much NCP credit can still be used, per account and currency? Remaining credit of credits that have not expired.",
					now(agg("sum", "account, currency", n.validCredit()), "{{account}} ({{currency}})"),
				).withUnit("short").size(6, 8),
				bargauge("Credit left per credit",
					"How much of each credit is still unused? Remaining divided by received, per credit.",
					now(fmt.Sprintf("%s / (%s > 0)", n.m("billing_ncloud_credit_remaining"), n.m("billing_ncloud_credit_received")),
						"{{credit_name}} · {{member_no}} · {{account}}"),
				).withUnit("percentunit").withMin(0).withMax(1).withThresholds("red", at(0.1, "orange"), at(0.3, "green")).size(18, 8),
				timeseries("Credit remaining vs received",
					"How fast is credit being used up? Remaining and received credit over time, per account and currency.",
					q(agg("sum", "account, currency", n.m("billing_ncloud_credit_remaining")), "{{account}} remaining ({{currency}})"),
					q(agg("sum", "account, currency", n.m("billing_ncloud_credit_received")), "{{account}} received ({{currency}})"),
				).withUnit("short"),
				credits,
				n.exhaustedCredits(),
			}},
			{"Coins", []*panel{
				bargauge("Coin left by type and status",
					"How much coin is left, by coin type and status? Only NOML (normal) coins can be spent.",
					now(agg("sum", "account, coin_type, coin_status, currency", n.m("billing_ncloud_coin_remaining")), "{{account}} {{coin_type}} {{coin_status}} ({{currency}})"),
				).withUnit("short"),
				timeseries("Coin remaining vs charged",
					"How fast are coins being used up? Remaining and charged coin over time, per account, coin type and currency.",
					q(agg("sum", "account, coin_type, currency", n.m("billing_ncloud_coin_remaining")), "{{account}} {{coin_type}} remaining ({{currency}})"),
					q(agg("sum", "account, coin_type, currency", n.m("billing_ncloud_coin_charged")), "{{account}} {{coin_type}} charged ({{currency}})"),
				).withUnit("short"),
				coins,
			}},
			{"Demand and use", []*panel{
				stat("Billed this month",
					"How much has been billed so far this month (demand, after discounts), per account and currency?",
					now(agg("sum", "account, currency", n.currentMonth(n.m("billing_ncloud_demand_amount"))), "{{account}} ({{currency}})"),
				).withUnit("short").size(6, 8),
				stat("Used this month",
					"How much has been used so far this month (before discounts), per account and currency?",
					now(agg("sum", "account, currency", n.currentMonth(n.m("billing_ncloud_use_amount"))), "{{account}} ({{currency}})"),
				).withUnit("short").size(6, 8),
				bargauge("Billed per month",
					"How does the billed amount (demand after discounts) compare from month to month?",
					now(agg("sum", month, n.m("billing_ncloud_demand_amount")), "{{account}} {{month}} ({{currency}})"),
				).size(12, 8).withUnit("short"),
				bargauge("Billed this month by product",
					"Which products cost the most this month? Demand after discounts by product_demand_type.",
					now(agg("sum", "account, product_demand_type, currency", n.currentMonth(n.m("billing_ncloud_demand_amount"))), "{{account}} {{product_demand_type}} ({{currency}})"),
				).withUnit("short").size(24, 8),
				table("Demand and use by month and product",
					"What was used, discounted and billed for each product, month and region? Largest bill first.",
					[]string{"account", "month", "product_demand_type", "region_code", "currency"},
					col("Used", "short", agg("sum", product, n.m("billing_ncloud_use_amount"))),
					col("Discounts", "short", agg("sum", product, n.m("billing_ncloud_discount_amount"))),
					col("Billed", "short", agg("sum", product, n.m("billing_ncloud_demand_amount"))),
				).sorted("Billed", true).size(24, 10),
			}},
			n.invoicesRow(),
			{"Discounts", []*panel{
				bargauge("Discounts by type",
					"Where do the discounts come from? Discount amount by type (product, credit, promise, promotion, etc, member_price, member_promise_add) and month.",
					now(agg("sum", "account, month, discount_type, currency", n.m("billing_ncloud_discount_amount"))+" > 0", "{{account}} {{month}} {{discount_type}} ({{currency}})"),
				).withUnit("short"),
				table("Applied discounts by discount_no",
					"Which credits and product discounts (discount_no) were applied to the bill, and for how much? Largest first.",
					[]string{"account", "month", "discount_kind", "discount_no", "currency"},
					col("Applied", "short", agg("sum", "account, month, discount_kind, discount_no, currency", n.m("billing_ncloud_demand_discount_applied_amount"))),
				).sorted("Applied", true),
			}},
		},
	}
}

func vgp() board {
	balance := sel("billing_vgp_balance", byAccount)
	payments := sel("billing_vgp_payments", byAccount)
	canceled := sel("billing_vgp_payments", byAccount, `status="canceled"`)
	usage := sel("billing_vgp_usage", byAccount)
	last := sel("billing_vgp_last_payment_timestamp_seconds", byAccount)
	return board{
		uid:         "billing-vgp",
		title:       "Billing / VGP",
		description: "VGP balances, payments and usage by status, and when each account last paid.",
		timeFrom:    "now-7d",
		vars:        []variable{accountVar("vgp")},
		rows: []row{
			{"Balance", []*panel{
				stat("VGP balance",
					"How much VGP balance does each account have left?",
					now(balance, "{{account}} ({{caller}})"),
				).withUnit(vgpPointsUnit).size(8, 6),
				timeseries("VGP balance over time",
					"How has the VGP balance changed, and how close is it to the alert minimum (shown when configured)?",
					q(balance, "{{account}} ({{caller}})"),
					q(sel("billing_alert_threshold", byAccount, `provider="vgp"`, `threshold="balance_min"`)+" > 0", "{{account}} alert minimum"),
				).withUnit(vgpPointsUnit).size(16, 6),
			}},
			{"Payments and usage", []*panel{
				bargauge("Payments by status",
					"How many payments are in the VGP history, paid and canceled?",
					now(payments, "{{account}} ({{caller}}) {{status}}"),
				).withUnit("none").size(8, 8),
				bargauge("Usage by status",
					"How much VGP was used by paid and by canceled payments?",
					now(usage, "{{account}} ({{caller}}) {{status}}"),
				).withUnit(vgpPointsUnit).size(8, 8),
				stat("Canceled share of payments",
					"What share of the payments in the history were canceled?",
					now(fmt.Sprintf("(%s or 0 * %s) / %s",
						agg("sum", "account", canceled), agg("sum", "account", payments), agg("sum", "account", payments)), "{{account}}"),
				).withUnit("percentunit").withThresholds("green", at(0.25, "orange")).size(8, 8),
				timeseries("Payments over time",
					"How does the number of payments grow, by status?",
					q(agg("sum", "account, status", payments), "{{account}} {{status}}"),
				).withUnit("none"),
				timeseries("Usage over time",
					"How does VGP usage grow, by status?",
					q(agg("sum", "account, status", usage), "{{account}} {{status}}"),
				).withUnit(vgpPointsUnit),
			}},
			{"Activity", []*panel{
				stat("Time since last payment",
					"How long ago did each account last pay with VGP?",
					now("time() - "+last, "{{account}} ({{caller}})"),
				).withUnit("s").withThresholds("green", at(week, "orange")).size(12, 6),
				table("Last payment",
					"When did each account last pay, and what balance did that leave?",
					[]string{"account", "caller"},
					col("Last payment", "dateTimeAsIso", ms(agg("max", "account, caller", last))),
					col("Ago", "dateTimeFromNow", ms(agg("max", "account, caller", last))),
					col("Balance", vgpPointsUnit, agg("max", "account, caller", balance)),
				).sorted("Last payment", false).size(12, 6),
			}},
		},
	}
}

func portone() board {
	m := filter{byAccount, byCustomer}.m
	key := "account, customer_uid"
	schedules := m("billing_portone_schedules")
	upcoming := m("billing_portone_upcoming_schedules")
	nextTS := m("billing_portone_next_payment_timestamp_seconds")
	lastFailed := m("billing_portone_last_run_timestamp_seconds", `payment_status="failed"`)
	lastPaid := m("billing_portone_last_run_timestamp_seconds", `payment_status="paid"`)
	// failing: customers whose latest run failed (no paid run after it).
	failing := fmt.Sprintf("((%[1]s > on(%[3]s) %[2]s) or (%[1]s unless on(%[3]s) %[2]s))", lastFailed, lastPaid, key)
	lapsing := "(" + upcoming + " == 0)"
	nextAt := ms(agg("max", key, nextTS))
	return board{
		uid:         "billing-portone",
		title:       "Billing / PortOne",
		description: "PortOne scheduled payments, v1 (iamport) and V2 accounts alike: schedules by status, failed payments, upcoming payments and lapsing customers.",
		timeFrom:    "now-7d",
		vars: []variable{
			accountVar("portone"),
			{name: "customer_uid", label: "Customer", query: `label_values({__name__=~"billing_portone_(schedules|upcoming_schedules)", ` + byJob + `, ` + byInstance + `, account=~"$account"}, customer_uid)`},
		},
		rows: []row{
			{"Schedules", []*panel{
				bargauge("Schedules by status",
					"How many scheduled payments in the window are scheduled, executed or revoked, and how did the executed ones end (paid, failed, cancelled; pending while a V2 payment runs)?",
					now(agg("sum", "account, schedule_status, payment_status", schedules), "{{account}} {{schedule_status}} / {{payment_status}}"),
				).withUnit("none").size(8, 8),
				bargauge("Scheduled amount by status",
					"How much money is in the window's schedules, by schedule and payment status?",
					now(agg("sum", "account, schedule_status, payment_status, currency", m("billing_portone_schedule_amount")), "{{account}} {{schedule_status}} / {{payment_status}} ({{currency}})"),
				).withUnit("short").size(8, 8),
				timeseries("Schedules by status over time",
					"How do the schedules in the window move between statuses over time?",
					q(agg("sum", "account, schedule_status, payment_status", schedules), "{{account}} {{schedule_status}} / {{payment_status}}"),
				).withUnit("none").size(8, 8),
			}},
			{"Failures", []*panel{
				stat("Failed and cancelled payments",
					"How many executed schedules in the window failed or were cancelled?",
					now(agg("sum", "account, payment_status", m("billing_portone_schedules", `payment_status=~"failed|cancelled"`)), "{{account}} {{payment_status}}"),
				).withUnit("none").withNoValue("0").withThresholds("green", at(1, "red")).size(6, 8),
				table("Customers whose last payment failed",
					"Which customers' latest payment run failed, with no successful payment since, and when is the next try?",
					[]string{"account", "customer_uid"},
					col("Failed at", "dateTimeAsIso", ms(agg("max", key, failing))),
					col("Last paid", "dateTimeAsIso", ms(agg("max", key, fmt.Sprintf("%s and on(%s) %s", lastPaid, key, failing)))),
					col("Next scheduled", "dateTimeAsIso", ms(agg("max", key, fmt.Sprintf("%s and on(%s) %s", nextTS, key, failing)))),
				).sorted("Failed at", true).size(18, 8),
			}},
			{"Upcoming payments", []*panel{
				stat("Lapsing customers",
					"How many customers have no upcoming scheduled payment, so their subscription lapses?",
					now(agg("count", "account", lapsing), "{{account}}"),
				).withUnit("none").withNoValue("0").withThresholds("green", at(1, "red")).size(6, 6),
				stat("Payments due in 7 days",
					"How many scheduled payments run in the next 7 days?",
					now(agg("count", "account", fmt.Sprintf("%s < time() + %d", nextTS, week)), "{{account}}"),
				).withUnit("none").withNoValue("0").size(6, 6),
				stat("Amount due in 7 days",
					"How much money do the next payments of the coming 7 days bring in, per currency?",
					now(agg("sum", "account, currency", fmt.Sprintf("%s and on(%s) (%s < time() + %d)", m("billing_portone_next_payment_amount"), key, nextTS, week)), "{{account}} ({{currency}})"),
				).withUnit("short").withNoValue("0").size(12, 6),
				table("Lapsing customers",
					"Which customers have no upcoming scheduled payment, and when did they last pay?",
					[]string{"account", "customer_uid"},
					col("Upcoming schedules", "none", agg("max", key, lapsing)),
					col("Last paid", "dateTimeAsIso", ms(agg("max", key, fmt.Sprintf("%s and on(%s) %s", lastPaid, key, lapsing)))),
				).sorted("Last paid", false),
				timeseries("Upcoming schedules over time",
					"Is the pipeline of upcoming scheduled payments growing or shrinking?",
					q(agg("sum", "account", upcoming), "{{account}}"),
				).withUnit("none"),
				table("Next payments",
					"When does each customer's next scheduled payment run, for how much, and how many are lined up? Soonest first; customers without one are lapsing.",
					[]string{"account", "customer_uid", "currency"},
					col("Upcoming schedules", "none", agg("max", key, upcoming)),
					col("Next payment", "dateTimeAsIso", nextAt),
					col("Due", "dateTimeFromNow", nextAt),
					col("Amount", "short", agg("max", "account, customer_uid, currency", m("billing_portone_next_payment_amount"))),
				).sorted("Next payment", false).size(24, 10),
			}},
		},
	}
}

func exporter() board {
	up := sel("billing_up", byAccount)
	requests := sel("billing_upstream_requests_total", byAccount)
	errors := sel("billing_upstream_requests_total", byAccount, `code!~"2.."`)
	rate := func(expr string) string {
		return agg("sum", "provider, account", "rate("+expr+"[$__rate_interval])")
	}
	collector := "{{provider}} / {{account}} / {{collector}}"
	return board{
		uid:         "billing-exporter",
		title:       "Billing / Exporter",
		description: "Health of billing_exporter itself: collector status, refresh durations and age, upstream requests and errors, alert thresholds and build.",
		timeFrom:    "now-6h",
		vars:        []variable{accountVar("")},
		rows: []row{
			{"Collectors", []*panel{
				stat("Collectors failing",
					"How many collectors' last refresh failed?",
					now("count("+up+" == 0) or vector(0)", "failing"),
				).withUnit("none").withNoValue("0").withThresholds("green", at(1, "red")).size(6, 6),
				stat("Collector status",
					"Did each collector's last upstream refresh succeed?",
					now(up, collector),
				).withValueText("0", "DOWN", "red").withValueText("1", "UP", "green").
					withThresholds("red", at(1, "green")).withOption("colorMode", "background").size(18, 6),
				timeseries("Refresh duration",
					"How long do upstream refreshes take, per collector? Compare with the scrape timeout.",
					q(sel("billing_collector_duration_seconds", byAccount), collector),
				).withUnit("s"),
				bargauge("Time since last successful refresh",
					"How old is the data each collector serves? Time since its last successful refresh.",
					now("time() - "+sel("billing_collector_last_success_timestamp_seconds", byAccount), collector),
				).withUnit("s").withThresholds("green", at(3600, "orange"), at(day, "red")),
			}},
			{"Upstream requests", []*panel{
				timeseries("Upstream request rate by code",
					"How often does the exporter call each upstream, and with which HTTP status (error = no response)?",
					q(agg("sum", "provider, account, code", "rate("+requests+"[$__rate_interval])"), "{{provider}} / {{account}} {{code}}"),
				).withUnit("reqps"),
				timeseries("Upstream error ratio",
					"What share of upstream requests fail (non-2xx status or no response)?",
					q(fmt.Sprintf("(%s or 0 * %s) / %s", rate(errors), rate(requests), rate(requests)), "{{provider}} / {{account}}"),
				).withUnit("percentunit").withMin(0),
				bargauge("Upstream requests in the time range",
					"How many upstream requests were made in the dashboard's time range, by status code?",
					now(agg("sum", "provider, account, code", "increase("+requests+"[$__range])"), "{{provider}} / {{account}} {{code}}"),
				).withUnit("none").withDecimals(0).size(24, 6),
			}},
			{"Configuration and build", []*panel{
				table("Build info",
					"Which billing_exporter version and build is running, and on how many instances?",
					[]string{"version", "revision", "branch", "goversion", "goos", "goarch"},
					col("Instances", "none", agg("count", "version, revision, branch, goversion, goos, goarch", sel("billing_exporter_build_info"))),
				).size(12, 5),
				stat("Exporter uptime",
					"How long has each billing_exporter process been running? A short uptime means a recent restart.",
					now("time() - "+agg("max", "instance", sel("process_start_time_seconds")+" and on(instance, job) "+sel("billing_exporter_build_info")), "{{instance}}"),
				).withUnit("s").size(12, 5),
				table("Alert thresholds",
					"Which alert thresholds does each account have (from the config file; durations in seconds)?",
					[]string{"provider", "account", "threshold"},
					col("Value", "none", agg("max", "provider, account, threshold", sel("billing_alert_threshold", byAccount))),
				).sorted("account", false).size(24, 8),
			}},
		},
	}
}

// invoicesRow shows each member's monthly bills: the amount with VAT, paid
// or not, and what is overdue. Unpaid counts only closed months: the running
// month is always unpaid.
func (n ncloudExprs) invoicesRow() row {
	bill := "account, member_no, month, currency"
	key := "account, member_no, month"
	amount := n.m("billing_ncloud_invoice_amount")
	closed := fmt.Sprintf("(%s < time())", n.m("billing_ncloud_invoice_month_end_timestamp_seconds"))
	unpaid := fmt.Sprintf("((%s == 0) and on(%s) %s)", n.m("billing_ncloud_invoice_paid"), key, closed)
	// withCurrency gives a per-bill series the currency of its amount, so
	// that every column of the table joins on the same labels.
	withCurrency := func(expr string) string {
		return fmt.Sprintf("%s + on(%s) group_right() (0 * %s)", expr, key, amount)
	}
	return row{"Invoices", []*panel{
		stat("Unpaid bills of closed months",
			"How many bills of months that have ended are still unpaid, per account? The running month is left out: it is billed after it closes.",
			now(agg("count", "account", unpaid), "{{account}}"),
		).withUnit("none").withNoValue("0").withThresholds("green", at(1, "orange")).size(6, 8),
		stat("Overdue",
			"How much is overdue on the bills (totalOverdueAmount), per account and currency? Above 0, NCP may suspend services.",
			now(agg("sum", "account, currency", n.m("billing_ncloud_invoice_overdue_amount")), "{{account}} ({{currency}})"),
		).withUnit("short").withNoValue("0").withThresholds("green", at(1, "red")).size(6, 8),
		bargauge("Bill per month with VAT",
			"How large is each month's bill, VAT included, per account and currency?",
			now(agg("sum", "account, month, currency", amount), "{{account}} {{month}} ({{currency}})"),
		).withUnit("short").size(12, 8),
		table("Bills by month",
			"What was billed for each member and month, VAT included, is it paid, and what is overdue since when? Newest month first.",
			[]string{"account", "member_no", "month", "currency"},
			col("Billed with VAT", "short", agg("sum", bill, amount)),
			col("VAT", "short", agg("sum", bill, n.m("billing_ncloud_invoice_vat_amount"))),
			col("Paid", "bool_yes_no", agg("min", bill, withCurrency(n.m("billing_ncloud_invoice_paid")))),
			col("Paid at", "dateTimeAsIso", ms(agg("max", bill, withCurrency(n.m("billing_ncloud_invoice_paid_timestamp_seconds"))))),
			col("Overdue", "short", agg("sum", bill, n.m("billing_ncloud_invoice_overdue_amount"))),
			col("Surcharge", "short", agg("sum", bill, n.m("billing_ncloud_invoice_overdue_surcharge_amount"))),
			col("Overdue since", "dateTimeAsIso", ms(agg("min", bill, withCurrency(n.m("billing_ncloud_invoice_overdue_since_timestamp_seconds"))))),
		).sorted("month", true).size(24, 10),
	}}
}
