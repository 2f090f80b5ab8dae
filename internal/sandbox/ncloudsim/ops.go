package ncloudsim

import (
	"net/http"
	"slices"
)

// Action names, as in the request path and in SetFault, Calls and Request.
const (
	ActionCreditHistory = "getCreditHistoryList"
	ActionCoinHistory   = "getCoinHistoryList"
	ActionDemandCost    = "getProductDemandCostByDiscountList"
	ActionDiscountList  = "getDiscountList"
)

type operation struct {
	xmlRoot string // the seeds' XML roots do not all end in "Response"
	list    string // list container; JSON keeps it, dropping the item element
	run     func(s *Server, a *account, p params) (page, *apiError)
}

var operations = map[string]operation{
	ActionCreditHistory: {"getCreditHistoryList", "creditHistoryList", creditHistoryOp},
	ActionCoinHistory:   {"getCoinHistoryList", "coinHistoryList", coinHistoryOp},
	ActionDemandCost:    {"getProductDemandCostByDiscountListResponse", "productDemandCostByDiscountList", demandCostOp},
	ActionDiscountList:  {"getDiscountListResponse", "discountList", discountListOp},
}

// page is one page of an op's filtered list.
type page struct {
	totalRows int    // items left after filtering
	items     []node // the requested page of them
	complete  bool   // the filters removed nothing
}

// pageOf filters all and builds only the requested page, so a page of a huge
// list costs one pass and pageSize renders.
func pageOf[T any](all []T, p params, build func(T) node, keep func(*T) bool) page {
	first := -1 // no page: pageNo < 1 or far past the end
	if p.pageNo >= 1 && p.pageNo-1 <= len(all)/p.pageSize {
		first = (p.pageNo - 1) * p.pageSize
	}
	var pg page
	for i := range all {
		if !keep(&all[i]) {
			continue
		}
		if first >= 0 && pg.totalRows >= first && pg.totalRows < first+p.pageSize {
			pg.items = append(pg.items, build(all[i]))
		}
		pg.totalRows++
	}
	pg.complete = pg.totalRows == len(all)
	return pg
}

// render writes a page in the requested format. For an unfiltered request
// against recorded data the recorded totalRows is reported, and an XML first
// page holding everything is the recording itself, byte for byte.
func (op operation) render(action string, samples map[string]Sample, p params, pg page) *response {
	total := pg.totalRows
	if sample, ok := samples[action]; ok && pg.complete {
		total = sample.TotalRows
		if p.format == "xml" && p.pageNo == 1 && len(pg.items) == pg.totalRows {
			return &response{status: http.StatusOK, contentType: contentXML, body: []byte(sample.XML)}
		}
	}
	if p.format == "json" {
		root := envelope(action+"Response", newRequestID(), total, op.list, pg.items)
		return &response{status: http.StatusOK, contentType: contentJSON, body: renderJSON(root)}
	}
	root := envelope(op.xmlRoot, newRequestID(), total, op.list, pg.items)
	return &response{status: http.StatusOK, contentType: contentXML, body: renderXML(root)}
}

// inMonths reports whether the validity period from..to overlaps the
// requested startMonth..endMonth (either end may be open).
func (p params) inMonths(from, to string) bool {
	return (p.endMonth == "" || from <= p.endMonth) && (p.startMonth == "" || to >= p.startMonth)
}

func creditHistoryOp(_ *Server, a *account, p params) (page, *apiError) {
	return pageOf(a.data.Credits, p, creditHistoryNode, func(h *CreditHistory) bool {
		return matches(p.discountNos, h.Credit.DiscountNo) && matches(p.memberNos, h.MemberNo) &&
			p.inMonths(h.Credit.ValidityStartMonth, h.Credit.ValidityEndMonth)
	}), nil
}

// coinHistoryOp: the coin op documents no startMonth/endMonth, so they are ignored.
func coinHistoryOp(_ *Server, a *account, p params) (page, *apiError) {
	return pageOf(a.data.Coins, p, coinHistoryNode, func(h *CoinHistory) bool {
		return matches(p.discountNos, h.Coin.DiscountNo) && matches(p.memberNos, h.MemberNo)
	}), nil
}

func demandCostOp(s *Server, a *account, p params) (page, *apiError) {
	if err := p.requireMonths(s.maxDemandMonths); err != nil {
		return page{}, err
	}
	return pageOf(a.data.Demand, p, demandNode, func(d *ProductDemandCost) bool {
		return matches(p.memberNos, d.MemberNo) && matches(p.productCodes, d.ProductDemandType.Code) &&
			p.startMonth <= d.DemandMonth && d.DemandMonth <= p.endMonth
	}), nil
}

// discountListOp filters by discountTypeCode, by isValidDiscount=true (valid
// this month in Seoul; false means no filter) and by an optional range of at
// most 3 months.
func discountListOp(s *Server, a *account, p params) (page, *apiError) {
	typ := p.form.Get("discountTypeCode")
	if typ != "" && !slices.Contains([]string{"PRODUCT", "CREDIT", "COIN"}, typ) {
		return page{}, badParam("discountTypeCode must be PRODUCT, CREDIT or COIN")
	}
	validOnly, err := boolParam(p.form, "isValidDiscount")
	if err != nil {
		return page{}, err
	}
	if err := p.limitMonths(3); err != nil {
		return page{}, err
	}
	thisMonth := s.now().In(seoul).Format("200601")
	return pageOf(a.discounts, p, discountNode, func(d *Discount) bool {
		return (typ == "" || d.DiscountType.Code == typ) && matches(p.memberNos, d.MemberNo) &&
			p.inMonths(d.ValidityStartMonth, d.ValidityEndMonth) &&
			(!validOnly || d.ValidityStartMonth <= thisMonth && thisMonth <= d.ValidityEndMonth)
	}), nil
}

// Codes the fake invents for getDiscountList: the docs list no
// discountProcessMethod values (api-notes 2.4).
var (
	discountTypeProduct = CommonCode{"PRODUCT", "Product Discount"}
	discountTypeCredit  = CommonCode{"CREDIT", "Credit"}
	discountTypeCoin    = CommonCode{"COIN", "Coin"}
	processRate         = CommonCode{"RATE", "Rate"}
	processAmount       = CommonCode{"AMNT", "Amount"}
)

// deriveDiscounts lists every credit, coin and applied product discount once,
// so that getDiscountList's numbers work as discountNoList filters.
func deriveDiscounts(d Data) []Discount {
	out := make([]Discount, 0, len(d.Credits)+len(d.Coins))
	for _, h := range d.Credits {
		c := h.Credit
		out = append(out, Discount{h.MemberNo, c.DiscountNo, discountTypeCredit, c.CreditName, processAmount,
			c.ReceivedCredit, c.ValidityStartMonth, c.ValidityEndMonth, c.PayCurrency})
	}
	for _, h := range d.Coins {
		c := h.Coin
		out = append(out, Discount{h.MemberNo, c.DiscountNo, discountTypeCoin, c.CoinName, processAmount,
			c.ChargedCoin, c.ValidityStartMonth, c.ValidityEndMonth, krw}) // coins carry no currency
	}
	seen := map[[2]string]bool{}
	for _, row := range d.Demand {
		for _, h := range row.AppliedProductDiscountHistoryList {
			if k := [2]string{row.MemberNo, h.DiscountNo}; !seen[k] {
				seen[k] = true
				out = append(out, Discount{row.MemberNo, h.DiscountNo, discountTypeProduct, h.ProductDiscountName, processRate,
					h.DiscountRate, h.ValidityStartMonth, h.ValidityEndMonth, row.PayCurrency})
			}
		}
	}
	return out
}
