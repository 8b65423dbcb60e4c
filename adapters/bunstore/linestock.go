package bunstore

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/uptrace/bun"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// A line's SIM and MDN are numbers of the organisation's series, consumed
// and released with the number-level machinery (markTx, drawTx): the mark
// of a consumed number carries the line's enrollment.StockReference, and
// the marks' primary key (series_id, pos) is what makes two lines, in one
// request or two concurrent ones, unable to hold one SIM. On PostgreSQL
// markTx locks the series row first, so a second consumer waits and then
// reads the first's mark.

// stockClaim is one line's SIM.
type stockClaim struct {
	line   int // 0-based, in request order
	number string
	field  string
	// ref is the reference the line consumes it with.
	ref string
}

// simClaims returns the SIMs the lines of e claim, in request order, with
// ids their enrollment ids.
func simClaims(e ports.NewEnrollment, ids []string) []stockClaim {
	var out []stockClaim
	for i, nl := range e.Lines {
		if iccid, field := enrollment.SIMOf(nl.Line); iccid != "" {
			out = append(out, stockClaim{line: i, number: iccid, field: field, ref: enrollment.StockReference(ids[i])})
		}
	}
	return out
}

// keepsSIMStock reads org's sim-stock setting in db.
func keepsSIMStock(ctx context.Context, db bun.IDB, org tenant.OrgID) (bool, error) {
	var keep []bool
	err := db.NewRaw("SELECT sim_stock FROM organisations WHERE id = ?", int64(org)).Scan(ctx, &keep)
	if err != nil && !errNoRows(err) {
		return false, err
	}
	return len(keep) == 1 && keep[0], nil
}

