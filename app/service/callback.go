package service

import (
	"context"
	"fmt"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/signature"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

var _ ports.CarrierCallbackService = (*CarrierCallbacks)(nil)

// CarrierCallbacks applies the carrier gateway's asynchronous answers
// (port status changes, late activations) through the lifecycle, so that
// a callback and the worker's poll take the same transitions and raise
// the same webhooks.
type CarrierCallbacks struct {
	lines  *Lifecycle
	orgs   ports.OrgStore
	secret []byte
	clock  ports.Clock
}

// NewCarrierCallbacks returns the callback service checking signatures
// with secret, the one the gateway signs its requests with.
func NewCarrierCallbacks(lines *Lifecycle, orgs ports.OrgStore, secret []byte, clock ports.Clock) *CarrierCallbacks {
	return &CarrierCallbacks{lines: lines, orgs: orgs, secret: secret, clock: clock}
}

// Answer implements ports.CarrierCallbackService. The signature is
// checked first, then the replay window, the organisation and the line.
// An answer that leaves the line where it already is (a repeated
// callback, or one the worker's poll applied first) succeeds without a
// change; one that contradicts where the line went is a Conflict.
func (c *CarrierCallbacks) Answer(ctx context.Context, cb ports.CarrierCallback) (ports.CallbackResult, error) {
	if len(c.secret) == 0 || !signature.BodyValid(c.secret, cb.Body, cb.Signature) {
		return ports.CallbackResult{}, fault.New(fault.Unauthorized, enrollment.ReasonCallbackSignature,
			"the callback's signature does not match its body under the carrier secret")
	}
	if err := enrollment.CheckCallbackTime(cb.SentAt, c.clock.Now()); err != nil {
		return ports.CallbackResult{}, err
	}
	org, err := c.orgs.OrgByCode(ctx, cb.OrgCode)
	if err != nil {
		return ports.CallbackResult{}, err
	}
	keyOrg, id, err := enrollment.ParseActivationKey(cb.Key)
	if err != nil {
		return ports.CallbackResult{}, err
	}
	if tenant.OrgID(keyOrg) != org.ID {
		// Another organisation's line is, to this one, no line at all.
		return ports.CallbackResult{}, lineNotFound(id)
	}
	st, err := c.lines.lines.LineState(ctx, org.ID, id)
	if err != nil {
		return ports.CallbackResult{}, err
	}
	if cb.Answer.Kind == ports.AnswerAccepted {
		return ports.CallbackResult{Line: st}, nil
	}
	to, err := answerTarget(st.ActivationType, cb.Answer)
	if err != nil {
		return ports.CallbackResult{}, err
	}
	if st.Status == to {
		return ports.CallbackResult{Line: st}, nil
	}
	if _, err := c.lines.answered(ctx, st, cb.Answer); err != nil {
		if fault.ReasonOf(err) == enrollment.ReasonLineTransitionInvalid {
			// The poll may have applied the same answer between the read
			// and the write.
			if now, rerr := c.lines.lines.LineState(ctx, org.ID, id); rerr == nil && now.Status == to {
				return ports.CallbackResult{Line: now}, nil
			}
		}
		return ports.CallbackResult{}, err
	}
	st, err = c.lines.lines.LineState(ctx, org.ID, id)
	if err != nil {
		return ports.CallbackResult{}, err
	}
	return ports.CallbackResult{Applied: true, Line: st}, nil
}

func lineNotFound(id int64) error {
	return fault.Errorf(fault.NotFound, enrollment.ReasonLineNotFound, "line %d not found", id)
}

// answerTarget is the status ans takes a line of type at to from where
// the carrier is working on it (SUBMITTED, or PORT_PENDING for a
// port-in), by the domain's own transitions.
func answerTarget(at enrollment.ActivationType, ans ports.CarrierAnswer) (enrollment.LineStatus, error) {
	from := enrollment.StatusSubmitted
	if at == enrollment.PortIn {
		from = enrollment.StatusPortPending
	}
	var tr enrollment.Transition
	var err error
	switch ans.Kind {
	case ports.AnswerActive:
		tr, err = enrollment.Activate(at, from, "0000000000")
	case ports.AnswerResolutionRequired:
		tr, err = enrollment.RequireResolution(at, from, ans.Reason)
	case ports.AnswerRejected:
		tr, err = enrollment.Fail(at, from, ans.Reason)
	case ports.AnswerCancelled:
		tr, err = enrollment.CancelPort(at, from, ans.Reason)
	default:
		return "", fault.InvalidField("status", "enum", "CALLBACK_STATUS_INVALID",
			fmt.Sprintf("the callback status %q is not one of accepted, active, resolution_required, rejected, cancelled", ans.Kind))
	}
	if err != nil {
		return "", err
	}
	return tr.To, nil
}
