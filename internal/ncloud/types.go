package ncloud

// CommonCode is NCP's code/name pair (creditType, coinStatus, payCurrency...).
type CommonCode struct {
	Code     string `xml:"code" json:"code"`
	CodeName string `xml:"codeName" json:"codeName"`
}

// ProductDemandType names a billed product; RegionCode may be empty.
type ProductDemandType struct {
	Code       string `xml:"code" json:"code"`
	CodeName   string `xml:"codeName" json:"codeName"`
	RegionCode string `xml:"regionCode" json:"regionCode"`
}

// CreditHistory is one credit granted to a member. Its use history
// (creditUseHistory) and eligible products are not decoded: no metric
// reads them, and they are most of a credit's bytes.
type CreditHistory struct {
	MemberNo FlexString `xml:"memberNo" json:"memberNo"`
	Credit   Credit     `xml:"credit" json:"credit"`
}

// Credit is the credit itself.
type Credit struct {
	DiscountNo         FlexString `xml:"discountNo" json:"discountNo"`
	CreditName         string     `xml:"creditName" json:"creditName"`
	ReceivedCredit     Number     `xml:"receivedCredit" json:"receivedCredit"`
	RemainingCredit    Number     `xml:"remainingCredit" json:"remainingCredit"`
	ValidityStartMonth FlexString `xml:"validityStartMonth" json:"validityStartMonth"`
	ValidityEndMonth   FlexString `xml:"validityEndMonth" json:"validityEndMonth"`
	CreditType         CommonCode `xml:"creditType" json:"creditType"`
	PayCurrency        CommonCode `xml:"payCurrency" json:"payCurrency"`
}

// CoinHistory is one coin charge; its use history is not decoded.
type CoinHistory struct {
	MemberNo FlexString `xml:"memberNo" json:"memberNo"`
	Coin     Coin       `xml:"coin" json:"coin"`
}

// Coin is the coin charge itself. The API spells coinChagedNo without the r.
type Coin struct {
	DiscountNo         FlexString `xml:"discountNo" json:"discountNo"`
	CoinChargedNo      FlexString `xml:"coinChagedNo" json:"coinChagedNo"`
	CoinName           string     `xml:"coinName" json:"coinName"`
	CoinType           CommonCode `xml:"coinType" json:"coinType"`
	ChargedCoin        Number     `xml:"chargedCoin" json:"chargedCoin"`
	RemainingCoin      Number     `xml:"remainingCoin" json:"remainingCoin"`
	CoinStatus         CommonCode `xml:"coinStatus" json:"coinStatus"`
	IsShareCoin        FlexBool   `xml:"isShareCoin" json:"isShareCoin"`
	ValidityStartMonth FlexString `xml:"validityStartMonth" json:"validityStartMonth"`
	ValidityEndMonth   FlexString `xml:"validityEndMonth" json:"validityEndMonth"`
}

// ProductDemandCost is what one product cost a member in one month, with
// the discounts that were applied.
type ProductDemandCost struct {
	MemberNo                       FlexString        `xml:"memberNo" json:"memberNo"`
	DemandMonth                    FlexString        `xml:"demandMonth" json:"demandMonth"`
	ProductDemandType              ProductDemandType `xml:"productDemandType" json:"productDemandType"`
	PromiseDiscountAmount          Number            `xml:"promiseDiscountAmount" json:"promiseDiscountAmount"`
	PromotionDiscountAmount        Number            `xml:"promotionDiscountAmount" json:"promotionDiscountAmount"`
	EtcDiscountAmount              Number            `xml:"etcDiscountAmount" json:"etcDiscountAmount"`
	ProductDiscountAmount          Number            `xml:"productDiscountAmount" json:"productDiscountAmount"`
	CreditDiscountAmount           Number            `xml:"creditDiscountAmount" json:"creditDiscountAmount"`
	DefaultAmount                  Number            `xml:"defaultAmount" json:"defaultAmount"`
	UseAmount                      Number            `xml:"useAmount" json:"useAmount"`
	DemandAmount                   Number            `xml:"demandAmount" json:"demandAmount"`
	MemberPriceDiscountAmount      Number            `xml:"memberPriceDiscountAmount" json:"memberPriceDiscountAmount"`
	MemberPromiseDiscountAddAmount Number            `xml:"memberPromiseDiscountAddAmount" json:"memberPromiseDiscountAddAmount"`
	DiscountAppliedCount           Number            `xml:"discountAppliedCount" json:"discountAppliedCount"`
	AppliedCredits                 []AppliedDiscount `xml:"appliedCreditHistoryList>appliedCreditHistory" json:"appliedCreditHistoryList"`
	AppliedProductDiscounts        []AppliedDiscount `xml:"appliedProductDiscountHistoryList>appliedProductDiscountHistory" json:"appliedProductDiscountHistoryList"`
	PayCurrency                    CommonCode        `xml:"payCurrency" json:"payCurrency"`
}

// AppliedDiscount is one credit or product discount applied to a demand.
// The docs name the amount discountAppliedamount and their own sample
// discountAppliedAmount; both are read and Amount reports whichever came.
type AppliedDiscount struct {
	DiscountNo           FlexString `xml:"discountNo" json:"discountNo"`
	Name                 string     `xml:"creditName" json:"creditName"`
	ProductDiscountName  string     `xml:"productDiscountName" json:"productDiscountName"`
	DiscountTargetAmount Number     `xml:"discountTargetAmount" json:"discountTargetAmount"`
	AppliedAmountUpper   Number     `xml:"discountAppliedAmount" json:"discountAppliedAmount"`
	AppliedAmountLower   Number     `xml:"discountAppliedamount" json:"discountAppliedamount"`
	ValidityStartMonth   FlexString `xml:"validityStartMonth" json:"validityStartMonth"`
	ValidityEndMonth     FlexString `xml:"validityEndMonth" json:"validityEndMonth"`
}

// Amount is the discount applied, under either spelling of the field.
func (d AppliedDiscount) Amount() float64 {
	if d.AppliedAmountUpper.Set {
		return d.AppliedAmountUpper.Value
	}
	return d.AppliedAmountLower.Value
}
