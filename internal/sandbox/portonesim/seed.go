package portonesim

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"slices"
)

// seedArrayBody is the vendor document's "Response Model Schema" example,
// byte for byte. Its quirks (timestamps as the strings "0", message "string",
// a scheduled item with imp_uid and payment_status set) are served on purpose:
// the only real sample shows them, so clients must accept them as well as the
// integers swagger declares.
//
//go:embed seed_schedules.json
var seedArrayBody []byte

// seedPagedBody is seedArrayBody with the array wrapped as a one-page list,
// every other byte (the item's included) unchanged.
var seedPagedBody = wrapSeed(seedArrayBody)

// seedCustomerUID is the customer_uid of the vendor example.
const seedCustomerUID = "string"

func (s *Server) seedBody() []byte {
	if s.opts.Shape == ShapeArray {
		return seedArrayBody
	}
	return seedPagedBody
}

func wrapSeed(body []byte) []byte {
	const key = `"response": [`
	head, tail, ok := bytes.Cut(body, []byte(key))
	end := bytes.LastIndexByte(tail, ']')
	if !ok || end < 0 {
		panic("portonesim: embedded seed has no response array")
	}
	return slices.Concat(head, []byte(`"response": {"total":1,"previous":0,"next":0,"list":[`), tail[:end], []byte(`]}`), tail[end+1:])
}

// SeedSchedules returns the vendor example's schedule, with its string
// timestamps read as integers (all 0) and every other field as sent. Currency
// is absent in the example, so it is "" (served as "KRW").
func SeedSchedules() []Schedule {
	var body struct {
		Response []struct {
			Schedule
			ScheduleAt int64 `json:"schedule_at,string"`
			ExecutedAt int64 `json:"executed_at,string"`
			RevokedAt  int64 `json:"revoked_at,string"`
		} `json:"response"`
	}
	if err := json.Unmarshal(seedArrayBody, &body); err != nil {
		panic("portonesim: embedded seed: " + err.Error())
	}
	out := make([]Schedule, 0, len(body.Response))
	for _, it := range body.Response {
		sc := it.Schedule
		sc.ScheduleAt, sc.ExecutedAt, sc.RevokedAt = it.ScheduleAt, it.ExecutedAt, it.RevokedAt
		out = append(out, sc)
	}
	return out
}
