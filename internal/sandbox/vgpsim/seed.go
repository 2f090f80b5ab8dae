package vgpsim

import (
	_ "embed"
	"encoding/json"
	"slices"
	"strconv"
	"time"
)

// seedResponse is the success sample of the vendor document, byte for byte.
//
//go:embed seed_response.json
var seedResponse []byte

// seedRecords are the records of seedResponse, parsed once.
var seedRecords = mustParseSeed()

// SeedMember returns the member of the vendor sample: the request examples'
// PhoneNumber "821041139274" and Email "rlackstjdsla@naver.com" with Caller
// "Vroomgo". Its successful answer is the sample body byte for byte (as long as
// Records is left as returned), with the sample's quirk kept: the items carry
// Email "koreanawesomeguy@gmail.com", not the requested one.
func SeedMember() Member {
	return Member{
		Email:       "rlackstjdsla@naver.com",
		PhoneNumber: "821041139274",
		Callers:     []string{"Vroomgo"},
		Records:     slices.Clone(seedRecords),
		verbatim:    seedResponse,
	}
}

func (m *Member) verbatimBody() []byte {
	if m.verbatim == nil || !slices.Equal(m.Records, seedRecords) {
		return nil
	}
	return m.verbatim
}

func mustParseSeed() []Record {
	var body struct {
		Response []item `json:"response"`
	}
	if err := json.Unmarshal(seedResponse, &body); err != nil {
		panic("vgpsim: embedded seed: " + err.Error())
	}
	recs := make([]Record, 0, len(body.Response))
	for _, it := range body.Response {
		ts, err := strconv.ParseInt(it.Timestamp, 10, 64)
		if err != nil {
			panic("vgpsim: embedded seed timestamp: " + err.Error())
		}
		recs = append(recs, Record{
			Timestamp: time.Unix(ts, 0),
			Balance:   it.VGPBalance,
			Usage:     it.VGPUsage,
			Status:    it.Status,
			PID:       it.PID,
			StoreInfo: it.StoreInfo,
		})
	}
	return recs
}
