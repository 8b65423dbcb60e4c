package enrollment_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
)

func TestParseMoney(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"15.75", "15.75", true},
		{"25", "25.00", true},
		{"25.5", "25.50", true},
		{" 0.05 ", "0.05", true},
		{"007.10", "7.10", true},
		{"0", "0.00", true},
		{"999999999.99", "999999999.99", true},
		{"1000000000", "", false}, // ten digits
		{"15.755", "", false},
		{"-1.00", "", false},
		{"+1.00", "", false},
		{"1e3", "", false},
		{"1,000.00", "", false},
		{".75", "", false},
		{"25.", "", false},
		{"", "", false},
		{"abc", "", false},
	} {
		m, ok := enrollment.ParseMoney(tc.in)
		if ok != tc.ok || (ok && m.String() != tc.want) {
			t.Errorf("ParseMoney(%q) = %v, %v; want %q, %v", tc.in, m, ok, tc.want, tc.ok)
		}
	}
	// Exact: 0.10 + 0.20 is 0.30 to the cent, which float64 would miss.
	a, _ := enrollment.ParseMoney("0.10")
	b, _ := enrollment.ParseMoney("0.20")
	if sum, ok := enrollment.MoneyFromCents(a.Cents() + b.Cents()); !ok || sum.String() != "0.30" {
		t.Errorf("0.10 + 0.20 = %v", sum)
	}
	if _, ok := enrollment.MoneyFromCents(-1); ok {
		t.Error("negative cents accepted")
	}
}

// row builds import values from name/value pairs; a value containing a
// newline is a list (split at it), as a JSON array would be.
func row(kv ...string) map[string]enrollment.PlanValue {
	m := map[string]enrollment.PlanValue{}
	for i := 0; i+1 < len(kv); i += 2 {
		if strings.Contains(kv[i+1], "\n") {
			m[kv[i]] = enrollment.PlanValue{IsList: true, List: strings.Split(strings.Trim(kv[i+1], "\n"), "\n")}
			continue
		}
		m[kv[i]] = enrollment.PlanValue{Text: kv[i+1]}
	}
	return m
}

func field(p enrollment.Plan, name string) enrollment.PlanField {
	for _, f := range p.Fields() {
		if f.Name == name {
			return f
		}
	}
	return enrollment.PlanField{Name: "missing " + name}
}

