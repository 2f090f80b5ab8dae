package ncloud

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// pager answers a credit list in process: page(n) is the JSON body of
// page n. It records the requests, how many were in flight at once and the
// most goroutines alive while one was.
type pager struct {
	page      func(n int) string
	delay     time.Duration
	onRequest func(n int) // if set, called as each request arrives

	mu                      sync.Mutex
	requests                int
	inflight, maxInflight   int
	maxGoroutines, baseline int
}

func (p *pager) RoundTrip(r *http.Request) (*http.Response, error) {
	n, _ := strconv.Atoi(r.URL.Query().Get("pageNo"))
	if p.onRequest != nil {
		p.onRequest(n)
	}
	p.mu.Lock()
	p.requests++
	p.inflight++
	p.maxInflight = max(p.maxInflight, p.inflight)
	p.maxGoroutines = max(p.maxGoroutines, runtime.NumGoroutine()-p.baseline)
	p.mu.Unlock()
	time.Sleep(p.delay)
	p.mu.Lock()
	p.inflight--
	p.mu.Unlock()
	body := p.page(n)
	return &http.Response{
		StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: r,
	}, nil
}

func creditRow(discountNo int) string {
	return fmt.Sprintf(`{"memberNo":"1","credit":{"discountNo":"%d","remainingCredit":1}}`, discountNo)
}

// creditBody is a page claiming total rows, with rows first..first+n-1.
func creditBody(total, first, n int) string {
	rows := make([]string, n)
	for i := range rows {
		rows[i] = creditRow(first + i)
	}
	return fmt.Sprintf(`{"getCreditHistoryListResponse":{"returnCode":"0","totalRows":%d,"creditHistoryList":[%s]}}`, total, strings.Join(rows, ","))
}

// fullPages answers total rows in pages of pageSize.
func fullPages(total int) func(int) string {
	return func(n int) string {
		first := (n-1)*pageSize + 1
		return creditBody(total, first, max(0, min(pageSize, total-first+1)))
	}
}

func pagerClient(t *testing.T, p *pager, o Options) *Client {
	t.Helper()
	o.Endpoint, o.AccessKey, o.SecretKey, o.Format = "http://ncloud.invalid/billing/v1", ak, sk, "json"
	o.HTTPClient = &http.Client{Transport: p}
	return newClient(t, o)
}

// An upstream claiming 9,999,000 rows costs one request and an error naming
// the claim, not ten thousand pages.
func TestListBoundedByMaxPages(t *testing.T) {
	p := &pager{page: func(int) string { return creditBody(9_999_000, 1, pageSize) }}
	c := pagerClient(t, p, Options{})
	_, err := c.CreditHistory(context.Background())
	if err == nil || !strings.Contains(err.Error(), "totalRows 9999000 would need 9999 pages of 1000, more than max_pages 1000") {
		t.Errorf("err = %v", err)
	}
	if p.requests != 1 {
		t.Errorf("%d requests, want 1", p.requests)
	}
	c = pagerClient(t, p, Options{MaxPages: 10})
	p.page = fullPages(10_001)
	if _, err := c.CreditHistory(context.Background()); err == nil || !strings.Contains(err.Error(), "more than max_pages 10") {
		t.Errorf("max_pages 10: err = %v", err)
	}
}

// A list of 30 pages never has more than max_concurrency page goroutines,
// requests or decoded pages at once, and every row arrives once.
func TestPagesBoundedByMaxConcurrency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const total = 30 * pageSize
		p := &pager{page: fullPages(total), delay: 100 * time.Millisecond}
		c := pagerClient(t, p, Options{MaxConcurrency: 3})
		p.baseline = runtime.NumGoroutine()
		var rows, calls int
		start := time.Now()
		err := c.EachCredit(context.Background(), func(page []CreditHistory) error {
			rows += len(page)
			calls++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if rows != total || calls != 30 {
			t.Errorf("%d rows in %d calls, want %d in 30", rows, calls, total)
		}
		// At most 2 × 3 pages in hand (3 requested, 3 decoded); errgroup
		// frees a slot before the finished goroutine exits, so in one
		// instant every worker may have an exiting predecessor: at most
		// 12 goroutines, never one per page (30).
		if p.maxInflight != 3 || p.maxGoroutines > 2*2*3 {
			t.Errorf("%d requests in flight and %d more goroutines at most, want 3 and at most 12", p.maxInflight, p.maxGoroutines)
		}
		// Page 1, then 29 pages three at a time: 1 + 10 round trips.
		if took := time.Since(start); took != 11*p.delay {
			t.Errorf("took %s, want %s", took, 11*p.delay)
		}
	})
}

