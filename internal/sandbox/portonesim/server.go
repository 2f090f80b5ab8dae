package portonesim

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/billingexporter/billing_exporter/internal/sandbox/fault"
)

// Route patterns, as accepted by Calls and SetFault.
const (
	PathToken             = "/users/getToken"
	PathCustomerSchedules = "/subscribe/customers/{customer_uid}/schedules"
	PathRangeSchedules    = "/subscribe/payments/schedule"
)

// Shape is how a schedule list is put in "response".
type Shape int

const (
	ShapePaged Shape = iota // {"total","previous","next","list"}, as the official clients model it
	ShapeArray              // a plain array, as swagger and the vendor document say
)

// Options configure a Server.
type Options struct {
	Now      func() time.Time // nil = time.Now
	PageSize int              // page size of the customer endpoint; 0 = 20
	Shape    Shape
	TokenTTL time.Duration // 0 = 30m
	// ReuseResponses encodes each distinct page of schedules (the same
	// schedules in the same shape; the window moves with the client's clock,
	// so the query alone would not do) once and serves the same bytes from
	// then on. Encoding a page of 1000 schedules costs milliseconds, which a
	// benchmark of the client on the same machine would otherwise measure
	// (see bench/). Tokens, faults and Calls work as without it.
	ReuseResponses bool
}

// Merchant is one PortOne account.
type Merchant struct {
	ImpKey, ImpSecret string
	Schedules         []Schedule
	// Verbatim makes the customer endpoint answer customer_uid "string" (the
	// vendor example's) with the vendor example body byte for byte, whatever
	// the page or status filter; see SeedSchedules.
	Verbatim bool
}

// Request is what the server saw of one request.
type Request struct {
	Time                  time.Time
	Method, Path, Pattern string // Pattern is one of the Path* constants, or "/" for unknown paths
	Query                 url.Values
	Status                int // HTTP status answered; 0 if the request ended without an answer
}

// Server is the fake API; it is an http.Handler and safe for concurrent use.
type Server struct {
	opts Options
	mux  *http.ServeMux

	mu        sync.Mutex
	merchants map[string]Merchant // by ImpKey
	tokens    map[string]*token   // by access token
	current   map[string]string   // ImpKey -> its latest access token
	issued    int
	faults    *fault.Table[faultKey]
	calls     map[string]int // by pattern
	reqs      []Request
	rendered  map[string][]byte // ReuseResponses: encoded pages by pageKey
}

type faultKey struct{ impKey, path string }

// New returns a server without merchants.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.PageSize = cmp.Or(opts.PageSize, 20)
	opts.TokenTTL = cmp.Or(opts.TokenTTL, 30*time.Minute)
	s := &Server{
		opts:      opts,
		mux:       http.NewServeMux(),
		merchants: map[string]Merchant{},
		tokens:    map[string]*token{},
		current:   map[string]string{},
		faults:    fault.NewTable[faultKey](),
		calls:     map[string]int{},
	}
	s.mux.HandleFunc(PathToken, s.getToken)
	s.mux.HandleFunc(PathCustomerSchedules, s.protected(PathCustomerSchedules, s.customerSchedules))
	s.mux.HandleFunc(PathRangeSchedules, s.protected(PathRangeSchedules, s.rangeSchedules))
	s.mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "Not Found")
	})
	return s
}

// AddMerchant registers m, replacing a merchant with the same ImpKey.
func (s *Server) AddMerchant(m Merchant) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.merchants[m.ImpKey] = m
	clear(s.rendered) // answers of a replaced merchant must not outlive it
}

// Fault makes the server misbehave; see package fault.
type Fault = fault.Fault

// SetFault installs f for requests of merchant impKey ("" = any merchant) to
// the route pattern path ("" = every route). The most specific fault wins:
// (key, path), then (key, ""), then ("", path), then ("", ""). The zero Fault
// clears. A fault with Times applies to that many requests, then clears itself.
func (s *Server) SetFault(impKey, path string, f Fault) { s.faults.Set(faultKey{impKey, path}, f) }

// applyFault carries out the fault of (impKey, path) and reports whether it
// finished the request.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, impKey, path string) bool {
	_, done := s.faults.Take(faultKey{impKey, path}, faultKey{impKey, ""}, faultKey{"", path}, faultKey{"", ""}).Apply(w, r)
	return done
}

// Calls is the number of requests that reached the route pattern path, counted
// on arrival; "" counts every request.
func (s *Server) Calls(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if path == "" {
		return len(s.reqs)
	}
	return s.calls[path]
}

// TokensIssued is the number of distinct access tokens handed out.
func (s *Server) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}

// Requests returns the requests received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.reqs)
	for i := range out {
		out[i].Query = cloneValues(out[i].Query)
	}
	return out
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, pattern := s.mux.Handler(r)
	s.mu.Lock()
	s.calls[pattern]++
	s.reqs = append(s.reqs, Request{Time: s.opts.Now(), Method: r.Method, Path: r.URL.Path, Pattern: pattern, Query: r.URL.Query()})
	idx := len(s.reqs) - 1
	s.mu.Unlock()

	// The status is recorded as it is written, not once the handler
	// returns: a client that has seen the answer (or a cut one end) may
	// ask Requests before the handler is back.
	sw := &statusWriter{ResponseWriter: w, record: func(status int) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.reqs[idx].Status = status
	}}
	s.mux.ServeHTTP(sw, r)
}

// protected wraps a GET handler with the method check, authentication and faults.
func (s *Server) protected(pattern string, h func(http.ResponseWriter, *http.Request, Merchant)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !allowMethod(w, r, http.MethodGet) {
			return
		}
		m, ok := s.authenticate(r)
		if !ok {
			writeError(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		if s.applyFault(w, r, m.ImpKey, pattern) {
			return
		}
		h(w, r, m)
	}
}

func allowMethod(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method == method {
		return true
	}
	w.Header().Set("Allow", method)
	writeError(w, http.StatusMethodNotAllowed, "Method Not Allowed")
	return false
}

type statusWriter struct {
	http.ResponseWriter
	status int
	record func(status int) // if set, called once with the first status written
}

func (w *statusWriter) WriteHeader(code int) {
	w.set(code)
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.set(http.StatusOK)
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) set(code int) {
	if w.status == 0 {
		w.status = code
		if w.record != nil {
			w.record(code)
		}
	}
}

// Unwrap lets http.ResponseController reach the connection (Fault.Reset, Truncate).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}
