package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// stormTimeout bounds one storm; thousands of requests take seconds.
const stormTimeout = 2 * time.Minute

// stormRequest is one create of a storm.
type stormRequest struct {
	start, end string
	slot       int  // the slot whose range this is, or overlaps
	overlap    bool // the slot's range shifted by overlapBy
}

// planStorm plans total creates of which pct percent are deliberate
// overlaps. The others take the distinct slots 0..slots-1; each overlap
// is a different slot's range shifted by overlapBy, so it collides with
// that slot's create and nothing else. The order is shuffled with seed.
// With bursts, each colliding pair stays adjacent, so that two workers send
// both at once and their inserts race.
func planStorm(total, pct int, seed uint64, bursts bool) (reqs []stormRequest, slots int) {
	overlaps := total * pct / 100
	slots = total - overlaps
	if overlaps > slots {
		panic("planStorm: more overlaps than slots")
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	collide := make(map[int]bool, overlaps)
	for _, s := range rng.Perm(slots)[:overlaps] {
		collide[s] = true
	}
	// A unit is sent together: one create, or a colliding pair.
	units := make([][]stormRequest, 0, slots)
	for s := range slots {
		start, end := slotRange(s)
		u := []stormRequest{{start: start, end: end, slot: s}}
		if collide[s] {
			start, end := numberRange(rangeBase + int64(s)*slotStride + overlapBy)
			u = append(u, stormRequest{start: start, end: end, slot: s, overlap: true})
			if rng.IntN(2) == 0 {
				u[0], u[1] = u[1], u[0]
			}
		}
		units = append(units, u)
	}
	reqs = make([]stormRequest, 0, total)
	if bursts {
		rng.Shuffle(len(units), func(i, j int) { units[i], units[j] = units[j], units[i] })
		for _, u := range units {
			reqs = append(reqs, u...)
		}
		return reqs, slots
	}
	for _, u := range units {
		reqs = append(reqs, u...)
	}
	rng.Shuffle(len(reqs), func(i, j int) { reqs[i], reqs[j] = reqs[j], reqs[i] })
	return reqs, slots
}

// runStorm sends reqs with the given number of workers, request k to
// server k mod len(servers), and returns every outcome, indexed like reqs,
// and how long the storm took.
func runStorm(t *testing.T, c *http.Client, servers []*server, key string, reqs []stormRequest, workers int) ([]outcome, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), stormTimeout)
	defer cancel()
	outs := make([]outcome, len(reqs))
	var next atomic.Int64
	var wg sync.WaitGroup
	began := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				k := int(next.Add(1) - 1)
				if k >= len(reqs) {
					return
				}
				r := reqs[k]
				outs[k] = create(ctx, c, servers[k%len(servers)].base, key, r.start, r.end)
			}
		})
	}
	wg.Wait()
	return outs, time.Since(began)
}

// stormTally classifies a storm's outcomes.
type stormTally struct {
	ok           int       // 200
	overlaps     int       // 400 SERIES_OVERLAP
	serverErrors int       // 5xx
	other        int       // anything else, transport errors included
	acks         []outcome // the 200s
	problems     []string  // every outcome that is not a correct 200 or overlap
}

func tallyStorm(reqs []stormRequest, outs []outcome) stormTally {
	var tl stormTally
	for k, o := range outs {
		r := reqs[k]
		switch {
		case o.err == nil && o.status == http.StatusOK:
			tl.ok++
			tl.acks = append(tl.acks, o)
			if o.id <= 0 || o.start != r.start || o.end != r.end {
				tl.problems = append(tl.problems, fmt.Sprintf("%s-%s: 200 with id %d range %s-%s", r.start, r.end, o.id, o.start, o.end))
			}
		case o.err == nil && o.status == http.StatusBadRequest && o.reason == reasonOverlap:
			tl.overlaps++
		case o.status >= 500:
			tl.serverErrors++
			tl.problems = append(tl.problems, fmt.Sprintf("%s-%s: %s", r.start, r.end, o.describe()))
		default:
			tl.other++
			tl.problems = append(tl.problems, fmt.Sprintf("%s-%s: %s", r.start, r.end, o.describe()))
		}
		if o.bad {
			tl.problems = append(tl.problems, fmt.Sprintf("%s-%s: body leaks internals: %s", r.start, r.end, o.body))
		}
	}
	return tl
}

