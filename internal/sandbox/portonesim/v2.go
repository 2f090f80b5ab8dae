package portonesim

import (
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/billingexporter/billing_exporter/internal/sandbox/fault"
)

// PathPaymentSchedules is the PortOne V2 schedule list (host api.portone.io).
const PathPaymentSchedules = "/payment-schedules"

// V2 schedule statuses (PaymentSchedule.status). The API may add more.
const (
	V2Scheduled = "SCHEDULED"
	V2Started   = "STARTED"
	V2Pending   = "PENDING"
	V2Succeeded = "SUCCEEDED"
	V2Failed    = "FAILED"
	V2Revoked   = "REVOKED"
)

// V2Options configure a V2Server.
type V2Options struct {
	Now func() time.Time // nil = time.Now; also the default of filter.until
	// MaxPageSize caps page.size silently (0 = no cap), as a server with an
	// undocumented maximum would; the answer's page.size says what was used.
	MaxPageSize int
	// TotalCountIsPageCount makes page.totalCount the number of items on the
	// page instead of the number matching the filter (the schema's wording
	// allows both).
	TotalCountIsPageCount bool
	// EchoCredentials puts the Authorization header a 401 refused into its
	// message, as a careless gateway might; a client must not repeat it.
	EchoCredentials bool
}

// V2Merchant is one V2 API secret and the schedules of its stores.
type V2Merchant struct {
	Secret    string
	Schedules []V2Schedule
}

// V2Schedule is one PaymentSchedule. Times that are zero are left out of
// the answer; the status decides which the API sends (startedAt for STARTED,
// startedAt and completedAt for PENDING, SUCCEEDED and FAILED, revokedAt for
// REVOKED), and the generator follows that.
type V2Schedule struct {
	ID, StoreID, PaymentID, BillingKey, OrderName string
	CustomerID, CustomerName, CustomerEmail       string
	CustomerPhone                                 string
	TotalAmount                                   int64
	Currency, Status                              string
	IsForTest                                     bool
	CreatedAt, TimeToPay                          time.Time
	StartedAt, CompletedAt, RevokedAt             time.Time
}

// V2Request is what the server saw of one request.
type V2Request struct {
	Method, Path string
	Style        string // "query" (requestBody parameter), "body" (JSON body) or "none"
	Body         V2RequestBody
	Status       int
}

// V2RequestBody is the documented request of GET /payment-schedules.
type V2RequestBody struct {
	Page   *V2Page   `json:"page,omitempty"`
	Sort   *V2Sort   `json:"sort,omitempty"`
	Filter *V2Filter `json:"filter,omitempty"`
}

// V2Page is page in a request and in an answer.
type V2Page struct {
	Number     int `json:"number"`
	Size       int `json:"size"`
	TotalCount int `json:"totalCount"`
}

// V2Sort orders the list.
type V2Sort struct {
	By    string `json:"by,omitempty"`    // CREATED_AT | TIME_TO_PAY (default) | COMPLETED_AT | STATUS_TIMESTAMP
	Order string `json:"order,omitempty"` // DESC (default) | ASC
}

// V2Filter narrows the list; From and Until bound timeToPay.
type V2Filter struct {
	StoreID    string     `json:"storeId,omitempty"`
	BillingKey string     `json:"billingKey,omitempty"`
	From       *time.Time `json:"from,omitempty"`
	Until      *time.Time `json:"until,omitempty"`
	Status     []string   `json:"status,omitempty"`
	IsForTest  *bool      `json:"isForTest,omitempty"`
}

// V2Server is a fake of PortOne V2's GET /payment-schedules; it is an
// http.Handler and safe for concurrent use. See the package documentation.
type V2Server struct {
	opts V2Options

	mu        sync.Mutex
	merchants map[string]V2Merchant // by secret
	faults    *fault.Table[string]  // by secret ("" = any)
	reqs      []V2Request
}

// NewV2 returns a V2 server without merchants.
func NewV2(opts V2Options) *V2Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &V2Server{opts: opts, merchants: map[string]V2Merchant{}, faults: fault.NewTable[string]()}
}

// AddMerchant registers m, replacing a merchant with the same secret.
func (s *V2Server) AddMerchant(m V2Merchant) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.merchants[m.Secret] = m
}

