// Package ncloud is a client for the NAVER Cloud Platform billing API
// (discount operations): credits, coins and demand cost by discount. It knows
// nothing of Prometheus; the collectors translate its results.
package ncloud

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/billingexporter/billing_exporter/internal/upstream"
)

// API actions.
const (
	ActionCreditHistory = "getCreditHistoryList"
	ActionCoinHistory   = "getCoinHistoryList"
	ActionDemandCost    = "getProductDemandCostByDiscountList"
)

const (
	pageSize = 1000 // the API's maximum
	// maxPages guards against a totalRows that would mean an absurd number of
	// requests (10 million rows); such a body is treated as broken.
	maxPages = 10000
	// DefaultDemandSpan is the longest startMonth..endMonth range one demand
	// call may ask for: the documented limit (3 months in the older docs,
	// 6 in newer ones; 3 satisfies both).
	DefaultDemandSpan = 3
)

// Options configure a Client.
type Options struct {
	Endpoint       string // e.g. https://billingapi.apigw.ntruss.com/billing/v1
	AccessKey      string
	SecretKey      string
	Format         string // "xml" (default) or "json"
	IsOrganization bool
	IsPartner      bool
	MemberNos      []string
	HTTPClient     *http.Client
	MaxConcurrency int   // concurrent requests of this client; default 4
	MaxBodyBytes   int64 // per response; default upstream.DefaultMaxBodyBytes
	DemandSpan     int   // months per demand call; default DefaultDemandSpan
	Now            func() time.Time
}

// Client calls the billing API of one account. It is safe for concurrent use;
// all its calls share one concurrency limit.
type Client struct {
	o    Options
	base *url.URL
	sem  chan struct{}
}

