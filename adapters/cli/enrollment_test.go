package cli

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/token"
)

// TestEnrollmentCommandOutput runs the happy path of each enrollment
// administration command and checks stdout exactly, in text and in JSON.
func TestEnrollmentCommandOutput(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stdout string
	}{
		{"vendor add with both secrets given", []string{"vendor", "add", "--org", "ACME", "--vendor-id", "V2", "--username", "bob", "--password", "Hunter2!x", "--pin", "1234"},
			"added vendor V2 (username bob)\n"},
		{"vendor add json with both secrets given", []string{"vendor", "add", "--org", "ACME", "--vendor-id", "V2", "--username", "bob", "--password", "Hunter2!x", "--pin", "1234", "--json"},
			"{\n  \"vendor_id\": \"V2\",\n  \"username\": \"bob\"\n}\n"},
		{"agent add", []string{"agent", "add", "--org", "ACME", "--id", "AG9"},
			"added agent AG9 (no password, actions: all)\n"},
		{"agent add with password and actions", []string{"agent", "add", "--org", "ACME", "--id", "AG9", "--password", "s3cret-agent",
			"--action", "PLAN_LIST", "--action", "check_service_availability,plan_list"},
			"added agent AG9 (password required, actions: plan_list,check_service_availability)\n"},
		{"agent add json", []string{"agent", "add", "--org", "ACME", "--id", "AG9", "--action", "plan_list", "--json"},
			`{
  "id": "AG9",
  "password_required": false,
  "actions": [
    "plan_list"
  ],
  "created_at": "2024-05-01T10:00:00Z"
}
`},
		{"agent list", []string{"agent", "list", "--org", "ACME"},
			"ID   PASSWORD-REQUIRED  ACTIONS                               CREATED\n" +
				"AG1  yes                all                                   2024-05-01T10:00:00Z\n" +
				"AG2  no                 plan_list,check_service_availability  2024-05-01T10:00:00Z\n"},
		{"agent list json", []string{"agent", "list", "--org", "ACME", "--json"},
			`[
  {
    "id": "AG1",
    "password_required": true,
    "actions": [
      "check_service_availability",
      "plan_list",
      "create_customer_prepaid_multiline",
      "add_line_nonlifeline_customer",
      "create_prepaid_postpaid_customer_v2",
      "get_shipping_methods",
      "payment_details",
      "make_payment"
    ],
    "created_at": "2024-05-01T10:00:00Z"
  },
  {
    "id": "AG2",
    "password_required": false,
    "actions": [
      "plan_list",
      "check_service_availability"
    ],
    "created_at": "2024-05-01T10:00:00Z"
  }
]
`},
		{"plan add", []string{"plan", "add", "--org", "ACME", "--id", "2000", "--name", "Talk More", "--price", "25"},
			"added plan 2000 (Talk More, 25.00)\n"},
		{"plan list", []string{"plan", "list", "--org", "ACME"},
			"ID    NAME       PRICE  TOTAL  CARRIERS  DATA  TALK   TEXT   FAMILY  EXPIRY   ACTIVE  CREATED\n" +
				"1828  Unlimited  25.00  25.00  -         0 MB  0 min  0 msg  no      30 days  yes     2024-05-01T10:00:00Z\n" +
				"1900  Legacy     9.50   9.50   -         0 MB  0 min  0 msg  no      30 days  no      2024-05-01T10:00:00Z\n"},
		{"plan add common fields", []string{"plan", "add", "--org", "ACME", "--id", "2001", "--name", "Family", "--price", "30",
			"--total-price", "33.45", "--carrier", "tmb,BLUECONNECTSATT", "--carrier", "ATT", "--data", "10240", "--talk-unlimited",
			"--text-unlimited", "--family", "--max-lines", "5", "--activation-fee", "0.99", "--expiry-days", "28", "--tax-included"},
			"added plan 2001 (Family, 30.00)\n"},
		{"carrier add", []string{"carrier", "add", "--org", "ACME", "--name", "Acme Mobile", "acmemobile32"},
			"added carrier ACMEMOBILE32\n"},
		{"carrier add json", []string{"carrier", "add", "--org", "ACME", "--json", "NEWCARRIER"},
			"{\n  \"code\": \"NEWCARRIER\",\n  \"name\": \"\",\n  \"created_at\": \"2024-05-01T10:00:00Z\"\n}\n"},
		{"carrier list", []string{"carrier", "list", "--org", "ACME"},
			"CODE             NAME               CREATED\n" +
				"TMB              T-Mobile           2024-05-01T10:00:00Z\n" +
				"ATT              AT&T               2024-05-01T10:00:00Z\n" +
				"VERIZON          Verizon            2024-05-01T10:00:00Z\n" +
				"TELGOOATT        Telgoo AT&T        2024-05-01T10:00:00Z\n" +
				"HELIX            Helix              2024-05-01T10:00:00Z\n" +
				"BLUECONNECTS     BlueConnects       2024-05-01T10:00:00Z\n" +
				"BLUECONNECTSATT  BlueConnects AT&T  2024-05-01T10:00:00Z\n" +
				"SPR              Sprint             2024-05-01T10:00:00Z\n"},
		{"zip add", []string{"zip", "add", "--org", "ACME", "--zip", "98104", "--city", "seattle", "--state", "wa"},
			"added zip 98104 (SEATTLE, WA)\n"},
		{"zip add json", []string{"zip", "add", "--org", "ACME", "--zip", " 98104 ", "--city", "Seattle", "--state", "WA", "--json"},
			"{\n  \"zip\": \"98104\",\n  \"city\": \"SEATTLE\",\n  \"state\": \"WA\"\n}\n"},
		{"zip add area code", []string{"zip", "add", "--org", "ACME", "--zip", "98105", "--city", "Seattle", "--state", "WA", "--area-code", "206", "--json"},
			"{\n  \"zip\": \"98105\",\n  \"city\": \"SEATTLE\",\n  \"state\": \"WA\",\n  \"area_code\": \"206\"\n}\n"},
		{"source allow", []string{"source", "allow", "--org", "ACME", "website", "Enrollment_Portal", "WEBSITE"},
			"allowed sources: API, ENROLLMENT_PORTAL, WEBSITE\n"},
		{"source allow json", []string{"source", "allow", "--org", "ACME", "--json", "api"},
			"[\n  \"API\"\n]\n"},
		{"enrollment list", []string{"enrollment", "list", "--org", "ACME"},
			"ACCOUNT  PARENT-ENROLLMENT-ID  AGENT  SOURCE   CREATED               CUSTOMER-ID  ENROLLMENT-ID  ENROLLMENT-TYPE  ACTIVATION-TYPE  PLAN  FIRST-NAME  LAST-NAME  STATUS\n" +
				"7        EN100                 AG1    API      2024-05-01T11:00:00Z  501          EN100          SHIPMENT         NEWACTIVATION    1828  Ada         Lovelace   QUEUED\n" +
				"7        EN100                 AG1    API      2024-05-01T11:00:00Z  502          EN101          HANDOVER         PORTIN           1828  Alan        Turing     ATTACHED\n" +
				"6        EN090                 AG2    WEBSITE  2024-05-01T10:00:00Z  -            -              -                -                -     -           -          -\n"},
		{"enrollment list json", []string{"enrollment", "list", "--org", "ACME", "--offset", "1", "--json"},
			`[
  {
    "id": 6,
    "parent_enrollment_id": "EN090",
    "agent_id": "AG2",
    "source": "WEBSITE",
    "created_at": "2024-05-01T10:00:00Z",
    "lines": []
  }
]
`},
		{"enrollment list json empty", []string{"enrollment", "list", "--org", "ACME", "--offset", "5", "--json"}, "[]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t)
			h := newHarness()
			r := h.run(t, tt.args...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q; want 0 and nothing", r.code, r.stderr)
			}
			if r.stdout != tt.stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, tt.stdout)
			}
			if strings.Contains(tt.name, "json") && !json.Valid([]byte(r.stdout)) {
				t.Errorf("stdout is not JSON: %s", r.stdout)
			}
			for _, secret := range []string{"Hunter2!x", "1234", "s3cret", "HASH", "argon2"} {
				if strings.Contains(r.stdout, secret) {
					t.Errorf("stdout shows secret %q:\n%s", secret, r.stdout)
				}
			}
		})
	}
}

