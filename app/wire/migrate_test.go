package wire_test

import (
	"context"
	"database/sql"
	"github.com/allot-io/allot/cmd/allot/command"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun/driver/sqliteshim"

	"github.com/allot-io/allot/adapters/cli"
	"github.com/allot-io/allot/app/wire"
)

// TestServeMigrateFalseOnSQLite: `serve --migrate=false` does what it says on
// the embedded default too (issue 12: the wiring migrated SQLite whatever
// the flag said). The file stays unmigrated and the server refuses it with
// what to run; with the flag on the same file is migrated and served.
func TestServeMigrateFalseOnSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "allot.db")
	quiet := wire.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	// Should it serve after all (the defect), it stops as soon as it listens.
	first, stop := context.WithCancel(context.Background())
	defer stop()
	err := command.Deps(os.Getenv, quiet).Serve(first, cli.ServeConfig{DSN: "sqlite:" + path, Addr: "127.0.0.1:0", Migrate: false,
		Ready: func(string) { stop() }})
	if err == nil || !strings.Contains(err.Error(), "run `allot migrate`") {
		t.Fatalf("serve --migrate=false on a new file = %v, want the schema refusal", err)
	}
	db, err := sql.Open(sqliteshim.ShimName, "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables int
	if err := db.QueryRow("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'bun_migrations'").Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Fatal("serve --migrate=false migrated the SQLite file")
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- command.Deps(os.Getenv, quiet).Serve(ctx, cli.ServeConfig{DSN: "sqlite:" + path, Addr: "127.0.0.1:0", Migrate: true,
			Ready: func(string) { cancel() }})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve --migrate on the same file: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve --migrate did not start")
	}
}
