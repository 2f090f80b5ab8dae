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
// expires at the end of this month, and a member whose only coin expires at
// the end of this month with money left.
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
