package ncloud

import (
	"os"
	"testing"
)

// seedBody adds the vendor's sample response for action (served verbatim
// by the fake) and a JSON rendering of the same shape to the corpus.
func seedBodies(f *testing.F, action, jsonSample string) {
	f.Helper()
	xml, err := os.ReadFile("../sandbox/ncloudsim/seeds/" + action + ".xml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(xml)
	f.Add([]byte(jsonSample))
	f.Add([]byte(`{"error":{"errorCode":"200","message":"Authentication Failed"}}`))
	f.Add([]byte(`{"responseError": {"returnCode": "1007009", "returnMessage": "bad"}}`))
}

// fuzzDecoder checks that a decoder never panics, and that the fast XML
// path never accepts a body that encoding/xml refuses or reads otherwise
// (for the page and for the error body's header).
func fuzzDecoder[T any](f *testing.F, action string, decode decodeFunc[T], newPage func() any) {
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _, _ = decode(action, body)
		_ = decodeErrorBody(action, body)
		agreeWithStd(t, action, body, newPage)
		agreeWithStd(t, action, body, newHeader)
	})
}

func FuzzDecodeCredits(f *testing.F) {
	seedBodies(f, ActionCreditHistory, `{"getCreditHistoryListResponse": {"returnCode": "0", "totalRows": 1, "creditHistoryList": [{"memberNo": "1", "credit": {"discountNo": "6383", "receivedCredit": 30000.0, "remainingCredit": 0, "validityEndMonth": "202212", "creditType": {"code": "FCHG"}, "payCurrency": {"code": "KRW"}}, "creditUseHistory": []}]}}`)
	fuzzDecoder(f, ActionCreditHistory, decodeCredits, newCreditPage)
}

func FuzzDecodeCoins(f *testing.F) {
	seedBodies(f, ActionCoinHistory, `{"getCoinHistoryListResponse": {"returnCode": "0", "totalRows": 1, "coinHistoryList": [{"memberNo": "1", "coin": {"discountNo": "54", "coinChagedNo": "42", "chargedCoin": 100000, "remainingCoin": 100000, "isShareCoin": false, "coinType": {"code": "COIN"}, "coinStatus": {"code": "NOML"}}, "coinUseHistory": []}]}}`)
	fuzzDecoder(f, ActionCoinHistory, decodeCoins, newCoinPage)
}

func FuzzDecodeDemand(f *testing.F) {
	seedBodies(f, ActionDemandCost, `{"getProductDemandCostByDiscountListResponse": {"returnCode": "0", "totalRows": 1, "productDemandCostByDiscountList": [{"memberNo": "1", "demandMonth": "202212", "productDemandType": {"code": "GDNS", "regionCode": ""}, "useAmount": 690, "demandAmount": 630, "appliedProductDiscountHistoryList": [{"discountNo": "9694", "discountAppliedAmount": 60}]}]}}`)
	fuzzDecoder(f, ActionDemandCost, decodeDemand, newDemandPage)
}
