package vgpsim

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/billingexporter/billing_exporter/internal/sandbox/fault"
)

// Path is the endpoint's path on its API Gateway host.
const Path = "/PaymentListForThirdParty"

// Business status codes of the vendor's error table.
const (
	StatusOK          = "3000"
	StatusWrongCaller = "3100" // "Wrong Caller"
	StatusNotMember   = "3200" // "Not Member"
	StatusNoAsset     = "3300" // "No Asset Information"
	StatusUnhandled   = "3400" // "Unhandled Error"
)

var statusMessages = map[string]string{
	StatusWrongCaller: "Wrong Caller",
	StatusNotMember:   "Not Member",
	StatusNoAsset:     "No Asset Information",
	StatusUnhandled:   "Unhandled Error",
}

const maxBody = 1 << 20

// Server is the fake API; it is an http.Handler and safe for concurrent use.
type Server struct {
	mu      sync.Mutex
	members []Member             // a later AddMember wins on a shared key
	faults  *fault.Table[string] // by Email or normalized PhoneNumber; "" = every request
	reqs    []Request
}

// Request is what the server saw of one request.
type Request struct {
	Time                       time.Time
	Method, Path               string
	Email, PhoneNumber, Caller string // decoded body fields; empty if absent or undecodable
	Status                     string // business status answered; "" for 404, 405 and faults
}

// Fault makes the server misbehave; see package fault.
type Fault = fault.Fault

// New returns a server without members.
func New() *Server { return &Server{faults: fault.NewTable[string]()} }

// AddMember registers m.
func (s *Server) AddMember(m Member) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.members = append(s.members, m)
}

// SetFault installs f for requests naming key as Email or PhoneNumber
// ("" = every request; a keyed fault wins over it, the Email's over the
// PhoneNumber's). The zero Fault clears. A fault with Times applies to that
// many requests, then clears itself.
func (s *Server) SetFault(key string, f Fault) { s.faults.Set(normPhone(key), f) }

// Calls is the number of requests received, on any path.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

// Requests returns the requests received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reqs)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	idx := s.record(Request{Time: time.Now(), Method: r.Method, Path: r.URL.Path})
	switch {
	case r.URL.Path != Path:
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	case r.Method != http.MethodPost:
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": "Method Not Allowed"})
		return
	}
	req, ok := decode(http.MaxBytesReader(w, r.Body, maxBody))
	s.update(idx, func(rec *Request) { rec.Email, rec.PhoneNumber, rec.Caller = req.Email, req.PhoneNumber, req.Caller })
	if _, done := s.fault(req).Apply(w, r); done {
		return
	}
	status, body := s.answer(req, ok)
	s.update(idx, func(rec *Request) { rec.Status = status })
	writeRaw(w, http.StatusOK, body)
}

// answer returns the business status and the body for a decoded request.
func (s *Server) answer(req Request, decoded bool) (string, []byte) {
	if !decoded || (req.Email == "" && req.PhoneNumber == "") {
		return StatusUnhandled, errorBody(StatusUnhandled)
	}
	if req.Caller == "" {
		return StatusWrongCaller, errorBody(StatusWrongCaller)
	}
	m, found := s.lookup(req.Email, req.PhoneNumber)
	switch {
	case !found:
		return StatusNotMember, errorBody(StatusNotMember)
	case !m.accepts(req.Caller):
		return StatusWrongCaller, errorBody(StatusWrongCaller)
	case m.Records == nil:
		return StatusNoAsset, errorBody(StatusNoAsset)
	}
	if b := m.verbatimBody(); b != nil {
		return StatusOK, b
	}
	var status any = StatusOK
	if m.NumericStatus {
		status = 3000
	}
	return StatusOK, mustMarshal(envelope{status, m.items(req.Caller)})
}

func (s *Server) lookup(email, phone string) (Member, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.members) - 1; i >= 0; i-- {
		if s.members[i].matches(email, phone) {
			return s.members[i], true
		}
	}
	return Member{}, false
}

// fault takes the fault for req: its Email's, its PhoneNumber's, then the
// global one. An absent field must not pick the global fault before the other.
func (s *Server) fault(req Request) Fault {
	keys := make([]string, 0, 3)
	for _, k := range []string{req.Email, normPhone(req.PhoneNumber)} {
		if k != "" {
			keys = append(keys, k)
		}
	}
	return s.faults.Take(append(keys, "")...)
}

func (s *Server) record(r Request) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, r)
	return len(s.reqs) - 1
}

func (s *Server) update(idx int, f func(*Request)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.reqs[idx])
}

// decode reads the body strictly: a JSON object whose known keys (exact case,
// as the vendor spells them) hold strings or null. Unknown keys are ignored.
func decode(body io.Reader) (Request, bool) {
	b, err := io.ReadAll(body)
	if err != nil {
		return Request{}, false
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || raw == nil {
		return Request{}, false
	}
	var req Request
	for key, dst := range map[string]*string{"Email": &req.Email, "PhoneNumber": &req.PhoneNumber, "Caller": &req.Caller} {
		if v, ok := raw[key]; ok {
			var p *string
			if err := json.Unmarshal(v, &p); err != nil {
				return Request{}, false
			}
			if p != nil {
				*dst = *p
			}
		}
	}
	return req, true
}

// envelope is every answer of the endpoint; "status" is a string or a number.
type envelope struct {
	Status   any `json:"status"`
	Response any `json:"response"`
}

func errorBody(status string) []byte {
	return mustMarshal(envelope{status, statusMessages[status]})
}

func writeJSON(w http.ResponseWriter, code int, v any) { writeRaw(w, code, mustMarshal(v)) }

func writeRaw(w http.ResponseWriter, code int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

// mustMarshal encodes values built here from strings, which cannot fail.
func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("vgpsim: " + err.Error())
	}
	return b
}
