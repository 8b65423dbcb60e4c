package bunstore_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/domain/fault"
)

// TestDefect5SchemaVersionChecked: a database behind this build's
// migrations is Unavailable SCHEMA_OUTDATED, naming where it is, what is
// needed and what to run; a migrated one passes.
func TestDefect5SchemaVersionChecked(t *testing.T) {
	ctx := context.Background()
	st, err := bunstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.CheckSchema(ctx)
	if fault.CodeOf(err) != fault.Unavailable || fault.ReasonOf(err) != bunstore.ReasonSchemaOutdated ||
		!strings.Contains(err.Error(), "the database is at migration none") || !strings.Contains(err.Error(), "run `allot migrate`") {
		t.Fatalf("unmigrated: %v", err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.CheckSchema(ctx); err != nil {
		t.Fatalf("migrated: %v", err)
	}
	// The newest migration undone: the database is at the one before it.
	var names []string
	if err := st.DB().NewRaw("SELECT name FROM bun_migrations ORDER BY name DESC LIMIT 2").Scan(ctx, &names); err != nil || len(names) != 2 {
		t.Fatalf("applied migrations: %v %v", names, err)
	}
	if _, err := st.DB().NewRaw("DELETE FROM bun_migrations WHERE name = ?", names[0]).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	err = st.CheckSchema(ctx)
	if err == nil || !strings.Contains(err.Error(), "the database is at migration "+names[1]+"_") ||
		!strings.Contains(err.Error(), ", this build needs "+names[0]+"_") || !strings.Contains(err.Error(), ": run `allot migrate`") {
		t.Fatalf("one behind: %v", err)
	}
}
