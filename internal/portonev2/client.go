// Package portonev2 is a client for PortOne V2's billing-key payment
// schedules (GET /payment-schedules on api.portone.io). It knows nothing of
// Prometheus; the schedules collector maps its results onto the same
// metrics as PortOne v1.
package portonev2

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/billingexporter/billing_exporter/internal/upstream"
)

// DefaultEndpoint is the PortOne V2 API host.
const DefaultEndpoint = "https://api.portone.io"

const (
	// PageSize is the page.size asked for. The API documents no maximum; a
	// server that uses a smaller size says so in page.size, and paging
	// follows it.
	PageSize = 1000
	// DefaultMaxPages bounds one list whatever the upstream claims.
	DefaultMaxPages = 1000
	api             = "portone v2 payment-schedules"
)

// Schedule statuses. The API may add others at any time; they come through
// as they are.
const (
	Scheduled = "SCHEDULED"
	Started   = "STARTED"
	Pending   = "PENDING"
	Succeeded = "SUCCEEDED"
	Failed    = "FAILED"
	Revoked   = "REVOKED"
)

// Options configure a Client.
type Options struct {
	Endpoint     string // default DefaultEndpoint
	APISecret    string
	StoreID      string // sent as filter.storeId when set
	HTTPClient   *http.Client
	MaxBodyBytes int64 // per response
	MaxPages     int   // default DefaultMaxPages
}

// Client reads one merchant's (or store's) payment schedules. It is safe for
// concurrent use; a list is read one page at a time.
type Client struct {
	o   Options
	url *url.URL
}

// New returns a client.
func New(o Options) (*Client, error) {
	if o.Endpoint == "" {
		o.Endpoint = DefaultEndpoint
	}
	base, err := url.Parse(o.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("endpoint: %w", err)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	if o.MaxPages < 1 {
		o.MaxPages = DefaultMaxPages
	}
	return &Client{o: o, url: base.JoinPath("payment-schedules")}, nil
}

// Schedule is one payment schedule without the buyer's personal data: the
// customer's name, e-mail and phone number and the billing key are never
// decoded.
type Schedule struct {
	ID, StoreID, PaymentID string
	CustomerID             string // customer.id; "" when the merchant gave none
	Status                 string
	TotalAmount            float64
	Currency               string
	CreatedAt, TimeToPay   time.Time
	StartedAt, CompletedAt time.Time // zero when not sent
	RevokedAt              time.Time
}

// EachSchedule hands every schedule with from <= timeToPay < until to
// each, a page at a time as the pages arrive, every schedule once. Both
// bounds are always sent: the API's until defaults to now, which would hide
// every future schedule. Pages (0-based, sorted by creation so that new
// schedules land at the end) are read until one is short, or empty when
// page.totalCount says more are due; a list that ends below totalCount, or
// does not end within MaxPages, is an error, and what each was handed is
// then not the whole list.
func (c *Client) EachSchedule(ctx context.Context, from, until time.Time, each func([]Schedule) error) error {
	from, until = from.UTC().Truncate(time.Second), until.UTC().Truncate(time.Second)
	if !from.Before(until) {
		return fmt.Errorf("%s: empty window %s..%s", api, from.Format(time.RFC3339), until.Format(time.RFC3339))
	}
	seen := map[string]bool{}
	received := 0
	for number := 0; ; number++ {
		if number >= c.o.MaxPages {
			return &upstream.Error{API: api, Message: fmt.Sprintf("the list did not end within %d pages (%d schedules so far)", c.o.MaxPages, received)}
		}
		p, err := c.page(ctx, number, from, until)
		if err != nil {
			return err
		}
		received += len(p.items)
		size := PageSize
		if p.size > 0 && p.size < size {
			size = p.size
		}
		more := p.totalCount > received
		if len(p.items) == 0 && more {
			return &upstream.Error{API: api, Message: fmt.Sprintf("page %d is empty after %d schedules, page.totalCount says %d", number, received, p.totalCount)}
		}
		last := len(p.items) == 0 || len(p.items) < size && !more
		fresh := slices.DeleteFunc(p.items, func(s Schedule) bool {
			if seen[s.ID] || s.TimeToPay.Before(from) || !s.TimeToPay.Before(until) {
				return true // a repeat across pages, or outside the window asked for
			}
			seen[s.ID] = true
			return false
		})
		if len(fresh) > 0 {
			if err := each(fresh); err != nil {
				return err
			}
		}
		if last {
			return nil
		}
	}
}

type pageResult struct {
	items            []Schedule
	size, totalCount int
}

// request is the documented request body, sent URL-encoded in the
// requestBody query parameter as the official SDKs do.
type request struct {
	Page   requestPage   `json:"page"`
	Sort   requestSort   `json:"sort"`
	Filter requestFilter `json:"filter"`
}

type requestPage struct {
	Number int `json:"number"`
	Size   int `json:"size"`
}

type requestSort struct {
	By    string `json:"by"`
	Order string `json:"order"`
}

type requestFilter struct {
	StoreID string `json:"storeId,omitzero"`
	From    string `json:"from"`
	Until   string `json:"until"`
}

func (c *Client) page(ctx context.Context, number int, from, until time.Time) (pageResult, error) {
	body, err := json.Marshal(request{
		Page:   requestPage{Number: number, Size: PageSize},
		Sort:   requestSort{By: "CREATED_AT", Order: "ASC"},
		Filter: requestFilter{StoreID: c.o.StoreID, From: from.Format(time.RFC3339), Until: until.Format(time.RFC3339)},
	})
	if err != nil {
		return pageResult{}, fmt.Errorf("%s: %w", api, err)
	}
	u := *c.url
	u.RawQuery = url.Values{"requestBody": {string(body)}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return pageResult{}, fmt.Errorf("%s: %w", api, err)
	}
	req.Header.Set("Authorization", "PortOne "+c.o.APISecret)
	req.Header.Set("Accept", "application/json")
	resp, err := upstream.Do(c.o.HTTPClient, req, api, c.o.MaxBodyBytes)
	if err != nil {
		return pageResult{}, err
	}
	if resp.Status < 200 || resp.Status > 299 {
		return pageResult{}, c.errorOf(resp)
	}
	p, err := decodePage(resp.Body)
	if err != nil {
		return pageResult{}, &upstream.Error{API: api, Message: fmt.Sprintf("page %d: %v", number, err)}
	}
	return p, nil
}

// errorOf reads the API's {type, message}. The message is the upstream's
// text: it is cleaned and stripped of the secret, in case it echoes the
// request; any other body is described, never quoted.
func (c *Client) errorOf(resp upstream.Response) error {
	e := &upstream.Error{API: api, HTTPStatus: resp.Status}
	var body struct {
		Type    *string `json:"type"`
		Message string  `json:"message"`
	}
	if json.Unmarshal(resp.Body, &body) == nil && body.Type != nil {
		e.Code, e.Message = clean(*body.Type, 64, c.o.APISecret), clean(body.Message, 200, c.o.APISecret)
		return e
	}
	e.Message = fmt.Sprintf("unrecognised error body (%d bytes, Content-Type %q)", len(resp.Body), clean(resp.ContentType, 64, ""))
	return e
}

// clean makes upstream text safe to log: the secret redacted (the
// exporter's redactor does so again for every account), then upstream.Clean.
func clean(s string, max int, secret string) string {
	if secret != "" {
		s = strings.ReplaceAll(s, secret, "<secret>")
	}
	return upstream.Clean(s, max)
}

var errNotJSON = errors.New("response is not a JSON object")