// consumeSIMs consumes the SIMs of claims, of a request of lines lines, in
// tx when org keeps SIM stock: Invalid SIM_INVALID or SIM_NOT_IN_STOCK,
// Conflict SIM_IN_USE, for the first claim (in ICCID order) that fails.
func (s *Store) consumeSIMs(ctx context.Context, tx bun.Tx, org tenant.OrgID, claims []stockClaim, lines int) error {
	if len(claims) == 0 {
		return nil
	}
	keep, err := keepsSIMStock(ctx, tx, org)
	if err != nil || !keep {
		return err
	}
	for _, c := range claims {
		if err := enrollment.CheckICCID(c.line+1, lines, c.number, c.field); err != nil {
			return err
		}
	}
	// One order for every request, so that two requests lock the series
	// of their SIMs in the same order.
	ordered := slices.Clone(claims)
	slices.SortFunc(ordered, func(a, b stockClaim) int { return compareStrings(a.number, b.number) })
	for _, c := range ordered {
		n, err := series.ParseNumber(c.number)
		if err != nil {
			return enrollment.SIMNotInStock(c.line+1, lines, c.number, c.field)
		}
		one, _ := series.NewRange(n, n)
		_, errs, err := s.markTx(ctx, tx, org, ports.MarkRequest{Op: series.Consume, Ranges: []series.Range{one},
			Reference: c.ref, Actor: enrollment.StockActor}, markScope{itemCode: enrollment.SIMItemCode, anyOwner: true})
		if fault.ReasonOf(err) == series.ReasonNumberUsed {
			return enrollment.SIMInUse(c.line+1, lines, c.number, c.field)
		}
		if err != nil {
			return err
		}
		for _, e := range errs {
			if len(e) == 0 {
				continue
			}
			if fault.ReasonOf(e[0]) == series.ReasonNumberUsed {
				return enrollment.SIMInUse(c.line+1, lines, c.number, c.field)
			}
			return enrollment.SIMNotInStock(c.line+1, lines, c.number, c.field)
		}
	}
	return nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// consumeMDN consumes mdn, the number a carrier assigned to the line of
// ref, in org's MDN stock when a series of item code MDN holds it; a number
// outside the stock is the carrier's alone. Conflict MDN_IN_USE when the
// stock has it used or void.
func (s *Store) consumeMDN(ctx context.Context, tx bun.Tx, org tenant.OrgID, mdn, ref string) error {
	n, err := series.ParseNumber(mdn)
	if err != nil {
		return fault.InvalidField("mdn", "10 digits", enrollment.ReasonMDNInvalid, "the MDN "+mdn+" is not a number")
	}
	one, _ := series.NewRange(n, n)
	_, errs, err := s.markTx(ctx, tx, org, ports.MarkRequest{Op: series.Consume, Ranges: []series.Range{one},
		Reference: ref, Actor: enrollment.StockActor}, markScope{itemCode: enrollment.MDNItemCode, anyOwner: true})
	if err != nil {
		return err
	}
	for _, e := range errs {
		for _, x := range e {
			if fault.ReasonOf(x) != series.ReasonNumberFree {
				return fault.Errorf(fault.Conflict, ReasonMDNInUse, "the MDN %s the carrier assigned is not available in stock: %s", mdn, x.Error())
			}
		}
	}
	return nil
}

// drawMDN draws the next MDN of org's stock for carrier in tx: from the
// series of areaCode, when given and any has stock, otherwise from any of
// the carrier's. Conflict SERIES_EXHAUSTED when there is none left.
func (s *Store) drawMDN(ctx context.Context, tx bun.Tx, org tenant.OrgID, carrier, areaCode string) (string, error) {
	q := ports.DrawQuery{Owner: enrollment.MDNStock(carrier), ItemCode: enrollment.MDNItemCode, Count: 1, Actor: enrollment.StockActor}
	args, err := drawArgs(org, q, s.now())
	if err != nil {
		return "", err
	}
	runs, err := s.drawTx(ctx, tx, q, slices.Clone(args), areaCode)
	if areaCode != "" && fault.ReasonOf(err) == series.ReasonExhausted {
		// Stock of the area code is a preference: a line is better
		// activated with another number than not at all.
		runs, err = s.drawTx(ctx, tx, q, args, "")
	}
	if err != nil {
		return "", err
	}
	if len(runs) == 0 {
		return "", fault.Errorf(fault.Internal, "", "MDN draw returned nothing")
	}
	return runs[0].CheckDigit.Full(runs[0].Range.First()).String(), nil
}

// areaCodeOf returns the area code org's service area gives zip, "" when
// it gives none.
func areaCodeOf(ctx context.Context, db bun.IDB, org tenant.OrgID, zip string) (string, error) {
	var codes []string
	err := db.NewRaw("SELECT COALESCE(area_code, '') FROM service_zips WHERE org_id = ? AND zip = ?", int64(org), zip).Scan(ctx, &codes)
	if err != nil && !errNoRows(err) {
		return "", err
	}
	if len(codes) == 0 {
		return "", nil
	}
	return codes[0], nil
}

// releaseHeld returns number to the stock of series of itemCode when the
// line of ref holds it: its mark is used with ref, or, for a number drawn
// (used by the draw pointer, without a mark), when drawn is true. A number
// the line does not hold is left alone.
func (s *Store) releaseHeld(ctx context.Context, tx bun.Tx, org tenant.OrgID, number, itemCode, ref string, drawn bool) error {
	n, err := series.ParseNumber(number)
	if err != nil {
		return nil
	}
	one, _ := series.NewRange(n, n)
	parts, _, _, err := locate(ctx, tx, org, one)
	if err != nil || len(parts) != 1 {
		return err
	}
	rows, err := s.lockSeries(ctx, tx, org, []int64{parts[0].seriesID})
	if err != nil {
		return err
	}
	row, ok := rows[parts[0].seriesID]
	if !ok || row.ItemCode != itemCode {
		return nil
	}
	sr, err := seriesFromRow(row)
	if err != nil {
		return err
	}
	off, _ := sr.Offset(parts[0].serials.First())
	mark, marked, err := runAt(ctx, tx, row.ID, off)
	if err != nil {
		return err
	}
	held := marked && mark.State == string(series.Used) && mark.Reference == ref
	if !marked {
		held = drawn && series.DefaultState(off, uint64(row.Drawn)) == series.Used
	}
	if !held {
		return nil
	}
	_, errs, err := s.markTx(ctx, tx, org, ports.MarkRequest{Op: series.Release, Ranges: []series.Range{one}, Actor: enrollment.StockActor, Reference: ref},
		markScope{itemCode: itemCode, anyOwner: true})
	if err != nil {
		return err
	}
	return series.NumberErrors(slices.Concat(errs...))
}

// releaseSIMs returns to stock whichever of the SIMs a stored line names
// (sim, uiccid, esn) the line of ref holds: a handover may have replaced
// the SIM it was enrolled with.
func (s *Store) releaseSIMs(ctx context.Context, tx bun.Tx, org tenant.OrgID, d lineDetails, ref string) error {
	var done []string
	for _, v := range []string{d.SIM, d.UICCID, d.ESN} {
		if v == "" || slices.Contains(done, v) {
			continue
		}
		done = append(done, v)
		if err := s.releaseHeld(ctx, tx, org, v, enrollment.SIMItemCode, ref, false); err != nil {
			return err
		}
	}
	return nil
}

// releaseStock returns line id's SIM and MDN to stock.
func (s *Store) releaseStock(ctx context.Context, tx bun.Tx, org tenant.OrgID, id int64) error {
	var r lineStateRow
	err := tx.NewRaw("SELECT "+lineStateColumns+" FROM lines WHERE org_id = ? AND customer_id = ?", int64(org), id).Scan(ctx, &r)
	if err != nil {
		return err
	}
	var d lineDetails
	if err := json.Unmarshal([]byte(r.Details), &d); err != nil {
		return fault.Wrap(err, "decode line details")
	}
	ref := enrollment.StockReference(r.EnrollmentID)
	if err := s.releaseSIMs(ctx, tx, org, d, ref); err != nil {
		return err
	}
	if r.MDN != nil {
		return s.releaseHeld(ctx, tx, org, *r.MDN, enrollment.MDNItemCode, ref, true)
	}
	return nil
}

// drainLineSIMs moves the SIMs held in line_sims, which earlier releases
// wrote, into marks of their series in one transaction, then empties it; a
// SIM no SIM series holds any more is dropped.
func (s *Store) drainLineSIMs(ctx context.Context) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var rows []struct {
			OrgID        int64  `bun:"org_id"`
			SIM          string `bun:"sim"`
			EnrollmentID string `bun:"enrollment_id"`
		}
		err := tx.NewRaw("SELECT ls.org_id, ls.sim, l.enrollment_id FROM line_sims AS ls JOIN lines AS l ON l.customer_id = ls.customer_id ORDER BY ls.sim").Scan(ctx, &rows)
		if err != nil && !errNoRows(err) {
			return s.dbError(err, "read line SIMs")
		}
		for _, r := range rows {
			n, err := series.ParseNumber(r.SIM)
			if err != nil {
				continue
			}
			one, _ := series.NewRange(n, n)
			if _, _, err := s.markTx(ctx, tx, tenant.OrgID(r.OrgID), ports.MarkRequest{Op: series.Consume, Ranges: []series.Range{one},
				Reference: enrollment.StockReference(r.EnrollmentID), Actor: enrollment.StockActor},
				markScope{itemCode: enrollment.SIMItemCode, anyOwner: true}); err != nil {
				return s.dbError(err, "move line SIMs")
			}
		}
		if len(rows) > 0 {
			if _, err := tx.NewRaw("DELETE FROM line_sims").Exec(ctx); err != nil {
				return s.dbError(err, "move line SIMs")
			}
		}
		return nil
	})
}
