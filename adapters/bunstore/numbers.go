package bunstore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// Number-level state is kept as marks for the numbers whose state differs
// from the default the draw pointer gives them (series.DefaultState),
// stored as runs (series_runs rows, runs.go): one per maximal run of
// consecutive marked numbers with one state and reference. series.next_mark
// is the lowest offset of a mark at or ahead of the pointer. Every writer of
// marks locks the series row first and keeps next_mark in step; a draw's
// single-statement fast path is guarded by next_mark, a column of the row it
// updates, so that PostgreSQL's re-check of an updated row sees a
// concurrent consume. No two runs of a series overlap (PostgreSQL's
// exclusion constraint, SQLite's trigger): the database's own guarantee
// that a number has one state.

// belowMarks is the fast draw's guard: the ?0 numbers taken from the
// pointer include no mark.
const belowMarks = "AND (next_mark IS NULL OR drawn + ?0 <= next_mark)"

// noUsedMarks is the delete's guard: no number of the series was consumed.
const noUsedMarks = "NOT EXISTS (SELECT 1 FROM series_runs AS n WHERE n.series_id = series.id AND n.state = 'used')"

// auditRow is a history entry.
type auditRow struct {
	bun.BaseModel `bun:"table:series_audit,alias:sa"`

	ID          int64     `bun:"id,pk,autoincrement"`
	OrgID       int64     `bun:"org_id,notnull"`
	SeriesID    int64     `bun:"series_id,notnull"`
	At          time.Time `bun:"at,notnull"`
	Actor       string    `bun:"actor,notnull"`
	Action      string    `bun:"action,notnull"`
	FirstPos    int64     `bun:"first_pos,notnull"`
	Count       int64     `bun:"count,notnull"`
	BeforeState string    `bun:"before_state,notnull"`
	AfterState  string    `bun:"after_state,notnull"`
	Reference   string    `bun:"reference,notnull"`
}

type thresholdRow struct {
	bun.BaseModel `bun:"table:stock_thresholds,alias:th"`

	OrgID     int64  `bun:"org_id,pk"`
	OwnerKind string `bun:"owner_kind,pk"`
	OwnerCode string `bun:"owner_code,pk"`
	ItemCode  string `bun:"item_code,pk"`
	Level     int64  `bun:"level,notnull"`
}

// writeChunk bounds the rows of one multi-row statement.
const writeChunk = 500

// lockClause is what a SELECT appends to lock the rows it reads until the
// transaction ends: FOR UPDATE on PostgreSQL; nothing on SQLite, whose one
// connection serialises transactions.
func (s *Store) lockClause() string { return s.dialect.lockClause() }

// holdersOf returns the live series of org, oldest range first, that share
// a number with r: the one with the greatest first number not after r's
// first, if it reaches r, and those starting inside r. Both are probes of
// the range index, not scans.
func holdersOf(ctx context.Context, db bun.IDB, org tenant.OrgID, r series.Range) ([]seriesRow, error) {
	var before []seriesRow
	err := db.NewRaw("SELECT "+seriesColumns+` FROM series
		WHERE org_id = ? AND prefix = ? AND width = ? AND deleted_at IS NULL AND first_digits <= ?
		ORDER BY first_digits DESC LIMIT 1`,
		int64(org), r.Prefix(), r.Width(), r.First().Digits()).Scan(ctx, &before)
	if err != nil && !errNoRows(err) {
		return nil, err
	}
	var out []seriesRow
	if len(before) == 1 && before[0].LastDigits >= r.First().Digits() {
		out = before
	}
	if r.First() == r.Last() {
		return out, nil
	}
	var inside []seriesRow
	err = db.NewRaw("SELECT "+seriesColumns+` FROM series
		WHERE org_id = ? AND prefix = ? AND width = ? AND deleted_at IS NULL AND first_digits > ? AND first_digits <= ?
		ORDER BY first_digits`,
		int64(org), r.Prefix(), r.Width(), r.First().Digits(), r.Last().Digits()).Scan(ctx, &inside)
	if err != nil && !errNoRows(err) {
		return nil, err
	}
	return append(out, inside...), nil
}

// part is the run of a request's numbers that one series holds, as
// serials; req is the index of the range of the request it came from.
type part struct {
	seriesID int64
	serials  series.Range
	req      int
}

