package bunstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/allot-io/allot/domain/series"
)

// runRow is a run of marks (series_runs): the numbers at offsets
// FirstPos..LastPos of a series share a state and reference. Runs of a
// series never overlap: PostgreSQL's exclusion constraint and SQLite's
// trigger refuse one that would.
type runRow struct {
	bun.BaseModel `bun:"table:series_runs,alias:sr"`

	SeriesID  int64     `bun:"series_id,pk"`
	FirstPos  int64     `bun:"first_pos,pk"`
	LastPos   int64     `bun:"last_pos,notnull"`
	State     string    `bun:"state,notnull"`
	Reference string    `bun:"reference,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`
}

const runColumns = "r.series_id, r.first_pos, r.last_pos, r.state, r.reference, r.updated_at"

func (r runRow) mark() series.MarkRun {
	return series.MarkRun{First: uint64(r.FirstPos), Last: uint64(r.LastPos), State: series.State(r.State), Reference: r.Reference, At: r.UpdatedAt}
}

// window is an inclusive span of offsets of a series; lo may be -1.
type window struct{ lo, hi int64 }

// pointSpan is the widest window runsNear reads as its single offsets.
const pointSpan = 16

// runsNear returns the runs of a series that overlap any of ws, ascending
// and each once, in index probes only, whatever the planner's statistics
// say about the table (a join of the windows with series_runs is planned
// as a scan of the series' runs while they are fresh): a narrow window is
// read as its offsets, each the start of the run that begins last at or
// before it (a min/max probe of the primary key), then those runs by key;
// a wide one as the run holding its first offset and a key range scan of
// the runs starting inside it.
func runsNear(ctx context.Context, db bun.IDB, seriesID int64, ws []window) ([]runRow, error) {
	seen := map[int64]bool{}
	var points []int64
	var wide []window
	point := func(p int64) {
		if p >= 0 && !seen[p] {
			seen[p] = true
			points = append(points, p)
		}
	}
	for _, w := range ws {
		if w.hi-w.lo >= pointSpan {
			wide = append(wide, w)
			point(w.lo)
			continue
		}
		for p := w.lo; p <= w.hi; p++ {
			point(p)
		}
	}
	clear(seen)
	var starts []int64
	for chunk := range slices.Chunk(points, writeChunk) {
		values := make([]string, len(chunk))
		args := make([]any, 0, len(chunk)+1)
		for i, p := range chunk {
			values[i] = "(?)"
			args = append(args, p)
		}
		args = append(args, seriesID)
		var got []struct {
			S *int64 `bun:"s"`
		}
		err := db.NewRaw(`WITH w(p) AS (VALUES `+strings.Join(values, ", ")+`)
			SELECT (SELECT MAX(q.first_pos) FROM series_runs AS q WHERE q.series_id = ? AND q.first_pos <= w.p) AS s FROM w`,
			args...).Scan(ctx, &got)
		if err != nil && !errNoRows(err) {
			return nil, err
		}
		for _, g := range got {
			if g.S != nil && !seen[*g.S] {
				seen[*g.S] = true
				starts = append(starts, *g.S)
			}
		}
	}
	var out []runRow
	in := newWindowSet(ws)
	clear(seen)
	add := func(rows []runRow) {
		for _, r := range rows {
			if !seen[r.FirstPos] && in.overlaps(r) {
				seen[r.FirstPos] = true
				out = append(out, r)
			}
		}
	}
	for chunk := range slices.Chunk(starts, writeChunk) {
		var rows []runRow
		err := db.NewRaw(`SELECT `+runColumns+` FROM series_runs AS r WHERE r.series_id = ? AND r.first_pos IN (?)`,
			seriesID, bun.List(chunk)).Scan(ctx, &rows)
		if err != nil && !errNoRows(err) {
			return nil, err
		}
		add(rows)
	}
	for _, w := range wide {
		var rows []runRow
		err := db.NewRaw(`SELECT `+runColumns+` FROM series_runs AS r WHERE r.series_id = ? AND r.first_pos > ? AND r.first_pos <= ?
			ORDER BY r.first_pos`, seriesID, w.lo, w.hi).Scan(ctx, &rows)
		if err != nil && !errNoRows(err) {
			return nil, err
		}
		add(rows)
	}
	slices.SortFunc(out, func(a, b runRow) int { return compareI64(a.FirstPos, b.FirstPos) })
	return out, nil
}

