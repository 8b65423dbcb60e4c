package bunstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/domain/webhook"
	"github.com/allot-io/allot/ports"
)

var _ ports.WebhookStore = (*Store)(nil)

// Webhook deliveries are River jobs beside the provisioning jobs, in their
// own queue so that a slow receiver never holds up a line; each job names
// a delivery row, which keeps the body (fixed when the event happened)
// and the log an operator reads.

// webhookQueue is the River queue of webhook deliveries.
const webhookQueue = "webhooks"

// deliverArgs is a delivery job: one delivery row.
type deliverArgs struct {
	Delivery int64 `json:"delivery_id"`
}

// Kind implements river.JobArgs.
func (deliverArgs) Kind() string { return "deliver_webhook" }

// InsertOpts implements river.JobArgsWithInsertOpts: the schedule's
// attempts, in the webhooks queue.
func (deliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: webhookQueue, MaxAttempts: webhook.MaxAttempts}
}

type webhookRow struct {
	ID           int64     `bun:"id"`
	URL          string    `bun:"url"`
	Events       string    `bun:"events"`
	AllowPrivate bool      `bun:"allow_private"`
	CreatedAt    time.Time `bun:"created_at"`
}

func (r webhookRow) webhook() (webhook.Webhook, error) {
	evs, err := webhook.ParseEvents(r.Events)
	if err != nil {
		return webhook.Webhook{}, fault.Wrap(err, "decode webhook events")
	}
	return webhook.Webhook{ID: r.ID, URL: r.URL, Events: evs, AllowPrivate: r.AllowPrivate, CreatedAt: r.CreatedAt.UTC()}, nil
}

func joinEvents(evs []webhook.EventType) string {
	s := make([]string, len(evs))
	for i, e := range evs {
		s[i] = string(e)
	}
	return strings.Join(s, ",")
}

func webhookNotFound(what string, id int64) error {
	return fault.Errorf(fault.NotFound, webhook.ReasonNotFound, "%s %d not found", what, id)
}

