package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/fault"
)

// harness runs the commands over a fake backend and records what the
// commands asked of the composition root.
type harness struct {
	w *world

	openErr, migrateErr, closeErr, serveErr error
	boundAddr                               string // passed to Ready by the fake Serve

	dsns       []string
	closes     int
	migrations int
	served     []ServeConfig
}

func newHarness() *harness {
	h := &harness{w: newWorld(), boundAddr: "127.0.0.1:43210"}
	h.w.seed()
	return h
}

type result struct {
	code           int
	stdout, stderr string
}

// run runs allot with args on a fresh App, as main would.
func (h *harness) run(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	deps := Deps{
		Open: func(_ context.Context, dsn string) (*Backend, error) {
			h.dsns = append(h.dsns, dsn)
			if h.openErr != nil {
				return nil, h.openErr
			}
			return &Backend{
				Services: h.w.services(),
				Migrate: func(context.Context) error {
					h.migrations++
					return h.migrateErr
				},
				Close: func() error {
					h.closes++
					return h.closeErr
				},
			}, nil
		},
		Serve: func(_ context.Context, cfg ServeConfig) error {
			h.served = append(h.served, cfg)
			if h.serveErr != nil {
				return h.serveErr
			}
			if cfg.Ready != nil {
				cfg.Ready(h.boundAddr)
			}
			return nil
		},
		Stdout: &out,
		Stderr: &errOut,
	}
	opensBefore := len(h.dsns) - h.closes
	code := Run(context.Background(), deps, append([]string{"allot"}, args...))
	if h.openErr == nil && len(h.dsns)-h.closes != opensBefore {
		t.Errorf("allot %s: opened the backend %d times but closed it %d times", strings.Join(args, " "), len(h.dsns), h.closes)
	}
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// cleanEnv unsets the ALLOT_ variables for the test, so that the
// environment the tests run in cannot change their outcome.
func cleanEnv(t *testing.T) {
	t.Helper()
	for _, k := range []string{envDB, envAddr, envMigrate, envTokenTTL, envAuthCacheTTL, envMetricsAddr, "ALLOT_WORK"} {
		t.Setenv(k, "") // restores the old value after the test
		if err := os.Unsetenv(k); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCommandOutput runs each command's happy path and checks stdout
// exactly, in text and in JSON.
func TestCommandOutput(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stdout string
	}{
		{"org create", []string{"org", "create", "--name", "Globex Corp", "GLOBEX"},
			"created organisation GLOBEX (Globex Corp)\n"},
		{"org create name defaults to code", []string{"org", "create", "GLOBEX"},
			"created organisation GLOBEX (GLOBEX)\n"},
		{"org create json", []string{"org", "create", "--json", "GLOBEX"},
			`{
  "code": "GLOBEX",
  "name": "GLOBEX",
  "disabled": false,
  "created_at": "2024-05-01T10:00:00Z",
  "settings": {
    "bss-ids": "int",
    "programs": "NON_LIFELINE",
    "require-payment": "N",
    "sim-stock": "N"
  }
}
`},
		{"org list", []string{"org", "list"},
			"CODE  NAME      STATUS  CREATED               SETTINGS\n" +
				"ACME  Acme Ltd  active  2024-05-01T10:00:00Z  bss-ids=int programs=NON_LIFELINE require-payment=N sim-stock=N\n"},
		{"org set", []string{"org", "set", "--bss-ids", "string", "--programs", "non_lifeline, LIFELINE", "ACME"},
			"organisation ACME: bss-ids=string programs=NON_LIFELINE,LIFELINE require-payment=N sim-stock=N\n"},
		{"org set require-payment", []string{"org", "set", "--require-payment=Y", "ACME"},
			"organisation ACME: bss-ids=int programs=NON_LIFELINE require-payment=Y sim-stock=N\n"},
		{"org set sim-stock", []string{"org", "set", "--sim-stock", "y", "ACME"},
			"organisation ACME: bss-ids=int programs=NON_LIFELINE require-payment=N sim-stock=Y\n"},
		{"org list json", []string{"org", "list", "--json"},
			`[
  {
    "code": "ACME",
    "name": "Acme Ltd",
    "disabled": false,
    "created_at": "2024-05-01T10:00:00Z",
    "settings": {
      "bss-ids": "int",
      "programs": "NON_LIFELINE",
      "require-payment": "N",
      "sim-stock": "N"
    }
  }
]
`},
		{"customer add", []string{"customer", "add", "--org", "ACME", "--code", "C2", "--name", "Cyan"},
			"added customer C2 (Cyan)\n"},
		{"customer add json", []string{"customer", "add", "--org", "ACME", "--code", "C2", "--name", "Cyan", "--json"},
			"{\n  \"code\": \"C2\",\n  \"name\": \"Cyan\",\n  \"created_at\": \"2024-05-01T10:00:00Z\"\n}\n"},
		{"customer list", []string{"customer", "list", "--org", "ACME"},
			"CODE    NAME      CREATED\n" +
				"SL1981  Sunlight  2024-05-01T10:00:00Z\n"},
		{"customer list search miss", []string{"customer", "list", "--org", "ACME", "--search", "zzz"},
			"CODE  NAME  CREATED\n"},
		{"customer list json", []string{"customer", "list", "--org", "ACME", "--json"},
			"[\n  {\n    \"code\": \"SL1981\",\n    \"name\": \"Sunlight\",\n    \"created_at\": \"2024-05-01T10:00:00Z\"\n  }\n]\n"},
		{"customer list json empty", []string{"customer", "list", "--org", "ACME", "--search", "zzz", "--json"},
			"[]\n"},
		{"hub add", []string{"hub", "add", "--org", "ACME", "--code", "H2", "--name", "Hull"},
			"added hub H2 (Hull)\n"},
		{"hub list", []string{"hub", "list", "--org", "ACME"},
			"CODE   NAME      CREATED\n" +
				"BF074  Bradford  2024-05-01T10:00:00Z\n"},
		{"hub list json", []string{"hub", "list", "--org", "ACME", "--json"},
			"[\n  {\n    \"code\": \"BF074\",\n    \"name\": \"Bradford\",\n    \"created_at\": \"2024-05-01T10:00:00Z\"\n  }\n]\n"},
		{"servicetype add without name", []string{"servicetype", "add", "--org", "ACME", "--code", "COD"},
			"added service type COD (COD)\n"},
		{"servicetype list", []string{"servicetype", "list", "--org", "ACME"},
			"CODE     NAME     CREATED\n" +
				"EXPRESS  Express  2024-05-01T10:00:00Z\n"},
		{"servicetype list json", []string{"servicetype", "list", "--org", "ACME", "--json"},
			"[\n  {\n    \"code\": \"EXPRESS\",\n    \"name\": \"Express\",\n    \"created_at\": \"2024-05-01T10:00:00Z\"\n  }\n]\n"},
		{"series create", []string{"series", "create", "--org", "ACME", "--client", "SL1981",
			"--start", "v10000081", "--end", "V10000090", "--item-code", "P7WJEJANkt",
			"--type", "physical", "--service-type", "EXPRESS", "--service-type", "COD"},
			"created series 12 V10000081-V10000090 (customer SL1981, item P7WJEJANkt, physical), 10 numbers\n"},
		{"series create json", []string{"series", "create", "--org", "ACME", "--hub", "BF074",
			"--start", "A001", "--end", "A005", "--item-code", "X", "--creator-hub", "BF074", "--json"},
			`{
  "id": 12,
  "owner_kind": "hub",
  "owner_code": "BF074",
  "type": "virtual",
  "start": "A001",
  "end": "A005",
  "count": 5,
  "drawn": 0,
  "remaining": 5,
  "next_available": "A001",
  "item_code": "X",
  "service_types": [],
  "creator_hub": "BF074",
  "created_at": "2024-05-01T10:00:00Z"
}
`},
		{"series list", []string{"series", "list", "--org", "ACME"},
			"ID  OWNER            TYPE     START      END        COUNT  DRAWN  NEXT       ITEM        SERVICE-TYPES  CREATOR-HUB  CREATED\n" +
				"1   customer:SL1981  virtual  V10000051  V10000060  10     0      V10000051  P7WJEJANkt  EXPRESS        -            2024-05-01T10:00:00Z\n" +
				"3   customer:SL1981  virtual  V10000071  V10000080  10     3      V10000074  P7WJEJANkt  -              -            2024-05-01T10:00:00Z\n"},
		{"series list json", []string{"series", "list", "--org", "ACME", "--offset", "1", "--json"},
			`[
  {
    "id": 3,
    "owner_kind": "customer",
    "owner_code": "SL1981",
    "type": "virtual",
    "start": "V10000071",
    "end": "V10000080",
    "count": 10,
    "drawn": 3,
    "remaining": 7,
    "next_available": "V10000074",
    "item_code": "P7WJEJANkt",
    "service_types": [],
    "creator_hub": "",
    "created_at": "2024-05-01T10:00:00Z"
  }
]
`},
		{"series list json empty", []string{"series", "list", "--org", "ACME", "--hub", "BF074", "--json"}, "[]\n"},
		{"series lookup", []string{"series", "lookup", "--org", "ACME", "v10000075"},
			"V10000075 is in series 3 V10000071-V10000080 (customer SL1981, item P7WJEJANkt, virtual)\n"},
		{"series lookup json", []string{"series", "lookup", "--org", "ACME", "--json", "V10000052"},
			`{
  "number": "V10000052",
  "series": {
    "id": 1,
    "owner_kind": "customer",
    "owner_code": "SL1981",
    "type": "virtual",
    "start": "V10000051",
    "end": "V10000060",
    "count": 10,
    "drawn": 0,
    "remaining": 10,
    "next_available": "V10000051",
    "item_code": "P7WJEJANkt",
    "service_types": [
      "EXPRESS"
    ],
    "creator_hub": "",
    "created_at": "2024-05-01T10:00:00Z"
  }
}
`},
		{"series next one", []string{"series", "next", "--org", "ACME", "--client", "SL1981", "--item-code", "P7WJEJANkt"},
			"V10000051\n"},
		{"series next across series", []string{"series", "next", "--org", "ACME", "--client", "SL1981", "--item-code", "P7WJEJANkt", "--count", "12"},
			"V10000051\nV10000052\nV10000053\nV10000054\nV10000055\nV10000056\nV10000057\nV10000058\nV10000059\nV10000060\nV10000074\nV10000075\n"},
		{"series next json", []string{"series", "next", "--org", "ACME", "--client", "SL1981", "--item-code", "P7WJEJANkt", "--count", "2", "--json"},
			"[\n  \"V10000051\",\n  \"V10000052\"\n]\n"},
		{"series delete", []string{"series", "delete", "--org", "ACME", "1"}, "deleted 1 series\n"},
		{"apikey list empty", []string{"apikey", "list", "--org", "ACME"}, "PREFIX  CREATED  REVOKED\n"},
		{"apikey list json empty", []string{"apikey", "list", "--org", "ACME", "--json"}, "[]\n"},
		{"apikey revoke", []string{"apikey", "revoke", "--org", "ACME", "ak1"}, "revoked key ak1\n"},
		{"migrate", []string{"migrate"}, "migrations applied\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t)
			h := newHarness()
			h.w.keys[1] = nil
			if tt.name == "apikey revoke" {
				h.run(t, "apikey", "create", "--org", "ACME")
			}
			r := h.run(t, tt.args...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q; want 0 and nothing", r.code, r.stderr)
			}
			if r.stdout != tt.stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, tt.stdout)
			}
			if strings.HasSuffix(tt.name, "json") && !json.Valid([]byte(r.stdout)) {
				t.Errorf("stdout is not JSON: %s", r.stdout)
			}
		})
	}
}