// The next requests go out while a page is decoded and turned into
// series: with 30 ms of work a page (each, serialized) and 100 ms round
// trips, the work hides behind the round trips and only the first page's
// and the last round's show. Decoding inside the request slot took
// 11 × 130 ms and more.
func TestPageWorkOverlapsRequests(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const total = 30 * pageSize
		const work = 30 * time.Millisecond
		p := &pager{page: fullPages(total), delay: 100 * time.Millisecond}
		c := pagerClient(t, p, Options{MaxConcurrency: 3})
		var rows, inHand, maxInHand int
		var mu sync.Mutex
		start := time.Now()
		err := c.EachCredit(context.Background(), func(page []CreditHistory) error {
			mu.Lock()
			inHand++
			maxInHand = max(maxInHand, inHand)
			mu.Unlock()
			time.Sleep(work)
			rows += len(page)
			mu.Lock()
			inHand--
			mu.Unlock()
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if rows != total || p.maxInflight != 3 {
			t.Errorf("%d rows, %d requests in flight at most; want %d and 3", rows, p.maxInflight, total)
		}
		// Page 1 (100 ms; the others are asked for as soon as it is
		// decoded, while its rows are turned into series), ten rounds of
		// three requests (1000 ms, the last round two pages), the last
		// round's two pages' work (60 ms).
		if took, want := time.Since(start), 11*p.delay+2*work; took != want {
			t.Errorf("took %s, want %s", took, want)
		}
	})
}

// A list that ends short of totalRows is an error, not a smaller success.
func TestListShorterThanTotalRows(t *testing.T) {
	p := &pager{page: func(n int) string {
		if n == 1 {
			return creditBody(5000, 1, pageSize)
		}
		return creditBody(5000, 0, 0)
	}}
	_, err := pagerClient(t, p, Options{}).CreditHistory(context.Background())
	if err == nil || !strings.Contains(err.Error(), "the list ended after 1000 of totalRows 5000 rows") {
		t.Errorf("err = %v", err)
	}
	if p.requests != 5 {
		t.Errorf("%d requests, want 5", p.requests)
	}
}

