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
	lines *Lifecycle
	orgs  ports.OrgStore
	keys  ports.CarrierKeys
	clock ports.Clock
}

// NewCarrierCallbacks returns the callback service checking each
// organisation's callbacks with the secret keys gives for it, the one the
// gateway signs its requests with.
func NewCarrierCallbacks(lines *Lifecycle, orgs ports.OrgStore, keys ports.CarrierKeys, clock ports.Clock) *CarrierCallbacks {
	return &CarrierCallbacks{lines: lines, orgs: orgs, keys: keys, clock: clock}
}

// Answer implements ports.CarrierCallbackService. The signature is
// checked first, under the secret of the organisation the URL names, then
// the replay window and the line. An unknown organisation, or one without
// a secret, fails as a bad signature does, so that an unsigned request
// learns nothing. An answer that leaves the line where it already is (a
// repeated callback, or one the worker's poll applied first) succeeds
// without a change; one that contradicts where the line went is a
// Conflict.
func (c *CarrierCallbacks) Answer(ctx context.Context, cb ports.CarrierCallback) (ports.CallbackResult, error) {
	badSignature := fault.New(fault.Unauthorized, enrollment.ReasonCallbackSignature,
		"the callback's signature does not match its body under the organisation's carrier secret")
	org, err := c.orgs.OrgByCode(ctx, cb.OrgCode)
	if fault.CodeOf(err) == fault.NotFound {
		return ports.CallbackResult{}, badSignature
	}
	if err != nil {
		return ports.CallbackResult{}, err
	}
	secret, err := c.keys.CarrierKey(ctx, org.ID)
	if fault.ReasonOf(err) == ReasonCarrierSecretMissing {
		return ports.CallbackResult{}, badSignature
	}
	if err != nil {
		return ports.CallbackResult{}, err
	}
	if !signature.BodyValid(secret, cb.Body, cb.Signature) {
		return ports.CallbackResult{}, badSignature
	}
	if err := enrollment.CheckCallbackTime(cb.SentAt, c.clock.Now()); err != nil {
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