// TestQueriesReachServices checks that filters and paging flags arrive in
// the service queries.
func TestQueriesReachServices(t *testing.T) {
	cleanEnv(t)
	h := newHarness()
	if r := h.run(t, "customer", "list", "--org", "ACME", "--search", "sun", "--limit", "5", "--offset", "2"); r.code != 0 {
		t.Fatalf("customer list: %+v", r)
	}
	if q := h.w.customerQuery; q.Search != "sun" || q.Limit != 5 || q.Offset != 2 {
		t.Errorf("customer query = %+v", q)
	}
	if r := h.run(t, "hub", "list", "--org", "ACME", "--limit", "7"); r.code != 0 {
		t.Fatalf("hub list: %+v", r)
	}
	if q := h.w.hubQuery; q.Limit != 7 || q.Offset != 0 {
		t.Errorf("hub query = %+v", q)
	}
	if r := h.run(t, "series", "list", "--org", "ACME", "--client", "SL1981", "--hub", "BF074", "--item-code", "I", "--type", "Physical", "--limit", "3", "--offset", "4"); r.code != 0 {
		t.Fatalf("series list: %+v", r)
	}
	if q := h.w.seriesQuery; q.ClientCode != "SL1981" || q.HubCode != "BF074" || q.ItemCode != "I" || q.Type != "physical" || q.Limit != 3 || q.Offset != 4 {
		t.Errorf("series query = %+v", q)
	}
	if r := h.run(t, "series", "next", "--org", "ACME", "--hub", "BF074", "--item-code", "I", "--service-type", "EXPRESS", "--count", "4"); r.code != 4 {
		t.Fatalf("series next from an empty hub: %+v", r)
	}
	if q := h.w.nextRequest; q.HubCode != "BF074" || q.ClientCode != "" || q.ItemCode != "I" || q.ServiceType != "EXPRESS" || q.Count != 4 {
		t.Errorf("next request = %+v", q)
	}
	if r := h.run(t, "series", "create", "--org", "ACME", "--client", "SL1981", "--start", "B1", "--end", "B2", "--item-code", "I",
		"--service-type", "A", "--service-type", "B", "--creator-hub", "BF074", "--type", "physical"); r.code != 0 {
		t.Fatalf("series create: %+v", r)
	}
	if s := h.w.spec; s.ClientCode != "SL1981" || s.HubCode != "" || s.Start != "B1" || s.End != "B2" || s.ItemCode != "I" ||
		strings.Join(s.ServiceTypes, ",") != "A,B" || s.CreatorHub != "BF074" || s.Type != "physical" {
		t.Errorf("spec = %+v", s)
	}
}