// Exact duplicate rows, within a page or across pages, are counted once
// and logged at debug; rows that differ in any field are all kept.
func TestExactDuplicateRowsCountedOnce(t *testing.T) {
	page1 := make([]string, pageSize)
	for i := range page1 {
		page1[i] = creditRow(i + 1)
	}
	page1[1] = page1[0]
	p := &pager{page: func(n int) string {
		rows := page1
		if n == 2 {
			rows = []string{creditRow(5000), creditRow(3), `{"memberNo":"1","credit":{"discountNo":"3","remainingCredit":2}}`}
		}
		return fmt.Sprintf(`{"getCreditHistoryListResponse":{"returnCode":"0","totalRows":%d,"creditHistoryList":[%s]}}`, pageSize+3, strings.Join(rows, ",\n"))
	}}
	var logs bytes.Buffer
	c := pagerClient(t, p, Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	credits, err := c.CreditHistory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, cr := range credits {
		count[string(cr.Credit.DiscountNo)]++
	}
	if len(credits) != pageSize+1 || count["1"] != 1 || count["2"] != 0 || count["3"] != 2 || count["5000"] != 1 {
		t.Errorf("%d credits; discount 1: %d, 3: %d, 5000: %d", len(credits), count["1"], count["3"], count["5000"])
	}
	if !strings.Contains(logs.String(), `msg="Dropped exact duplicate rows" action=getCreditHistoryList duplicates=2 rows=1003`) {
		t.Errorf("log: %s", logs.String())
	}
}

// An explicitly empty list is a valid, empty success.
func TestEmptyListIsSuccess(t *testing.T) {
	p := &pager{page: func(int) string { return creditBody(0, 0, 0) }}
	credits, err := pagerClient(t, p, Options{}).CreditHistory(context.Background())
	if err != nil || len(credits) != 0 {
		t.Errorf("%d credits, err %v", len(credits), err)
	}
}

// A demand list may end short of its totalRows within its last page (the
// vendor's sample does), but never with a page missing or cut short before it.
func TestDemandShortLastPage(t *testing.T) {
	row := func(i int) string {
		return fmt.Sprintf(`{"memberNo":"1","demandMonth":"202212","productDemandType":{"code":"P%d"},"demandAmount":1}`, i)
	}
	body := func(total, first, n int) string {
		rows := make([]string, n)
		for i := range rows {
			rows[i] = row(first + i)
		}
		return fmt.Sprintf(`{"getProductDemandCostByDiscountListResponse":{"returnCode":"0","totalRows":%d,"productDemandCostByDiscountList":[%s]}}`, total, strings.Join(rows, ","))
	}
	for _, tc := range []struct {
		name  string
		page  func(int) string
		rows  int
		error string
	}{
		{"one page short", func(int) string { return body(2, 1, 1) }, 1, ""},
		{"last page short", func(n int) string { return body(1500, (n-1)*pageSize, min(pageSize, 1400-(n-1)*pageSize)) }, 1400, ""},
		{"empty later page", func(n int) string {
			if n == 1 {
				return body(2500, 0, pageSize)
			}
			return body(2500, n*pageSize, pageSize*(n%2))
		}, 0, "the list ended after 2000 of totalRows 2500 rows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &pager{page: tc.page}
			rows, err := pagerClient(t, p, Options{}).DemandCost(context.Background(), Month{2022, 12}, Month{2022, 12})
			if tc.error != "" {
				if err == nil || !strings.Contains(err.Error(), tc.error) {
					t.Errorf("err = %v, want %q", err, tc.error)
				}
				return
			}
			if err != nil || len(rows) != tc.rows {
				t.Errorf("%d rows, err %v; want %d", len(rows), err, tc.rows)
			}
		})
	}
}

// A gateway that ignores pageNo answers page 1 again: the repeated rows are
// duplicates, and counting them would pass half the list as complete.
func TestIgnoredPageNoIsAnError(t *testing.T) {
	p := &pager{page: func(int) string { return creditBody(2*pageSize, 1, pageSize) }}
	_, err := pagerClient(t, p, Options{}).CreditHistory(context.Background())
	if err == nil || !strings.Contains(err.Error(), "page 2 repeats 1000 rows already read instead of the next ones") {
		t.Errorf("err = %v", err)
	}
	if p.requests != 2 {
		t.Errorf("%d requests, want 2", p.requests)
	}
}

// Pages are decoded by at most as many as there are requests in flight,
// leaving one CPU free, and always by one at least.
func TestDecodeSlots(t *testing.T) {
	for _, tc := range []struct{ maxConcurrency, procs, want int }{
		{4, 1, 1}, {4, 2, 1}, {4, 3, 2}, {4, 8, 4}, {1, 8, 1}, {16, 64, 16},
	} {
		if got := decodeSlots(tc.maxConcurrency, tc.procs); got != tc.want {
			t.Errorf("decodeSlots(%d, %d) = %d, want %d", tc.maxConcurrency, tc.procs, got, tc.want)
		}
	}
}

// A list's pages wait for the decode slots until every page of it has
// arrived; from then on the spare slots decode too (one CPU fewer than
// the process has, up to max_concurrency), and never more.
func TestSpareDecodeSlotsOnceAllPagesArrived(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := &Client{decodes: make(chan struct{}, 1), spare: make(chan struct{}, 1)}
		ctx := context.Background()
		allIn := make(chan struct{})
		var got sync.WaitGroup
		decoding := 0
		var mu sync.Mutex
		take := func() func() {
			release, err := c.decodeSlot(ctx, allIn)
			if err != nil {
				t.Error(err)
				return func() {}
			}
			mu.Lock()
			decoding++
			mu.Unlock()
			return func() {
				mu.Lock()
				decoding--
				mu.Unlock()
				release()
			}
		}
		first := take()
		var releases []func()
		for range 2 {
			got.Go(func() {
				r := take()
				mu.Lock()
				releases = append(releases, r)
				mu.Unlock()
			})
		}
		synctest.Wait()
		if decoding != 1 {
			t.Fatalf("%d decoding before every page arrived, want 1", decoding)
		}
		close(allIn)
		synctest.Wait()
		if decoding != 2 {
			t.Fatalf("%d decoding once every page arrived, want 2 (the slot and the spare)", decoding)
		}
		first()
		got.Wait()
		if decoding != 2 {
			t.Errorf("%d decoding after a release, want 2", decoding)
		}
		for _, r := range releases {
			r()
		}
		if len(c.decodes)+len(c.spare) != 0 {
			t.Errorf("%d slots still taken", len(c.decodes)+len(c.spare))
		}
	})
}

