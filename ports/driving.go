package ports

import (
	"context"

	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
)

// Principal is the authenticated caller of the series API: always one
// organisation, taken from the credential and never from the request.
type Principal struct {
	Org       tenant.Organisation
	KeyPrefix string
}

// AuthService authenticates API keys.
type AuthService interface {
	// APIKey resolves a raw key. Unauthorized NO_API_KEY when raw is empty,
	// WRONG_API_KEY when unknown or revoked; Forbidden ORG_DISABLED when the
	// organisation is disabled.
	APIKey(ctx context.Context, raw string) (Principal, error)
}

// OrgService manages organisations.
type OrgService interface {
	// Create adds an organisation. Invalid INVALID_CODE/INVALID_NAME,
	// Conflict ALREADY_EXISTS.
	Create(ctx context.Context, code, name string) (tenant.Organisation, error)
	// ByCode returns an organisation. NotFound ORG_NOT_FOUND.
	ByCode(ctx context.Context, code string) (tenant.Organisation, error)
	// List returns every organisation.
	List(ctx context.Context) ([]tenant.Organisation, error)
	// Configure changes settings of the organisation with code, named as
	// tenant.SettingSpecs names them, all or none, and returns the
	// organisation as stored. NotFound ORG_NOT_FOUND; Invalid
	// INVALID_SETTING naming the setting and its rule.
	Configure(ctx context.Context, code string, changes []SettingChange) (tenant.Organisation, error)
	// SetDisabled disables (or re-enables) an organisation: every
	// credential of a disabled one is refused (ORG_DISABLED, RESTAPI107),
	// in every process at once. Invalid INVALID_CODE, NotFound
	// ORG_NOT_FOUND.
	SetDisabled(ctx context.Context, code string, disabled bool) (tenant.Organisation, error)
}

// SettingChange sets the organisation setting Name to Value.
type SettingChange struct {
	Name, Value string
}

// APIKeyService issues and revokes API keys.
type APIKeyService interface {
	// Create issues a key and returns it whole; only its hash is stored, so
	// this is the only time it can be seen.
	Create(ctx context.Context, org tenant.OrgID) (string, tenant.APIKey, error)
	// List returns the org's keys (prefixes and dates, never secrets).
	List(ctx context.Context, org tenant.OrgID) ([]tenant.APIKey, error)
	// Revoke revokes the key with prefix. NotFound NOT_FOUND.
	Revoke(ctx context.Context, org tenant.OrgID, prefix string) error
}

// CustomerService manages customers.
type CustomerService interface {
	// Add adds a customer. Invalid INVALID_CODE/INVALID_NAME, Conflict
	// ALREADY_EXISTS.
	Add(ctx context.Context, org tenant.OrgID, code, name string) (tenant.Customer, error)
	// Create adds c: Add, with c's UseGlobal flag set in the same write.
	Create(ctx context.Context, org tenant.OrgID, c tenant.Customer) (tenant.Customer, error)
	// SetUseGlobal sets whether the customer draws from the organisation's
	// global pool once its own stock of an item is exhausted. NotFound
	// NOT_FOUND.
	SetUseGlobal(ctx context.Context, org tenant.OrgID, code string, use bool) (tenant.Customer, error)
	// Get returns a customer. NotFound NOT_FOUND.
	Get(ctx context.Context, org tenant.OrgID, code string) (tenant.Customer, error)
	// List returns customers matching q.
	List(ctx context.Context, org tenant.OrgID, q CustomerQuery) ([]tenant.Customer, error)
}

// HubService manages hubs.
type HubService interface {
	// Add adds a hub. Invalid INVALID_CODE/INVALID_NAME, Conflict ALREADY_EXISTS.
	Add(ctx context.Context, org tenant.OrgID, code, name string) (tenant.Hub, error)
	// List returns hubs.
	List(ctx context.Context, org tenant.OrgID, q Query) ([]tenant.Hub, error)
}

// ServiceTypeService manages the service-type catalogue.
type ServiceTypeService interface {
	// Add adds an entry; an empty name defaults to the code. Invalid
	// INVALID_CODE/INVALID_NAME, Conflict ALREADY_EXISTS.
	Add(ctx context.Context, org tenant.OrgID, code, name string) (tenant.ServiceType, error)
	// List returns the catalogue.
	List(ctx context.Context, org tenant.OrgID, q Query) ([]tenant.ServiceType, error)
}

