package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// The inventory phase measures number-level state at the scale of issue
// 14: one series of 1,000,000 numbers with 100,000 scattered used numbers
// (every 10th), on PostgreSQL and on SQLite, through the store in this
// process (the store is where the cost is; the HTTP path adds what the
// draw phase shows). One client, so that the figures are latencies.
const (
	invSize    = 1_000_000
	invUsed    = 100_000
	invRunLen  = 100 // numbers per run of the contiguous comparison
	invOwner   = "INVBENCH"
	invItem    = "INV"
	invScatter = "S" // prefix of the scattered series
	invRuns    = "T" // prefix of the contiguous comparison
)

// invOp is one measured operation of the inventory phase.
type invOp struct {
	Ops     int     `json:"ops"`
	OpsPerS float64 `json:"ops_per_s"`
	P50Ms   float64 `json:"p50_ms"`
	P99Ms   float64 `json:"p99_ms"`
}

// invStorage is what the marks of one series take.
type invStorage struct {
	// UsedNumbers and Runs describe the used numbers of the series: how
	// many, and in how many runs of consecutive numbers.
	UsedNumbers int64 `json:"used_numbers"`
	Runs        int64 `json:"runs"`
	// MarkRows are the series_runs rows (runs of marks) the series holds.
	MarkRows int64 `json:"mark_rows"`
}

// inventoryResult is the inventory phase on one database.
type inventoryResult struct {
	Database string `json:"database"`
	// SeedS is how long consuming the 100,000 scattered numbers took, in
	// requests of series.MaxMark numbers.
	SeedS float64           `json:"seed_s"`
	Ops   map[string]*invOp `json:"ops"`
	// Scattered is the 1,000,000-number series with 100,000 runs of one;
	// Contiguous one with the same 100,000 used numbers in runs of 100.
	Scattered  invStorage `json:"scattered"`
	Contiguous invStorage `json:"contiguous"`
	// MarkTableBytes is series_runs with its indexes after both
	// (PostgreSQL only).
	MarkTableBytes int64 `json:"mark_table_bytes,omitempty"`
}

// invOpOrder is the order the operations are measured and printed in.
var invOpOrder = []string{"lookup", "consume-1", "release-1", "draw-1", "draw-100"}

// inventoryPhase runs the inventory phase on a PostgreSQL cluster of its
// own and on a SQLite file.
func (b *bench) inventoryPhase(ctx context.Context) error {
	b.logf("inventory: starting PostgreSQL")
	pg, err := startCluster(ctx, b.cfg, b.tmp)
	if err != nil {
		return err
	}
	defer pg.stop()
	db, err := pg.createDB(ctx, "allot_inventory")
	if err != nil {
		return err
	}
	_ = db.Close()
	for _, dsn := range []string{pg.dsn("allot_inventory"), "sqlite:" + filepath.Join(b.tmp, "inventory.db")} {
		r, err := b.inventoryOn(ctx, dsn)
		if err != nil {
			return err
		}
		b.res.Inventory = append(b.res.Inventory, r)
	}
	return nil
}

