package ports

import (
	"context"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/tenant"
)

// LineState is a line as its lifecycle sees it: status, what the carrier
// needs and what it answered.
type LineState struct {
	Org            tenant.OrgID
	CustomerID     int64
	EnrollmentID   string
	ActivationType enrollment.ActivationType
	Status         enrollment.LineStatus
	PlanID         string
	FirstName      string
	LastName       string
	// Carrier, SIM (ICCID) and ESN are the device's, as enrolled.
	Carrier string
	SIM     string
	ESN     string
	ZIP     string
	// State is the service address's state.
	State string
	// PortNumber is the number a PORTIN line brings, "" otherwise.
	PortNumber string
	// MDN and MSID are the carrier's answer, "" until the line is ACTIVE.
	MDN       string
	MSID      string
	UpdatedAt time.Time
}

// LineEvent is one entry of a line's history: a transition and when.
type LineEvent struct {
	enrollment.Transition
	At time.Time
}

// LineChange is what TransitionLine writes with a transition.
type LineChange struct {
	// MDN and MSID, when set, are stored on the line (activation); an
	// MDN the organisation's MDN stock holds is consumed there in the same
	// transaction.
	MDN, MSID string
	// DrawMDN, when MDN is "" and the transition is an activation, names
	// the carrier whose MDN stock (enrollment.MDNStock) the line's MDN is
	// drawn from in the same transaction; the store then makes the
	// transition with enrollment.Activate and the number drawn, so that no
	// number is drawn for a write that fails.
	DrawMDN string
	// Enqueue inserts a provisioning job for the line in the same
	// transaction (queue, retry).
	Enqueue bool
}

// LineQuery selects lines; zero fields select all.
type LineQuery struct {
	Status enrollment.LineStatus
	// Search, when set, selects the lines whose enrollment id or MDN is
	// Search (enrollment ids compare case-insensitively), or whose first
	// name, last name or both ("first last") contain it, ignoring case.
	Search string
	Query
}

// LineStore keeps lines' lifecycle: status, history and provisioning jobs.
type LineStore interface {
	// LineState returns line id of org. NotFound LINE_NOT_FOUND.
	LineState(ctx context.Context, org tenant.OrgID, id int64) (LineState, error)
	// ListLines returns org's lines matching q, by customer id.
	ListLines(ctx context.Context, org tenant.OrgID, q LineQuery) ([]LineState, error)
	// LineHistory returns line id's transitions, oldest first.
	LineHistory(ctx context.Context, org tenant.OrgID, id int64) ([]LineEvent, error)
	// TransitionLine writes t to line id in one transaction with its
	// history entry and c, only if the line is still in t.From: Conflict
	// LINE_TRANSITION_INVALID when another writer moved it first, NotFound
	// LINE_NOT_FOUND when there is no such line.
	TransitionLine(ctx context.Context, org tenant.OrgID, id int64, t enrollment.Transition, c LineChange) (LineState, error)
	// ActivateHandover, in one transaction, finds the line whose
	// enrollment id is h.EnrollmentID, takes the transition next returns
	// for it (its error aborts everything), records h's device on the
	// line, consumes h.ESN from the SIM stock when the organisation keeps
	// one (as CreateEnrollment does), and queues its provisioning job.
	// NotFound LINE_NOT_FOUND; Invalid SIM_NOT_IN_STOCK; Conflict
	// SIM_IN_USE.
	ActivateHandover(ctx context.Context, org tenant.OrgID, h enrollment.HandoverActivation,
		next func(LineState) (enrollment.Transition, error)) (LineState, error)
}

// AnswerKind is what a carrier said of a line.
type AnswerKind string

// The carrier's answers.
const (
	// AnswerAccepted: the carrier took the request and is working on it;
	// ask again later.
	AnswerAccepted AnswerKind = "accepted"
	// AnswerActive: the line is active, with its MDN (when the carrier
	// assigns one) and MSID.
	AnswerActive AnswerKind = "active"
	// AnswerResolutionRequired: the port-in data must be corrected.
	AnswerResolutionRequired AnswerKind = "resolution_required"
	// AnswerRejected: the carrier refuses the line for good.
	AnswerRejected AnswerKind = "rejected"
	// AnswerCancelled: the carrier cancelled a pending port-in.
	AnswerCancelled AnswerKind = "cancelled"
	// AnswerUnknown: the carrier has no request under this key.
	AnswerUnknown AnswerKind = "unknown"
)

