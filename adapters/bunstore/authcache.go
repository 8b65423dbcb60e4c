package bunstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// On PostgreSQL the store keeps the rows that authenticate requests (API
// keys with their organisation, and organisations by id) in memory, so
// that a request does not spend a database round trip on them, which on a
// loaded server costs as much as the work the request is for. The cache is
// invalidated by the database itself: a statement trigger on api_keys and
// organisations (migration 20260310000001_auth_notify) notifies channel
// authChannel when either changes, and one connection per store listens.
//
// Correctness rests on three rules:
//   - entries are only used while the listener is connected and listening;
//     when it is not, every lookup goes to the database;
//   - every notification, (re)connection and loss of the connection starts
//     a new generation, and an entry is only valid in the generation that
//     was current before the query that produced it, so that a change
//     committed while the query ran is never hidden;
//   - the listener only starts listening once a notification sent through
//     the store's pool has reached it (behind a pooler that cannot deliver
//     notifications, PgBouncer in transaction mode say, nothing is ever
//     cached), and it proves its connection alive every pingEvery, so that a
//     connection that died silently is noticed within pingEvery+pingTimeout.
//
// A revocation thus takes effect as soon as its notification arrives
// (normally well under a millisecond after the commit; a request racing the
// commit can pass with or without a cache), and at once in the process that
// made it. Keys that are not found are never cached.

// authChannel is the channel the migration's trigger notifies.
const authChannel = "allot_auth"

// Bounds of the cache.
const (
	pingEvery      = 5 * time.Second
	pingTimeout    = 2 * time.Second
	maxAuthEntries = 1 << 14
	// maxAuthAge bounds an entry's life even while no notification
	// comes, as a last resort against an unforeseen failure.
	maxAuthAge = time.Minute
	maxBackoff = 30 * time.Second
)

// authCache is the cache; nil (on SQLite) caches nothing.
type authCache struct {
	cfg *pgx.ConnConfig
	// notify sends a notification with payload on authChannel through
	// the store's pool, to prove the listener receives what others send.
	notify func(ctx context.Context, payload string) error

	// life guards starting and stopping the listener.
	life    sync.Mutex
	started bool
	closed  bool
	cancel  context.CancelFunc
	done    chan struct{}

	// gen is the current generation; 0 is never current, so that an entry
	// stored under generation 0 (captured while not listening) is never
	// valid.
	gen       atomic.Uint64
	listening atomic.Bool

	mu   sync.RWMutex
	keys map[string]keyEntry
	orgs map[tenant.OrgID]orgEntry
}

type keyEntry struct {
	gen uint64
	at  time.Time
	org tenant.Organisation
	key tenant.APIKey
}

type orgEntry struct {
	gen uint64
	at  time.Time
	org tenant.Organisation
}

func newAuthCache(cfg *pgx.ConnConfig, notify func(ctx context.Context, payload string) error) *authCache {
	return &authCache{cfg: cfg, notify: notify, done: make(chan struct{})}
}

// start starts the listener, once, on the first lookup: commands that
// never authenticate a request open no listening connection.
func (c *authCache) start() {
	c.life.Lock()
	defer c.life.Unlock()
	if c.started || c.closed {
		return
	}
	c.started = true
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go c.listen(ctx)
}

// close stops the listener, if it runs, and waits for its connection to
// close. The cache is off from then on.
func (c *authCache) close() {
	if c == nil {
		return
	}
	c.life.Lock()
	started, closed := c.started, c.closed
	c.closed = true
	c.life.Unlock()
	if started && !closed {
		c.cancel()
		<-c.done
	}
}

// generation returns the generation a lookup about to query the database
// must store its result under: 0, which is never valid, when not
// listening.
func (c *authCache) generation() uint64 {
	if c == nil {
		return 0
	}
	if !c.listening.Load() {
		c.start()
		return 0
	}
	return c.gen.Load()
}

// valid reports whether an entry of generation g stored at at may be used.
func (c *authCache) valid(g uint64, at time.Time) bool {
	return g != 0 && c.listening.Load() && g == c.gen.Load() && time.Since(at) < maxAuthAge
}

// invalidate starts a new generation: every entry stored before is stale.
func (c *authCache) invalidate() {
	if c != nil {
		c.gen.Add(1)
	}
}

