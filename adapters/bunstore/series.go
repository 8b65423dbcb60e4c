package bunstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// Series numbers are stored as prefix, width and the first and last digits
// zero-padded to the width. Within one organisation, prefix and width the
// text order of the digits is their numeric order, so range queries are
// plain comparisons in both databases and 20-digit numbers, beyond int64,
// stay exact.

const seriesColumns = "id, org_id, prefix, width, first_digits, last_digits, size, drawn, owner_kind, owner_code, type, item_code, creator_hub, created_at, deleted_at, next_mark, check_digit, used_ahead, void_ahead, void_behind, released_behind"

// seriesFromRow rebuilds a series; service types are attached by the caller.
func seriesFromRow(r seriesRow) (series.Series, error) {
	rng, err := series.ParseRange(r.Prefix+r.FirstDigits, r.Prefix+r.LastDigits)
	if err != nil {
		return series.Series{}, fault.Wrap(fmt.Errorf("series %d holds a bad range: %w", r.ID, err), "read series")
	}
	return series.Series{
		ID:         r.ID,
		Owner:      series.Owner{Kind: series.OwnerKind(r.OwnerKind), Code: r.OwnerCode},
		Type:       series.Type(r.Type),
		Range:      rng,
		ItemCode:   r.ItemCode,
		CreatorHub: r.CreatorHub,
		Drawn:      uint64(r.Drawn),
		CreatedAt:  r.CreatedAt.UTC(),
		CheckDigit: series.Scheme(r.CheckDigit),
	}, nil
}

// rangeOf rebuilds the range of a stored series from its columns.
func rangeOf(prefix, first, last string) (series.Range, error) {
	r, err := series.ParseRange(prefix+first, prefix+last)
	if err != nil {
		return series.Range{}, fault.Wrap(fmt.Errorf("stored range %s%s-%s%s: %w", prefix, first, prefix, last, err), "read series")
	}
	return r, nil
}

// overlapping returns the live series range of org that shares a number
// with r, if any. Live ranges of one kind never overlap each other (the
// database guarantees it), so the only candidate is the one with the
// greatest first number not after r's last: one index probe, not a scan.
func overlapping(ctx context.Context, db bun.IDB, org tenant.OrgID, r series.Range) (series.Range, bool, error) {
	var c struct {
		FirstDigits string `bun:"first_digits"`
		LastDigits  string `bun:"last_digits"`
	}
	err := db.NewRaw(`SELECT first_digits, last_digits FROM series
		WHERE org_id = ? AND prefix = ? AND width = ? AND deleted_at IS NULL AND first_digits <= ?
		ORDER BY first_digits DESC LIMIT 1`,
		int64(org), r.Prefix(), r.Width(), r.Last().Digits()).Scan(ctx, &c)
	if errNoRows(err) {
		return series.Range{}, false, nil
	}
	if err != nil {
		return series.Range{}, false, err
	}
	if c.LastDigits < r.First().Digits() {
		return series.Range{}, false, nil
	}
	got, err := rangeOf(r.Prefix(), c.FirstDigits, c.LastDigits)
	return got, err == nil, err
}

// insertSeriesSQL inserts a series; its ? placeholders suit both bun's
// formatting and SQLite's own parameters.
const insertSeriesSQL = `INSERT INTO series (org_id, prefix, width, first_digits, last_digits, size, drawn,
	owner_kind, owner_code, type, item_code, creator_hub, created_at, check_digit)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`

// insertSeriesAuditedSQL is insertSeriesSQL with the series' create entry
// in the history written by the same statement (PostgreSQL's
// data-modifying WITH): four more arguments, org, time, actor and size.
const insertSeriesAuditedSQL = `WITH s AS (` + insertSeriesSQL + `), a AS (
	INSERT INTO series_audit (org_id, series_id, at, actor, action, first_pos, count, before_state, after_state, reference)
	SELECT ?, id, ?, ?, '` + string(series.ActionCreate) + `', 0, ?, '', '` + string(series.Available) + `', '' FROM s)
	SELECT id FROM s`