// TestListFooter checks that a partial page says so on stderr only.
func TestListFooter(t *testing.T) {
	cleanEnv(t)
	h := newHarness()
	r := h.run(t, "series", "list", "--org", "ACME", "--limit", "1")
	if r.code != 0 || strings.Count(r.stdout, "\n") != 2 {
		t.Fatalf("got %+v", r)
	}
	if r.stderr != "allot: showing 1-1 of 2 series; use --offset 1 for more, or --all\n" {
		t.Errorf("stderr = %q", r.stderr)
	}
}

func TestAPIKeyCreatePrintsOnlyTheKey(t *testing.T) {
	cleanEnv(t)
	h := newHarness()
	r := h.run(t, "apikey", "create", "--org", "ACME")
	if r.code != 0 || r.stdout != "ak1.s3cr3t\n" || r.stderr != "" {
		t.Fatalf("got %+v; want exit 0, only the key and a newline on stdout, nothing on stderr", r)
	}

	// The listing shows prefixes and dates, never the key or its hash.
	h.run(t, "apikey", "create", "--org", "ACME")
	h.run(t, "apikey", "revoke", "--org", "ACME", "ak1")
	for _, args := range [][]string{{"apikey", "list", "--org", "ACME"}, {"apikey", "list", "--org", "ACME", "--json"}} {
		r = h.run(t, args...)
		if r.code != 0 || strings.Contains(r.stdout, "s3cr3t") || strings.Contains(r.stdout, "HASH") {
			t.Errorf("%v: got %+v", args, r)
		}
	}
	r = h.run(t, "apikey", "list", "--org", "ACME")
	want := "PREFIX  CREATED               REVOKED\n" +
		"ak1     2024-05-01T10:00:00Z  2024-05-01T11:00:00Z\n" +
		"ak2     2024-05-01T10:00:00Z  -\n"
	if r.stdout != want {
		t.Errorf("table:\n%s\nwant:\n%s", r.stdout, want)
	}
	r = h.run(t, "apikey", "list", "--org", "ACME", "--json")
	var keys []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &keys); err != nil || len(keys) != 2 {
		t.Fatalf("json %q: %v", r.stdout, err)
	}
	if keys[0]["revoked"] != true || keys[0]["revoked_at"] != "2024-05-01T11:00:00Z" || keys[1]["revoked_at"] != nil {
		t.Errorf("json keys = %v", keys)
	}
}

