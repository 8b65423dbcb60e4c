package bunstore

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

var _ ports.LineStore = (*Store)(nil)

// ReasonMDNInUse is the Conflict of an activation whose MDN another line of
// the organisation holds (the lines_org_mdn_key index).
const ReasonMDNInUse = "MDN_IN_USE"

// lineStateRow is a line as the lifecycle reads it.
type lineStateRow struct {
	OrgID           int64      `bun:"org_id"`
	CustomerID      int64      `bun:"customer_id"`
	EnrollmentID    string     `bun:"enrollment_id"`
	ActivationType  string     `bun:"activation_type"`
	Status          string     `bun:"status"`
	PlanID          string     `bun:"plan_id"`
	FirstName       string     `bun:"first_name"`
	LastName        string     `bun:"last_name"`
	Details         string     `bun:"details"`
	MDN             *string    `bun:"mdn"`
	MSID            *string    `bun:"msid"`
	CreatedAt       time.Time  `bun:"created_at"`
	StatusChangedAt *time.Time `bun:"status_changed_at"`
}

const lineStateColumns = `org_id, customer_id, enrollment_id, activation_type, status, plan_id, first_name, last_name,
	details, mdn, msid, created_at, status_changed_at`

func (r lineStateRow) state() (ports.LineState, error) {
	var d lineDetails
	if err := json.Unmarshal([]byte(r.Details), &d); err != nil {
		return ports.LineState{}, fault.Wrap(err, "decode line details")
	}
	sim := d.SIM
	if sim == "" {
		sim = d.UICCID
	}
	st := ports.LineState{
		Org: tenant.OrgID(r.OrgID), CustomerID: r.CustomerID, EnrollmentID: r.EnrollmentID,
		ActivationType: enrollment.ActivationType(r.ActivationType), Status: enrollment.LineStatus(r.Status),
		PlanID: r.PlanID, FirstName: r.FirstName, LastName: r.LastName,
		Carrier: d.Carrier, SIM: sim, ESN: d.ESN, ZIP: d.ServiceZip, State: d.ServiceState, PortNumber: d.PortNumber,
		UpdatedAt: r.CreatedAt.UTC(),
	}
	if r.MDN != nil {
		st.MDN = *r.MDN
	}
	if r.MSID != nil {
		st.MSID = *r.MSID
	}
	if r.StatusChangedAt != nil {
		st.UpdatedAt = r.StatusChangedAt.UTC()
	}
	return st, nil
}

func lineNotFound(id int64) error {
	return fault.Errorf(fault.NotFound, enrollment.ReasonLineNotFound, "line %d not found", id)
}

func (s *Store) lineState(ctx context.Context, db bun.IDB, org tenant.OrgID, id int64) (ports.LineState, error) {
	var r lineStateRow
	err := db.NewRaw("SELECT "+lineStateColumns+" FROM lines WHERE org_id = ? AND customer_id = ?", int64(org), id).Scan(ctx, &r)
	if errNoRows(err) {
		return ports.LineState{}, lineNotFound(id)
	}
	if err != nil {
		return ports.LineState{}, err
	}
	return r.state()
}

// LineState returns line id of org. NotFound LINE_NOT_FOUND.
func (s *Store) LineState(ctx context.Context, org tenant.OrgID, id int64) (ports.LineState, error) {
	st, err := s.lineState(ctx, s.db, org, id)
	if err != nil {
		return ports.LineState{}, s.dbError(err, "get line")
	}
	return st, nil
}

