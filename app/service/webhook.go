package service

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"strconv"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/domain/webhook"
	"github.com/allot-io/allot/ports"
)

var (
	_ ports.WebhookService   = (*Webhooks)(nil)
	_ ports.WebhookDeliverer = (*Webhooks)(nil)
)

// secretPrefix marks a webhook signing secret, so that one pasted into the
// wrong place is recognisable.
const secretPrefix = "whsec_"

var errNoWebhookKey = fault.New(fault.Unavailable, "SECRET_KEY_MISSING", "webhooks need a secret key (ALLOT_SECRET_KEY) to keep their signing secrets")

// Webhooks manages an organisation's webhooks (ports.WebhookService) and
// makes the delivery attempts the job queue asks for
// (ports.WebhookDeliverer).
type Webhooks struct {
	store  ports.WebhookStore
	sealer ports.Sealer
	random io.Reader
	clock  ports.Clock
	sender ports.WebhookSender
	log    *slog.Logger
}

// NewWebhooks returns the webhook service over store, sealing secrets
// with sealer (nil refuses Add and Deliver: Unavailable
// SECRET_KEY_MISSING), drawing them from random and sending with sender.
func NewWebhooks(store ports.WebhookStore, sealer ports.Sealer, random io.Reader, clock ports.Clock, sender ports.WebhookSender, log *slog.Logger) *Webhooks {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Webhooks{store: store, sealer: sealer, random: random, clock: clock, sender: sender, log: log}
}

// Add implements ports.WebhookService: the URL and events are checked by
// the domain, the secret is 32 random bytes, returned once in hex and
// kept sealed.
func (w *Webhooks) Add(ctx context.Context, org tenant.OrgID, in ports.WebhookInput) (webhook.Webhook, string, error) {
	var vs fault.Violations
	u, err := webhook.ParseURL(in.URL, in.AllowPrivate)
	addViolation(&vs, err)
	evs, err := webhook.ParseEvents(in.Events)
	addViolation(&vs, err)
	if err := vs.Err(); err != nil {
		return webhook.Webhook{}, "", err
	}
	if w.sealer == nil {
		return webhook.Webhook{}, "", errNoWebhookKey
	}
	raw := make([]byte, 32)
	if _, err := io.ReadFull(w.random, raw); err != nil {
		return webhook.Webhook{}, "", fault.Wrap(err, "webhook secret")
	}
	secret := secretPrefix + hex.EncodeToString(raw)
	sealed, err := w.sealer.Seal([]byte(secret))
	if err != nil {
		return webhook.Webhook{}, "", fault.Wrap(err, "seal webhook secret")
	}
	hook, err := w.store.CreateWebhook(ctx, org, ports.NewWebhook{
		Webhook:      webhook.Webhook{URL: u, Events: evs, AllowPrivate: in.AllowPrivate},
		SealedSecret: sealed,
	})
	if err != nil {
		return webhook.Webhook{}, "", err
	}
	return hook, secret, nil
}

// addViolation adds err's violations to vs; an error that is not a
// validation fault is kept as a violation without a field.
func addViolation(vs *fault.Violations, err error) {
	if err == nil {
		return
	}
	fe, ok := fault.As(err)
	if !ok {
		vs.Add(fault.Violation{Message: err.Error()})
		return
	}
	if len(fe.Violations) == 0 {
		vs.Add(fault.Violation{Reason: fe.Reason, Message: fe.Message})
		return
	}
	for _, v := range fe.Violations {
		vs.Add(v)
	}
}

// List implements ports.WebhookService.
func (w *Webhooks) List(ctx context.Context, org tenant.OrgID) ([]webhook.Webhook, error) {
	return w.store.ListWebhooks(ctx, org)
}

// Remove implements ports.WebhookService.
func (w *Webhooks) Remove(ctx context.Context, org tenant.OrgID, id int64) error {
	if id <= 0 {
		return fault.InvalidField("id", "positive", "INVALID_ID", fmt.Sprintf("webhook id %d is not valid", id))
	}
	return w.store.RemoveWebhook(ctx, org, id)
}

// Deliveries implements ports.WebhookService.
func (w *Webhooks) Deliveries(ctx context.Context, org tenant.OrgID, q ports.DeliveryQuery) ([]webhook.Delivery, error) {
	if err := checkQuery(q.Query); err != nil {
		return nil, err
	}
	return w.store.Deliveries(ctx, org, q)
}

// Notify writes the deliveries of notices for org's subscribed webhooks,
// in a transaction of their own: for events whose change was committed
// by a store method this layer cannot join (stock.low).
func (w *Webhooks) Notify(ctx context.Context, org tenant.OrgID, notices []webhook.Notice) error {
	_, err := w.store.Notify(ctx, org, notices)
	return err
}

// Deliver implements ports.WebhookDeliverer: attempt of delivery id is
// signed when it is sent (so that it falls in the receiver's replay
// window however late the retry), posted, and logged. A failed attempt
// returns an error for the queue to retry, unless it was the schedule's
// last. A delivery whose webhook was removed ends quietly.
func (w *Webhooks) Deliver(ctx context.Context, id int64, attempt int) error {
	t, err := w.store.DeliveryTarget(ctx, id)
	if fault.CodeOf(err) == fault.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if t.Delivery.Status == webhook.Delivered || t.Delivery.Status == webhook.Failed {
		return nil
	}
	if w.sealer == nil {
		return errNoWebhookKey
	}
	secret, err := w.sealer.Open(t.SealedSecret)
	if err != nil {
		return fault.Wrap(err, "open webhook secret")
	}
	now := w.clock.Now()
	code, sendErr := w.sender.Post(ctx, ports.WebhookPost{
		URL: t.URL, AllowPrivate: t.AllowPrivate, Body: t.Delivery.Body,
		Header: map[string]string{
			webhook.SignatureHeader: webhook.Sign(secret, now, t.Delivery.Body),
			webhook.TimestampHeader: strconv.FormatInt(now.Unix(), 10),
			webhook.EventHeader:     string(t.Delivery.Event),
			webhook.DeliveryHeader:  strconv.FormatInt(id, 10),
		},
	})
	a := webhook.Outcome(attempt, code, sendErr, w.clock.Now())
	if err := w.store.RecordAttempt(ctx, id, a); err != nil {
		return err
	}
	switch a.Status {
	case webhook.Delivered:
		return nil
	case webhook.Failed:
		w.log.WarnContext(ctx, "webhook delivery failed for good", "org", int64(t.Org), "delivery", id, "attempts", attempt, "error", a.Error)
		return nil
	}
	return fmt.Errorf("attempt %d: %s", attempt, a.Error)
}