// TestEnrollmentLineJSON checks every field of a line in
// `enrollment list --json`.
func TestEnrollmentLineJSON(t *testing.T) {
	cleanEnv(t)
	h := newHarness()
	r := h.run(t, "enrollment", "list", "--org", "ACME", "--limit", "1", "--json")
	if r.code != 0 {
		t.Fatalf("got %+v", r)
	}
	var got []accountJSON
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	want := lineJSON{CustomerID: 502, EnrollmentID: "EN101", EnrollmentType: "HANDOVER", ActivationType: "PORTIN", PlanID: "1828",
		FirstName: "Alan", LastName: "Turing", Status: "ATTACHED", ActivationLater: true, CreatedAt: "2024-05-01T11:00:00Z"}
	if len(got) != 1 || got[0].ID != 7 || got[0].AgentID != "AG1" || len(got[0].Lines) != 2 || got[0].Lines[1] != want {
		t.Errorf("got %+v", got)
	}
	if q := h.w.enroll.accountsQueries[0]; q.Limit != 1 || q.Offset != 0 {
		t.Errorf("accounts query = %+v", q)
	}
}

// TestEnrollmentArgsReachService checks what the commands pass on.
func TestEnrollmentArgsReachService(t *testing.T) {
	cleanEnv(t)
	h := newHarness()
	e := h.w.enroll

	if r := h.run(t, "agent", "add", "--org", "ACME", "--id", "AG9", "--password", " pw with spaces "); r.code != 0 {
		t.Fatalf("got %+v", r)
	}
	if e.agentPassword != " pw with spaces " || e.agentActions != nil {
		t.Errorf("agent password %q, actions %q; want the password untouched and no actions (every action)", e.agentPassword, e.agentActions)
	}
	if r := h.run(t, "agent", "add", "--org", "ACME", "--id", "AG8", "--action", "Create_Customer_Prepaid_Multiline", "--action", "plan_list", "--action", "PLAN_LIST"); r.code != 0 {
		t.Fatalf("got %+v", r)
	}
	if got := strings.Join(e.agentActions, " "); got != "create_customer_prepaid_multiline plan_list" {
		t.Errorf("actions = %q", got)
	}

	if r := h.run(t, "source", "allow", "--org", "ACME", "enrollment_portal", "API", "api"); r.code != 0 {
		t.Fatalf("got %+v", r)
	}
	if got := strings.Join(e.sourcesAsked, " "); got != "ENROLLMENT_PORTAL API" {
		t.Errorf("sources = %q", got)
	}

	if r := h.run(t, "vendor", "add", "--org", "ACME", "--vendor-id", " V3 ", "--username", "carol", "--password", " p w ", "--pin", "0042"); r.code != 0 {
		t.Fatalf("got %+v", r)
	}
	want := vendorCall{org: 1, vendorID: "V3", username: "carol", password: " p w ", pin: "0042"}
	if got := e.vendors[len(e.vendors)-1]; got != want {
		t.Errorf("AddVendor got %+v; want %+v", got, want)
	}
}

