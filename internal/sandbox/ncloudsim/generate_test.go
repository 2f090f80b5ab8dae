package ncloudsim

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// near compares amounts up to float error (they have at most two decimals).
func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// cents reports whether v prints with at most two decimals.
func cents(v float64) bool {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	i := strings.IndexByte(s, '.')
	return i < 0 || len(s)-i-1 <= 2
}

func TestGenerateDeterministic(t *testing.T) {
	opts := GenerateOptions{Seed: 42, Now: testNow, Members: []string{"m1", "m2"}, Credits: 50, Coins: 20, DemandProducts: 6, DemandMonths: 3}
	a, b := Generate(opts), Generate(opts)
	if !reflect.DeepEqual(a, b) {
		t.Error("the same options gave different data")
	}
	opts.Seed = 43
	if reflect.DeepEqual(a, Generate(opts)) {
		t.Error("another seed gave the same data")
	}
}

func TestGenerateCredits(t *testing.T) {
	d := Generate(GenerateOptions{Seed: 1, Now: testNow, Members: []string{"m1", "m2", "m3"}, Credits: 400})
	const thisMonth = "202503"
	count := map[string]int{}
	seen := map[string]bool{}
	for _, h := range d.Credits {
		c := h.Credit
		seen[c.DiscountNo] = true
		count["member "+h.MemberNo]++
		count["type "+c.CreditType.Code]++
		count["currency "+c.PayCurrency.Code]++
		switch {
		case c.ValidityEndMonth == thisMonth:
			count["expiring"]++
		case c.ValidityEndMonth > thisMonth:
			count["later"]++
		default:
			count["expired"]++
		}
		if c.ValidityStartMonth > c.ValidityEndMonth || c.ValidityStartMonth > thisMonth {
			t.Errorf("credit %s valid %s..%s", c.DiscountNo, c.ValidityStartMonth, c.ValidityEndMonth)
		}
		if len(c.EligibleProductDemandTypeList) == 0 {
			t.Errorf("credit %s has no eligible product", c.DiscountNo)
		}
		// The use history chains from the received amount to the remaining one.
		left := c.ReceivedCredit
		for _, u := range h.CreditUseHistory {
			if u.UnusedCredit != left || !near(u.RemainingCredit, u.UnusedCredit-u.UsedCredit) || u.UsedCredit <= 0 ||
				u.ProductDemandTypeCode != u.ProductDemandType.Code || u.UseMonth < c.ValidityStartMonth || u.UseMonth > min(c.ValidityEndMonth, thisMonth) {
				t.Fatalf("credit %s: inconsistent use %+v after %v left", c.DiscountNo, u, left)
			}
			if !cents(u.UsedCredit) || !cents(u.RemainingCredit) {
				t.Errorf("credit %s: use %+v has fractions of cents", c.DiscountNo, u)
			}
			left = u.RemainingCredit
		}
		if !cents(c.ReceivedCredit) || !cents(c.RemainingCredit) {
			t.Errorf("credit %s: amounts %v/%v have fractions of cents", c.DiscountNo, c.ReceivedCredit, c.RemainingCredit)
		}
		if left != c.RemainingCredit || c.RemainingCredit < 0 || c.RemainingCredit > c.ReceivedCredit {
			t.Errorf("credit %s: remaining %v, history leaves %v of %v", c.DiscountNo, c.RemainingCredit, left, c.ReceivedCredit)
		}
	}
	if len(seen) != len(d.Credits) {
		t.Errorf("%d distinct discountNo for %d credits", len(seen), len(d.Credits))
	}
	for k, atLeast := range map[string]int{
		"member m1": 100, "member m3": 100, "type FCHG": 200, "type PRMT": 1, "type CMPN": 1,
		"currency KRW": 300, "currency USD": 20, "expiring": 50, "later": 100, "expired": 50,
	} {
		if count[k] < atLeast {
			t.Errorf("%s: %d credits, want at least %d (%v)", k, count[k], atLeast, count)
		}
	}
}

func TestGenerateCoins(t *testing.T) {
	d := Generate(GenerateOptions{Seed: 1, Now: testNow, Members: []string{"m1", "m2"}, Coins: 40})
	count := map[string]int{}
	for i, h := range d.Coins {
		c := h.Coin
		count[c.CoinType.Code+" "+c.CoinStatus.Code]++
		if c.IsShareCoin != (len(c.ShareCoinSnapshotList) > 0) {
			t.Errorf("coin %s: isShareCoin %v with %d snapshots", c.DiscountNo, c.IsShareCoin, len(c.ShareCoinSnapshotList))
		}
		if i%2 == 1 && (c.CoinChagedNo != d.Coins[i-1].Coin.CoinChagedNo || c.CoinType.Code != "BONUS") {
			t.Errorf("coin %d is not the BONUS of coin %d's charge", i, i-1)
		}
		left := c.ChargedCoin
		for _, u := range h.CoinUseHistory {
			if u.UnusedCoin != left || !near(u.RemainingCoin, u.UnusedCoin-u.UsedCoin) || u.MemberNo != h.MemberNo {
				t.Fatalf("coin %s: inconsistent use %+v", c.DiscountNo, u)
			}
			left = u.RemainingCoin
		}
		if c.CoinStatus.Code == "NOML" && left != c.RemainingCoin {
			t.Errorf("coin %s: remaining %v, history leaves %v", c.DiscountNo, c.RemainingCoin, left)
		}
	}
	for _, k := range []string{"COIN NOML", "BONUS NOML", "COIN RFNDSS", "BONUS RFNDSS"} {
		if count[k] == 0 {
			t.Errorf("no %s coin in %v", k, count)
		}
	}
}

