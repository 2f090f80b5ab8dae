package vgpsim

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"
)

// seedFile is the vendor document the sample comes from, kept in the
// repository so that the test runs in any clone.
const seedFile = "testdata/000_8a22a08d12c76cc9.txt"

func TestSeedEmbeddedVerbatim(t *testing.T) {
	doc, err := os.ReadFile(seedFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(doc, seedResponse) {
		t.Fatal("embedded seed_response.json is not a substring of the seed document")
	}
	if seedResponse[0] != '{' || seedResponse[len(seedResponse)-1] != '}' || !json.Valid(seedResponse) {
		t.Fatal("embedded seed is not exactly one JSON object")
	}
}

func TestSeedRecordsParsed(t *testing.T) {
	recs := SeedMember().Records
	if len(recs) != 4 {
		t.Fatalf("got %d records, want 4", len(recs))
	}
	want := []struct{ usage, status, pid string }{
		{"10", "PAID", "123456"}, {"8.5", "PAID", "123456789"}, {"10.5", "PAID", "1234567"}, {"8.5", "Canceled", "12345678"},
	}
	for i, w := range want {
		r := recs[i]
		if r.Usage != w.usage || r.Status != w.status || r.PID != w.pid || r.Balance != "100" ||
			r.StoreInfo != "Familymart" || !r.Timestamp.Equal(time.Unix(1590934309, 0)) {
			t.Errorf("record %d = %+v, want %+v", i, r, w)
		}
	}
}

func TestSeedMemberServedVerbatim(t *testing.T) {
	s, ts := start(t)
	s.AddMember(SeedMember())
	for name, body := range map[string]string{
		"phone and email": `{"Email":"rlackstjdsla@naver.com","PhoneNumber":"821041139274","Caller":"Vroomgo"}`,
		"phone only":      `{"PhoneNumber":"821041139274","Caller":"Vroomgo"}`,
		"phone with plus": `{"PhoneNumber":"+821041139274","Caller":"Vroomgo"}`,
		"email only":      `{"Email":"rlackstjdsla@naver.com","Caller":"Vroomgo"}`,
	} {
		t.Run(name, func(t *testing.T) {
			code, got := post(t, ts, body)
			if code != 200 || got != string(seedResponse) {
				t.Fatalf("got %d %q, want 200 and the seed body", code, got)
			}
		})
	}
	if _, got := post(t, ts, `{"PhoneNumber":"821041139274","Caller":"Genohub"}`); got != `{"status":"3100","response":"Wrong Caller"}` {
		t.Errorf("Genohub caller for the seed member: got %s", got)
	}
}

func TestSeedMemberEditedIsRendered(t *testing.T) {
	s, ts := start(t)
	m := SeedMember()
	m.Records = m.Records[:1]
	s.AddMember(m)
	_, got := post(t, ts, `{"PhoneNumber":"821041139274","Caller":"Vroomgo"}`)
	want := `{"status":"3000","response":[{"Timestamp":"1590934309","VGPBalance":"100","PhoneNumber":"+821041139274",` +
		`"VGPUsage":"10","Caller":"Vroomgo","Status":"PAID","PID":"123456","StoreInfo":"Familymart","Email":"rlackstjdsla@naver.com"}]}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