// Spare decode slots are what the CPUs leave beside the decode slots, up
// to max_concurrency: none when every CPU already has one.
func TestSpareDecodeSlots(t *testing.T) {
	for _, tc := range []struct{ maxConcurrency, procs, spare int }{
		{4, 1, 0}, {4, 2, 1}, {4, 3, 1}, {4, 8, 0}, {1, 8, 0}, {2, 2, 1},
	} {
		if spare := spareSlots(tc.maxConcurrency, tc.procs); spare != tc.spare {
			t.Errorf("spareSlots(%d, %d) = %d, want %d", tc.maxConcurrency, tc.procs, spare, tc.spare)
		}
	}
}

// xmlCreditPage is a page of rows first..first+n-1 in XML, with a
// totalRows element of every value of before ahead of the list and of
// after behind it.
func xmlCreditPage(before, after []int, first, n int) string {
	var b strings.Builder
	b.WriteString("<getCreditHistoryListResponse><returnCode>0</returnCode>")
	for _, t := range before {
		fmt.Fprintf(&b, "<totalRows>%d</totalRows>", t)
	}
	b.WriteString("<creditHistoryList>")
	for i := range n {
		fmt.Fprintf(&b, "<creditHistory><memberNo>1</memberNo><credit><discountNo>%d</discountNo></credit></creditHistory>", first+i)
	}
	b.WriteString("</creditHistoryList>")
	for _, t := range after {
		fmt.Fprintf(&b, "<totalRows>%d</totalRows>", t)
	}
	b.WriteString("</getCreditHistoryListResponse>")
	return b.String()
}

// The other pages are asked for as soon as page 1 has told its totalRows,
// not once its rows are turned into series; when page 1's rows turn out
// malformed, the refresh fails with page 1's error and nothing is left
// waiting.
func TestPagesRequestedOnPageOnesTotal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const work = 30 * time.Millisecond
		var mu sync.Mutex
		asked := map[int]time.Duration{}
		start := time.Now()
		p := &pager{delay: 100 * time.Millisecond, page: func(n int) string {
			return xmlCreditPage([]int{3000}, nil, (n-1)*pageSize+1, pageSize)
		}}
		p.onRequest = func(n int) {
			mu.Lock()
			defer mu.Unlock()
			asked[n] = time.Since(start)
		}
		c := pagerClient(t, p, Options{MaxConcurrency: 4})
		err := c.EachCredit(context.Background(), func([]CreditHistory) error { time.Sleep(work); return nil })
		if err != nil {
			t.Fatal(err)
		}
		if asked[2] != p.delay || asked[3] != p.delay || time.Since(start) != 2*p.delay+2*work {
			t.Errorf("pages asked for at %v, the list read in %s; want pages 2 and 3 at %s, in %s", asked, time.Since(start), p.delay, 2*p.delay+2*work)
		}

		p.page = func(n int) string {
			body := xmlCreditPage([]int{3000}, nil, (n-1)*pageSize+1, pageSize)
			if n == 1 {
				return strings.Replace(body, "</credit></creditHistory>", "</creditHistory></credit>", 1)
			}
			return body
		}
		p.requests = 0
		if _, err := c.CreditHistory(context.Background()); err == nil || !strings.Contains(err.Error(), "page 1: malformed XML") {
			t.Fatalf("err = %v", err)
		}
		if p.requests > 3 {
			t.Errorf("%d requests for 3 pages", p.requests)
		}
	})
}