// CarrierAnswer is a carrier's answer about one line.
type CarrierAnswer struct {
	Kind AnswerKind
	// MDN and MSID come with AnswerActive; MDN may be "" when the
	// carrier leaves the number to the organisation's stock.
	MDN, MSID string
	// Reason explains AnswerResolutionRequired, AnswerRejected and
	// AnswerCancelled.
	Reason string
}

// CarrierRequest is an activation or port-in sent to a carrier.
type CarrierRequest struct {
	// Key identifies the line's activation at the carrier, the same on
	// every attempt, so that a retry after a lost answer never activates
	// the line twice.
	Key  string
	Line LineState
	// MDN is the number drawn for the line, when the carrier takes one.
	MDN string
}

// Carrier is the mobile carrier lines are provisioned at. Errors are
// transient (the request is tried again); a refusal is an AnswerRejected.
type Carrier interface {
	// Activate submits a new activation, or a port-in for a PORTIN line.
	// Submitting a key again answers the first submission's state.
	Activate(ctx context.Context, r CarrierRequest) (CarrierAnswer, error)
	// Status returns the state of the request submitted under key;
	// AnswerUnknown when none was.
	Status(ctx context.Context, key string) (CarrierAnswer, error)
}

// LineProvisioner runs one attempt of a line's provisioning job. The job
// queue calls it.
type LineProvisioner interface {
	// Provision moves line id of org towards ACTIVE. It returns a delay
	// after which the job is to run again (the carrier is still working),
	// or 0 when the job is done; an error asks the queue to retry, with
	// backoff, unless attempt (1-based) was the last.
	Provision(ctx context.Context, org tenant.OrgID, id int64, attempt int) (time.Duration, error)
}

// LineService is what operators do with lines.
type LineService interface {
	// Line returns a line with its history. NotFound LINE_NOT_FOUND.
	Line(ctx context.Context, org tenant.OrgID, id int64) (LineState, []LineEvent, error)
	// ListLines returns org's lines matching q.
	ListLines(ctx context.Context, org tenant.OrgID, q LineQuery) ([]LineState, error)
	// Retry queues a FAILED line, or a port-in requiring resolution, for
	// the carrier again. Conflict LINE_TRANSITION_INVALID otherwise.
	Retry(ctx context.Context, org tenant.OrgID, id int64) (LineState, error)
	// Cancel gives a line up. Conflict LINE_TRANSITION_INVALID when its
	// status does not allow it.
	Cancel(ctx context.Context, org tenant.OrgID, id int64) (LineState, error)
	// ActivateHandover activates an ATTACHED line with the device handed
	// over (/handover handover_activation) and returns it, queued for the
	// carrier, with its plan. Invalid naming each bad field; NotFound
	// LINE_NOT_FOUND; Conflict LINE_TRANSITION_INVALID when the line is
	// not ATTACHED, SIM_IN_USE; Unavailable CARD_PAYMENT_UNAVAILABLE.
	ActivateHandover(ctx context.Context, org tenant.OrgID, in enrollment.HandoverInput) (LineState, enrollment.Plan, error)
}

// CarrierSecretStore keeps each organisation's own carrier secret, sealed
// (Sealer), which signs its requests to the carrier gateway and checks
// the gateway's callbacks for it.
type CarrierSecretStore interface {
	// SetCarrierSecret stores sealed as org's carrier secret, replacing
	// the one it had. NotFound ORG_NOT_FOUND.
	SetCarrierSecret(ctx context.Context, org tenant.OrgID, sealed []byte) error
	// CarrierSecret returns org's sealed carrier secret, nil when it has
	// none of its own.
	CarrierSecret(ctx context.Context, org tenant.OrgID) ([]byte, error)
}

// CarrierKeys gives the secret an organisation's carrier traffic is
// signed with: its own, or the deployment's.
type CarrierKeys interface {
	// CarrierKey returns org's signing secret; Unavailable
	// CARRIER_SECRET_MISSING when there is none.
	CarrierKey(ctx context.Context, org tenant.OrgID) ([]byte, error)
}

// CarrierSecretService manages organisations' carrier secrets.
type CarrierSecretService interface {
	// Rotate gives org a new random carrier secret and returns it, to be
	// shown once and given to the carrier; the one it had, or the
	// deployment's, no longer signs for org. Unavailable
	// SECRET_KEY_MISSING without a secret key to seal it; NotFound
	// ORG_NOT_FOUND.
	Rotate(ctx context.Context, org tenant.OrgID) (string, error)
}
