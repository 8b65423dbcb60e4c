package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"runtime"
	"strings"
)

// The tenant the benchmark sets up with the CLI.
const (
	benchOrg      = "BENCH"
	benchCustomer = "C1"
	benchItem     = "ITEM"
	// The draw phases' stock: hotItem16 and hotItem64 are the hot owner's
	// (benchCustomer) of the service's phases at 16 and 64 clients,
	// hotFloorItem pgbench's one row; ownItem is drawn by ownOwner(i) for
	// client i, ownFloorItem by pgbench's client i as 'P<i>'.
	hotItem16     = "HOT16"
	hotItem64     = "HOT64"
	hotFloorItem  = "HOTPG"
	ownItem       = "OWN"
	ownFloorItem  = "OWNPG"
	benchVendor   = "benchvendor"
	benchUser     = "benchuser"
	benchPassword = "bench-password-1"
	benchPin      = "4321"
	benchAgent    = "ewebsiteapi"
	benchPlan     = "1828"
	benchZip      = "98103"
	benchSource   = "WEBSITE"
)

// Number space of prefix B, width 12, shared by every series phase (the
// growth test needs one organisation and prefix). A slot is 10 numbers.
const (
	// Slots [1, growthSeed] are seeded directly: the first 1,000 before
	// the first create phase, the rest before the growth phase.
	seedSlots = 1_000
	// serviceSlot is the first slot the service's create phases use.
	serviceSlot = 1_000_000_000
	// floorBase and growthFloorBase are the first numbers of the pgbench
	// insert floors (12 digits, no service range reaches them).
	floorBase       int64 = 200_000_000_000
	growthFloorBase int64 = 300_000_000_000
)

// newSecretKey returns a fresh 32-byte master key, hex.
func newSecretKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails: crypto/rand panics instead
	return hex.EncodeToString(b)
}

// setupTenant creates, through the CLI, the organisation with a customer
// and an API key and, with enrollment, the vendor, agent, plan, zip and
// source of the enrollment API. It returns the API key.
func setupTenant(ctx context.Context, a allotCmd, dsn string, enrollment bool) (string, error) {
	steps := [][]string{
		{"org", "create", "--db", dsn, "--name", "Bench Logistics", benchOrg},
		{"customer", "add", "--db", dsn, "--org", benchOrg, "--code", benchCustomer, "--name", "Bench Customer"},
	}
	if enrollment {
		steps = append(steps,
			[]string{"vendor", "add", "--db", dsn, "--org", benchOrg, "--vendor-id", benchVendor, "--username", benchUser, "--password", benchPassword, "--pin", benchPin},
			[]string{"agent", "add", "--db", dsn, "--org", benchOrg, "--id", benchAgent},
			[]string{"plan", "add", "--db", dsn, "--org", benchOrg, "--id", benchPlan, "--name", "Bench Unlimited", "--price", "25.00"},
			[]string{"zip", "add", "--db", dsn, "--org", benchOrg, "--zip", benchZip, "--city", "SEATTLE", "--state", "WA"},
			[]string{"source", "allow", "--db", dsn, "--org", benchOrg, benchSource, "API"},
		)
	}
	for _, s := range steps {
		if _, err := a.run(ctx, s...); err != nil {
			return "", err
		}
	}
	key, err := a.run(ctx, "apikey", "create", "--db", dsn, "--org", benchOrg)
	if err != nil {
		return "", err
	}
	key = strings.TrimSpace(key)
	if key == "" || strings.ContainsAny(key, " \n") {
		return "", fmt.Errorf("apikey create printed %q, want only the key", key)
	}
	return key, nil
}

// orgID returns the id of the benchmark's organisation.
func orgID(ctx context.Context, db *sql.DB) (int64, error) {
	var id int64
	err := db.QueryRowContext(ctx, "SELECT id FROM organisations WHERE code = $1", benchOrg).Scan(&id)
	return id, err
}

