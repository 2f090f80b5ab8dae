// Package vgp is a client for the Genohub/Coconut PaymentListForThirdParty
// API, which returns a member's VGP payment history with the balance after
// each payment. It knows nothing of Prometheus.
package vgp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/billingexporter/billing_exporter/internal/upstream"
)

// DefaultEndpoint is the public PaymentListForThirdParty endpoint.
const DefaultEndpoint = "https://dd3jwb4e7e.execute-api.us-east-2.amazonaws.com/PaymentListForThirdParty"

const api = "vgp PaymentListForThirdParty"

// maxUnixSeconds (year 5138) bounds timestamps, so that a garbage value
// cannot overflow time.Unix.
const maxUnixSeconds = 1e11

// statusOK is the API's success status.
const statusOK = "3000"

// statusMeanings are the documented error statuses (Genohub and Vroomgo
// "Error Code" tables).
var statusMeanings = map[string]string{
	"3100": "Wrong Caller",
	"3200": "Not Member",
	"3300": "No Asset Information",
	"3301": "Balance Insufficient",
	"3302": "Type is empty",
	"3303": "Recommender or Recommendee is empty",
	"3304": "No Payment ID",
	"3305": "Payment ID exists",
	"3400": "Unhandled Error",
}

// Options configure a Client.
type Options struct {
	Endpoint     string
	Caller       string
	PhoneNumber  string // personal data: sent, never logged or labelled
	Email        string // personal data: sent, never logged or labelled
	HTTPClient   *http.Client
	MaxBodyBytes int64
}

// Client reads one member's payment history.
type Client struct{ o Options }

// New returns a client.
func New(o Options) *Client {
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	return &Client{o: o}
}

// Record is one payment, without the member's personal data.
type Record struct {
	Timestamp time.Time
	Balance   float64 // VGPBalance after the payment
	Usage     float64 // VGPUsage
	Status    string  // as sent: "PAID", "Canceled", ...
	PID       string
	StoreInfo string
}

// Payments returns the member's payment history in the order it came.
func (c *Client) Payments(ctx context.Context) ([]Record, error) {
	reqBody, err := json.Marshal(struct {
		Email       string `json:"Email,omitempty"`
		PhoneNumber string `json:"PhoneNumber,omitempty"`
		Caller      string `json:"Caller"`
	}{c.o.Email, c.o.PhoneNumber, c.o.Caller})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.o.Endpoint, bytes.NewReader(reqBody))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", api, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := upstream.Do(c.o.HTTPClient, req, api, c.o.MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	body := resp.Body
	records, err := Decode(body)
	if resp.Status != http.StatusOK {
		// API Gateway and Lambda failures ({"message": "..."}) or anything else.
		e, ok := upstream.AsError(err)
		if !ok {
			e = &upstream.Error{API: api, Message: gatewayMessage(body)}
		}
		e.HTTPStatus = resp.Status
		return nil, e
	}
	if err != nil {
		if _, ok := upstream.AsError(err); ok {
			return nil, err // business error, reported with HTTP 200
		}
		return nil, fmt.Errorf("%s: %w", api, upstream.WrongType(resp.ContentType, body, err, "json"))
	}
	return records, nil
}

// gatewayMessage reads AWS API Gateway's {"message": "..."} error body, or
// quotes the start of whatever else came.
func gatewayMessage(body []byte) string {
	var m struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &m) == nil && m.Message != "" {
		return m.Message
	}
	return "unrecognised body " + upstream.Snippet(body)
}

type envelope struct {
	Status   json.RawMessage `json:"status"`
	Response json.RawMessage `json:"response"`
}

type item struct {
	Timestamp  json.RawMessage `json:"Timestamp"`
	VGPBalance json.RawMessage `json:"VGPBalance"`
	VGPUsage   json.RawMessage `json:"VGPUsage"`
	Status     string          `json:"Status"`
	PID        json.RawMessage `json:"PID"`
	StoreInfo  string          `json:"StoreInfo"`
	// PhoneNumber, Email and Caller are not decoded: personal data is
	// dropped at the door.
}

// Decode parses a PaymentListForThirdParty body. A status other than 3000
// is an *upstream.Error naming the code and its documented meaning; a value
// that does not parse is an error, never a silent zero.
func Decode(body []byte) ([]Record, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("malformed JSON: %w", err)
	}
	status, err := scalar(env.Status)
	if err != nil || status == "" {
		return nil, fmt.Errorf("missing or malformed status %s", string(env.Status))
	}
	if status != statusOK {
		e := &upstream.Error{API: api, Code: status}
		var msg string
		if json.Unmarshal(env.Response, &msg) != nil {
			msg = ""
		}
		meaning := statusMeanings[status]
		switch {
		case msg != "" && meaning != "" && !strings.EqualFold(msg, meaning):
			e.Message = msg + " (" + meaning + ")"
		case msg != "":
			e.Message = msg
		case meaning != "":
			e.Message = meaning
		default:
			e.Message = "undocumented status"
		}
		return nil, e
	}
	// Success must carry the list: a missing or null response would look
	// like an account without payments, and the balance would vanish.
	// An empty list ([]) is a valid, empty history.
	if r := bytes.TrimSpace(env.Response); len(r) == 0 || string(r) == "null" {
		return nil, &upstream.Error{API: api, Message: "status 3000 without a response"}
	}
	var items []item
	if err := json.Unmarshal(env.Response, &items); err != nil {
		return nil, fmt.Errorf("response is not a list of payments: %w", err)
	}
	records := make([]Record, 0, len(items))
	for i, it := range items {
		r, err := it.record()
		if err != nil {
			return nil, fmt.Errorf("payment %d: %w", i+1, err)
		}
		records = append(records, r)
	}
	return records, nil
}

func (it item) record() (Record, error) {
	ts, err := number(it.Timestamp, "Timestamp")
	if err != nil {
		return Record{}, err
	}
	if ts < 0 || ts > maxUnixSeconds || ts != math.Trunc(ts) {
		return Record{}, fmt.Errorf("field Timestamp: %v is not unix seconds", ts)
	}
	balance, err := number(it.VGPBalance, "VGPBalance")
	if err != nil {
		return Record{}, err
	}
	usage, err := number(it.VGPUsage, "VGPUsage")
	if err != nil {
		return Record{}, err
	}
	pid, _ := scalar(it.PID)
	return Record{
		Timestamp: time.Unix(int64(ts), 0),
		Balance:   balance,
		Usage:     usage,
		Status:    it.Status,
		PID:       pid,
		StoreInfo: it.StoreInfo,
	}, nil
}

// scalar returns a JSON string or number as text.
func scalar(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return strings.TrimSpace(s), err
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", err
	}
	return n.String(), nil
}

// number parses a required decimal that arrives as a string (or a number).
func number(raw json.RawMessage, field string) (float64, error) {
	s, err := scalar(raw)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", field, err)
	}
	if s == "" {
		return 0, fmt.Errorf("%s is missing", field)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s %q is not a number", field, s)
	}
	return v, nil
}