// CreateWebhook implements ports.WebhookStore.
func (s *Store) CreateWebhook(ctx context.Context, org tenant.OrgID, w ports.NewWebhook) (webhook.Webhook, error) {
	at := s.now()
	var id int64
	err := s.db.NewRaw(`INSERT INTO webhooks (org_id, url, events, allow_private, secret_sealed, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		int64(org), w.Webhook.URL, joinEvents(w.Webhook.Events), w.Webhook.AllowPrivate, w.SealedSecret, at).Scan(ctx, &id)
	if err != nil {
		return webhook.Webhook{}, s.dbError(err, "create webhook")
	}
	out := w.Webhook
	out.ID, out.CreatedAt = id, at.UTC()
	return out, nil
}

// ListWebhooks implements ports.WebhookStore.
func (s *Store) ListWebhooks(ctx context.Context, org tenant.OrgID) ([]webhook.Webhook, error) {
	var rows []webhookRow
	err := s.db.NewRaw("SELECT id, url, events, allow_private, created_at FROM webhooks WHERE org_id = ? ORDER BY id", int64(org)).Scan(ctx, &rows)
	if err != nil && !errNoRows(err) {
		return nil, s.dbError(err, "list webhooks")
	}
	out := make([]webhook.Webhook, 0, len(rows))
	for _, r := range rows {
		w, err := r.webhook()
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

// RemoveWebhook implements ports.WebhookStore. The deliveries are deleted
// explicitly too, not only by the foreign key's cascade, so that the
// outcome does not depend on the connection's foreign_keys setting.
func (s *Store) RemoveWebhook(ctx context.Context, org tenant.OrgID, id int64) error {
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewRaw("DELETE FROM webhook_deliveries WHERE org_id = ? AND webhook_id = ?", int64(org), id).Exec(ctx); err != nil {
			return err
		}
		res, err := tx.NewRaw("DELETE FROM webhooks WHERE org_id = ? AND id = ?", int64(org), id).Exec(ctx)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return webhookNotFound("webhook", id)
		}
		return nil
	})
	return s.dbError(err, "remove webhook")
}

// Notify implements ports.WebhookStore.
func (s *Store) Notify(ctx context.Context, org tenant.OrgID, notices []webhook.Notice) (int, error) {
	var n int
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		n, err = s.notifyTx(ctx, tx, org, notices, s.now())
		return err
	})
	if err != nil {
		return 0, s.dbError(err, "notify webhooks")
	}
	return n, nil
}

// notifyTx writes in tx a delivery and its job for every webhook of org
// subscribed to each notice, and returns how many.
func (s *Store) notifyTx(ctx context.Context, tx bun.Tx, org tenant.OrgID, notices []webhook.Notice, at time.Time) (int, error) {
	if len(notices) == 0 {
		return 0, nil
	}
	var rows []webhookRow
	err := tx.NewRaw("SELECT id, url, events, allow_private, created_at FROM webhooks WHERE org_id = ? ORDER BY id", int64(org)).Scan(ctx, &rows)
	if err != nil && !errNoRows(err) {
		return 0, err
	}
	if len(rows) == 0 {
		return 0, nil
	}
	var ids []int64
	for _, r := range rows {
		w, err := r.webhook()
		if err != nil {
			return 0, err
		}
		for _, nt := range notices {
			if !w.Subscribed(nt.Event) {
				continue
			}
			var id int64
			err := tx.NewRaw(`INSERT INTO webhook_deliveries (org_id, webhook_id, event, body, status, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				int64(org), w.ID, string(nt.Event), nt.Body, string(webhook.Pending), at, at).Scan(ctx, &id)
			if err != nil {
				return 0, err
			}
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	c, err := s.inserter()
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if _, err := c.InsertTx(ctx, tx.Tx, deliverArgs{Delivery: id}, nil); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// notifyLineTx reads line id of org after transition t, writes the
// webhook deliveries t raises (webhook.LineNotices) in tx, and returns the
// line.
func (s *Store) notifyLineTx(ctx context.Context, tx bun.Tx, org tenant.OrgID, id int64, t enrollment.Transition, at time.Time) (ports.LineState, error) {
	st, err := s.lineState(ctx, tx, org, id)
	if err != nil {
		return ports.LineState{}, err
	}
	notices := webhook.LineNotices(webhook.Line{Org: int64(org), CustomerID: st.CustomerID, EnrollmentID: st.EnrollmentID,
		ActivationType: st.ActivationType, MDN: st.MDN}, t, at)
	if _, err := s.notifyTx(ctx, tx, org, notices, at); err != nil {
		return ports.LineState{}, err
	}
	return st, nil
}

type deliveryRow struct {
	ID           int64     `bun:"id"`
	OrgID        int64     `bun:"org_id"`
	WebhookID    int64     `bun:"webhook_id"`
	Event        string    `bun:"event"`
	Body         []byte    `bun:"body"`
	Status       string    `bun:"status"`
	Attempts     int       `bun:"attempts"`
	LastError    string    `bun:"last_error"`
	ResponseCode int       `bun:"response_code"`
	CreatedAt    time.Time `bun:"created_at"`
	UpdatedAt    time.Time `bun:"updated_at"`
}

const deliveryColumns = "d.id, d.org_id, d.webhook_id, d.event, d.body, d.status, d.attempts, d.last_error, d.response_code, d.created_at, d.updated_at"

func (r deliveryRow) delivery() webhook.Delivery {
	return webhook.Delivery{ID: r.ID, WebhookID: r.WebhookID, Event: webhook.EventType(r.Event), Body: r.Body,
		Status: webhook.Status(r.Status), Attempts: r.Attempts, LastError: r.LastError, ResponseCode: r.ResponseCode,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// Deliveries implements ports.WebhookStore.
func (s *Store) Deliveries(ctx context.Context, org tenant.OrgID, q ports.DeliveryQuery) ([]webhook.Delivery, error) {
	limit, offset := page(q.Query)
	where, args := "d.org_id = ?", []any{int64(org)}
	if q.WebhookID > 0 {
		where += " AND d.webhook_id = ?"
		args = append(args, q.WebhookID)
	}
	args = append(args, limit, offset)
	var rows []deliveryRow
	err := s.ro.NewRaw("SELECT "+deliveryColumns+" FROM webhook_deliveries d WHERE "+where+" ORDER BY d.id DESC LIMIT ? OFFSET ?", args...).Scan(ctx, &rows)
	if err != nil && !errNoRows(err) {
		return nil, s.dbError(err, "list webhook deliveries")
	}
	out := make([]webhook.Delivery, len(rows))
	for i, r := range rows {
		out[i] = r.delivery()
	}
	return out, nil
}

// DeliveryTarget implements ports.WebhookStore.
func (s *Store) DeliveryTarget(ctx context.Context, id int64) (ports.DeliveryTarget, error) {
	var r struct {
		deliveryRow
		URL          string `bun:"url"`
		AllowPrivate bool   `bun:"allow_private"`
		Secret       []byte `bun:"secret_sealed"`
	}
	err := s.db.NewRaw("SELECT "+deliveryColumns+", w.url, w.allow_private, w.secret_sealed FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = ?", id).Scan(ctx, &r)
	if errNoRows(err) {
		return ports.DeliveryTarget{}, webhookNotFound("webhook delivery", id)
	}
	if err != nil {
		return ports.DeliveryTarget{}, s.dbError(err, "get webhook delivery")
	}
	return ports.DeliveryTarget{Org: tenant.OrgID(r.OrgID), Delivery: r.delivery(), URL: r.URL, AllowPrivate: r.AllowPrivate, SealedSecret: r.Secret}, nil
}

// RecordAttempt implements ports.WebhookStore. A late report of an
// earlier attempt never overwrites a later one's.
func (s *Store) RecordAttempt(ctx context.Context, id int64, a webhook.Attempt) error {
	res, err := s.db.NewRaw(`UPDATE webhook_deliveries SET status = ?, attempts = ?, last_error = ?, response_code = ?, updated_at = ?
		WHERE id = ? AND attempts <= ?`,
		string(a.Status), a.Number, a.Error, a.ResponseCode, dbTime(a.At), id, a.Number).Exec(ctx)
	if err != nil {
		return s.dbError(err, "record webhook attempt")
	}
	if n, err := res.RowsAffected(); err != nil {
		return s.dbError(err, "record webhook attempt")
	} else if n == 0 {
		if _, err := s.DeliveryTarget(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// deliverWorker runs delivery jobs with the webhook service, retrying on
// the domain's schedule rather than the provisioning one.
type deliverWorker struct {
	river.WorkerDefaults[deliverArgs]
	d     ports.WebhookDeliverer
	clock ports.Clock
	retry func(attempt int) time.Duration
}

// Work implements river.Worker.
func (w *deliverWorker) Work(ctx context.Context, job *river.Job[deliverArgs]) error {
	if err := w.d.Deliver(ctx, job.Args.Delivery, job.Attempt); err != nil {
		return fmt.Errorf("deliver webhook %d: %w", job.Args.Delivery, err)
	}
	return nil
}

// NextRetry implements river.Worker: the schedule's wait after the
// attempt (webhook.RetryDelay unless the worker was configured otherwise).
func (w *deliverWorker) NextRetry(job *river.Job[deliverArgs]) time.Time {
	return w.clock.Now().Add(w.retry(job.Attempt))
}

// Timeout implements river.Worker: an attempt is bounded by the sender's
// own timeout; this is the backstop.
func (w *deliverWorker) Timeout(*river.Job[deliverArgs]) time.Duration { return time.Minute }
