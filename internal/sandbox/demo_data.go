package sandbox

import (
	"fmt"
	"time"

	"github.com/billingexporter/billing_exporter/internal/sandbox/ncloudsim"
	"github.com/billingexporter/billing_exporter/internal/sandbox/portonesim"
	"github.com/billingexporter/billing_exporter/internal/sandbox/vgpsim"
)

// kst is Korea Standard Time (UTC+9 all year), the zone NCP months are in.
var kst = time.FixedZone("KST", 9*60*60)

func yyyymm(t time.Time) string { return t.In(kst).Format("200601") }

var (
	krw     = ncloudsim.CommonCode{Code: "KRW", CodeName: "South Korea Won"}
	feeCred = ncloudsim.CommonCode{Code: "FCHG", CodeName: "Fee-Charging"}
)

// ncloudMain is generated history plus a credit that is almost used up and
// expires at the end of this month, a credit used up months before it
// expires, a member whose only coin expires at
// the end of this month with money left, and a member whose bill of two
// months ago is unpaid and overdue.
func ncloudMain(now time.Time) ncloudsim.Data {
	d := ncloudsim.Generate(ncloudsim.GenerateOptions{
		Seed: 1, Now: now, Members: []string{"10000001", "10000002"}, Credits: 6, Coins: 3, DemandProducts: 6, DemandMonths: 3,
	})
	d.Credits = append(d.Credits, ncloudsim.CreditHistory{
		MemberNo: "10000001",
		Credit: ncloudsim.Credit{
			DiscountNo: "90001", CreditName: "startup-program-credit",
			ReceivedCredit: 1_000_000, RemainingCredit: 40_000,
			ValidityStartMonth: yyyymm(now.AddDate(0, -11, 0)), ValidityEndMonth: yyyymm(now),
			CreditType: feeCred, PayCurrency: krw,
		},
	})
	unpaidInvoice(&d, "10000002", now)
	d.Credits = append(d.Credits, ncloudsim.CreditHistory{
		MemberNo: "10000002", // used up three months before it expires
		Credit: ncloudsim.Credit{
			DiscountNo: "90003", CreditName: "migration-credit",
			ReceivedCredit: 300_000, RemainingCredit: 0,
			ValidityStartMonth: yyyymm(now.AddDate(0, -3, 0)), ValidityEndMonth: yyyymm(now.AddDate(0, 3, 0)),
			CreditType: feeCred, PayCurrency: krw,
		},
	})
	d.Coins = append(d.Coins, ncloudsim.CoinHistory{
		MemberNo: "10000003", // a member whose only coin expires unused
		Coin: ncloudsim.Coin{
			DiscountNo: "90002", CoinChagedNo: "4402", CoinName: "Bank transfer (prepaid)",
			CoinType:    ncloudsim.CommonCode{Code: "COIN", CodeName: "Common Coin"},
			ChargedCoin: 100_000, RemainingCoin: 3_000,
			CoinStatus:         ncloudsim.CommonCode{Code: "NOML", CodeName: "Normal"},
			ValidityStartMonth: yyyymm(now.AddDate(0, -6, 0)), ValidityEndMonth: yyyymm(now),
		},
	})
	return d
}

// vgpLow is a kiosk's history whose balance has run down to 3.5.
func vgpLow(now time.Time) []vgpsim.Record {
	var recs []vgpsim.Record
	balance := 53.0
	for i := range 8 {
		usage := 7.0
		if i == 7 {
			usage = 0.5
		}
		balance -= usage
		recs = append(recs, vgpsim.Record{
			Timestamp: now.Add(-time.Duration(8-i) * 36 * time.Hour),
			Balance:   fmt.Sprint(balance), Usage: fmt.Sprint(usage), Status: "PAID",
			PID: fmt.Sprintf("k%04d", i+1), StoreInfo: "GS25",
		})
	}
	return recs
}

// portoneShop is generated subscriptions plus a customer whose last payment
// failed and one with no payment scheduled (lapsing).
func portoneShop(now time.Time) []portonesim.Schedule {
	list := portonesim.Generate(portonesim.GenerateOptions{
		Seed: 1, Now: now, Customers: 12, SchedulesPerCustomer: 3,
		Lookback: 30 * 24 * time.Hour, Lookahead: 45 * 24 * time.Hour,
	})
	paid, failed := "paid", "failed"
	imp := func(s string) *string { return &s }
	base := func(customer, merchant string, at time.Time) portonesim.Schedule {
		return portonesim.Schedule{
			CustomerUID: customer, MerchantUID: merchant, ScheduleAt: at.Unix(), Amount: 29000, Currency: "KRW",
			Name: "프리미엄 월간 구독", BuyerName: "데모 고객", BuyerEmail: "demo.customer@example.com", BuyerTel: "010-0000-0000",
			PGProvider: "nice", PGID: "nictest04m", CustomerID: customer,
		}
	}
	failedRun := base("cust_payment_failed", "demo_failed_1", now.Add(-26*time.Hour))
	failedRun.ScheduleStatus, failedRun.PaymentStatus, failedRun.ExecutedAt = portonesim.StatusExecuted, &failed, now.Add(-26*time.Hour).Unix()
	failedRun.FailReason, failedRun.ImpUID = "카드 한도초과", imp("imp_demo_failed_1")
	retry := base("cust_payment_failed", "demo_failed_2", now.Add(5*24*time.Hour))
	retry.ScheduleStatus = portonesim.StatusScheduled

	lapsed := base("cust_lapsing", "demo_lapsing_1", now.Add(-20*24*time.Hour))
	lapsed.ScheduleStatus, lapsed.PaymentStatus, lapsed.ExecutedAt = portonesim.StatusExecuted, &paid, now.Add(-20*24*time.Hour).Unix()
	lapsed.ImpUID = imp("imp_demo_lapsing_1")
	return append(list, failedRun, retry, lapsed)
}

