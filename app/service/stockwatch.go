package service

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/domain/webhook"
	"github.com/allot-io/allot/ports"
)

// StockWatch raises stock.low when a draw or consume takes an owner's
// available stock of an item from above its threshold to at or below it
// (webhook.StockCrossed). It wraps the series and number services (and
// the lifecycle's MDN inventory) from outside, so that the stock code
// itself does not change: after a draw or mark has committed, it reads
// the owner's stock and thresholds and writes the event's deliveries in a
// transaction of their own. An organisation without a stock.low webhook
// costs a draw nothing (what it subscribes to is read at most every
// listenTTL). The stock before is the stock after plus what
// the operation took, so two concurrent draws that together cross the
// threshold may both see it crossed, or (rarely, when each reads the
// other's effect) a receiver may hear of one fall twice; a crash between
// the draw's commit and the notice loses that notice.
type StockWatch struct {
	store ports.Store
	hooks *Webhooks
	clock ports.Clock
	log   *slog.Logger

	// mu guards listening: whether an organisation has a webhook
	// subscribed to stock.low, as read at most listenTTL ago, so that the
	// draw path costs no query for the organisations (most) without one.
	mu        sync.Mutex
	listening map[tenant.OrgID]listenEntry
}

type listenEntry struct {
	yes bool
	at  time.Time
}

// listenTTL is how long StockWatch trusts what it read of an
// organisation's stock.low subscriptions: a webhook added is heard from
// within this time.
const listenTTL = 5 * time.Second

// listens reports whether org has a webhook subscribed to stock.low.
func (w *StockWatch) listens(ctx context.Context, org tenant.OrgID) (bool, error) {
	now := w.clock.Now()
	w.mu.Lock()
	e, ok := w.listening[org]
	w.mu.Unlock()
	if ok && now.Sub(e.at) < listenTTL && now.Sub(e.at) >= 0 {
		return e.yes, nil
	}
	hooks, err := w.hooks.List(ctx, org)
	if err != nil {
		return false, err
	}
	yes := slices.ContainsFunc(hooks, func(h webhook.Webhook) bool { return h.Subscribed(webhook.StockLow) })
	w.mu.Lock()
	if w.listening == nil {
		w.listening = map[tenant.OrgID]listenEntry{}
	}
	w.listening[org] = listenEntry{yes: yes, at: now}
	w.mu.Unlock()
	return yes, nil
}

// NewStockWatch returns the watch over store, notifying through hooks.
func NewStockWatch(store ports.Store, hooks *Webhooks, clock ports.Clock, log *slog.Logger) *StockWatch {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &StockWatch{store: store, hooks: hooks, clock: clock, log: log}
}

// Wrap returns svc with its Series and Numbers services watched.
func (w *StockWatch) Wrap(svc ports.Services) ports.Services {
	if svc.Series != nil {
		svc.Series = watchedSeries{SeriesService: svc.Series, w: w}
	}
	if svc.Numbers != nil {
		svc.Numbers = watchedNumbers{NumberService: svc.Numbers, w: w}
	}
	return svc
}

// check notifies stock.low for each item of owner that taken (numbers
// taken by item code) carried across its threshold. Its errors are logged:
// the operation it follows has committed and must not be reported failed.
func (w *StockWatch) check(ctx context.Context, org tenant.OrgID, owner series.Owner, taken map[string]uint64) {
	if err := w.notify(ctx, org, owner, taken); err != nil {
		w.log.ErrorContext(ctx, "stock.low check failed", "org", int64(org), "owner", owner.String(), "error", err)
	}
}

func (w *StockWatch) notify(ctx context.Context, org tenant.OrgID, owner series.Owner, taken map[string]uint64) error {
	if len(taken) == 0 {
		return nil
	}
	if yes, err := w.listens(ctx, org); err != nil || !yes {
		return err
	}
	ths, err := w.store.Thresholds(ctx, org)
	if err != nil {
		return err
	}
	levels := map[string]uint64{}
	for _, th := range ths {
		if th.Owner == owner && taken[th.ItemCode] > 0 {
			levels[th.ItemCode] = th.Level
		}
	}
	if len(levels) == 0 {
		return nil
	}
	now := w.clock.Now()
	stock, err := w.store.StockByOwner(ctx, org, now)
	if err != nil {
		return err
	}
	var notices []webhook.Notice
	for _, st := range stock {
		level, ok := levels[st.ItemCode]
		if !ok || st.Owner != owner {
			continue
		}
		after := series.Report(st, &level).Available
		if webhook.StockCrossed(after+taken[st.ItemCode], after, level) {
			notices = append(notices, webhook.StockNotice(int64(org), owner, st.ItemCode, after, level, now))
		}
	}
	if len(notices) == 0 {
		return nil
	}
	return w.hooks.Notify(ctx, org, notices)
}

type watchedSeries struct {
	ports.SeriesService
	w *StockWatch
}

// Next draws, then checks the owner's stock of the item.
func (s watchedSeries) Next(ctx context.Context, org tenant.OrgID, r ports.NextRequest) ([]series.Drawn, error) {
	drawn, err := s.SeriesService.Next(ctx, org, r)
	if err != nil || len(drawn) == 0 {
		return drawn, err
	}
	owner, _ := series.ResolveOwner(r.ClientCode, r.HubCode)
	var n uint64
	for _, d := range drawn {
		c, _ := d.Range.Count().Uint64()
		n += c
	}
	s.w.check(ctx, org, owner, map[string]uint64{strings.TrimSpace(r.ItemCode): n})
	return drawn, nil
}

type watchedNumbers struct {
	ports.NumberService
	w *StockWatch
}

// Mark marks, then checks the owner's stock of the items whose available
// numbers it consumed or voided.
func (s watchedNumbers) Mark(ctx context.Context, org tenant.OrgID, spec series.MarkSpec, actor series.Actor) ([]series.Entry, error) {
	entries, err := s.NumberService.Mark(ctx, org, spec, actor)
	if err != nil || spec.Op == series.Release {
		return entries, err
	}
	bySeries := webhook.TakenFromStock(entries)
	if len(bySeries) == 0 {
		return entries, nil
	}
	if yes, err := s.w.listens(ctx, org); err != nil || !yes {
		if err != nil {
			s.w.log.ErrorContext(ctx, "stock.low check failed", "org", int64(org), "error", err)
		}
		return entries, nil
	}
	taken := map[string]uint64{}
	for id, n := range bySeries {
		sr, err := s.w.store.SeriesByID(ctx, org, id)
		if err != nil {
			s.w.log.ErrorContext(ctx, "stock.low check failed", "org", int64(org), "series", id, "error", err)
			return entries, nil
		}
		taken[sr.ItemCode] += n
	}
	owner, _ := series.ResolveOwner(spec.ClientCode, spec.HubCode)
	s.w.check(ctx, org, owner, taken)
	return entries, nil
}
