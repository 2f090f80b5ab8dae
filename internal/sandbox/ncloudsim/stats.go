package ncloudsim

import (
	"slices"
	"time"

	"github.com/billingexporter/billing_exporter/internal/sandbox/fault"
)

// Fault makes the Server misbehave for one account (and action); see
// package fault.
type Fault = fault.Fault

// Request is one answered request, as the Server saw it. Parameters are zero
// when the request failed before they were read (auth, routing).
type Request struct {
	AccessKey  string // as sent in x-ncp-iam-access-key
	Action     string // the action name, or the path when none matched
	PageNo     int
	PageSize   int
	Format     string    // responseFormatType, "xml" when absent
	Start, End time.Time // startMonth/endMonth as the first instant of the month in Seoul
	Status     int
	// Arrived and Answered are wall-clock times, for tests of concurrency.
	Arrived, Answered time.Time
}

// statKey identifies a counter; "" in either field means "all".
type statKey struct{ accessKey, action string }

type stats struct {
	gen      int       // bumped by reset, so requests in flight across it are not logged
	log      []Request // arrival order; Status 0 = not answered
	calls    map[statKey]int
	inFlight map[statKey]int
	peak     map[statKey]int
}

func (st *stats) reset() {
	st.gen++
	st.log = nil
	st.calls = map[statKey]int{}
	st.peak = map[statKey]int{}
	if st.inFlight == nil { // in-flight requests still leave after a reset
		st.inFlight = map[statKey]int{}
	}
}

// counters lists the keys a request of (key, action) counts under.
func counters(key, action string) [4]statKey {
	return [4]statKey{{key, action}, {key, ""}, {"", action}, {"", ""}}
}

// SetFault sets the fault for an account and action ("" = every account or
// every action; the most specific wins: (key, action), (key, ""), ("", action),
// ("", "")). The zero Fault clears it. A fault with
// Times applies to that many requests, then clears itself.
func (s *Server) SetFault(accessKey, action string, f Fault) {
	s.faults.Set(statKey{accessKey, action}, f)
}

// Calls counts requests that reached the action (after auth). "" for the
// access key or the action means all of them.
func (s *Server) Calls(accessKey, action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats.calls[statKey{accessKey, action}]
}

// MaxConcurrent is the highest number of requests of (accessKey, action) in
// flight at once since the last ResetStats; "" means all, as for Calls.
func (s *Server) MaxConcurrent(accessKey, action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats.peak[statKey{accessKey, action}]
}

// Requests returns the answered requests in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.DeleteFunc(slices.Clone(s.stats.log), func(r Request) bool { return r.Status == 0 })
}

// ResetStats clears Calls, MaxConcurrent and Requests.
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.reset()
}

type logSlot struct{ gen, index int }

// arrive reserves the request's place in the log.
func (s *Server) arrive() logSlot {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.log = append(s.stats.log, Request{})
	return logSlot{s.stats.gen, len(s.stats.log) - 1}
}

func (s *Server) answered(slot logSlot, r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if slot.gen == s.stats.gen {
		s.stats.log[slot.index] = r
	}
}

func (s *Server) enter(key, action string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range counters(key, action) {
		s.stats.calls[k]++
		s.stats.inFlight[k]++
		s.stats.peak[k] = max(s.stats.peak[k], s.stats.inFlight[k])
	}
}

func (s *Server) leave(key, action string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range counters(key, action) {
		s.stats.inFlight[k]--
	}
}
