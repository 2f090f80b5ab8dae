package ncloudsim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// GenerateOptions sizes the synthetic data. Counts of zero generate nothing.
type GenerateOptions struct {
	Seed    int64
	Now     time.Time // months are counted from Now in Seoul; zero = 2025-06-15 12:00 KST
	Members []string  // default one member, "10000001"

	Credits, Coins int
	DemandProducts int // products billed every month (SVR, BST, SCMTR, GDNS, ... then PRD11...)
	DemandMonths   int // months of demand rows, ending with Now's month
}

// FCHG, COIN, BONUS, NOML, RFNDSS, KRW, SVR, BST, SCMTR and GDNS come from the
// seeds and api-notes 2.4; the other codes and names are invented.
var (
	krw = CommonCode{"KRW", "South Korea Won"}
	usd = CommonCode{"USD", "US Dollar"}

	creditTypes = []CommonCode{{"FCHG", "Fee-Charging"}, {"PRMT", "Promotion"}, {"CMPN", "Compensation"}}
	creditNames = []string{"paid-credit", "promotion-credit", "compensation-credit"} // by creditTypes index
	coinCommon  = CommonCode{"COIN", "Common Coin"}
	coinBonus   = CommonCode{"BONUS", "Bonus Coing"} // sic, as the seed
	coinNormal  = CommonCode{"NOML", "Normal"}
	coinRefund  = CommonCode{"RFNDSS", "Refund Success"}

	products = []ProductDemandType{
		{"SVR", "Server", "KR"},
		{"BST", "Block Storage", "KR"},
		{"SCMTR", "Security Monitoring", "KR"},
		{"GDNS", "Global DNS", "COM"},
		{"OBJST", "Object Storage", "KR"},
		{"LDBLC", "Load Balancer", "KR"},
		{"CDNPL", "CDN+", "COM"},
		{"CLDB", "Cloud DB for MySQL", "KR"},
		{"NAS", "NAS", "KR"},
		{"PUBIP", "Public IP", "KR"},
	}
	coinNames = []string{"Bank transfer (Nonghyup)", "Bank transfer (Shinhan)", "Virtual account", "Credit card charge"}
)

// Discount numbers by kind, so that numbers never collide across kinds.
const (
	creditNoBase  = 100000
	coinNoBase    = 500000
	productNoBase = 900000
)

// Generate returns deterministic synthetic data: the same options give the
// same Data. Credits expire this month (1 in 4), later (1 in 2) or already
// expired (1 in 4); one credit in 10 is in USD. Coins come in COIN/BONUS pairs
// sharing a coinChagedNo, one pair in 7 refunded. Demand rows satisfy
// demandAmount = useAmount - all discounts, with product discounts on every
// third product and credits applied from the generated credits when one is
// valid and eligible.
func Generate(opts GenerateOptions) Data {
	g := generator{
		rng:     rand.New(rand.NewPCG(uint64(opts.Seed), 0x6e636c6f7564)),
		members: opts.Members,
		now:     opts.Now,
	}
	if len(g.members) == 0 {
		g.members = []string{"10000001"}
	}
	if g.now.IsZero() {
		g.now = time.Date(2025, 6, 15, 12, 0, 0, 0, seoul)
	}
	g.now = g.now.In(seoul)
	g.thisMonth = monthOf(g.now)

	d := Data{Credits: make([]CreditHistory, opts.Credits), Coins: make([]CoinHistory, opts.Coins)}
	for i := range d.Credits {
		d.Credits[i] = g.credit(i)
	}
	var start month
	var charged float64
	for i := range d.Coins {
		if i%2 == 0 { // a COIN and its BONUS share one charge
			start, charged = g.thisMonth-month(g.between(0, 24)), float64(g.between(1, 100)*10000)
		}
		d.Coins[i] = g.coin(i, start, charged)
	}
	d.Demand = g.demand(opts.DemandProducts, opts.DemandMonths, d.Credits)
	d.Bills = billsOf(d.Demand, g.thisMonth)
	return d
}

type generator struct {
	rng       *rand.Rand
	members   []string
	now       time.Time
	thisMonth month
}

// between returns a random int in [lo, hi].
func (g *generator) between(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) }

// round rounds down to the currency's smallest billed unit (10 KRW, 0.01 USD).
// The small offset absorbs binary float error (1599.81-69.96 = 1529.8499...).
func round(v float64, cur CommonCode) float64 {
	if cur == krw {
		return math.Floor(v/10+1e-9) * 10
	}
	return math.Floor(v*100+1e-6) / 100
}