// seedSeries inserts the series of slots [from, to] (10 numbers each,
// prefix B, width 12) for the benchmark customer, as the existing series of
// the create phases. Each row costs the exclusion constraint's GiST index
// an insertion, which dominates, so disjoint slices of the slots are
// inserted at once, one statement per processor.
func seedSeries(ctx context.Context, db *sql.DB, org int64, from, to int64) error {
	parts := int64(max(runtime.NumCPU(), 1))
	step := (to - from + parts) / parts
	errs := make(chan error, parts)
	for lo := from; lo <= to; lo += step {
		hi := min(lo+step-1, to)
		go func() {
			_, err := db.ExecContext(ctx, `INSERT INTO series (org_id, prefix, width, first_digits, last_digits, size, drawn,
				owner_kind, owner_code, type, item_code, creator_hub, created_at)
				SELECT $1, 'B', 12, lpad((s * 10)::text, 12, '0'), lpad((s * 10 + 9)::text, 12, '0'), 10, 0,
				'customer', $2, 'virtual', 'SEED', '', now()
				FROM generate_series($3::bigint, $4::bigint) AS s`, org, benchCustomer, lo, hi)
			if err != nil {
				err = fmt.Errorf("seed series %d-%d: %w", lo, hi, err)
			}
			errs <- err
		}()
	}
	var first error
	for lo := from; lo <= to; lo += step {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	if first != nil {
		return first
	}
	return analyze(ctx, db, "series")
}

// drawStockSize is the numbers of every draw series the benchmark seeds.
const drawStockSize = 1_000_000

// seedDrawStock gives owner one series of drawStockSize numbers (prefix D,
// width 12, from first) of item to draw from, and returns its id.
func seedDrawStock(ctx context.Context, db *sql.DB, org int64, owner, item string, first int64) (int64, error) {
	var id int64
	err := db.QueryRowContext(ctx, `INSERT INTO series (org_id, prefix, width, first_digits, last_digits, size, drawn,
		owner_kind, owner_code, type, item_code, creator_hub, created_at)
		VALUES ($1, 'D', 12, lpad($3::bigint::text, 12, '0'), lpad(($3::bigint + $5::bigint - 1)::text, 12, '0'), $5::bigint, 0,
		'customer', $2, 'virtual', $4, '', now()) RETURNING id`, org, owner, first, item, drawStockSize).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("seed draw stock: %w", err)
	}
	return id, nil
}

// ownOwner is the owner client i of the own-owner phase draws for.
func ownOwner(i int) string { return fmt.Sprintf("OWN%d", i) }

// seedFloorEnrollmentIDs issues, as the service would have, the
// enrollment ids the enrollment floor claims: for each of clients pgbench
// clients and each of its first perClient transactions, ten ids F<number>
// (enrollmentFloor's :e0 … :e9), copying the zip, agent and program of the
// issued id template.
func seedFloorEnrollmentIDs(ctx context.Context, db *sql.DB, template string, clients, perClient int) error {
	_, err := db.ExecContext(ctx, `INSERT INTO enrollment_ids (id, org_id, zip, agent_id, issued_at, program)
		SELECT 'F' || ($2::bigint + c * 100000000 + n * 10 + k)::text, t.org_id, t.zip, t.agent_id, now(), t.program
		FROM enrollment_ids AS t, generate_series(0, $3::bigint - 1) AS c, generate_series(1, $4::bigint) AS n, generate_series(0, 9) AS k
		WHERE t.id = $1`, strings.ToUpper(template), floorIDBase, clients, perClient)
	if err != nil {
		return fmt.Errorf("seed floor enrollment ids: %w", err)
	}
	return analyze(ctx, db, "enrollment_ids")
}

// analyze refreshes the planner statistics (and visibility map) of table
// after a bulk insert, as autovacuum would shortly.
func analyze(ctx context.Context, db *sql.DB, table string) error {
	if _, err := db.ExecContext(ctx, "VACUUM ANALYZE "+table); err != nil {
		return fmt.Errorf("vacuum analyze %s: %w", table, err)
	}
	return nil
}