// locate finds the series holding the numbers of r, written as clients
// write them. Numbers of series without a check digit are found as they
// are; otherwise r's numbers are read as serial and check digit, and the
// digits of r's first and last numbers checked by the series' scheme. It
// returns the parts found and, as errors, every run of r no series holds
// and every wrong check digit.
func locate(ctx context.Context, db bun.IDB, org tenant.OrgID, r series.Range) ([]part, []error, []holder, error) {
	rows, err := holdersOf(ctx, db, org, r)
	if err != nil {
		return nil, nil, nil, err
	}
	rows = slices.DeleteFunc(rows, func(row seriesRow) bool { return series.Scheme(row.CheckDigit) != series.NoCheck })
	serials := r
	if len(rows) == 0 {
		if sr, ok := checkedRange(r); ok {
			held, err := holdersOf(ctx, db, org, sr)
			if err != nil {
				return nil, nil, nil, err
			}
			held = slices.DeleteFunc(held, func(row seriesRow) bool { return series.Scheme(row.CheckDigit) == series.NoCheck })
			if len(held) > 0 {
				rows, serials = held, sr
			}
		}
	}
	var parts []part
	var covered []series.Range
	var errs []error
	var found []holder
	for _, row := range rows {
		rng, err := rangeOf(row.Prefix, row.FirstDigits, row.LastDigits)
		if err != nil {
			return nil, nil, nil, err
		}
		found = append(found, holder{id: row.ID, rng: rng, sc: series.Scheme(row.CheckDigit)})
		in, ok := serials.Intersect(rng)
		if !ok {
			continue
		}
		if sc := series.Scheme(row.CheckDigit); sc != series.NoCheck {
			bad := false
			for _, n := range []series.Number{r.First(), r.Last()} {
				if _, err := sc.Serial(n); err != nil && !bad {
					errs = append(errs, err)
					bad = true
				}
			}
			if bad {
				covered = append(covered, in)
				continue
			}
		}
		parts = append(parts, part{seriesID: row.ID, serials: in})
		covered = append(covered, in)
	}
	for _, g := range serials.Gaps(covered) {
		if g.First() == g.Last() {
			errs = append(errs, fault.Errorf(fault.Invalid, series.ReasonNumberFree, "number %s is not allotted", g.First()))
		} else {
			errs = append(errs, fault.Errorf(fault.Invalid, series.ReasonNumberFree, "numbers %s are not allotted", g))
		}
	}
	return parts, errs, found, nil
}

// holder is a live series a request's numbers were found in.
type holder struct {
	id  int64
	rng series.Range
	sc  series.Scheme
}

// maxKnown bounds the series a locator remembers.
const maxKnown = 256

// locator locates the numbers of one request, remembering the series it
// found, so that a request naming many numbers of few series (scanned
// labels of one roll) costs a query per series, not per number.
type locator struct {
	db    bun.IDB
	org   tenant.OrgID
	known []holder
}

func (l *locator) locate(ctx context.Context, r series.Range) ([]part, []error, error) {
	if r.First() == r.Last() {
		if p, ok, err := l.cached(r.First()); ok {
			if err != nil {
				return nil, []error{err}, nil
			}
			return []part{p}, nil, nil
		}
	}
	parts, errs, found, err := locate(ctx, l.db, l.org, r)
	if err != nil {
		return nil, nil, err
	}
	l.known = append(l.known, found...)
	if len(l.known) > maxKnown {
		l.known = l.known[len(l.known)-maxKnown:]
	}
	return parts, errs, nil
}

// cached finds the remembered series holding the single number n, as
// written with its check digit when the series has a scheme; as locate
// does, a series holding n as it is comes first.
func (l *locator) cached(n series.Number) (p part, found bool, err error) {
	for _, h := range l.known {
		if h.sc == series.NoCheck && h.rng.Contains(n) {
			one, _ := series.NewRange(n, n)
			return part{seriesID: h.id, serials: one}, true, nil
		}
	}
	for _, h := range l.known {
		if h.sc == series.NoCheck {
			continue
		}
		if serial, ok := series.SplitCheck(n); ok && h.rng.Contains(serial) {
			if _, err := h.sc.Serial(n); err != nil {
				return part{}, true, err
			}
			one, _ := series.NewRange(serial, serial)
			return part{seriesID: h.id, serials: one}, true, nil
		}
	}
	return part{}, false, nil
}

// checkedRange returns the serials of r's numbers read as serial and check
// digit.
func checkedRange(r series.Range) (series.Range, bool) {
	f, ok1 := series.SplitCheck(r.First())
	l, ok2 := series.SplitCheck(r.Last())
	if !ok1 || !ok2 {
		return series.Range{}, false
	}
	sr, err := series.NewRange(f, l)
	return sr, err == nil
}