func TestLookupOfAFreeNumber(t *testing.T) {
	cleanEnv(t)
	h := newHarness()
	r := h.run(t, "series", "lookup", "--org", "ACME", "V99999999")
	if r.code != 3 || r.stdout != "" || r.stderr != "allot: V99999999 is not in any series of ACME\n" {
		t.Fatalf("got %+v", r)
	}
}

// TestErrors checks the exit code and stderr of failures, and that a
// failure prints nothing on stdout.
func TestErrors(t *testing.T) {
	boom := errors.New("disk on fire")
	tests := []struct {
		name   string
		setup  func(h *harness)
		args   []string
		code   int
		stderr string
	}{
		{"invalid", func(h *harness) {
			h.w.fail["Customers.List"] = fault.New(fault.Invalid, "X", "search is too long")
		}, []string{"customer", "list", "--org", "ACME"}, 2, "allot: search is too long\n"},
		{"not found", func(h *harness) {
			h.w.fail["Customers.List"] = fault.New(fault.NotFound, "X", "gone")
		}, []string{"customer", "list", "--org", "ACME"}, 3, "allot: gone\n"},
		{"conflict", func(h *harness) {
			h.w.fail["Customers.Add"] = fault.New(fault.Conflict, "ALREADY_EXISTS", "customer SL1981 already exists")
		}, []string{"customer", "add", "--org", "ACME", "--code", "SL1981", "--name", "x"}, 4, "allot: customer SL1981 already exists\n"},
		{"unauthorized", func(h *harness) {
			h.w.fail["Customers.List"] = fault.New(fault.Unauthorized, "X", "who are you")
		}, []string{"customer", "list", "--org", "ACME"}, 5, "allot: who are you\n"},
		{"forbidden", func(h *harness) {
			h.w.fail["Orgs.ByCode"] = fault.New(fault.Forbidden, "ORG_DISABLED", "organisation ACME is disabled")
		}, []string{"customer", "list", "--org", "ACME"}, 5, "allot: organisation ACME is disabled\n"},
		{"unavailable shows its cause", func(h *harness) {
			h.openErr = fault.Unavailablef(errors.New("connection refused"), "database unavailable")
		}, []string{"org", "list"}, 6, "allot: database unavailable: connection refused\n"},
		{"internal shows its cause", func(h *harness) {
			h.w.fail["Orgs.List"] = fault.Wrap(boom, "list organisations")
		}, []string{"org", "list"}, 1, "allot: internal error: list organisations: disk on fire\n"},
		{"plain error is internal", func(h *harness) {
			h.openErr = boom
		}, []string{"org", "list"}, 1, "allot: internal error: disk on fire\n"},
		{"internal error hides the DSN password", func(h *harness) {
			h.openErr = errors.New(`cannot connect to postgres://app:pa55word@db/allot`)
		}, []string{"org", "list", "--db", "postgres://app:pa55word@db/allot"}, 1,
			"allot: internal error: cannot connect to postgres://app:xxxxx@db/allot\n"},
		{"migrate fails", func(h *harness) {
			h.migrateErr = fault.Unavailablef(nil, "database is read-only")
		}, []string{"migrate"}, 6, "allot: database is read-only\n"},
		{"close fails", func(h *harness) {
			h.closeErr = boom
		}, []string{"org", "list"}, 1, "allot: internal error: close the database: disk on fire\n"},
		{"unknown org", nil, []string{"customer", "list", "--org", "NOPE"}, 3, "allot: organisation NOPE does not exist\n"},
		{"one violation", nil, []string{"series", "create", "--org", "ACME", "--client", "SL1981", "--start", "V1", "--end", "V10", "--item-code", "I"},
			2, "allot: start V1 and end V10 must have the same number of digits\n"},
		{"several violations", nil, []string{"series", "create", "--org", "ACME", "--client", "SL1981", "--start", "V2", "--end", "V1", "--item-code", "I!", "--type", "paper"},
			2, "allot: end: start V2 must not be greater than end V1\n" +
				"allot: item_code: item_code must be 1 to 64 letters, digits, '-', '_' or '.'\n" +
				"allot: type: type \"paper\" is not allowed; allowed values are physical, virtual\n"},
		{"violations of a line", func(h *harness) {
			h.w.fail["Customers.List"] = fault.Violations{
				{Line: 2, Field: "zip", Message: "zip must be 5 digits"},
				{Field: "name", Message: "name is required"},
			}.Err()
		}, []string{"customer", "list", "--org", "ACME"}, 2, "allot: line 2: zip: zip must be 5 digits\nallot: name: name is required\n"},
		{"overlap", nil, []string{"series", "create", "--org", "ACME", "--client", "SL1981", "--start", "V10000055", "--end", "V10000065", "--item-code", "I"},
			4, "allot: series V10000055-V10000065 overlaps existing series V10000051-V10000060\n"},
		{"exhausted", nil, []string{"series", "next", "--org", "ACME", "--client", "SL1981", "--item-code", "P7WJEJANkt", "--count", "100"},
			4, "allot: the owner's series hold fewer numbers than asked\n"},
		{"bad count", nil, []string{"series", "next", "--org", "ACME", "--client", "SL1981", "--item-code", "P7WJEJANkt", "--count", "0"},
			2, "allot: count must be between 1 and 10000\n"},
		{"invalid number", nil, []string{"series", "lookup", "--org", "ACME", "V-1"},
			2, "allot: a series number must be letters A-Z followed only by digits\n"},
		{"delete is all or nothing: missing", nil, []string{"series", "delete", "--org", "ACME", "1", "99"},
			3, "allot: series 99 does not exist\n"},
		{"delete is all or nothing: drawn", nil, []string{"series", "delete", "--org", "ACME", "1", "3"},
			4, "allot: series 3 has had numbers drawn\n"},
		{"revoke unknown key", nil, []string{"apikey", "revoke", "--org", "ACME", "nope"}, 3, "allot: not found\n"},
		{"org exists", nil, []string{"org", "create", "ACME"}, 4, "allot: organisation ACME already exists\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t)
			h := newHarness()
			if tt.setup != nil {
				tt.setup(h)
			}
			r := h.run(t, tt.args...)
			if r.code != tt.code || r.stderr != tt.stderr {
				t.Errorf("got exit %d, stderr:\n%s\nwant exit %d, stderr:\n%s", r.code, r.stderr, tt.code, tt.stderr)
			}
			if r.stdout != "" && tt.name != "close fails" {
				t.Errorf("stdout = %q; want nothing", r.stdout)
			}
		})
	}
}

