package bunstore

import (
	"context"
	"errors"
	"slices"

	"github.com/uptrace/bun"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// SIM stock over the series machinery: an organisation keeps SIM stock
// when it has a live series of item code enrollment.SIMItemCode; a line's
// SIM must then lie in one, and is consumed by a row of line_sims, whose
// primary key (org, sim) lets one line only hold it. This stands in for
// issue 14's number-level consume; claimSIMs is the one place to bind it.

// errSIMUsed reports that inserting a line's SIM met another line's; which
// one is read once the transaction is over.
var errSIMUsed = errors.New("a SIM of the request is held by another line")

// simClaim is one line's SIM.
type simClaim struct {
	line  int // 0-based, in request order
	iccid string
	field string
}

// simClaims returns the SIMs the lines of e claim, in request order.
func simClaims(e ports.NewEnrollment) []simClaim {
	var out []simClaim
	for i, nl := range e.Lines {
		if iccid, field := enrollment.SIMOf(nl.Line); iccid != "" {
			out = append(out, simClaim{line: i, iccid: iccid, field: field})
		}
	}
	return out
}

// checkSIMStock returns whether org keeps SIM stock and, when it does,
// Invalid SIM_NOT_IN_STOCK for the first claim in none of its SIM series.
func checkSIMStock(ctx context.Context, tx bun.IDB, org tenant.OrgID, claims []simClaim, lines int) (bool, error) {
	if len(claims) == 0 {
		return false, nil
	}
	var n int
	if err := tx.NewRaw("SELECT COUNT(*) FROM series WHERE org_id = ? AND item_code = ? AND deleted_at IS NULL",
		int64(org), enrollment.SIMItemCode).Scan(ctx, &n); err != nil {
		return false, err
	}
	if n == 0 {
		return false, nil
	}
	for _, c := range claims {
		num, err := series.ParseNumber(c.iccid)
		if err != nil {
			return true, enrollment.SIMNotInStock(c.line+1, lines, c.iccid, c.field)
		}
		// Series of one prefix and width never overlap: the only
		// candidate is the one with the greatest first number not after
		// the SIM.
		var last []string
		err = tx.NewRaw(`SELECT last_digits FROM series WHERE org_id = ? AND item_code = ? AND prefix = ? AND width = ?
			AND deleted_at IS NULL AND first_digits <= ? ORDER BY first_digits DESC LIMIT 1`,
			int64(org), enrollment.SIMItemCode, num.Prefix(), num.Width(), num.Digits()).Scan(ctx, &last)
		if err != nil && !errNoRows(err) {
			return true, err
		}
		if len(last) == 0 || last[0] < num.Digits() {
			return true, enrollment.SIMNotInStock(c.line+1, lines, c.iccid, c.field)
		}
	}
	return true, nil
}

// claimSIMs consumes the claims of the stored lines (customer ids in
// request order) in tx; errSIMUsed when another line holds one.
func claimSIMs(ctx context.Context, tx bun.Tx, org tenant.OrgID, claims []simClaim, customers []int64) error {
	if len(claims) == 0 {
		return nil
	}
	args := make([]any, 0, 3*len(claims))
	for _, c := range claims {
		args = append(args, int64(org), c.iccid, customers[c.line])
	}
	_, err := tx.NewRaw("INSERT INTO line_sims (org_id, sim, customer_id) VALUES "+placeholders(len(claims), 3), args...).Exec(ctx)
	if classify(err) == kindUnique {
		return errSIMUsed
	}
	return err
}

// simUsed returns the Conflict SIM_IN_USE of the first claim another line
// holds.
func (s *Store) simUsed(ctx context.Context, org tenant.OrgID, claims []simClaim, lines int) error {
	iccids := make([]string, len(claims))
	for i, c := range claims {
		iccids[i] = c.iccid
	}
	var held []string
	err := s.db.NewRaw("SELECT sim FROM line_sims WHERE org_id = ? AND sim IN (?)", int64(org), bun.List(iccids)).Scan(ctx, &held)
	if err != nil && !errNoRows(err) {
		return err
	}
	for _, c := range claims {
		if slices.Contains(held, c.iccid) {
			return enrollment.SIMInUse(c.line+1, lines, c.iccid, c.field)
		}
	}
	// Released again since: still, the request met a held SIM.
	return &fault.Error{Code: fault.Conflict, Reason: enrollment.ReasonSIMInUse, Message: errSIMUsed.Error(), Err: errSIMUsed}
}

// releaseSIM returns line id's SIM to stock.
func releaseSIM(ctx context.Context, tx bun.Tx, org tenant.OrgID, id int64) error {
	_, err := tx.NewRaw("DELETE FROM line_sims WHERE org_id = ? AND customer_id = ?", int64(org), id).Exec(ctx)
	return err
}
