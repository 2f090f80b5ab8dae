package vgpsim

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Member is a Genohub member as the API looks it up.
type Member struct {
	Email, PhoneNumber string   // lookup keys; PhoneNumber with or without a leading '+'
	Callers            []string // accepted Caller values; empty = defaultCallers
	Records            []Record // payment history; nil = status 3300, empty = "response": []
	NumericStatus      bool     // success "status" as the number 3000 (sibling endpoints' samples); errors stay strings

	verbatim []byte // seed body served while Records still equal the seed's
}

// Record is one payment of a member, with amounts as the API's decimal strings.
type Record struct {
	Timestamp      time.Time
	Balance, Usage string // e.g. "100", "8.5"
	Status         string // "PAID" or "Canceled"
	PID, StoreInfo string
}

// The two Caller values the vendor documents show.
var defaultCallers = []string{"Vroomgo", "Genohub"}

// item is one element of a success response, fields in the vendor sample's order.
type item struct {
	Timestamp   string `json:"Timestamp"`
	VGPBalance  string `json:"VGPBalance"`
	PhoneNumber string `json:"PhoneNumber"`
	VGPUsage    string `json:"VGPUsage"`
	Caller      string `json:"Caller"`
	Status      string `json:"Status"`
	PID         string `json:"PID"`
	StoreInfo   string `json:"StoreInfo"`
	Email       string `json:"Email"`
}

func normPhone(p string) string { return strings.TrimPrefix(p, "+") }

func (m *Member) matches(email, phone string) bool {
	return (email != "" && email == m.Email) ||
		(phone != "" && normPhone(phone) == normPhone(m.PhoneNumber))
}

func (m *Member) accepts(caller string) bool {
	callers := m.Callers
	if len(callers) == 0 {
		callers = defaultCallers
	}
	return slices.Contains(callers, caller)
}

// items renders the records as the API does: every value a string and the
// phone number with a '+' prefix.
func (m *Member) items(caller string) []item {
	out := make([]item, 0, len(m.Records))
	for _, r := range m.Records {
		out = append(out, item{
			Timestamp:   strconv.FormatInt(r.Timestamp.Unix(), 10),
			VGPBalance:  r.Balance,
			PhoneNumber: "+" + normPhone(m.PhoneNumber),
			VGPUsage:    r.Usage,
			Caller:      caller,
			Status:      r.Status,
			PID:         r.PID,
			StoreInfo:   r.StoreInfo,
			Email:       m.Email,
		})
	}
	return out
}