// lockSeries reads and locks the live series of ids, in id order so that
// concurrent requests lock in one order.
func (s *Store) lockSeries(ctx context.Context, tx bun.Tx, org tenant.OrgID, ids []int64) (map[int64]seriesRow, error) {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var rows []seriesRow
	err := tx.NewRaw("SELECT "+seriesColumns+" FROM series WHERE org_id = ? AND id IN (?) AND deleted_at IS NULL ORDER BY id"+s.lockClause(),
		int64(org), bun.List(ids)).Scan(ctx, &rows)
	if err != nil && !errNoRows(err) {
		return nil, err
	}
	out := make(map[int64]seriesRow, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

// marksOf adds to into the marks of the offsets of ws of a series: the
// states of the runs read, for the offsets the windows name only.
func marksOf(ctx context.Context, db bun.IDB, seriesID int64, ws []window, into map[uint64]series.State) error {
	runs, err := runsNear(ctx, db, seriesID, ws)
	if err != nil {
		return err
	}
	for _, w := range ws {
		// Runs are ascending: the first that may overlap w is found by
		// search, and the walk stops past w.
		i, _ := slices.BinarySearchFunc(runs, w.lo, func(r runRow, lo int64) int { return compareI64(r.LastPos, lo) })
		for ; i < len(runs) && runs[i].FirstPos <= w.hi; i++ {
			for off := max(runs[i].FirstPos, w.lo); off <= min(runs[i].LastPos, w.hi); off++ {
				into[uint64(off)] = series.State(runs[i].State)
			}
		}
	}
	return nil
}

// MarkNumbers implements ports.NumberStore. In one transaction it locates
// every number, locks the series holding them, plans every change with
// series.PlanMarks, and writes the marks, the series' next_mark and the
// history, or nothing when any number fails.
func (s *Store) MarkNumbers(ctx context.Context, org tenant.OrgID, req ports.MarkRequest) ([]series.Entry, error) {
	if len(req.Ranges) == 0 {
		return nil, fault.New(fault.Invalid, series.ReasonNumbersMissing, "no numbers were given")
	}
	var entries []series.Entry
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var errs [][]error
		var err error
		entries, errs, err = s.markTx(ctx, tx, org, req, markScope{})
		if err != nil {
			return err
		}
		return series.NumberErrors(slices.Concat(errs...))
	})
	if err != nil {
		return nil, s.dbError(err, "mark numbers")
	}
	return entries, nil
}

// markScope narrows what markTx may change, for the stock of lines.
type markScope struct {
	// itemCode, when set, admits only series of that item code: a number
	// of another is as if no series held it.
	itemCode string
	// anyOwner acts on a series of whichever owner holds it (a line's
	// stock is its organisation's), not only on req.Owner's.
	anyOwner bool
}

// markTx is MarkNumbers' work in tx: it returns the history entries
// written, or, when any number fails, every failure by the index of the
// range of req it came from, and writes nothing.
func (s *Store) markTx(ctx context.Context, tx bun.Tx, org tenant.OrgID, req ports.MarkRequest, scope markScope) ([]series.Entry, [][]error, error) {
	at := s.timeOr(req.At)
	var entries []series.Entry
	var parts []part
	// Errors are reported in the order of the request's numbers.
	errs := make([][]error, len(req.Ranges))
	loc := &locator{db: tx, org: org}
	for i, r := range req.Ranges {
		ps, es, err := loc.locate(ctx, r)
		if err != nil {
			return nil, nil, err
		}
		for j := range ps {
			ps[j].req = i
		}
		parts = append(parts, ps...)
		errs[i] = es
	}
	ids := make([]int64, 0, len(parts))
	for _, p := range parts {
		ids = append(ids, p.seriesID)
	}
	locked := map[int64]seriesRow{}
	if len(ids) > 0 {
		var err error
		if locked, err = s.lockSeries(ctx, tx, org, ids); err != nil {
			return nil, nil, err
		}
	}
	if scope.itemCode != "" {
		maps.DeleteFunc(locked, func(_ int64, r seriesRow) bool { return r.ItemCode != scope.itemCode })
	}
	type planned struct {
		row     seriesRow
		sr      series.Series
		marks   map[uint64]series.State
		windows []window
		changes []series.Change
	}
	plans := map[int64]*planned{}
	var order []int64
	// The marks of the numbers named: a query per few hundred runs or
	// single numbers of a series.
	for _, p := range parts {
		row, ok := locked[p.seriesID]
		if !ok {
			continue
		}
		pl := plans[row.ID]
		if pl == nil {
			sr, err := seriesFromRow(row)
			if err != nil {
				return nil, nil, err
			}
			pl = &planned{row: row, sr: sr, marks: map[uint64]series.State{}}
			plans[row.ID] = pl
			order = append(order, row.ID)
		}
		first, _ := pl.sr.Offset(p.serials.First())
		last, _ := pl.sr.Offset(p.serials.Last())
		pl.windows = append(pl.windows, window{lo: int64(first), hi: int64(last)})
	}
	for _, pl := range plans {
		if err := marksOf(ctx, tx, pl.row.ID, pl.windows, pl.marks); err != nil {
			return nil, nil, err
		}
	}
	for _, p := range parts {
		pl := plans[p.seriesID]
		if pl == nil {
			// Deleted since it was located, or of another item code.
			errs[p.req] = append(errs[p.req], fault.Errorf(fault.Invalid, series.ReasonNumberFree, "numbers %s are not allotted", p.serials))
			continue
		}
		caller := req.Owner
		if scope.anyOwner {
			caller = pl.sr.Owner
		}
		changes, es := series.PlanMarks(pl.sr, p.serials, caller, req.Op, pl.marks)
		errs[p.req] = append(errs[p.req], es...)
		pl.changes = append(pl.changes, changes...)
	}
	for _, es := range errs {
		if len(es) > 0 {
			return nil, errs, nil
		}
	}
	slices.Sort(order)
	for _, id := range order {
		pl := plans[id]
		slices.SortFunc(pl.changes, func(a, b series.Change) int { return compareU64(a.Offset, b.Offset) })
		if err := s.writeMarks(ctx, tx, pl.row, pl.changes, req.Reference, at); err != nil {
			return nil, nil, err
		}
		for _, e := range series.Runs(pl.sr, pl.changes) {
			e.At, e.Actor, e.Action, e.Reference = at, req.Actor, series.ActionOf(req.Op), req.Reference
			entries = append(entries, e)
		}
	}
	return entries, nil, s.appendHistory(ctx, tx, org, entries)
}