// TestDeleteIsAllOrNothing checks that a refused bulk delete keeps every
// series.
func TestDeleteIsAllOrNothing(t *testing.T) {
	cleanEnv(t)
	h := newHarness()
	if r := h.run(t, "series", "delete", "--org", "ACME", "1", "3"); r.code != 4 {
		t.Fatalf("got %+v", r)
	}
	if n := len(h.w.series[1]); n != 2 {
		t.Errorf("%d series left; want 2", n)
	}
}

func TestExitCodeTable(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{fault.New(fault.Invalid, "", ""), 2},
		{fault.New(fault.NotFound, "", ""), 3},
		{fault.New(fault.Conflict, "", ""), 4},
		{fault.New(fault.Unauthorized, "", ""), 5},
		{fault.New(fault.Forbidden, "", ""), 5},
		{fault.New(fault.Unavailable, "", ""), 6},
		{fault.New(fault.Internal, "", ""), 1},
		{fault.New("unheard-of", "", ""), 1},
		{errors.New("plain"), 1},
		{&usageError{cmd: "allot", err: fault.New(fault.Invalid, reasonUsage, "x")}, 2},
	}
	for _, tt := range tests {
		if got := ExitCode(tt.err); got != tt.want {
			t.Errorf("ExitCode(%v) = %d; want %d", tt.err, got, tt.want)
		}
	}
}

