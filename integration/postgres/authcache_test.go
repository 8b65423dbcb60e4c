package postgres_test

import (
	"testing"
	"time"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/app/service"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
)

// TestRevocationReachesOtherServers checks the PostgreSQL store's cache of
// API keys across processes: a server that has authenticated a key (and
// so holds it in its cache) refuses it once another process (the CLI, say)
// revokes it or disables its organisation, within moments, and a store
// refuses a key it revoked itself at once.
func TestRevocationReachesOtherServers(t *testing.T) {
	dsn := srv.NewDatabase(t)
	ctx := t.Context()
	stores := make([]*bunstore.Store, 2)
	for i := range stores {
		st, err := bunstore.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		stores[i] = st
	}
	server := service.New(service.Deps{Store: stores[0]}, service.Config{})
	cli := service.New(service.Deps{Store: stores[1]}, service.Config{})
	org, err := cli.Orgs.Create(ctx, "ACME", "")
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 3)
	prefixes := make([]string, 3)
	for i := range keys {
		raw, k, err := cli.APIKeys.Create(ctx, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		keys[i], prefixes[i] = raw, k.Prefix
	}
	authenticates := func(raw string) error {
		_, err := server.Auth.APIKey(ctx, raw)
		return err
	}
	refusedSoon := func(what, raw, reason string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			err := authenticates(raw)
			if fault.ReasonOf(err) == reason {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the server still answers %v after 5s, want %s", what, err, reason)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	// Authenticate repeatedly, long enough for the cache's listener to
	// connect, so that later answers may come from the cache.
	for range 50 {
		for _, k := range keys {
			if err := authenticates(k); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}

	if err := cli.APIKeys.Revoke(ctx, org.ID, prefixes[0]); err != nil {
		t.Fatal(err)
	}
	refusedSoon("a key revoked by another process", keys[0], tenant.ReasonWrongAPIKey)

	if err := server.APIKeys.Revoke(ctx, org.ID, prefixes[1]); err != nil {
		t.Fatal(err)
	}
	if err := authenticates(keys[1]); fault.ReasonOf(err) != tenant.ReasonWrongAPIKey {
		t.Fatalf("a key the server revoked itself: %v, want %s at once", err, tenant.ReasonWrongAPIKey)
	}

	if _, err := stores[1].DB().ExecContext(ctx, "UPDATE organisations SET disabled = TRUE WHERE id = ?", int64(org.ID)); err != nil {
		t.Fatal(err)
	}
	refusedSoon("a key of an organisation disabled by another process", keys[2], tenant.ReasonOrgDisabled)
}