func compareU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// writeMarks writes the changes of one locked series as runs and brings
// its next_mark up to date.
func (s *Store) writeMarks(ctx context.Context, tx bun.Tx, row seriesRow, changes []series.Change, reference string, at time.Time) error {
	if err := writeRuns(ctx, tx, row.ID, changes, reference, at); err != nil {
		if k := classify(err); k == kindOverlap || k == kindUnique {
			// The row lock makes this unreachable; the exclusion
			// constraint (the trigger on SQLite) is the last line should
			// anything write around it.
			return fault.New(fault.Invalid, series.ReasonNumberUsed, "a number was changed by another request at the same time; nothing was changed")
		}
		return err
	}
	var d series.MarkDelta
	for _, c := range changes {
		d.Changed(c, uint64(row.Drawn))
	}
	_, err := tx.NewRaw(`UPDATE series SET next_mark = `+markedFromSQL+`, `+markCountsAt+` WHERE id = ?0`,
		row.ID, row.Drawn, d.UsedAhead, d.VoidAhead, d.VoidBehind, d.ReleasedBehind).Exec(ctx)
	return err
}

// markCountsAt is markCounts with its arguments at ?2 to ?5.
const markCountsAt = "used_ahead = used_ahead + ?2, void_ahead = void_ahead + ?3, void_behind = void_behind + ?4, released_behind = released_behind + ?5"

// markCounts is the SET list applying a series.MarkDelta: four arguments,
// in the order of its fields.
const markCounts = "used_ahead = used_ahead + ?, void_ahead = void_ahead + ?, void_behind = void_behind + ?, released_behind = released_behind + ?"

