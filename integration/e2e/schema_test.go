package e2e

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDefect5UnmigratedDatabase empties a database's schema, as a fresh
// PostgreSQL database is before `allot migrate`. Before the fix `allot
// serve` started, /readyz said OK and every call answered 500, and the CLI
// printed `relation "organisations" does not exist`. Now both refuse with
// the database's migration, the build's, and the command to run, and exit
// with the database-unavailable code (6).
func TestDefect5UnmigratedDatabase(t *testing.T) {
	// The newest migration of the build, whichever it is.
	needs := regexp.MustCompile(`this build needs [0-9]{14}_[a-z0-9_]+: run`)
	dsn := srv.NewDatabase(t)
	db := openDB(t, dsn)
	if _, err := db.ExecContext(t.Context(), "DROP SCHEMA public CASCADE; CREATE SCHEMA public"); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"serve", "--addr", "127.0.0.1:0", "--db", dsn},
		{"org", "list", "--db", dsn},
	} {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		cmd := exec.CommandContext(ctx, allotBin, args...)
		cmd.Env = childEnv()
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		cancel()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 6 {
			t.Errorf("allot %s: %v, want exit status 6; output:\n%s", args[0], err, out.String())
		}
		msg := out.String()
		if !strings.Contains(msg, "the database is at migration none") ||
			!needs.MatchString(msg) || !strings.Contains(msg, " migrate`") {
			t.Errorf("allot %s said:\n%s", args[0], msg)
		}
	}
	// (The test database's password is "allot", which the CLI masks in
	// what it prints, hence " migrate`" alone above.) After `allot migrate`
	// the same database serves.
	allot(t, "migrate", "--db", dsn)
	startServers(t, dsn, 1)
}
