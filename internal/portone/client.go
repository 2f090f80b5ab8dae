// Package portone is a client for the PortOne (iamport) REST API v1
// billing-key payment schedules. It knows nothing of Prometheus.
package portone

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-json-experiment/json/jsontext"
	"golang.org/x/sync/errgroup"

	"github.com/billingexporter/billing_exporter/internal/upstream"
)

// DefaultEndpoint is the PortOne REST API v1 host.
const DefaultEndpoint = "https://api.iamport.kr"

// MaxWindow is the longest from..to span one schedule query covers. The API
// allows 3 months; 89 days is 3 months in every reading (Feb-Apr is 89 days).
const MaxWindow = 89 * 24 * time.Hour

const (
	rangeLimit = 1000 // the range endpoint's maximum page size
	// DefaultMaxPages bounds the pages of one list.
	DefaultMaxPages = 1000
	apiByUser       = "portone customer schedules"
	apiByRange      = "portone schedules by range"
)

// Options configure a Client.
type Options struct {
	Endpoint       string
	ImpKey         string
	ImpSecret      string
	HTTPClient     *http.Client
	MaxConcurrency int   // concurrent requests (and decoded pages) of this client; default 4
	MaxPages       int   // pages of one list; default DefaultMaxPages
	MaxBodyBytes   int64 // per response
	Now            func() time.Time
}

// Client reads one merchant's payment schedules. It is safe for concurrent
// use; all its calls share one token and one concurrency limit.
type Client struct {
	o      Options
	base   *url.URL
	sem    chan struct{}
	tokens *tokenSource
}