// ListLines returns org's lines matching q, by customer id.
func (s *Store) ListLines(ctx context.Context, org tenant.OrgID, q ports.LineQuery) ([]ports.LineState, error) {
	limit, offset := page(q.Query)
	where, args := "org_id = ?", []any{int64(org)}
	if q.Status != "" {
		where += " AND status = ?"
		args = append(args, string(q.Status))
	}
	if term := strings.TrimSpace(q.Search); term != "" {
		// lower() on both sides, as listCodes: neither dialect's LIKE folds
		// case the same way.
		esc := " ESCAPE '" + likeEscape + "'"
		where += " AND (enrollment_id = ? OR mdn = ? OR lower(first_name) LIKE lower(?)" + esc + " OR lower(last_name) LIKE lower(?)" + esc +
			" OR lower(first_name || ' ' || last_name) LIKE lower(?)" + esc + ")"
		p := containsPattern(term)
		args = append(args, strings.ToUpper(term), term, p, p, p)
	}
	args = append(args, limit, offset)
	var rows []lineStateRow
	err := s.ro.NewRaw("SELECT "+lineStateColumns+" FROM lines WHERE "+where+" ORDER BY customer_id LIMIT ? OFFSET ?", args...).Scan(ctx, &rows)
	if err != nil && !errNoRows(err) {
		return nil, s.dbError(err, "list lines")
	}
	out := make([]ports.LineState, 0, len(rows))
	for _, r := range rows {
		st, err := r.state()
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// LineHistory returns line id's transitions, oldest first. NotFound
// LINE_NOT_FOUND when org has no such line.
func (s *Store) LineHistory(ctx context.Context, org tenant.OrgID, id int64) ([]ports.LineEvent, error) {
	if _, err := s.LineState(ctx, org, id); err != nil {
		return nil, err
	}
	var rows []struct {
		Event      string    `bun:"event"`
		FromStatus string    `bun:"from_status"`
		ToStatus   string    `bun:"to_status"`
		Message    string    `bun:"message"`
		At         time.Time `bun:"at"`
	}
	err := s.db.NewRaw("SELECT event, from_status, to_status, message, at FROM line_history WHERE org_id = ? AND customer_id = ? ORDER BY id",
		int64(org), id).Scan(ctx, &rows)
	if err != nil && !errNoRows(err) {
		return nil, s.dbError(err, "line history")
	}
	out := make([]ports.LineEvent, len(rows))
	for i, r := range rows {
		out[i] = ports.LineEvent{At: r.At.UTC(), Transition: enrollment.Transition{
			Event: enrollment.Event(r.Event), From: enrollment.LineStatus(r.FromStatus),
			To: enrollment.LineStatus(r.ToStatus), Message: r.Message,
		}}
	}
	return out, nil
}

// TransitionLine writes t to line id with its history entry and c in one
// transaction, by an update conditional on the line's status still being
// t.From, so that of two writers moving one line only the first succeeds.
// Conflict LINE_TRANSITION_INVALID for the second, MDN_IN_USE when c.MDN is
// another line's; NotFound LINE_NOT_FOUND.
func (s *Store) TransitionLine(ctx context.Context, org tenant.OrgID, id int64, t enrollment.Transition, c ports.LineChange) (ports.LineState, error) {
	var out ports.LineState
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = s.transitionTx(ctx, tx, org, id, t, c)
		return err
	})
	if err != nil {
		return ports.LineState{}, s.dbError(err, "transition line")
	}
	return out, nil
}