func (g *generator) eligible(n int) []ProductDemandType {
	out := make([]ProductDemandType, 0, n)
	for _, i := range g.rng.Perm(len(products))[:n] {
		out = append(out, products[i])
	}
	return out
}

func (g *generator) credit(i int) CreditHistory {
	var start, end month
	switch i % 4 {
	case 0: // expires this month
		end = g.thisMonth
		start = end - month(g.between(0, 11))
	case 1, 3: // runs on
		start = g.thisMonth - month(g.between(0, 11))
		end = g.thisMonth + month(g.between(1, 12))
	case 2: // expired
		end = g.thisMonth - month(g.between(1, 12))
		start = end - month(g.between(0, 11))
	}
	cur, received := krw, float64(g.between(1, 100)*10000)
	if i%10 == 9 {
		cur, received = usd, float64(g.between(1, 50)*100)
	}
	t := 0 // mostly Fee-Charging
	if g.rng.IntN(3) == 0 {
		t = g.between(1, len(creditTypes)-1)
	}
	elig := g.eligible(g.between(1, 3))

	// Spend part of the credit in some of its months up to now.
	remaining := received
	var uses []CreditUseHistory
	for m := start; m <= min(end, g.thisMonth) && remaining > 0; m++ {
		if g.rng.IntN(3) == 0 {
			continue
		}
		used := round(remaining*g.rng.Float64()*0.6, cur)
		if m == end && g.rng.IntN(2) == 0 {
			used = remaining // used up in its last month
		}
		if used == 0 {
			continue
		}
		p := elig[g.rng.IntN(len(elig))]
		left := round(remaining-used, cur) // keeps USD cents exact in print
		uses = append(uses, CreditUseHistory{
			UseMonth: m.String(), ProductDemandTypeCode: p.Code, ProductDemandType: p,
			UnusedCredit: remaining, UsedCredit: used, RemainingCredit: left,
		})
		remaining = left
	}
	return CreditHistory{
		MemberNo: g.members[i%len(g.members)],
		Credit: Credit{
			DiscountNo:                    strconv.Itoa(creditNoBase + i),
			CreditName:                    fmt.Sprintf("%s-%d", creditNames[t], i+1),
			ReceivedCredit:                received,
			RemainingCredit:               remaining,
			ValidityStartMonth:            start.String(),
			ValidityEndMonth:              end.String(),
			CreditType:                    creditTypes[t],
			EligibleProductDemandTypeList: elig,
			PayCurrency:                   cur,
		},
		CreditUseHistory: uses,
	}
}

// coin returns the COIN (even i) or the BONUS (odd i) of charge number i/2.
func (g *generator) coin(i int, start month, charged float64) CoinHistory {
	pair := i / 2
	owner := g.members[pair%len(g.members)]
	typ, end := coinCommon, start+36
	if i%2 == 1 {
		typ, end = coinBonus, start+12
		charged = round(charged*0.05, krw)
	}
	c := Coin{
		DiscountNo:         strconv.Itoa(coinNoBase + i),
		CoinChagedNo:       strconv.Itoa(1000 + pair),
		CoinName:           coinNames[pair%len(coinNames)],
		CoinType:           typ,
		ChargedCoin:        charged,
		RemainingCoin:      charged,
		CoinStatus:         coinNormal,
		ValidityStartMonth: start.String(),
		ValidityEndMonth:   end.String(),
	}
	h := CoinHistory{MemberNo: owner, Coin: c}
	if pair%7 == 6 {
		h.Coin.CoinStatus, h.Coin.RemainingCoin = coinRefund, 0
		return h
	}
	users := []string{owner}
	if len(g.members) > 1 && pair%5 == 0 {
		other := g.members[(pair+1)%len(g.members)]
		h.Coin.IsShareCoin = true
		h.Coin.ShareCoinSnapshotList = []ShareCoinSnapshot{{MemberNo: owner, ShareMemberNo: other, ApplyMonth: start.String()}}
		users = append(users, other)
	}
	for m := start; m <= min(end, g.thisMonth) && h.Coin.RemainingCoin > 0; m++ {
		if g.rng.IntN(2) == 0 {
			continue
		}
		unused := h.Coin.RemainingCoin
		used := round(unused*g.rng.Float64()*0.3, krw)
		if used == 0 {
			continue
		}
		h.CoinUseHistory = append(h.CoinUseHistory, CoinUseHistory{
			MemberNo: owner, SharedMemberNo: users[g.rng.IntN(len(users))], UseMonth: m.String(),
			UnusedCoin: unused, UsedCoin: used, RemainingCoin: unused - used,
		})
		h.Coin.RemainingCoin -= used
	}
	return h
}