// New returns a client.
func New(o Options) (*Client, error) {
	base, err := url.Parse(o.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("endpoint: %w", err)
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
	if o.Now == nil {
		o.Now = time.Now
	}
	c := &Client{o: o, base: base, sem: make(chan struct{}, o.MaxConcurrency)}
	c.tokens = newTokenSource(c)
	return c, nil
}

// Schedule is one scheduled payment, without the buyer's personal data.
type Schedule struct {
	CustomerUID    string
	MerchantUID    string
	ScheduleAt     time.Time // zero when the upstream sent 0
	ExecutedAt     time.Time
	RevokedAt      time.Time
	Amount         float64
	Currency       string // KRW when the upstream sent none
	ScheduleStatus string // scheduled, executed, revoked
	PaymentStatus  string // paid, failed, cancelled, or "none" (JSON null: not run yet)
	FailReason     string
}

// EachCustomerSchedule hands the schedules of one customer with
// from <= schedule_at < to to each, a page at a time as the pages arrive,
// one call at a time, every schedule once. Windows longer than MaxWindow
// are split. each may have been called when an error is returned: what it
// was handed is then not the whole list.
func (c *Client) EachCustomerSchedule(ctx context.Context, customerUID string, from, to time.Time, each func([]Schedule) error) error {
	path, err := c.endpoint("subscribe", "customers", customerUID, "schedules")
	if err != nil {
		return fmt.Errorf("%s: %w", apiByUser, err)
	}
	return c.windows(ctx, from, to, each, func(ctx context.Context, l *list) error {
		q := url.Values{"from": {unix(l.from)}, "to": {unix(l.to)}}
		return c.pages(ctx, apiByUser, path, q, l, 0)
	})
}

// EachSchedule hands every customer's schedules with from <= schedule_at
// < to to each, as EachCustomerSchedule does, through the range endpoint
// with the largest page size.
func (c *Client) EachSchedule(ctx context.Context, from, to time.Time, each func([]Schedule) error) error {
	path, err := c.endpoint("subscribe", "payments", "schedule")
	if err != nil {
		return fmt.Errorf("%s: %w", apiByRange, err)
	}
	return c.windows(ctx, from, to, each, func(ctx context.Context, l *list) error {
		q := url.Values{"schedule_from": {unix(l.from)}, "schedule_to": {unix(l.to)}, "limit": {strconv.Itoa(rangeLimit)}}
		return c.pages(ctx, apiByRange, path, q, l, rangeLimit)
	})
}

// endpoint appends path segments to the configured endpoint, each escaped
// as one segment. url.JoinPath would take "a/b" as two segments, clean
// "../x" out of the endpoint's path and unescape "pct%41" into "pctA"; a
// segment that cannot be one (a customer_uid with a slash, "..") is an
// error, so no request leaves the endpoint's path.
func (c *Client) endpoint(segments ...string) (*url.URL, error) {
	var p strings.Builder
	p.WriteString(strings.TrimSuffix(c.base.EscapedPath(), "/"))
	for _, s := range segments {
		if s == "" || s == "." || s == ".." || strings.ContainsAny(s, "/\\") {
			return nil, fmt.Errorf("%q is not one URL path segment", s)
		}
		p.WriteString("/" + url.PathEscape(s))
	}
	u := *c.base
	u.RawPath = p.String()
	var err error
	if u.Path, err = url.PathUnescape(u.RawPath); err != nil {
		return nil, err
	}
	return &u, nil
}

// inWindow keeps the schedules with from <= schedule_at < to: a server
// that does not honour the window must not inflate the counts. A schedule
// without a schedule_at (0) cannot be placed and is left to the decoder's
// judgement.
func inWindow(list []Schedule, from, to time.Time) []Schedule {
	return slices.DeleteFunc(list, func(s Schedule) bool {
		return !s.ScheduleAt.IsZero() && (s.ScheduleAt.Before(from) || !s.ScheduleAt.Before(to))
	})
}

func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// stream is what the lists of one call share: each, the turn to call it,
// and the schedules without a schedule_at already handed out: every span
// keeps those (inWindow), while any other belongs to one span only.
type stream struct {
	// A one-slot channel rather than a sync.Mutex: a page waiting for
	// another's each is then durably blocked under testing/synctest.
	turn     chan struct{}
	each     func([]Schedule) error
	unplaced map[scheduleKey]bool
}

// list is the list of one span. seen holds every schedule the list brought,
// in the span or not, so that a page of repeats is noticed; rows counts
// them against the total.
type list struct {
	*stream
	from, to time.Time
	seen     map[scheduleKey]bool
	rows     int
}

// take hands the page's schedules new to the list and within its span to
// each, and returns how many were new to the list.
func (l *list) take(page []Schedule) (int, error) {
	l.turn <- struct{}{}
	defer func() { <-l.turn }()
	l.rows += len(page)
	fresh := slices.DeleteFunc(page, func(s Schedule) bool { return !firstSight(s, l.seen) })
	n := len(fresh)
	fresh = slices.DeleteFunc(inWindow(fresh, l.from, l.to), func(s Schedule) bool {
		return s.ScheduleAt.IsZero() && !firstSight(s, l.unplaced)
	})
	if len(fresh) == 0 {
		return n, nil
	}
	return n, l.each(fresh)
}

// windows splits [from, to) into adjacent spans of at most MaxWindow and
// reads them concurrently. Adjacent half-open spans neither lose nor repeat
// a schedule at the seams.
func (c *Client) windows(ctx context.Context, from, to time.Time, each func([]Schedule) error, read func(ctx context.Context, l *list) error) error {
	if !from.Before(to) {
		return fmt.Errorf("empty schedule window %s..%s", from, to)
	}
	var spans [][2]time.Time
	for s := from; s.Before(to); s = s.Add(MaxWindow) {
		spans = append(spans, [2]time.Time{s, minTime(s.Add(MaxWindow), to)})
	}
	st := &stream{turn: make(chan struct{}, 1), each: each, unplaced: map[scheduleKey]bool{}}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.o.MaxConcurrency)
	for _, s := range spans {
		g.Go(func() error {
			return read(gctx, &list{stream: st, from: s[0], to: s[1], seen: map[scheduleKey]bool{}})
		})
	}
	return g.Wait()
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// pages reads every page of a list and hands each to l as it arrives. The
// documented response is a plain array (swagger) but the official SDKs
// read a paged object {total, previous, next, list}; both are accepted.
// With the object, the pages after the first are read concurrently, at
// most MaxConcurrency of them in hand at once; with a bare array nothing
// says how many pages there are, so pages are read in turn until one is
// short, empty, or brings nothing new (a server that ignores page). A list
// that ends short of its total is an error once its pages are read.
//
// limit is the page size asked for (0: none asked): with it, the pages
// after the first are asked for as soon as page 1 has told its total,
// ahead of its list, and the pages a smaller page size needs once page 1
// is read.
func (c *Client) pages(ctx context.Context, api string, path *url.URL, q url.Values, l *list, limit int) error {
	// Page 1 is taken first, whenever the others arrive: what counts as a
	// page repeating schedules already read depends on it.
	restCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	firstDone := make(chan struct{})
	g, gctx := errgroup.WithContext(restCtx)
	g.SetLimit(c.o.MaxConcurrency) // never a goroutine per page
	// One goroutine asks for the pages, in order, up to the last page it
	// has been told of (g.Go waits for a free slot, and the slots wait for
	// page 1). ask is called at most twice: from page 1's total ahead of
	// its list, and once page 1 is read.
	var dispatcher sync.WaitGroup
	upto := make(chan int, 2)
	asked := 1 // pages asked for; only this goroutine (and told, in it) reads or writes it
	ask := func(n int) {
		if n <= asked {
			return
		}
		if asked == 1 {
			dispatcher.Go(func() {
				last := 1
				for p := 2; gctx.Err() == nil; p++ {
					for p > last {
						n, ok := <-upto
						if !ok {
							return
						}
						last = n
					}
					g.Go(func() error { return c.nextPage(gctx, api, path, q, l, p, firstDone) })
				}
			})
		}
		asked = n
		upto <- n
	}
	rest := func() error {
		close(firstDone)
		close(upto)
		dispatcher.Wait()
		return g.Wait()
	}
	// abandon drops the pages asked for: of no use now.
	abandon := func() {
		cancel()
		_ = rest()
	}
	early := 0 // the total the pages were asked for early
	var told func(total int)
	if limit > 0 {
		told = func(total int) {
			if n := (total + limit - 1) / limit; n > 1 && n <= c.o.MaxPages {
				early = total
				ask(n)
			}
		}
	}
	first, err := c.page(ctx, api, path, q, 1, told)
	if err == nil && early > 0 && (!first.paged || first.total != early) {
		err = &upstream.Error{API: api, Message: fmt.Sprintf("page 1 gives total %d, then %d", early, first.total)}
	}
	if err != nil {
		abandon()
		return err
	}
	size := len(first.list)
	if !first.paged {
		fresh, err := l.take(first.list)
		if err != nil {
			return err
		}
		return c.pagesInTurn(ctx, api, path, q, l, size, fresh)
	}
	if first.next == 0 || size == 0 {
		abandon() // pages asked for early, the list being one page after all
		if _, err := l.take(first.list); err != nil {
			return err
		}
		if size < first.total {
			return &upstream.Error{API: api, Message: fmt.Sprintf("the list ended after %d of total %d schedules", size, first.total)}
		}
		return nil
	}
	pages := (first.total + size - 1) / size
	if pages > c.o.MaxPages {
		abandon()
		return &upstream.Error{API: api, Message: fmt.Sprintf("total %d would need %d pages of %d, more than max_pages %d", first.total, pages, size, c.o.MaxPages)}
	}
	if pages > asked {
		ask(pages) // all of them, or those a page size below limit adds
	}
	_, err = l.take(first.list)
	if err != nil {
		cancel()
	}
	if rerr := rest(); err == nil {
		err = rerr
	}
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", api, err)
	}
	if l.rows < first.total {
		return &upstream.Error{API: api, Message: fmt.Sprintf("the list ended after %d of total %d schedules", l.rows, first.total)}
	}
	return nil
}

