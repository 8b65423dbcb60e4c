package wire_test

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/allot-io/allot/cmd/allot/command"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/allot-io/allot/adapters/cli"
	"github.com/allot-io/allot/adapters/secret"
	"github.com/allot-io/allot/app/wire"
	"github.com/allot-io/allot/domain/enrollment"
)

// importedPlan is a plan file's only object: every field of the vendor's
// export, keyed and typed as plan_list returns them.
const importedPlan = `{
  "plan_id": "606", "plan_name": "Family 10GB", "plan_price": "15.75", "total_plan_price": "17.31",
  "plan_description": "Ten gigabytes, shared", "plan_code": "FAM10", "carrier": ["TMB", "BLUECONNECTSATT"],
  "data": "10240", "talk": "1000", "text": "0", "data_unlimited": "N", "minute_unlimited": "N",
  "text_unlimited": "Y", "is_unlimited_plan": "N", "display_name": "Family 10",
  "display_description": "Share it", "display_features_description": ["10GB data", "Unlimited text"],
  "display_price": "$15.75/mo", "display_sequence": "2", "is_prepaid_postpaid": "PREPAID",
  "enrollment_type": "NON_LIFELINE", "is_familyplan": "Y", "max_lines": "5",
  "additional_line_price": "10.50", "activation_fee": "0.99", "plan_expiry_days": "30",
  "plan_expiry_type": "DAYS", "is_tax_included": "Y", "is_regulatory_fee_applicable": "Y",
  "offer_type": "PROMO", "plan_discount_details": ["$5 off with autopay"], "autopay_discount": "Y",
  "zip_codes": ["98103"]
}`

// runCLI runs the real allot command on the bss's database.
func (b *bss) runCLI(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	deps := command.Deps(os.Getenv, wire.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Hasher: secret.NewTestHasher()})
	deps.Stdout, deps.Stderr = &out, &out
	code := cli.Run(context.Background(), deps, append([]string{"allot", args[0], args[1], "--db", "sqlite:" + b.db}, args[2:]...))
	return code, out.String()
}

