package ncloud

import "encoding"

// The XML field tables of the row types: each entry is the element its
// struct tag names (types.go, invoice.go). TestXMLFieldTablesMatchTags
// fills every tagged field and checks that the tables read it as
// encoding/xml reads the tags.

var commonCodeXML = newFields(fieldMap[CommonCode]{
	"code":     str(func(c *CommonCode) *string { return &c.Code }),
	"codeName": str(func(c *CommonCode) *string { return &c.CodeName }),
})

var productDemandTypeXML = newFields(fieldMap[ProductDemandType]{
	"code":       str(func(p *ProductDemandType) *string { return &p.Code }),
	"codeName":   str(func(p *ProductDemandType) *string { return &p.CodeName }),
	"regionCode": str(func(p *ProductDemandType) *string { return &p.RegionCode }),
})

var creditXML = newFields(fieldMap[CreditHistory]{
	"memberNo": text(func(r *CreditHistory) encoding.TextUnmarshaler { return &r.MemberNo }),
	"credit": object(func(r *CreditHistory) *Credit { return &r.Credit }, newFields(fieldMap[Credit]{
		"discountNo":         text(func(c *Credit) encoding.TextUnmarshaler { return &c.DiscountNo }),
		"creditName":         str(func(c *Credit) *string { return &c.CreditName }),
		"receivedCredit":     text(func(c *Credit) encoding.TextUnmarshaler { return &c.ReceivedCredit }),
		"remainingCredit":    text(func(c *Credit) encoding.TextUnmarshaler { return &c.RemainingCredit }),
		"validityStartMonth": text(func(c *Credit) encoding.TextUnmarshaler { return &c.ValidityStartMonth }),
		"validityEndMonth":   text(func(c *Credit) encoding.TextUnmarshaler { return &c.ValidityEndMonth }),
		"creditType":         object(func(c *Credit) *CommonCode { return &c.CreditType }, commonCodeXML),
		"payCurrency":        object(func(c *Credit) *CommonCode { return &c.PayCurrency }, commonCodeXML),
	})),
})

var coinXML = newFields(fieldMap[CoinHistory]{
	"memberNo": text(func(r *CoinHistory) encoding.TextUnmarshaler { return &r.MemberNo }),
	"coin": object(func(r *CoinHistory) *Coin { return &r.Coin }, newFields(fieldMap[Coin]{
		"discountNo":         text(func(c *Coin) encoding.TextUnmarshaler { return &c.DiscountNo }),
		"coinChagedNo":       text(func(c *Coin) encoding.TextUnmarshaler { return &c.CoinChargedNo }),
		"coinName":           str(func(c *Coin) *string { return &c.CoinName }),
		"coinType":           object(func(c *Coin) *CommonCode { return &c.CoinType }, commonCodeXML),
		"chargedCoin":        text(func(c *Coin) encoding.TextUnmarshaler { return &c.ChargedCoin }),
		"remainingCoin":      text(func(c *Coin) encoding.TextUnmarshaler { return &c.RemainingCoin }),
		"coinStatus":         object(func(c *Coin) *CommonCode { return &c.CoinStatus }, commonCodeXML),
		"isShareCoin":        text(func(c *Coin) encoding.TextUnmarshaler { return &c.IsShareCoin }),
		"validityStartMonth": text(func(c *Coin) encoding.TextUnmarshaler { return &c.ValidityStartMonth }),
		"validityEndMonth":   text(func(c *Coin) encoding.TextUnmarshaler { return &c.ValidityEndMonth }),
	})),
})

var appliedDiscountXML = newFields(fieldMap[AppliedDiscount]{
	"discountNo":            text(func(d *AppliedDiscount) encoding.TextUnmarshaler { return &d.DiscountNo }),
	"creditName":            str(func(d *AppliedDiscount) *string { return &d.Name }),
	"productDiscountName":   str(func(d *AppliedDiscount) *string { return &d.ProductDiscountName }),
	"discountTargetAmount":  text(func(d *AppliedDiscount) encoding.TextUnmarshaler { return &d.DiscountTargetAmount }),
	"discountAppliedAmount": text(func(d *AppliedDiscount) encoding.TextUnmarshaler { return &d.AppliedAmountUpper }),
	"discountAppliedamount": text(func(d *AppliedDiscount) encoding.TextUnmarshaler { return &d.AppliedAmountLower }),
	"validityStartMonth":    text(func(d *AppliedDiscount) encoding.TextUnmarshaler { return &d.ValidityStartMonth }),
	"validityEndMonth":      text(func(d *AppliedDiscount) encoding.TextUnmarshaler { return &d.ValidityEndMonth }),
})

// amount is an amount field of T.
func amount[T any](f func(*T) *Number) func(*xmlReader, *T) error {
	return text(func(r *T) encoding.TextUnmarshaler { return f(r) })
}