// nextPage reads page p of a paged list and, once page 1 is taken, takes
// it.
func (c *Client) nextPage(ctx context.Context, api string, path *url.URL, q url.Values, l *list, p int, firstDone <-chan struct{}) error {
	if err := ctx.Err(); err != nil { // started after the list failed
		return fmt.Errorf("%s: %w", api, err)
	}
	r, err := c.page(ctx, api, path, q, p, nil)
	if err != nil {
		return err
	}
	select {
	case <-firstDone:
	case <-ctx.Done():
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", api, err)
	}
	if fresh, err := l.take(r.list); err != nil || len(r.list) == 0 || fresh > 0 {
		return err
	}
	// The upstream ignored page: counting a repeated page would pass a
	// half list as complete.
	return &upstream.Error{API: api, Message: fmt.Sprintf("page %d repeats %d schedules already read instead of the next ones", p, len(r.list))}
}

// pagesInTurn reads the pages after the first of a bare array, whose
// length nobody tells: one at a time, until one is short, empty, or brings
// nothing new (a server that ignores page).
func (c *Client) pagesInTurn(ctx context.Context, api string, path *url.URL, q url.Values, l *list, size, fresh int) error {
	for p := 2; size > 0 && fresh > 0; p++ {
		if p > c.o.MaxPages {
			return &upstream.Error{API: api, Message: fmt.Sprintf("the list did not end within max_pages %d pages of %d", c.o.MaxPages, size)}
		}
		r, err := c.page(ctx, api, path, q, p, nil)
		if err != nil {
			return err
		}
		if fresh, err = l.take(r.list); err != nil || len(r.list) < size {
			return err
		}
	}
	return nil
}