// key returns the cached API key with hash and its organisation.
func (c *authCache) key(hash []byte) (tenant.Organisation, tenant.APIKey, bool) {
	if c == nil {
		return tenant.Organisation{}, tenant.APIKey{}, false
	}
	c.mu.RLock()
	e, ok := c.keys[string(hash)]
	c.mu.RUnlock()
	if !ok || !c.valid(e.gen, e.at) {
		return tenant.Organisation{}, tenant.APIKey{}, false
	}
	return e.org, e.key, true
}

// putKey caches what a lookup started in generation g found.
func (c *authCache) putKey(g uint64, hash []byte, org tenant.Organisation, key tenant.APIKey) {
	if c == nil || g == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys == nil || len(c.keys) >= maxAuthEntries {
		c.keys = make(map[string]keyEntry)
	}
	c.keys[string(hash)] = keyEntry{gen: g, at: time.Now(), org: org, key: key}
}

// org returns the cached organisation with id.
func (c *authCache) org(id tenant.OrgID) (tenant.Organisation, bool) {
	if c == nil {
		return tenant.Organisation{}, false
	}
	c.mu.RLock()
	e, ok := c.orgs[id]
	c.mu.RUnlock()
	if !ok || !c.valid(e.gen, e.at) {
		return tenant.Organisation{}, false
	}
	return e.org, true
}

// putOrg caches what a lookup started in generation g found.
func (c *authCache) putOrg(g uint64, org tenant.Organisation) {
	if c == nil || g == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.orgs == nil || len(c.orgs) >= maxAuthEntries {
		c.orgs = make(map[tenant.OrgID]orgEntry)
	}
	c.orgs[org.ID] = orgEntry{gen: g, at: time.Now(), org: org}
}

// probe sends a notification of its own through the pool and reports
// whether conn, listening, receives it within pingTimeout.
func (c *authCache) probe(ctx context.Context, conn *pgx.Conn) bool {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails: crypto/rand panics instead
	payload := "probe-" + hex.EncodeToString(b)
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := c.notify(pctx, payload); err != nil {
		return false
	}
	for {
		n, err := conn.WaitForNotification(pctx)
		if err != nil {
			return false
		}
		if n.Payload == payload {
			return true
		}
	}
}

// listen keeps a listening connection until ctx ends, reconnecting with
// backoff; the cache is off whenever it is not listening.
func (c *authCache) listen(ctx context.Context) {
	defer close(c.done)
	backoff := 100 * time.Millisecond
	for {
		listened := c.session(ctx)
		c.listening.Store(false)
		c.invalidate()
		if listened {
			backoff = 100 * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// session connects, listens and turns notifications into generations until
// the connection fails or ctx ends; it reports whether it got to listen.
func (c *authCache) session(ctx context.Context) bool {
	conn, err := pgx.ConnectConfig(ctx, c.cfg.Copy())
	if err != nil {
		return false
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+authChannel); err != nil {
		return false
	}
	if !c.probe(ctx, conn) {
		return false
	}
	// Whatever changed before LISTEN took effect was never notified: only
	// what is read from now on may be cached.
	c.invalidate()
	c.listening.Store(true)
	for {
		wctx, cancel := context.WithTimeout(ctx, pingEvery)
		_, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			c.invalidate()
		case ctx.Err() != nil:
			return true
		case errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err):
			pctx, cancel := context.WithTimeout(ctx, pingTimeout)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				return true
			}
		default:
			return true
		}
	}
}

var _ ports.AuthEpochs = (*Store)(nil)

// AuthEpoch implements ports.AuthEpochs. On PostgreSQL it is the cache's
// generation, which every allot_auth notification (organisations, API
// keys, vendors; migration 20260408000002_vendor_notify) moves on, and
// which is never current while the listener is not listening. SQLite has
// no notifications: its epoch is a counter the database's own triggers
// move on in the changing transaction, of whichever process, read at
// every call (one row of a reader connection). (On PostgreSQL without a
// cache the table does not exist: nothing is cached.)
func (s *Store) AuthEpoch(ctx context.Context) (uint64, bool) {
	if s.auth != nil {
		g := s.auth.generation()
		return g, g != 0
	}
	var n int64
	if err := s.ro.NewRaw("SELECT n FROM auth_epoch WHERE id = 1").Scan(ctx, &n); err != nil {
		return 0, false
	}
	return uint64(n), true
}
