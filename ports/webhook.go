package ports

import (
	"context"
	"time"

	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/domain/webhook"
)

// NewWebhook is a subscription to store: the checked webhook and its
// signing secret, sealed.
type NewWebhook struct {
	Webhook      webhook.Webhook
	SealedSecret []byte
}

// DeliveryQuery selects an organisation's deliveries, newest first; a
// zero WebhookID selects every webhook's.
type DeliveryQuery struct {
	WebhookID int64
	Query
}

// DeliveryTarget is a delivery with what sending it needs.
type DeliveryTarget struct {
	Org          tenant.OrgID
	Delivery     webhook.Delivery
	URL          string
	AllowPrivate bool
	SealedSecret []byte
}

// WebhookStore keeps webhooks, their deliveries' log and the delivery
// jobs.
type WebhookStore interface {
	// CreateWebhook stores w for org and returns it with its id.
	CreateWebhook(ctx context.Context, org tenant.OrgID, w NewWebhook) (webhook.Webhook, error)
	// ListWebhooks returns org's webhooks by id.
	ListWebhooks(ctx context.Context, org tenant.OrgID) ([]webhook.Webhook, error)
	// RemoveWebhook deletes webhook id of org with its deliveries; jobs
	// still queued for them end without sending. NotFound
	// WEBHOOK_NOT_FOUND.
	RemoveWebhook(ctx context.Context, org tenant.OrgID, id int64) error
	// Notify writes, in one transaction, a delivery and its job for
	// every webhook of org subscribed to each notice, and returns how
	// many. (A line transition's notices are written by TransitionLine,
	// in the transition's own transaction.)
	Notify(ctx context.Context, org tenant.OrgID, notices []webhook.Notice) (int, error)
	// Deliveries returns org's deliveries q selects, newest first.
	Deliveries(ctx context.Context, org tenant.OrgID, q DeliveryQuery) ([]webhook.Delivery, error)
	// DeliveryTarget returns delivery id with its webhook. NotFound
	// WEBHOOK_NOT_FOUND when either is gone.
	DeliveryTarget(ctx context.Context, id int64) (DeliveryTarget, error)
	// RecordAttempt writes a's outcome to delivery id's log: its status,
	// attempts, last error and response code.
	RecordAttempt(ctx context.Context, id int64, a webhook.Attempt) error
}

// WebhookPost is one delivery attempt as sent.
type WebhookPost struct {
	URL string
	// AllowPrivate lets the connection reach a private address; off,
	// the sender refuses one at connect time, after name resolution.
	AllowPrivate bool
	Header       map[string]string
	Body         []byte
}

// WebhookSender posts deliveries over HTTP(S).
type WebhookSender interface {
	// Post sends p and returns the receiver's HTTP status, never
	// following a redirect (a 3xx is returned as is); an error when no
	// answer came (refused target, connection error, timeout).
	Post(ctx context.Context, p WebhookPost) (int, error)
}

// WebhookDeliverer runs one attempt of a delivery job. The job queue
// calls it.
type WebhookDeliverer interface {
	// Deliver makes attempt (1-based) of delivery id and logs it. An
	// error asks the queue to retry on webhook.RetryDelay's schedule,
	// until webhook.MaxAttempts.
	Deliver(ctx context.Context, id int64, attempt int) error
}

// WebhookInput is a webhook as an operator asks for it.
type WebhookInput struct {
	URL string
	// Events is a comma-separated list of webhook.EventTypes.
	Events       string
	AllowPrivate bool
}

// WebhookService manages an organisation's webhooks.
type WebhookService interface {
	// Add subscribes in.URL to in.Events and returns the webhook with its
	// signing secret, which is shown only here. Invalid
	// WEBHOOK_URL_INVALID, WEBHOOK_URL_PRIVATE, WEBHOOK_EVENT_INVALID;
	// Unavailable SECRET_KEY when no key to seal secrets is configured.
	Add(ctx context.Context, org tenant.OrgID, in WebhookInput) (webhook.Webhook, string, error)
	// List returns org's webhooks.
	List(ctx context.Context, org tenant.OrgID) ([]webhook.Webhook, error)
	// Remove deletes a webhook. NotFound WEBHOOK_NOT_FOUND.
	Remove(ctx context.Context, org tenant.OrgID, id int64) error
	// Deliveries returns org's delivery log, newest first.
	Deliveries(ctx context.Context, org tenant.OrgID, q DeliveryQuery) ([]webhook.Delivery, error)
}

// CarrierCallback is an asynchronous answer of the carrier gateway, as
// received at the callback endpoint.
type CarrierCallback struct {
	// OrgCode is the organisation the callback's URL names.
	OrgCode string
	// Body and Signature are the request's raw body and signature
	// header, checked before anything else is believed.
	Body      []byte
	Signature string
	// Key is the line's activation key; Answer what the carrier says of
	// it; SentAt when the carrier sent it.
	Key    string
	Answer CarrierAnswer
	SentAt time.Time
}

// CallbackResult is what a callback did.
type CallbackResult struct {
	// Applied is false when the line already was where the answer takes
	// it (a repeated callback) or the answer moves nothing (accepted).
	Applied bool
	Line    LineState
}

// CarrierCallbackService applies the carrier's asynchronous answers.
type CarrierCallbackService interface {
	// Answer checks cb (signature under the organisation's carrier
	// secret, replay window) and applies its answer to the line,
	// idempotently. Unauthorized SIGNATURE_INVALID (also for an unknown
	// organisation), TIMESTAMP_STALE; NotFound LINE_NOT_FOUND; Invalid ACTIVATION_KEY_INVALID; Conflict
	// LINE_TRANSITION_INVALID when the line has moved elsewhere.
	Answer(ctx context.Context, cb CarrierCallback) (CallbackResult, error)
}