func TestGenerateDemand(t *testing.T) {
	d := Generate(GenerateOptions{Seed: 3, Now: testNow, Members: []string{"m1", "m2"}, Credits: 300, DemandProducts: 12, DemandMonths: 4})
	if len(d.Demand) != 12*4*2 {
		t.Fatalf("%d rows, want 96", len(d.Demand))
	}
	months, codes := map[string]bool{}, map[string]string{}
	withCredit, withProduct := 0, 0
	for _, r := range d.Demand {
		months[r.DemandMonth] = true
		codes[r.ProductDemandType.Code] = r.ProductDemandType.RegionCode
		discounts := r.PromiseDiscountAmount + r.PromotionDiscountAmount + r.EtcDiscountAmount + r.ProductDiscountAmount +
			r.CreditDiscountAmount + r.MemberPriceDiscountAmount + r.MemberPromiseDiscountAddAmount
		if !near(r.DemandAmount, r.UseAmount-discounts) || r.DemandAmount < 0 {
			t.Errorf("%s %s: demand %v != use %v - discounts %v", r.DemandMonth, r.ProductDemandType.Code, r.DemandAmount, r.UseAmount, discounts)
		}
		var credit, product float64
		for _, a := range r.AppliedCreditHistoryList {
			credit += a.DiscountAppliedAmount
			if a.DiscountNo == "" || a.ValidityStartMonth > r.DemandMonth || a.ValidityEndMonth < r.DemandMonth {
				t.Errorf("applied credit %+v not valid in %s", a, r.DemandMonth)
			}
		}
		for _, a := range r.AppliedProductDiscountHistoryList {
			product += a.DiscountAppliedAmount
		}
		if credit != r.CreditDiscountAmount || product != r.ProductDiscountAmount ||
			r.DiscountAppliedCount != len(r.AppliedCreditHistoryList)+len(r.AppliedProductDiscountHistoryList) {
			t.Errorf("%s %s: applied histories do not add up: %+v", r.DemandMonth, r.ProductDemandType.Code, r)
		}
		withCredit += min(len(r.AppliedCreditHistoryList), 1)
		withProduct += min(len(r.AppliedProductDiscountHistoryList), 1)
		w, err := time.Parse(DateLayout, r.WriteDate)
		if err != nil || w.After(testNow) || r.PayCurrency != krw {
			t.Errorf("writeDate %q (%v), currency %v", r.WriteDate, err, r.PayCurrency)
		}
	}
	if fmt.Sprint(months) != "map[202412:true 202501:true 202502:true 202503:true]" {
		t.Errorf("months %v, want the 4 ending with 202503", months)
	}
	for code, region := range map[string]string{"SVR": "KR", "BST": "KR", "SCMTR": "KR", "GDNS": "", "PRD12": "KR"} {
		if r, ok := codes[code]; !ok || r != region {
			t.Errorf("product %s: region %q (present %v), want %q", code, r, ok, region)
		}
	}
	if withCredit == 0 || withProduct == 0 {
		t.Errorf("%d rows with credits, %d with product discounts; want some of each", withCredit, withProduct)
	}
}

func TestGenerateLarge(t *testing.T) {
	began := time.Now()
	d := Generate(GenerateOptions{Seed: 9, Now: testNow, Credits: 50000})
	if took, limit := time.Since(began), time.Second*raceSlowdown; took > limit {
		t.Errorf("50,000 credits took %v, want < %v", took, limit)
	}
	_, c := start(t, Options{}, d)
	began = time.Now()
	total, items := listReply(t, c.get(t, ActionCreditHistory, "pageNo=50&responseFormatType=json"), ActionCreditHistory, "creditHistoryList")
	if total != 50000 || len(items) != 1000 || path(items[999], "credit", "discountNo") != d.Credits[49999].Credit.DiscountNo {
		t.Errorf("last page: totalRows %d, %d items", total, len(items))
	}
	if took, limit := time.Since(began), time.Second*raceSlowdown; took > limit {
		t.Errorf("serving the last page took %v, want < %v", took, limit)
	}
}
