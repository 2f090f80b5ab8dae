package ncloudsim

// The fake's data model. Field names follow the API (api-notes 2.4), including
// its misspelling CoinChagedNo. The xml tags are only used to parse the
// embedded seed samples: encoding/xml cannot write the API's empty-element
// form (<x/>), so responses are rendered by render.go instead.

// Data is everything one account can see.
type Data struct {
	Credits []CreditHistory     // getCreditHistoryList
	Coins   []CoinHistory       // getCoinHistoryList
	Demand  []ProductDemandCost // getProductDemandCostByDiscountList
	Bills   []DemandCost        // getDemandCostList (cost group): one invoice per member and month

	// Samples maps an action to a recorded upstream response describing
	// exactly the list above it (SeedData sets them). Drop the entry when
	// editing that list, or the fake keeps serving the recording.
	Samples map[string]Sample
}

// Sample is a recorded XML response served byte for byte (see the package doc).
type Sample struct {
	XML       string // from "<?xml" through the closing root tag
	TotalRows int    // as recorded; the demand seed says 2 while carrying 1 item
}

// CommonCode is the API's code/name pair.
type CommonCode struct {
	Code     string `xml:"code"`
	CodeName string `xml:"codeName"`
}

// ProductDemandType is a billable product; RegionCode may be empty.
type ProductDemandType struct {
	Code       string `xml:"code"`
	CodeName   string `xml:"codeName"`
	RegionCode string `xml:"regionCode"`
}

// CreditHistory is one item of creditHistoryList.
type CreditHistory struct {
	MemberNo         string             `xml:"memberNo"`
	Credit           Credit             `xml:"credit"`
	CreditUseHistory []CreditUseHistory `xml:"creditUseHistory>creditUseHistory"`
}

// Credit is a granted credit.
type Credit struct {
	DiscountNo                    string              `xml:"discountNo"`
	CreditName                    string              `xml:"creditName"`
	ReceivedCredit                float64             `xml:"receivedCredit"`
	RemainingCredit               float64             `xml:"remainingCredit"`
	ValidityStartMonth            string              `xml:"validityStartMonth"`
	ValidityEndMonth              string              `xml:"validityEndMonth"`
	CreditType                    CommonCode          `xml:"creditType"`
	EligibleProductDemandTypeList []ProductDemandType `xml:"eligibleProductDemandTypeList>productDemandType"`
	PayCurrency                   CommonCode          `xml:"payCurrency"`
}

// CreditUseHistory is one month of a credit's use.
type CreditUseHistory struct {
	UseMonth              string            `xml:"useMonth"`
	ProductDemandTypeCode string            `xml:"productDemandTypeCode"`
	ProductDemandType     ProductDemandType `xml:"productDemandType"`
	UnusedCredit          float64           `xml:"unusedCredit"`
	UsedCredit            float64           `xml:"usedCredit"`
	RemainingCredit       float64           `xml:"remainingCredit"`
}

// CoinHistory is one item of coinHistoryList.
type CoinHistory struct {
	MemberNo       string           `xml:"memberNo"`
	Coin           Coin             `xml:"coin"`
	CoinUseHistory []CoinUseHistory `xml:"coinUseHistory>coinUseHistory"`
}

// Coin is a charged (COIN) or bonus (BONUS) coin.
type Coin struct {
	DiscountNo            string              `xml:"discountNo"`
	CoinChagedNo          string              `xml:"coinChagedNo"` // sic
	CoinName              string              `xml:"coinName"`
	CoinType              CommonCode          `xml:"coinType"`
	ChargedCoin           float64             `xml:"chargedCoin"`
	RemainingCoin         float64             `xml:"remainingCoin"`
	CoinStatus            CommonCode          `xml:"coinStatus"`
	IsShareCoin           bool                `xml:"isShareCoin"`
	ValidityStartMonth    string              `xml:"validityStartMonth"`
	ValidityEndMonth      string              `xml:"validityEndMonth"`
	ShareCoinSnapshotList []ShareCoinSnapshot `xml:"shareCoinSnapshotList>shareCoinSnapshot"`
}

// CoinUseHistory is one month of a coin's use by one member.
type CoinUseHistory struct {
	MemberNo       string  `xml:"memberNo"`       // coin owner
	SharedMemberNo string  `xml:"sharedMemberNo"` // member that used it
	UseMonth       string  `xml:"useMonth"`
	UnusedCoin     float64 `xml:"unusedCoin"`
	UsedCoin       float64 `xml:"usedCoin"`
	RemainingCoin  float64 `xml:"remainingCoin"`
}

