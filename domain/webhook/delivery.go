package webhook

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/signature"
)

// Headers of a delivery. A receiver checks SignatureHeader and
// TimestampHeader with Verify, and may drop a DeliveryHeader it has
// already processed (a retry after a lost answer sends it again).
const (
	SignatureHeader = "Allot-Signature"
	TimestampHeader = "Allot-Timestamp"
	EventHeader     = "Allot-Event"
	DeliveryHeader  = "Allot-Delivery"
)

// ReplayWindow is how far a delivery's timestamp may be from the
// receiver's clock: Verify refuses older (and further future) requests,
// so that a captured request cannot be replayed later. Each attempt is
// signed when it is sent, so retries stay inside the window.
const ReplayWindow = 5 * time.Minute

// Notice is one event to deliver: its type and its JSON body, fixed when
// the event happens so that every attempt sends the same bytes.
type Notice struct {
	Event EventType
	Body  []byte
}

// newNotice encodes an event's body: {"type", "org_id", "occurred_at",
// "data"}. A map marshals with sorted keys, so the body is stable.
func newNotice(ev EventType, org int64, at time.Time, data map[string]any) Notice {
	body, err := json.Marshal(map[string]any{
		"type": string(ev), "org_id": org, "occurred_at": at.UTC().Format(time.RFC3339Nano), "data": data,
	})
	if err != nil {
		// Only strings, numbers and nested maps of them reach here.
		panic("webhook: encode notice: " + err.Error())
	}
	return Notice{Event: ev, Body: body}
}

// Line is what a line event tells about the line, after its transition.
type Line struct {
	Org            int64
	CustomerID     int64
	EnrollmentID   string
	ActivationType enrollment.ActivationType
	MDN            string
}

// isPortStatus reports whether st is one of a port-in's own statuses.
func isPortStatus(st enrollment.LineStatus) bool {
	return st == enrollment.StatusPortPending || st == enrollment.StatusPortResolutionRequired
}

// LineNotices returns the events transition t of line l raises at at:
// line.activated when it reaches ACTIVE, line.failed when it reaches
// FAILED, and port.status_changed when a port-in enters or leaves a port
// status (so a port-in that becomes ACTIVE raises both).
func LineNotices(l Line, t enrollment.Transition, at time.Time) []Notice {
	data := map[string]any{
		"customer_id": l.CustomerID, "enrollment_id": l.EnrollmentID, "activation_type": string(l.ActivationType),
		"from": string(t.From), "status": string(t.To), "message": t.Message,
	}
	if l.MDN != "" {
		data["mdn"] = l.MDN
	}
	var out []Notice
	if l.ActivationType == enrollment.PortIn && (isPortStatus(t.From) || isPortStatus(t.To)) {
		out = append(out, newNotice(PortStatusChanged, l.Org, at, data))
	}
	switch t.To {
	case enrollment.StatusActive:
		out = append(out, newNotice(LineActivated, l.Org, at, data))
	case enrollment.StatusFailed:
		out = append(out, newNotice(LineFailed, l.Org, at, data))
	}
	return out
}

// StockCrossed reports whether a draw or consume that took available
// stock from before to after crossed threshold level: from above it to at
// or below it. Stock already low stays quiet, so a receiver hears of each
// fall once.
func StockCrossed(before, after, level uint64) bool { return before > level && after <= level }

// StockNotice returns the stock.low event of owner's item, now at
// available against level.
func StockNotice(org int64, owner series.Owner, item string, available, level uint64, at time.Time) Notice {
	data := map[string]any{
		"owner_kind": string(owner.Kind), "owner_code": owner.Code, "item_code": item,
		"available": available, "threshold": level,
	}
	return newNotice(StockLow, org, at, data)
}

// Sign returns the SignatureHeader value of body sent at ts under secret:
// "v1=" and the hex HMAC-SHA256 of "<unix seconds>.<body>"
// (signature.Timed).
func Sign(secret []byte, ts time.Time, body []byte) string { return signature.Timed(secret, ts, body) }

