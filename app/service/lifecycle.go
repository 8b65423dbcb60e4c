package service

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

var (
	_ ports.LineProvisioner = (*Lifecycle)(nil)
	_ ports.LineService     = (*Lifecycle)(nil)
)

// Lifecycle moves lines through the domain's state machine: it runs the
// provisioning jobs (ports.LineProvisioner) and operators' retries and
// cancellations (ports.LineService).
type Lifecycle struct {
	lines   ports.LineStore
	plans   ports.PlanStore
	carrier ports.Carrier
	log     *slog.Logger
}

// NewLifecycle returns the lifecycle service over lines and plans,
// provisioning at carrier; an MDN the carrier does not assign is drawn from
// the organisation's MDN stock by the line store, in the transaction that
// activates the line.
func NewLifecycle(lines ports.LineStore, plans ports.PlanStore, carrier ports.Carrier, log *slog.Logger) *Lifecycle {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Lifecycle{lines: lines, plans: plans, carrier: carrier, log: log}
}

// ActivateHandover activates an ATTACHED line with the device handed over
// and returns it, queued for the carrier, with its plan. No payment
// gateway is wired, so CREDIT_CARD is refused (Unavailable
// CARD_PAYMENT_UNAVAILABLE); CASH and SKIP_PAYMENT record nothing more.
func (l *Lifecycle) ActivateHandover(ctx context.Context, org tenant.OrgID, in enrollment.HandoverInput) (ports.LineState, enrollment.Plan, error) {
	h, err := enrollment.ValidateHandover(in, false)
	if err != nil {
		return ports.LineState{}, enrollment.Plan{}, err
	}
	st, err := l.lines.ActivateHandover(ctx, org, h, func(st ports.LineState) (enrollment.Transition, error) {
		return enrollment.Queue(st.ActivationType, st.Status)
	})
	if err != nil {
		return ports.LineState{}, enrollment.Plan{}, err
	}
	p, err := l.plans.Plan(ctx, org, st.PlanID)
	if err != nil && fault.CodeOf(err) != fault.NotFound {
		return ports.LineState{}, enrollment.Plan{}, err
	}
	// A plan deleted since the enrollment leaves the answer without a
	// price rather than failing an activation already written.
	if p.ID == "" {
		p.ID = st.PlanID
	}
	return st, p, nil
}

// Provision runs one attempt of line id's provisioning job: a QUEUED line is
// marked submitted and sent to the carrier; a SUBMITTED or PORT_PENDING
// one (a retry, a poll) is asked about under the same activation key, and
// sent again only when the carrier does not know it, so that a lost answer
// never activates a line twice. A carrier error is returned for the queue
// to retry, unless attempt was the retry policy's last: then the line is
// FAILED. A line in any other status has nothing left to do.
func (l *Lifecycle) Provision(ctx context.Context, org tenant.OrgID, id int64, attempt int) (time.Duration, error) {
	st, err := l.lines.LineState(ctx, org, id)
	if err != nil {
		return 0, err
	}
	key := enrollment.ActivationKey(int64(org), id)
	var ans ports.CarrierAnswer
	switch st.Status {
	case enrollment.StatusQueued:
		tr, err := enrollment.Submit(st.ActivationType, st.Status)
		if err != nil {
			return 0, err
		}
		if st, err = l.lines.TransitionLine(ctx, org, id, tr, ports.LineChange{}); err != nil {
			return 0, err
		}
		ans, err = l.carrier.Activate(ctx, ports.CarrierRequest{Key: key, Line: st})
		if err != nil {
			return 0, l.carrierFailed(ctx, st, attempt, err)
		}
	case enrollment.StatusSubmitted, enrollment.StatusPortPending:
		ans, err = l.carrier.Status(ctx, key)
		if err == nil && ans.Kind == ports.AnswerUnknown {
			ans, err = l.carrier.Activate(ctx, ports.CarrierRequest{Key: key, Line: st})
		}
		if err != nil {
			return 0, l.carrierFailed(ctx, st, attempt, err)
		}
	default:
		return 0, nil
	}
	return l.answered(ctx, st, ans)
}

