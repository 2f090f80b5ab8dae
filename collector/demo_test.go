package collector

import (
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/billingexporter/billing_exporter/internal/ncloud"
	"github.com/billingexporter/billing_exporter/internal/sandbox"
)

// The demo serves every upstream healthily and shows the situations the
// dashboards and alerts are built for.
func TestDemoData(t *testing.T) {
	now := time.Now()
	d, err := sandbox.Start(now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	e, _ := newTestExporter(t, d.Config, nil)
	mfs := gatherOnce(t, e)

	ups := 0
	for _, m := range familyIn(mfs, "billing_up") {
		ups++
		if m.GetGauge().GetValue() != 1 {
			t.Errorf("demo collector down: %v", m.GetLabel())
		}
	}
	if ups != 12 {
		t.Errorf("%d billing_up series, want 12 (4+4 ncloud, 2 vgp, 1 portone v1 and 1 V2)", ups)
	}

	expiry := float64(ncloud.MonthOf(now).End().Unix())
	twoMonthsAgo := ncloud.MonthOf(now).Add(-2).String()
	for _, tc := range []struct {
		metric string
		labels map[string]string
		want   float64
	}{
		{"billing_ncloud_credit_remaining", map[string]string{"account": "main", "discount_no": "90001"}, 40000},
		{"billing_ncloud_credit_received", map[string]string{"account": "main", "discount_no": "90001"}, 1000000},
		{"billing_ncloud_credit_expiry_timestamp_seconds", map[string]string{"account": "main", "discount_no": "90001"}, expiry},
		{"billing_ncloud_coin_remaining", map[string]string{"account": "main", "discount_no": "90002"}, 3000},
		{"billing_vgp_balance", map[string]string{"account": "kiosk"}, 3.5},
		{"billing_portone_schedules", map[string]string{"customer_uid": "cust_payment_failed", "payment_status": "failed"}, 1},
		{"billing_portone_upcoming_schedules", map[string]string{"customer_uid": "cust_payment_failed"}, 1},
		{"billing_portone_upcoming_schedules", map[string]string{"customer_uid": "cust_lapsing"}, 0},
		{"billing_portone_schedules", map[string]string{"account": "store", "customer_uid": "cust_v2_failed", "payment_status": "failed"}, 1},
		{"billing_portone_upcoming_schedules", map[string]string{"account": "store", "customer_uid": "cust_v2_failed"}, 1},
		{"billing_portone_upcoming_schedules", map[string]string{"account": "store", "customer_uid": "cust_v2_lapsing"}, 0},
		{"billing_portone_upcoming_schedules", map[string]string{"account": "store", "customer_uid": "sub_03"}, 1},
		{"billing_ncloud_invoice_paid", map[string]string{"account": "main", "member_no": "10000002", "month": twoMonthsAgo}, 0},
		{"billing_ncloud_invoice_paid", map[string]string{"account": "main", "member_no": "10000001", "month": twoMonthsAgo}, 1},
		{"billing_ncloud_invoice_overdue_amount", map[string]string{"account": "main", "member_no": "10000001", "month": twoMonthsAgo}, 0},
	} {
		got, n := 0.0, 0
		for _, m := range familyIn(mfs, tc.metric) {
			if matches(m, tc.labels) {
				got, n = m.GetGauge().GetValue(), n+1
			}
		}
		if n != 1 || got != tc.want {
			t.Errorf("%s%v = %v (%d series), want %v", tc.metric, tc.labels, got, n, tc.want)
		}
	}
	for _, m := range familyIn(mfs, "billing_ncloud_invoice_overdue_amount") {
		if matches(m, map[string]string{"member_no": "10000002", "month": twoMonthsAgo}) && m.GetGauge().GetValue() <= 0 {
			t.Errorf("the unpaid invoice is not overdue: %v", m)
		}
	}
	if len(familyIn(mfs, "billing_ncloud_invoice_overdue_since_timestamp_seconds")) != 1 {
		t.Errorf("want one overdue invoice in the demo")
	}
	for _, name := range []string{"billing_ncloud_demand_amount", "billing_ncloud_use_amount", "billing_ncloud_discount_amount",
		"billing_ncloud_demand_discount_applied_amount", "billing_vgp_payments", "billing_vgp_usage", "billing_portone_schedule_amount",
		"billing_portone_next_payment_timestamp_seconds", "billing_portone_next_payment_amount", "billing_ncloud_coin_expiry_timestamp_seconds"} {
		if len(familyIn(mfs, name)) == 0 {
			t.Errorf("demo has no %s", name)
		}
	}
}

func familyIn(mfs []*dto.MetricFamily, name string) []*dto.Metric {
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()
		}
	}
	return nil
}

func matches(m *dto.Metric, want map[string]string) bool {
	for k, v := range want {
		if label(m, k) != v {
			return false
		}
	}
	return true
}
