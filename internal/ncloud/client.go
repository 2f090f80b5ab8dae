// Package ncloud is a client for the NAVER Cloud Platform billing API
// (discount operations): credits, coins and demand cost by discount. It knows
// nothing of Prometheus; the collectors translate its results.
package ncloud

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
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
	// DefaultMaxPages bounds the pages of one list (a million rows), so that
	// an upstream claiming an absurd totalRows costs an error, not the
	// exporter's memory.
	DefaultMaxPages = 1000
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
	MaxConcurrency int // concurrent requests of this client; default 4 (see decodeSlots)
	MaxPages       int // pages of one list; default DefaultMaxPages
	Logger         *slog.Logger
	MaxBodyBytes   int64 // per response; default upstream.DefaultMaxBodyBytes
	DemandSpan     int   // months per demand call; default DefaultDemandSpan
	Now            func() time.Time
}

// Client calls the billing API of one account. It is safe for concurrent use;
// all its calls share one limit of requests in flight (sem, MaxConcurrency)
// and one of pages being decoded (decodes, decodeSlots), which a list's
// last pages may exceed by the spare slots (see decodeSlot).
type Client struct {
	o       Options
	base    *url.URL
	sem     chan struct{}
	decodes chan struct{}
	spare   chan struct{} // nil when there are none
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
	if o.MaxPages < 1 {
		o.MaxPages = DefaultMaxPages
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.DemandSpan < 1 {
		o.DemandSpan = DefaultDemandSpan
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	procs := runtime.GOMAXPROCS(0)
	slots := decodeSlots(o.MaxConcurrency, procs)
	c := &Client{o: o, base: base, sem: make(chan struct{}, o.MaxConcurrency), decodes: make(chan struct{}, slots)}
	if spare := spareSlots(o.MaxConcurrency, procs); spare > 0 {
		c.spare = make(chan struct{}, spare)
	}
	return c, nil
}

// CreditHistory returns every credit of the account (all pages).
func (c *Client) CreditHistory(ctx context.Context) ([]CreditHistory, error) {
	return collect(ctx, c.EachCredit)
}

// EachCredit hands every credit of the account to each, a page at a time
// as the pages arrive, one call at a time.
func (c *Client) EachCredit(ctx context.Context, each func([]CreditHistory) error) error {
	return forEachPage(ctx, c, ActionCreditHistory, nil, creditList, each)
}

// CoinHistory returns every coin of the account (all pages).
func (c *Client) CoinHistory(ctx context.Context) ([]CoinHistory, error) {
	return collect(ctx, c.EachCoin)
}

// EachCoin hands every coin of the account to each, a page at a time.
func (c *Client) EachCoin(ctx context.Context, each func([]CoinHistory) error) error {
	return forEachPage(ctx, c, ActionCoinHistory, nil, coinList, each)
}

// DemandCost returns the demand cost by discount for the months from..to
// (inclusive).
func (c *Client) DemandCost(ctx context.Context, from, to Month) ([]ProductDemandCost, error) {
	return collect(ctx, func(ctx context.Context, each func([]ProductDemandCost) error) error {
		return c.EachDemandCost(ctx, from, to, each)
	})
}

// EachDemandCost hands the demand cost by discount for the months from..to
// (inclusive) to each, a page at a time. Ranges longer than the API allows
// are split into several calls, which run concurrently.
func (c *Client) EachDemandCost(ctx context.Context, from, to Month, each func([]ProductDemandCost) error) error {
	each = serially(each)
	return eachMonthSpan(ctx, from, to, c.o.DemandSpan, func(ctx context.Context, params url.Values) error {
		return forEachPage(ctx, c, ActionDemandCost, params, demandList, each)
	})
}

// eachMonthSpan splits from..to (inclusive) into spans of at most span
// months and reads them concurrently (the client's limit bounds the
// requests); read gets each span's startMonth and endMonth. The lists of
// all spans reach each one call at a time.
func eachMonthSpan(ctx context.Context, from, to Month, span int, read func(ctx context.Context, params url.Values) error) error {
	if to.Before(from) {
		return fmt.Errorf("month range %s..%s ends before it starts", from, to)
	}
	g, gctx := errgroup.WithContext(ctx)
	for start := from; !to.Before(start); start = start.Add(span) {
		end := start.Add(span - 1)
		if to.Before(end) {
			end = to
		}
		g.Go(func() error {
			return read(gctx, url.Values{"startMonth": {start.String()}, "endMonth": {end.String()}})
		})
	}
	return g.Wait()
}

// serially makes each safe to call from several lists at once.
func serially[T any](each func([]T) error) func([]T) error {
	var mu sync.Mutex
	return func(rows []T) error {
		mu.Lock()
		defer mu.Unlock()
		return each(rows)
	}
}

// collect gathers what an Each method hands out into one list.
func collect[T any](ctx context.Context, each func(context.Context, func([]T) error) error) ([]T, error) {
	var all []T
	err := each(ctx, func(rows []T) error {
		all = append(all, rows...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// forEachPage reads page 1 and, as soon as it has told its totalRows,
// the remaining pages concurrently, each page decoded and handed to each
// as it arrives (page 1 first). A page is decoded after its request slot
// is freed, so that the next requests go out while it is decoded: the
// decoding hides behind the round trips. At most 2 × MaxConcurrency pages
// of a list are in hand at once (requested, or waiting for one of the
// decodeSlots). Any failed page
// fails the whole list, and so does a list that ends short of totalRows or
// would need more than MaxPages pages. Rows that are byte for byte
// duplicates of earlier ones are dropped.
func forEachPage[T any](ctx context.Context, c *Client, action string, params url.Values, l list[T], each func([]T) error) error {
	var (
		// A one-slot channel rather than a sync.Mutex: a page waiting for
		// another's each is then durably blocked under testing/synctest.
		turn       = make(chan struct{}, 1)
		seen       = map[rowKey]struct{}{}
		rows, dups int
		pageRows   = map[int]int{}
	)
	// Page 1 is consumed first, whenever the others arrive: what counts
	// as a page repeating rows already read depends on it.
	firstDone := make(chan struct{})
	consume := func(pageNo int, p page[T]) error {
		turn <- struct{}{}
		defer func() { <-turn }()
		rows += len(p.items)
		pageRows[pageNo] = len(p.items)
		fresh := p.items[:0]
		for i, k := range p.keys {
			if _, dup := seen[k]; dup {
				dups++
				continue
			}
			seen[k] = struct{}{}
			fresh = append(fresh, p.items[i])
		}
		if len(fresh) == 0 {
			if pageNo > 1 && len(p.items) > 0 {
				// A whole page of rows already read: the upstream ignored
				// pageNo, and counting it would pass a half list as complete.
				return &upstream.Error{API: "ncloud " + action, Message: fmt.Sprintf(
					"page %d repeats %d rows already read instead of the next ones", pageNo, len(p.items))}
			}
			return nil
		}
		return each(fresh)
	}

	// The other pages are requested as soon as page 1 has told its
	// totalRows, which comes before its rows: while page 1 is decoded,
	// not after. start runs once; its result stands.
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rest, rctx := errgroup.WithContext(rctx)
	var (
		started  bool
		dispatch float64 // the totalRows the other pages were requested for
		pages    int     // how many pages it takes
		startErr error
		// unread counts the pages after the first whose bodies have not
		// arrived; allIn is closed when it reaches 0.
		unread atomic.Int64
		allIn  = make(chan struct{})
	)
	start := func(total float64) error {
		if started {
			return startErr
		}
		started, dispatch = true, total
		// Compared before the conversion: a totalRows of 1e22 pages
		// would not fit an int.
		if need := math.Ceil(total / pageSize); need > float64(c.o.MaxPages) {
			startErr = &upstream.Error{API: "ncloud " + action, Message: fmt.Sprintf(
				"totalRows %s would need %s pages of %d, more than max_pages %d", count(total), count(need), pageSize, c.o.MaxPages)}
			return startErr
		}
		pages = int(math.Ceil(total / pageSize))
		if unread.Store(int64(max(pages-1, 0))); pages <= 1 {
			close(allIn)
		}
		arrived := func() {
			if unread.Add(-1) == 0 {
				close(allIn)
			}
		}
		rest.Go(func() error {
			g, gctx := errgroup.WithContext(rctx)
			g.SetLimit(2 * c.o.MaxConcurrency)
			for p := 2; p <= pages && gctx.Err() == nil; p++ {
				g.Go(func() error {
					t, err := fetchPage(gctx, c, action, params, p, l, consume, nil, firstDone, arrived, allIn)
					if err == nil && t != total {
						// Rows came or went between the pages: the pages
						// no longer add up to one list.
						err = &upstream.Error{API: "ncloud " + action, Message: fmt.Sprintf(
							"page %d gives totalRows %s, page 1 %s: the list changed while it was read", p, count(t), count(total))}
					}
					return err
				})
			}
			return g.Wait()
		})
		return nil
	}
	early := func(h header) {
		if h.status() == nil && h.TotalRows.Set && h.TotalRows.Value >= 0 {
			_ = start(h.TotalRows.Value) // an error is returned below, after page 1
		}
	}
	total, err := fetchPage(ctx, c, action, params, 1, l, consume, early, nil, nil, nil)
	if err == nil {
		err = start(total)
	}
	if err == nil && total != dispatch {
		err = &upstream.Error{API: "ncloud " + action, Message: fmt.Sprintf(
			"page 1 gives totalRows %s, then %s", count(dispatch), count(total))}
	}
	if err != nil {
		cancel() // before the other pages go on: they are of no use now
	}
	close(firstDone)
	if err != nil {
		_ = rest.Wait()
		return err
	}
	if err := rest.Wait(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return apiError(action, 0, err)
	}
	if float64(rows) < total && (!l.shortLastPage || !pagesFull(pageRows, max(pages, 1))) {
		return &upstream.Error{API: "ncloud " + action, Message: fmt.Sprintf(
			"the list ended after %d of totalRows %.0f rows", rows, total)}
	}
	if dups > 0 {
		c.o.Logger.Debug("Dropped exact duplicate rows", "action", action, "duplicates", dups, "rows", rows)
	}
	return nil
}

// count formats a count an upstream sent: whole, or in exponent form when
// too large to be meant.
func count(f float64) string {
	if f < 1e15 {
		return strconv.FormatFloat(f, 'f', 0, 64)
	}
	return strconv.FormatFloat(f, 'g', 3, 64)
}

// pagesFull reports whether every page but the last came full and the last
// one not empty: the list ran as far as totalRows said, only its count
// differs.
func pagesFull(pageRows map[int]int, pages int) bool {
	for p := 1; p < pages; p++ {
		if pageRows[p] != pageSize {
			return false
		}
	}
	return pageRows[pages] > 0
}

// fetchPage reads one page within a request slot, calls arrived (if not
// nil) once the request is over, then decodes and consumes the page within a decode slot
// (decodeSlot, allIn), and returns the page's totalRows. early, if not
// nil, gets the page's header as soon as its totalRows is read; after, if
// not nil, is waited for before decoding (without holding a decode slot).
func fetchPage[T any](ctx context.Context, c *Client, action string, params url.Values, pageNo int, l list[T],
	consume func(int, page[T]) error, early func(header), after <-chan struct{}, arrived func(), allIn <-chan struct{}) (float64, error) {
	q := url.Values{}
	maps.Copy(q, params)
	q.Set("pageNo", strconv.Itoa(pageNo))
	q.Set("pageSize", strconv.Itoa(pageSize))
	// The body goes back to upstream's buffers once decoded (below).
	body, contentType, err := c.request(upstream.ReusableBody(ctx), action, q)
	if arrived != nil {
		arrived()
	}
	if err != nil {
		return 0, err
	}
	if after != nil {
		select {
		case <-after:
		case <-ctx.Done():
		}
		if err := ctx.Err(); err != nil { // whichever the select chose
			upstream.Release(body)
			return 0, apiError(action, 0, err)
		}
	}
	release, err := c.decodeSlot(ctx, allIn)
	if err != nil {
		upstream.Release(body)
		return 0, apiError(action, 0, err)
	}
	defer release()
	p, err := decodePageEarly(action, l, body, early)
	if _, ok := errors.AsType[*bodyError](err); err != nil && !ok {
		err = upstream.WrongType(contentType, body, err, "xml", "json")
	}
	upstream.Release(body) // the page's values are copies
	if err != nil {
		return 0, apiError(action, 0, fmt.Errorf("page %d: %w", pageNo, err))
	}
	return p.TotalRows.Value, consume(pageNo, p)
}

// request is get within one of the client's request slots.
func (c *Client) request(ctx context.Context, action string, q url.Values) ([]byte, string, error) {
	if err := acquire(ctx, c.sem); err != nil {
		return nil, "", apiError(action, 0, err)
	}
	defer func() { <-c.sem }()
	return c.get(ctx, action, q)
}

// decodeSlots is how many pages a client decodes at once: no more than it
// has requests in flight, and one CPU fewer than the process has. Decoding
// is CPU work; with every CPU busy decoding, the Go scheduler notices an
// answer arriving on the network only at its next preemption tick (up to
// 10 ms later), and every round trip of a refresh grew by that: an NCP
// partner refresh (60 pages, 50 ms of latency) took 1.08-1.10 s with 4
// decoders on 2 CPUs and 1.00 s with one, at less CPU (BENCHMARKS.md, 7a).
func decodeSlots(maxConcurrency, procs int) int {
	return max(1, min(maxConcurrency, procs-1))
}

// decodeSlot takes a decode slot and returns its release. Once allIn is
// closed (every page of the list has arrived, so no answer of its waits to
// be read) a spare slot serves as well: the last round's pages are then
// decoded on every CPU instead of one after another (BENCHMARKS.md, 7a).
func (c *Client) decodeSlot(ctx context.Context, allIn <-chan struct{}) (release func(), err error) {
	select {
	case c.decodes <- struct{}{}:
		return func() { <-c.decodes }, nil
	case <-allIn:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case c.decodes <- struct{}{}:
		return func() { <-c.decodes }, nil
	case c.spare <- struct{}{}:
		return func() { <-c.spare }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// spareSlots is how many more pages a list's last pages may decode at
// once (decodeSlot): up to a page a CPU, within max_concurrency.
func spareSlots(maxConcurrency, procs int) int {
	return max(0, min(maxConcurrency, procs)-decodeSlots(maxConcurrency, procs))
}

// acquire takes a slot of sem, or fails when ctx ends first.
func acquire(ctx context.Context, sem chan struct{}) error {
	select {
	case sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// get sends one signed GET and returns the body and Content-Type of a 2xx
// answer. The caller holds a request slot.
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