// appendHistory inserts entries of org.
func (s *Store) appendHistory(ctx context.Context, tx bun.Tx, org tenant.OrgID, entries []series.Entry) error {
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		rows[i] = auditRow{
			OrgID: int64(org), SeriesID: e.SeriesID, At: e.At, Actor: string(e.Actor), Action: string(e.Action),
			FirstPos: int64(e.Offset), Count: int64(e.Count),
			BeforeState: string(e.Before), AfterState: string(e.After), Reference: e.Reference,
		}
	}
	for chunk := range slices.Chunk(rows, writeChunk) {
		if _, err := tx.NewInsert().Model(&chunk).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// NumberState implements ports.NumberStore.
func (s *Store) NumberState(ctx context.Context, org tenant.OrgID, n series.Number) (ports.NumberInfo, error) {
	if n.IsZero() {
		return ports.NumberInfo{}, fault.New(fault.Invalid, series.ReasonInvalidNumber, "a series number is required")
	}
	one, _ := series.NewRange(n, n)
	parts, errs, _, err := locate(ctx, s.db, org, one)
	if err != nil {
		return ports.NumberInfo{}, s.dbError(err, "look up a number")
	}
	if len(parts) == 0 {
		if len(errs) > 0 && fault.ReasonOf(errs[0]) == series.ReasonCheckDigit {
			return ports.NumberInfo{}, errs[0]
		}
		return ports.NumberInfo{}, fault.Errorf(fault.NotFound, series.ReasonNumberFree, "number %s is not in any series", n)
	}
	sr, err := s.SeriesByID(ctx, org, parts[0].seriesID)
	if err != nil {
		return ports.NumberInfo{}, err
	}
	serial := parts[0].serials.First()
	off, _ := sr.Offset(serial)
	mark, marked, err := runAt(ctx, s.db, sr.ID, off)
	if err != nil {
		return ports.NumberInfo{}, s.dbError(err, "look up a number")
	}
	info := ports.NumberInfo{Number: sr.CheckDigit.Full(serial), Series: sr, State: series.DefaultState(off, sr.Drawn)}
	if marked {
		info.State = series.State(mark.State)
		info.Reference = mark.Reference
		info.UpdatedAt = mark.UpdatedAt.UTC()
	}
	return info, nil
}

// History implements ports.NumberStore. Entries keep offsets; their
// numbers are rebuilt from their series' range and check-digit scheme.
func (s *Store) History(ctx context.Context, org tenant.OrgID, q ports.HistoryQuery) ([]series.Entry, int, error) {
	where := "a.org_id = ?"
	args := []any{int64(org)}
	if q.SeriesID != 0 {
		where += " AND a.series_id = ?"
		args = append(args, q.SeriesID)
	}
	if !q.Since.IsZero() {
		where += " AND a.at >= ?"
		args = append(args, dbTime(q.Since))
	}
	limit, offset := page(q.Query)
	var rows []struct {
		auditRow
		Prefix      string `bun:"prefix"`
		FirstDigits string `bun:"first_digits"`
		LastDigits  string `bun:"last_digits"`
		CheckDigit  string `bun:"check_digit"`
	}
	var total int
	err := s.db.RunInTx(ctx, s.readTx(), func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewRaw("SELECT COUNT(*) FROM series_audit AS a WHERE "+where, args...).Scan(ctx, &total); err != nil {
			return err
		}
		err := tx.NewRaw(`SELECT a.id, a.org_id, a.series_id, a.at, a.actor, a.action, a.first_pos, a.count, a.before_state, a.after_state, a.reference,
			s.prefix, s.first_digits, s.last_digits, s.check_digit
			FROM series_audit AS a JOIN series AS s ON s.id = a.series_id WHERE `+where+" ORDER BY a.id LIMIT ? OFFSET ?",
			append(args, limit, offset)...).Scan(ctx, &rows)
		if errNoRows(err) {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, 0, s.dbError(err, "read history")
	}
	out := make([]series.Entry, 0, len(rows))
	for _, r := range rows {
		rng, err := rangeOf(r.Prefix, r.FirstDigits, r.LastDigits)
		if err != nil {
			return nil, 0, err
		}
		sr := series.Series{ID: r.SeriesID, Range: rng, CheckDigit: series.Scheme(r.CheckDigit)}
		e := series.RunEntry(sr, uint64(r.FirstPos), uint64(r.Count))
		if e.Numbers.IsZero() {
			return nil, 0, fault.Wrap(fmt.Errorf("history entry %d: %d numbers from %d outside %s", r.ID, r.Count, r.FirstPos, rng), "read history")
		}
		e.ID, e.At, e.Actor, e.Action = r.ID, r.At.UTC(), series.Actor(r.Actor), series.Action(r.Action)
		e.Before, e.After, e.Reference = series.State(r.BeforeState), series.State(r.AfterState), r.Reference
		out = append(out, e)
	}
	return out, total, nil
}

// SetThreshold implements ports.NumberStore.
func (s *Store) SetThreshold(ctx context.Context, org tenant.OrgID, th series.Threshold) error {
	row := thresholdRow{OrgID: int64(org), OwnerKind: string(th.Owner.Kind), OwnerCode: th.Owner.Code, ItemCode: th.ItemCode, Level: int64(th.Level)}
	_, err := s.db.NewInsert().Model(&row).
		On("CONFLICT (org_id, owner_kind, owner_code, item_code) DO UPDATE").Set("level = EXCLUDED.level").Exec(ctx)
	switch classify(err) {
	case kindForeignKey:
		return orgNotFound()
	case kindCheck:
		return fault.Errorf(fault.Invalid, "INVALID_THRESHOLD", "threshold of %s for %s is not valid", th.Owner, th.ItemCode)
	}
	return s.dbError(err, "set threshold")
}

// Thresholds implements ports.NumberStore.
func (s *Store) Thresholds(ctx context.Context, org tenant.OrgID) ([]series.Threshold, error) {
	var rows []thresholdRow
	err := s.db.NewRaw("SELECT org_id, owner_kind, owner_code, item_code, level FROM stock_thresholds WHERE org_id = ? ORDER BY owner_kind, owner_code, item_code",
		int64(org)).Scan(ctx, &rows)
	if err != nil && !errNoRows(err) {
		return nil, s.dbError(err, "read thresholds")
	}
	out := make([]series.Threshold, len(rows))
	for i, r := range rows {
		out[i] = series.Threshold{Owner: series.Owner{Kind: series.OwnerKind(r.OwnerKind), Code: r.OwnerCode}, ItemCode: r.ItemCode, Level: uint64(r.Level)}
	}
	return out, nil
}

// attachStock sets the Stock of every series of out, read from rows: the
// counts of marks the row keeps, the next free number, and the low-stock
// flag of the owner's threshold.
func (s *Store) attachStock(ctx context.Context, db bun.IDB, rows []seriesRow, out []series.Series) error {
	var ths []thresholdRow
	err := db.NewRaw("SELECT org_id, owner_kind, owner_code, item_code, level FROM stock_thresholds WHERE org_id = ?", rows[0].OrgID).Scan(ctx, &ths)
	if err != nil && !errNoRows(err) {
		return err
	}
	levels := make(map[[3]string]int64, len(ths))
	for _, t := range ths {
		levels[[3]string{t.OwnerKind, t.OwnerCode, t.ItemCode}] = t.Level
	}
	for i, r := range rows {
		next, err := nextFree(ctx, db, r)
		if err != nil {
			return err
		}
		m := series.Marks{UsedAhead: uint64(r.UsedAhead), VoidAhead: uint64(r.VoidAhead), VoidBehind: uint64(r.VoidBehind), ReleasedBehind: uint64(r.ReleasedBehind)}
		st := series.Tally(uint64(r.Size), uint64(r.Drawn), m, next)
		if level, ok := levels[[3]string{r.OwnerKind, r.OwnerCode, r.ItemCode}]; ok {
			st.Low = st.Available <= uint64(level)
		}
		out[i].Stock = &st
	}
	return nil
}

// nextFree returns the offset of the first unmarked number at or after the
// pointer of r, or its size.
func nextFree(ctx context.Context, db bun.IDB, r seriesRow) (uint64, error) {
	if r.NextMark == nil || *r.NextMark > r.Drawn {
		return uint64(r.Drawn), nil
	}
	// The pointer's own number is marked: the first free one follows the
	// runs that chain on from it.
	// Most often one run holds it; the batch grows for chains of runs.
	at := uint64(r.Drawn)
	for limit := 4; ; limit = min(4*limit, runBatch) {
		runs, err := runsFrom(ctx, db, r.ID, at, limit)
		if err != nil {
			return 0, err
		}
		spans := make([]series.Span, len(runs))
		for i, m := range runs {
			spans[i] = series.Span{Offset: uint64(m.FirstPos), Count: uint64(m.LastPos-m.FirstPos) + 1}
		}
		next := series.FreeFrom(at, spans)
		if len(runs) < limit || next <= uint64(runs[len(runs)-1].LastPos) {
			return min(next, uint64(r.Size)), nil
		}
		at = next
	}
}

// usedMarks counts the consumed numbers of each series of ids.
func usedMarks(ctx context.Context, db bun.IDB, ids []int64) (map[int64]int64, error) {
	var rows []struct {
		SeriesID int64 `bun:"series_id"`
		N        int64 `bun:"n"`
	}
	err := db.NewRaw("SELECT series_id, SUM(last_pos - first_pos + 1) AS n FROM series_runs WHERE series_id IN (?) AND state = 'used' GROUP BY series_id",
		bun.List(ids)).Scan(ctx, &rows)
	if err != nil && !errNoRows(err) {
		return nil, err
	}
	out := make(map[int64]int64, len(rows))
	for _, r := range rows {
		out[r.SeriesID] = r.N
	}
	return out, nil
}

// drawMarked draws up to args[0] numbers, in a transaction, from the
// oldest series matching filter (stockFilter: a draw's owner and item code
// with stock), skipping its
// marked numbers (series.Take). It locks the series row, reads the marks of
// the window it draws from, moves the pointer past the numbers taken and
// keeps next_mark in step. found is false when no series with stock was
// left or a concurrent draw emptied the one picked.
func (s *Store) drawMarked(ctx context.Context, tx bun.Tx, filter string, args []any) (runs []series.Drawn, took int64, found bool, err error) {
	var rows []seriesRow
	err = tx.NewRaw("SELECT "+seriesColumns+" FROM series AS c WHERE "+filter+" ORDER BY c.id LIMIT 1"+s.lockClause(), args...).Scan(ctx, &rows)
	if err != nil && !errNoRows(err) {
		return nil, 0, false, err
	}
	if len(rows) == 0 {
		return nil, 0, false, nil
	}
	row := rows[0]
	want := uint64(args[0].(int64))
	size, drawn := uint64(row.Size), uint64(row.Drawn)
	end := min(size, drawn+want)
	// The runs of marks from the pointer, read a batch at a time until
	// the window they cover holds want free numbers or reaches the end:
	// a draw passes few runs most often, so the first batch is small and
	// grows for a draw across many.
	var marked []series.Span
	var states []series.State
	if row.NextMark != nil && uint64(*row.NextMark) < end {
		from := drawn
		for limit := int(min(want+2, 16)); ; limit = min(4*limit, runBatch) {
			runs, err := runsFrom(ctx, tx, row.ID, from, limit)
			if err != nil {
				return nil, 0, false, err
			}
			var n uint64
			for _, m := range runs {
				first := max(uint64(m.FirstPos), drawn)
				marked = append(marked, series.Span{Offset: first, Count: uint64(m.LastPos) + 1 - first})
				states = append(states, series.State(m.State))
			}
			for _, m := range marked {
				n += m.Count
			}
			if len(runs) < limit {
				end = size
				break
			}
			end = min(size, uint64(runs[len(runs)-1].LastPos)+1)
			if end-drawn-n >= want || end == size {
				break
			}
			from = end
		}
	}
	spans, pointer := series.TakeSpans(drawn, end, want, marked)
	nextMark := row.NextMark
	if nextMark != nil && uint64(*nextMark) < pointer {
		if nextMark, err = markedFrom(ctx, tx, row.ID, pointer); err != nil {
			return nil, 0, false, err
		}
	}
	for _, sp := range spans {
		took += int64(sp.Count)
	}
	var d series.MarkDelta
	for i, m := range marked {
		if m.Offset < pointer {
			d.PassedRun(states[i], min(m.Offset+m.Count, pointer)-m.Offset)
		}
	}
	if _, err := tx.NewRaw("UPDATE series SET drawn = ?, last_take = ?, next_mark = ?, "+markCounts+" WHERE id = ?",
		int64(pointer), took, nextMark, d.UsedAhead, d.VoidAhead, d.VoidBehind, d.ReleasedBehind, row.ID).Exec(ctx); err != nil {
		return nil, 0, false, err
	}
	rng, err := rangeOf(row.Prefix, row.FirstDigits, row.LastDigits)
	if err != nil {
		return nil, 0, false, err
	}
	entries := make([]series.Entry, len(spans))
	for i, sp := range spans {
		entries[i] = drawEntry(row.ID, sp.Offset, sp.Count, args)
	}
	if err := s.appendHistory(ctx, tx, tenant.OrgID(row.OrgID), entries); err != nil {
		return nil, 0, false, err
	}
	for _, sp := range spans {
		part, ok := rng.Slice(sp.Offset, sp.Count)
		if !ok {
			return nil, 0, false, fault.Wrap(fmt.Errorf("series %d: span %+v outside %s", row.ID, sp, rng), "draw")
		}
		runs = append(runs, series.Drawn{SeriesID: row.ID, Range: part, CheckDigit: series.Scheme(row.CheckDigit)})
	}
	return runs, took, true, nil
}

// drawEntry is the history entry of count numbers drawn from offset of
// series id, with the time and actor of the draw's arguments (?6, ?7).
func drawEntry(id int64, offset, count uint64, args []any) series.Entry {
	return series.Entry{
		SeriesID: id, Offset: offset, Count: count, At: args[6].(time.Time), Actor: series.Actor(args[7].(string)),
		Action: series.ActionDraw, Before: series.Available, After: series.Used,
	}
}

// drawWholeAuditedSQL is drawWholeSQL with its history entry written by the
// same statement: on PostgreSQL a data-modifying WITH runs once whether or
// not the outer query reads it, so the draw stays one round trip.
func drawWholeAuditedSQL(withST bool) string {
	return `WITH d AS (` + drawWholeSQL(withST) + `), a AS (
		INSERT INTO series_audit (org_id, series_id, at, actor, action, first_pos, count, before_state, after_state, reference)
		SELECT ?1, id, ?6, ?7, '` + string(series.ActionDraw) + `', drawn - last_take, last_take, '` +
		string(series.Available) + `', '` + string(series.Used) + `', '' FROM d)
		SELECT id, prefix, first_digits, last_digits, drawn, last_take, check_digit FROM d`
}

// drawWhole runs the draw's fast path (drawWholeSQL) into r with its
// history entry, atomically: one statement on PostgreSQL; on SQLite, which
// has no data-modifying WITH, the update and the insert in a transaction
// (on its one connection, no round trips to save). sql.ErrNoRows when the
// oldest series cannot serve the whole draw.
func (s *Store) drawWhole(ctx context.Context, withST bool, args []any, r *drawRow) error {
	if s.dialect.auditsInOneStatement() {
		return s.db.NewRaw(drawWholeAuditedSQL(withST), args...).Scan(ctx, r)
	}
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		return s.drawWholeIn(ctx, tx, withST, args, r)
	})
}