// SeriesPage is one page of a series listing.
type SeriesPage struct {
	Items []series.Series
	// Total is how many series match, ignoring paging.
	Total int
}

// NextRequest asks for the next Count numbers of an owner (client code wins
// over hub code) and item code, optionally of one service type.
type NextRequest struct {
	ClientCode  string
	HubCode     string
	ItemCode    string
	ServiceType string
	Count       int64
	// Actor is recorded in the history of the series drawn from.
	Actor series.Actor
}

// SeriesService allots series and draws numbers.
type SeriesService interface {
	// Create validates spec and allots the series. Invalid with the reasons
	// of series.Validate, CLIENT_NOT_FOUND, HUB_NOT_FOUND,
	// CREATOR_HUB_NOT_FOUND, SERVICE_TYPE_NOT_FOUND; Conflict SERIES_OVERLAP.
	Create(ctx context.Context, org tenant.OrgID, spec series.Spec) (series.Series, error)
	// List returns series matching q. Invalid INVALID_TYPE.
	List(ctx context.Context, org tenant.OrgID, q SeriesQuery) (SeriesPage, error)
	// Lookup returns the series holding number. Invalid INVALID_NUMBER,
	// NotFound NUMBER_NOT_ALLOTTED.
	Lookup(ctx context.Context, org tenant.OrgID, number string) (series.Series, error)
	// Next draws numbers. Invalid CLIENT_HUB_CODE_NOT_PRESENT,
	// ITEM_CODE_NOT_PRESENT, INVALID_COUNT; Conflict SERIES_EXHAUSTED.
	Next(ctx context.Context, org tenant.OrgID, r NextRequest) ([]series.Drawn, error)
	// Delete deletes every series in ids or none. Invalid when ids is empty,
	// NotFound SERIES_NOT_FOUND, Conflict SERIES_HAS_DRAWN_NUMBERS.
	Delete(ctx context.Context, org tenant.OrgID, ids []int64) error
}

// Replay is a stored response returned again for a retried write.
type Replay struct {
	Status int
	Body   []byte
}

// IdempotencyService makes writes sent with an Idempotency-Key safe to retry.
type IdempotencyService interface {
	// Begin reserves key for a request with fingerprint. It returns a Replay
	// when the same request already completed; Invalid
	// IDEMPOTENCY_KEY_REUSED when the key was used with another request;
	// Conflict IDEMPOTENCY_KEY_IN_PROGRESS while the first is still running.
	// Otherwise the caller runs the request and calls Finish or Abandon.
	Begin(ctx context.Context, org tenant.OrgID, key string, fingerprint []byte) (*Replay, error)
	// Finish stores the response of the request that reserved key.
	Finish(ctx context.Context, org tenant.OrgID, key string, status int, body []byte) error
	// Abandon forgets the reservation, for responses that must not be
	// replayed (server errors).
	Abandon(ctx context.Context, org tenant.OrgID, key string) error
}

// HealthService reports readiness.
type HealthService interface {
	// Ready returns nil when the service can answer requests, Unavailable
	// otherwise.
	Ready(ctx context.Context) error
}

// Services is every driving port, as the composition root hands them to
// the HTTP, CLI and dashboard adapters.
type Services struct {
	Auth         AuthService
	Orgs         OrgService
	APIKeys      APIKeyService
	Customers    CustomerService
	Hubs         HubService
	ServiceTypes ServiceTypeService
	Series       SeriesService
	Numbers      NumberService
	Idempotency  IdempotencyService
	Health       HealthService
	Enrollment   EnrollmentService
	Operators    OperatorService
	// Orders is the BSS /shipping and /payment modules; nil when the
	// store keeps no orders.
	Orders OrderService
	// Lines is the line lifecycle (retry, cancel, history); nil when the
	// build has none.
	Lines LineService
	// Webhooks manages the organisation's signed webhooks; nil when the
	// build has none.
	Webhooks WebhookService
	// CarrierCallbacks applies the carrier gateway's asynchronous
	// answers; nil when no gateway is configured.
	CarrierCallbacks CarrierCallbackService
	// CarrierSecrets gives organisations carrier secrets of their own;
	// nil when the build has none.
	CarrierSecrets CarrierSecretService
}
