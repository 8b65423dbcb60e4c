package cli

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/enrollment"
)

func planOf(t *testing.T, h *harness, id string) enrollment.Plan {
	t.Helper()
	for _, p := range h.w.enroll.plans[1] {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("no plan %s", id)
	return enrollment.Plan{}
}

const goodPlansJSON = `[
  {"plan_id": "1828", "plan_name": "Unlimited 30", "plan_price": "15.75", "total_plan_price": "17.31",
   "carrier": ["TMB", "BLUECONNECTSATT"], "data": "10240", "talk": "0", "text": "0", "data_unlimited": "N",
   "minute_unlimited": "Y", "text_unlimited": "Y", "is_unlimited_plan": "N", "display_name": "Unlimited",
   "display_features_description": ["Unlimited talk", "10GB data"], "is_prepaid_postpaid": "PREPAID",
   "is_familyplan": "N", "plan_expiry_days": "30", "plan_expiry_type": "DAYS", "is_tax_included": "Y",
   "is_regulatory_fee_applicable": "N", "offer_type": "", "plan_code": null},
  {"plan_id": 2002, "plan_name": "Family", "plan_price": 30, "is_familyplan": "Y", "max_lines": "5", "carrier": "ATT"}
]`

func TestPlanImportJSON(t *testing.T) {
	cleanEnv(t)
	h := newHarness()
	path := writeFile(t, "plans.json", goodPlansJSON)
	r := h.run(t, "plan", "import", "--org", "ACME", path)
	if r.code != 0 || r.stderr != "" || r.stdout != "imported 2 plans: 1 added, 1 updated\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	p := planOf(t, h, "1828") // re-imported: replaced
	if p.Name != "Unlimited 30" || p.Price.String() != "15.75" || p.TotalPrice.String() != "17.31" ||
		!slices.Equal(p.Carriers, []string{"TMB", "BLUECONNECTSATT"}) || p.Data.Amount != 10240 || !p.Talk.Unlimited ||
		!slices.Equal(p.DisplayFeatures, []string{"Unlimited talk", "10GB data"}) || !p.TaxIncluded {
		t.Errorf("imported plan %+v", p)
	}
	q := planOf(t, h, "2002") // numbers taken as their literal
	if q.Price.String() != "30.00" || !q.Family || q.MaxLines != 5 || !slices.Equal(q.Carriers, []string{"ATT"}) {
		t.Errorf("imported plan %+v", q)
	}
	r = h.run(t, "plan", "import", "--org", "ACME", "--json", path)
	if r.code != 0 || r.stdout != "{\n  \"added\": 0,\n  \"updated\": 2\n}\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestPlanImportCSV(t *testing.T) {
	cleanEnv(t)
	h := newHarness()
	path := writeFile(t, "plans.csv", "\xef\xbb\xbfplan_id, plan_name,plan_price,carrier,display_features_description,is_familyplan,plan_expiry_days\n"+
		"3001,Talk 5,5,TMB|ATT,\"Talk, text|Hotspot\",N,\n"+
		"3002,\"Family, shared\",40.5,,,Y,28\n")
	r := h.run(t, "plan", "import", "--org", "ACME", path)
	if r.code != 0 || r.stderr != "" || r.stdout != "imported 2 plans: 2 added, 0 updated\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	a, b := planOf(t, h, "3001"), planOf(t, h, "3002")
	if !slices.Equal(a.Carriers, []string{"TMB", "ATT"}) || !slices.Equal(a.DisplayFeatures, []string{"Talk, text", "Hotspot"}) ||
		a.ExpiryDays != 30 || a.Price.String() != "5.00" {
		t.Errorf("plan 3001 %+v", a)
	}
	if b.Name != "Family, shared" || !b.Family || b.ExpiryDays != 28 || b.Price.String() != "40.50" || b.Carriers != nil {
		t.Errorf("plan 3002 %+v", b)
	}
}

// TestPlanImportBadRows: every bad row is reported with its file, line (or
// array index), field and rule, and nothing is imported.
func TestPlanImportBadRows(t *testing.T) {
	for _, tc := range []struct {
		name, file, content string
		stderr              string
	}{
		{"csv bad price and carrier", "plans.csv",
			"plan_id,plan_name,plan_price,carrier\n4001,Good,1.00,TMB\n4002,Bad,1.005,T-MOBILE\n4003,,2,\n",
			"allot: plans.csv:3: plan_price should be a non-negative amount with at most two decimals, e.g. 15.75\n" +
				"allot: plans.csv:3: carrier should be a list of at most 50 carrier codes (2 to 32 letters and digits)\n" +
				"allot: plans.csv:4: plan_name is required\n"},
		{"csv cell count", "plans.csv", "plan_id,plan_name,plan_price\n4001,Good,1.00\n4002,Short\n",
			"allot: plans.csv:3: want 3 cells, one per header field, got 2\n"},
		{"csv header", "plans.csv", "plan_id,plan_name,plan_prise\n4001,Good,1.00\n",
			"allot: plans.csv:1: header: \"plan_prise\" is not a plan field; the fields are " + strings.Join(enrollment.PlanFieldNames(), ", ") + "\n" +
				"allot: plans.csv:1: header: plan_price is required\n"},
		{"json index", "plans.json",
			`[{"plan_id":"4001","plan_name":"Good","plan_price":"1"},{"plan_id":"4002","plan_name":"Bad","plan_price":"1","is_familyplan":"maybe"}]`,
			"allot: plans.json[1]: is_familyplan should be Y or N\n"},
		{"json duplicate id", "plans.json",
			`[{"plan_id":"4001","plan_name":"A","plan_price":"1"},{"plan_id":"4001","plan_name":"B","plan_price":"1"}]`,
			"allot: plans.json[1]: plan_id 4001 is already given at plans.json[0]\n"},
		{"json object value", "plans.json", `[{"plan_id":"4001","plan_name":"A","plan_price":{"amount":1}}]`,
			"allot: plans.json[0]: plan_price should be a string or a list of strings\n"},
		{"json not an array of objects", "plans.json", `[1]`, "allot: plans.json[0]: should be an object of plan fields\n"},
		{"empty csv", "plans.csv", "", "allot: plans.csv is empty; its first line must be a header of plan field names, e.g. plan_id,plan_name,plan_price\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cleanEnv(t)
			h := newHarness()
			before := slices.Clone(h.w.enroll.plans[1])
			path := writeFile(t, tc.file, tc.content)
			r := h.run(t, "plan", "import", "--org", "ACME", path)
			want := strings.ReplaceAll(tc.stderr, tc.file, path)
			if r.code != 2 || r.stdout != "" || r.stderr != want {
				t.Fatalf("exit %d, stdout %q, stderr:\n%s\nwant exit 2, stderr:\n%s", r.code, r.stdout, r.stderr, want)
			}
			// All or nothing: the good row before the bad one is not there.
			if got := h.w.enroll.plans[1]; len(got) != len(before) {
				t.Fatalf("plans after a failed import: %d, want %d", len(got), len(before))
			}
		})
	}
	cleanEnv(t)
	r := newHarness().run(t, "plan", "import", "--org", "ACME", filepath.Join(t.TempDir(), "missing.csv"))
	if r.code != 3 || !strings.Contains(r.stderr, "cannot read") {
		t.Errorf("missing file: exit %d, %q", r.code, r.stderr)
	}
}