// TestVendorAddSecrets checks that generated secrets are printed exactly
// once and secrets the operator gave never are.
func TestVendorAddSecrets(t *testing.T) {
	base := []string{"vendor", "add", "--org", "ACME", "--vendor-id", "V1", "--username", "alice"}
	const givenPw, givenPin = "Given-Pa55word", "86421"
	tests := []struct {
		name   string
		extra  []string
		stdout string
	}{
		{"both generated", nil,
			"added vendor V1 (username alice)\npassword: " + genPassword + "\npin: " + genPin + "\n"},
		{"pin generated", []string{"--password", givenPw},
			"added vendor V1 (username alice)\npin: " + genPin + "\n"},
		{"password generated", []string{"--pin", givenPin},
			"added vendor V1 (username alice)\npassword: " + genPassword + "\n"},
		{"empty flags mean generated", []string{"--password", "", "--pin", ""},
			"added vendor V1 (username alice)\npassword: " + genPassword + "\npin: " + genPin + "\n"},
		{"blank pin means generated", []string{"--password", givenPw, "--pin", "  "},
			"added vendor V1 (username alice)\npin: " + genPin + "\n"},
		{"none generated", []string{"--password", givenPw, "--pin", givenPin},
			"added vendor V1 (username alice)\n"},
		{"both generated json", []string{"--json"},
			"{\n  \"vendor_id\": \"V1\",\n  \"username\": \"alice\",\n  \"password\": \"" + genPassword + "\",\n  \"pin\": \"" + genPin + "\"\n}\n"},
		{"pin generated json", []string{"--password", givenPw, "--json"},
			"{\n  \"vendor_id\": \"V1\",\n  \"username\": \"alice\",\n  \"pin\": \"" + genPin + "\"\n}\n"},
	}
	for _, echo := range []bool{false, true} {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				cleanEnv(t)
				h := newHarness()
				h.w.enroll.echoSecrets = echo // a service echoing given secrets changes nothing
				r := h.run(t, append(base, tt.extra...)...)
				if r.code != 0 || r.stderr != "" || r.stdout != tt.stdout {
					t.Fatalf("got exit %d, stderr %q, stdout:\n%s\nwant exit 0, no stderr, stdout:\n%s", r.code, r.stderr, r.stdout, tt.stdout)
				}
				for _, secret := range []string{genPassword, genPin} {
					if n := strings.Count(r.stdout, secret); n > 1 {
						t.Errorf("%s printed %d times", secret, n)
					}
				}
				if strings.Contains(r.stdout, givenPw) || strings.Contains(r.stdout, givenPin) {
					t.Errorf("a given secret is printed:\n%s", r.stdout)
				}
			})
		}
	}
}

