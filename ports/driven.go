package ports

import (
	"context"
	"github.com/allot-io/allot/domain/page"
	"time"

	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
)

// Clock tells the time; use cases never call time.Now themselves.
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function to Clock.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// Query is one page of a listing; the paging rule (default 50 rows, at
// most 1000) is page.Query's.
type Query = page.Query

// CustomerQuery filters customers: Search matches a substring of the code or
// the name, case-insensitively.
type CustomerQuery struct {
	Query
	Search string
}

// SeriesQuery filters series; empty fields do not filter.
type SeriesQuery struct {
	Query
	ClientCode string
	HubCode    string
	ItemCode   string
	Type       series.Type
	// Global selects only the series of the organisation's global pool.
	Global bool
}

// DrawQuery asks for the next Count numbers of an owner's series with an
// item code, optionally only series offering ServiceType.
type DrawQuery struct {
	Owner       series.Owner
	ItemCode    string
	ServiceType string
	Count       uint64
	// Actor is recorded in the history of the series drawn from.
	Actor series.Actor
	// UseGlobal lets the draw go on in the organisation's global pool once
	// Owner's series are exhausted (series.DrawPools), in the same
	// transaction.
	UseGlobal bool
}

// OrgStore stores organisations.
type OrgStore interface {
	// CreateOrg stores o and returns it with ID and CreatedAt set, and in
	// the same transaction seeds its carrier catalogue with
	// enrollment.SeedCarriers. Conflict ALREADY_EXISTS when the code is
	// taken.
	CreateOrg(ctx context.Context, o tenant.Organisation) (tenant.Organisation, error)
	// OrgByCode returns the organisation with code. NotFound ORG_NOT_FOUND.
	OrgByCode(ctx context.Context, code string) (tenant.Organisation, error)
	// OrgByID returns the organisation with id. NotFound ORG_NOT_FOUND.
	OrgByID(ctx context.Context, id tenant.OrgID) (tenant.Organisation, error)
	// ListOrgs returns every organisation ordered by code.
	ListOrgs(ctx context.Context) ([]tenant.Organisation, error)
	// UpdateOrgSettings replaces the settings of the organisation with id.
	// NotFound ORG_NOT_FOUND.
	UpdateOrgSettings(ctx context.Context, id tenant.OrgID, s tenant.Settings) error
	// SetOrgDisabled disables or re-enables the organisation with code and
	// returns it. NotFound ORG_NOT_FOUND.
	SetOrgDisabled(ctx context.Context, code string, disabled bool) (tenant.Organisation, error)
}

// APIKeyStore stores API keys as prefix and hash.
type APIKeyStore interface {
	// CreateAPIKey stores k for org. Conflict ALREADY_EXISTS on a duplicate
	// prefix or hash.
	CreateAPIKey(ctx context.Context, org tenant.OrgID, k tenant.APIKey) error
	// APIKeyByHash returns the key whose hash is hash, revoked or not, and
	// its organisation. NotFound NOT_FOUND.
	APIKeyByHash(ctx context.Context, hash []byte) (tenant.Organisation, tenant.APIKey, error)
	// ListAPIKeys returns org's keys, newest first.
	ListAPIKeys(ctx context.Context, org tenant.OrgID) ([]tenant.APIKey, error)
	// RevokeAPIKey marks org's key with prefix revoked at at. NotFound
	// NOT_FOUND when org has no such key; revoking twice is not an error.
	RevokeAPIKey(ctx context.Context, org tenant.OrgID, prefix string, at time.Time) error
}

// CustomerStore stores an organisation's customers.
type CustomerStore interface {
	// AddCustomer stores c. Conflict ALREADY_EXISTS when the code is taken.
	AddCustomer(ctx context.Context, org tenant.OrgID, c tenant.Customer) (tenant.Customer, error)
	// Customer returns the customer with code. NotFound NOT_FOUND.
	Customer(ctx context.Context, org tenant.OrgID, code string) (tenant.Customer, error)
	// SetCustomerUseGlobal sets the customer's UseGlobal flag and returns
	// the customer. NotFound NOT_FOUND.
	SetCustomerUseGlobal(ctx context.Context, org tenant.OrgID, code string, use bool) (tenant.Customer, error)
	// ListCustomers returns customers matching q, ordered by code.
	ListCustomers(ctx context.Context, org tenant.OrgID, q CustomerQuery) ([]tenant.Customer, error)
}

// HubStore stores an organisation's hubs.
type HubStore interface {
	// AddHub stores h. Conflict ALREADY_EXISTS when the code is taken.
	AddHub(ctx context.Context, org tenant.OrgID, h tenant.Hub) (tenant.Hub, error)
	// Hub returns the hub with code. NotFound NOT_FOUND.
	Hub(ctx context.Context, org tenant.OrgID, code string) (tenant.Hub, error)
	// ListHubs returns the hubs ordered by code.
	ListHubs(ctx context.Context, org tenant.OrgID, q Query) ([]tenant.Hub, error)
}

