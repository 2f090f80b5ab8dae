package ncloud

import (
	"strings"
	"testing"
)

// creditPage is a one-row credit page with inside in its <credit>.
func creditPage(inside string) string {
	return `<getCreditHistoryList><totalRows>1</totalRows><creditHistoryList><creditHistory><memberNo>1</memberNo>` +
		`<credit><discountNo>7</discountNo>` + inside + `</credit></creditHistory></creditHistoryList></getCreditHistoryList>`
}

// Names match as encoding/xml splits them: a prefix is cut only when both
// sides of the one colon are there, so <:remainingCredit> is not
// <remainingCredit>.
func TestXMLNamesSplitAsEncodingXML(t *testing.T) {
	for _, inside := range []string{
		`<:remainingCredit>5</:remainingCredit><receivedCredit>1</receivedCredit>`,
		`<remainingCredit:>5</remainingCredit:><receivedCredit>1</receivedCredit>`,
		`<x:remainingCredit xmlns:x="urn:x">5</x:remainingCredit>`,
	} {
		agreeWithEncodingXML(t, inside, ActionCreditHistory, creditList, []byte(creditPage(inside)))
	}
}

// Markup that gosax ends elsewhere than encoding/xml does is refused, never
// read into other rows: a comment opened by "<!--->" (gosax ends it there,
// encoding/xml at the next "-->"), and a doctype with quotes or an internal
// subset (gosax ends it at the first '>', quoted or not).
func TestXMLMarkupGosaxEndsElsewhereRefused(t *testing.T) {
	for name, body := range map[string]string{
		"comment <!--->":      creditPage(`<!---><remainingCredit>5</remainingCredit>-->`),
		"comment ending --->": creditPage(`<!-- a---><remainingCredit>5</remainingCredit>`),
		"comment with --":     creditPage(`<!-- a -- b --><remainingCredit>5</remainingCredit>`),
		"doctype quoted >":    creditPage(`<!DOCTYPE x '><remainingCredit>5</remainingCredit>'>`),
		"doctype before root hiding a page": `<!DOCTYPE x '><getCreditHistoryList><totalRows>0</totalRows></getCreditHistoryList>'>` +
			creditPage(``),
		"doctype subset": `<!DOCTYPE x [<!ENTITY a "b">]>` + creditPage(``),
	} {
		if p, err := decodePage(ActionCreditHistory, creditList, []byte(body)); err == nil || !strings.Contains(err.Error(), "malformed XML") {
			t.Errorf("%s: rows %+v, err %v; want malformed XML", name, p.items, err)
		}
	}
	// What both read alike stays accepted.
	for _, inside := range []string{`<!---->`, `<!-- a - b -->`, `<!DOCTYPE x>`, `<!DOCTYPE x SYSTEM>`} {
		agreeWithEncodingXML(t, inside, ActionCreditHistory, creditList, []byte(creditPage(inside+`<remainingCredit>5</remainingCredit>`)))
	}
}

// Tags are read as encoding/xml reads them: a broken tag is an error, not
// an element skipped (which would leave its field unset: a smaller success)
// or read by a name encoding/xml would not give it.
func TestXMLMalformedTagsRefused(t *testing.T) {
	for name, inside := range map[string]string{
		"attribute without value":   `<remainingCredit x>5</remainingCredit>`,
		"unquoted attribute":        `<remainingCredit x=1>5</remainingCredit>`,
		"attribute bad entity":      `<remainingCredit a="&bogus;">5</remainingCredit>`,
		"attribute with <":          `<remainingCredit a="<">5</remainingCredit>`,
		"control byte in name":      "<remainingCredit\x01>5</remainingCredit\x01>",
		"= glued to name":           `<remainingCredit="1">5</remainingCredit="1">`,
		"junk in end tag":           `<remainingCredit>5</remainingCredit junk>`,
		"two colons":                `<a:b:remainingCredit>5</a:b:remainingCredit>`,
		"empty name":                `< >5</ >`,
		"digit first":               `<1a>5</1a>`,
		"char reference U+0000":     `<creditName>&#0;</creditName>`,
		"char reference surrogate":  `<creditName>&#xD800;</creditName>`,
		"char reference too large":  `<creditName>&#x110000;</creditName>`,
		"char reference in skipped": `<x>&#1;</x>`,
	} {
		if p, err := decodePage(ActionCreditHistory, creditList, []byte(creditPage(inside))); err == nil || !strings.Contains(err.Error(), "malformed XML") {
			t.Errorf("%s: rows %+v, err %v; want malformed XML", name, p.items, err)
		}
	}
	for _, inside := range []string{
		`<remainingCredit a="1" b='&lt;&#x41;' >5</remainingCredit >`,
		"<remainingCredit\n\ta = \"1\"\n>5</remainingCredit\n>",
		`<remainingCredit/><remainingCredit a="/"/><remainingCredit>5</remainingCredit>`,
		`<_x.y-z/><é/><remainingCredit>5</remainingCredit>`,
	} {
		agreeWithEncodingXML(t, inside, ActionCreditHistory, creditList, []byte(creditPage(inside)))
	}
}

// An error names the element it happened in, even when the reader's buffer
// has moved on since that element's tag (the name is not kept pointing into
// it).
func TestXMLErrorNamesSurviveBufferReuse(t *testing.T) {
	row := `<creditHistory><memberNo>1</memberNo><credit><discountNo>7</discountNo></credit></creditHistory>`
	n := 100_000/len(row) + 1
	body := `<getCreditHistoryList><totalRows>1</totalRows><creditHistoryList>` + strings.Repeat(row, n) +
		`<creditHistory><memberNo>1</memberNo><credit><remainingCredit>x</remainingCredit></credit></creditHistory></creditHistoryList></getCreditHistoryList>`
	_, err := decodePage(ActionCreditHistory, creditList, []byte(body))
	if want := "<creditHistoryList>: row "; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want it to contain %q", err, want)
	}
}

// Characters XML does not allow, and bytes that are not UTF-8, are refused
// as encoding/xml refuses them, in text, CDATA and attribute values alike,
// not read into a field (or skipped with their element).
func TestXMLInvalidCharactersRefused(t *testing.T) {
	for name, inside := range map[string]string{
		"control byte in text":       "<creditName>a\x01b</creditName>",
		"invalid UTF-8 in text":      "<creditName>a\xffb</creditName>",
		"U+FFFE in text":             "<creditName>a\uFFFEb</creditName>",
		"control byte in CDATA":      "<creditName><![CDATA[a\x00b]]></creditName>",
		"invalid UTF-8 in attribute": "<creditName a=\"\xc3\">x</creditName>",
		"control byte in skipped":    "<x>\x1b[31m</x>",
	} {
		if p, err := decodePage(ActionCreditHistory, creditList, []byte(creditPage(inside))); err == nil || !strings.Contains(err.Error(), "malformed XML") {
			t.Errorf("%s: rows %+v, err %v; want malformed XML", name, p.items, err)
		}
	}
	inside := "<creditName>\t한글 \U0001F600\r\n<![CDATA[\u00e9]]></creditName><x a=\"\u00e9\"/>"
	agreeWithEncodingXML(t, "allowed characters", ActionCreditHistory, creditList, []byte(creditPage(inside)))
}

// Line ends in CDATA are normalized as in text: encoding/xml reads "\r\n"
// and "\r" as "\n" in both.
func TestXMLCDATALineEnds(t *testing.T) {
	inside := "<creditName>a\r\nb<![CDATA[c\r\nd\re]]></creditName>"
	agreeWithEncodingXML(t, "CDATA line ends", ActionCreditHistory, creditList, []byte(creditPage(inside)))
}
