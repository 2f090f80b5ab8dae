package ncloud

import (
	"fmt"
	"time"
)

// KST is Korea Standard Time. Korea has kept UTC+9 without daylight saving
// since 1988, so a fixed zone is exact and needs no tzdata in the image.
var KST = time.FixedZone("KST", 9*60*60)

// Month is a calendar month as the API writes it (yyyyMM).
type Month struct {
	Year  int
	Month time.Month
}

// MonthOf returns the month t falls in, in Korea.
func MonthOf(t time.Time) Month {
	t = t.In(KST)
	return Month{t.Year(), t.Month()}
}

// ParseMonth parses yyyyMM.
func ParseMonth(s string) (Month, error) {
	t, err := time.Parse("200601", s)
	if err != nil || len(s) != 6 {
		return Month{}, fmt.Errorf("%q is not a yyyyMM month", s)
	}
	return Month{t.Year(), t.Month()}, nil
}

// String formats the month as yyyyMM.
func (m Month) String() string { return fmt.Sprintf("%04d%02d", m.Year, int(m.Month)) }

// Add returns the month n months later (earlier for negative n).
func (m Month) Add(n int) Month {
	t := time.Date(m.Year, m.Month+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	return Month{t.Year(), t.Month()}
}

// Before reports whether m is earlier than o.
func (m Month) Before(o Month) bool {
	return m.Year < o.Year || m.Year == o.Year && m.Month < o.Month
}

// End returns the first instant after the month ends, in Korea: a credit
// valid through validityEndMonth expires then.
func (m Month) End() time.Time {
	return time.Date(m.Year, m.Month+1, 1, 0, 0, 0, 0, KST)
}
