package portonev2

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// listBody is a successful answer: {items: [...], page: {number, size,
// totalCount}}. Both are required; an explicitly empty items is a valid,
// empty page.
type listBody struct {
	Items *[]item   `json:"items"`
	Page  *pageInfo `json:"page"`
}

type pageInfo struct {
	Number     number `json:"number"`
	Size       number `json:"size"`
	TotalCount number `json:"totalCount"`
}

// item is a PaymentSchedule, only the fields the exporter uses: the
// customer's id but not name, e-mail or phone; no billingKey.
type item struct {
	Status    string `json:"status"`
	ID        string `json:"id"`
	StoreID   string `json:"storeId"`
	PaymentID string `json:"paymentId"`
	Customer  struct {
		ID string `json:"id"`
	} `json:"customer"`
	TotalAmount number    `json:"totalAmount"`
	Currency    string    `json:"currency"`
	CreatedAt   timestamp `json:"createdAt"`
	TimeToPay   timestamp `json:"timeToPay"`
	StartedAt   timestamp `json:"startedAt"`
	CompletedAt timestamp `json:"completedAt"`
	RevokedAt   timestamp `json:"revokedAt"`
}

// maxCount bounds page.size and page.totalCount.
const maxCount = 1 << 40

func decodePage(body []byte) (pageResult, error) {
	if b := bytes.TrimSpace(body); len(b) == 0 || b[0] != '{' {
		return pageResult{}, errNotJSON
	}
	var l listBody
	if err := json.Unmarshal(body, &l); err != nil {
		return pageResult{}, fmt.Errorf("malformed schedule list: %w", plainError(err))
	}
	switch {
	case l.Items == nil:
		return pageResult{}, fmt.Errorf("response has no items")
	case l.Page == nil:
		return pageResult{}, fmt.Errorf("response has no page")
	}
	// A count too large for an int would turn negative and end the list
	// early: not a count.
	for _, c := range []struct {
		name string
		v    float64
	}{{"page.size", l.Page.Size.v}, {"page.totalCount", l.Page.TotalCount.v}} {
		if !(c.v >= 0 && c.v <= maxCount) || c.v != math.Trunc(c.v) {
			return pageResult{}, fmt.Errorf("%s %v is not a count", c.name, c.v)
		}
	}
	p := pageResult{size: int(l.Page.Size.v), totalCount: int(l.Page.TotalCount.v), items: make([]Schedule, len(*l.Items))}
	for i, it := range *l.Items {
		s, err := it.schedule()
		if err != nil {
			return pageResult{}, fmt.Errorf("item %d: %w", i+1, err)
		}
		p.items[i] = s
	}
	return p, nil
}

// schedule checks that the fields every schedule has are there.
func (it item) schedule() (Schedule, error) {
	missing := ""
	switch {
	case it.ID == "":
		missing = "id"
	case it.Status == "":
		missing = "status"
	case !it.TimeToPay.set:
		missing = "timeToPay"
	case !it.TotalAmount.set:
		missing = "totalAmount"
	case it.Currency == "":
		missing = "currency"
	}
	if missing != "" {
		id := ""
		if it.ID != "" {
			id = " of schedule " + strconv.Quote(clean(it.ID, 64, ""))
		}
		return Schedule{}, fmt.Errorf("no %s%s", missing, id)
	}
	return Schedule{
		ID: it.ID, StoreID: it.StoreID, PaymentID: it.PaymentID, CustomerID: it.Customer.ID,
		Status: it.Status, TotalAmount: it.TotalAmount.v, Currency: it.Currency,
		CreatedAt: it.CreatedAt.t, TimeToPay: it.TimeToPay.t,
		StartedAt: it.StartedAt.t, CompletedAt: it.CompletedAt.t, RevokedAt: it.RevokedAt.t,
	}, nil
}

// number is an amount or count sent as a JSON number or a numeric string;
// null leaves it unset.
type number struct {
	v   float64
	set bool
}

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (n *number) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	var s string
	switch tok.Kind() {
	case 'n':
		return nil
	case '0':
		s = tok.String()
	case '"':
		s = strings.TrimSpace(tok.String())
	default:
		return fmt.Errorf("%s is not a number", tok.Kind())
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return fmt.Errorf("%q is not a number", clean(s, 40, ""))
	}
	n.v, n.set = v, true
	return nil
}

// timestamp is an RFC 3339 time; null and "" leave it unset.
type timestamp struct {
	t   time.Time
	set bool
}

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (ts *timestamp) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		return nil
	case '"':
	default:
		return fmt.Errorf("%s is not a time", tok.Kind())
	}
	s := strings.TrimSpace(tok.String())
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("%q is not an RFC 3339 time", clean(s, 40, ""))
	}
	ts.t, ts.set = t, true
	return nil
}

// plainError keeps the decoder's words but not the value it quotes from
// the body beyond what the field types above already put in.
func plainError(err error) error {
	var se *json.SemanticError
	if errors.As(err, &se) && se.Err != nil {
		return fmt.Errorf("%s: %w", se.JSONPointer, se.Err)
	}
	return err
}
