package bunstore

import (
	"context"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/uptrace/bun/migrate"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/tenant"
)

// TestPlanCatalogueMigration migrates an empty database to just before the
// plan catalogue, with an organisation and a plan in it, then applies the
// rest: the organisation gets the seed carriers and the plan keeps its id,
// name and price, with the domain's defaults for every new field.
func TestPlanCatalogueMigration(t *testing.T) {
	for _, d := range dialects {
		d.run(t, func(t *testing.T) { testPlanCatalogueMigration(t, d.name) })
	}
}

// openEmpty opens a store on a new, unmigrated database.
func openEmpty(t *testing.T, dialect string) *Store {
	t.Helper()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "old.db")
	if dialect != "SQLite" {
		openPG(t) // sets up the admin connection
		name := "allot_empty_" + randomSuffix()
		adminExec(t.Context(), t, "CREATE DATABASE "+name)
		t.Cleanup(func() { adminExec(context.Background(), t, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
		dsn = dbURL(name)
	}
	s, err := Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func testPlanCatalogueMigration(t *testing.T, dialect string) {
	ctx := t.Context()
	s := openEmpty(t, dialect)
	before := fstest.MapFS{}
	dir := "migrations/" + s.Dialect()
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "20260401000001_") {
			continue
		}
		b, err := fs.ReadFile(migrationFiles, dir+"/"+e.Name())
		if err != nil {
			t.Fatal(err)
		}
		before[e.Name()] = &fstest.MapFile{Data: b}
	}
	ms := migrate.NewMigrations()
	if err := ms.Discover(before); err != nil {
		t.Fatal(err)
	}
	m := migrate.NewMigrator(s.db, ms, migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var org int64
	if err := s.db.NewRaw("INSERT INTO organisations (code, name, disabled, created_at) VALUES ('OLD', 'Old', false, ?) RETURNING id",
		s.now()).Scan(ctx, &org); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.NewRaw("INSERT INTO plans (org_id, plan_id, name, price, active, created_at) VALUES (?, '1828', 'Unlimited 30', '25.00', true, ?)",
		org, s.now()).Exec(ctx); err != nil {
		t.Fatal(err)
	}

	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	cs, err := s.ListCarriers(ctx, tenant.OrgID(org))
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, c := range cs {
		got = append(got, c.Code)
		if c.CreatedAt.IsZero() {
			t.Errorf("seeded carrier %s has no time", c.Code)
		}
	}
	for _, c := range enrollment.SeedCarriers() {
		want = append(want, c.Code)
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("an existing organisation's carriers = %v, want %v", got, want)
	}
	p, err := s.Plan(ctx, tenant.OrgID(org), "1828")
	if err != nil {
		t.Fatal(err)
	}
	def, _ := enrollment.NewPlan("1828", "Unlimited 30", "25.00")
	if !sameFields(p, def) {
		t.Fatalf("migrated plan\n%+v\nwant the defaults\n%+v", p.Fields(), def.Fields())
	}
}

func sameFields(a, b enrollment.Plan) bool {
	return slices.EqualFunc(a.Fields(), b.Fields(), func(x, y enrollment.PlanField) bool {
		return x.Name == y.Name && x.Text == y.Text && slices.Equal(x.List, y.List)
	})
}