// TestUsageErrors checks that command-line mistakes exit 2 with a short
// message and a hint on stderr, print nothing on stdout and never open the
// database.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		message string
		hint    string
	}{
		{"no command", nil, "missing command", "allot"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`, "allot"},
		{"help for an unknown command", []string{"help", "frobnicate"}, "No help topic for 'frobnicate'", "allot"},
		{"group without subcommand", []string{"series"}, "missing command", "allot series"},
		{"unknown subcommand", []string{"org", "destroy"}, `unknown command "destroy"`, "allot org"},
		{"unknown flag", []string{"org", "list", "--color"}, "unknown flag --color", "allot org list"},
		{"unknown global flag", []string{"--nosuch", "x", "org", "list"}, "unknown flag --nosuch", "allot"},
		{"flag without value", []string{"org", "list", "--db"}, "flag --db needs a value", "allot org list"},
		{"bad int", []string{"customer", "list", "--org", "ACME", "--limit", "ten"}, `invalid value "ten" for flag --limit: parse error`, "allot customer list"},
		{"negative limit", []string{"customer", "list", "--org", "ACME", "--limit", "-1"}, "--limit must not be negative", "allot customer list"},
		{"missing argument", []string{"org", "create", "--name", "x"}, "missing argument CODE", "allot org create"},
		{"extra argument", []string{"org", "list", "extra"}, `unexpected argument "extra"`, "allot org list"},
		{"flag after argument", []string{"org", "create", "ACME", "--name", "x"}, "flag --name must come before the arguments", "allot org create"},
		{"missing org", []string{"customer", "list"}, "missing required flag --org", "allot customer list"},
		{"missing code", []string{"customer", "add", "--org", "ACME", "--name", "x"}, "missing required flag --code", "allot customer add"},
		{"missing name", []string{"hub", "add", "--org", "ACME", "--code", "H"}, "missing required flag --name", "allot hub add"},
		{"no owner", []string{"series", "create", "--org", "ACME", "--start", "V1", "--end", "V2", "--item-code", "I"}, "one of --client or --hub is required", "allot series create"},
		{"two owners", []string{"series", "next", "--org", "ACME", "--client", "C", "--hub", "H", "--item-code", "I"}, "give either --client or --hub, not both", "allot series next"},
		{"missing start", []string{"series", "create", "--org", "ACME", "--client", "C", "--end", "V2", "--item-code", "I"}, "missing required flag --start", "allot series create"},
		{"missing item code", []string{"series", "next", "--org", "ACME", "--client", "C"}, "missing required flag --item-code", "allot series next"},
		{"missing number", []string{"series", "lookup", "--org", "ACME"}, "missing argument NUMBER", "allot series lookup"},
		{"missing ids", []string{"series", "delete", "--org", "ACME"}, "missing argument ID", "allot series delete"},
		{"bad id", []string{"series", "delete", "--org", "ACME", "1", "two"}, `series id "two" is not a positive whole number`, "allot series delete"},
		{"missing revoke prefix", []string{"apikey", "revoke", "--org", "ACME"}, "missing argument PREFIX", "allot apikey revoke"},
		{"unsupported dsn", []string{"org", "list", "--db", "mysql://u:hunter2@h/db"}, "--db must be postgres://USER:PASSWORD@HOST:PORT/DB or sqlite:PATH", "allot org list"},
		{"empty dsn", []string{"migrate", "--db", ""}, "--db (or ALLOT_DB) is empty; use postgres://... or sqlite:PATH", "allot migrate"},
		{"bad addr", []string{"serve", "--addr", "8080"}, `--addr "8080" is not HOST:PORT`, "allot serve"},
		{"serve takes no arguments", []string{"serve", "now"}, `unexpected argument "now"`, "allot serve"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t)
			h := newHarness()
			r := h.run(t, tt.args...)
			want := "allot: " + tt.message + "\nRun '" + tt.hint + " --help' for usage.\n"
			if r.code != 2 || r.stderr != want || r.stdout != "" {
				t.Errorf("got exit %d, stdout %q, stderr:\n%s\nwant exit 2, no stdout, stderr:\n%s", r.code, r.stdout, r.stderr, want)
			}
			if len(h.dsns) != 0 || len(h.served) != 0 {
				t.Errorf("a usage error opened the database %v or served %v", h.dsns, h.served)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	cleanEnv(t)
	for _, args := range [][]string{{"--help"}, {"help"}, {"series", "--help"}, {"series", "create", "--help"}, {"help", "org"}} {
		r := newHarness().run(t, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "USAGE:") || r.stderr != "" {
			t.Errorf("%v: got %+v", args, r)
		}
	}
	r := newHarness().run(t, "series", "create", "--help")
	for _, want := range []string{"--client CODE", "--service-type CODE", "$ALLOT_DB", "sqlite:allot.db"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("series create --help lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestDSN(t *testing.T) {
	tests := []struct {
		name string
		env  string // "" leaves ALLOT_DB unset
		args []string
		want string
	}{
		{"default", "", []string{"org", "list"}, "sqlite:allot.db"},
		{"env", "postgres://u@db/allot", []string{"org", "list"}, "postgres://u@db/allot"},
		{"flag", "", []string{"org", "list", "--db", "sqlite:/tmp/x.db"}, "sqlite:/tmp/x.db"},
		{"flag wins over env", "postgres://u@db/allot", []string{"org", "list", "--db", "sqlite:/tmp/x.db"}, "sqlite:/tmp/x.db"},
		{"org commands", "sqlite:env.db", []string{"customer", "list", "--org", "ACME"}, "sqlite:env.db"},
		{"migrate", "", []string{"migrate", "--db", "postgresql://u@db/allot"}, "postgresql://u@db/allot"},
		// Issue 12: people type global flags first; `allot --db X migrate`
		// was "unknown flag --db".
		{"global flag first", "", []string{"--db", "sqlite:/tmp/g.db", "migrate"}, "sqlite:/tmp/g.db"},
		{"global flag wins over env", "postgres://u@db/allot", []string{"--db", "sqlite:/tmp/g.db", "org", "list"}, "sqlite:/tmp/g.db"},
		{"command flag wins over global", "", []string{"--db", "sqlite:/tmp/g.db", "customer", "list", "--org", "ACME", "--db", "sqlite:/tmp/c.db"}, "sqlite:/tmp/c.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t)
			if tt.env != "" {
				t.Setenv(envDB, tt.env)
			}
			h := newHarness()
			if r := h.run(t, tt.args...); r.code != 0 {
				t.Fatalf("got %+v", r)
			}
			if len(h.dsns) != 1 || h.dsns[0] != tt.want {
				t.Errorf("opened %q; want [%q]", h.dsns, tt.want)
			}
			if h.closes != 1 {
				t.Errorf("closed %d times; want 1", h.closes)
			}
		})
	}
}

func TestServe(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want ServeConfig
	}{
		{"defaults", nil, nil, ServeConfig{DSN: "sqlite:allot.db", Addr: "127.0.0.1:8080", Migrate: true}},
		{"ALLOT_ADDR", map[string]string{envAddr: "0.0.0.0:9000"}, nil, ServeConfig{DSN: "sqlite:allot.db", Addr: "0.0.0.0:9000", Migrate: true}},
		{"--addr wins over ALLOT_ADDR", map[string]string{envAddr: "0.0.0.0:9000"}, []string{"--addr", ":0"}, ServeConfig{DSN: "sqlite:allot.db", Addr: ":0", Migrate: true}},
		{"postgres does not migrate by default", nil, []string{"--db", "postgres://u:p@db/allot"}, ServeConfig{DSN: "postgres://u:p@db/allot", Addr: "127.0.0.1:8080"}},
		{"postgres from ALLOT_DB", map[string]string{envDB: "postgres://db/allot"}, nil, ServeConfig{DSN: "postgres://db/allot", Addr: "127.0.0.1:8080"}},
		{"--migrate on postgres", nil, []string{"--db", "postgres://db/allot", "--migrate"}, ServeConfig{DSN: "postgres://db/allot", Addr: "127.0.0.1:8080", Migrate: true}},
		{"ALLOT_MIGRATE on postgres", map[string]string{envMigrate: "true"}, []string{"--db", "postgres://db/allot"}, ServeConfig{DSN: "postgres://db/allot", Addr: "127.0.0.1:8080", Migrate: true}},
		{"--migrate=false on sqlite", nil, []string{"--db", "sqlite:/tmp/a.db", "--migrate=false"}, ServeConfig{DSN: "sqlite:/tmp/a.db", Addr: "127.0.0.1:8080"}},
	}
	// The worker runs inside serve unless turned off (issue 15: "inside
	// allot serve by default").
	for i := range tests {
		tests[i].want.Work = true
	}
	tests = append(tests,
		struct {
			name string
			env  map[string]string
			args []string
			want ServeConfig
		}{"--work=false", nil, []string{"--work=false"}, ServeConfig{DSN: "sqlite:allot.db", Addr: "127.0.0.1:8080", Migrate: true}},
		struct {
			name string
			env  map[string]string
			args []string
			want ServeConfig
		}{"ALLOT_WORK=false", map[string]string{"ALLOT_WORK": "false"}, nil, ServeConfig{DSN: "sqlite:allot.db", Addr: "127.0.0.1:8080", Migrate: true}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			h := newHarness()
			r := h.run(t, append([]string{"serve"}, tt.args...)...)
			if r.code != 0 || r.stdout != "" || r.stderr != "allot: serving on http://127.0.0.1:43210\n" {
				t.Fatalf("got %+v", r)
			}
			if len(h.served) != 1 {
				t.Fatalf("served %d times", len(h.served))
			}
			got := h.served[0]
			if got.Ready == nil {
				t.Error("Ready is nil")
			}
			if got.DSN != tt.want.DSN || got.Addr != tt.want.Addr || got.Migrate != tt.want.Migrate || got.Work != tt.want.Work {
				t.Errorf("config = %+v; want %+v", got, tt.want)
			}
			if len(h.dsns) != 0 {
				t.Errorf("serve opened the database itself: %v", h.dsns)
			}
		})
	}
}

func TestServeErrors(t *testing.T) {
	cleanEnv(t)
	h := newHarness()
	h.serveErr = fault.Unavailablef(errors.New("bind: address already in use"), "cannot listen on 127.0.0.1:8080")
	r := h.run(t, "serve")
	if r.code != 6 || r.stderr != "allot: cannot listen on 127.0.0.1:8080: bind: address already in use\n" {
		t.Errorf("got %+v", r)
	}

	// A signal ends serve through ctx: that is success, whatever error the
	// server reports about it.
	ctx, cancel := context.WithCancel(context.Background())
	var errOut bytes.Buffer
	code := Run(ctx, Deps{
		Serve: func(ctx context.Context, _ ServeConfig) error {
			cancel()
			<-ctx.Done()
			return ctx.Err()
		},
		Stdout: &bytes.Buffer{}, Stderr: &errOut,
	}, []string{"allot", "serve"})
	if code != 0 || errOut.String() != "" {
		t.Errorf("cancelled serve: exit %d, stderr %q", code, errOut.String())
	}
}

// TestNewNeverExits checks the App that New returns on its own: errors come
// back from RunContext, and the framework's own exit coders do not reach
// os.Exit.
func TestNewNeverExits(t *testing.T) {
	cleanEnv(t)
	var out, errOut bytes.Buffer
	app := New(Deps{Stdout: &out, Stderr: &errOut})
	err := app.RunContext(context.Background(), []string{"allot", "help", "nope"})
	if ExitCode(err) != 2 {
		t.Errorf("err = %v; want a usage error", err)
	}
	app = New(Deps{Stdout: &out, Stderr: &errOut})
	if err := app.RunContext(context.Background(), []string{"allot", "migrate"}); fault.CodeOf(err) != fault.Internal {
		t.Errorf("migrate without Open: err = %v; want Internal", err)
	}
}

// TestOrgSet checks that org set changes only the settings given, keeps
// them, and refuses a bad value or no setting with exit 2.
func TestOrgSet(t *testing.T) {
	cleanEnv(t)
	h := newHarness()
	if r := h.run(t, "org", "set", "--programs", "NON_LIFELINE,LIFELINE", "ACME"); r.code != 0 {
		t.Fatalf("org set: %+v", r)
	}
	r := h.run(t, "org", "list")
	if !strings.Contains(r.stdout, "bss-ids=int programs=NON_LIFELINE,LIFELINE") {
		t.Fatalf("org list after set = %q", r.stdout)
	}
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"org", "set", "--bss-ids", "float", "ACME"}, `bss-ids "float" is not int or string`},
		{[]string{"org", "set", "--programs", "PREPAID", "ACME"}, `program "PREPAID" is not one of NON_LIFELINE, LIFELINE`},
		{[]string{"org", "set", "--require-payment", "yes", "ACME"}, `require-payment "yes" is not Y or N`},
		{[]string{"org", "set", "ACME"}, "name at least one setting to change"},
	} {
		r := h.run(t, tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.msg) {
			t.Errorf("allot %s = %+v; want exit 2 and %q", strings.Join(tc.args, " "), r, tc.msg)
		}
	}
}
