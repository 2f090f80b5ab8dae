package ncloud

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/billingexporter/billing_exporter/internal/upstream"
)

// header is what every list response carries before its list.
type header struct {
	RequestID     string     `xml:"requestId" json:"requestId"`
	ReturnCode    FlexString `xml:"returnCode" json:"returnCode"`
	ReturnMessage string     `xml:"returnMessage" json:"returnMessage"`
	TotalRows     Number     `xml:"totalRows" json:"totalRows"`
}

func (h header) status() error {
	if h.ReturnCode == "" || h.ReturnCode == "0" {
		return nil
	}
	return &bodyError{code: string(h.ReturnCode), message: h.ReturnMessage}
}

// bodyError is an error the upstream reported inside a response body.
type bodyError struct{ code, message string }

func (e *bodyError) Error() string { return "code " + e.code + ": " + e.message }

// The three list responses. Their XML lists wrap each item in an element
// of its own; their JSON lists are plain arrays under the container name.
type creditPage struct {
	header
	Items []CreditHistory `xml:"creditHistoryList>creditHistory" json:"creditHistoryList"`
}

type coinPage struct {
	header
	Items []CoinHistory `xml:"coinHistoryList>coinHistory" json:"coinHistoryList"`
}

type demandPage struct {
	header
	Items []ProductDemandCost `xml:"productDemandCostByDiscountList>productDemandCostByDiscount" json:"productDemandCostByDiscountList"`
}

func decodeCredits(action string, body []byte) (header, []CreditHistory, error) {
	var p creditPage
	err := decodeBody(action, body, &p)
	return p.header, p.Items, err
}

func decodeCoins(action string, body []byte) (header, []CoinHistory, error) {
	var p coinPage
	err := decodeBody(action, body, &p)
	return p.header, p.Items, err
}

func decodeDemand(action string, body []byte) (header, []ProductDemandCost, error) {
	var p demandPage
	err := decodeBody(action, body, &p)
	return p.header, p.Items, err
}

// decodeBody decodes a successful (2xx) response into page. The format is
// taken from the body itself, not from what was asked for or from
// Content-Type, so that a gateway answering in the other format is still read.
func decodeBody(action string, body []byte, page interface{ status() error }) error {
	var err error
	switch firstByte(body) {
	case '<':
		err = decodeXML(action, body, page)
	case '{':
		err = decodeJSON(action, body, page)
	default:
		return fmt.Errorf("response is neither XML nor JSON: %s", upstream.Snippet(body))
	}
	if err != nil {
		return err
	}
	return page.status()
}

// decodeXML decodes an XML body: with decodeXMLFast when it can, else
// (and for every error) with encoding/xml.
func decodeXML(action string, body []byte, page any) error {
	if decodeXMLFast(action, body, page) {
		return nil
	}
	return decodeXMLStd(action, body, page)
}

func decodeXMLStd(action string, body []byte, page any) error {
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("malformed XML: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case action, action + "Response":
			if err := dec.DecodeElement(page, &se); err != nil {
				return fmt.Errorf("malformed XML: %w", err)
			}
			return nil
		case "responseError":
			var e struct {
				ReturnCode    string `xml:"returnCode"`
				ReturnMessage string `xml:"returnMessage"`
			}
			if err := dec.DecodeElement(&e, &se); err != nil {
				return fmt.Errorf("malformed XML error body: %w", err)
			}
			return &bodyError{code: e.ReturnCode, message: e.ReturnMessage}
		default:
			return fmt.Errorf("unexpected XML root element <%s>", se.Name.Local)
		}
	}
}

func decodeJSON(action string, body []byte, page any) error {
	var root map[string]json.RawMessage
	if err := json.Unmarshal(body, &root); err != nil {
		return fmt.Errorf("malformed JSON: %w", err)
	}
	if e := jsonError(root); e != nil {
		return e
	}
	payload, ok := root[action+"Response"]
	if !ok {
		payload, ok = root[action]
	}
	if !ok {
		// Some gateways send the payload without a wrapper.
		if _, bare := root["returnCode"]; !bare {
			return fmt.Errorf("unexpected JSON root keys %s", keys(root))
		}
		payload = body
	}
	if err := json.Unmarshal(payload, page); err != nil {
		return fmt.Errorf("malformed JSON: %w", err)
	}
	return nil
}

// jsonError recognises the gateway ({"error":{...}}) and the API
// ({"responseError":{...}}) error bodies.
func jsonError(root map[string]json.RawMessage) error {
	if raw, ok := root["error"]; ok {
		var e struct {
			ErrorCode FlexString `json:"errorCode"`
			Message   string     `json:"message"`
			Details   string     `json:"details"`
		}
		if json.Unmarshal(raw, &e) == nil {
			msg := e.Message
			if e.Details != "" {
				msg += " (" + e.Details + ")"
			}
			return &bodyError{code: string(e.ErrorCode), message: msg}
		}
	}
	if raw, ok := root["responseError"]; ok {
		var e struct {
			ReturnCode    FlexString `json:"returnCode"`
			ReturnMessage string     `json:"returnMessage"`
		}
		if json.Unmarshal(raw, &e) == nil {
			return &bodyError{code: string(e.ReturnCode), message: e.ReturnMessage}
		}
	}
	return nil
}

// decodeErrorBody extracts the upstream's code and message from a non-2xx
// body, in either format.
func decodeErrorBody(action string, body []byte) *bodyError {
	var err error
	switch firstByte(body) {
	case '{':
		var root map[string]json.RawMessage
		if json.Unmarshal(body, &root) == nil {
			err = jsonError(root)
		}
	case '<':
		err = decodeXML(action, body, &header{})
	}
	be, _ := errors.AsType[*bodyError](err)
	return be
}

func firstByte(b []byte) byte {
	b = bytes.TrimLeftFunc(b, unicode.IsSpace)
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // UTF-8 byte order mark
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

func keys(m map[string]json.RawMessage) string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return "[" + strings.Join(ks, ", ") + "]"
}
