package ncloudsim

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/billingexporter/billing_exporter/internal/sandbox/fault"
)

// Options configures a Server.
type Options struct {
	Now             func() time.Time // clock for the signature timestamp window; nil = time.Now
	PathPrefix      string           // "" = "/billing/v1"
	MaxDemandMonths int              // longest startMonth..endMonth span (inclusive months) for the demand op; 0 = 3
	// ReuseResponses renders each distinct successful answer (same account,
	// action and parameters) once and serves the same bytes, requestId
	// included, from then on. Rendering a page of 1000 credits costs tens of
	// milliseconds, which a benchmark of the client on the same machine
	// would otherwise measure (see bench/). Authentication, faults and the
	// statistics work as without it.
	ReuseResponses bool
}

// Account is an API key pair and the data it can see.
type Account struct {
	AccessKey, SecretKey string
	Data                 Data
}

// Server is an http.Handler serving the NCP billing discount API.
type Server struct {
	now             func() time.Time
	prefix          string
	maxDemandMonths int

	mu       sync.Mutex
	accounts map[string]*account
	faults   *fault.Table[statKey]
	stats    stats
	rendered map[string]*response // by account, action and parameters; nil unless ReuseResponses
}

// account is an Account as served; it is never modified once stored.
type account struct {
	secret    string
	data      Data
	discounts []Discount // derived once for getDiscountList
}

// New returns a Server without accounts.
func New(opts Options) *Server {
	s := &Server{
		now:             opts.Now,
		prefix:          strings.TrimRight(opts.PathPrefix, "/"),
		maxDemandMonths: opts.MaxDemandMonths,
		accounts:        map[string]*account{},
		faults:          fault.NewTable[statKey](),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if opts.PathPrefix == "" {
		s.prefix = "/billing/v1"
	}
	if s.maxDemandMonths <= 0 {
		s.maxDemandMonths = 3
	}
	if opts.ReuseResponses {
		s.rendered = map[string]*response{}
	}
	s.stats.reset()
	return s
}

// AddAccount adds a, replacing an account with the same AccessKey. The Server
// keeps a.Data's slices: do not modify them afterwards.
func (s *Server) AddAccount(a Account) {
	acc := &account{secret: a.SecretKey, data: a.Data, discounts: deriveDiscounts(a.Data)}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts[a.AccessKey] = acc
	if s.rendered != nil {
		clear(s.rendered) // answers of a replaced account must not outlive it
	}
}

// response is a complete answer, built before anything is written so that the
// statistics are final by the time the client sees the response.
type response struct {
	status      int
	contentType string
	body        []byte
}

const (
	contentJSON = "application/json;charset=UTF-8"
	contentXML  = "application/xml;charset=UTF-8"
)

// ServeHTTP answers one API call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x := &exchange{ResponseWriter: w, s: s, slot: s.arrive()}
	x.req = Request{AccessKey: r.Header.Get(headerAccessKey), Action: r.URL.Path, Arrived: time.Now()}
	defer x.finish(0) // no answer (hang, reset, client gone): leave without logging
	resp := s.handle(x, r)
	if resp == nil { // a fault answered, or the client gave up while it held the request
		return
	}
	if resp.status == http.StatusMethodNotAllowed {
		x.Header().Set("Allow", "GET, POST")
	}
	x.Header().Set("Content-Type", resp.contentType)
	x.WriteHeader(resp.status)
	_, _ = x.Write(resp.body) // the client may be gone; nothing to do about it
}