// SetFault installs f for the requests of secret ("" = every merchant),
// applied after authentication; the zero Fault clears.
func (s *V2Server) SetFault(secret string, f Fault) { s.faults.Set(secret, f) }

// Requests returns the requests received so far, oldest first.
func (s *V2Server) Requests() []V2Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reqs)
}

// Calls is the number of requests received.
func (s *V2Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

type v2Error struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

func (s *V2Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := V2Request{Method: r.Method, Path: r.URL.Path, Style: "none"}
	sw := &statusWriter{ResponseWriter: w}
	s.serve(sw, r, &req)
	req.Status = sw.status
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	s.mu.Unlock()
}

func (s *V2Server) serve(w http.ResponseWriter, r *http.Request, req *V2Request) {
	if r.URL.Path != PathPaymentSchedules {
		writeJSON(w, http.StatusNotFound, v2Error{"NOT_FOUND", "no API at this path"})
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeJSON(w, http.StatusMethodNotAllowed, v2Error{"METHOD_NOT_ALLOWED", "use GET"})
		return
	}
	auth := r.Header.Get("Authorization")
	secret, scheme := strings.CutPrefix(auth, "PortOne ")
	s.mu.Lock()
	m, known := s.merchants[secret]
	s.mu.Unlock()
	if !scheme || !known {
		msg := "invalid or missing API secret"
		if s.opts.EchoCredentials {
			msg += ": Authorization=" + auth
		}
		writeJSON(w, http.StatusUnauthorized, v2Error{"UNAUTHORIZED", msg})
		return
	}
	if _, done := s.faults.Take(secret, "").Apply(w, r); done {
		return
	}
	body, style, problem := readV2Body(r)
	req.Style, req.Body = style, body
	if problem != "" {
		writeJSON(w, http.StatusBadRequest, v2Error{"INVALID_REQUEST", problem})
		return
	}
	items, pg, problem := s.list(m, body)
	if problem != "" {
		writeJSON(w, http.StatusBadRequest, v2Error{"INVALID_REQUEST", problem})
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Items []v2Item `json:"items"`
		Page  V2Page   `json:"page"`
	}{items, pg})
}

// readV2Body reads the request from the requestBody query parameter (what
// the official SDKs send) or from a JSON body; both at once is refused.
func readV2Body(r *http.Request) (V2RequestBody, string, string) {
	var b V2RequestBody
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	q, inQuery := r.URL.Query()["requestBody"]
	raw = bytes.TrimSpace(raw)
	switch {
	case inQuery && len(raw) > 0:
		return b, "query", "requestBody given both as a query parameter and as the body"
	case inQuery:
		raw = []byte(q[0])
		if err := json.Unmarshal(raw, &b); err != nil {
			return b, "query", "requestBody is not valid JSON"
		}
		return b, "query", ""
	case len(raw) > 0:
		if err := json.Unmarshal(raw, &b); err != nil {
			return b, "body", "body is not valid JSON"
		}
		return b, "body", ""
	}
	return b, "none", ""
}

