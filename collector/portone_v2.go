package collector

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/portone"
	"github.com/billingexporter/billing_exporter/internal/portonev2"
)

// portoneV2 adds the schedules collector of a PortOne V2 account. It is the
// v1 collector reading a V2 source: the same metric names and labels, so
// that the alerts and dashboards serve both versions.
func (b *builder) portoneV2(a config.PortOneAccount) error {
	httpClient, err := b.httpClient(providerPortOne, a.Name, a.HTTPClient)
	if err != nil {
		return err
	}
	client, err := portonev2.New(portonev2.Options{
		Endpoint:     a.Endpoint,
		APISecret:    a.APISecret.Reveal(),
		StoreID:      a.StoreID,
		HTTPClient:   httpClient,
		MaxBodyBytes: b.cfg.Global.MaxResponseBytes,
		MaxPages:     b.cfg.Global.MaxPages,
	})
	if err != nil {
		return err
	}
	src := &portoneV2Source{client: client, logger: b.o.Logger.With("provider", providerPortOne, "account", a.Name)}
	if len(a.CustomerUIDs) > 0 {
		src.only = map[string]bool{}
		for _, uid := range a.CustomerUIDs {
			src.only[uid] = true
		}
	}
	c := b.newPortOneCollector(a)
	c.source = src.schedules
	b.add(providerPortOne, a.Name, "schedules", c)
	return nil
}

type portoneV2Source struct {
	client  *portonev2.Client
	only    map[string]bool // customer_uids, when configured
	logger  *slog.Logger
	unknown sync.Map // statuses already logged
}

// v2Statuses maps a V2 status onto v1's schedule_status and payment_status.
var v2Statuses = map[string][2]string{
	portonev2.Scheduled: {"scheduled", "none"},
	portonev2.Started:   {"executed", "pending"},
	portonev2.Pending:   {"executed", "pending"},
	portonev2.Succeeded: {"executed", "paid"},
	portonev2.Failed:    {"executed", "failed"},
	portonev2.Revoked:   {"revoked", "none"},
}

// schedules hands the window to each a page at a time, each schedule
// mapped onto v1's terms: the customer's id is customer_uid, timeToPay is
// schedule_at, and a run's time is completedAt (startedAt while it has none).
func (s *portoneV2Source) schedules(ctx context.Context, from, to time.Time, each func([]portone.Schedule) error) error {
	var out []portone.Schedule // reused from page to page
	return s.client.EachSchedule(ctx, from, to, func(items []portonev2.Schedule) error {
		out = out[:0]
		for _, it := range items {
			if s.only != nil && !s.only[it.CustomerID] {
				continue
			}
			st, known := v2Statuses[it.Status]
			if !known {
				st = [2]string{"other", "other"}
				s.logUnknown(it.Status)
			}
			ran := it.CompletedAt
			if ran.IsZero() {
				ran = it.StartedAt
			}
			out = append(out, portone.Schedule{
				CustomerUID: it.CustomerID, MerchantUID: it.ID,
				ScheduleAt: it.TimeToPay, ExecutedAt: ran, RevokedAt: it.RevokedAt,
				Amount: it.TotalAmount, Currency: it.Currency,
				ScheduleStatus: st[0], PaymentStatus: st[1],
			})
		}
		if len(out) == 0 {
			return nil
		}
		return each(out)
	})
}

// logUnknown logs a status this exporter does not know, once per status:
// the API may add statuses at any time, and they are counted as "other".
func (s *portoneV2Source) logUnknown(status string) {
	status = strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '?'
	}, status)
	if len(status) > 40 {
		status = status[:40]
	}
	if _, seen := s.unknown.LoadOrStore(status, true); !seen {
		s.logger.Warn("Unknown PortOne V2 schedule status, counted as schedule_status=\"other\"", "status", status)
	}
}