// handle returns the answer to r, or nil when a fault already finished it.
func (s *Server) handle(x *exchange, r *http.Request) *response {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return gatewayError(http.StatusMethodNotAllowed, "100", "Bad Request Exception", "method "+r.Method+" is not allowed")
	}
	op, action, ok := route(strings.TrimPrefix(r.URL.Path, s.prefix))
	if !ok || !strings.HasPrefix(r.URL.Path, s.prefix+"/") {
		return gatewayError(http.StatusNotFound, "300", "Not Found Exception", "no API at this path")
	}
	req := &x.req
	req.Action = action
	acc, reason := s.authenticate(r)
	if acc == nil {
		return gatewayError(http.StatusUnauthorized, "200", "Authentication Failed", reason)
	}

	s.enter(req.AccessKey, action)
	x.entered = true
	f := s.faults.Take(statKey{req.AccessKey, action}, statKey{req.AccessKey, ""}, statKey{"", action}, statKey{"", ""})
	if _, done := f.Apply(x, r); done {
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return businessError(badParam("unreadable parameters"))
	}
	p, aerr := parseParams(r.Form)
	req.PageNo, req.PageSize, req.Format = p.pageNo, p.pageSize, p.format
	req.Start, req.End = monthTime(p.startMonth), monthTime(p.endMonth)
	if aerr != nil {
		return businessError(aerr)
	}
	key := req.AccessKey + "\x00" + action + "\x00" + r.Form.Encode()
	if resp := s.reused(key); resp != nil {
		return resp
	}
	pg, aerr := op.run(s, acc, p)
	if aerr != nil {
		return businessError(aerr)
	}
	resp := op.render(action, acc.data.Samples, p, pg)
	s.keep(key, resp)
	return resp
}

// reused returns the answer rendered before for key, if ReuseResponses.
func (s *Server) reused(key string) *response {
	if s.rendered == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rendered[key]
}

// keep stores a successful answer for reuse, if ReuseResponses.
func (s *Server) keep(key string, resp *response) {
	if s.rendered == nil || resp.status != http.StatusOK {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rendered[key] = resp
}

// exchange is the ResponseWriter of one request. Its first WriteHeader (or
// Write) makes the statistics final before the client can see the answer,
// whether the Server or a Fault writes it.
type exchange struct {
	http.ResponseWriter
	s        *Server
	slot     logSlot
	req      Request
	entered  bool // counted in Calls and MaxConcurrent, so it must leave
	finished bool
}

func (x *exchange) WriteHeader(code int) {
	x.finish(code)
	x.ResponseWriter.WriteHeader(code)
}

func (x *exchange) Write(b []byte) (int, error) {
	x.finish(http.StatusOK)
	return x.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (Fault.Reset, Truncate).
func (x *exchange) Unwrap() http.ResponseWriter { return x.ResponseWriter }

// finish leaves the in-flight counts and logs the answer with status (0: no
// answer, not logged); only its first call counts.
func (x *exchange) finish(status int) {
	if x.finished {
		return
	}
	x.finished = true
	if x.entered {
		x.s.leave(x.req.AccessKey, x.req.Action)
	}
	if status != 0 {
		x.req.Status, x.req.Answered = status, time.Now()
		x.s.answered(x.slot, x.req)
	}
}

// gatewayError is the API gateway's own error body (api-notes 2.6).
func gatewayError(status int, code, message, details string) *response {
	body, _ := json.Marshal(map[string]any{"error": struct {
		ErrorCode string `json:"errorCode"`
		Message   string `json:"message"`
		Details   string `json:"details"`
	}{code, message, details}})
	return &response{status: status, contentType: contentJSON, body: body}
}

// businessError is the legacy API's error body, pretty-printed like the
// success responses. It is JSON whatever responseFormatType asked for.
func businessError(e *apiError) *response {
	body := renderJSON(obj("responseError", str("returnCode", e.code), str("returnMessage", e.message)))
	return &response{status: http.StatusBadRequest, contentType: contentJSON, body: body}
}

// newRequestID returns a random UUID (version 4 layout).
func newRequestID() string {
	a, b := rand.Uint64(), rand.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x",
		a>>32, a>>16&0xffff, a&0xfff, b>>48&0x3fff|0x8000, b&0xffffffffffff)
}