// A page 1 that tells two totalRows, one before its rows and one after,
// is refused: the pages asked for on the first are not the list the
// second describes.
func TestPageOneChangingItsTotal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &pager{page: func(n int) string {
			return xmlCreditPage([]int{3000}, []int{1000}, (n-1)*pageSize+1, pageSize)
		}}
		_, err := pagerClient(t, p, Options{}).CreditHistory(context.Background())
		if err == nil || !strings.Contains(err.Error(), "page 1 gives totalRows 3000, then 1000") {
			t.Errorf("err = %v", err)
		}
	})
}

// decodePageEarly hands the header over once, in XML before the rows are
// read (a malformed row after totalRows still leaves it called), and after
// decoding otherwise.
func TestDecodePageEarly(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		calls      int
		total      float64
	}{
		{"xml, malformed row", strings.Replace(xmlCreditPage([]int{2}, nil, 1, 2), "<memberNo>1</memberNo>", "<memberNo>1</member>", 1), 1, 2},
		{"xml, totalRows after the rows", xmlCreditPage(nil, []int{2}, 1, 2), 1, 2},
		{"json", creditBody(2, 1, 2), 1, 2},
		{"json, malformed", creditBody(2, 1, 2)[:40], 0, 0},
	} {
		calls, total := 0, 0.0
		_, _ = decodePageEarly(ActionCreditHistory, creditList, []byte(tc.body), func(h header) { calls, total = calls+1, h.TotalRows.Value })
		if calls != tc.calls || total != tc.total {
			t.Errorf("%s: early called %d times with totalRows %v; want %d, %v", tc.name, calls, total, tc.calls, tc.total)
		}
	}
}

// When page 1 fails, the pages asked for meanwhile are neither decoded nor
// handed on, whichever way they race with the failure.
func TestPageOneFailingStopsTheOthers(t *testing.T) {
	for range 20 {
		synctest.Test(t, func(t *testing.T) {
			p := &pager{delay: 100 * time.Millisecond, page: fullPages(3 * pageSize)}
			calls := 0
			err := pagerClient(t, p, Options{MaxConcurrency: 4}).EachCredit(context.Background(), func([]CreditHistory) error {
				calls++
				if calls == 1 {
					time.Sleep(150 * time.Millisecond) // pages 2 and 3 arrive meanwhile
					return fmt.Errorf("refused")
				}
				return nil
			})
			if err == nil || !strings.Contains(err.Error(), "refused") || calls != 1 {
				t.Fatalf("err = %v after %d calls; want page 1's error after 1", err, calls)
			}
		})
	}
}

// A totalRows too large for any number of pages is refused like any other
// over max_pages, not taken for a list of one page.
func TestHugeTotalRowsRefused(t *testing.T) {
	for _, total := range []string{"1e22", "9.3e21", "1e300"} {
		p := &pager{page: func(int) string {
			rows := make([]string, pageSize)
			for i := range rows {
				rows[i] = fmt.Sprintf(`{"memberNo":"1","demandMonth":"202611","productDemandType":{"code":"P%d"}}`, i)
			}
			return `{"getProductDemandCostByDiscountListResponse":{"returnCode":"0","totalRows":` + total +
				`,"productDemandCostByDiscountList":[` + strings.Join(rows, ",") + `]}}`
		}}
		m := MonthOf(time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC))
		err := pagerClient(t, p, Options{}).EachDemandCost(context.Background(), m, m, func([]ProductDemandCost) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "more than max_pages") || p.requests != 1 {
			t.Errorf("totalRows %s: err = %v after %d requests", total, err, p.requests)
		}
	}
}

// Pages that tell another totalRows than page 1 describe another list
// (rows came or went between the requests): an error, not a list that
// happens to add up.
func TestPagesChangingTotalRows(t *testing.T) {
	p := &pager{page: func(n int) string {
		if n == 1 {
			return creditBody(2*pageSize, 1, pageSize)
		}
		return creditBody(2*pageSize+1, pageSize, pageSize) // one row inserted ahead: page 2 repeats row 1000
	}}
	_, err := pagerClient(t, p, Options{}).CreditHistory(context.Background())
	if err == nil || !strings.Contains(err.Error(), "page 2 gives totalRows 2001, page 1 2000") {
		t.Errorf("err = %v", err)
	}
}
