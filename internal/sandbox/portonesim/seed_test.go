package portonesim

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"testing"
)

// seedFile is the vendor document the sample comes from, kept in the
// repository so that the test runs in any clone.
const seedFile = "testdata/003_2b7ef7bcd4f40029.txt"

// seedItem is the vendor example's schedule object, as printed.
func seedItem(t *testing.T) []byte {
	t.Helper()
	start := bytes.Index(seedArrayBody, []byte("[\n    {")) + len("[\n    ")
	end := bytes.LastIndex(seedArrayBody, []byte("    }")) + len("    }")
	if start < len("[\n    ") || end < start {
		t.Fatal("no item in the embedded seed")
	}
	return seedArrayBody[start:end]
}

func TestSeedEmbeddedVerbatim(t *testing.T) {
	doc, err := os.ReadFile(seedFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(doc, append([]byte("```json\n"), append(seedArrayBody, []byte("\n```")...)...)) {
		t.Fatal("seed_schedules.json is not the seed's Response Model Schema block")
	}
}

func TestSeedServedVerbatim(t *testing.T) {
	for _, tc := range []struct {
		name  string
		shape Shape
		want  []byte
	}{
		{"array", ShapeArray, seedArrayBody},
		{"paged", ShapePaged, seedPagedBody},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := acme
			m.Verbatim = true
			f := start(t, Options{Shape: tc.shape}, m)
			tok := f.token(t, m.ImpKey, m.ImpSecret)
			for _, q := range []url.Values{dayRange(), {"from": {"0"}, "to": {"1"}, "page": {"2"}, "schedule-status": {"revoked"}}} {
				r := f.get(t, tok, customerPath("string"), q)
				if r.status != 200 || r.raw != string(tc.want) {
					t.Errorf("query %v: got %d %s", q, r.status, r.raw)
				}
			}
			if r := f.get(t, tok, customerPath("string"), url.Values{"from": {"1"}}); r.status != 400 {
				t.Errorf("parameters are still checked: got %d", r.status)
			}
		})
	}
}

func TestSeedPagedBody(t *testing.T) {
	item := seedItem(t)
	if !bytes.Contains(seedPagedBody, append([]byte(`{"total":1,"previous":0,"next":0,"list":[`+"\n    "), item...)) {
		t.Errorf("paged seed does not hold the item verbatim:\n%s", seedPagedBody)
	}
	var got struct {
		Code     int    `json:"code"`
		Message  string `json:"message"`
		Response struct {
			Total, Previous, Next int
			List                  []json.RawMessage
		} `json:"response"`
	}
	if err := json.Unmarshal(seedPagedBody, &got); err != nil {
		t.Fatal(err)
	}
	if got.Code != 0 || got.Message != "string" || got.Response.Total != 1 || got.Response.Previous != 0 ||
		got.Response.Next != 0 || len(got.Response.List) != 1 || !bytes.Equal(got.Response.List[0], item) {
		t.Errorf("paged seed decodes to %+v", got)
	}
	unwrapped := bytes.Replace(seedPagedBody, []byte(`{"total":1,"previous":0,"next":0,"list":[`), []byte(`[`), 1)
	if !bytes.Equal(bytes.Replace(unwrapped, []byte("]}\n}"), []byte("]\n}"), 1), seedArrayBody) {
		t.Error("paged seed differs from the array seed outside the wrapper")
	}
}

func TestSeedSchedules(t *testing.T) {
	got := SeedSchedules()
	want := Schedule{
		CustomerUID: "string", MerchantUID: "string", ImpUID: new("string"), Name: "string",
		BuyerName: "string", BuyerEmail: "string", BuyerTel: "string", BuyerAddr: "string", BuyerPostcode: "string",
		CustomData: "string", ScheduleStatus: "scheduled", PaymentStatus: new("paid"), FailReason: "string",
	}
	if len(got) != 1 || *got[0].ImpUID != *want.ImpUID || *got[0].PaymentStatus != *want.PaymentStatus {
		t.Fatalf("got %+v", got)
	}
	got[0].ImpUID, got[0].PaymentStatus, want.ImpUID, want.PaymentStatus = nil, nil, nil, nil
	if got[0] != want {
		t.Errorf("got  %+v\nwant %+v", got[0], want)
	}
}

func TestSeedCustomerWithoutVerbatim(t *testing.T) {
	m := acme
	m.Schedules = SeedSchedules()
	f := start(t, Options{}, m)
	r := f.get(t, f.token(t, m.ImpKey, m.ImpSecret), customerPath("string"), url.Values{"from": {"0"}, "to": {"1"}})
	p := decodePage(t, r)
	if p.Total != 1 || p.List[0].ScheduleAt != 0 || r.Message != nil || !bytes.Contains([]byte(r.raw), []byte(`"schedule_at":0,`)) {
		t.Errorf("got %s", r.raw)
	}
}