func (b *bench) inventoryOn(ctx context.Context, dsn string) (inventoryResult, error) {
	st, err := bunstore.Open(ctx, dsn)
	if err != nil {
		return inventoryResult{}, err
	}
	defer st.Close()
	r := inventoryResult{Database: st.Dialect(), Ops: map[string]*invOp{}}
	if err := st.Migrate(ctx); err != nil {
		return r, err
	}
	o, err := st.CreateOrg(ctx, tenant.Organisation{Code: "INVBENCH", Name: "Inventory bench"})
	if err != nil {
		return r, err
	}
	org, owner := o.ID, series.Owner{Kind: series.Customer, Code: invOwner}
	if _, err := st.AddCustomer(ctx, org, tenant.Customer{Code: invOwner, Name: invOwner}); err != nil {
		return r, err
	}
	width := len(strconv.Itoa(invSize - 1))
	num := func(prefix string, off int) string { return fmt.Sprintf("%s%0*d", prefix, width, off) }
	one := func(prefix string, off int) series.Range {
		return series.MustParseRange(num(prefix, off), num(prefix, off))
	}
	mk := func(prefix string) (series.Series, error) {
		return st.InsertSeries(ctx, org, series.Series{Owner: owner, Type: series.Physical,
			Range: series.MustParseRange(num(prefix, 0), num(prefix, invSize-1)), ItemCode: invItem})
	}
	mark := func(op series.Op, rs []series.Range) error {
		_, err := st.MarkNumbers(ctx, org, ports.MarkRequest{Op: op, Owner: owner, Ranges: rs, Actor: "cli:allotbench", At: time.Now()})
		return err
	}
	sc, err := mk(invScatter)
	if err != nil {
		return r, err
	}
	b.logf("inventory (%s): consuming %d scattered numbers of %d", r.Database, invUsed, invSize)
	t0 := time.Now()
	for batch := range invUsed / series.MaxMark {
		rs := make([]series.Range, 0, series.MaxMark)
		for k := batch * series.MaxMark; k < (batch+1)*series.MaxMark; k++ {
			rs = append(rs, one(invScatter, 10*k+3))
		}
		if err := mark(series.Consume, rs); err != nil {
			return r, fmt.Errorf("consume batch %d: %w", batch, err)
		}
	}
	r.SeedS = time.Since(t0).Seconds()
	if r.Scattered, err = invStorageOf(ctx, st, sc.ID, invUsed, invUsed); err != nil {
		return r, err
	}
	ct, err := mk(invRuns)
	if err != nil {
		return r, err
	}
	for k := 0; k < invUsed/invRunLen; k += series.MaxMark / invRunLen {
		var rs []series.Range
		for j := k; j < k+series.MaxMark/invRunLen; j++ {
			start := j * invRunLen * 10 // runs of 100 with gaps of 900
			rs = append(rs, series.MustParseRange(num(invRuns, start), num(invRuns, start+invRunLen-1)))
		}
		if err := mark(series.Consume, rs); err != nil {
			return r, fmt.Errorf("consume runs: %w", err)
		}
	}
	if r.Contiguous, err = invStorageOf(ctx, st, ct.ID, invUsed, invUsed/invRunLen); err != nil {
		return r, err
	}
	if st.Dialect() == bunstore.DialectPostgres {
		_ = st.DB().NewRaw("SELECT pg_total_relation_size('series_runs')").Scan(ctx, &r.MarkTableBytes)
	}

	// Each operation gets a fifth of the window. Consume and release take
	// numbers at offsets 10k+5, never used, spread over the series by a
	// stride coprime with the count; release gives them back in order.
	slot := b.cfg.duration / time.Duration(len(invOpOrder))
	spread := func(i int) int { return 10*((i*7919)%invUsed) + 5 }
	var consumed []int
	ops := map[string]func(i int) error{
		"lookup": func(i int) error {
			_, err := st.NumberState(ctx, org, series.MustParseNumber(num(invScatter, (i*7919)%invSize)))
			return err
		},
		"consume-1": func(i int) error {
			if i >= invUsed {
				return errInvDone
			}
			consumed = append(consumed, spread(i))
			return mark(series.Consume, []series.Range{one(invScatter, spread(i))})
		},
		"release-1": func(i int) error {
			if i >= len(consumed) {
				return errInvDone
			}
			return mark(series.Release, []series.Range{one(invScatter, consumed[i])})
		},
		"draw-1": func(int) error {
			_, err := st.DrawNext(ctx, org, ports.DrawQuery{Owner: owner, ItemCode: invItem, Count: 1, Actor: "cli:allotbench"})
			return err
		},
		"draw-100": func(int) error {
			_, err := st.DrawNext(ctx, org, ports.DrawQuery{Owner: owner, ItemCode: invItem, Count: 100, Actor: "cli:allotbench"})
			return err
		},
	}
	for _, name := range invOpOrder {
		b.logf("inventory (%s): %s for %s", r.Database, name, slot)
		o, err := timeLoop(ctx, slot, ops[name])
		if err != nil {
			return r, fmt.Errorf("%s: %w", name, err)
		}
		r.Ops[name] = o
	}
	return r, nil
}

// errInvDone ends an operation's loop early: its numbers ran out.
var errInvDone = fmt.Errorf("no more numbers for this operation")

// timeLoop runs f(0), f(1), … for d and returns the rate and latencies.
func timeLoop(ctx context.Context, d time.Duration, f func(i int) error) (*invOp, error) {
	var lat []time.Duration
	start := time.Now()
	for i := 0; time.Since(start) < d && ctx.Err() == nil; i++ {
		t := time.Now()
		if err := f(i); err == errInvDone {
			break
		} else if err != nil {
			return nil, err
		}
		lat = append(lat, time.Since(t))
	}
	el := time.Since(start)
	slices.Sort(lat)
	o := &invOp{Ops: len(lat), P50Ms: ms(percentile(lat, 0.5)), P99Ms: ms(percentile(lat, 0.99))}
	if len(lat) > 0 {
		o.OpsPerS = float64(len(lat)) / el.Seconds()
	}
	return o, ctx.Err()
}

// invStorageOf counts the marks series id holds.
func invStorageOf(ctx context.Context, st *bunstore.Store, id, used, runs int64) (invStorage, error) {
	s := invStorage{UsedNumbers: used, Runs: runs}
	err := st.DB().NewRaw("SELECT COUNT(*) FROM series_runs WHERE series_id = ?", id).Scan(ctx, &s.MarkRows)
	return s, err
}

// printInventory writes the inventory phase's figures under the table.
func printInventory(w io.Writer, rs []inventoryResult) {
	for _, r := range rs {
		fmt.Fprintf(w, "inventory (%s, 1 client, store in process): 1,000,000-number series, %d scattered used numbers consumed in %.1f s\n",
			r.Database, invUsed, r.SeedS)
		for _, name := range invOpOrder {
			if o := r.Ops[name]; o != nil {
				fmt.Fprintf(w, "  %-10s %8.0f ops/s  p50 %7.3f ms  p99 %7.3f ms  (%d ops)\n", name, o.OpsPerS, o.P50Ms, o.P99Ms, o.Ops)
			}
		}
		for _, s := range []struct {
			label string
			st    invStorage
		}{{"scattered", r.Scattered}, {"contiguous", r.Contiguous}} {
			fmt.Fprintf(w, "  storage %-10s %d used numbers in %d runs: %d mark rows (%.2f rows per run)\n",
				s.label, s.st.UsedNumbers, s.st.Runs, s.st.MarkRows, float64(s.st.MarkRows)/float64(max(s.st.Runs, 1)))
		}
		if r.MarkTableBytes > 0 {
			fmt.Fprintf(w, "  series_runs with indexes: %.1f MiB\n", float64(r.MarkTableBytes)/(1<<20))
		}
	}
}