// TestVendorAddErrors checks that a failed vendor add prints no secret,
// even when the service's message quotes one.
func TestVendorAddErrors(t *testing.T) {
	cleanEnv(t)
	h := newHarness()
	h.w.fail["Enrollment.AddVendor"] = fault.New(fault.Invalid, "INVALID_VENDOR", `password "Given-Pa55word" is too weak`)
	r := h.run(t, "vendor", "add", "--org", "ACME", "--vendor-id", "V1", "--username", "alice", "--password", "Given-Pa55word")
	if r.code != 2 || r.stdout != "" || r.stderr != "allot: password \"xxxxx\" is too weak\n" {
		t.Errorf("got %+v", r)
	}

	h = newHarness()
	h.run(t, "vendor", "add", "--org", "ACME", "--vendor-id", "V1", "--username", "alice")
	r = h.run(t, "vendor", "add", "--org", "ACME", "--vendor-id", "V1", "--username", "bob")
	if r.code != 4 || r.stdout != "" || r.stderr != "allot: vendor V1 already exists\n" {
		t.Errorf("duplicate vendor: got %+v", r)
	}
}

// TestEnrollmentErrors checks that the service's fault codes become the
// table's exit codes, with the message on stderr and nothing on stdout.
func TestEnrollmentErrors(t *testing.T) {
	tests := []struct {
		name   string
		fail   string
		err    error
		args   []string
		code   int
		stderr string
	}{
		{"vendor conflict", "Enrollment.AddVendor", fault.New(fault.Conflict, "ALREADY_EXISTS", "vendor V1 already exists"),
			[]string{"vendor", "add", "--org", "ACME", "--vendor-id", "V1", "--username", "u"}, 4, "allot: vendor V1 already exists\n"},
		{"agent invalid", "Enrollment.AddAgent", fault.InvalidField("id", "pattern", enrollment.ReasonInvalidAgent, "agent id should be letters and digits"),
			[]string{"agent", "add", "--org", "ACME", "--id", "A!"}, 2, "allot: agent id should be letters and digits\n"},
		{"agents unavailable", "Enrollment.ListAgents", fault.Unavailablef(errors.New("connection reset"), "database unavailable"),
			[]string{"agent", "list", "--org", "ACME"}, 6, "allot: database unavailable: connection reset\n"},
		{"plan conflict", "Enrollment.AddPlan", fault.New(fault.Conflict, "ALREADY_EXISTS", "plan 1828 already exists"),
			[]string{"plan", "add", "--org", "ACME", "--id", "1828", "--name", "N", "--price", "1"}, 4, "allot: plan 1828 already exists\n"},
		{"plans internal", "Enrollment.Plans", fault.Wrap(errors.New("disk on fire"), "list plans"),
			[]string{"plan", "list", "--org", "ACME"}, 1, "allot: internal error: list plans: disk on fire\n"},
		{"zip conflict", "Enrollment.AddZips", fault.New(fault.Conflict, "ALREADY_EXISTS", "zip 98103 is already in the service area"),
			[]string{"zip", "add", "--org", "ACME", "--zip", "98103", "--city", "Seattle", "--state", "WA"}, 4, "allot: zip 98103 is already in the service area\n"},
		{"sources forbidden", "Enrollment.AllowSources", fault.New(fault.Forbidden, "ORG_DISABLED", "organisation ACME is disabled"),
			[]string{"source", "allow", "--org", "ACME", "API"}, 5, "allot: organisation ACME is disabled\n"},
		{"accounts not found", "Enrollment.Accounts", fault.New(fault.NotFound, "NOT_FOUND", "gone"),
			[]string{"enrollment", "list", "--org", "ACME"}, 3, "allot: gone\n"},
		{"accounts unauthorized", "Enrollment.Accounts", fault.New(fault.Unauthorized, "X", "who are you"),
			[]string{"enrollment", "list", "--org", "ACME"}, 5, "allot: who are you\n"},
		{"plan violations", "", nil,
			[]string{"plan", "add", "--org", "ACME", "--id", "P1", "--name", "N", "--price", "1.234"}, 2,
			"allot: plan_id: plan_id should be 1 to 20 digits\nallot: plan_price: plan_price should be a non-negative amount with at most two decimals, e.g. 15.75\n"},
		{"zip add invalid", "", nil,
			[]string{"zip", "add", "--org", "ACME", "--zip", "9810", "--city", "Seattle", "--state", "WA"}, 2, "allot: zip should be exactly 5 digits\n"},
		{"zip add several invalid", "", nil,
			[]string{"zip", "add", "--org", "ACME", "--zip", "9810", "--city", "Seattle", "--state", "XX"}, 2,
			"allot: zip: zip should be exactly 5 digits\nallot: state: state should be a valid two-letter US state abbreviation\n"},
		{"zip exists", "", nil,
			[]string{"zip", "add", "--org", "ACME", "--zip", "98103", "--city", "Seattle", "--state", "WA"}, 4, "allot: zip 98103 is already in the service area\n"},
		{"agent exists", "", nil,
			[]string{"agent", "add", "--org", "ACME", "--id", "AG1"}, 4, "allot: agent AG1 already exists\n"},
		{"unknown org", "", nil,
			[]string{"plan", "list", "--org", "NOPE"}, 3, "allot: organisation NOPE does not exist\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t)
			h := newHarness()
			if tt.fail != "" {
				h.w.fail[tt.fail] = tt.err
			}
			r := h.run(t, tt.args...)
			if r.code != tt.code || r.stderr != tt.stderr || r.stdout != "" {
				t.Errorf("got exit %d, stdout %q, stderr:\n%s\nwant exit %d, no stdout, stderr:\n%s", r.code, r.stdout, r.stderr, tt.code, tt.stderr)
			}
		})
	}
}

