package bunstore

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/uptrace/bun"
)

// groupCommit runs concurrent writes of the SQLite store in shared
// transactions. SQLite's writes are serialised on the store's one
// connection anyway, and with synchronous=FULL (the default, kept: a
// committed series must survive a power cut) each commit waits for the
// disk; writes that arrive while a transaction commits are therefore queued
// and run together in the next one, each within a savepoint of its own, so
// that one commit (one disk flush) makes a whole batch durable. A write
// whose savepoint fails is rolled back alone; if the commit itself fails,
// every write of the batch fails and none is kept. Each caller returns
// only once its write is durable or has failed, as with a transaction of
// its own.
//
// The caller that finds no batch running runs one with everything queued,
// its own write included; when it is done it hands the next batch to the
// first write queued meanwhile, so that no caller runs more than one batch.
type groupCommit struct {
	db *bun.DB

	mu      sync.Mutex
	running bool
	queue   []*groupWrite

	// stmts holds statements prepared on the writer connection, by text.
	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt
}

// statement returns query prepared on the writer connection, preparing it
// on first use. Writes run it through tx.StmtContext, which reuses the
// connection's prepared statement: SQLite then neither parses the text nor
// compiles the table's triggers into it again for every write, which was a
// fifth of the server's CPU in a series-create profile. It must not be
// called inside a transaction of the store: preparing needs the one
// connection.
func (g *groupCommit) statement(ctx context.Context, query string) (*sql.Stmt, error) {
	g.stmtMu.Lock()
	st := g.stmts[query]
	g.stmtMu.Unlock()
	if st != nil {
		return st, nil
	}
	st, err := g.db.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	g.stmtMu.Lock()
	defer g.stmtMu.Unlock()
	if have := g.stmts[query]; have != nil {
		_ = st.Close()
		return have, nil
	}
	if g.stmts == nil {
		g.stmts = map[string]*sql.Stmt{}
	}
	g.stmts[query] = st
	return st, nil
}

// groupWrite is one queued write.
type groupWrite struct {
	ctx context.Context
	fn  func(ctx context.Context, tx bun.Tx) error
	// single says fn runs one statement, which needs no savepoint (see
	// runStatement).
	single bool
	err    error
	// done is closed once err is final; lead is signalled when the
	// write's caller is to run the next batch.
	done chan struct{}
	lead chan struct{}
}

// maxGroup bounds a batch; the rest waits for the next.
const maxGroup = 256

// batchTimeout bounds a batch's transaction. A batch runs on behalf of
// several callers, so none of their contexts may cancel it.
const batchTimeout = 30 * time.Second

// run runs fn in a transaction shared with concurrent writes, and returns
// its error or the commit's. fn must not start transactions of its own. A
// write whose ctx has ended before its turn comes is not run.
func (g *groupCommit) run(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return g.enqueue(&groupWrite{ctx: ctx, fn: fn})
}

// runStatement is run for an fn that issues exactly one statement. SQLite
// undoes a statement that fails a constraint (or the no-overlap trigger's
// RAISE(ABORT)) by itself and keeps the transaction and the batch's other
// writes, so such a write needs no savepoint of its own: two statements
// fewer per write. Any other failure of fn might have left its statement
// half-done or the transaction unusable, so it fails the whole batch, and
// nothing of it is kept.
func (g *groupCommit) runStatement(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return g.enqueue(&groupWrite{ctx: ctx, fn: fn, single: true})
}

func (g *groupCommit) enqueue(w *groupWrite) error {
	w.done, w.lead = make(chan struct{}), make(chan struct{}, 1)
	g.mu.Lock()
	g.queue = append(g.queue, w)
	if g.running {
		g.mu.Unlock()
		// Even if ctx ends now the write may already be running: the
		// caller learns its fate from done, never by leaving early.
		select {
		case <-w.done:
			return w.err
		case <-w.lead:
		}
		g.mu.Lock()
	}
	g.running = true
	n := min(len(g.queue), maxGroup)
	batch := g.queue[:n:n]
	g.queue = append([]*groupWrite(nil), g.queue[n:]...)
	g.mu.Unlock()

	g.commit(batch)

	g.mu.Lock()
	if len(g.queue) > 0 {
		g.queue[0].lead <- struct{}{}
	} else {
		g.running = false
	}
	g.mu.Unlock()
	<-w.done
	return w.err
}

// commit runs batch in one transaction and settles every write's error.
func (g *groupCommit) commit(batch []*groupWrite) {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	alone := len(batch) == 1
	err := g.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, w := range batch {
			if w.err = w.ctx.Err(); w.err != nil {
				continue
			}
			if alone {
				// No other write to protect: the transaction itself is
				// the write's savepoint.
				w.err = w.fn(ctx, tx)
				return w.err
			}
			if w.single {
				if w.err = w.fn(ctx, tx); w.err != nil && !undoneByStatement(w.err) {
					return w.err
				}
				continue
			}
			if _, err := tx.ExecContext(ctx, "SAVEPOINT group_write"); err != nil {
				return err
			}
			if w.err = w.fn(ctx, tx); w.err != nil {
				if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT group_write"); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT group_write"); err != nil {
				return err
			}
		}
		return nil
	})
	for _, w := range batch {
		if err != nil && w.err == nil {
			// Nothing of the batch was kept.
			w.err = err
		}
		close(w.done)
	}
}

// undoneByStatement reports whether err is a constraint failure, which
// SQLite's default ABORT resolution undoes with its statement alone.
func undoneByStatement(err error) bool {
	switch classify(err) {
	case kindUnique, kindOverlap, kindForeignKey, kindCheck:
		return true
	}
	return false
}
