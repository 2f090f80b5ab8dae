package ncloud

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/billingexporter/billing_exporter/internal/sandbox/ncloudsim"
)

// referenceRows reads a list's rows with encoding/xml alone (its own
// tokenizer, nothing skipped ahead of it): what decodePage must agree with.
func referenceRows[T any](l list[T], body []byte) ([]T, error) {
	typ := reflect.StructOf([]reflect.StructField{{
		Name: "Rows", Type: reflect.TypeFor[[]T](),
		Tag: reflect.StructTag(`xml:"` + l.container + `>` + l.item + `"`),
	}})
	doc := reflect.New(typ)
	if err := xml.Unmarshal(body, doc.Interface()); err != nil {
		return nil, err
	}
	rows, _ := reflect.TypeAssert[[]T](doc.Elem().Field(0))
	return rows, nil
}

func agreeWithEncodingXML[T any](t *testing.T, name, action string, l list[T], body []byte) {
	t.Helper()
	p, err := decodePage(action, l, body)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	want, err := referenceRows(l, body)
	if err != nil {
		t.Fatalf("%s: encoding/xml: %v", name, err)
	}
	if len(want) == 0 {
		t.Fatalf("%s: no rows to compare", name)
	}
	if got := p.items; !reflect.DeepEqual(got, want) {
		t.Errorf("%s: decoded %d rows that differ from encoding/xml's %d:\n got %+v\nwant %+v", name, len(got), len(want), got, want)
	}
}

