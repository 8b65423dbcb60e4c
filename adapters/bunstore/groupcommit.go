package bunstore

import (
	"context"
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
}

// groupWrite is one queued write.
type groupWrite struct {
	ctx context.Context
	fn  func(ctx context.Context, tx bun.Tx) error
	err error
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
	w := &groupWrite{ctx: ctx, fn: fn, done: make(chan struct{}), lead: make(chan struct{}, 1)}
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
