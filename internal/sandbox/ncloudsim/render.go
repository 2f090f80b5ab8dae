package ncloudsim

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Responses are built as a small ordered tree and written either as XML or as
// JSON, so both formats share one list of field names and one field order.

type kind int

const (
	kindObject kind = iota
	kindList        // XML: container of named items; JSON: array
	kindString
	kindLiteral // number or boolean: bare in JSON
)

type node struct {
	name  string
	kind  kind
	value string // lexical form of a scalar
	kids  []node
}

func obj(name string, kids ...node) node { return node{name: name, kind: kindObject, kids: kids} }
func str(name, v string) node            { return node{name: name, kind: kindString, value: v} }
func boolean(name string, v bool) node {
	return node{name: name, kind: kindLiteral, value: strconv.FormatBool(v)}
}
func integer(name string, v int) node {
	return node{name: name, kind: kindLiteral, value: strconv.Itoa(v)}
}

// amount writes whole amounts without a fraction, as the seeds do ("30000").
func amount(name string, v float64) node {
	return node{name: name, kind: kindLiteral, value: strconv.FormatFloat(v, 'f', -1, 64)}
}

// rate keeps Java's Double form with at least one decimal, as the seed's
// <discountRate>10.0</discountRate>.
func rate(name string, v float64) node {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return node{name: name, kind: kindLiteral, value: s}
}

func list[T any](name string, items []T, item func(T) node) node {
	n := node{name: name, kind: kindList, kids: make([]node, len(items))}
	for i, it := range items {
		n.kids[i] = item(it)
	}
	return n
}

// envelope wraps a page of items the way every discount op answers.
func envelope(root, requestID string, totalRows int, listName string, items []node) node {
	return obj(root,
		str("requestId", requestID),
		str("returnCode", "0"),
		str("returnMessage", "success"),
		integer("totalRows", totalRows),
		node{name: listName, kind: kindList, kids: items},
	)
}

func renderXML(root node) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	writeXML(&b, root, 0)
	return b.Bytes()
}

func writeXML(b *bytes.Buffer, n node, depth int) {
	indent(b, depth)
	if len(n.kids) == 0 && n.value == "" { // empty list, object or string
		b.WriteString("<" + n.name + "/>\n")
		return
	}
	b.WriteString("<" + n.name + ">")
	if n.kind == kindObject || n.kind == kindList {
		b.WriteByte('\n')
		for _, k := range n.kids {
			writeXML(b, k, depth+1)
		}
		indent(b, depth)
	} else {
		_ = xml.EscapeText(b, []byte(n.value)) // a bytes.Buffer never fails
	}
	b.WriteString("</" + n.name + ">\n")
}

// renderJSON writes {"<root.name>": ...} in json.MarshalIndent's layout
// (two-space indent, `": "`), which is how Jackson pretty-prints too.
func renderJSON(root node) []byte {
	var b bytes.Buffer
	writeJSON(&b, obj("", root), 0)
	return b.Bytes()
}

func writeJSON(b *bytes.Buffer, n node, depth int) {
	switch n.kind {
	case kindString:
		quote(b, n.value)
	case kindLiteral:
		b.WriteString(n.value)
	default:
		open, end := "{", "}"
		if n.kind == kindList {
			open, end = "[", "]"
		}
		b.WriteString(open)
		for i, k := range n.kids {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
			indent(b, depth+1)
			if n.kind == kindObject {
				quote(b, k.name)
				b.WriteString(": ")
			}
			writeJSON(b, k, depth+1)
		}
		if len(n.kids) > 0 {
			b.WriteByte('\n')
			indent(b, depth)
		}
		b.WriteString(end)
	}
}

func quote(b *bytes.Buffer, s string) {
	if !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == '"' || r == '\\' || r == utf8.RuneError }) {
		b.WriteString(`"` + s + `"`) // the common case, without an encoder per string
		return
	}
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false) // Jackson leaves <, > and & alone
	_ = enc.Encode(s)        // a string always encodes
	b.Truncate(b.Len() - 1)  // drop the newline Encode appends
}

func indent(b *bytes.Buffer, depth int) {
	for range depth {
		b.WriteString("  ")
	}
}

// Field order below follows the seed XML, then api-notes 2.4 for fields the
// seeds do not show.

func commonCode(name string, c CommonCode) node {
	return obj(name, str("code", c.Code), str("codeName", c.CodeName))
}

func productDemandType(p ProductDemandType) node {
	return obj("productDemandType", str("code", p.Code), str("codeName", p.CodeName), str("regionCode", p.RegionCode))
}

func eligible(ps []ProductDemandType) node {
	return list("eligibleProductDemandTypeList", ps, productDemandType)
}

func creditHistoryNode(h CreditHistory) node {
	c := h.Credit
	return obj("creditHistory",
		str("memberNo", h.MemberNo),
		obj("credit",
			str("discountNo", c.DiscountNo),
			str("creditName", c.CreditName),
			amount("receivedCredit", c.ReceivedCredit),
			amount("remainingCredit", c.RemainingCredit),
			str("validityStartMonth", c.ValidityStartMonth),
			str("validityEndMonth", c.ValidityEndMonth),
			commonCode("creditType", c.CreditType),
			eligible(c.EligibleProductDemandTypeList),
			commonCode("payCurrency", c.PayCurrency),
		),
		list("creditUseHistory", h.CreditUseHistory, func(u CreditUseHistory) node {
			return obj("creditUseHistory",
				str("useMonth", u.UseMonth),
				str("productDemandTypeCode", u.ProductDemandTypeCode),
				productDemandType(u.ProductDemandType),
				amount("unusedCredit", u.UnusedCredit),
				amount("usedCredit", u.UsedCredit),
				amount("remainingCredit", u.RemainingCredit),
			)
		}),
	)
}