// ShareCoinSnapshot records that a coin was shared with another member.
type ShareCoinSnapshot struct {
	MemberNo      string `xml:"memberNo"`
	ShareMemberNo string `xml:"shareMemberNo"`
	ApplyMonth    string `xml:"applyMonth"`
}

// ProductDemandCost is one item of productDemandCostByDiscountList (the API's
// ProductDemandCostByDiscount): one product's bill for one month.
type ProductDemandCost struct {
	MemberNo                          string                          `xml:"memberNo"`
	DemandMonth                       string                          `xml:"demandMonth"`
	ProductDemandType                 ProductDemandType               `xml:"productDemandType"`
	PromiseDiscountAmount             float64                         `xml:"promiseDiscountAmount"`
	PromotionDiscountAmount           float64                         `xml:"promotionDiscountAmount"`
	EtcDiscountAmount                 float64                         `xml:"etcDiscountAmount"`
	ProductDiscountAmount             float64                         `xml:"productDiscountAmount"`
	CreditDiscountAmount              float64                         `xml:"creditDiscountAmount"`
	DefaultAmount                     float64                         `xml:"defaultAmount"`
	UseAmount                         float64                         `xml:"useAmount"`
	DemandAmount                      float64                         `xml:"demandAmount"`
	WriteDate                         string                          `xml:"writeDate"` // layout DateLayout
	MemberPriceDiscountAmount         float64                         `xml:"memberPriceDiscountAmount"`
	MemberPromiseDiscountAddAmount    float64                         `xml:"memberPromiseDiscountAddAmount"`
	DiscountAppliedCount              int                             `xml:"discountAppliedCount"`
	AppliedCreditHistoryList          []AppliedCreditHistory          `xml:"appliedCreditHistoryList>appliedCreditHistory"`
	AppliedProductDiscountHistoryList []AppliedProductDiscountHistory `xml:"appliedProductDiscountHistoryList>appliedProductDiscountHistory"`
	PayCurrency                       CommonCode                      `xml:"payCurrency"`
}

// AppliedCreditHistory is a credit applied to a demand row.
type AppliedCreditHistory struct {
	DiscountTargetAmount          float64             `xml:"discountTargetAmount"`
	DiscountAppliedAmount         float64             `xml:"discountAppliedAmount"`
	DiscountNo                    string              `xml:"discountNo"`
	CreditName                    string              `xml:"creditName"`
	ReceivedCredit                float64             `xml:"receivedCredit"`
	RemainingCredit               float64             `xml:"remainingCredit"`
	ValidityStartMonth            string              `xml:"validityStartMonth"`
	ValidityEndMonth              string              `xml:"validityEndMonth"`
	CreditType                    CommonCode          `xml:"creditType"`
	EligibleProductDemandTypeList []ProductDemandType `xml:"eligibleProductDemandTypeList>productDemandType"`
}

// AppliedProductDiscountHistory is a product discount applied to a demand row.
type AppliedProductDiscountHistory struct {
	DiscountTargetAmount          float64             `xml:"discountTargetAmount"`
	DiscountAppliedAmount         float64             `xml:"discountAppliedAmount"`
	DiscountNo                    string              `xml:"discountNo"`
	ProductDiscountName           string              `xml:"productDiscountName"`
	DiscountRate                  float64             `xml:"discountRate"`
	DiscountCondition             bool                `xml:"discountCondition"`
	MinimumAmount                 float64             `xml:"minimumAmount"`
	MaximumDiscountCondition      bool                `xml:"maximumDiscountCondition"`
	MaximumDiscountAmount         float64             `xml:"maximumDiscountAmount"`
	ValidityStartMonth            string              `xml:"validityStartMonth"`
	ValidityEndMonth              string              `xml:"validityEndMonth"`
	EligibleProductDemandTypeList []ProductDemandType `xml:"eligibleProductDemandTypeList>productDemandType"`
}

// Discount is one item of getDiscountList. The fake derives these from Data.
type Discount struct {
	MemberNo              string
	DiscountNo            string
	DiscountType          CommonCode
	DiscountName          string
	DiscountProcessMethod CommonCode
	DiscountValue         float64
	ValidityStartMonth    string
	ValidityEndMonth      string
	PayCurrency           CommonCode
}

// DateLayout is how the API writes dates, e.g. "2022-12-14T07:59:53+0900".
const DateLayout = "2006-01-02T15:04:05-0700"
