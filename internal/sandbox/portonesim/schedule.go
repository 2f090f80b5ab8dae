package portonesim

// Schedule is one scheduled billing-key payment (swagger ScheduleResultAnnotation).
// JSON fields follow the vendor example's order, then the fields only swagger has.
type Schedule struct {
	CustomerUID    string  `json:"customer_uid"`
	MerchantUID    string  `json:"merchant_uid"`
	ImpUID         *string `json:"imp_uid"`     // nil (null) while scheduled or revoked
	ScheduleAt     int64   `json:"schedule_at"` // unix seconds
	ExecutedAt     int64   `json:"executed_at"` // unix seconds, 0 = not executed
	RevokedAt      int64   `json:"revoked_at"`  // unix seconds, 0 = not revoked
	Amount         float64 `json:"amount"`
	Currency       string  `json:"currency"` // "" is sent as the API default "KRW"
	Name           string  `json:"name"`
	BuyerName      string  `json:"buyer_name"`
	BuyerEmail     string  `json:"buyer_email"`
	BuyerTel       string  `json:"buyer_tel"`
	BuyerAddr      string  `json:"buyer_addr"`
	BuyerPostcode  string  `json:"buyer_postcode"`
	CustomData     string  `json:"custom_data"`
	ScheduleStatus string  `json:"schedule_status"` // "scheduled", "executed" or "revoked"
	PaymentStatus  *string `json:"payment_status"`  // nil (null) until run; "paid", "failed" or "cancelled"
	FailReason     string  `json:"fail_reason"`     // set when failed
	PGProvider     string  `json:"pg_provider"`
	PGID           string  `json:"pg_id"`
	CustomerID     string  `json:"customer_id"`
}

// Schedule statuses.
const (
	StatusScheduled = "scheduled"
	StatusExecuted  = "executed"
	StatusRevoked   = "revoked"
)

// Payment statuses of an executed schedule.
const (
	PaymentPaid      = "paid"
	PaymentFailed    = "failed"
	PaymentCancelled = "cancelled"
)
