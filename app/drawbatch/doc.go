// Package drawbatch coalesces concurrent draws of one process: draws for
// the same organisation, owner, item code, service type and actor that
// arrive while such a draw is running are merged into the next one, a
// single store draw of their summed count, and its numbers are split among
// them in arrival order.
//
// On a hot owner every draw updates the same series row, so draws queue on
// its row lock, each held through its commit's WAL flush: one owner gets
// what one client gets, whatever the concurrency. Merging N draws into one
// statement hands out N draws per commit. The store's draw is atomic, so a
// merged draw is too, across processes as well: either the whole batch is
// drawn and every waiter gets its share, or nothing is and every waiter gets
// the error. A draw that arrives when none of its kind is running is sent at
// once (leader/follower batching: there is no timer).
package drawbatch
