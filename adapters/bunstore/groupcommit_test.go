package bunstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"

	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
)

// TestGroupCommit runs many concurrent writes through the SQLite store's
// group commit, every third of which fails after writing: each caller gets
// its own write's outcome, the failed writes leave nothing behind, and
// every other write is kept.
func TestGroupCommit(t *testing.T) {
	s := openSQLiteTest(t)
	ctx := t.Context()
	if _, err := s.DB().ExecContext(ctx, "CREATE TABLE group_test (n INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	errOdd := errors.New("this write fails")
	const writes = 200
	errs := concurrently(writes, func(i int) error {
		return s.group.run(ctx, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, "INSERT INTO group_test (n) VALUES (?)", i); err != nil {
				return err
			}
			if i%3 == 0 {
				return errOdd
			}
			return nil
		})
	})
	for i, err := range errs {
		if want := i%3 == 0; (err != nil) != want || (want && !errors.Is(err, errOdd)) {
			t.Errorf("write %d: %v", i, err)
		}
	}
	var got []int
	if err := s.DB().NewRaw("SELECT n FROM group_test ORDER BY n").Scan(ctx, &got); err != nil {
		t.Fatal(err)
	}
	var want []int
	for i := range writes {
		if i%3 != 0 {
			want = append(want, i)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("kept %v\nwant %v", got, want)
	}
}

// TestGroupCommitStatements runs concurrent single-statement writes, which
// take no savepoint: every third violates the primary key and fails alone,
// undone by SQLite, and every other write is kept. A single-statement write
// that fails otherwise fails its whole batch: nothing of the batch is kept.
func TestGroupCommitStatements(t *testing.T) {
	s := openSQLiteTest(t)
	ctx := t.Context()
	if _, err := s.DB().ExecContext(ctx, "CREATE TABLE group_test (n INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	const writes = 300
	for i := 0; i < writes; i += 3 {
		if _, err := s.DB().ExecContext(ctx, "INSERT INTO group_test (n) VALUES (?)", i); err != nil {
			t.Fatal(err)
		}
	}
	errs := concurrently(writes, func(i int) error {
		return s.group.runStatement(ctx, func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO group_test (n) VALUES (?)", i)
			return err
		})
	})
	for i, err := range errs {
		if want := i%3 == 0; (err != nil) != want || (want && classify(err) != kindUnique) {
			t.Errorf("write %d: %v", i, err)
		}
	}
	var n int
	if err := s.DB().NewRaw("SELECT COUNT(*) FROM group_test").Scan(ctx, &n); err != nil {
		t.Fatal(err)
	}
	if n != writes {
		t.Fatalf("%d rows, want %d", n, writes)
	}

	// A statement that succeeded but whose write then failed in Go takes
	// its whole batch down: nothing of the batch is kept and every write
	// of it fails. A blocker holds the running batch while three writes
	// queue, in order, to form the next one.
	errGo := errors.New("failed after its statement")
	release := make(chan struct{})
	blocked := make(chan error, 1)
	go func() {
		blocked <- s.group.run(ctx, func(context.Context, bun.Tx) error { <-release; return nil })
	}()
	waitRunning(t, s.group)
	batch := make([]error, 3)
	var bw sync.WaitGroup
	for i := range batch {
		bw.Add(1)
		go func() {
			defer bw.Done()
			batch[i] = s.group.runStatement(ctx, func(ctx context.Context, tx bun.Tx) error {
				if _, err := tx.ExecContext(ctx, "INSERT INTO group_test (n) VALUES (?)", 500+i); err != nil {
					return err
				}
				if i == 1 {
					return errGo
				}
				return nil
			})
		}()
		waitQueued(t, s.group, i+1)
	}
	close(release)
	if err := <-blocked; err != nil {
		t.Fatal(err)
	}
	bw.Wait()
	for i, err := range batch {
		if !errors.Is(err, errGo) {
			t.Errorf("write %d of the failed batch: %v, want the batch's error", i, err)
		}
	}
	var kept int
	if err := s.DB().NewRaw("SELECT COUNT(*) FROM group_test WHERE n >= 500").Scan(ctx, &kept); err != nil {
		t.Fatal(err)
	}
	if kept != 0 {
		t.Fatalf("%d rows of a failed batch were kept", kept)
	}
}

// concurrently calls f(0) … f(n-1) each in a goroutine of its own and
// returns their errors by index.
func concurrently(n int, f func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f(i)
		}()
	}
	wg.Wait()
	return errs
}

// waitRunning waits until g runs a batch.
func waitRunning(t *testing.T, g *groupCommit) {
	t.Helper()
	waitFor(t, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return g.running })
}

// waitQueued waits until n writes are queued behind the running batch.
func waitQueued(t *testing.T, g *groupCommit, n int) {
	t.Helper()
	waitFor(t, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return len(g.queue) >= n })
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 5s")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestGroupCommitCancelled checks that a write whose context ended before
// its turn is not run and reports why, and that a failed commit fails
// every write of its batch.
func TestGroupCommitCancelled(t *testing.T) {
	s := openSQLiteTest(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ran := false
	err := s.group.run(ctx, func(context.Context, bun.Tx) error { ran = true; return nil })
	if ran || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled write: ran %v, err %v", ran, err)
	}

	// A write that leaves the transaction unusable fails the commit.
	err = s.group.run(t.Context(), func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, "COMMIT")
		return err
	})
	if err == nil {
		t.Fatal("a batch whose transaction was ended under it reports success")
	}
	// The store still works.
	if err := s.group.run(t.Context(), func(context.Context, bun.Tx) error { return nil }); err != nil {
		t.Fatalf("after a failed batch: %v", err)
	}
}

// TestPreparedInsertWritesAsBun checks that a series inserted through the
// SQLite writer's prepared statement stores created_at exactly as bun's
// dialect writes a time, so that rows compare and read back alike whichever
// path wrote them, and that the statement is prepared once.
func TestPreparedInsertWritesAsBun(t *testing.T) {
	s := openSQLiteTest(t)
	ctx := t.Context()
	o, err := s.CreateOrg(ctx, tenant.Organisation{Code: "ACME", Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	org := o.ID
	at := time.Date(2026, 11, 23, 14, 5, 6, 789012000, time.FixedZone("X", 3*3600))
	for i, r := range [][2]string{{"V10000051", "V10000060"}, {"V10000061", "V10000070"}} {
		rg, err := series.ParseRange(r[0], r[1])
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.InsertSeries(ctx, org, series.Series{Range: rg, Owner: series.Owner{Kind: series.Customer, Code: "SL1981"}, CreatedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		var text string
		if err := s.DB().NewRaw("SELECT created_at || '' FROM series WHERE id = ?", got.ID).Scan(ctx, &text); err != nil {
			t.Fatal(err)
		}
		want := strings.Trim(string(sqlitedialect.New().AppendTime(nil, at)), "'")
		if text != want {
			t.Fatalf("insert %d stored created_at %q, bun writes %q", i, text, want)
		}
		back, err := s.SeriesByID(ctx, org, got.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !back.CreatedAt.Equal(at) {
			t.Fatalf("read back %v, want %v", back.CreatedAt, at)
		}
	}
	if n := len(s.group.stmts); n != 1 {
		t.Fatalf("%d statements prepared, want 1", n)
	}
}