// Verify is what a receiver runs on each delivery: signatureHeader and
// timestampHeader are the request's SignatureHeader and TimestampHeader,
// body its raw body, now the receiver's clock. It returns nil when the
// signature is body's under secret and the timestamp is within
// ReplayWindow of now; otherwise an Unauthorized error:
// SIGNATURE_INVALID, or TIMESTAMP_STALE for a request too old (a replay)
// or too far ahead. Compare against the raw bytes received, before any
// JSON decoding.
func Verify(secret []byte, signatureHeader, timestampHeader string, body []byte, now time.Time) error {
	unix, err := strconv.ParseInt(strings.TrimSpace(timestampHeader), 10, 64)
	if err != nil {
		return fault.Errorf(fault.Unauthorized, ReasonSignatureInvalid, "the %s header %q is not Unix seconds", TimestampHeader, timestampHeader)
	}
	if !signature.TimedValid(secret, strconv.FormatInt(unix, 10), body, strings.TrimSpace(signatureHeader)) {
		return fault.Errorf(fault.Unauthorized, ReasonSignatureInvalid, "the %s does not match the body and timestamp", SignatureHeader)
	}
	if d := now.Sub(time.Unix(unix, 0)); d > ReplayWindow || d < -ReplayWindow {
		return fault.Errorf(fault.Unauthorized, ReasonTimestampStale,
			"the delivery was signed %s from now, outside the %s replay window", d.Round(time.Second), ReplayWindow)
	}
	return nil
}

// Status is where a delivery stands.
type Status string

// The delivery statuses.
const (
	// Pending: not attempted yet.
	Pending Status = "pending"
	// Retrying: an attempt failed; another is scheduled.
	Retrying Status = "retrying"
	// Delivered: the receiver answered 2xx.
	Delivered Status = "delivered"
	// Failed: every attempt of the schedule failed; no more are made.
	Failed Status = "failed"
)

// The retry schedule: exponential backoff from RetryBase, doubling up to
// RetryCap, for at most MaxAttempts attempts (about 4 hours in all).
const (
	RetryBase   = 10 * time.Second
	RetryCap    = time.Hour
	MaxAttempts = 10
)

// RetryDelay returns the wait after failed attempt (1-based):
// RetryBase·2^(attempt-1), at most RetryCap.
func RetryDelay(attempt int) time.Duration {
	d := RetryBase
	for i := 1; i < attempt; i++ {
		d *= 2
		if d >= RetryCap {
			return RetryCap
		}
	}
	return d
}

// Delivery is one event sent to one webhook, with its log.
type Delivery struct {
	ID        int64
	WebhookID int64
	Event     EventType
	Body      []byte
	Status    Status
	Attempts  int
	// LastError says why the last attempt failed; "" after a success.
	LastError string
	// ResponseCode is the receiver's last HTTP status; 0 when none
	// answered.
	ResponseCode int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Attempt is the outcome of one delivery attempt, as the log records it.
type Attempt struct {
	// Number is the attempt's number, 1-based.
	Number       int
	Status       Status
	ResponseCode int
	Error        string
	At           time.Time
}

// Outcome judges attempt number n: code is the receiver's HTTP status (0
// when none answered) and sendErr the transport's error. A 2xx is
// Delivered; a redirect is a failure (a delivery goes only where it was
// configured to); anything else fails, Retrying until MaxAttempts, then
// Failed.
func Outcome(n, code int, sendErr error, at time.Time) Attempt {
	a := Attempt{Number: n, ResponseCode: code, At: at}
	switch {
	case sendErr != nil:
		a.Error = sendErr.Error()
	case code >= 200 && code < 300:
		a.Status = Delivered
		return a
	case code >= 300 && code < 400:
		a.Error = fmt.Sprintf("HTTP %d: redirect not followed", code)
	default:
		a.Error = fmt.Sprintf("HTTP %d", code)
	}
	a.Status = Retrying
	if n >= MaxAttempts {
		a.Status = Failed
	}
	return a
}

// TakenFromStock returns, by series id, how many numbers entries took out
// of available stock: those that were Available before and are not after
// (a consume or a void ahead of the draw pointer). A draw takes every
// number it returns.
func TakenFromStock(entries []series.Entry) map[int64]uint64 {
	out := map[int64]uint64{}
	for _, e := range entries {
		if e.Before == series.Available && e.After != series.Available {
			out[e.SeriesID] += e.Count
		}
	}
	return out
}