// TestImportedPlanOverPlanList imports a plan file through the CLI and
// reads it back with plan_list over HTTP: every documented plan field
// comes back with the file's value and the export's JSON type, and the
// filters narrow the list as the export describes.
func TestImportedPlanOverPlanList(t *testing.T) {
	b := newBSS(t, 0)
	file := filepath.Join(t.TempDir(), "plans.json")
	if err := os.WriteFile(file, []byte("["+importedPlan+"]"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out := b.runCLI(t, "plan", "import", "--org", "ACME", file); code != 0 || out != "imported 1 plan: 1 added, 0 updated\n" {
		t.Fatalf("plan import: exit %d: %s", code, out)
	}

	// 98104 is served, but plan 606 is not sold there (its zip_codes).
	if code, out := b.runCLI(t, "zip", "add", "--org", "ACME", "--zip", "98104", "--city", "SEATTLE", "--state", "WA"); code != 0 {
		t.Fatalf("zip add: exit %d: %s", code, out)
	}
	tok := b.authenticate(t)
	r := b.call(t, "POST", "/plan", tok, `{"action":"plan_list","plan_id":"606","zip_code":"98103","enrollment_type":"NON_LIFELINE","is_family_plan":"Y","carrier":"BLUECONNECTSATT","agent_id":"ewebsiteapi","source":"WEBSITE"}`)
	var got []map[string]any
	if err := json.Unmarshal(r.Data, &got); err != nil || r.MsgCode != "RESTAPI000" || len(got) != 1 {
		t.Fatalf("plan_list: %s", r.raw)
	}
	var want map[string]any
	if err := json.Unmarshal([]byte(importedPlan), &want); err != nil {
		t.Fatal(err)
	}
	for _, name := range enrollment.PlanFieldNames() {
		if _, ok := want[name]; !ok {
			t.Errorf("the test file lacks %s", name)
		}
	}
	for name, v := range want {
		g, ok := got[0][name]
		if !ok {
			t.Errorf("plan_list lacks %s", name)
			continue
		}
		gb, _ := json.Marshal(g)
		wb, _ := json.Marshal(v)
		if !bytes.Equal(gb, wb) {
			t.Errorf("%s = %s, want %s", name, gb, wb)
		}
	}
	if len(got[0]) != len(want) {
		t.Errorf("plan_list has %d fields, the file %d", len(got[0]), len(want))
	}

	// Filters: the other plan (1828, no carriers, not a family plan) is
	// listed without them; a family filter or a zip outside 606's leaves
	// one; nothing matching is the vendor's "Plans not found".
	ids := func(body string) []string {
		r = b.call(t, "POST", "/plan", r.token(t), body)
		var ps []struct {
			ID string `json:"plan_id"`
		}
		_ = json.Unmarshal(r.Data, &ps)
		var out []string
		for _, p := range ps {
			out = append(out, p.ID)
		}
		if r.MsgCode != "RESTAPI000" {
			return []string{r.MsgCode + " " + strings.Join(r.Errors, "|")}
		}
		return out
	}
	const call = `{"action":"plan_list","agent_id":"ewebsiteapi","source":"WEBSITE"`
	for _, tc := range []struct {
		body string
		want []string
	}{
		{call + `}`, []string{"1828", "606"}},
		{call + `,"is_family_plan":"Y"}`, []string{"606"}},
		{call + `,"is_family_plan":"N"}`, []string{"1828"}},
		{call + `,"zip_code":"98104"}`, []string{"1828"}},
		{call + `,"carrier":"TMB"}`, []string{"1828", "606"}},
		{call + `,"carrier":"HELIX","is_family_plan":"Y"}`, []string{"RESTAPI110 Plans not found"}},
		{call + `,"is_family_plan":"maybe"}`, []string{"RESTAPI110 is_family_plan should be Y, N or BOTH"}},
	} {
		if got := ids(tc.body); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.body, got, tc.want)
		}
	}

	// A carrier not in the catalogue fails the whole file, at its row.
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("plan_id,plan_name,plan_price,carrier\n700,A,1,TMB\n701,B,2,TMB|NOSUCH\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out := b.runCLI(t, "plan", "import", "--org", "ACME", bad)
	if code != 2 || out != "allot: "+bad+":3: carrier NOSUCH is not one of the organisation's carriers (allot carrier list)\n" {
		t.Errorf("unknown carrier: exit %d: %s", code, out)
	}
	if got := ids(call + `,"plan_id":"700"}`); !slices.Equal(got, []string{"RESTAPI110 Plans not found"}) {
		t.Errorf("a failed import wrote plan 700: %v", got)
	}

	// Re-importing the plan updates it.
	changed := strings.Replace(importedPlan, `"plan_price": "15.75"`, `"plan_price": "16.00"`, 1)
	if err := os.WriteFile(file, []byte("["+changed+"]"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out := b.runCLI(t, "plan", "import", "--org", "ACME", file); code != 0 || out != "imported 1 plan: 0 added, 1 updated\n" {
		t.Fatalf("second import: exit %d: %s", code, out)
	}
	r = b.call(t, "POST", "/plan", r.token(t), call+`,"plan_id":"606"}`)
	if !strings.Contains(string(r.Data), `"plan_price":"16.00"`) {
		t.Errorf("re-imported plan: %s", r.raw)
	}
}

// TestLineCarrierCatalogue: a line's carrier is checked against the
// organisation's carriers: the vendor's long codes are accepted (the seed
// catalogue has them), an unknown code is refused naming the field, and a
// code added with `allot carrier add` is accepted at once.
func TestLineCarrierCatalogue(t *testing.T) {
	b := newBSS(t, 0)
	tok := b.authenticate(t)
	create := func(carrier string) reply {
		t.Helper()
		e1, tok2 := b.enrollmentID(t, tok)
		e2, tok3 := b.enrollmentID(t, tok2)
		body := strings.ReplaceAll(sampleWith(t, e1, e2), `"carrier": "TMB"`, `"carrier": "`+carrier+`"`)
		if !strings.Contains(body, carrier) {
			t.Fatal("the sample request has no carrier to replace")
		}
		r := b.call(t, "POST", "/customer", tok3, body)
		tok = r.token(t)
		return r
	}
	for _, c := range []string{"BLUECONNECTSATT", "BLUECONNECTS", "telgooatt"} {
		if r := create(c); r.MsgCode != "RESTAPI000" {
			t.Errorf("carrier %s: %s", c, r.raw)
		}
	}
	r := create("NOSUCHCARRIER")
	want := []string{"Line 1: Carrier NOSUCHCARRIER is not one of the organisation's carriers",
		"Line 2: Carrier NOSUCHCARRIER is not one of the organisation's carriers"}
	if r.MsgCode != "RESTAPI010" || !slices.Equal(r.Errors, want) {
		t.Errorf("unknown carrier: %s", r.raw)
	}
	if code, out := b.runCLI(t, "carrier", "add", "--org", "ACME", "--name", "No Such", "NOSUCHCARRIER"); code != 0 {
		t.Fatalf("carrier add: %d %s", code, out)
	}
	if r := create("NOSUCHCARRIER"); r.MsgCode != "RESTAPI000" {
		t.Errorf("added carrier: %s", r.raw)
	}
	code, out := b.runCLI(t, "carrier", "list", "--org", "ACME")
	if code != 0 || !strings.Contains(out, "NOSUCHCARRIER    No Such") || !strings.Contains(out, "BLUECONNECTSATT") {
		t.Errorf("carrier list: %d\n%s", code, out)
	}
}