// TestNoEnrollmentService checks a store without the enrollment service.
func TestNoEnrollmentService(t *testing.T) {
	cleanEnv(t)
	var out, errOut strings.Builder
	w := newWorld()
	w.seed()
	svc := w.services()
	svc.Enrollment = nil
	code := Run(t.Context(), Deps{
		Open:   func(_ context.Context, _ string) (*Backend, error) { return &Backend{Services: svc}, nil },
		Stdout: &out, Stderr: &errOut,
	}, []string{"allot", "plan", "list", "--org", "ACME"})
	if code != 1 || errOut.String() != "allot: this build has no enrollment service\n" || out.String() != "" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
}

// TestEnrollmentUsageErrors checks command-line mistakes: exit 2, a short
// message and a hint, nothing on stdout, and the database never opened.
func TestEnrollmentUsageErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		message string
		hint    string
	}{
		{"vendor without subcommand", []string{"vendor"}, "missing command", "allot vendor"},
		{"vendor missing org", []string{"vendor", "add", "--vendor-id", "V", "--username", "u"}, "missing required flag --org", "allot vendor add"},
		{"vendor missing vendor id", []string{"vendor", "add", "--org", "ACME", "--username", "u"}, "missing required flag --vendor-id", "allot vendor add"},
		{"vendor missing username", []string{"vendor", "add", "--org", "ACME", "--vendor-id", "V"}, "missing required flag --username", "allot vendor add"},
		{"vendor argument", []string{"vendor", "add", "--org", "ACME", "--vendor-id", "V", "--username", "u", "extra"}, `unexpected argument "extra"`, "allot vendor add"},
		{"agent missing id", []string{"agent", "add", "--org", "ACME"}, "missing required flag --id", "allot agent add"},
		{"agent bad action", []string{"agent", "add", "--org", "ACME", "--id", "A", "--action", "fly"},
			`action "fly" is not one of check_service_availability, plan_list, create_customer_prepaid_multiline, add_line_nonlifeline_customer, create_prepaid_postpaid_customer_v2, get_shipping_methods, payment_details, make_payment`, "allot agent add"},
		{"agent list missing org", []string{"agent", "list"}, "missing required flag --org", "allot agent list"},
		{"plan missing price", []string{"plan", "add", "--org", "ACME", "--id", "1", "--name", "N"}, "missing required flag --price", "allot plan add"},
		{"plan missing name", []string{"plan", "add", "--org", "ACME", "--id", "1", "--price", "1"}, "missing required flag --name", "allot plan add"},
		{"plan list extra", []string{"plan", "list", "--org", "ACME", "x"}, `unexpected argument "x"`, "allot plan list"},
		{"zip missing state", []string{"zip", "add", "--org", "ACME", "--zip", "98103", "--city", "C"}, "missing required flag --state", "allot zip add"},
		{"zip import missing file", []string{"zip", "import", "--org", "ACME"}, "missing argument FILE.csv", "allot zip import"},
		{"zip import missing org", []string{"zip", "import", "zips.csv"}, "missing required flag --org", "allot zip import"},
		{"zip import two files", []string{"zip", "import", "--org", "ACME", "a.csv", "b.csv"}, `unexpected argument "b.csv"`, "allot zip import"},
		{"zip import flag after file", []string{"zip", "import", "a.csv", "--org", "ACME"}, "flag --org must come before the arguments", "allot zip import"},
		{"source missing", []string{"source", "allow", "--org", "ACME"}, "missing argument SOURCE", "allot source allow"},
		{"source unknown", []string{"source", "allow", "--org", "ACME", "API", "fax"}, `source "fax" is not one of API, WEBSITE, ENROLLMENT_PORTAL`, "allot source allow"},
		{"source missing org", []string{"source", "allow", "API"}, "missing required flag --org", "allot source allow"},
		{"enrollment negative offset", []string{"enrollment", "list", "--org", "ACME", "--offset", "-2"}, "--offset must not be negative", "allot enrollment list"},
		{"enrollment bad limit", []string{"enrollment", "list", "--org", "ACME", "--limit", "x"}, `invalid value "x" for flag --limit: parse error`, "allot enrollment list"},
		{"enrollment unknown subcommand", []string{"enrollment", "show"}, `unknown command "show"`, "allot enrollment"},
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
			if len(h.dsns) != 0 {
				t.Errorf("a usage error opened the database %v", h.dsns)
			}
		})
	}
}

