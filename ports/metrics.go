package ports

import (
	"context"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
)

// AuthAPI names the surface on which an authentication failed: the label
// operators group failures by.
type AuthAPI string

// The surfaces that authenticate callers.
const (
	// AuthSeries is the series API, authenticated by API key.
	AuthSeries AuthAPI = "series"
	// AuthBSS is the BSS enrollment API: vendor credentials, tokens and
	// agents.
	AuthBSS AuthAPI = "bss"
	// AuthDashboard is the dashboard's operator sign-in.
	AuthDashboard AuthAPI = "dashboard"
)

// Metrics receives the business events operators watch. The use cases call
// it where each event happens, after it has happened (a series is counted
// once stored, not when asked for). Implementations must be safe for
// concurrent use and must not block: they run on the request path. Every
// label value passed in is drawn from a bounded set (organisation ids,
// reasons and statuses of the domain), never from free client input.
type Metrics interface {
	// SeriesCreated counts one series stored for org.
	SeriesCreated(org tenant.OrgID)
	// NumbersDrawn counts n numbers handed out to org by a draw.
	NumbersDrawn(org tenant.OrgID, n uint64)
	// NumbersConsumed counts n drawn numbers of org marked consumed (used
	// on a shipment), once number-level inventory records it.
	NumbersConsumed(org tenant.OrgID, n uint64)
	// TokenIssued counts one BSS token stored.
	TokenIssued()
	// TokenConsumed counts one BSS token presented and spent.
	TokenConsumed()
	// AuthFailed counts one refused authentication on api, with the
	// fault reason that refused it (for example WRONG_API_KEY).
	AuthFailed(api AuthAPI, reason string)
	// EnrollmentLineCreated counts one enrollment line stored, by the
	// status it starts in.
	EnrollmentLineCreated(status enrollment.LineStatus)
	// StoreError counts one failure of the database, by the fault code
	// the store returned for it (unavailable, internal).
	StoreError(code fault.Code)
}

// NopMetrics is a Metrics that records nothing: the default of embedders
// and tests that do not watch.
type NopMetrics struct{}

var _ Metrics = NopMetrics{}

// SeriesCreated does nothing.
func (NopMetrics) SeriesCreated(tenant.OrgID) {}

// NumbersDrawn does nothing.
func (NopMetrics) NumbersDrawn(tenant.OrgID, uint64) {}

// NumbersConsumed does nothing.
func (NopMetrics) NumbersConsumed(tenant.OrgID, uint64) {}

// TokenIssued does nothing.
func (NopMetrics) TokenIssued() {}

// TokenConsumed does nothing.
func (NopMetrics) TokenConsumed() {}

// AuthFailed does nothing.
func (NopMetrics) AuthFailed(AuthAPI, string) {}

// EnrollmentLineCreated does nothing.
func (NopMetrics) EnrollmentLineCreated(enrollment.LineStatus) {}

// StoreError does nothing.
func (NopMetrics) StoreError(fault.Code) {}

// StockLevel is the stock of numbers left to draw for one owner and item
// code of an organisation: the sum over its live series.
type StockLevel struct {
	Org       tenant.OrgID
	Owner     series.Owner
	ItemCode  string
	Remaining uint64
}

// StockReader reads the remaining stock across organisations, for
// monitoring.
type StockReader interface {
	// LowestStock returns at most limit owner and item pairs with live
	// series, those with the fewest numbers left first (ties by
	// organisation, owner kind, owner code and item code), and the number
	// of pairs there are in all.
	LowestStock(ctx context.Context, limit int) ([]StockLevel, int, error)
}

// QueueLevel is the provisioning queue across organisations at one moment:
// the lines waiting for the carrier or being submitted, and how long the
// oldest of them has waited.
type QueueLevel struct {
	// Depth counts unfinished provisioning jobs.
	Depth int
	// OldestAge is how long ago the oldest unfinished job was queued; zero
	// when the queue is empty.
	OldestAge time.Duration
}

// QueueReader reads the provisioning queue, for monitoring.
type QueueReader interface {
	// ProvisioningBacklog returns the queue's depth and the age of its
	// oldest job.
	ProvisioningBacklog(ctx context.Context) (QueueLevel, error)
}
