package ncloud

import "testing"

// The three vectors of api-notes section 2.1 (computed independently with
// Python hmac, openssl and Go).
func TestSignVectors(t *testing.T) {
	const (
		ak = "ncp_iam_TESTACCESSKEY0001"
		sk = "ncp_iam_TESTSECRETKEY0000000000000000001"
	)
	for _, tc := range []struct {
		name, method, uri, ts, ak, sk, want string
	}{
		{"credit list", "GET", "/billing/v1/discount/getCreditHistoryList?responseFormatType=json&pageNo=1&pageSize=1000", "1700000000000", ak, sk, "TsicB7eYuEciqR6H7T+NAzLIdI+7LPLZFUEGv/lF4QA="},
		{"demand list", "GET", "/billing/v1/discount/getProductDemandCostByDiscountList?startMonth=202401&endMonth=202403&responseFormatType=json", "1700000000000", ak, sk, "5inmUZWb0kwHPMw77X/8dH6AzMJr9OfpPydL0cLg+rg="},
		{"docs sample", "GET", "/photos/puppy.jpg?query1=&query2", "1593848345548", "AccessKeyExample", "SecretKeyExample", "Bjc9+scuISiTBOIPGe0xDC1JXwNiixm+yZNweKg1gBg="},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Sign(tc.method, tc.uri, tc.ts, tc.ak, tc.sk); got != tc.want {
				t.Errorf("Sign = %s, want %s", got, tc.want)
			}
		})
	}
}