// The field tables over gosax's events decode every list exactly as
// encoding/xml reads the struct tags: the vendor's samples, generated pages of every list, and elements
// in the wrong place, namespaced, self-closing, escaped or in CDATA.
func TestDecodeXMLAgreesWithEncodingXML(t *testing.T) {
	seed := func(action string) []byte {
		b, err := os.ReadFile("../sandbox/ncloudsim/seeds/" + action + ".xml")
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	agreeWithEncodingXML(t, "credit seed", ActionCreditHistory, creditList, seed(ActionCreditHistory))
	agreeWithEncodingXML(t, "coin seed", ActionCoinHistory, coinList, seed(ActionCoinHistory))
	agreeWithEncodingXML(t, "demand seed", ActionDemandCost, demandList, seed(ActionDemandCost))
	b, err := os.ReadFile("testdata/getDemandCostList.xml")
	if err != nil {
		t.Fatal(err)
	}
	agreeWithEncodingXML(t, "invoice seed", ActionDemandCostList, invoiceList, b)

	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	sim := ncloudsim.New(ncloudsim.Options{})
	sim.AddAccount(ncloudsim.Account{AccessKey: ak, SecretKey: sk, Data: ncloudsim.Generate(ncloudsim.GenerateOptions{Seed: 7, Now: now,
		Members: []string{"m1", "m2"}, Credits: 40, Coins: 30, DemandProducts: 8, DemandMonths: 3})})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	c := newClient(t, Options{Endpoint: srv.URL + "/billing/v1", AccessKey: ak, SecretKey: sk})
	get := func(action string, q url.Values) []byte { return firstPage(t, c, action, q) }
	agreeWithEncodingXML(t, "generated credits", ActionCreditHistory, creditList, get(ActionCreditHistory, url.Values{}))
	agreeWithEncodingXML(t, "generated coins", ActionCoinHistory, coinList, get(ActionCoinHistory, url.Values{}))
	agreeWithEncodingXML(t, "generated demand", ActionDemandCost, demandList, get(ActionDemandCost, url.Values{
		"startMonth": {now.AddDate(0, -2, 0).Format("200601")}, "endMonth": {now.Format("200601")}}))

	hostile := `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE x>
<getCreditHistoryListResponse><returnCode>0</returnCode><totalRows>2</totalRows>
<creditHistoryList>
 <creditHistory>
  <memberNo> 1 </memberNo>
  <creditUseHistoryList><creditUseHistory><remainingCredit>999</remainingCredit><memberNo>9</memberNo></creditUseHistory></creditUseHistoryList>
  <unknown/>
  <x:credit xmlns:x="urn:x"><discountNo>7</discountNo><creditName>a &amp; b &#xD55C;<![CDATA[ <c> ]]></creditName>
   <remainingCredit>5<junk>6</junk></remainingCredit><!-- <remainingCredit>1</remainingCredit> -->
   <creditType><code>FCHG</code><nested><code>NO</code></nested></creditType>
  </x:credit>
 </creditHistory>
 <creditHistory><memberNo>2</memberNo><credit><discountNo>8</discountNo><receivedCredit/></credit><notes><memberNo>3</memberNo></notes></creditHistory>
</creditHistoryList></getCreditHistoryListResponse>`
	agreeWithEncodingXML(t, "hostile credits", ActionCreditHistory, creditList, []byte(hostile))
}

// Rows that list their children in different orders, repeat one or put
// unknown elements between them read as encoding/xml reads them, whatever
// order the tables expect from the rows before (fieldTable's guesses),
// also when several pages are decoded at once.
func TestFieldOrderGuessesNeverChangeRows(t *testing.T) {
	rows := []string{
		`<creditHistory><memberNo>1</memberNo><credit><discountNo>1</discountNo><creditName>a</creditName><remainingCredit>5</remainingCredit></credit></creditHistory>`,
		`<creditHistory><credit><remainingCredit>6</remainingCredit><x/><creditName>b</creditName><discountNo>2</discountNo></credit><memberNo>2</memberNo></creditHistory>`,
		`<creditHistory><memberNo>3</memberNo><credit><discountNo>3</discountNo><discountNo>4</discountNo><y>1</y><creditName>c</creditName></credit><memberNo>4</memberNo></creditHistory>`,
		`<creditHistory><memberNo>5</memberNo><credit><creditName>d</creditName><discountNo>5</discountNo></credit></creditHistory>`,
	}
	var pages [][]byte
	for shift := range rows {
		var b strings.Builder
		fmt.Fprintf(&b, "<getCreditHistoryListResponse><returnCode>0</returnCode><totalRows>%d</totalRows><creditHistoryList>", 3*len(rows))
		for i := range 3 * len(rows) {
			b.WriteString(rows[(i*(shift+1))%len(rows)])
		}
		b.WriteString("</creditHistoryList></getCreditHistoryListResponse>")
		pages = append(pages, []byte(b.String()))
	}
	for i, page := range pages {
		t.Run(fmt.Sprintf("page %d", i), func(t *testing.T) {
			t.Parallel()
			for range 20 {
				agreeWithEncodingXML(t, t.Name(), ActionCreditHistory, creditList, page)
			}
		})
	}
}

// An element no field reads is skipped without building its tokens, but
// it is still read as XML: a body broken inside one fails as encoding/xml
// fails it, never as a smaller success.
func TestSkippedElementsAreStillChecked(t *testing.T) {
	page := func(inside string) []byte {
		return []byte(`<getCreditHistoryListResponse><totalRows>1</totalRows><creditHistoryList><creditHistory><memberNo>1</memberNo>` +
			`<credit><discountNo>7</discountNo></credit><creditUseHistoryList>` + inside + `</creditUseHistoryList></creditHistory></creditHistoryList></getCreditHistoryListResponse>`)
	}
	if _, err := decodePage(ActionCreditHistory, creditList, page(`<a><b>1</b></a><c/>`)); err != nil {
		t.Fatalf("well-formed: %v", err)
	}
	for name, inside := range map[string]string{
		"mismatched end tag": `<a><b>1</a></b>`,
		"bad escape":         `<a>&bogus</a>`,
		"bad char reference": `<a>&#xZZ;</a>`,
	} {
		if _, err := decodePage(ActionCreditHistory, creditList, page(inside)); err == nil || !strings.Contains(err.Error(), "malformed XML") {
			t.Errorf("%s: err = %v, want malformed XML", name, err)
		}
	}
	body := page(`<a><b>1</b></a>`)
	for _, cut := range []int{len(body) - 60, len(body) - 45} {
		if _, err := decodePage(ActionCreditHistory, creditList, body[:cut]); err == nil {
			t.Errorf("cut at %d of %d bytes (%q): accepted", cut, len(body), body[cut-10:cut])
		}
	}
}

// Rows that differ only inside a skipped element are different rows.
func TestSkippedBytesCountInRowKeys(t *testing.T) {
	row := func(use string) string {
		return `<creditHistory><memberNo>1</memberNo><credit><discountNo>7</discountNo></credit><creditUseHistoryList><creditUseHistory><usedCredit>` +
			use + `</usedCredit></creditUseHistory></creditUseHistoryList></creditHistory>`
	}
	body := `<getCreditHistoryList><totalRows>3</totalRows><creditHistoryList>` + row("1") + row("1") + row("2") + `</creditHistoryList></getCreditHistoryList>`
	p, err := decodePage(ActionCreditHistory, creditList, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.keys) != 3 || p.keys[0] != p.keys[1] || p.keys[0] == p.keys[2] {
		t.Errorf("keys %v: want rows 1 and 2 equal, row 3 different", p.keys)
	}
}

// fullRow writes an element for every tagged field of typ (recursively;
// two items of every list, an a>b path as nested elements) with a value
// of its own, numbers for numeric fields.
func fullRow(b *strings.Builder, typ reflect.Type, seq *int) {
	for f := range typ.Fields() {
		tag := f.Tag.Get("xml")
		if tag == "" || tag == "-" {
			continue
		}
		path := strings.Split(tag, ">")
		ft := f.Type
		n := 1
		if ft.Kind() == reflect.Slice {
			ft, n = ft.Elem(), 2
		}
		for range n {
			for _, step := range path {
				b.WriteString("<" + step + ">")
			}
			*seq++
			switch {
			case ft == reflect.TypeFor[Number]():
				fmt.Fprintf(b, "%d.5", *seq)
			case ft == reflect.TypeFor[FlexBool]() || ft == reflect.TypeFor[Flag]():
				b.WriteString([]string{"true", "false"}[*seq%2])
			case ft.Kind() == reflect.Struct:
				fullRow(b, ft, seq)
			default:
				fmt.Fprintf(b, "v%d &amp; <![CDATA[<%d>]]>", *seq, *seq)
			}
			for _, step := range slices.Backward(path) {
				b.WriteString("</" + step + ">")
			}
		}
	}
}

func fullPage[T any](t *testing.T, action string, l list[T]) []byte {
	t.Helper()
	var b strings.Builder
	seq := 0
	b.WriteString("<" + action + "><totalRows>2</totalRows><" + l.container + ">")
	for range 2 {
		b.WriteString("<" + l.item + ">")
		fullRow(&b, reflect.TypeFor[T](), &seq)
		b.WriteString("</" + l.item + ">")
	}
	b.WriteString("</" + l.container + "></" + action + ">")
	return []byte(b.String())
}

// The field tables read every field the struct tags name, as encoding/xml
// reads the tags: a field added to a type with a tag but no table entry
// fails here, whatever the samples hold.
func TestXMLFieldTablesMatchTags(t *testing.T) {
	agreeWithEncodingXML(t, "every credit field", ActionCreditHistory, creditList, fullPage(t, ActionCreditHistory, creditList))
	agreeWithEncodingXML(t, "every coin field", ActionCoinHistory, coinList, fullPage(t, ActionCoinHistory, coinList))
	agreeWithEncodingXML(t, "every demand field", ActionDemandCost, demandList, fullPage(t, ActionDemandCost, demandList))
	body := fullPage(t, ActionDemandCostList, invoiceList)
	// Invoices check their month and dates: give them some.
	body = regexp.MustCompile(`<(paidUpDate|overdueOccurDate)>[^/]*</`).ReplaceAll(body, []byte("<$1>2024-01-15T10:00:00+0900</"))
	body = regexp.MustCompile(`<demandMonth>[^/]*</`).ReplaceAll(body, []byte("<demandMonth>202401</"))
	agreeWithEncodingXML(t, "every invoice field", ActionDemandCostList, invoiceList, body)
}

// A page declared in another encoding than UTF-8 is refused, not read as
// UTF-8 into garbled names; a broken processing instruction is refused.
func TestXMLDeclarations(t *testing.T) {
	page := `<getCreditHistoryList><totalRows>1</totalRows><creditHistoryList><creditHistory><memberNo>1</memberNo><credit><discountNo>7</discountNo></credit></creditHistory></creditHistoryList></getCreditHistoryList>`
	for decl, want := range map[string]string{
		`<?xml version="1.0" encoding="UTF-8"?>`:         "",
		`<?xml version='1.0' encoding='utf-8' ?>`:        "",
		`<?xml version="1.0"?>`:                          "",
		`<?xml-stylesheet href="a.xsl"?>`:                "",
		`<?xml version="1.0" encoding="EUC-KR"?>`:        `encoding "EUC-KR" declared; only UTF-8 is read`,
		`<?xml version="1.0" encoding = "cp949"?>`:       `encoding "cp949" declared`,
		"<?xml\tversion=\"1.0\"\tencoding=\"EUC-KR\"?>":  `encoding "EUC-KR" declared`,
		"<?xml\nversion=\"1.0\"\nencoding=\"cp949\"\n?>": `encoding "cp949" declared`,
		`<?xml version="1.1"?>`:                          `XML version "1.1" declared`,
		`<?xml version="1.0" encoding=utf-8 ?>`:          "",
		`<??>`:                                           "malformed processing instruction",
		`<?1x?>`:                                         "malformed processing instruction",
	} {
		p, err := decodePage(ActionCreditHistory, creditList, []byte(decl+page))
		switch {
		case want == "" && (err != nil || len(p.items) != 1 || p.items[0].Credit.DiscountNo != "7"):
			t.Errorf("%s: rows %+v, err %v; want the one credit 7", decl, p.items, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: err = %v, want %q", decl, err, want)
		}
	}
}

// An element nested a million deep is skipped in a loop, not by recursion
// that a hostile body could drive past the stack limit (a crash, which no
// recover catches).
func TestDeepNestingSkipped(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(8 << 20))
	const depth = 1_000_000
	body := `<getCreditHistoryList><totalRows>1</totalRows><creditHistoryList><creditHistory><memberNo>1</memberNo>` +
		`<credit><discountNo>7</discountNo></credit><junk>` + strings.Repeat("<a>", depth) + strings.Repeat("</a>", depth) +
		`</junk></creditHistory></creditHistoryList></getCreditHistoryList>`
	p, err := decodePage(ActionCreditHistory, creditList, []byte(body))
	if err != nil || len(p.items) != 1 || p.items[0].Credit.DiscountNo != "7" {
		t.Fatalf("rows %+v, err %v", p.items, err)
	}
	if _, err := decodePage(ActionCreditHistory, creditList, []byte(body[:len(body)/2])); err == nil {
		t.Error("cut inside the nesting: accepted")
	}
}

// Short texts are interned within a page, up to a bound: values are the
// same strings as without it, and a page of distinct values cannot grow
// the table past maxInternedStrings.
func TestInternBounded(t *testing.T) {
	x := newXMLReader(nil)
	a, b := x.intern([]byte("KRW")), x.intern([]byte("KRW"))
	if a != "KRW" || unsafe.StringData(a) != unsafe.StringData(b) {
		t.Errorf("interned %q and %q are not one string", a, b)
	}
	long := bytes.Repeat([]byte("x"), maxInterned+1)
	if s := x.intern(long); s != string(long) || len(x.strings) != 1 {
		t.Errorf("a long text: %q, %d interned", s, len(x.strings))
	}
	for i := range 2 * maxInternedStrings {
		if s, want := x.intern([]byte(strconv.Itoa(i))), strconv.Itoa(i); s != want {
			t.Fatalf("intern(%q) = %q", want, s)
		}
	}
	if len(x.strings) != maxInternedStrings {
		t.Errorf("%d strings interned, want at most %d", len(x.strings), maxInternedStrings)
	}
}