// carrierFailed returns err for the queue to retry, or, when attempt was
// the last, marks the line FAILED and returns nil.
func (l *Lifecycle) carrierFailed(ctx context.Context, st ports.LineState, attempt int, err error) error {
	if !enrollment.Spent(attempt) {
		return err
	}
	tr, terr := enrollment.Fail(st.ActivationType, st.Status, fmt.Sprintf("the carrier did not answer after %d attempts: %v", attempt, err))
	if terr != nil {
		return terr
	}
	_, terr = l.lines.TransitionLine(ctx, st.Org, st.CustomerID, tr, ports.LineChange{})
	return terr
}

// answered applies the carrier's answer to st.
func (l *Lifecycle) answered(ctx context.Context, st ports.LineState, ans ports.CarrierAnswer) (time.Duration, error) {
	var tr enrollment.Transition
	var err error
	change := ports.LineChange{}
	switch ans.Kind {
	case ports.AnswerAccepted:
		return enrollment.CarrierPollDelay, nil
	case ports.AnswerActive:
		change.MDN, change.MSID = ans.MDN, ans.MSID
		if ans.MDN == "" {
			// The store draws the number and settles the transition with
			// it, in the transaction that writes it.
			change.DrawMDN = st.Carrier
			tr, err = enrollment.ActivateFromStock(st.ActivationType, st.Status)
			break
		}
		if change.MSID == "" {
			change.MSID = ans.MDN
		}
		tr, err = enrollment.Activate(st.ActivationType, st.Status, ans.MDN)
	case ports.AnswerResolutionRequired:
		tr, err = enrollment.RequireResolution(st.ActivationType, st.Status, ans.Reason)
	case ports.AnswerRejected:
		tr, err = enrollment.Fail(st.ActivationType, st.Status, "rejected by the carrier: "+ans.Reason)
	case ports.AnswerCancelled:
		tr, err = enrollment.CancelPort(st.ActivationType, st.Status, ans.Reason)
	default:
		return 0, fault.Errorf(fault.Internal, "", "the carrier answered %q", ans.Kind)
	}
	if err != nil {
		return 0, err
	}
	_, err = l.lines.TransitionLine(ctx, st.Org, st.CustomerID, tr, change)
	if err == nil {
		l.log.InfoContext(ctx, "line transition", "org", int64(st.Org), "customer_id", st.CustomerID, "from", tr.From, "to", tr.To)
	}
	return 0, err
}

// Line returns a line with its history. NotFound LINE_NOT_FOUND.
func (l *Lifecycle) Line(ctx context.Context, org tenant.OrgID, id int64) (ports.LineState, []ports.LineEvent, error) {
	st, err := l.lines.LineState(ctx, org, id)
	if err != nil {
		return ports.LineState{}, nil, err
	}
	h, err := l.lines.LineHistory(ctx, org, id)
	return st, h, err
}

// ListLines returns org's lines matching q.
func (l *Lifecycle) ListLines(ctx context.Context, org tenant.OrgID, q ports.LineQuery) ([]ports.LineState, error) {
	return l.lines.ListLines(ctx, org, q)
}

// Retry queues a FAILED line, or a port-in requiring resolution, for the
// carrier again, with a new provisioning job in the same transaction.
// Conflict LINE_TRANSITION_INVALID otherwise; NotFound LINE_NOT_FOUND.
func (l *Lifecycle) Retry(ctx context.Context, org tenant.OrgID, id int64) (ports.LineState, error) {
	st, err := l.lines.LineState(ctx, org, id)
	if err != nil {
		return ports.LineState{}, err
	}
	tr, err := enrollment.Retry(st.ActivationType, st.Status)
	if err != nil {
		return ports.LineState{}, err
	}
	return l.lines.TransitionLine(ctx, org, id, tr, ports.LineChange{Enqueue: true})
}

// Cancel gives a line up. Conflict LINE_TRANSITION_INVALID when its status
// does not allow it; NotFound LINE_NOT_FOUND.
func (l *Lifecycle) Cancel(ctx context.Context, org tenant.OrgID, id int64) (ports.LineState, error) {
	st, err := l.lines.LineState(ctx, org, id)
	if err != nil {
		return ports.LineState{}, err
	}
	tr, err := enrollment.Cancel(st.ActivationType, st.Status)
	if err != nil {
		return ports.LineState{}, err
	}
	return l.lines.TransitionLine(ctx, org, id, tr, ports.LineChange{})
}