// drawWholeIn is the draw's fast path inside tx, the same on both
// databases: the update (drawWholeSQL), then its history entry.
func (s *Store) drawWholeIn(ctx context.Context, tx bun.Tx, withST bool, args []any, r *drawRow) error {
	if err := tx.NewRaw(drawWholeSQL(withST), args...).Scan(ctx, r); err != nil {
		return err
	}
	e := drawEntry(r.ID, uint64(r.Drawn-r.LastTake), uint64(r.LastTake), args)
	return s.appendHistory(ctx, tx, tenant.OrgID(args[1].(int64)), []series.Entry{e})
}

// errImportRefused rolls back an import that keeps nothing.
var errImportRefused = errors.New("an import row was refused")

// ImportSeries implements ports.NumberStore: one transaction, each row in a
// savepoint of its own so that a row the database refuses (the no-overlap
// constraint or trigger, a check) is undone alone and reported, and the
// others go on; the mode then decides whether the transaction commits.
func (s *Store) ImportSeries(ctx context.Context, org tenant.OrgID, rows []series.Series, actor series.Actor, mode ports.ImportMode, progress func(done int)) (map[int]error, error) {
	at := s.now()
	refused := map[int]error{}
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		clear(refused)
		entries := make([]series.Entry, 0, len(rows))
		for i := range rows {
			sr := &rows[i]
			if sr.Type == "" {
				sr.Type = series.Virtual
			}
			if sr.CheckDigit == "" {
				sr.CheckDigit = series.NoCheck
			}
			sr.CreatedAt = at
			sr.ServiceTypes = dedup(sr.ServiceTypes)
			size, ok := sr.Range.Count().Uint64()
			if !ok || size > math.MaxInt64 {
				refused[i] = fault.Errorf(fault.Invalid, series.ReasonTooLarge, "series %s holds %s numbers, more than can be stored", sr.Range, sr.Range.Count())
				continue
			}
			if _, err := tx.ExecContext(ctx, "SAVEPOINT import_row"); err != nil {
				return err
			}
			err := tx.NewRaw(insertSeriesSQL,
				int64(org), sr.Range.Prefix(), sr.Range.Width(), sr.Range.First().Digits(), sr.Range.Last().Digits(), int64(size), 0,
				string(sr.Owner.Kind), sr.Owner.Code, string(sr.Type), sr.ItemCode, sr.CreatorHub, sr.CreatedAt, string(sr.CheckDigit)).Scan(ctx, &sr.ID)
			if err == nil {
				err = insertServiceTypes(ctx, tx, sr)
			}
			if err != nil {
				if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT import_row"); rerr != nil {
					return rerr
				}
				switch classify(err) {
				case kindOverlap:
					refused[i] = s.importOverlap(ctx, tx, org, sr.Range, err)
				case kindForeignKey:
					return orgNotFound()
				case kindCheck:
					refused[i] = fault.Errorf(fault.Invalid, series.ReasonInvalidType, "series %s has an invalid owner kind, type or check digit", sr.Range)
				default:
					return err
				}
			} else if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT import_row"); err != nil {
				return err
			}
			if refused[i] == nil {
				e := series.Entry{SeriesID: sr.ID, Offset: 0, Count: size, At: at, Actor: actor, Action: series.ActionImport, After: series.Available}
				entries = append(entries, e)
			}
			if progress != nil {
				progress(i + 1)
			}
		}
		if mode == ports.ImportCheck || (len(refused) > 0 && mode == ports.ImportAll) {
			return errImportRefused
		}
		return s.appendHistory(ctx, tx, org, entries)
	})
	if errors.Is(err, errImportRefused) {
		return refused, nil
	}
	if err != nil {
		return nil, s.dbError(err, "import series")
	}
	return refused, nil
}

