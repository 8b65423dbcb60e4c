// Package e2e runs the real allot binary against a real PostgreSQL started
// with testcontainers-go (see integration/pgtest): several server processes
// racing to allot overlapping series, a negative control with the exclusion
// constraint dropped, a server killed with SIGKILL mid-load and a database
// restart under load.
//
// It holds tests only. TestMain builds the binary once (without -race, for
// speed) and migrates a template database that every test clones; servers
// are child processes that always get killed when their test ends, and
// their stderr is printed when it fails. The figures each test measures are
// logged and also written under integration/artifacts/ (git-ignored).
//
// TestPostgresRestartUnderLoad stops the package's shared container; it is
// the last test in source order and restarts the container even when it
// fails, so that the tests after it (under -shuffle) still get databases.
package e2e
