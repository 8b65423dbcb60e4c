package enrollment

import (
	"fmt"
	"strings"
	"time"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
)

// The statuses a line reaches after it is written (SPEC §2 "Line
// lifecycle"); StatusQueued and StatusAttached are where it starts.
const (
	// StatusSubmitted: the activation was sent to the carrier, which has
	// not answered it yet.
	StatusSubmitted LineStatus = "SUBMITTED"
	// StatusActive: the carrier activated the line; it has its MDN.
	StatusActive LineStatus = "ACTIVE"
	// StatusFailed: the carrier rejected the line, or every attempt of the
	// retry policy failed. An operator retries or cancels it.
	StatusFailed LineStatus = "FAILED"
	// StatusPortPending: a port-in was sent to the carrier, which is
	// working on it with the losing carrier.
	StatusPortPending LineStatus = "PORT_PENDING"
	// StatusPortResolutionRequired: the carrier asks for corrected port
	// data; an operator corrects and retries, or cancels.
	StatusPortResolutionRequired LineStatus = "PORT_RESOLUTION_REQUIRED"
	// StatusCancelled: an operator gave the line up; it is final.
	StatusCancelled LineStatus = "CANCELLED"
)

// Statuses lists every line status, in lifecycle order.
var Statuses = []LineStatus{
	StatusAttached, StatusQueued, StatusSubmitted, StatusPortPending, StatusPortResolutionRequired,
	StatusActive, StatusFailed, StatusCancelled,
}

// ParseLineStatus returns the status named s (upper case). Invalid
// LINE_STATUS_INVALID naming the field status otherwise.
func ParseLineStatus(s string) (LineStatus, error) {
	for _, st := range Statuses {
		if string(st) == s {
			return st, nil
		}
	}
	return "", fault.InvalidField("status", "one of ATTACHED, QUEUED, SUBMITTED, PORT_PENDING, PORT_RESOLUTION_REQUIRED, ACTIVE, FAILED, CANCELLED",
		ReasonLineStatusInvalid, fmt.Sprintf("status %q is not a line status", s))
}

// Event names what happens to a line.
type Event string

// The events of a line's lifecycle, each with its transition function.
const (
	// EventQueue: an attached line is activated (handover_activation).
	EventQueue Event = "queue"
	// EventSubmit: the worker sent the line to the carrier.
	EventSubmit Event = "submit"
	// EventActivate: the carrier activated the line.
	EventActivate Event = "activate"
	// EventFail: the carrier rejected the line, or the retries are spent.
	EventFail Event = "fail"
	// EventRequireResolution: the carrier asks for corrected port data.
	EventRequireResolution Event = "require_resolution"
	// EventRetry: an operator sends a failed or unresolved line again.
	EventRetry Event = "retry"
	// EventCancel: an operator gives a line up.
	EventCancel Event = "cancel"
	// EventPortCancel: the carrier cancelled a pending port-in (the
	// losing carrier or the subscriber withdrew it).
	EventPortCancel Event = "port_cancel"
)

// Events lists every event.
var Events = []Event{EventQueue, EventSubmit, EventActivate, EventFail, EventRequireResolution, EventRetry, EventCancel, EventPortCancel}

// Reasons of the lifecycle's errors.
const (
	ReasonLineTransitionInvalid = "LINE_TRANSITION_INVALID"
	ReasonLineStatusInvalid     = "LINE_STATUS_INVALID"
	ReasonMDNInvalid            = "MDN_INVALID"
	ReasonLineNotFound          = "LINE_NOT_FOUND"
)

// Transition is one change of a line's status, as its history records it.
type Transition struct {
	Event Event
	From  LineStatus
	To    LineStatus
	// Message says what happened, for the line's history and operators.
	Message string
}

// rule is where an event may take a line from, and where it goes.
type rule struct {
	from map[LineStatus]LineStatus
	// portIn, when set, replaces the target for a PORTIN line.
	portIn map[LineStatus]LineStatus
}