// importOverlap names the live series r overlaps, read in the import's own
// transaction so that an earlier row of the same file counts.
func (s *Store) importOverlap(ctx context.Context, tx bun.Tx, org tenant.OrgID, r series.Range, cause error) error {
	got, ok, err := overlapping(ctx, tx, org, r)
	if err == nil && ok {
		return series.OverlapError(r, got)
	}
	return &fault.Error{Code: fault.Conflict, Reason: series.ReasonOverlap, Message: fmt.Sprintf("series %s overlaps an existing series", r), Err: cause}
}

// StockByOwner implements ports.NumberStore: two grouped queries, the
// series' own counts summed and the history's uses in the window.
func (s *Store) StockByOwner(ctx context.Context, org tenant.OrgID, since time.Time) ([]series.OwnerStock, error) {
	var rows []struct {
		OwnerKind      string `bun:"owner_kind"`
		OwnerCode      string `bun:"owner_code"`
		ItemCode       string `bun:"item_code"`
		Series         int64  `bun:"series"`
		Size           int64  `bun:"size"`
		Drawn          int64  `bun:"drawn"`
		UsedAhead      int64  `bun:"used_ahead"`
		VoidAhead      int64  `bun:"void_ahead"`
		VoidBehind     int64  `bun:"void_behind"`
		ReleasedBehind int64  `bun:"released_behind"`
		Used           int64  `bun:"used"`
	}
	err := s.db.NewRaw(`SELECT s.owner_kind, s.owner_code, s.item_code, COUNT(*) AS series, SUM(s.size) AS size, SUM(s.drawn) AS drawn,
			SUM(s.used_ahead) AS used_ahead, SUM(s.void_ahead) AS void_ahead, SUM(s.void_behind) AS void_behind,
			SUM(s.released_behind) AS released_behind,
			COALESCE((SELECT SUM(a.count) FROM series_audit AS a JOIN series AS u ON u.id = a.series_id
				WHERE a.org_id = s.org_id AND a.at >= ? AND a.action IN (?, ?) AND u.deleted_at IS NULL
				AND u.owner_kind = s.owner_kind AND u.owner_code = s.owner_code AND u.item_code = s.item_code), 0) AS used
		FROM series AS s WHERE s.org_id = ? AND s.deleted_at IS NULL
		GROUP BY s.org_id, s.owner_kind, s.owner_code, s.item_code ORDER BY s.owner_kind, s.owner_code, s.item_code`,
		dbTime(since), string(series.ActionDraw), string(series.ActionConsume), int64(org)).Scan(ctx, &rows)
	if err != nil && !errNoRows(err) {
		return nil, s.dbError(err, "stock by owner")
	}
	out := make([]series.OwnerStock, len(rows))
	for i, r := range rows {
		out[i] = series.OwnerStock{
			Owner: series.Owner{Kind: series.OwnerKind(r.OwnerKind), Code: r.OwnerCode}, ItemCode: r.ItemCode,
			Series: uint64(r.Series), Size: uint64(r.Size), Drawn: uint64(r.Drawn),
			Marks:        series.Marks{UsedAhead: uint64(r.UsedAhead), VoidAhead: uint64(r.VoidAhead), VoidBehind: uint64(r.VoidBehind), ReleasedBehind: uint64(r.ReleasedBehind)},
			UsedInWindow: uint64(r.Used),
		}
	}
	return out, nil
}
