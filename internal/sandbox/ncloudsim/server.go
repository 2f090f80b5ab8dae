package ncloudsim

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configures a Server.
type Options struct {
	Now             func() time.Time // clock for the signature timestamp window; nil = time.Now
	PathPrefix      string           // "" = "/billing/v1"
	MaxDemandMonths int              // longest startMonth..endMonth span (inclusive months) for the demand op; 0 = 3
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
	faults   map[statKey]Fault
	stats    stats
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
		faults:          map[statKey]Fault{},
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
	slot := s.arrive()
	req := Request{AccessKey: r.Header.Get(headerAccessKey), Action: r.URL.Path, Arrived: time.Now()}
	resp := s.handle(r, &req)
	if resp == nil { // the client gave up while a fault held the request
		return
	}
	req.Status, req.Answered = resp.status, time.Now()
	s.answered(slot, req)
	if resp.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", "GET, POST")
	}
	w.Header().Set("Content-Type", resp.contentType)
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body) // the client may be gone; nothing to do about it
}

func (s *Server) handle(r *http.Request, req *Request) *response {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return gatewayError(http.StatusMethodNotAllowed, "100", "Bad Request Exception", "method "+r.Method+" is not allowed")
	}
	action, routed := strings.CutPrefix(r.URL.Path, s.prefix+"/discount/")
	op, ok := operations[action]
	if !routed || !ok {
		return gatewayError(http.StatusNotFound, "300", "Not Found Exception", "no API at this path")
	}
	req.Action = action
	acc, reason := s.authenticate(r)
	if acc == nil {
		return gatewayError(http.StatusUnauthorized, "200", "Authentication Failed", reason)
	}

	s.enter(req.AccessKey, action)
	defer s.leave(req.AccessKey, action)
	if resp, done := s.applyFault(r.Context(), req.AccessKey, action); done {
		return resp
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
	pg, aerr := op.run(s, acc, p)
	if aerr != nil {
		return businessError(aerr)
	}
	return op.render(action, acc.data.Samples, p, pg)
}

// applyFault delays or replaces the answer as SetFault asked; done means the
// returned response (nil if the client gave up) is final.
func (s *Server) applyFault(ctx context.Context, key, action string) (resp *response, done bool) {
	f := s.faultFor(key, action)
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return nil, true
		}
	}
	if f.Hang {
		<-ctx.Done()
		return nil, true
	}
	if f.Status != 0 {
		return &response{status: f.Status, contentType: sniffContentType(f.Body), body: []byte(f.Body)}, true
	}
	return nil, false
}

func sniffContentType(body string) string {
	switch t := strings.TrimSpace(body); {
	case strings.HasPrefix(t, "{") || strings.HasPrefix(t, "["):
		return contentJSON
	case strings.HasPrefix(t, "<"):
		return contentXML
	}
	return "text/plain;charset=UTF-8"
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