// scheduleKey is a 128-bit hash of what identifies a schedule (customer,
// merchant, schedule_at): a long list's set then holds 16 bytes a schedule,
// not its strings.
type scheduleKey [2]uint64

type scheduleID struct {
	customer, merchant string
	at                 int64
}

var keySeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

// firstSight marks s seen and reports whether it was not seen before.
func firstSight(s Schedule, seen map[scheduleKey]bool) bool {
	id := scheduleID{s.CustomerUID, s.MerchantUID, s.ScheduleAt.Unix()}
	k := scheduleKey{maphash.Comparable(keySeeds[0], id), maphash.Comparable(keySeeds[1], id)}
	if seen[k] {
		return false
	}
	seen[k] = true
	return true
}

type pageResult struct {
	list                  []Schedule
	paged                 bool
	total, previous, next int
}

// page reads one page; told, if not nil, gets its total ahead of its list
// (scheduleList).
func (c *Client) page(ctx context.Context, api string, path *url.URL, q url.Values, page int, told func(total int)) (pageResult, error) {
	u := *path
	qq := maps.Clone(q)
	qq.Set("page", strconv.Itoa(page))
	u.RawQuery = qq.Encode()
	l := scheduleList{told: told}
	if err := c.authorized(ctx, api, u.String(), &l); err != nil {
		return pageResult{}, err
	}
	if l.paged && !l.hasList && l.total > 0 {
		return pageResult{}, &upstream.Error{API: api, Message: fmt.Sprintf("page %d has no list although total is %d", page, l.total)}
	}
	return l.pageResult, nil
}

// authorized GETs url with the merchant's token and decodes the response
// into out. A 401 means the token expired or was revoked: fetch a new one
// once and retry once.
func (c *Client) authorized(ctx context.Context, api, url string, out any) error {
	stale := ""
	for attempt := 0; ; attempt++ {
		tok, err := c.tokens.get(ctx, stale)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("%s: %w", api, err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		err = c.doInto(req, api, out)
		if ue, ok := upstream.AsError(err); ok && ue.HTTPStatus == http.StatusUnauthorized && attempt == 0 {
			stale = tok
			continue
		}
		return err
	}
}

// do sends req and returns the `response` of a successful envelope as is.
func (c *Client) do(req *http.Request, api string) (json.RawMessage, error) {
	var raw jsontext.Value
	if err := c.doInto(req, api, &raw); err != nil {
		return nil, err
	}
	return json.RawMessage(raw), nil
}

// doInto sends req within the concurrency limit (which bounds decoding
// too) and decodes the `response` of a successful envelope {code: 0,
// message, response} into out, in the same pass as the envelope. A
// success without a response is an error, not an empty answer.
func (c *Client) doInto(req *http.Request, api string, out any) error {
	ctx := req.Context()
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", api, ctx.Err())
	}
	defer func() { <-c.sem }()
	req.Header.Set("Accept", "application/json")
	resp, err := upstream.Do(c.o.HTTPClient, req, api, c.o.MaxBodyBytes)
	if err != nil {
		return err
	}
	body := resp.Body
	if resp.Status != http.StatusOK {
		out = nil // an error body's response is not the answer
	}
	env, envErr := decodeEnvelope(body, out)
	if resp.Status != http.StatusOK {
		e := &upstream.Error{API: api, HTTPStatus: resp.Status}
		if envErr == nil {
			e.Code, e.Message = strconv.Itoa(env.Code), env.Message
		} else {
			e.Message = "unrecognised body " + upstream.Snippet(body)
		}
		return e
	}
	if envErr != nil {
		return fmt.Errorf("%s: %w", api, upstream.WrongType(resp.ContentType, body, envErr, "json"))
	}
	if env.Code != 0 {
		return &upstream.Error{API: api, Code: strconv.Itoa(env.Code), Message: env.Message}
	}
	if !env.hasResponse {
		return &upstream.Error{API: api, Message: "code 0 without a response"}
	}
	return nil
}