// writeFile writes content to a file named name in a fresh directory and
// returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestZipImport(t *testing.T) {
	cleanEnv(t)
	h := newHarness()
	file := writeFile(t, "zips.csv", "\ufeff Zip , CITY,state\r\n"+
		"98104,seattle,wa\r\n"+
		"\r\n"+
		"  10001 ,\"New York\", NY\r\n"+
		"99501,\"Anchorage\",ak\r\n")
	r := h.run(t, "zip", "import", "--org", "ACME", file)
	if r.code != 0 || r.stdout != "imported 3 zips\n" || r.stderr != "" {
		t.Fatalf("got %+v", r)
	}
	want := []enrollment.ServiceZip{
		{Zip: "98103", City: "SEATTLE", State: "WA"}, // seeded
		{Zip: "98104", City: "SEATTLE", State: "WA"},
		{Zip: "10001", City: "NEW YORK", State: "NY"},
		{Zip: "99501", City: "ANCHORAGE", State: "AK"},
	}
	if got := h.w.enroll.zips[1]; len(got) != len(want) || !equalZips(got, want) {
		t.Errorf("zips = %+v; want %+v", got, want)
	}
	if h.w.enroll.addZipsCalls != 1 {
		t.Errorf("AddZips called %d times; want once, with every zip", h.w.enroll.addZipsCalls)
	}

	r = h.run(t, "zip", "import", "--org", "ACME", "--json", writeFile(t, "one.csv", "zip,city,state\n02134,Boston,MA\n"))
	if r.code != 0 || r.stdout != "{\n  \"imported\": 1\n}\n" {
		t.Errorf("json: got %+v", r)
	}
	r = h.run(t, "zip", "import", "--org", "ACME", writeFile(t, "one.csv", "zip,city,state\n02135,Boston,MA"))
	if r.code != 0 || r.stdout != "imported 1 zip\n" {
		t.Errorf("one zip: got %+v", r)
	}
}

