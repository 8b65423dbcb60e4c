package e2e

import (
	"net/http"
	"testing"
	"time"
)

// TestDefect14OrgDisableAcrossProcesses: no command disabled an
// organisation (RESTAPI107 was reachable only by SQL). `allot org disable`
// now refuses the organisation's API key on every running server, whose
// caches drop the organisation when PostgreSQL notifies the change, and
// `allot org enable` lets it in again.
func TestDefect14OrgDisableAcrossProcesses(t *testing.T) {
	dsn := srv.NewDatabase(t)
	key := setupTenant(t, dsn)
	servers := startServers(t, dsn, 2)
	c := newClient(t, 4)
	status := func(s *server) int { return list(t.Context(), c, s.base, key).status }
	for _, s := range servers {
		if got := status(s); got != http.StatusOK {
			t.Fatalf("%s before: %d", s.name, got)
		}
	}
	waitFor := func(want int) {
		t.Helper()
		for _, s := range servers {
			deadline := time.Now().Add(3 * time.Second)
			for status(s) != want {
				if time.Now().After(deadline) {
					t.Fatalf("%s still answers %d, not %d, 3 s after the change", s.name, status(s), want)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	}
	allot(t, "org", "disable", "--db", dsn, "ACME")
	waitFor(http.StatusForbidden)
	allot(t, "org", "enable", "--db", dsn, "ACME")
	waitFor(http.StatusOK)
}