// windowSet answers whether a run overlaps any of a set of windows, in a
// binary search.
type windowSet struct {
	ws []window
	// reach[i] is the greatest hi of ws[:i+1], ws sorted by lo.
	reach []int64
}

func newWindowSet(ws []window) windowSet {
	sorted := slices.Clone(ws)
	slices.SortFunc(sorted, func(a, b window) int { return compareI64(a.lo, b.lo) })
	reach := make([]int64, len(sorted))
	for i, w := range sorted {
		reach[i] = w.hi
		if i > 0 {
			reach[i] = max(reach[i], reach[i-1])
		}
	}
	return windowSet{ws: sorted, reach: reach}
}

func (s windowSet) overlaps(r runRow) bool {
	// The windows starting at or before the run's end; one of them
	// reaches its start if any window overlaps it.
	n, _ := slices.BinarySearchFunc(s.ws, r.LastPos+1, func(w window, t int64) int { return compareI64(w.lo, t) })
	return n > 0 && s.reach[n-1] >= r.FirstPos
}

func compareI64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// runAt returns the run holding the number at offset pos of a series.
func runAt(ctx context.Context, db bun.IDB, seriesID int64, pos uint64) (runRow, bool, error) {
	var rows []runRow
	err := db.NewRaw(`SELECT `+runColumns+` FROM series_runs AS r WHERE r.series_id = ? AND r.first_pos <= ?
		ORDER BY r.first_pos DESC LIMIT 1`, seriesID, int64(pos)).Scan(ctx, &rows)
	if err != nil && !errNoRows(err) {
		return runRow{}, false, err
	}
	if len(rows) == 1 && rows[0].LastPos >= int64(pos) {
		return rows[0], true, nil
	}
	return runRow{}, false, nil
}

// runBatch bounds the runs a walk from the draw pointer reads at once.
const runBatch = 256

// runsFrom returns the runs of a series ending at or after pos, ascending:
// the one holding pos, if any, and up to limit starting after it. It walks
// the primary key one min/max probe per run, then reads those runs by key:
// a range scan ordered by first_pos is planned as a scan and sort of every
// run of the series while the table's statistics are fresh.
func runsFrom(ctx context.Context, db bun.IDB, seriesID int64, pos uint64, limit int) ([]runRow, error) {
	var starts []struct {
		P *int64 `bun:"p"`
	}
	err := db.NewRaw(`WITH RECURSIVE n(p, d) AS (
			SELECT (SELECT MAX(k.first_pos) FROM series_runs AS k WHERE k.series_id = ?0 AND k.first_pos <= ?1), 0
			UNION ALL
			SELECT (SELECT MIN(k.first_pos) FROM series_runs AS k WHERE k.series_id = ?0 AND k.first_pos > COALESCE(n.p, -1)), n.d + 1
			FROM n WHERE n.d < ?2 AND (n.p IS NOT NULL OR n.d = 0))
		SELECT p FROM n WHERE p IS NOT NULL`, seriesID, int64(pos), limit).Scan(ctx, &starts)
	if err != nil && !errNoRows(err) {
		return nil, err
	}
	if len(starts) == 0 {
		return nil, nil
	}
	keys := make([]int64, len(starts))
	for i, st := range starts {
		keys[i] = *st.P
	}
	var rows []runRow
	err = db.NewRaw(`SELECT `+runColumns+` FROM series_runs AS r WHERE r.series_id = ? AND r.first_pos IN (?)`,
		seriesID, bun.List(keys)).Scan(ctx, &rows)
	if err != nil && !errNoRows(err) {
		return nil, err
	}
	rows = slices.DeleteFunc(rows, func(r runRow) bool { return r.LastPos < int64(pos) })
	slices.SortFunc(rows, func(a, b runRow) int { return compareI64(a.FirstPos, b.FirstPos) })
	return rows, nil
}

