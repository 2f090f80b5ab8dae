package ncloudsim

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var seedDocs = map[string]struct{ file, closing string }{
	ActionCreditHistory: {"001_a4d2919f0a7a68a2.txt", "</getCreditHistoryList>"},
	ActionCoinHistory:   {"002_8d888e617a25a1ce.txt", "</getCoinHistoryList>"},
	ActionDemandCost:    {"004_8f8dc1db4b8471d4.txt", "</getProductDemandCostByDiscountListResponse>"},
}

func embeddedSeed(t *testing.T, action string) string {
	t.Helper()
	b, err := seedFiles.ReadFile("seeds/" + action + ".xml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The embedded samples are exactly the documents' text from "<?xml" through
// the closing root tag.
func TestSeedFilesMatchDocuments(t *testing.T) {
	dir := "testdata" // the vendor documents, kept in the repository
	for action, doc := range seedDocs {
		raw, err := os.ReadFile(filepath.Join(dir, doc.file))
		if err != nil {
			t.Fatal(err)
		}
		text, embedded := string(raw), embeddedSeed(t, action)
		if !strings.Contains(text, embedded) {
			t.Errorf("%s: embedded sample is not a substring of %s", action, doc.file)
		}
		from := strings.Index(text, "<?xml")
		to := from + strings.Index(text[from:], doc.closing) + len(doc.closing)
		if from < 0 || text[from:to] != embedded {
			t.Errorf("%s: embedded sample differs from %s's <?xml ... %s", action, doc.file, doc.closing)
		}
	}
}

func TestSeedVerbatim(t *testing.T) {
	_, c := start(t, Options{}, SeedData())
	for _, tc := range []struct{ name, action, query string }{
		{"credits", ActionCreditHistory, ""},
		{"credits explicit xml page 1", ActionCreditHistory, "responseFormatType=xml&pageNo=1&pageSize=1000"},
		{"credits matching filter", ActionCreditHistory, "discountNoList.1=6383"},
		{"coins", ActionCoinHistory, ""},
		{"coins pageSize 2", ActionCoinHistory, "pageSize=2"},
		{"demand", ActionDemandCost, "startMonth=202212&endMonth=202212"},
		{"demand, the document's request", ActionDemandCost, "startMonth=202212&endMonth=202212&productDemandTypeCodeList.1=GDNS"},
		{"demand wider range", ActionDemandCost, "startMonth=202211&endMonth=202301"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.get(t, tc.action, tc.query)
			if r.status != http.StatusOK || r.body != embeddedSeed(t, tc.action) {
				t.Errorf("status %d, body\n%s\nwant the seed sample byte for byte", r.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/xml;charset=UTF-8" {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
	form := url.Values{"startMonth": {"202212"}, "endMonth": {"202212"}}
	if r := c.post(t, ActionDemandCost, form); r.body != embeddedSeed(t, ActionDemandCost) {
		t.Errorf("POST with a form body: %s", r.body)
	}
}

// Anything but an unfiltered first page is rendered from the parsed model,
// keeping the recorded totalRows while nothing is filtered out.
func TestSeedRendered(t *testing.T) {
	_, c := start(t, Options{}, SeedData())
	r := c.get(t, ActionCoinHistory, "pageSize=1&pageNo=2")
	for _, want := range []string{"<getCoinHistoryList>", "<totalRows>2</totalRows>", "<discountNo>55</discountNo>",
		"<coinChagedNo>42</coinChagedNo>", "<codeName>Bonus Coing</codeName>", "<shareCoinSnapshotList/>", "<coinUseHistory/>"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("page 2 of the coin seed lacks %s:\n%s", want, r.body)
		}
	}
	if strings.Contains(r.body, "<discountNo>54</discountNo>") {
		t.Error("page 2 of size 1 holds the first coin")
	}
	r = c.get(t, ActionCreditHistory, "memberNoList.1=other")
	if !strings.Contains(r.body, "<totalRows>0</totalRows>") || !strings.Contains(r.body, "<creditHistoryList/>") {
		t.Errorf("filtered-out seed: %s", r.body)
	}
}

func TestSeedJSON(t *testing.T) {
	_, c := start(t, Options{}, SeedData())

	r := c.get(t, ActionCreditHistory, "responseFormatType=json")
	if !strings.HasPrefix(r.body, "{\n  \"getCreditHistoryListResponse\": {\n    \"requestId\": \"") {
		t.Errorf("not pretty-printed with the root key first:\n%s", r.body)
	}
	m := jsonBody(t, r)
	if len(m) != 1 {
		t.Errorf("root keys %v, want only getCreditHistoryListResponse", m)
	}
	root := m["getCreditHistoryListResponse"].(map[string]any)
	if root["returnCode"] != "0" || root["returnMessage"] != "success" || !regexp.MustCompile(`^[0-9a-f-]{36}$`).MatchString(root["requestId"].(string)) {
		t.Errorf("envelope %v", root)
	}
	total, items := listReply(t, r, ActionCreditHistory, "creditHistoryList")
	if total != 1 || len(items) != 1 {
		t.Fatalf("totalRows %d, %d items", total, len(items))
	}
	cr := items[0]
	for _, f := range []struct {
		path []string
		want any
	}{
		{[]string{"memberNo"}, "1***9"},
		{[]string{"credit", "discountNo"}, "6383"},
		{[]string{"credit", "creditName"}, "credit-discount-test"},
		{[]string{"credit", "receivedCredit"}, 30000.0},
		{[]string{"credit", "remainingCredit"}, 0.0},
		{[]string{"credit", "validityEndMonth"}, "202212"},
		{[]string{"credit", "creditType", "code"}, "FCHG"},
		{[]string{"credit", "creditType", "codeName"}, "Fee-Charging"},
		{[]string{"credit", "payCurrency", "code"}, "KRW"},
	} {
		if got := path(cr, f.path...); got != f.want {
			t.Errorf("credit %v = %#v, want %#v", f.path, got, f.want)
		}
	}
	elig := path(cr, "credit", "eligibleProductDemandTypeList").([]any)
	if len(elig) != 2 || path(elig[1].(map[string]any), "regionCode") != "COM" {
		t.Errorf("eligibleProductDemandTypeList %v", elig)
	}
	use := cr["creditUseHistory"].([]any)[0].(map[string]any)
	if use["productDemandTypeCode"] != "SCMTR" || use["unusedCredit"] != 30000.0 || use["usedCredit"] != 30000.0 || use["remainingCredit"] != 0.0 {
		t.Errorf("creditUseHistory %v", use)
	}

	total, items = listReply(t, c.get(t, ActionCoinHistory, "responseFormatType=json"), ActionCoinHistory, "coinHistoryList")
	if total != 2 || len(items) != 2 {
		t.Fatalf("coins: totalRows %d, %d items", total, len(items))
	}
	bonus := items[1]
	if path(bonus, "coin", "coinChagedNo") != "42" || path(bonus, "coin", "chargedCoin") != 1500.0 ||
		path(bonus, "coin", "isShareCoin") != false || path(bonus, "coin", "coinStatus", "code") != "RFNDSS" ||
		path(bonus, "coin", "coinType", "codeName") != "Bonus Coing" || path(bonus, "memberNo") != "******" {
		t.Errorf("bonus coin %v", bonus)
	}
	if l, ok := path(bonus, "coin", "shareCoinSnapshotList").([]any); !ok || len(l) != 0 {
		t.Errorf("shareCoinSnapshotList = %#v, want []", path(bonus, "coin", "shareCoinSnapshotList"))
	}
	if l, ok := bonus["coinUseHistory"].([]any); !ok || len(l) != 0 {
		t.Errorf("coinUseHistory = %#v, want []", bonus["coinUseHistory"])
	}

	r = c.get(t, ActionDemandCost, "startMonth=202212&endMonth=202212&responseFormatType=json")
	total, items = listReply(t, r, ActionDemandCost, "productDemandCostByDiscountList")
	if total != 2 || len(items) != 1 {
		t.Fatalf("demand: totalRows %d (want the seed's 2), %d items (want 1)", total, len(items))
	}
	d := items[0]
	if d["useAmount"] != 690.0 || d["demandAmount"] != 630.0 || d["productDiscountAmount"] != 60.0 ||
		d["discountAppliedCount"] != 1.0 || d["writeDate"] != "2022-12-14T07:59:53+0900" ||
		path(d, "productDemandType", "regionCode") != "" || path(d, "productDemandType", "code") != "GDNS" {
		t.Errorf("demand row %v", d)
	}
	if l, ok := d["appliedCreditHistoryList"].([]any); !ok || len(l) != 0 {
		t.Errorf("appliedCreditHistoryList = %#v, want []", d["appliedCreditHistoryList"])
	}
	pd := d["appliedProductDiscountHistoryList"].([]any)[0].(map[string]any)
	if pd["discountAppliedAmount"] != 60.0 || pd["discountRate"] != 10.0 || pd["discountNo"] != "9694" || pd["maximumDiscountCondition"] != true {
		t.Errorf("appliedProductDiscountHistory %v", pd)
	}
	if !strings.Contains(r.body, `"discountRate": 10.0,`) {
		t.Error("discountRate not written as Java's Double 10.0")
	}
}

// The renderer, fed the parsed seeds, writes the documents' elements in the
// documents' order: only whitespace between tags differs.
func TestRenderMatchesSeeds(t *testing.T) {
	d := SeedData()
	requestID := regexp.MustCompile(`<requestId>([^<]*)</requestId>`)
	squash := func(s string) string { return regexp.MustCompile(`>\s+<`).ReplaceAllString(strings.TrimSpace(s), "><") }
	for action, items := range map[string][]node{
		ActionCreditHistory: {creditHistoryNode(d.Credits[0])},
		ActionCoinHistory:   {coinHistoryNode(d.Coins[0]), coinHistoryNode(d.Coins[1])},
		ActionDemandCost:    {demandNode(d.Demand[0])},
	} {
		seed := embeddedSeed(t, action)
		op := operations[action]
		got := renderXML(envelope(op.xmlRoot, requestID.FindStringSubmatch(seed)[1], d.Samples[action].TotalRows, op.list, items))
		if squash(string(got)) != squash(seed) {
			t.Errorf("%s renders as\n%s\nwant the seed\n%s", action, got, seed)
		}
	}
}