// unpaidInvoice makes member's bill of two months ago (closed more than the
// default 20 days of grace ago, whatever the day) unpaid and overdue since
// the first of last month, with the late surcharge NCP adds.
func unpaidInvoice(d *ncloudsim.Data, member string, now time.Time) {
	month := yyyymm(now.In(kst).AddDate(0, 0, 1-now.In(kst).Day()).AddDate(0, -2, 0))
	lastMonth := time.Date(now.In(kst).Year(), now.In(kst).Month()-1, 1, 0, 0, 0, 0, kst)
	for i := range d.Bills {
		b := &d.Bills[i]
		if b.MemberNo != member || b.DemandMonth != month {
			continue
		}
		b.IsPaidUp, b.PaidUpDate = false, ""
		b.OverdueOccurDate = lastMonth.Format(ncloudsim.DateLayout)
		ncloudsim.SetVAT(b)
		b.ThisMonthOverdueAmount, b.TotalOverdueAmount = b.ThisMonthAmountIncludingVat, b.ThisMonthAmountIncludingVat
		b.OverdueRatio = 0.015
		b.OverduePlusAmount = float64(int(b.TotalOverdueAmount * b.OverdueRatio))
		ncloudsim.SetVAT(b) // the total now carries the overdue amount
		return
	}
	panic("sandbox: no generated bill of member " + member + " for " + month)
}

// portoneStore is a PortOne V2 store: monthly subscriptions paid about
// 15 days ago and due again in about 15 days, plus a customer whose payment
// failed yesterday (retry scheduled), one with nothing scheduled and one
// who cancelled.
func portoneStore(now time.Time) []portonesim.V2Schedule {
	day := 24 * time.Hour
	var list []portonesim.V2Schedule
	add := func(id, customer, status string, at time.Time, amount int64) *portonesim.V2Schedule {
		list = append(list, portonesim.V2Schedule{
			ID: id, StoreID: DemoPortOneV2StoreID, PaymentID: "pay_" + id, BillingKey: "billing-key-" + id, OrderName: "베이직 월간 구독",
			CustomerID: customer, CustomerName: "데모 구독자", CustomerEmail: "v2.subscriber@example.com", CustomerPhone: "010-1111-2222",
			TotalAmount: amount, Currency: "KRW", Status: status, CreatedAt: at.Add(-30 * day), TimeToPay: at,
		})
		return &list[len(list)-1]
	}
	ran := func(s *portonesim.V2Schedule) {
		s.StartedAt, s.CompletedAt = s.TimeToPay, s.TimeToPay.Add(90*time.Second)
	}
	for i := range 8 {
		c := fmt.Sprintf("sub_%02d", i+1)
		offset := time.Duration(i) * 12 * time.Hour
		ran(add(c+"_1", c, portonesim.V2Succeeded, now.Add(-15*day-offset), 9900))
		add(c+"_2", c, portonesim.V2Scheduled, now.Add(15*day-offset), 9900)
	}
	ran(add("v2_failed_0", "cust_v2_failed", portonesim.V2Succeeded, now.Add(-29*day), 19900))
	ran(add("v2_failed_1", "cust_v2_failed", portonesim.V2Failed, now.Add(-30*time.Hour), 19900))
	add("v2_failed_2", "cust_v2_failed", portonesim.V2Scheduled, now.Add(3*day), 19900)
	ran(add("v2_lapsing_1", "cust_v2_lapsing", portonesim.V2Succeeded, now.Add(-18*day), 9900))
	// A cancellation (the newest schedule revoked) is not a lapse.
	ran(add("v2_cancelled_1", "cust_v2_cancelled", portonesim.V2Succeeded, now.Add(-20*day), 9900))
	r := add("v2_cancelled_2", "cust_v2_cancelled", portonesim.V2Revoked, now.Add(10*day), 9900)
	r.RevokedAt = now.Add(-2 * day)
	return list
}