// ServiceTypeStore stores an organisation's service-type catalogue.
type ServiceTypeStore interface {
	// AddServiceType stores s. Conflict ALREADY_EXISTS when the code is taken.
	AddServiceType(ctx context.Context, org tenant.OrgID, s tenant.ServiceType) (tenant.ServiceType, error)
	// ServiceType returns the entry with code. NotFound NOT_FOUND.
	ServiceType(ctx context.Context, org tenant.OrgID, code string) (tenant.ServiceType, error)
	// ListServiceTypes returns the catalogue ordered by code.
	ListServiceTypes(ctx context.Context, org tenant.OrgID, q Query) ([]tenant.ServiceType, error)
}

// SeriesStore stores series and draws numbers from them. Deleted series are
// invisible to every method.
type SeriesStore interface {
	// InsertSeries stores s (its ID and CreatedAt are assigned) unless it
	// overlaps a series of org with the same prefix and width, whatever the
	// owner or type: then Conflict SERIES_OVERLAP naming the existing range.
	// The rule holds however many processes insert at once. A create entry
	// by ActorFrom(ctx) is written to the history with the series, in the
	// same transaction.
	InsertSeries(ctx context.Context, org tenant.OrgID, s series.Series) (series.Series, error)
	// ListSeries returns the series matching q, oldest first, and the total
	// number that match q ignoring paging.
	ListSeries(ctx context.Context, org tenant.OrgID, q SeriesQuery) ([]series.Series, int, error)
	// SeriesByID returns a series. NotFound SERIES_NOT_FOUND.
	SeriesByID(ctx context.Context, org tenant.OrgID, id int64) (series.Series, error)
	// SeriesHolding returns the series whose range contains n. NotFound
	// NUMBER_NOT_ALLOTTED.
	SeriesHolding(ctx context.Context, org tenant.OrgID, n series.Number) (series.Series, error)
	// DrawNext atomically draws the next q.Count numbers from the owner's
	// matching series, oldest series first, never returning a number twice;
	// with q.UseGlobal it goes on in the global pool's matching series,
	// oldest first, once the owner's are exhausted. When the series hold
	// fewer than q.Count numbers in all it draws nothing and returns
	// Conflict SERIES_EXHAUSTED.
	DrawNext(ctx context.Context, org tenant.OrgID, q DrawQuery) ([]series.Drawn, error)
	// DeleteSeries deletes every series in ids, or none: NotFound
	// SERIES_NOT_FOUND when one does not exist, Conflict
	// SERIES_HAS_DRAWN_NUMBERS when one has had a number drawn. A delete
	// entry by ActorFrom(ctx) per series is written with the deletion.
	DeleteSeries(ctx context.Context, org tenant.OrgID, ids []int64, at time.Time) error
}

// IdempotencyRecord is what a store keeps of a write sent with an
// Idempotency-Key: the fingerprint of the request and, once done, its
// response.
type IdempotencyRecord struct {
	Key         string
	Fingerprint []byte
	Done        bool
	Status      int
	Body        []byte
	CreatedAt   time.Time
}

// IdempotencyStore keeps IdempotencyRecords per organisation and key.
type IdempotencyStore interface {
	// ReserveIdempotencyKey stores rec as pending and returns (rec, true),
	// or returns the record already stored under rec.Key and false. A stored
	// record created before staleBefore is replaced as if absent.
	ReserveIdempotencyKey(ctx context.Context, org tenant.OrgID, rec IdempotencyRecord, staleBefore time.Time) (IdempotencyRecord, bool, error)
	// CompleteIdempotencyKey records the response of a reserved key.
	CompleteIdempotencyKey(ctx context.Context, org tenant.OrgID, key string, status int, body []byte) error
	// ReleaseIdempotencyKey forgets a pending key so that a retry can run.
	ReleaseIdempotencyKey(ctx context.Context, org tenant.OrgID, key string) error
}

// SeriesStores is what the series use cases take: the series, and the
// customers, hubs and service types a series names.
type SeriesStores interface {
	SeriesStore
	CustomerStore
	HubStore
	ServiceTypeStore
}

// NumberStores is what the number-level use cases take: the numbers, the
// series that hold them and the owners they are consumed for.
type NumberStores interface {
	NumberStore
	SeriesStores
}

// Pinger reports whether the database answers: Unavailable when not.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Store is every driven storage port together, as one database provides
// them. Each method is atomic on its own.
type Store interface {
	OrgStore
	APIKeyStore
	CustomerStore
	HubStore
	ServiceTypeStore
	SeriesStore
	NumberStore
	IdempotencyStore
	EnrollmentStores
	OperatorStore
	AttemptStore
	Pinger
	// Close releases the database.
	Close() error
}