// insertAuditSQL writes one history entry on SQLite.
const insertAuditSQL = `INSERT INTO series_audit (org_id, series_id, at, actor, action, first_pos, count, before_state, after_state, reference)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// historyFailed is a failure to write the history entry of a change that
// was itself written. It hides its cause from classify on purpose: a group
// commit then fails the whole batch rather than keep a change without its
// entry.
type historyFailed struct{ cause error }

func (e historyFailed) Error() string { return "record history: " + e.cause.Error() }

// bunTimeLayout is how bun's SQLite dialect writes a time (in UTC).
const bunTimeLayout = "2006-01-02 15:04:05.999999-07:00"

// InsertSeries stores sr unless it overlaps a live series of org with the
// same prefix and width, whatever the owner or type: then Conflict
// SERIES_OVERLAP naming the existing range. ID is assigned, and CreatedAt
// from the store's clock unless sr has one; an empty Type means virtual.
// Invalid SERIES_TOO_LARGE when the range holds more than an int64 counts.
//
// The database alone decides an overlap, PostgreSQL's exclusion constraint
// or SQLite's triggers, and its refusal is turned into the error naming the
// existing range: a check beforehand would cost a round trip per insert and
// could only hide, never close, the race the database closes. On SQLite the
// insert joins concurrent ones in a shared transaction (groupCommit).
func (s *Store) InsertSeries(ctx context.Context, org tenant.OrgID, sr series.Series) (series.Series, error) {
	if sr.Range.IsZero() {
		return series.Series{}, fault.New(fault.Invalid, series.ReasonInvalidStart, "a series needs a start and an end")
	}
	size, ok := sr.Range.Count().Uint64()
	if !ok || size > math.MaxInt64 {
		return series.Series{}, fault.Errorf(fault.Invalid, series.ReasonTooLarge, "series %s holds %s numbers, more than can be stored", sr.Range, sr.Range.Count())
	}
	if sr.Drawn > size {
		return series.Series{}, fault.Errorf(fault.Invalid, series.ReasonInvalidCount, "series %s cannot have %d numbers drawn", sr.Range, sr.Drawn)
	}
	if sr.Type == "" {
		sr.Type = series.Virtual
	}
	if sr.CheckDigit == "" {
		sr.CheckDigit = series.NoCheck
	}
	if err := sr.CheckDigit.CheckSerials(sr.Range); err != nil {
		return series.Series{}, err
	}
	sr.CreatedAt = s.timeOr(sr.CreatedAt)
	sr.ServiceTypes = dedup(sr.ServiceTypes)
	row := seriesRow{
		OrgID:       int64(org),
		Prefix:      sr.Range.Prefix(),
		Width:       sr.Range.Width(),
		FirstDigits: sr.Range.First().Digits(),
		LastDigits:  sr.Range.Last().Digits(),
		Size:        int64(size),
		Drawn:       int64(sr.Drawn),
		OwnerKind:   string(sr.Owner.Kind),
		OwnerCode:   sr.Owner.Code,
		Type:        string(sr.Type),
		ItemCode:    sr.ItemCode,
		CreatorHub:  sr.CreatorHub,
		CreatedAt:   sr.CreatedAt,
		CheckDigit:  string(sr.CheckDigit),
	}
	var err error
	if s.group != nil {
		var stmt *sql.Stmt
		if stmt, err = s.group.statement(ctx, insertSeriesSQL); err != nil {
			return series.Series{}, s.dbError(err, "prepare series insert")
		}
		err = s.insertSeriesSQLite(ctx, stmt, row, &sr, ports.ActorFrom(ctx))
	} else {
		err = s.insertSeriesPostgres(ctx, org, row, &sr, ports.ActorFrom(ctx))
	}
	switch classify(err) {
	case kindOverlap:
		return series.Series{}, s.overlapAfterConstraint(ctx, org, sr.Range, err)
	case kindForeignKey:
		return series.Series{}, orgNotFound()
	case kindCheck:
		return series.Series{}, fault.Errorf(fault.Invalid, series.ReasonInvalidType, "series %s has an invalid owner kind %q, type %q or check digit %q", sr.Range, sr.Owner.Kind, sr.Type, sr.CheckDigit)
	}
	if err != nil {
		return series.Series{}, s.dbError(err, "insert series")
	}
	return sr, nil
}

// insertSeriesSQLite inserts row through stmt, the insert prepared on the
// writer connection, in a group commit (groupcommit.go); with no service
// types the write is that one statement and its history entry, which
// cannot fail a constraint once the series row exists.
func (s *Store) insertSeriesSQLite(ctx context.Context, stmt *sql.Stmt, row seriesRow, sr *series.Series, actor series.Actor) error {
	write := func(ctx context.Context, tx bun.Tx) error {
		// The time as bun writes it, so that rows compare and read back
		// alike whichever path wrote them.
		created := row.CreatedAt.UTC().Format(bunTimeLayout)
		err := tx.StmtContext(ctx, stmt).QueryRowContext(ctx,
			row.OrgID, row.Prefix, row.Width, row.FirstDigits, row.LastDigits, row.Size, row.Drawn,
			row.OwnerKind, row.OwnerCode, row.Type, row.ItemCode, row.CreatorHub, created, row.CheckDigit).Scan(&sr.ID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, insertAuditSQL, row.OrgID, sr.ID, created, string(actor), string(series.ActionCreate),
			0, row.Size, "", string(series.Available), ""); err != nil {
			return historyFailed{err}
		}
		return insertServiceTypes(ctx, tx, sr)
	}
	if len(sr.ServiceTypes) == 0 {
		return s.group.runStatement(ctx, write)
	}
	return s.group.run(ctx, write)
}

// insertSeriesPostgres inserts row on PostgreSQL, where the exclusion
// constraint decides overlaps.
//
// Inserts that conflict under the constraint wait for one another's
// uncommitted index entries and can do so in cycles, which PostgreSQL
// breaks up as deadlocks (40P01). A victim retries, and the retry usually
// reports the overlap the client should see instead of a 503. When many
// overlapping inserts arrive at once, though, retries racing one another
// form new cycles, each costing the server's deadlock_timeout to detect: a
// victim therefore retries holding an advisory lock on the series'
// organisation, prefix and width, so that retries queue instead of
// deadlocking among themselves. First attempts take no lock: uncontended
// inserts, nearly all of them, stay one statement.
func (s *Store) insertSeriesPostgres(ctx context.Context, org tenant.OrgID, row seriesRow, sr *series.Series, actor series.Actor) error {
	insert := func(ctx context.Context, db bun.IDB) error {
		return db.NewRaw(insertSeriesAuditedSQL,
			row.OrgID, row.Prefix, row.Width, row.FirstDigits, row.LastDigits, row.Size, row.Drawn,
			row.OwnerKind, row.OwnerCode, row.Type, row.ItemCode, row.CreatorHub, row.CreatedAt, row.CheckDigit,
			row.OrgID, row.CreatedAt, string(actor), row.Size).Scan(ctx, &sr.ID)
	}
	write := func(ctx context.Context, tx bun.Tx) error {
		if err := insert(ctx, tx); err != nil {
			return err
		}
		return insertServiceTypes(ctx, tx, sr)
	}
	for attempt := 1; ; attempt++ {
		var err error
		switch {
		case attempt > 1:
			err = s.insertSeriesQueued(ctx, org, sr, write)
		case len(sr.ServiceTypes) == 0:
			// One statement is atomic by itself: no transaction round trips.
			err = insert(ctx, s.db)
		default:
			err = s.inTx(ctx, write)
		}
		if !retryable(err) || attempt == maxInsertAttempts {
			return err
		}
	}
}

// maxInsertAttempts bounds the attempts of one series insert that keeps
// losing to concurrent overlapping inserts; with queuedLockTimeout it bounds
// the time spent on retries to a few seconds.
const maxInsertAttempts = 20

// queuedLockTimeout is how long a queued retry waits for another insert.
const queuedLockTimeout = "200ms"

// insertSeriesQueued runs write for a retry on PostgreSQL, in a transaction
// that first takes a transaction-scoped advisory lock keyed by the series'
// organisation, prefix and width (see insertSeriesPostgres).
func (s *Store) insertSeriesQueued(ctx context.Context, org tenant.OrgID, sr *series.Series, write func(context.Context, bun.Tx) error) error {
	key := fmt.Sprintf("allot.series:%d:%s:%d", org, sr.Range.Prefix(), sr.Range.Width())
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", key); err != nil {
			return err
		}
		// Holding the queue, wait only briefly for another insert's
		// uncommitted entry: if that insert in turn waits for this one,
		// giving up at once (55P03, retried) breaks the cycle long before
		// the deadlock detector would.
		if _, err := tx.ExecContext(ctx, "SET LOCAL lock_timeout = '"+queuedLockTimeout+"'"); err != nil {
			return err
		}
		return write(ctx, tx)
	})
}

// insertServiceTypes stores sr's service types, in order, once sr has its ID.
func insertServiceTypes(ctx context.Context, tx bun.Tx, sr *series.Series) error {
	if len(sr.ServiceTypes) == 0 {
		return nil
	}
	sts := make([]seriesServiceTypeRow, len(sr.ServiceTypes))
	for i, code := range sr.ServiceTypes {
		sts[i] = seriesServiceTypeRow{SeriesID: sr.ID, Code: code, Pos: i}
	}
	_, err := tx.NewInsert().Model(&sts).Exec(ctx)
	return err
}

// overlapAfterConstraint builds the overlap error after the database itself
// rejected r, naming a conflicting live series of the same organisation. The
// constraint only fires once the conflicting transaction has committed, so a
// fresh query normally finds it; if that series has meanwhile been deleted,
// the error names none rather than guessing.
func (s *Store) overlapAfterConstraint(ctx context.Context, org tenant.OrgID, r series.Range, cause error) error {
	got, ok, err := overlapping(ctx, s.db, org, r)
	if err == nil && ok {
		return series.OverlapError(r, got)
	}
	return &fault.Error{
		Code:    fault.Conflict,
		Reason:  series.ReasonOverlap,
		Message: fmt.Sprintf("series %s overlaps an existing series", r),
		Err:     cause,
	}
}

// seriesFilter returns the WHERE clause and arguments of a series query of
// org: only live series, and each non-empty field of q.
func seriesFilter(org tenant.OrgID, q ports.SeriesQuery) (string, []any) {
	where := []string{"org_id = ?", "deleted_at IS NULL"}
	args := []any{int64(org)}
	if q.ClientCode != "" {
		where = append(where, "owner_kind = ?", "owner_code = ?")
		args = append(args, string(series.Customer), q.ClientCode)
	}
	if q.HubCode != "" {
		where = append(where, "owner_kind = ?", "owner_code = ?")
		args = append(args, string(series.Hub), q.HubCode)
	}
	if q.Global {
		where = append(where, "owner_kind = ?")
		args = append(args, string(series.Global))
	}
	if q.ItemCode != "" {
		where = append(where, "item_code = ?")
		args = append(args, q.ItemCode)
	}
	if q.Type != "" {
		where = append(where, "type = ?")
		args = append(args, string(q.Type))
	}
	return strings.Join(where, " AND "), args
}

// readTx returns the options of a transaction that reads several
// statements from one snapshot. SQLite's transactions always are; asking
// its driver for an isolation level would only be refused.
func (s *Store) readTx() *sql.TxOptions { return s.dialect.readTx() }

// ListSeries returns the live series of org matching q, oldest first, and
// the number that match q ignoring paging. Filters combine with AND, so
// giving both ClientCode and HubCode matches nothing.
func (s *Store) ListSeries(ctx context.Context, org tenant.OrgID, q ports.SeriesQuery) ([]series.Series, int, error) {
	where, args := seriesFilter(org, q)
	limit, offset := page(q.Query)
	var out []series.Series
	var total int
	err := s.db.RunInTx(ctx, s.readTx(), func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewRaw("SELECT COUNT(*) FROM series WHERE "+where, args...).Scan(ctx, &total); err != nil {
			return err
		}
		var rows []seriesRow
		err := tx.NewRaw("SELECT "+seriesColumns+" FROM series WHERE "+where+" ORDER BY id LIMIT ? OFFSET ?",
			append(args, limit, offset)...).Scan(ctx, &rows)
		if err != nil {
			return err
		}
		out, err = s.withServiceTypes(ctx, tx, rows)
		return err
	})
	if err != nil {
		return nil, 0, s.dbError(err, "list series")
	}
	return out, total, nil
}

// withServiceTypes turns rows into series with their service types, read
// in one query.
func (s *Store) withServiceTypes(ctx context.Context, db bun.IDB, rows []seriesRow) ([]series.Series, error) {
	out := make([]series.Series, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]int64, len(rows))
	at := make(map[int64]int, len(rows))
	for i, r := range rows {
		sr, err := seriesFromRow(r)
		if err != nil {
			return nil, err
		}
		out[i] = sr
		ids[i] = r.ID
		at[r.ID] = i
	}
	var sts []seriesServiceTypeRow
	err := db.NewRaw("SELECT series_id, code, pos FROM series_service_types WHERE series_id IN (?) ORDER BY series_id, pos",
		bun.List(ids)).Scan(ctx, &sts)
	if err != nil && !errNoRows(err) {
		return nil, err
	}
	for _, st := range sts {
		i := at[st.SeriesID]
		out[i].ServiceTypes = append(out[i].ServiceTypes, st.Code)
	}
	if err := s.attachStock(ctx, db, rows, out); err != nil {
		return nil, err
	}
	return out, nil
}

// one reads the single live series a query selects, with its service types.
func (s *Store) one(ctx context.Context, query string, args ...any) (series.Series, bool, error) {
	var r seriesRow
	if err := s.db.NewRaw(query, args...).Scan(ctx, &r); err != nil {
		if errNoRows(err) {
			return series.Series{}, false, nil
		}
		return series.Series{}, false, err
	}
	out, err := s.withServiceTypes(ctx, s.db, []seriesRow{r})
	if err != nil {
		return series.Series{}, false, err
	}
	return out[0], true, nil
}

// SeriesByID returns a live series of org. NotFound SERIES_NOT_FOUND.
func (s *Store) SeriesByID(ctx context.Context, org tenant.OrgID, id int64) (series.Series, error) {
	sr, ok, err := s.one(ctx, "SELECT "+seriesColumns+" FROM series WHERE org_id = ? AND id = ? AND deleted_at IS NULL", int64(org), id)
	if err != nil {
		return series.Series{}, s.dbError(err, "get series")
	}
	if !ok {
		return series.Series{}, fault.Errorf(fault.NotFound, series.ReasonNotFound, "series %d not found", id)
	}
	return sr, nil
}

// SeriesHolding returns the live series of org whose range contains n.
// NotFound NUMBER_NOT_ALLOTTED; Invalid INVALID_NUMBER for a zero Number.
func (s *Store) SeriesHolding(ctx context.Context, org tenant.OrgID, n series.Number) (series.Series, error) {
	if n.IsZero() {
		return series.Series{}, fault.New(fault.Invalid, series.ReasonInvalidNumber, "a series number is required")
	}
	// As in overlapping: the only candidate is the live range with the
	// greatest first number not after n.
	sr, ok, err := s.one(ctx, "SELECT "+seriesColumns+` FROM series
		WHERE org_id = ? AND prefix = ? AND width = ? AND deleted_at IS NULL AND first_digits <= ?
		ORDER BY first_digits DESC LIMIT 1`,
		int64(org), n.Prefix(), n.Width(), n.Digits())
	if err != nil {
		return series.Series{}, s.dbError(err, "find series holding a number")
	}
	if !ok || !sr.Range.Contains(n) {
		return series.Series{}, fault.Errorf(fault.NotFound, series.ReasonNumberFree, "number %s is not in any series", n)
	}
	return sr, nil
}

// drawRow is what one draw statement returns: the series, its drawn count
// after the statement, and how many numbers the statement took.
type drawRow struct {
	ID          int64  `bun:"id"`
	Prefix      string `bun:"prefix"`
	FirstDigits string `bun:"first_digits"`
	LastDigits  string `bun:"last_digits"`
	Drawn       int64  `bun:"drawn"`
	LastTake    int64  `bun:"last_take"`
	CheckDigit  string `bun:"check_digit"`
}

// maxDrawMisses bounds how often one draw retries after losing a race for a
// series to concurrent draws; each loss means another draw made progress.
const maxDrawMisses = 1000

// stockFilter selects the live series of an owner and item code (and
// service type, when ?5 is used) that still have numbers, as series c.
// Arguments: ?1 org, ?2 owner kind, ?3 owner code, ?4 item code, ?5 service
// type.
func stockFilter(withServiceType bool) string {
	f := `c.org_id = ?1 AND c.owner_kind = ?2 AND c.owner_code = ?3 AND c.item_code = ?4
		AND c.deleted_at IS NULL AND c.drawn < c.size`
	if withServiceType {
		f += ` AND EXISTS (SELECT 1 FROM series_service_types AS t WHERE t.series_id = c.id AND t.code = ?5)`
	}
	return f
}

// drawWholeSQL takes exactly ?0 numbers from the oldest matching series
// with stock, in one atomic statement, or nothing when that series holds
// fewer or a marked number lies among them: it serves the common case that
// the oldest series can serve the whole draw, which then needs no
// transaction around it; drawMarked serves the others.
func drawWholeSQL(withServiceType bool) string {
	return `UPDATE series SET last_take = ?0, drawn = drawn + ?0
		WHERE id = (SELECT c.id FROM series AS c WHERE ` + stockFilter(withServiceType) + ` ORDER BY c.id LIMIT 1)
		AND size - drawn >= ?0 AND deleted_at IS NULL ` + belowMarks + `
		RETURNING id, prefix, first_digits, last_digits, drawn, last_take, check_digit`
}

// drawnRun turns what a draw statement returned into the run it took.
func drawnRun(r drawRow) (series.Drawn, error) {
	rng, err := rangeOf(r.Prefix, r.FirstDigits, r.LastDigits)
	if err != nil {
		return series.Drawn{}, err
	}
	part, ok := rng.Slice(uint64(r.Drawn-r.LastTake), uint64(r.LastTake))
	if !ok {
		return series.Drawn{}, fault.Wrap(fmt.Errorf("series %d: drew %d after %d outside %s", r.ID, r.LastTake, r.Drawn-r.LastTake, rng), "draw")
	}
	return series.Drawn{SeriesID: r.ID, Range: part, CheckDigit: series.Scheme(r.CheckDigit)}, nil
}

// DrawNext atomically draws the next q.Count numbers from the owner's live
// series with q.ItemCode (and q.ServiceType, when given), oldest series
// first, skipping used and void numbers, never returning a number twice.
// When the series hold fewer than q.Count numbers in all it draws nothing
// and returns Conflict SERIES_EXHAUSTED. Invalid INVALID_COUNT when q.Count
// is 0.
//
// When the oldest series with stock holds all q.Count numbers, which is
// nearly always the case, one statement draws them, with no transaction
// round trips; otherwise, or when a concurrent draw took that series'
// last numbers first, a transaction draws series after series.
func (s *Store) DrawNext(ctx context.Context, org tenant.OrgID, q ports.DrawQuery) ([]series.Drawn, error) {
	args, err := drawArgs(org, q, s.now())
	if err != nil {
		return nil, err
	}
	withST := q.ServiceType != ""
	var whole drawRow
	err = s.drawWhole(ctx, withST, args, &whole)
	if err == nil {
		d, err := drawnRun(whole)
		if err != nil {
			return nil, s.dbError(err, "draw numbers")
		}
		return []series.Drawn{d}, nil
	}
	if !errNoRows(err) {
		return nil, s.dbError(err, "draw numbers")
	}
	var out []series.Drawn
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = s.drawTx(ctx, tx, q, args, "")
		return err
	})
	if err != nil {
		return nil, s.dbError(err, "draw numbers")
	}
	return out, nil
}

// drawArgs checks q and returns the arguments of its draw statements.
// Invalid INVALID_COUNT when q.Count is 0.
func drawArgs(org tenant.OrgID, q ports.DrawQuery, at time.Time) ([]any, error) {
	if q.Count == 0 || q.Count > math.MaxInt64 {
		return nil, fault.New(fault.Invalid, series.ReasonInvalidCount, "the count of numbers to draw must be a positive number")
	}
	// ?6 and ?7 are the time and actor of the draw's history entries.
	return []any{int64(q.Count), int64(org), string(q.Owner.Kind), q.Owner.Code, q.ItemCode, q.ServiceType, at, string(q.Actor)}, nil
}

// drawInTx is DrawNext inside tx, a transaction of the caller's, which a
// rollback undoes with everything else it wrote: the same statements, the
// fast one first. Errors are the database's or DrawNext's faults, not yet
// mapped by dbError.
func (s *Store) drawInTx(ctx context.Context, tx bun.Tx, org tenant.OrgID, q ports.DrawQuery) ([]series.Drawn, error) {
	args, err := drawArgs(org, q, s.now())
	if err != nil {
		return nil, err
	}
	var whole drawRow
	err = s.drawWholeIn(ctx, tx, q.ServiceType != "", args, &whole)
	if err == nil {
		d, err := drawnRun(whole)
		if err != nil {
			return nil, err
		}
		return []series.Drawn{d}, nil
	}
	if !errNoRows(err) {
		return nil, err
	}
	return s.drawTx(ctx, tx, q, args, "")
}

// drawTx draws q's numbers in tx, series after series (drawMarked); args
// are DrawNext's. within, when set, admits only the series whose numbers
// all start with those digits (an MDN series of one area code). Conflict
// SERIES_EXHAUSTED when the owner's series hold fewer.
func (s *Store) drawTx(ctx context.Context, tx bun.Tx, q ports.DrawQuery, args []any, within string) ([]series.Drawn, error) {
	withST := q.ServiceType != ""
	want := int64(q.Count)
	filter := stockFilter(withST)
	if within != "" {
		filter += " AND c.first_digits LIKE ?8 AND c.last_digits LIKE ?8"
		args = append(args[:8:8], within+"%")
	}
	left := "SELECT COUNT(*) FROM series AS c WHERE " + filter
	// Each pool (the owner's series, then the global pool's for a customer
	// that uses it) is drawn until its series are exhausted, in the one
	// transaction, so that a draw spanning the owner's last numbers and
	// the global pool's first is all or nothing.
	pools := series.DrawPools(q.Owner, q.UseGlobal)
	pool := 0
	args[2], args[3] = string(pools[0].Kind), pools[0].Code
	var out []series.Drawn
	var taken int64
	for misses := 0; taken < want; {
		args[0] = want - taken
		runs, took, found, err := s.drawMarked(ctx, tx, filter, args)
		if err != nil {
			return nil, err
		}
		if !found {
			var n int64
			if err := tx.NewRaw(left, args...).Scan(ctx, &n); err != nil {
				return nil, err
			}
			if n == 0 {
				if pool++; pool < len(pools) {
					args[2], args[3] = string(pools[pool].Kind), pools[pool].Code
					continue
				}
				return nil, exhausted(q, taken)
			}
			if misses++; misses > maxDrawMisses {
				return nil, fault.Unavailablef(nil, "too many concurrent draws for %s, try again", q.Owner)
			}
			continue
		}
		out = append(out, runs...)
		taken += took
	}
	return out, nil
}

func exhausted(q ports.DrawQuery, available int64) error {
	what := fmt.Sprintf("item code %s", q.ItemCode)
	if q.ServiceType != "" {
		what += fmt.Sprintf(" and service type %s", q.ServiceType)
	}
	whose := q.Owner.String()
	if q.UseGlobal {
		whose += " and of the global pool"
	}
	return fault.Errorf(fault.Conflict, series.ReasonExhausted,
		"the series of %s for %s hold only %d more numbers; %d were requested", whose, what, available, q.Count)
}

// DeleteSeries soft-deletes every series in ids, or none: NotFound
// SERIES_NOT_FOUND when one is not a live series of org, Conflict
// SERIES_HAS_DRAWN_NUMBERS when one has had a number drawn. at is the
// deletion time (the store's clock when zero). A deleted series frees its
// range. Deleting no ids does nothing.
func (s *Store) DeleteSeries(ctx context.Context, org tenant.OrgID, ids []int64, at time.Time) error {
	ids = dedup(ids)
	if len(ids) == 0 {
		return nil
	}
	at = s.timeOr(at)
	actor := ports.ActorFrom(ctx)
	// On PostgreSQL lock the rows, so that no draw or delete changes them
	// between the check and the update; SQLite's single connection already
	// serialises the transaction.
	lock := s.lockClause()
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var rows []struct {
			ID          int64  `bun:"id"`
			Prefix      string `bun:"prefix"`
			FirstDigits string `bun:"first_digits"`
			LastDigits  string `bun:"last_digits"`
			Drawn       int64  `bun:"drawn"`
			CheckDigit  string `bun:"check_digit"`
		}
		err := tx.NewRaw("SELECT id, prefix, first_digits, last_digits, drawn, check_digit FROM series WHERE org_id = ? AND id IN (?) AND deleted_at IS NULL ORDER BY id"+lock,
			int64(org), bun.List(ids)).Scan(ctx, &rows)
		if err != nil && !errNoRows(err) {
			return err
		}
		found := make(map[int64]bool, len(rows))
		for _, r := range rows {
			found[r.ID] = true
		}
		for _, id := range ids {
			if !found[id] {
				return fault.Errorf(fault.NotFound, series.ReasonNotFound, "series %d not found", id)
			}
		}
		used, err := usedMarks(ctx, tx, ids)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := series.CheckDeletable(r.ID, r.Prefix+r.FirstDigits, r.Prefix+r.LastDigits, uint64(r.Drawn), uint64(used[r.ID])); err != nil {
				return err
			}
		}
		res, err := tx.NewRaw("UPDATE series SET deleted_at = ? WHERE org_id = ? AND id IN (?) AND deleted_at IS NULL AND drawn = 0 AND "+noUsedMarks,
			at, int64(org), bun.List(ids)).Exec(ctx)
		if err != nil {
			return err
		}
		// The guard repeats the checks, so a row changed despite the lock
		// cannot be deleted; then nothing is.
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != int64(len(ids)) {
			return fault.New(fault.Conflict, series.ReasonHasDrawn, "a series changed while it was being deleted; nothing was deleted")
		}
		entries := make([]series.Entry, len(rows))
		for i, r := range rows {
			rng, err := rangeOf(r.Prefix, r.FirstDigits, r.LastDigits)
			if err != nil {
				return err
			}
			entries[i] = series.DeletedEntry(series.Series{ID: r.ID, Range: rng, CheckDigit: series.Scheme(r.CheckDigit)}, actor, at)
		}
		return s.appendHistory(ctx, tx, org, entries)
	})
	return s.dbError(err, "delete series")
}

// dedup returns xs without repeats, in first-seen order.
func dedup[T comparable](xs []T) []T {
	if len(xs) < 2 {
		return xs
	}
	seen := make(map[T]bool, len(xs))
	out := make([]T, 0, len(xs))
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