func coinHistoryNode(h CoinHistory) node {
	c := h.Coin
	return obj("coinHistory",
		str("memberNo", h.MemberNo),
		obj("coin",
			str("discountNo", c.DiscountNo),
			str("coinChagedNo", c.CoinChagedNo),
			str("coinName", c.CoinName),
			commonCode("coinType", c.CoinType),
			amount("chargedCoin", c.ChargedCoin),
			amount("remainingCoin", c.RemainingCoin),
			commonCode("coinStatus", c.CoinStatus),
			boolean("isShareCoin", c.IsShareCoin),
			str("validityStartMonth", c.ValidityStartMonth),
			str("validityEndMonth", c.ValidityEndMonth),
			list("shareCoinSnapshotList", c.ShareCoinSnapshotList, func(s ShareCoinSnapshot) node {
				return obj("shareCoinSnapshot",
					str("memberNo", s.MemberNo),
					str("shareMemberNo", s.ShareMemberNo),
					str("applyMonth", s.ApplyMonth),
				)
			}),
		),
		list("coinUseHistory", h.CoinUseHistory, func(u CoinUseHistory) node {
			return obj("coinUseHistory",
				str("memberNo", u.MemberNo),
				str("sharedMemberNo", u.SharedMemberNo),
				str("useMonth", u.UseMonth),
				amount("unusedCoin", u.UnusedCoin),
				amount("usedCoin", u.UsedCoin),
				amount("remainingCoin", u.RemainingCoin),
			)
		}),
	)
}

func demandNode(d ProductDemandCost) node {
	return obj("productDemandCostByDiscount",
		str("memberNo", d.MemberNo),
		str("demandMonth", d.DemandMonth),
		productDemandType(d.ProductDemandType),
		amount("promiseDiscountAmount", d.PromiseDiscountAmount),
		amount("promotionDiscountAmount", d.PromotionDiscountAmount),
		amount("etcDiscountAmount", d.EtcDiscountAmount),
		amount("productDiscountAmount", d.ProductDiscountAmount),
		amount("creditDiscountAmount", d.CreditDiscountAmount),
		amount("defaultAmount", d.DefaultAmount),
		amount("useAmount", d.UseAmount),
		amount("demandAmount", d.DemandAmount),
		str("writeDate", d.WriteDate),
		amount("memberPriceDiscountAmount", d.MemberPriceDiscountAmount),
		amount("memberPromiseDiscountAddAmount", d.MemberPromiseDiscountAddAmount),
		integer("discountAppliedCount", d.DiscountAppliedCount),
		list("appliedCreditHistoryList", d.AppliedCreditHistoryList, func(a AppliedCreditHistory) node {
			return obj("appliedCreditHistory",
				amount("discountTargetAmount", a.DiscountTargetAmount),
				amount("discountAppliedAmount", a.DiscountAppliedAmount),
				str("discountNo", a.DiscountNo),
				str("creditName", a.CreditName),
				amount("receivedCredit", a.ReceivedCredit),
				amount("remainingCredit", a.RemainingCredit),
				str("validityStartMonth", a.ValidityStartMonth),
				str("validityEndMonth", a.ValidityEndMonth),
				commonCode("creditType", a.CreditType),
				eligible(a.EligibleProductDemandTypeList),
			)
		}),
		list("appliedProductDiscountHistoryList", d.AppliedProductDiscountHistoryList, func(a AppliedProductDiscountHistory) node {
			return obj("appliedProductDiscountHistory",
				amount("discountTargetAmount", a.DiscountTargetAmount),
				amount("discountAppliedAmount", a.DiscountAppliedAmount),
				str("discountNo", a.DiscountNo),
				str("productDiscountName", a.ProductDiscountName),
				rate("discountRate", a.DiscountRate),
				boolean("discountCondition", a.DiscountCondition),
				amount("minimumAmount", a.MinimumAmount),
				boolean("maximumDiscountCondition", a.MaximumDiscountCondition),
				amount("maximumDiscountAmount", a.MaximumDiscountAmount),
				str("validityStartMonth", a.ValidityStartMonth),
				str("validityEndMonth", a.ValidityEndMonth),
				eligible(a.EligibleProductDemandTypeList),
			)
		}),
		commonCode("payCurrency", d.PayCurrency),
	)
}

func discountNode(d Discount) node {
	return obj("discount",
		str("memberNo", d.MemberNo),
		str("discountNo", d.DiscountNo),
		commonCode("discountType", d.DiscountType),
		str("discountName", d.DiscountName),
		commonCode("discountProcessMethod", d.DiscountProcessMethod),
		amount("discountValue", d.DiscountValue),
		str("validityStartMonth", d.ValidityStartMonth),
		str("validityEndMonth", d.ValidityEndMonth),
		commonCode("payCurrency", d.PayCurrency),
	)
}
