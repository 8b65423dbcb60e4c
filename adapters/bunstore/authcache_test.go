package bunstore

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/allot-io/allot/domain/tenant"
)

// eventually polls cond every 10 ms for up to 5 seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not within 5s: %s", what)
		}
	}
}

// secondStore opens another store on s's PostgreSQL database, as another
// server process (or the CLI) would.
func secondStore(t *testing.T, s *Store) *Store {
	t.Helper()
	var name string
	if err := s.DB().NewRaw("SELECT current_database()").Scan(t.Context(), &name); err != nil {
		t.Fatal(err)
	}
	o, err := Open(t.Context(), dbURL(name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = o.Close() })
	return o
}

func addKey(t *testing.T, s *Store, org tenant.OrgID, prefix string) []byte {
	t.Helper()
	h := sha256.Sum256([]byte(prefix))
	if err := s.CreateAPIKey(t.Context(), org, tenant.APIKey{Prefix: prefix, Hash: h[:]}); err != nil {
		t.Fatal(err)
	}
	return h[:]
}

// TestAuthCacheFollowsTheDatabase checks the PostgreSQL store's cache of
// API keys and organisations: it serves lookups while its listener is
// connected, and whatever changes the rows (another process, this one, raw
// SQL) is visible to the next lookups once notified, at once in the
// process that made the change, and at once while the listener is down.
func TestAuthCacheFollowsTheDatabase(t *testing.T) {
	a := openPG(t)
	b := secondStore(t, a)
	ctx := t.Context()
	org, err := a.CreateOrg(ctx, tenant.Organisation{Code: "ACME", Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	k1, k2, k3 := addKey(t, a, org.ID, "k1"), addKey(t, a, org.ID, "k2"), addKey(t, a, org.ID, "k3")
	lookup := func(s *Store, hash []byte) (tenant.Organisation, tenant.APIKey) {
		t.Helper()
		o, k, err := s.APIKeyByHash(ctx, hash)
		if err != nil {
			t.Fatalf("APIKeyByHash: %v", err)
		}
		return o, k
	}

	lookup(a, k1)
	eventually(t, "the listener listens", a.auth.listening.Load)
	lookup(a, k1)
	if _, _, ok := a.auth.key(k1); !ok {
		t.Fatal("a key looked up while listening is not cached")
	}
	if _, ok := a.auth.org(org.ID); ok {
		t.Fatal("an organisation never looked up by id is cached")
	}
	if o, err := a.OrgByID(ctx, org.ID); err != nil || o.Disabled {
		t.Fatalf("OrgByID = %+v, %v", o, err)
	}
	if _, ok := a.auth.org(org.ID); !ok {
		t.Fatal("an organisation looked up by id is not cached")
	}

	// Another process revokes: this one sees it once notified.
	if err := b.RevokeAPIKey(ctx, org.ID, "k1", time.Time{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a revocation by another store shows", func() bool {
		_, k := lookup(a, k1)
		return k.Revoked()
	})

	// This process revokes: its next lookup sees it, notified or not.
	lookup(a, k2)
	if err := a.RevokeAPIKey(ctx, org.ID, "k2", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, k := lookup(a, k2); !k.Revoked() {
		t.Fatal("a store's own revocation does not show at once")
	}

	// Raw SQL disables the organisation: both caches follow.
	lookup(a, k3)
	if _, err := b.DB().ExecContext(ctx, "UPDATE organisations SET disabled = TRUE WHERE id = ?", int64(org.ID)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "disabling the organisation shows", func() bool {
		o, _ := lookup(a, k3)
		byID, err := a.OrgByID(ctx, org.ID)
		return err == nil && o.Disabled && byID.Disabled
	})

	// The listener's connection is cut: nothing is served from the cache
	// until it listens again, and what changed meanwhile shows.
	lookup(a, k3)
	if _, err := b.DB().ExecContext(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN "+authChannel+"' AND datname = current_database()"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the cut listener stops listening", func() bool { return !a.auth.listening.Load() })
	if _, _, ok := a.auth.key(k3); ok {
		t.Fatal("the cache serves while its listener is down")
	}
	if _, err := b.DB().ExecContext(ctx, "UPDATE organisations SET disabled = FALSE WHERE id = ?", int64(org.ID)); err != nil {
		t.Fatal(err)
	}
	if o, _ := lookup(a, k3); o.Disabled {
		t.Fatal("a change made while the listener was down does not show")
	}
	eventually(t, "the listener listens again", a.auth.listening.Load)
	lookup(a, k3)
	if _, _, ok := a.auth.key(k3); !ok {
		t.Fatal("the cache is not used again once the listener is back")
	}
}

// TestAuthCacheOffOnSQLite checks that SQLite stores cache nothing: their
// look-ups cost no round trip, and no notification would tell them of
// another process's changes.
func TestAuthCacheOffOnSQLite(t *testing.T) {
	s := openSQLiteTest(t)
	if s.auth != nil {
		t.Fatal("a SQLite store has an authentication cache")
	}
	// A closed PostgreSQL cache, or none, is inert.
	var none *authCache
	none.close()
	none.invalidate()
	if g := none.generation(); g != 0 {
		t.Fatalf("generation of no cache = %d", g)
	}
}

// TestAuthCacheNeedsDelivery checks that the cache stays off when the
// listener cannot prove it receives notifications sent through the pool,
// as behind a pooler that does not deliver them.
func TestAuthCacheNeedsDelivery(t *testing.T) {
	s := openPG(t)
	var name string
	if err := s.DB().NewRaw("SELECT current_database()").Scan(t.Context(), &name); err != nil {
		t.Fatal(err)
	}
	cfg, err := pgx.ParseConfig(dbURL(name))
	if err != nil {
		t.Fatal(err)
	}
	lost := newAuthCache(cfg, func(context.Context, string) error { return nil })
	defer lost.close()
	if g := lost.generation(); g != 0 {
		t.Fatalf("generation before listening = %d", g)
	}
	time.Sleep(2*pingTimeout + 500*time.Millisecond)
	if lost.listening.Load() || lost.generation() != 0 {
		t.Fatal("the cache listens although its probe never arrived")
	}
}
