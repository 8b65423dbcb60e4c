package enrollment

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/allot-io/allot/domain/fault"
)

// Plan is a plan an organisation offers, with every field of the vendor's
// plan export: plan_list returns the active ones and a line's plan_id must
// name one. Build one with ParsePlan (or NewPlan), which applies every rule
// and default; PlanFields names the fields as plan_list and import files
// spell them.
type Plan struct {
	ID          string // plan_id: digits
	Name        string // plan_name
	Price       Money  // plan_price
	TotalPrice  Money  // total_plan_price: what the customer pays; plan_price when not given
	Description string // plan_description
	Code        string // plan_code
	// Carriers are the carrier codes the plan runs on (carrier); none
	// means any carrier of the organisation.
	Carriers []string
	// Data (MB), Talk (minutes) and Text (messages) are the allowances.
	Data, Talk, Text Allowance
	Unlimited        bool // is_unlimited_plan

	DisplayName        string   // display_name
	DisplayDescription string   // display_description
	DisplayFeatures    []string // display_features_description: one text per feature
	DisplayPrice       string   // display_price: free text such as "$15.75/mo"
	DisplaySequence    int64    // display_sequence: the order a storefront shows plans in

	Billing        string // is_prepaid_postpaid: BillingPrepaid or BillingPostpaid
	EnrollmentType string // enrollment_type: the program, PlanNonLifeline or PlanLifeline

	// Family plans (is_familyplan) take several lines on one account:
	// MaxLines of them at most (0: the organisation's limit), each line
	// after the first at AdditionalLinePrice.
	Family              bool
	MaxLines            int64
	AdditionalLinePrice Money
	ActivationFee       Money // activation_fee, charged once per line

	ExpiryDays int64  // plan_expiry_days
	ExpiryType string // plan_expiry_type, e.g. DAYS

	TaxIncluded             bool     // is_tax_included
	RegulatoryFeeApplicable bool     // is_regulatory_fee_applicable
	OfferType               string   // offer_type
	DiscountDetails         []string // plan_discount_details
	AutopayDiscount         bool     // autopay_discount
	// ZipCodes are the zips the plan is sold in (zip_codes); none means
	// the whole service area.
	ZipCodes []string

	Active    bool
	CreatedAt time.Time
}

// Allowance is an amount of data, minutes or messages, or unlimited.
type Allowance struct {
	Amount    int64
	Unlimited bool
}

// Values of Plan.Billing and Plan.EnrollmentType.
const (
	// BillingPrepaid is a prepaid plan (the default).
	BillingPrepaid = "PREPAID"
	// BillingPostpaid is a postpaid plan.
	BillingPostpaid = "POSTPAID"
	// PlanNonLifeline is a plan of the NON_LIFELINE program (the default).
	PlanNonLifeline = "NON_LIFELINE"
	// PlanLifeline is a plan of the LIFELINE program.
	PlanLifeline = "LIFELINE"
)

// Defaults of the plan fields an import row or `plan add` leaves out.
const (
	// DefaultPlanExpiryDays is plan_expiry_days when not given.
	DefaultPlanExpiryDays = 30
	// DefaultPlanExpiryType is plan_expiry_type when not given.
	DefaultPlanExpiryType = "DAYS"
)

// PlanListSeparator separates the items of a list field (carrier,
// display_features_description, plan_discount_details, zip_codes) given as
// one text, as in a CSV cell: "TMB|ATT".
const PlanListSeparator = "|"

// Limits of plan fields.
const (
	// MaxPlanName is the longest plan_name.
	MaxPlanName = 100
	// MaxPlanText is the longest plan_description or display_description.
	MaxPlanText = 1000
	// MaxPlanShortText is the longest display_name, display_price, and
	// feature or discount text.
	MaxPlanShortText = 100
	// MaxPlanListItems is the most items of a list field.
	MaxPlanListItems = 50
	// MaxPlanCount is the largest allowance, sequence, line count or
	// number of expiry days.
	MaxPlanCount = 999999999
	// MaxPlanIDLength is the most digits of a plan_id, as `plan add` always
	// allowed: a plan, a line naming it, a quote and a plan_list filter all
	// use ValidPlanID, so no plan can be stored that a line cannot name.
	MaxPlanIDLength = 20

	maxPlanCodeLength = 50
)