// rules is the whole state machine: every allowed (event, from) pair. Any
// pair absent is an invalid transition.
var rules = map[Event]rule{
	EventQueue:  {from: map[LineStatus]LineStatus{StatusAttached: StatusQueued}},
	EventSubmit: {from: map[LineStatus]LineStatus{StatusQueued: StatusSubmitted}, portIn: map[LineStatus]LineStatus{StatusQueued: StatusPortPending}},
	EventActivate: {from: map[LineStatus]LineStatus{StatusSubmitted: StatusActive},
		portIn: map[LineStatus]LineStatus{StatusPortPending: StatusActive}},
	EventFail: {from: map[LineStatus]LineStatus{StatusQueued: StatusFailed, StatusSubmitted: StatusFailed},
		portIn: map[LineStatus]LineStatus{StatusQueued: StatusFailed, StatusPortPending: StatusFailed}},
	EventRequireResolution: {portIn: map[LineStatus]LineStatus{StatusPortPending: StatusPortResolutionRequired}},
	EventRetry: {from: map[LineStatus]LineStatus{StatusFailed: StatusQueued},
		portIn: map[LineStatus]LineStatus{StatusFailed: StatusQueued, StatusPortResolutionRequired: StatusQueued}},
	EventCancel: {from: map[LineStatus]LineStatus{StatusFailed: StatusCancelled, StatusAttached: StatusCancelled},
		portIn: map[LineStatus]LineStatus{StatusFailed: StatusCancelled, StatusAttached: StatusCancelled, StatusPortResolutionRequired: StatusCancelled}},
	EventPortCancel: {portIn: map[LineStatus]LineStatus{StatusPortPending: StatusCancelled, StatusPortResolutionRequired: StatusCancelled}},
}

// target returns where ev takes a line of type at from from, if anywhere.
func target(ev Event, at ActivationType, from LineStatus) (LineStatus, bool) {
	r, ok := rules[ev]
	if !ok {
		return "", false
	}
	m := r.from
	if at == PortIn && r.portIn != nil {
		m = r.portIn
	}
	to, ok := m[from]
	return to, ok
}

// Allowed reports whether ev may happen to a line of type at in status
// from.
func Allowed(ev Event, at ActivationType, from LineStatus) bool {
	_, ok := target(ev, at, from)
	return ok
}

// transition is every transition function's body: the rule, then the
// message.
func transition(ev Event, at ActivationType, from LineStatus, message string) (Transition, error) {
	to, ok := target(ev, at, from)
	if !ok {
		return Transition{}, fault.Errorf(fault.Conflict, ReasonLineTransitionInvalid,
			"a %s line in status %s cannot %s", lineKind(at), from, verb(ev))
	}
	return Transition{Event: ev, From: from, To: to, Message: message}, nil
}

func lineKind(at ActivationType) string {
	if at == PortIn {
		return "port-in"
	}
	return "new-activation"
}

func verb(ev Event) string {
	switch ev {
	case EventQueue:
		return "be activated (only an ATTACHED line can)"
	case EventSubmit:
		return "be submitted to the carrier (only a QUEUED line can)"
	case EventActivate:
		return "become ACTIVE (only a SUBMITTED or PORT_PENDING line can)"
	case EventFail:
		return "fail (only a line on its way to the carrier can)"
	case EventRequireResolution:
		return "require port resolution (only a PORT_PENDING port-in can)"
	case EventRetry:
		return "be retried (only a FAILED line, or a port-in requiring resolution, can)"
	case EventCancel:
		return "be cancelled (only an ATTACHED or FAILED line, or a port-in requiring resolution, can)"
	case EventPortCancel:
		return "have its port cancelled by the carrier (only a PORT_PENDING or PORT_RESOLUTION_REQUIRED port-in can)"
	}
	return string(ev)
}

// Queue activates an attached line: it goes to the carrier's queue.
func Queue(at ActivationType, from LineStatus) (Transition, error) {
	return transition(EventQueue, at, from, "activation requested; queued for the carrier")
}