// TestStormThreeProcesses races 5,000 creates, 10% of them overlapping
// another, from 64 clients across three server processes on one database,
// and checks that the database holds exactly the acknowledged series and
// no two that overlap.
func TestStormThreeProcesses(t *testing.T) {
	const (
		requests = 5000
		pct      = 10
		workers  = 64
	)
	dsn := srv.NewDatabase(t)
	key := setupTenant(t, dsn)
	servers := startServers(t, dsn, 3)
	c := newClient(t, workers)

	reqs, slots := planStorm(requests, pct, 1981, false)
	outs, took := runStorm(t, c, servers, key, reqs, workers)
	tl := tallyStorm(reqs, outs)

	db := openDB(t, dsn)
	pairs := overlappingPairs(t, db)
	live := liveSeries(t, db)
	recordFigures(t, "storm", fmt.Sprintf("storm: requests=%d ok=%d overlaps_rejected=%d overlapping_pairs=%d 5xx=%d other=%d duration=%s",
		len(reqs), tl.ok, tl.overlaps, pairs, tl.serverErrors, tl.other, took.Round(time.Millisecond)))

	if len(tl.problems) > 0 {
		t.Errorf("%d requests got something other than a correct 200 or 400 %s: %s", len(tl.problems), reasonOverlap, firstN(tl.problems, 10))
	}
	if tl.serverErrors != 0 {
		t.Errorf("5xx responses: %d, want 0", tl.serverErrors)
	}
	if pairs != 0 {
		t.Errorf("the database holds %d pairs of overlapping live series", pairs)
	}
	if tl.ok+tl.overlaps != len(reqs) {
		t.Errorf("200s (%d) + overlaps rejected (%d) = %d, want %d", tl.ok, tl.overlaps, tl.ok+tl.overlaps, len(reqs))
	}
	// Every slot is wanted by one create, or by a colliding pair of which
	// exactly one wins, whichever commits first: one 200 per slot.
	if tl.ok != slots {
		t.Errorf("200s: %d, want exactly one per slot: %d", tl.ok, slots)
	}
	checkSlots(t, reqs, outs)

	if found := checkAcknowledged(t, live, tl.acks); found != len(live) {
		var extra []string
		acked := make(map[int64]bool, len(tl.acks))
		for _, o := range tl.acks {
			acked[o.id] = true
		}
		for id, s := range live {
			if !acked[id] {
				extra = append(extra, fmt.Sprintf("%d %s-%s", id, s.start, s.end))
			}
		}
		t.Errorf("the database holds %d live series, %d of them acknowledged; never acknowledged: %s", len(live), found, firstN(extra, 10))
	}
}

// checkSlots checks that every slot was won by exactly one create.
func checkSlots(t *testing.T, reqs []stormRequest, outs []outcome) {
	t.Helper()
	wins := make(map[int][]string)
	tries := make(map[int]int)
	for k, r := range reqs {
		tries[r.slot]++
		if outs[k].status == http.StatusOK {
			wins[r.slot] = append(wins[r.slot], r.start)
		}
	}
	var bad []string
	for slot, n := range tries {
		if len(wins[slot]) != 1 {
			bad = append(bad, fmt.Sprintf("slot %d: %d creates, winners %v", slot, n, wins[slot]))
		}
	}
	if len(bad) > 0 {
		t.Errorf("%d slots not won by exactly one create: %s", len(bad), firstN(bad, 10))
	}
}

// TestStormNegativeControl runs a storm of colliding pairs sent at once
// against a database whose exclusion constraint was dropped. The store does
// not pre-check overlaps on PostgreSQL (the constraint is the guarantee),
// so overlaps must now get in, and the self-join must see them: this proves
// the storm's overlap detection can fail.
func TestStormNegativeControl(t *testing.T) {
	const (
		requests = 2000
		pct      = 30
		workers  = 64
	)
	dsn := srv.NewDatabase(t)
	key := setupTenant(t, dsn)
	db := openDB(t, dsn)
	name := exclusionConstraint(t, db)
	if _, err := db.ExecContext(t.Context(), "ALTER TABLE series DROP CONSTRAINT "+quoteIdent(name)); err != nil {
		t.Fatalf("drop %s: %v", name, err)
	}
	if n := countExclusionConstraints(t, db); n != 0 {
		t.Fatalf("%d exclusion constraints left on series after dropping %s", n, name)
	}
	servers := startServers(t, dsn, 3)
	c := newClient(t, workers)

	reqs, _ := planStorm(requests, pct, 2009, true)
	outs, took := runStorm(t, c, servers, key, reqs, workers)
	tl := tallyStorm(reqs, outs)
	pairs := overlappingPairs(t, db)
	recordFigures(t, "storm-control", fmt.Sprintf("storm-control: requests=%d ok=%d overlaps_rejected=%d overlapping_pairs=%d 5xx=%d other=%d duration=%s",
		len(reqs), tl.ok, tl.overlaps, pairs, tl.serverErrors, tl.other, took.Round(time.Millisecond)))

	if tl.ok == 0 {
		t.Fatalf("no create succeeded: %s", firstN(tl.problems, 5))
	}
	if pairs < 1 {
		t.Errorf("without the exclusion constraint the self-join found no overlapping pair (%d creates acknowledged of %d): the storm's detection cannot fail, so it proves nothing", tl.ok, len(reqs))
	}
}

// exclusionConstraint returns the name of the one exclusion constraint on
// table series.
func exclusionConstraint(t *testing.T, db *sql.DB) string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(),
		`SELECT conname FROM pg_constraint WHERE conrelid = 'series'::regclass AND contype = 'x'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(names) != 1 {
		t.Fatalf("exclusion constraints on series: %v, want exactly one", names)
	}
	return names[0]
}

func countExclusionConstraints(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	err := db.QueryRowContext(t.Context(),
		`SELECT count(*) FROM pg_constraint WHERE conrelid = 'series'::regclass AND contype = 'x'`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// quoteIdent quotes a PostgreSQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