var demandXML = newFields(fieldMap[ProductDemandCost]{
	"memberNo":                       text(func(r *ProductDemandCost) encoding.TextUnmarshaler { return &r.MemberNo }),
	"demandMonth":                    text(func(r *ProductDemandCost) encoding.TextUnmarshaler { return &r.DemandMonth }),
	"productDemandType":              object(func(r *ProductDemandCost) *ProductDemandType { return &r.ProductDemandType }, productDemandTypeXML),
	"promiseDiscountAmount":          amount(func(r *ProductDemandCost) *Number { return &r.PromiseDiscountAmount }),
	"promotionDiscountAmount":        amount(func(r *ProductDemandCost) *Number { return &r.PromotionDiscountAmount }),
	"etcDiscountAmount":              amount(func(r *ProductDemandCost) *Number { return &r.EtcDiscountAmount }),
	"productDiscountAmount":          amount(func(r *ProductDemandCost) *Number { return &r.ProductDiscountAmount }),
	"creditDiscountAmount":           amount(func(r *ProductDemandCost) *Number { return &r.CreditDiscountAmount }),
	"defaultAmount":                  amount(func(r *ProductDemandCost) *Number { return &r.DefaultAmount }),
	"useAmount":                      amount(func(r *ProductDemandCost) *Number { return &r.UseAmount }),
	"demandAmount":                   amount(func(r *ProductDemandCost) *Number { return &r.DemandAmount }),
	"memberPriceDiscountAmount":      amount(func(r *ProductDemandCost) *Number { return &r.MemberPriceDiscountAmount }),
	"memberPromiseDiscountAddAmount": amount(func(r *ProductDemandCost) *Number { return &r.MemberPromiseDiscountAddAmount }),
	"discountAppliedCount":           amount(func(r *ProductDemandCost) *Number { return &r.DiscountAppliedCount }),
	"appliedCreditHistoryList": items(func(r *ProductDemandCost) *[]AppliedDiscount { return &r.AppliedCredits },
		"appliedCreditHistory", appliedDiscountXML),
	"appliedProductDiscountHistoryList": items(func(r *ProductDemandCost) *[]AppliedDiscount { return &r.AppliedProductDiscounts },
		"appliedProductDiscountHistory", appliedDiscountXML),
	"payCurrency": object(func(r *ProductDemandCost) *CommonCode { return &r.PayCurrency }, commonCodeXML),
})

var invoiceXML = newFields(fieldMap[DemandCost]{
	"memberNo":                    text(func(r *DemandCost) encoding.TextUnmarshaler { return &r.MemberNo }),
	"demandMonth":                 text(func(r *DemandCost) encoding.TextUnmarshaler { return &r.DemandMonth }),
	"demandNo":                    text(func(r *DemandCost) encoding.TextUnmarshaler { return &r.DemandNo }),
	"demandAttribute":             object(func(r *DemandCost) *CommonCode { return &r.DemandAttribute }, commonCodeXML),
	"useAmount":                   amount(func(r *DemandCost) *Number { return &r.UseAmount }),
	"thisMonthDemandAmount":       amount(func(r *DemandCost) *Number { return &r.ThisMonthDemandAmount }),
	"thisMonthVatRatio":           amount(func(r *DemandCost) *Number { return &r.ThisMonthVatRatio }),
	"thisMonthVatAmount":          amount(func(r *DemandCost) *Number { return &r.ThisMonthVatAmount }),
	"thisMonthAmountIncludingVat": amount(func(r *DemandCost) *Number { return &r.ThisMonthAmountIncludingVat }),
	"totalDemandAmount":           amount(func(r *DemandCost) *Number { return &r.TotalDemandAmount }),
	"isPaidUp":                    text(func(r *DemandCost) encoding.TextUnmarshaler { return &r.IsPaidUp }),
	"paidUpDate":                  text(func(r *DemandCost) encoding.TextUnmarshaler { return &r.PaidUpDate }),
	"overdueOccurDate":            text(func(r *DemandCost) encoding.TextUnmarshaler { return &r.OverdueOccurDate }),
	"overduePlusAmount":           amount(func(r *DemandCost) *Number { return &r.OverduePlusAmount }),
	"overdueRatio":                amount(func(r *DemandCost) *Number { return &r.OverdueRatio }),
	"thisMonthOverdueAmount":      amount(func(r *DemandCost) *Number { return &r.ThisMonthOverdueAmount }),
	"totalOverdueAmount":          amount(func(r *DemandCost) *Number { return &r.TotalOverdueAmount }),
	"payCurrency":                 object(func(r *DemandCost) *CommonCode { return &r.PayCurrency }, commonCodeXML),
	"writeDate":                   text(func(r *DemandCost) encoding.TextUnmarshaler { return &r.WriteDate }),
})