// ValidPlanID reports whether id is a plan id: 1 to MaxPlanIDLength ASCII
// digits.
func ValidPlanID(id string) bool { return id != "" && len(id) <= MaxPlanIDLength && allDigits(id) }

// Reasons and messages of the plan catalogue.
const (
	// ReasonInvalidPlanFilter: a plan_list filter is malformed.
	ReasonInvalidPlanFilter = "INVALID_PLAN_FILTER"
)

// PlanValue is the value of one field of an import row: Text, or, for a
// field a JSON file gives as an array, List with IsList set. A list field
// given as Text is split at PlanListSeparator.
type PlanValue struct {
	Text   string
	List   []string
	IsList bool
}

// PlanField is one field of a plan as plan_list returns it: a text, or a
// list of texts when IsList.
type PlanField struct {
	Name   string
	Text   string
	List   []string
	IsList bool
}

// planKind is how a field is parsed and shown.
type planKind int

const (
	kindText planKind = iota
	kindMoney
	kindCount
	kindFlag
	kindList
)

// planSpec describes one field of the vendor's plan export.
type planSpec struct {
	name string
	kind planKind
	// rule says in words what a value must be; it ends every message.
	rule string
	// text, money, count, flag or list points into the plan, by kind.
	text  func(p *Plan) *string
	money func(p *Plan) *Money
	count func(p *Plan) *int64
	flag  func(p *Plan) *bool
	list  func(p *Plan) *[]string
	// check validates a normalised text or list item; nil accepts any.
	check func(v string) bool
	// norm normalises a text or list item before check.
	norm func(string) string
}

func textSpec(name string, max int, p func(*Plan) *string) planSpec {
	return planSpec{name: name, kind: kindText, text: p, norm: strings.TrimSpace,
		rule: "at most " + strconv.Itoa(max) + " characters", check: printable(max)}
}

func codeSpec(name string, p func(*Plan) *string) planSpec {
	return planSpec{name: name, kind: kindText, text: p, norm: upperTrim,
		rule: "1 to " + strconv.Itoa(maxPlanCodeLength) + " letters, digits, hyphens or underscores", check: planCode}
}

func enumSpec(name string, values []string, p func(*Plan) *string) planSpec {
	return planSpec{name: name, kind: kindText, text: p, norm: upperTrim,
		rule: "one of " + strings.Join(values, ", "), check: func(v string) bool { return slices.Contains(values, v) }}
}

func moneySpec(name string, p func(*Plan) *Money) planSpec {
	return planSpec{name: name, kind: kindMoney, money: p,
		rule: "a non-negative amount with at most two decimals, e.g. 15.75"}
}

func countSpec(name, unit string, p func(*Plan) *int64) planSpec {
	return planSpec{name: name, kind: kindCount, count: p,
		rule: "a whole number of " + unit + " from 0 to " + strconv.Itoa(MaxPlanCount)}
}

func flagSpec(name string, p func(*Plan) *bool) planSpec {
	return planSpec{name: name, kind: kindFlag, flag: p, rule: "Y or N"}
}

func listSpec(name, item string, norm func(string) string, check func(string) bool, p func(*Plan) *[]string) planSpec {
	return planSpec{name: name, kind: kindList, list: p, norm: norm, check: check,
		rule: "a list of at most " + strconv.Itoa(MaxPlanListItems) + " " + item}
}

