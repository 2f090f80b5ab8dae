package ncloud

import (
	"context"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/billingexporter/billing_exporter/internal/sandbox/ncloudsim"
)

// agreeWithStd fails when decodeXMLFast accepts body but encoding/xml
// (decodeXMLStd) refuses it or decodes something else. newPage returns a
// fresh page of the type under test. It reports whether the fast path
// accepted body.
func agreeWithStd(t *testing.T, action string, body []byte, newPage func() any) bool {
	t.Helper()
	fast, std := newPage(), newPage()
	if !decodeXMLFast(action, body, fast) {
		if !reflect.DeepEqual(fast, newPage()) {
			t.Fatalf("the fast path gave up but changed the page: %+v", fast)
		}
		return false
	}
	if err := decodeXMLStd(action, body, std); err != nil {
		t.Fatalf("the fast path accepted what encoding/xml refuses (%v):\n%s", err, body)
	}
	if !reflect.DeepEqual(fast, std) {
		t.Fatalf("the fast path decoded\n%+v\nencoding/xml\n%+v\nfrom\n%s", fast, std, body)
	}
	return true
}

func newCreditPage() any { return new(creditPage) }
func newCoinPage() any   { return new(coinPage) }
func newDemandPage() any { return new(demandPage) }
func newHeader() any     { return new(header) }

// Every page the fake renders - generated credits, coins and demand, and
// the vendor's recorded samples - takes the fast path and decodes exactly
// as with encoding/xml.
func TestDecodeXMLFastAgreesOnAPIPages(t *testing.T) {
	now := time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)
	for _, data := range []ncloudsim.Data{
		ncloudsim.SeedData(),
		ncloudsim.Generate(ncloudsim.GenerateOptions{Seed: 7, Now: now, Members: []string{"1", "2"}, Credits: 40, Coins: 30, DemandProducts: 12, DemandMonths: 3}),
	} {
		_, endpoint := newSim(t, data)
		c := newClient(t, Options{Endpoint: endpoint, AccessKey: ak, SecretKey: sk})
		for _, tc := range []struct {
			action  string
			params  url.Values
			newPage func() any
		}{
			{ActionCreditHistory, url.Values{}, newCreditPage},
			{ActionCoinHistory, url.Values{}, newCoinPage},
			{ActionDemandCost, url.Values{"startMonth": {"202504"}, "endMonth": {"202506"}}, newDemandPage},
		} {
			body, _, err := c.get(context.Background(), tc.action, tc.params)
			if err != nil {
				t.Fatal(err)
			}
			if !agreeWithStd(t, tc.action, body, tc.newPage) {
				t.Errorf("%s: the fast path gave up on the API's own XML:\n%.500s", tc.action, body)
			}
		}
	}
}

// Hand-made bodies at the edges of what the fast path accepts: where it
// accepts, it must agree with encoding/xml; where it must give up, it does.
func TestDecodeXMLFastEdges(t *testing.T) {
	const root = "getCreditHistoryList"
	wrap := func(inner string) string {
		return "<" + root + "><returnCode>0</returnCode><totalRows>2</totalRows><creditHistoryList>" + inner + "</creditHistoryList></" + root + ">"
	}
	for _, tc := range []struct {
		name, body string
		fast       bool
	}{
		{"entities", wrap(`<creditHistory><credit><creditName>a &lt;b&gt; &amp; &apos;c&apos; &quot;d&quot; &#65;&#x42;&#x1F600;</creditName></credit></creditHistory>`), true},
		{"non-ASCII text", wrap(`<creditHistory><credit><creditName>크레딧 €</creditName></credit></creditHistory>`), true},
		{"unknown elements, nested", wrap(`<creditHistory><x><y><x>1</x></y></x><memberNo>7</memberNo><z/></creditHistory>`), true},
		{"repeated scalar: last wins", wrap(`<creditHistory><memberNo>1</memberNo><memberNo>2</memberNo></creditHistory>`), true},
		{"repeated struct: merged", wrap(`<creditHistory><credit><creditName>a</creditName></credit><credit><discountNo>5</discountNo></credit></creditHistory>`), true},
		{"empty elements", wrap(`<creditHistory/><creditHistory><credit/><memberNo/><creditUseHistory/></creditHistory>`), true},
		{"text field with a child", wrap(`<creditHistory><credit><creditName>a<b>x</b>c</creditName></credit></creditHistory>`), true},
		{"white space in tags", "<?xml version=\"1.0\"?>\n<" + root + " >\n\t<totalRows >3</totalRows\n>\n</" + root + "   >", true},
		{"Response root", "<" + root + "Response><totalRows>1</totalRows></" + root + "Response>", true},
		{"trailing garbage after the root", "<" + root + "><totalRows>1</totalRows></" + root + "><<<", true},
		{"amount with spaces", wrap(`<creditHistory><credit><remainingCredit> 12.5 </remainingCredit></credit></creditHistory>`), true},
		{"empty root", "<" + root + "/>", true},

		{"carriage return", wrap("<creditHistory><credit><creditName>a\r\nb</creditName></credit></creditHistory>"), false},
		{"CR entity", wrap("<creditHistory><credit><creditName>a&#13;b</creditName></credit></creditHistory>"), false},
		{"comment", wrap(`<!-- c --><creditHistory/>`), false},
		{"CDATA", wrap(`<creditHistory><memberNo><![CDATA[1]]></memberNo></creditHistory>`), false},
		{"attribute", wrap(`<creditHistory id="1"/>`), false},
		{"namespace", wrap(`<a:creditHistory/>`), false},
		{"unknown entity", wrap(`<creditHistory><memberNo>&nbsp;</memberNo></creditHistory>`), false},
		{"bad number", wrap(`<creditHistory><credit><remainingCredit>1,000</remainingCredit></credit></creditHistory>`), false},
		{"mismatched end tag", wrap(`<creditHistory><memberNo>1</memberno></creditHistory>`), false},
		{"truncated", wrap(`<creditHistory><memberNo>1`)[:60], false},
		{"control character", wrap("<creditHistory><memberNo>\x01</memberNo></creditHistory>"), false},
		{"invalid UTF-8", wrap("<creditHistory><memberNo>\xff</memberNo></creditHistory>"), false},
		{"]]> in text", wrap(`<creditHistory><memberNo>]]></memberNo></creditHistory>`), false},
		{"other root", "<getCoinHistoryList><totalRows>1</totalRows></getCoinHistoryList>", false},
		{"error root", "<responseError><returnCode>1</returnCode></responseError>", false},
		{"XML 1.1", `<?xml version="1.1"?><` + root + `/>`, false},
		{"doctype", `<!DOCTYPE x><` + root + `/>`, false},
		{"BOM", "\xef\xbb\xbf<" + root + "/>", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := agreeWithStd(t, ActionCreditHistory, []byte(tc.body), newCreditPage); got != tc.fast {
				t.Errorf("fast path accepted: %t, want %t", got, tc.fast)
			}
			agreeWithStd(t, ActionCreditHistory, []byte(tc.body), newHeader)
			// Whatever path is taken, decodeXML reports what encoding/xml reports.
			var a, b creditPage
			errA, errB := decodeXML(ActionCreditHistory, []byte(tc.body), &a), decodeXMLStd(ActionCreditHistory, []byte(tc.body), &b)
			if (errA == nil) != (errB == nil) || errA != nil && errA.Error() != errB.Error() || errA == nil && !reflect.DeepEqual(a, b) {
				t.Errorf("decodeXML: %v %+v; encoding/xml: %v %+v", errA, a, errB, b)
			}
		})
	}
}