// New returns a client for one account.
func New(o Options) (*Client, error) {
	base, err := url.Parse(o.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("endpoint: %w", err)
	}
	if o.Format == "" {
		o.Format = "xml"
	}
	if o.Format != "xml" && o.Format != "json" {
		return nil, fmt.Errorf("format %q is neither xml nor json", o.Format)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	if o.MaxConcurrency < 1 {
		o.MaxConcurrency = 4
	}
	if o.DemandSpan < 1 {
		o.DemandSpan = DefaultDemandSpan
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Client{o: o, base: base, sem: make(chan struct{}, o.MaxConcurrency)}, nil
}

// CreditHistory returns every credit of the account (all pages).
func (c *Client) CreditHistory(ctx context.Context) ([]CreditHistory, error) {
	return fetchAll(ctx, c, ActionCreditHistory, nil, decodeCredits)
}

// CoinHistory returns every coin of the account (all pages).
func (c *Client) CoinHistory(ctx context.Context) ([]CoinHistory, error) {
	return fetchAll(ctx, c, ActionCoinHistory, nil, decodeCoins)
}

// DemandCost returns the demand cost by discount for the months from..to
// (inclusive). Ranges longer than the API allows are split into several
// calls, which run concurrently.
func (c *Client) DemandCost(ctx context.Context, from, to Month) ([]ProductDemandCost, error) {
	return byMonthSpans(ctx, from, to, c.o.DemandSpan, func(ctx context.Context, params url.Values) ([]ProductDemandCost, error) {
		return fetchAll(ctx, c, ActionDemandCost, params, decodeDemand)
	})
}

// byMonthSpans splits from..to (inclusive) into spans of at most span
// months, reads them concurrently (the client's limit bounds the requests)
// and joins them in month order.
func byMonthSpans[T any](ctx context.Context, from, to Month, span int, read func(ctx context.Context, params url.Values) ([]T, error)) ([]T, error) {
	if to.Before(from) {
		return nil, fmt.Errorf("month range %s..%s ends before it starts", from, to)
	}
	var spans [][2]Month
	for start := from; !to.Before(start); start = start.Add(span) {
		end := start.Add(span - 1)
		if to.Before(end) {
			end = to
		}
		spans = append(spans, [2]Month{start, end})
	}
	parts := make([][]T, len(spans))
	g, gctx := errgroup.WithContext(ctx)
	for i, s := range spans {
		g.Go(func() error {
			params := url.Values{"startMonth": {s[0].String()}, "endMonth": {s[1].String()}}
			rows, err := read(gctx, params)
			parts[i] = rows
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var all []T
	for _, p := range parts {
		all = append(all, p...)
	}
	return all, nil
}

type decodeFunc[T any] func(action string, body []byte) (header, []T, error)

// fetchAll reads page 1, learns totalRows from it, then reads the remaining
// pages concurrently (bounded by the client's limit) and returns the items
// in page order. Any failed page fails the whole list.
func fetchAll[T any](ctx context.Context, c *Client, action string, params url.Values, decode decodeFunc[T]) ([]T, error) {
	first, total, err := fetchPage(ctx, c, action, params, 1, decode)
	if err != nil {
		return nil, err
	}
	pages := int(math.Ceil(total / pageSize))
	if pages > maxPages {
		return nil, &upstream.Error{API: "ncloud " + action, Message: fmt.Sprintf("totalRows %.0f would need more than %d pages", total, maxPages)}
	}
	if pages <= 1 {
		return first, nil
	}
	rest := make([][]T, pages+1)
	g, gctx := errgroup.WithContext(ctx)
	for p := 2; p <= pages; p++ {
		g.Go(func() error {
			items, _, err := fetchPage(gctx, c, action, params, p, decode)
			rest[p] = items
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	// One allocation for the whole list: appending to page 1's 1000
	// copied 50,000 credits about ten times at the end of the refresh.
	n := len(first)
	for _, items := range rest[2:] {
		n += len(items)
	}
	all := append(make([]T, 0, n), first...)
	for _, items := range rest[2:] {
		all = append(all, items...)
	}
	return all, nil
}

func fetchPage[T any](ctx context.Context, c *Client, action string, params url.Values, page int, decode decodeFunc[T]) ([]T, float64, error) {
	q := url.Values{}
	maps.Copy(q, params)
	q.Set("pageNo", strconv.Itoa(page))
	q.Set("pageSize", strconv.Itoa(pageSize))
	body, contentType, err := c.get(ctx, action, q)
	if err != nil {
		return nil, 0, err
	}
	h, items, err := decode(action, body)
	if _, ok := errors.AsType[*bodyError](err); err != nil && !ok {
		err = upstream.WrongType(contentType, body, err, "xml", "json")
	}
	if err != nil {
		return nil, 0, apiError(action, 0, err)
	}
	if h.TotalRows.Value < 0 {
		return nil, 0, apiError(action, 0, fmt.Errorf("negative totalRows %v", h.TotalRows.Value))
	}
	return items, h.TotalRows.Value, nil
}

// get sends one signed GET and returns the body and Content-Type of a 2xx
// answer.
func (c *Client) get(ctx context.Context, action string, q url.Values) ([]byte, string, error) {
	q.Set("responseFormatType", c.o.Format)
	if c.o.IsOrganization {
		q.Set("isOrganization", "true")
	}
	if c.o.IsPartner {
		q.Set("isPartner", "true")
	}
	for i, m := range c.o.MemberNos {
		q.Set("memberNoList."+strconv.Itoa(i+1), m)
	}
	u := c.base.JoinPath(groupOf(action), action)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, "", apiError(action, 0, err)
	}
	if c.o.Format == "json" {
		req.Header.Set("Accept", "application/json")
	} else {
		req.Header.Set("Accept", "application/xml")
	}

	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, "", apiError(action, 0, ctx.Err())
	}
	defer func() { <-c.sem }()

	// Sign the request URI exactly as it goes on the wire, at the last moment,
	// so that waiting for a slot cannot age the timestamp.
	ts := strconv.FormatInt(c.o.Now().UnixMilli(), 10)
	req.Header.Set("x-ncp-apigw-timestamp", ts)
	req.Header.Set("x-ncp-iam-access-key", c.o.AccessKey)
	req.Header.Set("x-ncp-apigw-signature-v2", Sign(http.MethodGet, req.URL.RequestURI(), ts, c.o.AccessKey, c.o.SecretKey))

	resp, err := upstream.Do(c.o.HTTPClient, req, "ncloud "+action, c.o.MaxBodyBytes)
	if err != nil {
		return nil, "", err
	}
	if resp.Status < 200 || resp.Status > 299 {
		e := &upstream.Error{API: "ncloud " + action, HTTPStatus: resp.Status}
		if be := decodeErrorBody(action, resp.Body); be != nil {
			e.Code, e.Message = be.code, be.message
		} else if len(resp.Body) > 0 {
			e.Message = "unrecognised error body " + upstream.Snippet(resp.Body)
		}
		return nil, "", e
	}
	return resp.Body, resp.ContentType, nil
}

// apiError wraps err so that it names the action; an error the upstream put
// in a body keeps its code and message as an upstream.Error.
func apiError(action string, status int, err error) error {
	if be, ok := errors.AsType[*bodyError](err); ok {
		return &upstream.Error{API: "ncloud " + action, HTTPStatus: status, Code: be.code, Message: be.message}
	}
	if status != 0 {
		return fmt.Errorf("ncloud %s: HTTP %d: %w", action, status, err)
	}
	return fmt.Errorf("ncloud %s: %w", action, err)
}