func TestParsePlanDefaults(t *testing.T) {
	p, err := enrollment.ParsePlan(row("plan_id", " 1828 ", "plan_name", "Unlimited 30", "plan_price", "15.75"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"plan_id": "1828", "plan_name": "Unlimited 30", "plan_price": "15.75", "total_plan_price": "15.75",
		"data": "0", "data_unlimited": "N", "is_familyplan": "N", "is_prepaid_postpaid": "PREPAID",
		"enrollment_type": "NON_LIFELINE", "plan_expiry_days": "30", "plan_expiry_type": "DAYS",
		"activation_fee": "0.00", "max_lines": "0", "display_name": "",
	}
	for name, v := range want {
		if f := field(p, name); f.Text != v || f.IsList {
			t.Errorf("%s = %+v, want %q", name, f, v)
		}
	}
	if f := field(p, "carrier"); !f.IsList || f.List == nil || len(f.List) != 0 {
		t.Errorf("carrier = %+v, want an empty list", f)
	}
	if !p.Active {
		t.Error("a parsed plan is active")
	}
	if got := len(p.Fields()); got != len(enrollment.PlanFieldNames()) {
		t.Errorf("Fields has %d entries, names %d", got, len(enrollment.PlanFieldNames()))
	}
}

func TestParsePlanEveryField(t *testing.T) {
	p, err := enrollment.ParsePlan(row(
		"plan_id", "606", "plan_name", "Family 10GB", "plan_price", "30", "total_plan_price", "33.45",
		"plan_description", "Ten gigabytes", "plan_code", "fam-10", "carrier", "tmb|BlueConnectsATT|TMB|",
		"data", "10240", "talk", "1000", "text", "0", "data_unlimited", "n", "minute_unlimited", "Y",
		"text_unlimited", "true", "is_unlimited_plan", "N", "display_name", "Family 10", "display_description", "Share it",
		"display_features_description", "10GB data\nUnlimited text\n", "display_price", "$30/mo", "display_sequence", "2",
		"is_prepaid_postpaid", "postpaid", "enrollment_type", "lifeline", "is_familyplan", "Y", "max_lines", "5",
		"additional_line_price", "10.5", "activation_fee", "0.99", "plan_expiry_days", "28", "plan_expiry_type", "days",
		"is_tax_included", "Y", "is_regulatory_fee_applicable", "yes", "offer_type", "promo", "plan_discount_details", "5 off",
		"autopay_discount", "Y", "zip_codes", "98103|98104",
	))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Carriers, []string{"TMB", "BLUECONNECTSATT"}) {
		t.Errorf("carriers %v", p.Carriers)
	}
	if p.TotalPrice.Cents() != 3345 || p.AdditionalLinePrice.String() != "10.50" || p.ActivationFee.Cents() != 99 {
		t.Errorf("money %v %v %v", p.TotalPrice, p.AdditionalLinePrice, p.ActivationFee)
	}
	if p.Data != (enrollment.Allowance{Amount: 10240}) || p.Talk != (enrollment.Allowance{Amount: 1000, Unlimited: true}) || !p.Text.Unlimited {
		t.Errorf("allowances %+v %+v %+v", p.Data, p.Talk, p.Text)
	}
	if p.Billing != enrollment.BillingPostpaid || p.EnrollmentType != enrollment.PlanLifeline || !p.Family || p.MaxLines != 5 ||
		p.ExpiryDays != 28 || p.ExpiryType != "DAYS" || !p.TaxIncluded || !p.RegulatoryFeeApplicable || p.OfferType != "PROMO" ||
		!p.AutopayDiscount || p.Code != "FAM-10" || p.DisplaySequence != 2 {
		t.Errorf("plan %+v", p)
	}
	if !slices.Equal(p.DisplayFeatures, []string{"10GB data", "Unlimited text"}) || !slices.Equal(p.ZipCodes, []string{"98103", "98104"}) ||
		!slices.Equal(p.DiscountDetails, []string{"5 off"}) {
		t.Errorf("lists %v %v %v", p.DisplayFeatures, p.ZipCodes, p.DiscountDetails)
	}
	// What Fields shows parses back to the same plan.
	back := map[string]enrollment.PlanValue{}
	for _, f := range p.Fields() {
		back[f.Name] = enrollment.PlanValue{Text: f.Text, List: f.List, IsList: f.IsList}
	}
	q, err := enrollment.ParsePlan(back)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(p.Fields(), q.Fields(), func(a, b enrollment.PlanField) bool {
		return a.Name == b.Name && a.Text == b.Text && slices.Equal(a.List, b.List)
	}) {
		t.Errorf("round trip:\n%+v\n%+v", p.Fields(), q.Fields())
	}
}

