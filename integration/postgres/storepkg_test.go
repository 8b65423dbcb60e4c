package postgres_test

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"testing"
)

// TestStorePackageOnPostgres runs the store adapter's own tests with this
// package's PostgreSQL server: their PostgreSQL cases (the auth cache's
// notifications, migrations under a lock, a terminated connection, the
// exclusion constraint) skip in `make test-unit`, which has no server, and
// must run in every CI run. The child may skip nothing.
func TestStorePackageOnPostgres(t *testing.T) {
	dsn, err := srv.DSN(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	// The go command that runs this test is the one on PATH (make and CI call it so).
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"test", "-count=1", "-v", "-timeout=10m"}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.CommandContext(t.Context(), goBin, append(args, "github.com/allot-io/allot/adapters/bunstore")...)
	cmd.Env = append(os.Environ(), "ALLOT_TEST_PG_DSN="+dsn, "ALLOT_TEST_PG_REQUIRED=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go test adapters/bunstore on PostgreSQL: %v\n%s", err, out)
	}
	if bytes.Contains(out, []byte("--- SKIP")) {
		t.Fatalf("a store test skipped although PostgreSQL was given:\n%s", out)
	}
	ran := regexp.MustCompile(`(?m)--- PASS: \S*PostgreSQL|--- PASS: TestAuthCacheFollowsTheDatabase|--- PASS: TestAuthCacheNeedsDelivery|--- PASS: TestTerminatedConnection`).FindAll(out, -1)
	if len(ran) < 4 {
		t.Fatalf("only %d PostgreSQL store tests passed:\n%s", len(ran), out)
	}
	t.Logf("%d PostgreSQL store tests passed", len(ran))
}