// list applies the documented defaults: page 0 of size 10, until = now,
// from = until - 90 days (so a request without until sees no future
// schedule), sorted by TIME_TO_PAY DESC. timeToPay must lie in [from, until).
func (s *V2Server) list(m V2Merchant, b V2RequestBody) ([]v2Item, V2Page, string) {
	pg := V2Page{Size: 10}
	if b.Page != nil {
		pg.Number, pg.Size = b.Page.Number, b.Page.Size
	}
	if pg.Number < 0 || pg.Size < 1 {
		return nil, pg, "page.number must be >= 0 and page.size >= 1"
	}
	if s.opts.MaxPageSize > 0 {
		pg.Size = min(pg.Size, s.opts.MaxPageSize)
	}
	f := V2Filter{}
	if b.Filter != nil {
		f = *b.Filter
	}
	until := s.opts.Now()
	if f.Until != nil {
		until = *f.Until
	}
	from := until.Add(-90 * 24 * time.Hour)
	if f.From != nil {
		from = *f.From
	}
	for _, st := range f.Status {
		if !slices.Contains([]string{V2Scheduled, V2Started, V2Pending, V2Succeeded, V2Failed, V2Revoked}, st) {
			return nil, pg, "unknown status " + st
		}
	}
	var match []V2Schedule
	for _, sc := range m.Schedules {
		if (f.StoreID == "" || sc.StoreID == f.StoreID) && (f.BillingKey == "" || sc.BillingKey == f.BillingKey) &&
			(len(f.Status) == 0 || slices.Contains(f.Status, sc.Status)) && (f.IsForTest == nil || *f.IsForTest == sc.IsForTest) &&
			!sc.TimeToPay.Before(from) && sc.TimeToPay.Before(until) {
			match = append(match, sc)
		}
	}
	by, order := "TIME_TO_PAY", "DESC"
	if b.Sort != nil {
		by, order = cmp.Or(b.Sort.By, by), cmp.Or(b.Sort.Order, order)
	}
	key := map[string]func(V2Schedule) time.Time{
		"TIME_TO_PAY":      func(s V2Schedule) time.Time { return s.TimeToPay },
		"CREATED_AT":       func(s V2Schedule) time.Time { return s.CreatedAt },
		"COMPLETED_AT":     func(s V2Schedule) time.Time { return s.CompletedAt },
		"STATUS_TIMESTAMP": statusTime,
	}[by]
	if key == nil || order != "ASC" && order != "DESC" {
		return nil, pg, "unknown sort " + by + " " + order
	}
	slices.SortStableFunc(match, func(a, b V2Schedule) int {
		c := key(a).Compare(key(b))
		if c == 0 {
			c = strings.Compare(a.ID, b.ID)
		}
		if order == "DESC" {
			c = -c
		}
		return c
	})
	first := min(pg.Number*pg.Size, len(match))
	onPage := match[first:min(first+pg.Size, len(match))]
	items := make([]v2Item, len(onPage))
	for i, sc := range onPage {
		items[i] = itemOf(sc)
	}
	pg.TotalCount = len(match)
	if s.opts.TotalCountIsPageCount {
		pg.TotalCount = len(items)
	}
	return items, pg, ""
}

// statusTime is when the schedule last changed status.
func statusTime(s V2Schedule) time.Time {
	t := s.CreatedAt
	for _, u := range []time.Time{s.StartedAt, s.CompletedAt, s.RevokedAt} {
		if u.After(t) {
			t = u
		}
	}
	return t
}

// v2Item is a PaymentSchedule as the API writes it.
type v2Item struct {
	Status      string     `json:"status"`
	ID          string     `json:"id"`
	MerchantID  string     `json:"merchantId"`
	StoreID     string     `json:"storeId"`
	PaymentID   string     `json:"paymentId"`
	BillingKey  string     `json:"billingKey"`
	OrderName   string     `json:"orderName"`
	IsCultural  bool       `json:"isCulturalExpense"`
	IsEscrow    bool       `json:"isEscrow"`
	Customer    v2Customer `json:"customer"`
	CustomData  string     `json:"customData"`
	TotalAmount int64      `json:"totalAmount"`
	Currency    string     `json:"currency"`
	NoticeURLs  []string   `json:"noticeUrls"`
	CreatedAt   string     `json:"createdAt"`
	TimeToPay   string     `json:"timeToPay"`
	StartedAt   string     `json:"startedAt,omitempty"`
	CompletedAt string     `json:"completedAt,omitempty"`
	RevokedAt   string     `json:"revokedAt,omitempty"`
}

type v2Customer struct {
	ID   string `json:"id,omitempty"`
	Name struct {
		Full string `json:"full,omitempty"`
	} `json:"name"`
	Email       string `json:"email,omitempty"`
	PhoneNumber string `json:"phoneNumber,omitempty"`
}

func itemOf(s V2Schedule) v2Item {
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	it := v2Item{
		Status: s.Status, ID: s.ID, MerchantID: "merchant-" + s.StoreID, StoreID: s.StoreID, PaymentID: s.PaymentID,
		BillingKey: s.BillingKey, OrderName: s.OrderName, TotalAmount: s.TotalAmount, Currency: s.Currency,
		NoticeURLs: []string{}, CreatedAt: ts(s.CreatedAt), TimeToPay: ts(s.TimeToPay),
		StartedAt: ts(s.StartedAt), CompletedAt: ts(s.CompletedAt), RevokedAt: ts(s.RevokedAt),
	}
	it.Customer.ID, it.Customer.Email, it.Customer.PhoneNumber = s.CustomerID, s.CustomerEmail, s.CustomerPhone
	it.Customer.Name.Full = s.CustomerName
	return it
}
