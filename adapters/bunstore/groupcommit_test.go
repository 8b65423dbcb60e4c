package bunstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/uptrace/bun"
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
	errs := make([]error, writes)
	var wg sync.WaitGroup
	for i := range writes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.group.run(ctx, func(ctx context.Context, tx bun.Tx) error {
				if _, err := tx.ExecContext(ctx, "INSERT INTO group_test (n) VALUES (?)", i); err != nil {
					return err
				}
				if i%3 == 0 {
					return errOdd
				}
				return nil
			})
		}()
	}
	wg.Wait()
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