func equalZips(a, b []enrollment.ServiceZip) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestZipImportRejectsTheFile checks that a file with any problem imports
// nothing, never calls the service and reports every problem with its
// line.
func TestZipImportRejectsTheFile(t *testing.T) {
	tests := []struct {
		name    string
		content string
		code    int
		stderr  string // with F for the file's path
	}{
		{"bad rows", "zip,city,state\n" + // 1
			"98104,Seattle,WA\n" + // 2
			"9810,Seattle,WA\n" + // 3
			"98105,Seattle\n" + // 4
			"98106,Seattle,WA,extra\n" + // 5
			"98107,Sea$ttle,ZZ\n" + // 6
			"98108,Seattle,WA\n" + // 7
			"abcde,,\n", // 8
			2,
			"allot: F:3: zip should be exactly 5 digits\n" +
				"allot: F:4: want 3 fields (zip,city,state), got 2\n" +
				"allot: F:5: want 3 fields (zip,city,state), got 4\n" +
				"allot: F:6: city should be 1 to 50 letters, spaces, hyphens, apostrophes or periods\n" +
				"allot: F:6: state should be a valid two-letter US state abbreviation\n" +
				"allot: F:8: zip should be exactly 5 digits\n" +
				"allot: F:8: city should be 1 to 50 letters, spaces, hyphens, apostrophes or periods\n" +
				"allot: F:8: state should be a valid two-letter US state abbreviation\n"},
		{"one bad row", "zip,city,state\n98104,Seattle,WA\n98105,Seattle,WA\n98106,Seattle,WA\n98107,Seattle,WA\n98108,Seattle,WA\n9810x,Seattle,WA\n", 2,
			"allot: F:7: zip should be exactly 5 digits\n"},
		{"duplicates", "zip,city,state\n98104,Seattle,WA\n98105,Seattle,WA\n 98104 ,Seattle,WA\n98105,Tacoma,WA\n98104,X,WA\n", 2,
			"allot: F:4: zip 98104 is repeated; it is already on line 2\n" +
				"allot: F:5: zip 98105 is repeated; it is already on line 3\n" +
				"allot: F:6: zip 98104 is repeated; it is already on line 2\n"},
		{"duplicate of a row with a bad city", "zip,city,state\n98104,S3attle,WA\n98104,Seattle,WA\n", 2,
			"allot: F:2: city should be 1 to 50 letters, spaces, hyphens, apostrophes or periods\n" +
				"allot: F:3: zip 98104 is repeated; it is already on line 2\n"},
		{"line numbers follow quoted newlines", "zip,city,state\n\"98104\",\"Seattle\",\"W\nA\"\n98105,Seattle,XX\n", 2,
			"allot: F:2: state should be a valid two-letter US state abbreviation\n" +
				"allot: F:4: state should be a valid two-letter US state abbreviation\n"},
		{"csv syntax error", "zip,city,state\n98104,Sea\"ttle,WA\n98105,Seattle,XX\n", 2,
			"allot: F:2: bare \" in non-quoted-field\n" +
				"allot: F:3: state should be a valid two-letter US state abbreviation\n"},
		{"empty file", "", 2, "allot: F is empty; its first line must be the header zip,city,state\n"},
		{"blank lines only", "\n\n", 2, "allot: F is empty; its first line must be the header zip,city,state\n"},
		{"header only", "zip,city,state\n", 2, "allot: F has a header but no zips; add one zip,city,state row per zip\n"},
		{"missing header", "98104,Seattle,WA\n98105,Seattle,WA\n", 2, "allot: F:1: missing header; the first line must be zip,city,state\n"},
		{"wrong header", "zip,town,state\n98104,Seattle,WA\n", 2, "allot: F:1: the header must be zip,city,state, not \"zip,town,state\"\n"},
		{"header in another order", "city,zip,state\nSeattle,98104,WA\n", 2, "allot: F:1: the header must be zip,city,state, not \"city,zip,state\"\n"},
		{"header with too few columns", "\nzip,city\n98104,Seattle\n", 2, "allot: F:2: the header must be zip,city,state, not \"zip,city\"\n"},
		{"header with too many columns", "zip,city,state,country\n98104,Seattle,WA,US\n", 2, "allot: F:1: the header must be zip,city,state, not \"zip,city,state,country\"\n"},
		{"header syntax error", "zip,\"city,state\n", 2, "allot: F:1: extraneous or missing \" in quoted-field\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t)
			h := newHarness()
			file := writeFile(t, "zips.csv", tt.content)
			r := h.run(t, "zip", "import", "--org", "ACME", file)
			want := strings.ReplaceAll(tt.stderr, "F", file)
			if r.code != tt.code || r.stderr != want || r.stdout != "" {
				t.Errorf("got exit %d, stdout %q, stderr:\n%s\nwant exit %d, no stdout, stderr:\n%s", r.code, r.stdout, r.stderr, tt.code, want)
			}
			if h.w.enroll.addZipsCalls != 0 || len(h.dsns) != 0 {
				t.Errorf("a rejected file called AddZips %d times and opened %v", h.w.enroll.addZipsCalls, h.dsns)
			}
			if n := len(h.w.enroll.zips[1]); n != 1 {
				t.Errorf("%d zips stored; want only the seeded one", n)
			}
		})
	}
}

func TestZipImportFileErrors(t *testing.T) {
	cleanEnv(t)
	h := newHarness()
	missing := filepath.Join(t.TempDir(), "nope.csv")
	r := h.run(t, "zip", "import", "--org", "ACME", missing)
	if r.code != 3 || r.stderr != "allot: cannot read "+missing+": no such file or directory\n" || r.stdout != "" {
		t.Errorf("missing file: got %+v", r)
	}
	dir := t.TempDir()
	r = h.run(t, "zip", "import", "--org", "ACME", dir)
	if r.code != 2 || !strings.HasPrefix(r.stderr, "allot: cannot read "+dir+": ") || r.stdout != "" {
		t.Errorf("directory: got %+v", r)
	}
	if len(h.dsns) != 0 {
		t.Errorf("opened the database %v", h.dsns)
	}

	// The service is all or nothing too: a zip already served refuses the
	// whole file.
	file := writeFile(t, "zips.csv", "zip,city,state\n98104,Seattle,WA\n98103,Seattle,WA\n")
	r = h.run(t, "zip", "import", "--org", "ACME", file)
	if r.code != 4 || r.stderr != "allot: zip 98103 is already in the service area\n" || r.stdout != "" {
		t.Errorf("conflict: got %+v", r)
	}
	if n := len(h.w.enroll.zips[1]); n != 1 {
		t.Errorf("%d zips stored; want only the seeded one", n)
	}
	r = h.run(t, "zip", "import", "--org", "NOPE", file)
	if r.code != 3 || r.stderr != "allot: organisation NOPE does not exist\n" {
		t.Errorf("unknown org: got %+v", r)
	}
}