func upperTrim(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// printable accepts text of at most max bytes without control characters.
func printable(max int) func(string) bool {
	return func(v string) bool {
		if len(v) > max {
			return false
		}
		for _, r := range v {
			if r < ' ' || r == 0x7f {
				return false
			}
		}
		return true
	}
}

func planCode(v string) bool {
	if v == "" || len(v) > maxPlanCodeLength {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; !isLetter(c) && !isDigit(c) && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

func zipCode(v string) bool { return isDigits(v, 5) }

// planSpecs lists the vendor's plan fields in the order plan_list shows
// them: the three it always had first, then as the export lists them.
var planSpecs = []planSpec{
	{name: "plan_id", kind: kindText, text: func(p *Plan) *string { return &p.ID }, norm: strings.TrimSpace,
		rule: "1 to " + strconv.Itoa(MaxPlanIDLength) + " digits", check: ValidPlanID},
	{name: "plan_name", kind: kindText, text: func(p *Plan) *string { return &p.Name }, norm: strings.TrimSpace,
		rule: "1 to " + strconv.Itoa(MaxPlanName) + " characters", check: func(v string) bool { return v != "" && printable(MaxPlanName)(v) }},
	moneySpec("plan_price", func(p *Plan) *Money { return &p.Price }),
	moneySpec("total_plan_price", func(p *Plan) *Money { return &p.TotalPrice }),
	textSpec("plan_description", MaxPlanText, func(p *Plan) *string { return &p.Description }),
	codeSpec("plan_code", func(p *Plan) *string { return &p.Code }),
	listSpec("carrier", "carrier codes ("+carrierRule+")", upperTrim, validCarrierCode, func(p *Plan) *[]string { return &p.Carriers }),
	countSpec("data", "megabytes", func(p *Plan) *int64 { return &p.Data.Amount }),
	countSpec("talk", "minutes", func(p *Plan) *int64 { return &p.Talk.Amount }),
	countSpec("text", "messages", func(p *Plan) *int64 { return &p.Text.Amount }),
	flagSpec("data_unlimited", func(p *Plan) *bool { return &p.Data.Unlimited }),
	flagSpec("minute_unlimited", func(p *Plan) *bool { return &p.Talk.Unlimited }),
	flagSpec("text_unlimited", func(p *Plan) *bool { return &p.Text.Unlimited }),
	flagSpec("is_unlimited_plan", func(p *Plan) *bool { return &p.Unlimited }),
	textSpec("display_name", MaxPlanShortText, func(p *Plan) *string { return &p.DisplayName }),
	textSpec("display_description", MaxPlanText, func(p *Plan) *string { return &p.DisplayDescription }),
	listSpec("display_features_description", "texts of at most "+strconv.Itoa(MaxPlanShortText)+" characters", strings.TrimSpace,
		printable(MaxPlanShortText), func(p *Plan) *[]string { return &p.DisplayFeatures }),
	textSpec("display_price", MaxPlanShortText, func(p *Plan) *string { return &p.DisplayPrice }),
	countSpec("display_sequence", "positions", func(p *Plan) *int64 { return &p.DisplaySequence }),
	enumSpec("is_prepaid_postpaid", []string{BillingPrepaid, BillingPostpaid}, func(p *Plan) *string { return &p.Billing }),
	enumSpec("enrollment_type", []string{PlanNonLifeline, PlanLifeline}, func(p *Plan) *string { return &p.EnrollmentType }),
	flagSpec("is_familyplan", func(p *Plan) *bool { return &p.Family }),
	countSpec("max_lines", "lines", func(p *Plan) *int64 { return &p.MaxLines }),
	moneySpec("additional_line_price", func(p *Plan) *Money { return &p.AdditionalLinePrice }),
	moneySpec("activation_fee", func(p *Plan) *Money { return &p.ActivationFee }),
	countSpec("plan_expiry_days", "days", func(p *Plan) *int64 { return &p.ExpiryDays }),
	codeSpec("plan_expiry_type", func(p *Plan) *string { return &p.ExpiryType }),
	flagSpec("is_tax_included", func(p *Plan) *bool { return &p.TaxIncluded }),
	flagSpec("is_regulatory_fee_applicable", func(p *Plan) *bool { return &p.RegulatoryFeeApplicable }),
	codeSpec("offer_type", func(p *Plan) *string { return &p.OfferType }),
	listSpec("plan_discount_details", "texts of at most "+strconv.Itoa(MaxPlanShortText)+" characters", strings.TrimSpace,
		printable(MaxPlanShortText), func(p *Plan) *[]string { return &p.DiscountDetails }),
	flagSpec("autopay_discount", func(p *Plan) *bool { return &p.AutopayDiscount }),
	listSpec("zip_codes", "5-digit zip codes", strings.TrimSpace, zipCode, func(p *Plan) *[]string { return &p.ZipCodes }),
}

// CheckPlanFieldNames checks the field names of an import file's header:
// each a plan field (PlanFieldNames), none twice. It returns one Invalid
// error naming every bad one.
func CheckPlanFieldNames(names []string) error {
	var vs fault.Violations
	seen := map[string]bool{}
	for _, n := range names {
		switch {
		case !slices.Contains(PlanFieldNames(), n):
			vs.Add(fault.Violation{Field: n, Rule: RuleUnknownField, Reason: ReasonInvalidPlan,
				Message: fmt.Sprintf("%q is not a plan field; the fields are %s", n, strings.Join(PlanFieldNames(), ", "))})
		case seen[n]:
			vs.Add(fault.Violation{Field: n, Rule: RuleDuplicate, Reason: ReasonInvalidPlan, Message: n + " is given twice"})
		}
		seen[n] = true
	}
	for _, n := range requiredPlanFields {
		if !seen[n] {
			vs.Add(fault.Violation{Field: n, Rule: RuleRequired, Reason: ReasonInvalidPlan, Message: n + " is required"})
		}
	}
	return vs.Err()
}

// requiredPlanFields must be present in every import row.
var requiredPlanFields = []string{"plan_id", "plan_name", "plan_price"}

// PlanFieldNames returns the vendor's plan field names in plan_list's
// order: the keys of an import file and of plan_list's objects.
func PlanFieldNames() []string {
	out := make([]string, len(planSpecs))
	for i, s := range planSpecs {
		out[i] = s.name
	}
	return out
}

// IsPlanListField reports whether the field name is given as a list (a
// JSON array in plan_list and JSON imports; PlanListSeparator-separated in
// CSV).
func IsPlanListField(name string) bool {
	for _, s := range planSpecs {
		if s.name == name {
			return s.kind == kindList
		}
	}
	return false
}

// Fields returns every field of p as plan_list shows it, in PlanFieldNames
// order: money with two decimals ("15.75"), counts in decimal, flags Y or
// N, lists as lists (never nil).
func (p Plan) Fields() []PlanField {
	out := make([]PlanField, len(planSpecs))
	for i, s := range planSpecs {
		f := PlanField{Name: s.name}
		switch s.kind {
		case kindText:
			f.Text = *s.text(&p)
		case kindMoney:
			f.Text = s.money(&p).String()
		case kindCount:
			f.Text = strconv.FormatInt(*s.count(&p), 10)
		case kindFlag:
			f.Text = yn(*s.flag(&p))
		case kindList:
			f.IsList = true
			f.List = append([]string{}, *s.list(&p)...)
		}
		out[i] = f
	}
	return out
}

func yn(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

// parseFlag accepts Y/N as the export writes them, and the spellings a
// spreadsheet or a JSON boolean gives (YES/NO, TRUE/FALSE, 1/0), in any
// case; "" is N.
func parseFlag(s string) (bool, bool) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "Y", "YES", "TRUE", "1":
		return true, true
	case "N", "NO", "FALSE", "0", "":
		return false, true
	}
	return false, false
}

func parseCount(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	if len(s) > 9 || !allDigits(s) {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n <= MaxPlanCount
}

// ParsePlan builds a plan from the values of an import row (or of `plan
// add`'s flags), keyed by the vendor's field names (PlanFieldNames). It
// applies every field's rule and the defaults: total_plan_price is
// plan_price, is_prepaid_postpaid PREPAID, enrollment_type NON_LIFELINE,
// plan_expiry_days DefaultPlanExpiryDays and plan_expiry_type
// DefaultPlanExpiryType when absent or empty; flags absent are N. The plan
// is active. On failure it returns one Invalid error with a violation per
// bad field, each naming the field and its rule; an unknown field name is
// a violation too, so that a misspelt header is not silently dropped.
func ParsePlan(values map[string]PlanValue) (Plan, error) {
	p := Plan{Active: true}
	var vs fault.Violations
	bad := func(field, rule, msg string) {
		vs.Add(fault.Violation{Field: field, Rule: rule, Reason: ReasonInvalidPlan, Message: msg})
	}
	for _, name := range sortedKeys(values) {
		if !slices.ContainsFunc(planSpecs, func(s planSpec) bool { return s.name == name }) {
			bad(name, RuleUnknownField, fmt.Sprintf("%s is not a plan field; the fields are %s", name, strings.Join(PlanFieldNames(), ", ")))
		}
	}
	for _, name := range requiredPlanFields {
		if v, ok := values[name]; !ok || (!v.IsList && strings.TrimSpace(v.Text) == "") {
			bad(name, RuleRequired, name+" is required")
		}
	}
	present := map[string]bool{}
	for _, s := range planSpecs {
		v, ok := values[s.name]
		if !ok {
			continue
		}
		if !v.IsList && strings.TrimSpace(v.Text) == "" {
			continue // empty is absent: a CSV cell left blank takes the default
		}
		if v.IsList && s.kind != kindList {
			bad(s.name, RuleType, s.name+" should be a text, not a list")
			continue
		}
		msg := s.name + " should be " + s.rule
		switch s.kind {
		case kindText:
			t := s.norm(v.Text)
			if s.check != nil && !s.check(t) {
				bad(s.name, RulePattern, msg)
				continue
			}
			*s.text(&p) = t
		case kindMoney:
			m, ok := ParseMoney(v.Text)
			if !ok {
				bad(s.name, RulePattern, msg)
				continue
			}
			*s.money(&p) = m
		case kindCount:
			n, ok := parseCount(v.Text)
			if !ok {
				bad(s.name, RulePattern, msg)
				continue
			}
			*s.count(&p) = n
		case kindFlag:
			b, ok := parseFlag(v.Text)
			if !ok {
				bad(s.name, RuleEnum, msg)
				continue
			}
			*s.flag(&p) = b
		case kindList:
			items := v.List
			if !v.IsList {
				items = strings.Split(v.Text, PlanListSeparator)
			}
			list, ok := parseList(s, items)
			if !ok {
				bad(s.name, RulePattern, msg)
				continue
			}
			*s.list(&p) = list
		}
		present[s.name] = true
	}
	if !present["total_plan_price"] {
		p.TotalPrice = p.Price
	}
	if p.Billing == "" {
		p.Billing = BillingPrepaid
	}
	if p.EnrollmentType == "" {
		p.EnrollmentType = PlanNonLifeline
	}
	if !present["plan_expiry_days"] {
		p.ExpiryDays = DefaultPlanExpiryDays
	}
	if p.ExpiryType == "" {
		p.ExpiryType = DefaultPlanExpiryType
	}
	return p, vs.Err()
}

// parseList normalises and checks every item, dropping empty ones and
// repeats (a trailing separator in a CSV cell is harmless).
func parseList(s planSpec, items []string) ([]string, bool) {
	out := []string{}
	for _, it := range items {
		it = s.norm(it)
		if it == "" || slices.Contains(out, it) {
			continue
		}
		if !s.check(it) || strings.Contains(it, PlanListSeparator) {
			return nil, false
		}
		out = append(out, it)
	}
	return out, len(out) <= MaxPlanListItems
}

func sortedKeys(m map[string]PlanValue) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Rules of plan fields named in fault.Violation.Rule, besides the line rules.
const (
	// RuleUnknownField: the import names a field plans do not have.
	RuleUnknownField = "unknown_field"
	// RuleType: a list was given where a text is expected.
	RuleType = "type"
	// RuleDuplicate: a plan_id appears twice in one import.
	RuleDuplicate = "duplicate"
)

// NewPlan validates a plan of the three fields `plan add` always had: a
// numeric id, a name, and a non-negative price with at most two decimal
// places; every other field takes its default (see ParsePlan).
func NewPlan(id, name, price string) (Plan, error) {
	return ParsePlan(map[string]PlanValue{"plan_id": {Text: id}, "plan_name": {Text: name}, "plan_price": {Text: price}})
}

// PlanRow is one row of a plan import file: its values by field name and
// where it is, e.g. "line 3" of a CSV file or "item 0" of a JSON array,
// with Line the number in it.
type PlanRow struct {
	Where  string
	Line   int
	Values map[string]PlanValue
}

// ParsePlanRows parses every row with ParsePlan, all or nothing: it
// returns every plan, or one Invalid error carrying every violation of
// every row, each with the row's Line and its message prefixed with the
// row's Where (e.g. "line 3: plan_price should be ..."). A plan_id given
// by two rows is a violation of the second, naming the first.
func ParsePlanRows(rows []PlanRow) ([]Plan, error) {
	if len(rows) == 0 {
		return nil, fault.InvalidField("plans", RuleRequired, ReasonInvalidPlan, "the file holds no plan")
	}
	var vs fault.Violations
	plans := make([]Plan, 0, len(rows))
	first := map[string]string{}
	for _, r := range rows {
		p, err := ParsePlan(r.Values)
		if fe, ok := fault.As(err); ok {
			for _, v := range fe.Violations {
				v.Line = r.Line
				v.Message = r.Where + ": " + v.Message
				vs.Add(v)
			}
			continue
		}
		if at, dup := first[p.ID]; dup {
			vs.Add(fault.Violation{Line: r.Line, Field: "plan_id", Rule: RuleDuplicate, Reason: ReasonInvalidPlan,
				Message: fmt.Sprintf("%s: plan_id %s is already given at %s", r.Where, p.ID, at)})
			continue
		}
		first[p.ID] = r.Where
		plans = append(plans, p)
	}
	if err := vs.Err(); err != nil {
		return nil, err
	}
	return plans, nil
}

// PlanFilter is what plan_list narrows the active plans by; an empty field
// does not narrow.
type PlanFilter struct {
	ZipCode        string
	EnrollmentType string
	PlanID         string
	Carrier        string
	// IsFamilyPlan is Y (family plans only), N (the others) or BOTH.
	IsFamilyPlan string
}

// Values of PlanFilter.IsFamilyPlan.
const (
	// FamilyOnly lists family plans only.
	FamilyOnly = "Y"
	// FamilyNot lists the plans that are not family plans.
	FamilyNot = "N"
	// FamilyEither lists both.
	FamilyEither = "BOTH"
)

// isFamilyField is plan_list's family filter as clients send it (the
// plans' own field is is_familyplan).
const isFamilyField = "is_family_plan"

// NewPlanFilter normalises plan_list's filters (trimmed, upper-case) and
// checks the ones whose form is this catalogue's own: carrier a carrier
// code, is_family_plan Y, N or BOTH (empty is BOTH). The zip code and
// enrollment type are only normalised here; the availability rules check
// them.
func NewPlanFilter(zipCode, enrollmentType, planID, carrier, isFamilyPlan string) (PlanFilter, error) {
	f := PlanFilter{ZipCode: strings.TrimSpace(zipCode), EnrollmentType: upperTrim(enrollmentType),
		PlanID: strings.TrimSpace(planID), Carrier: upperTrim(carrier), IsFamilyPlan: upperTrim(isFamilyPlan)}
	var vs fault.Violations
	if f.Carrier != "" && !validCarrierCode(f.Carrier) {
		vs.Add(fault.Violation{Field: "carrier", Rule: RulePattern, Reason: ReasonInvalidPlanFilter, Message: "carrier should be " + carrierRule})
	}
	switch f.IsFamilyPlan {
	case "":
		f.IsFamilyPlan = FamilyEither
	case FamilyOnly, FamilyNot, FamilyEither:
	default:
		vs.Add(fault.Violation{Field: isFamilyField, Rule: RuleEnum, Reason: ReasonInvalidPlanFilter, Message: "is_family_plan should be Y, N or BOTH"})
	}
	return f, vs.Err()
}

// Matches reports whether p is an active plan f lets through: the plan id
// equal, the zip among the plan's zip codes (a plan without any is sold in
// the whole service area), the enrollment type the plan's, the carrier
// among the plan's carriers (a plan without any runs on every carrier),
// and family or not as asked.
func (f PlanFilter) Matches(p Plan) bool {
	switch {
	case !p.Active:
		return false
	case f.PlanID != "" && p.ID != f.PlanID:
		return false
	case f.ZipCode != "" && len(p.ZipCodes) > 0 && !slices.Contains(p.ZipCodes, f.ZipCode):
		return false
	case f.EnrollmentType != "" && p.EnrollmentType != f.EnrollmentType:
		return false
	case f.Carrier != "" && len(p.Carriers) > 0 && !slices.Contains(p.Carriers, f.Carrier):
		return false
	case f.IsFamilyPlan == FamilyOnly && !p.Family, f.IsFamilyPlan == FamilyNot && p.Family:
		return false
	}
	return true
}

// FilterPlans returns the plans f matches, in their order, or
// PlansNotFoundError when none does.
func FilterPlans(plans []Plan, f PlanFilter) ([]Plan, error) {
	var out []Plan
	for _, p := range plans {
		if f.Matches(p) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, PlansNotFoundError()
	}
	return out, nil
}