// Submit records that the worker sent a queued line to the carrier: a new
// activation becomes SUBMITTED, a port-in PORT_PENDING.
func Submit(at ActivationType, from LineStatus) (Transition, error) {
	msg := "activation submitted to the carrier"
	if at == PortIn {
		msg = "port-in submitted to the carrier"
	}
	return transition(EventSubmit, at, from, msg)
}

// Activate records that the carrier activated the line with number mdn (10
// digits). Invalid MDN_INVALID naming the field mdn when it is not.
func Activate(at ActivationType, from LineStatus, mdn string) (Transition, error) {
	if !isDigits(mdn, MDNDigits) {
		return Transition{}, fault.InvalidField("mdn", "10 digits", ReasonMDNInvalid,
			fmt.Sprintf("the MDN %q is not 10 digits", mdn))
	}
	return transition(EventActivate, at, from, "active with MDN "+mdn)
}

// ActivateFromStock records that the carrier activated the line without
// assigning an MDN: the transition is checked now, and Activate settles it
// with the number once it is drawn from the organisation's MDN stock, in
// the same transaction as the write.
func ActivateFromStock(at ActivationType, from LineStatus) (Transition, error) {
	return transition(EventActivate, at, from, "active with an MDN from stock")
}

// Fail records that the carrier rejected the line, or that the retry
// policy is spent, for why.
func Fail(at ActivationType, from LineStatus, why string) (Transition, error) {
	return transition(EventFail, at, from, "failed: "+why)
}

// RequireResolution records that the carrier asks for corrected port data,
// for why.
func RequireResolution(at ActivationType, from LineStatus, why string) (Transition, error) {
	return transition(EventRequireResolution, at, from, "port resolution required: "+why)
}

// Retry sends a failed line, or a port-in whose data an operator
// corrected, to the carrier's queue again.
func Retry(at ActivationType, from LineStatus) (Transition, error) {
	return transition(EventRetry, at, from, "retried by an operator; queued for the carrier")
}

// Cancel gives a line up; it is final.
func Cancel(at ActivationType, from LineStatus) (Transition, error) {
	return transition(EventCancel, at, from, "cancelled by an operator")
}

// CancelPort records that the carrier cancelled a pending port-in, for
// why; it is final, as an operator's cancellation is.
func CancelPort(at ActivationType, from LineStatus, why string) (Transition, error) {
	return transition(EventPortCancel, at, from, "port-in cancelled by the carrier: "+why)
}

// MDNDigits is the length of a line's number (a NANP 10-digit number).
const MDNDigits = 10

// Provisioning's retry policy: exponential backoff from RetryBase doubling
// each attempt up to RetryCap, for at most MaxProvisionAttempts attempts,
// after which the line is FAILED.
const (
	RetryBase            = 2 * time.Second
	RetryCap             = 10 * time.Minute
	MaxProvisionAttempts = 10
)

// CarrierPollDelay is how long the worker waits before asking the carrier
// again about a request it accepted and is still working on.
const CarrierPollDelay = 2 * time.Second

// RetryDelay returns how long to wait after failed attempt (1-based)
// before the next: RetryBase·2^(attempt-1), at most RetryCap.
func RetryDelay(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := RetryBase
	for i := 1; i < attempt; i++ {
		d *= 2
		if d >= RetryCap {
			return RetryCap
		}
	}
	return min(d, RetryCap)
}

// Spent reports whether attempt (1-based) was the last the retry policy
// allows.
func Spent(attempt int) bool { return attempt >= MaxProvisionAttempts }

// MDNItemCode is the item code of the series an organisation keeps its MDN
// stock in.
const MDNItemCode = "MDN"

// MDNStock returns the owner of the number series a line of carrier takes
// its MDN from when the carrier assigns none: the organisation's hub named
// after the carrier (upper case), whose series of item code MDNItemCode
// hold 10-digit numbers.
func MDNStock(carrier string) series.Owner {
	return series.Owner{Kind: series.Hub, Code: strings.ToUpper(carrier)}
}

// ActivationKey returns the key identifying line id's activation at the
// carrier, the same on every attempt.
func ActivationKey(org int64, id int64) string { return fmt.Sprintf("allot-%d-%d", org, id) }