// transitionTx is TransitionLine's transaction.
func (s *Store) transitionTx(ctx context.Context, tx bun.Tx, org tenant.OrgID, id int64, t enrollment.Transition, c ports.LineChange) (ports.LineState, error) {
	at := s.now()
	out, err := func() (ports.LineState, error) {
		if t.Event == enrollment.EventActivate && (c.MDN != "" || c.DrawMDN != "") {
			cur, err := s.lineState(ctx, tx, org, id)
			if err != nil {
				return ports.LineState{}, err
			}
			ref := enrollment.StockReference(cur.EnrollmentID)
			if c.MDN != "" {
				if err := s.consumeMDN(ctx, tx, org, c.MDN, ref); err != nil {
					return ports.LineState{}, err
				}
			} else {
				area, err := areaCodeOf(ctx, tx, org, cur.ZIP)
				if err != nil {
					return ports.LineState{}, err
				}
				mdn, err := s.drawMDN(ctx, tx, org, c.DrawMDN, area)
				if err != nil {
					return ports.LineState{}, err
				}
				if t, err = enrollment.Activate(cur.ActivationType, t.From, mdn); err != nil {
					return ports.LineState{}, err
				}
				c.MDN = mdn
				if c.MSID == "" {
					c.MSID = mdn
				}
			}
		}
		res, err := tx.NewRaw(`UPDATE lines SET status = ?, status_changed_at = ?, mdn = COALESCE(?, mdn), msid = COALESCE(?, msid)
			WHERE org_id = ? AND customer_id = ? AND status = ?`,
			string(t.To), at, orNull(c.MDN), orNull(c.MSID), int64(org), id, string(t.From)).Exec(ctx)
		if classify(err) == kindUnique {
			return ports.LineState{}, fault.Errorf(fault.Conflict, ReasonMDNInUse, "the MDN %s is held by another line", c.MDN)
		}
		if err != nil {
			return ports.LineState{}, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return ports.LineState{}, err
		} else if n == 0 {
			cur, err := s.lineState(ctx, tx, org, id)
			if err != nil {
				return ports.LineState{}, err
			}
			return ports.LineState{}, fault.Errorf(fault.Conflict, enrollment.ReasonLineTransitionInvalid,
				"line %d is %s, no longer %s", id, cur.Status, t.From)
		}
		if _, err := tx.NewRaw("INSERT INTO line_history (org_id, customer_id, event, from_status, to_status, message, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			int64(org), id, string(t.Event), string(t.From), string(t.To), t.Message, at).Exec(ctx); err != nil {
			return ports.LineState{}, err
		}
		if enrollment.ReleasesStock(t.To) {
			if err := s.releaseStock(ctx, tx, org, id); err != nil {
				return ports.LineState{}, err
			}
		}
		if c.Enqueue {
			if err := s.enqueueTx(ctx, tx, org, []int64{id}); err != nil {
				return ports.LineState{}, err
			}
		}
		// The webhook deliveries the transition raises join its
		// transaction: no event without its change, no change without
		// its event.
		return s.notifyLineTx(ctx, tx, org, id, t, at)
	}()
	return out, err
}

// ActivateHandover implements ports.LineStore: the line found by
// enrollment id, next's transition, h's device written into the line's
// details, h.ESN consumed from the SIM stock, and the job, in one
// transaction.
func (s *Store) ActivateHandover(ctx context.Context, org tenant.OrgID, h enrollment.HandoverActivation,
	next func(ports.LineState) (enrollment.Transition, error)) (ports.LineState, error) {
	var out ports.LineState
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var r lineStateRow
		err := tx.NewRaw("SELECT "+lineStateColumns+" FROM lines WHERE org_id = ? AND enrollment_id = ?", int64(org), h.EnrollmentID).Scan(ctx, &r)
		if errNoRows(err) {
			return fault.Errorf(fault.NotFound, enrollment.ReasonLineNotFound, "no line has enrollment id %s", h.EnrollmentID)
		}
		if err != nil {
			return err
		}
		st, err := r.state()
		if err != nil {
			return err
		}
		t, err := next(st)
		if err != nil {
			return err
		}
		var d lineDetails
		if err := json.Unmarshal([]byte(r.Details), &d); err != nil {
			return fault.Wrap(err, "decode line details")
		}
		ref := enrollment.StockReference(r.EnrollmentID)
		// The handed-over SIM replaces any the line held before.
		if err := s.releaseSIMs(ctx, tx, org, d, ref); err != nil {
			return err
		}
		d.ESN, d.Carrier = h.ESN, h.Carrier
		if h.DeviceID != "" {
			d.DeviceID = h.DeviceID
		}
		if h.Billing != (enrollment.Address{}) {
			d.BillingAddressOne, d.BillingAddressTwo, d.BillingCity, d.BillingState, d.BillingZip =
				h.Billing.One, h.Billing.Two, h.Billing.City, h.Billing.State, h.Billing.Zip
		}
		js, err := json.Marshal(d)
		if err != nil {
			return fault.Wrap(err, "encode line details")
		}
		if _, err := tx.NewRaw("UPDATE lines SET details = ? WHERE org_id = ? AND customer_id = ?", string(js), int64(org), st.CustomerID).Exec(ctx); err != nil {
			return err
		}
		if err := s.consumeSIMs(ctx, tx, org, []stockClaim{{number: h.ESN, field: "esn", ref: ref}}, 1); err != nil {
			return err
		}
		out, err = s.transitionTx(ctx, tx, org, st.CustomerID, t, ports.LineChange{Enqueue: true})
		return err
	})
	if err != nil {
		return ports.LineState{}, s.dbError(err, "activate handover")
	}
	return out, nil
}