func TestParsePlanRules(t *testing.T) {
	base := func(kv ...string) map[string]enrollment.PlanValue {
		return row(append([]string{"plan_id", "1", "plan_name", "P", "plan_price", "1.00"}, kv...)...)
	}
	for _, tc := range []struct {
		name   string
		values map[string]enrollment.PlanValue
		field  string
		rule   string
		msg    string
	}{
		{"plan id letters", row("plan_id", "18a", "plan_name", "P", "plan_price", "1"), "plan_id", enrollment.RulePattern, "plan_id should be 1 to 20 digits"},
		{"plan id too long", row("plan_id", strings.Repeat("1", 21), "plan_name", "P", "plan_price", "1"), "plan_id", enrollment.RulePattern, ""},
		{"plan id missing", row("plan_name", "P", "plan_price", "1"), "plan_id", enrollment.RuleRequired, "plan_id is required"},
		{"name missing", row("plan_id", "1", "plan_name", " ", "plan_price", "1"), "plan_name", enrollment.RuleRequired, "plan_name is required"},
		{"name too long", row("plan_id", "1", "plan_name", strings.Repeat("n", 101), "plan_price", "1"), "plan_name", enrollment.RulePattern, ""},
		{"price three decimals", row("plan_id", "1", "plan_name", "P", "plan_price", "1.005"), "plan_price", enrollment.RulePattern,
			"plan_price should be a non-negative amount with at most two decimals, e.g. 15.75"},
		{"price negative", base("total_plan_price", "-3"), "total_plan_price", enrollment.RulePattern, ""},
		{"fee float form", base("activation_fee", "1e2"), "activation_fee", enrollment.RulePattern, ""},
		{"data negative", base("data", "-1"), "data", enrollment.RulePattern, "data should be a whole number of megabytes from 0 to 999999999"},
		{"talk decimal", base("talk", "1.5"), "talk", enrollment.RulePattern, ""},
		{"flag", base("is_familyplan", "maybe"), "is_familyplan", enrollment.RuleEnum, "is_familyplan should be Y or N"},
		{"billing", base("is_prepaid_postpaid", "BOTH"), "is_prepaid_postpaid", enrollment.RulePattern, "is_prepaid_postpaid should be one of PREPAID, POSTPAID"},
		{"enrollment type", base("enrollment_type", "PREPAID"), "enrollment_type", enrollment.RulePattern, ""},
		{"carrier too long", base("carrier", strings.Repeat("A", 33)), "carrier", enrollment.RulePattern,
			"carrier should be a list of at most 50 carrier codes (2 to 32 letters and digits)"},
		{"carrier dash", base("carrier", "T-MOBILE"), "carrier", enrollment.RulePattern, ""},
		{"zip codes", base("zip_codes", "9810"), "zip_codes", enrollment.RulePattern, ""},
		{"list for a text", base("plan_code", "A\nB"), "plan_code", enrollment.RuleType, "plan_code should be a text, not a list"},
		{"code pattern", base("plan_code", "a b"), "plan_code", enrollment.RulePattern, ""},
		{"control character", base("display_name", "a\tb"), "display_name", enrollment.RulePattern, ""},
		{"unknown field", base("plan_prise", "1"), "plan_prise", enrollment.RuleUnknownField, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := enrollment.ParsePlan(tc.values)
			fe, ok := fault.As(err)
			if !ok || fe.Code != fault.Invalid || len(fe.Violations) != 1 {
				t.Fatalf("err = %v, want one violation", err)
			}
			v := fe.Violations[0]
			if v.Field != tc.field || v.Rule != tc.rule || (tc.msg != "" && v.Message != tc.msg) {
				t.Fatalf("violation %+v, want %s %s %q", v, tc.field, tc.rule, tc.msg)
			}
		})
	}
	// Every bad field at once.
	_, err := enrollment.ParsePlan(row("plan_id", "x", "plan_price", "y", "data", "z"))
	if fe, _ := fault.As(err); fe == nil || len(fe.Violations) != 4 {
		t.Fatalf("err = %v, want 4 violations", err)
	}
}

func TestNewPlanKeepsItsRules(t *testing.T) {
	p, err := enrollment.NewPlan("1828", "Unlimited", "25")
	if err != nil || p.ID != "1828" || p.Price.String() != "25.00" || !p.Active {
		t.Fatalf("NewPlan = %+v, %v", p, err)
	}
	_, err = enrollment.NewPlan("", "", "25.001")
	if fe, _ := fault.As(err); fe == nil || len(fe.Violations) != 3 {
		t.Fatalf("err = %v, want 3 violations", err)
	}
}

func TestParsePlanRows(t *testing.T) {
	good := func(id string) map[string]enrollment.PlanValue {
		return row("plan_id", id, "plan_name", "P"+id, "plan_price", "1")
	}
	plans, err := enrollment.ParsePlanRows([]enrollment.PlanRow{{Where: "line 2", Line: 2, Values: good("1")}, {Where: "line 3", Line: 3, Values: good("2")}})
	if err != nil || len(plans) != 2 || plans[1].ID != "2" {
		t.Fatalf("ParsePlanRows = %v, %v", plans, err)
	}
	bad := row("plan_id", "3", "plan_name", "P", "plan_price", "x")
	_, err = enrollment.ParsePlanRows([]enrollment.PlanRow{
		{Where: "line 2", Line: 2, Values: good("1")},
		{Where: "line 3", Line: 3, Values: bad},
		{Where: "line 4", Line: 4, Values: good("1")},
	})
	fe, ok := fault.As(err)
	if !ok || len(fe.Violations) != 2 {
		t.Fatalf("err = %v, want 2 violations", err)
	}
	if v := fe.Violations[0]; v.Line != 3 || v.Field != "plan_price" || !strings.HasPrefix(v.Message, "line 3: plan_price should be") {
		t.Errorf("first violation %+v", v)
	}
	if v := fe.Violations[1]; v.Line != 4 || v.Field != "plan_id" || v.Rule != enrollment.RuleDuplicate || v.Message != "line 4: plan_id 1 is already given at line 2" {
		t.Errorf("second violation %+v", v)
	}
	if _, err := enrollment.ParsePlanRows(nil); fault.CodeOf(err) != fault.Invalid {
		t.Errorf("no rows: %v", err)
	}
}

