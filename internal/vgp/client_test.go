package vgp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/billingexporter/billing_exporter/internal/sandbox/vgpsim"
	"github.com/billingexporter/billing_exporter/internal/upstream"
)

func TestDecodeStatusForms(t *testing.T) {
	item := `{"Timestamp":"1590934309","VGPBalance":"100","VGPUsage":"8.5","Status":"PAID","PID":"1","PhoneNumber":"+821041139274","Email":"a@example.com"}`
	for _, body := range []string{
		`{"status":"3000","response":[` + item + `]}`,
		`{"status":3000,"response":[` + item + `]}`,
		`{"status":"3000","response":[{"Timestamp":1590934309,"VGPBalance":100,"VGPUsage":8.5,"Status":"PAID","PID":1}]}`,
	} {
		recs, err := Decode([]byte(body))
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if len(recs) != 1 || recs[0].Timestamp.Unix() != 1590934309 || recs[0].Balance != 100 || recs[0].Usage != 8.5 || recs[0].Status != "PAID" || recs[0].PID != "1" {
			t.Errorf("%s: %+v", body, recs)
		}
	}
	if recs, err := Decode([]byte(`{"status":"3000","response":[]}`)); err != nil || len(recs) != 0 {
		t.Errorf("empty list: %v %v", recs, err)
	}
	// A success without its list is an error, not an account without
	// payments (whose balance would vanish and never alert).
	for _, body := range []string{`{"status":"3000","response":null}`, `{"status":"3000"}`, `{"status":3000, "response": null }`} {
		if _, err := Decode([]byte(body)); err == nil || !strings.Contains(err.Error(), "status 3000 without a response") {
			t.Errorf("%s: err %v", body, err)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"status":"3100","response":"Wrong Caller"}`, "code 3100: Wrong Caller"},
		{`{"status":"3200","response":"Not Member"}`, "code 3200: Not Member"},
		{`{"status":"3301","response":"잔액 부족"}`, "code 3301: 잔액 부족 (Balance Insufficient)"},
		{`{"status":3400}`, "code 3400: Unhandled Error"},
		{`{"status":"3999","response":""}`, "code 3999: undocumented status"},
		{`{"response":[]}`, "missing or malformed status"},
		{`{"status":"3000","response":"OK"}`, "response is not a list of payments"},
		{`{"status":"3000","response":[{"Timestamp":"x","VGPBalance":"1","VGPUsage":"1"}]}`, `payment 1: Timestamp "x" is not a number`},
		{`{"status":"3000","response":[{"Timestamp":"1","VGPBalance":"lots","VGPUsage":"1"}]}`, `payment 1: VGPBalance "lots" is not a number`},
		{`{"status":"3000","response":[{"Timestamp":"1","VGPBalance":"1"}]}`, `payment 1: VGPUsage is missing`},
		{`{"status":"3000","response":[{"Timestamp":"1.5","VGPBalance":"1","VGPUsage":"1"}]}`, `is not unix seconds`},
		{`<html>502</html>`, "malformed JSON"},
	} {
		if _, err := Decode([]byte(tc.body)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.body, err, tc.want)
		}
	}
}

// The request carries exactly the documented fields, and a gateway failure
// is reported with its HTTP status and message.
func TestPaymentsOverHTTP(t *testing.T) {
	sim := vgpsim.New()
	sim.AddMember(vgpsim.SeedMember())
	srv := httptest.NewServer(sim)
	defer srv.Close()
	c := New(Options{Endpoint: srv.URL + vgpsim.Path, Caller: "Vroomgo", PhoneNumber: "821041139274"})
	recs, err := c.Payments(context.Background())
	if err != nil || len(recs) != 4 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	reqs := sim.Requests()
	if len(reqs) != 1 || reqs[0].Caller != "Vroomgo" || reqs[0].PhoneNumber != "821041139274" || reqs[0].Email != "" {
		t.Errorf("requests %+v", reqs)
	}

	sim.SetFault("", vgpsim.Fault{Status: http.StatusBadGateway, Body: `{"message": "Internal server error"}`})
	_, err = c.Payments(context.Background())
	ue, ok := upstream.AsError(err)
	if !ok || ue.HTTPStatus != 502 || ue.Message != "Internal server error" {
		t.Errorf("err %v", err)
	}
}