// TestPlanAddCommonFields: `plan add` stores the flags it has as the
// vendor's fields.
func TestPlanAddCommonFields(t *testing.T) {
	cleanEnv(t)
	h := newHarness()
	r := h.run(t, "plan", "add", "--org", "ACME", "--id", "2001", "--name", "Family", "--price", "30",
		"--total-price", "33.45", "--carrier", "tmb,BLUECONNECTSATT", "--carrier", "ATT", "--data", "10240", "--talk-unlimited",
		"--family", "--max-lines", "5", "--activation-fee", "0.99", "--expiry-days", "28", "--billing", "postpaid", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d, %s", r.code, r.stderr)
	}
	p := planOf(t, h, "2001")
	if p.TotalPrice.String() != "33.45" || !slices.Equal(p.Carriers, []string{"TMB", "BLUECONNECTSATT", "ATT"}) ||
		p.Data.Amount != 10240 || !p.Talk.Unlimited || p.Text.Unlimited || !p.Family || p.MaxLines != 5 ||
		p.ActivationFee.String() != "0.99" || p.ExpiryDays != 28 || p.Billing != "POSTPAID" {
		t.Errorf("plan %+v", p)
	}
	var out struct {
		ID, Price string
		Fields    map[string]any
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	if out.ID != "2001" || out.Price != "30.00" || out.Fields["total_plan_price"] != "33.45" || out.Fields["minute_unlimited"] != "Y" ||
		len(out.Fields) != len(enrollment.PlanFieldNames()) {
		t.Errorf("json %s", r.stdout)
	}
	r = h.run(t, "plan", "add", "--org", "ACME", "--id", "2002", "--name", "X", "--price", "1", "--data", "lots")
	if r.code != 2 || r.stderr != "allot: data should be a whole number of megabytes from 0 to 999999999\n" {
		t.Errorf("exit %d, %q", r.code, r.stderr)
	}
}

func TestCarrierErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"too long", []string{"carrier", "add", "--org", "ACME", strings.Repeat("A", 33)}, 2,
			`allot: carrier code "` + strings.Repeat("A", 33) + `" should be 2 to 32 letters and digits` + "\n"},
		{"pattern", []string{"carrier", "add", "--org", "ACME", "T-MOBILE"}, 2, `allot: carrier code "T-MOBILE" should be 2 to 32 letters and digits` + "\n"},
		{"exists", []string{"carrier", "add", "--org", "ACME", "tmb"}, 4, "allot: carrier TMB already exists\n"},
		{"unknown org", []string{"carrier", "list", "--org", "NOPE"}, 3, "allot: organisation NOPE does not exist\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cleanEnv(t)
			r := newHarness().run(t, tc.args...)
			if r.code != tc.code || r.stderr != tc.stderr {
				t.Errorf("exit %d, stderr %q; want %d, %q", r.code, r.stderr, tc.code, tc.stderr)
			}
		})
	}
}