// demand bills every member for nProducts products in each of the nMonths
// months ending with this month.
func (g *generator) demand(nProducts, nMonths int, credits []CreditHistory) []ProductDemandCost {
	var rows []ProductDemandCost
	for m := g.thisMonth - month(nMonths) + 1; m <= g.thisMonth; m++ {
		for mi, member := range g.members {
			for p := range nProducts {
				rows = append(rows, g.demandRow(m, member, mi, p, credits))
			}
		}
	}
	return rows
}

func (g *generator) demandRow(m month, member string, memberIdx, p int, credits []CreditHistory) ProductDemandCost {
	pdt := ProductDemandType{Code: fmt.Sprintf("PRD%02d", p+1), CodeName: fmt.Sprintf("Product %d", p+1), RegionCode: "KR"}
	if p < len(products) {
		pdt = products[p]
	}
	if pdt.RegionCode == "COM" {
		pdt.RegionCode = "" // demand rows carry no region for global products, as in the seed
	}
	row := ProductDemandCost{
		MemberNo:          member,
		DemandMonth:       m.String(),
		ProductDemandType: pdt,
		UseAmount:         round(float64(g.between(100, 500000)), krw),
		WriteDate:         g.writeDate(m).Format(DateLayout),
		PayCurrency:       krw,
	}
	if p%5 == 1 {
		row.PromotionDiscountAmount = round(row.UseAmount*0.02, krw)
	}
	target := row.UseAmount - row.PromotionDiscountAmount
	if p%3 == 0 {
		h := AppliedProductDiscountHistory{
			DiscountTargetAmount:     target,
			DiscountNo:               strconv.Itoa(productNoBase + p),
			ProductDiscountName:      fmt.Sprintf("%s-discount", pdt.Code),
			DiscountRate:             10,
			DiscountCondition:        true,
			MaximumDiscountCondition: true,
			ValidityStartMonth:       (g.thisMonth - 12).String(),
			ValidityEndMonth:         (g.thisMonth + 12).String(),
			EligibleProductDemandTypeList: []ProductDemandType{
				products[p%len(products)],
			},
		}
		h.DiscountAppliedAmount = round(target*h.DiscountRate/100, krw)
		row.ProductDiscountAmount = h.DiscountAppliedAmount
		row.AppliedProductDiscountHistoryList = []AppliedProductDiscountHistory{h}
		target -= h.DiscountAppliedAmount
	}
	if c, ok := g.creditFor(credits, memberIdx, m, pdt.Code); ok && target > 0 {
		applied := min(target, round(c.ReceivedCredit*0.1, krw))
		row.CreditDiscountAmount = applied
		row.AppliedCreditHistoryList = []AppliedCreditHistory{{
			DiscountTargetAmount: target, DiscountAppliedAmount: applied,
			DiscountNo: c.DiscountNo, CreditName: c.CreditName,
			ReceivedCredit: c.ReceivedCredit, RemainingCredit: c.RemainingCredit,
			ValidityStartMonth: c.ValidityStartMonth, ValidityEndMonth: c.ValidityEndMonth,
			CreditType: c.CreditType, EligibleProductDemandTypeList: c.EligibleProductDemandTypeList,
		}}
		target -= applied
	}
	row.DemandAmount = target
	row.DiscountAppliedCount = len(row.AppliedCreditHistoryList) + len(row.AppliedProductDiscountHistoryList)
	return row
}

// creditFor tries a few of the member's KRW credits for one valid in month m
// and eligible for the product; most rows get none.
func (g *generator) creditFor(credits []CreditHistory, memberIdx int, m month, code string) (Credit, bool) {
	perMember := len(credits) / len(g.members)
	if perMember == 0 || g.rng.IntN(3) != 0 {
		return Credit{}, false
	}
	for range 4 {
		c := credits[g.rng.IntN(perMember)*len(g.members)+memberIdx].Credit
		if c.PayCurrency != krw || m.String() < c.ValidityStartMonth || m.String() > c.ValidityEndMonth {
			continue
		}
		for _, e := range c.EligibleProductDemandTypeList {
			if e.Code == code {
				return c, true
			}
		}
	}
	return Credit{}, false
}

// writeDate is when the month's bill was written: early next month for past
// months, a few hours ago for the running one.
func (g *generator) writeDate(m month) time.Time {
	if m == g.thisMonth {
		t := g.now.Add(-time.Duration(g.between(1, 12)) * time.Hour).Truncate(time.Second)
		if t.Before(m.time()) {
			return m.time()
		}
		return t
	}
	return (m + 1).time().Add(time.Duration(g.between(3*3600, 9*3600)) * time.Second)
}
