package portonesim

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// GenerateOptions shape a generated schedule set.
type GenerateOptions struct {
	Seed                            int64
	Now                             time.Time
	Customers, SchedulesPerCustomer int
	Lookback, Lookahead             time.Duration // schedule_at lies in [Now-Lookback, Now+Lookahead]
}

type plan struct {
	name     string
	currency string
	amount   float64
}

type place struct{ addr, postcodePrefix string }

var (
	krwPlans = []plan{
		{"베이직 월간 구독", "KRW", 9900}, {"스탠다드 월간 구독", "KRW", 14900},
		{"프리미엄 월간 구독", "KRW", 29000}, {"팀 플랜 (5인)", "KRW", 55000},
	}
	usdPlans   = []plan{{"Pro plan (monthly)", "USD", 19.99}, {"Starter plan (monthly)", "USD", 4.5}}
	surnames   = [][2]string{{"김", "kim"}, {"이", "lee"}, {"박", "park"}, {"최", "choi"}, {"정", "jung"}, {"강", "kang"}, {"조", "cho"}, {"윤", "yoon"}}
	givenNames = [][2]string{{"민준", "minjun"}, {"서연", "seoyeon"}, {"도윤", "doyun"}, {"지우", "jiwoo"}, {"하준", "hajun"}, {"서윤", "seoyun"}, {"예준", "yejun"}, {"수아", "sua"}}
	domains    = []string{"example.com", "example.net", "example.org"}
	places     = []place{
		{"서울특별시 강남구 테헤란로", "06"}, {"서울특별시 마포구 월드컵북로", "03"}, {"경기도 성남시 분당구 판교역로", "13"},
		{"부산광역시 해운대구 센텀중앙로", "48"}, {"인천광역시 연수구 송도과학로", "21"}, {"대전광역시 유성구 대학로", "34"},
	}
	pgs         = [][2]string{{"nice", "nictest04m"}, {"kcp", "T0000"}, {"tosspayments", "tosstest"}, {"kakaopay", "TCSUBSCRIP"}}
	failReasons = []string{"카드 잔액이 부족합니다.", "카드 한도가 초과되었습니다.", "유효기간이 만료된 카드입니다.", "분실 신고된 카드입니다.", "거래가 정지된 카드입니다."}
)

// outcome is a (schedule_status, payment_status) pair.
type outcome int

const (
	outScheduled outcome = iota
	outPaid
	outFailed
	outCancelled
	outRevoked
	numOutcomes
)

var paymentStatuses = [numOutcomes]string{outPaid: PaymentPaid, outFailed: PaymentFailed, outCancelled: PaymentCancelled}

// Generate returns a deterministic schedule set: for each customer, a plan
// (KRW, about one in six USD), fake but realistic buyer details, and its
// schedules spread evenly over the window from a random phase. Past schedules
// are mostly paid, some failed (with fail_reason), cancelled or revoked; future
// ones scheduled or revoked. The first five schedules take the five outcomes
// in turn, so every status occurs when there are at least five.
func Generate(o GenerateOptions) []Schedule {
	r := rand.New(rand.NewPCG(uint64(o.Seed), 0x706f72746f6e65))
	now := o.Now.Unix()
	lo, hi := now-int64(o.Lookback/time.Second), now+int64(o.Lookahead/time.Second)
	out := make([]Schedule, 0, max(o.Customers*o.SchedulesPerCustomer, 0))
	for c := range o.Customers {
		base := newCustomer(r, c)
		phase := r.Float64()
		for j := range o.SchedulesPerCustomer {
			k := len(out)
			at := lo + int64((float64(j)+phase)/float64(o.SchedulesPerCustomer)*float64(hi-lo))
			var oc outcome
			if k < int(numOutcomes) {
				oc = outcome(k)
				at = timeFor(r, oc, now, lo, hi)
			} else {
				oc = outcomeAt(r, at, now)
			}
			sc := base
			sc.MerchantUID = fmt.Sprintf("sched_%s_%03d", base.CustomerID, j+1)
			sc.ScheduleAt = at
			sc.CustomData = fmt.Sprintf(`{"customer_id":%q,"cycle":%d}`, base.CustomerID, j+1)
			settle(r, &sc, oc, k, now)
			out = append(out, sc)
		}
	}
	return out
}

func newCustomer(r *rand.Rand, c int) Schedule {
	p := krwPlans[r.IntN(len(krwPlans))]
	if r.IntN(6) == 0 {
		p = usdPlans[r.IntN(len(usdPlans))]
	}
	sur, given := surnames[r.IntN(len(surnames))], givenNames[r.IntN(len(givenNames))]
	pl, pg := places[r.IntN(len(places))], pgs[r.IntN(len(pgs))]
	id := fmt.Sprintf("user_%06d", 100000+c*37+r.IntN(37))
	return Schedule{
		CustomerUID:   fmt.Sprintf("cuid_%06x_%04d", r.Uint32()&0xffffff, c+1),
		Amount:        p.amount,
		Currency:      p.currency,
		Name:          p.name,
		BuyerName:     sur[0] + given[0],
		BuyerEmail:    fmt.Sprintf("%s.%s%02d@%s", given[1], sur[1], r.IntN(100), domains[r.IntN(len(domains))]),
		BuyerTel:      fmt.Sprintf("010-%04d-%04d", 2000+r.IntN(8000), r.IntN(10000)),
		BuyerAddr:     fmt.Sprintf("%s %d, %d동 %d호", pl.addr, 1+r.IntN(400), 101+r.IntN(9), 100*(1+r.IntN(25))+1+r.IntN(4)),
		BuyerPostcode: fmt.Sprintf("%s%03d", pl.postcodePrefix, r.IntN(1000)),
		PGProvider:    pg[0],
		PGID:          pg[1],
		CustomerID:    id,
	}
}

// timeFor picks a schedule_at in [lo, hi] on the side of now that oc needs.
func timeFor(r *rand.Rand, oc outcome, now, lo, hi int64) int64 {
	if oc == outScheduled || oc == outRevoked {
		if hi > now {
			return now + 1 + r.Int64N(hi-now)
		}
		return now
	}
	return lo + r.Int64N(now-lo+1)
}

func outcomeAt(r *rand.Rand, at, now int64) outcome {
	n := r.IntN(100)
	switch {
	case at > now && n < 90:
		return outScheduled
	case at > now || n < 10:
		return outRevoked
	case n < 20:
		return outFailed
	case n < 28:
		return outCancelled
	default:
		return outPaid
	}
}

// settle fills the status fields for outcome oc; k makes imp_uid unique.
func settle(r *rand.Rand, sc *Schedule, oc outcome, k int, now int64) {
	switch oc {
	case outScheduled:
		sc.ScheduleStatus = StatusScheduled
	case outRevoked:
		sc.ScheduleStatus = StatusRevoked
		sc.RevokedAt = min(sc.ScheduleAt, now) - 600 - r.Int64N(3*24*3600)
	default:
		sc.ScheduleStatus = StatusExecuted
		sc.ExecutedAt = min(sc.ScheduleAt+r.Int64N(300), now)
		sc.ImpUID = new(fmt.Sprintf("imp_%012d", 300000000000+int64(k)*7919+r.Int64N(7919)))
		sc.PaymentStatus = new(paymentStatuses[oc])
		if oc == outFailed {
			sc.FailReason = failReasons[r.IntN(len(failReasons))]
		}
	}
}