func TestNewPlanFilter(t *testing.T) {
	f, err := enrollment.NewPlanFilter(" 98103 ", "non_lifeline", " 606 ", "tmb", "")
	if err != nil || f != (enrollment.PlanFilter{ZipCode: "98103", EnrollmentType: "NON_LIFELINE", PlanID: "606", Carrier: "TMB", IsFamilyPlan: "BOTH"}) {
		t.Fatalf("NewPlanFilter = %+v, %v", f, err)
	}
	_, err = enrollment.NewPlanFilter("", "", "", "T-MOBILE", "maybe")
	fe, _ := fault.As(err)
	if fe == nil || len(fe.Violations) != 2 || fe.Violations[0].Field != "carrier" || fe.Violations[1].Field != "is_family_plan" ||
		fe.Violations[1].Message != "is_family_plan should be Y, N or BOTH" {
		t.Fatalf("err = %+v", err)
	}
}

func TestFilterPlans(t *testing.T) {
	mk := func(id string, edit func(p *enrollment.Plan)) enrollment.Plan {
		p, err := enrollment.NewPlan(id, "Plan "+id, "10")
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			edit(&p)
		}
		return p
	}
	plans := []enrollment.Plan{
		mk("1", nil),
		mk("2", func(p *enrollment.Plan) { p.Family = true; p.Carriers = []string{"TMB", "ATT"} }),
		mk("3", func(p *enrollment.Plan) { p.ZipCodes = []string{"98103"}; p.Carriers = []string{"BLUECONNECTSATT"} }),
		mk("4", func(p *enrollment.Plan) { p.EnrollmentType = enrollment.PlanLifeline }),
		mk("5", func(p *enrollment.Plan) { p.Active = false }),
	}
	for _, tc := range []struct {
		name string
		f    enrollment.PlanFilter
		want []string
	}{
		{"none: active only", enrollment.PlanFilter{}, []string{"1", "2", "3", "4"}},
		{"plan id", enrollment.PlanFilter{PlanID: "2"}, []string{"2"}},
		{"inactive plan id", enrollment.PlanFilter{PlanID: "5"}, nil},
		{"zip: unrestricted plans and the zip's", enrollment.PlanFilter{ZipCode: "98103"}, []string{"1", "2", "3", "4"}},
		{"other zip", enrollment.PlanFilter{ZipCode: "10001"}, []string{"1", "2", "4"}},
		{"enrollment type", enrollment.PlanFilter{EnrollmentType: "NON_LIFELINE"}, []string{"1", "2", "3"}},
		{"lifeline", enrollment.PlanFilter{EnrollmentType: "LIFELINE"}, []string{"4"}},
		{"carrier", enrollment.PlanFilter{Carrier: "ATT"}, []string{"1", "2", "4"}},
		{"long carrier", enrollment.PlanFilter{Carrier: "BLUECONNECTSATT"}, []string{"1", "3", "4"}},
		{"family only", enrollment.PlanFilter{IsFamilyPlan: "Y"}, []string{"2"}},
		{"not family", enrollment.PlanFilter{IsFamilyPlan: "N"}, []string{"1", "3", "4"}},
		{"both", enrollment.PlanFilter{IsFamilyPlan: "BOTH"}, []string{"1", "2", "3", "4"}},
		{"combined", enrollment.PlanFilter{ZipCode: "10001", Carrier: "TMB", IsFamilyPlan: "Y", EnrollmentType: "NON_LIFELINE"}, []string{"2"}},
		{"nothing matches", enrollment.PlanFilter{Carrier: "HELIX", IsFamilyPlan: "Y"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := enrollment.FilterPlans(plans, tc.f)
			if tc.want == nil {
				if fault.CodeOf(err) != fault.NotFound || fault.ReasonOf(err) != enrollment.ReasonPlansNotFound || err.(*fault.Error).Message != "Plans not found" {
					t.Fatalf("err = %v, want Plans not found", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ids := []string{}
			for _, p := range got {
				ids = append(ids, p.ID)
			}
			if !slices.Equal(ids, tc.want) {
				t.Fatalf("FilterPlans = %v, want %v", ids, tc.want)
			}
		})
	}
}

func TestCarriers(t *testing.T) {
	seed := enrollment.SeedCarriers()
	codes := []string{}
	for _, c := range seed {
		if _, err := enrollment.NewCarrier(c.Code, c.Name); err != nil {
			t.Errorf("seed carrier %s: %v", c.Code, err)
		}
		codes = append(codes, c.Code)
	}
	if want := []string{"TMB", "ATT", "VERIZON", "TELGOOATT", "HELIX", "BLUECONNECTS", "BLUECONNECTSATT", "SPR"}; !slices.Equal(codes, want) {
		t.Errorf("seed %v, want %v", codes, want)
	}
	seed[0].Code = "changed"
	if enrollment.SeedCarriers()[0].Code != "TMB" {
		t.Error("SeedCarriers shares its array")
	}
	for _, tc := range []struct {
		code, name, want string
		ok               bool
	}{
		{" blueconnectsatt ", "", "BLUECONNECTSATT", true},
		{strings.Repeat("x", 32), "X", strings.Repeat("X", 32), true},
		{strings.Repeat("x", 33), "", "", false},
		{"T", "", "", false},
		{"T-MOBILE", "", "", false},
		{"TMB", strings.Repeat("n", 101), "", false},
	} {
		c, err := enrollment.NewCarrier(tc.code, tc.name)
		if (err == nil) != tc.ok || (tc.ok && c.Code != tc.want) {
			t.Errorf("NewCarrier(%q, %q) = %+v, %v", tc.code, tc.name, c, err)
		}
	}
	_, err := enrollment.ParseCarrierCode("T-MOBILE")
	if fe, _ := fault.As(err); fe == nil || fe.Violations[0].Field != "code" || fe.Message != `carrier code "T-MOBILE" should be 2 to 32 letters and digits` {
		t.Errorf("ParseCarrierCode: %v", err)
	}
}

func TestParsePlanEmptyIsAbsent(t *testing.T) {
	// A CSV row leaves cells blank: each takes its default.
	p, err := enrollment.ParsePlan(row("plan_id", "1", "plan_name", "P", "plan_price", "9.99", "total_plan_price", "",
		"plan_expiry_days", " ", "carrier", "", "is_familyplan", "", "data", ""))
	if err != nil {
		t.Fatal(err)
	}
	if p.TotalPrice.String() != "9.99" || p.ExpiryDays != 30 || p.Carriers != nil || p.Family || p.Data.Amount != 0 {
		t.Fatalf("plan %+v", p)
	}
}

func TestCheckPlanFieldNames(t *testing.T) {
	if err := enrollment.CheckPlanFieldNames(enrollment.PlanFieldNames()); err != nil {
		t.Fatal(err)
	}
	err := enrollment.CheckPlanFieldNames([]string{"plan_id", "plan_name", "plan_id", "plan_prise"})
	fe, _ := fault.As(err)
	if fe == nil || len(fe.Violations) != 3 {
		t.Fatalf("err = %v", err)
	}
	if got := []string{fe.Violations[0].Rule, fe.Violations[1].Rule, fe.Violations[2].Rule}; !slices.Equal(got,
		[]string{enrollment.RuleDuplicate, enrollment.RuleUnknownField, enrollment.RuleRequired}) {
		t.Fatalf("rules %v (%v)", got, err)
	}
}

// TestPlanIDOneRule: every plan id a plan may carry is one a line, a quote
// and a plan_list filter accept, and the other way round (issue 12: plan add
// took 19-20 digits that a line then refused).
func TestPlanIDOneRule(t *testing.T) {
	for _, tc := range []struct {
		id string
		ok bool
	}{{"1", true}, {"1828", true}, {strings.Repeat("9", 20), true}, {strings.Repeat("9", 21), false}, {"", false}, {"12a", false}, {"-1", false}} {
		if got := enrollment.ValidPlanID(tc.id); got != tc.ok {
			t.Errorf("ValidPlanID(%q) = %v, want %v", tc.id, got, tc.ok)
		}
		_, planErr := enrollment.ParsePlan(map[string]enrollment.PlanValue{"plan_id": {Text: tc.id}, "plan_name": {Text: "P"}, "plan_price": {Text: "1.00"}})
		if (planErr == nil) != tc.ok {
			t.Errorf("ParsePlan with plan_id %q: %v, want ok=%v", tc.id, planErr, tc.ok)
		}
	}
}
