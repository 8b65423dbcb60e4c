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
	if _, err := st.DB().NewRaw("DELETE FROM bun_migrations WHERE name = '20260403000001'").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	err = st.CheckSchema(ctx)
	if !strings.Contains(err.Error(), "the database is at migration 20260310000001_lookups, this build needs 20260403000001_hardening: run `allot migrate`") {
		t.Fatalf("one behind: %v", err)
	}
}