// markedFromSQL is the lowest marked offset at or after ?1 of series ?0,
// or NULL: ?1 itself when a run holds it, else the first run's start after
// it.
const markedFromSQL = `COALESCE(
	(SELECT ?1 FROM series_runs AS m WHERE m.series_id = ?0 AND m.last_pos >= ?1
		AND m.first_pos = (SELECT MAX(k.first_pos) FROM series_runs AS k WHERE k.series_id = ?0 AND k.first_pos <= ?1)),
	(SELECT MIN(m.first_pos) FROM series_runs AS m WHERE m.series_id = ?0 AND m.first_pos >= ?1))`

// markedFrom returns markedFromSQL's offset.
func markedFrom(ctx context.Context, db bun.IDB, seriesID int64, pos uint64) (*int64, error) {
	var next sql.NullInt64
	err := db.NewRaw("SELECT "+markedFromSQL, seriesID, int64(pos)).Scan(ctx, &next)
	if err != nil && !errNoRows(err) {
		return nil, err
	}
	if !next.Valid {
		return nil, nil
	}
	return &next.Int64, nil
}

// writeRuns applies changes, ascending by offset, to the runs of a locked
// series: it reads the runs on or next to every changed offset, replaces
// them by series.Overlay's, and so splits and merges runs in O(runs
// touched) rows.
func writeRuns(ctx context.Context, tx bun.Tx, seriesID int64, changes []series.Change, reference string, at time.Time) error {
	if len(changes) == 0 {
		return nil
	}
	// A window per stretch of consecutive changed offsets, widened by one
	// on each side for the neighbours a new mark merges with.
	var ws []window
	for i, c := range changes {
		off := int64(c.Offset)
		if i > 0 && off <= ws[len(ws)-1].hi {
			ws[len(ws)-1].hi = off + 1
			continue
		}
		ws = append(ws, window{lo: off - 1, hi: off + 1})
	}
	old, err := runsNear(ctx, tx, seriesID, ws)
	if err != nil {
		return err
	}
	marks := make([]series.MarkRun, len(old))
	for i, r := range old {
		marks[i] = r.mark()
	}
	next := series.Overlay(marks, changes, reference, at)
	// Runs that come out as they went in stay.
	keep := map[series.MarkRun]bool{}
	for _, m := range marks {
		keep[m] = true
	}
	var gone []int64
	in := map[series.MarkRun]bool{}
	for _, m := range next {
		in[m] = true
	}
	for _, r := range old {
		if !in[r.mark()] {
			gone = append(gone, r.FirstPos)
		}
	}
	var inserts []runRow
	for _, m := range next {
		if !keep[m] {
			inserts = append(inserts, runRow{SeriesID: seriesID, FirstPos: int64(m.First), LastPos: int64(m.Last), State: string(m.State), Reference: m.Reference, UpdatedAt: m.At})
		}
	}
	for chunk := range slices.Chunk(gone, writeChunk) {
		if _, err := tx.NewRaw("DELETE FROM series_runs WHERE series_id = ? AND first_pos IN (?)", seriesID, bun.List(chunk)).Exec(ctx); err != nil {
			return err
		}
	}
	for chunk := range slices.Chunk(inserts, writeChunk) {
		if _, err := tx.NewInsert().Model(&chunk).Exec(ctx); err != nil {
			return fmt.Errorf("write runs of series %d: %w", seriesID, err)
		}
	}
	return nil
}