func TestServeTokenTTL(t *testing.T) {
	tests := []struct {
		name string
		env  string // "" leaves ALLOT_TOKEN_TTL unset
		args []string
		want time.Duration
	}{
		{"default", "", nil, token.DefaultTTL},
		{"flag", "", []string{"--token-ttl", "90s"}, 90 * time.Second},
		{"env", "1h30m", nil, 90 * time.Minute},
		{"flag wins over env", "1h", []string{"--token-ttl", "5m"}, 5 * time.Minute},
		{"minimum", "", []string{"--token-ttl", "1s"}, token.MinTTL},
		{"maximum", "", []string{"--token-ttl=24h"}, token.MaxTTL},
		{"spaces", " 2m ", nil, 2 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t)
			if tt.env != "" {
				t.Setenv(envTokenTTL, tt.env)
			}
			h := newHarness()
			r := h.run(t, append([]string{"serve"}, tt.args...)...)
			if r.code != 0 || len(h.served) != 1 {
				t.Fatalf("got %+v, served %d times", r, len(h.served))
			}
			if got := h.served[0].TokenTTL; got != tt.want {
				t.Errorf("TokenTTL = %v; want %v", got, tt.want)
			}
		})
	}
}

func TestServeTokenTTLErrors(t *testing.T) {
	const (
		bounds = " is out of bounds; it must be between 1s and 24h"
		syntax = " is not a duration; use Go duration syntax, e.g. 90s, 15m or 1h30m"
	)
	tests := []struct {
		name, env string
		args      []string
		message   string
	}{
		{"zero", "", []string{"--token-ttl", "0s"}, "0s" + bounds},
		{"below minimum", "", []string{"--token-ttl", "999ms"}, "999ms" + bounds},
		{"above maximum", "", []string{"--token-ttl", "24h0m1s"}, "24h0m1s" + bounds},
		{"negative", "", []string{"--token-ttl=-5m"}, "-5m" + bounds},
		{"no unit", "", []string{"--token-ttl", "15"}, `"15"` + syntax},
		{"not a duration", "", []string{"--token-ttl", "soon"}, `"soon"` + syntax},
		{"days are not Go syntax", "", []string{"--token-ttl", "1d"}, `"1d"` + syntax},
		{"bad env", "fifteen minutes", nil, `"fifteen minutes"` + syntax},
		{"env out of bounds", "48h", nil, "48h" + bounds},
		{"empty flag", "", []string{"--token-ttl", ""}, `""` + syntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t)
			if tt.env != "" {
				t.Setenv(envTokenTTL, tt.env)
			}
			h := newHarness()
			r := h.run(t, append([]string{"serve"}, tt.args...)...)
			want := "allot: --token-ttl (or ALLOT_TOKEN_TTL) " + tt.message + "\nRun 'allot serve --help' for usage.\n"
			if r.code != 2 || r.stderr != want || r.stdout != "" {
				t.Errorf("got exit %d, stdout %q, stderr:\n%s\nwant exit 2, stderr:\n%s", r.code, r.stdout, r.stderr, want)
			}
			if len(h.served) != 0 {
				t.Errorf("served with a bad TTL: %+v", h.served)
			}
		})
	}
}

func TestEnrollmentHelp(t *testing.T) {
	cleanEnv(t)
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"serve", "--help"}, []string{"--token-ttl DURATION", "$ALLOT_TOKEN_TTL", `"15m"`, "1s to 24h"}},
		{[]string{"zip", "import", "--help"}, []string{"FILE.csv", "zip,city,state", "--org CODE"}},
		{[]string{"agent", "add", "--help"}, []string{"--action ACTION", "plan_list"}},
		{[]string{"vendor", "add", "--help"}, []string{"--password PASSWORD", "--pin PIN", "only this once", "--username NAME"}},
		{[]string{"help", "enrollment"}, []string{"list"}},
		{[]string{"--help"}, []string{"vendor", "agent", "plan", "zip", "source", "enrollment"}},
	} {
		r := newHarness().run(t, tt.args...)
		if r.code != 0 || r.stderr != "" {
			t.Errorf("%v: got %+v", tt.args, r)
		}
		for _, w := range tt.want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%v lacks %q:\n%s", tt.args, w, r.stdout)
			}
		}
	}
}
