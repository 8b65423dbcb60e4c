package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/ports"
)

// defaultPlanWire is a plan of plan_list as the wire carries it when only
// its three original fields were set: every other field at its default,
// written out here so that the test pins the wire, not the domain.
func defaultPlanWire(id, name, price string) map[string]any {
	return map[string]any{
		"plan_id": id, "plan_name": name, "plan_price": price, "total_plan_price": price,
		"plan_description": "", "plan_code": "", "carrier": []any{},
		"data": "0", "talk": "0", "text": "0",
		"data_unlimited": "N", "minute_unlimited": "N", "text_unlimited": "N", "is_unlimited_plan": "N",
		"display_name": "", "display_description": "", "display_features_description": []any{},
		"display_price": "", "display_sequence": "0",
		"is_prepaid_postpaid": "PREPAID", "enrollment_type": "NON_LIFELINE", "is_familyplan": "N",
		"max_lines": "0", "additional_line_price": "0.00", "activation_fee": "0.00",
		"plan_expiry_days": "30", "plan_expiry_type": "DAYS",
		"is_tax_included": "N", "is_regulatory_fee_applicable": "N", "offer_type": "",
		"plan_discount_details": []any{}, "autopay_discount": "N", "zip_codes": []any{},
	}
}

// typedPlan is how a typed client (a Flutter or Swift model of the vendor's
// plan) decodes plan_list: strings, and lists of strings for carrier,
// display_features_description and plan_discount_details. Decoding fails if
// any field comes with another JSON type.
type typedPlan struct {
	PlanID                     string   `json:"plan_id"`
	PlanName                   string   `json:"plan_name"`
	PlanPrice                  string   `json:"plan_price"`
	TotalPlanPrice             string   `json:"total_plan_price"`
	PlanDescription            string   `json:"plan_description"`
	PlanCode                   string   `json:"plan_code"`
	Carrier                    []string `json:"carrier"`
	Data                       string   `json:"data"`
	Talk                       string   `json:"talk"`
	Text                       string   `json:"text"`
	DataUnlimited              string   `json:"data_unlimited"`
	MinuteUnlimited            string   `json:"minute_unlimited"`
	TextUnlimited              string   `json:"text_unlimited"`
	IsUnlimitedPlan            string   `json:"is_unlimited_plan"`
	DisplayName                string   `json:"display_name"`
	DisplayDescription         string   `json:"display_description"`
	DisplayFeaturesDescription []string `json:"display_features_description"`
	DisplayPrice               string   `json:"display_price"`
	DisplaySequence            string   `json:"display_sequence"`
	IsPrepaidPostpaid          string   `json:"is_prepaid_postpaid"`
	IsFamilyplan               string   `json:"is_familyplan"`
	PlanExpiryDays             string   `json:"plan_expiry_days"`
	PlanExpiryType             string   `json:"plan_expiry_type"`
	IsTaxIncluded              string   `json:"is_tax_included"`
	IsRegulatoryFeeApplicable  string   `json:"is_regulatory_fee_applicable"`
	OfferType                  string   `json:"offer_type"`
	PlanDiscountDetails        []string `json:"plan_discount_details"`
	AutopayDiscount            string   `json:"autopay_discount"`
}

func richPlan(t *testing.T) enrollment.Plan {
	t.Helper()
	p, err := enrollment.ParsePlan(map[string]enrollment.PlanValue{
		"plan_id": {Text: "1828"}, "plan_name": {Text: "Unlimited 30"}, "plan_price": {Text: "15.75"},
		"total_plan_price": {Text: "17.31"}, "carrier": {IsList: true, List: []string{"TMB", "BLUECONNECTSATT"}},
		"data": {Text: "10240"}, "talk": {Text: "0"}, "minute_unlimited": {Text: "Y"}, "text_unlimited": {Text: "Y"},
		"display_name": {Text: "Unlimited"}, "display_features_description": {IsList: true, List: []string{"10GB", "Unlimited talk & text"}},
		"is_familyplan": {Text: "Y"}, "plan_expiry_days": {Text: "30"}, "is_tax_included": {Text: "Y"},
		"plan_discount_details": {IsList: true, List: []string{"$5 off"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPlanListTypedClient sends plan_list as the typed clients do (token
// header, zip_code, enrollment_type, is_family_plan "BOTH", agent_id and
// source) and decodes the answer into their model: every field is there
// with its JSON type, money as "15.75", allowances as numbers in strings,
// flags Y/N, carrier a list.
func TestPlanListTypedClient(t *testing.T) {
	h := newHarness(t)
	rich := richPlan(t)
	h.enr.plansFn = func(ports.CallContext, string) ([]enrollment.Plan, error) { return []enrollment.Plan{rich}, nil }
	body := `{"action":"plan_list","zip_code":"98103","enrollment_type":"NON_LIFELINE","is_family_plan":"BOTH",` +
		`"carrier":"BLUECONNECTSATT","agent_id":"Sushil","source":"API"}`
	w := h.bss(PlanPath, body, h.enr.token())
	wantStatus(t, w, http.StatusOK)
	var env struct {
		MsgCode string      `json:"msg_code"`
		Data    []typedPlan `json:"data"`
	}
	dec := json.NewDecoder(strings.NewReader(w.Body.String()))
	if err := dec.Decode(&env); err != nil {
		t.Fatalf("a typed client cannot decode %s: %v", w.Body, err)
	}
	if env.MsgCode != "RESTAPI000" || len(env.Data) != 1 {
		t.Fatalf("body %s", w.Body)
	}
	got := env.Data[0]
	if got.PlanID != "1828" || got.PlanPrice != "15.75" || got.TotalPlanPrice != "17.31" || got.Data != "10240" ||
		got.DataUnlimited != "N" || got.MinuteUnlimited != "Y" || got.IsFamilyplan != "Y" || got.PlanExpiryDays != "30" ||
		got.IsTaxIncluded != "Y" || got.IsPrepaidPostpaid != "PREPAID" || got.DisplayName != "Unlimited" ||
		!slices.Equal(got.Carrier, []string{"TMB", "BLUECONNECTSATT"}) ||
		!slices.Equal(got.DisplayFeaturesDescription, []string{"10GB", "Unlimited talk & text"}) ||
		!slices.Equal(got.PlanDiscountDetails, []string{"$5 off"}) {
		t.Errorf("decoded %+v", got)
	}
	want := ports.PlanListRequest{CallContext: ports.CallContext{Action: enrollment.ActionPlanList, AgentID: "Sushil", Source: "API"},
		ZipCode: "98103", EnrollmentType: "NON_LIFELINE", Carrier: "BLUECONNECTSATT", IsFamilyPlan: "BOTH"}
	if h.enr.plan != want {
		t.Errorf("request %+v\nwant %+v", h.enr.plan, want)
	}

	// Every field of the domain's table, each with the JSON type the
	// export shows: a string, or an array of strings for the lists.
	var raw struct {
		Data []map[string]json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	keys := []string{}
	for k := range raw.Data[0] {
		keys = append(keys, k)
	}
	names := enrollment.PlanFieldNames()
	if slices.Sort(keys); !slices.Equal(keys, slices.Sorted(slices.Values(names))) {
		t.Errorf("plan_list keys %v\nwant %v", keys, names)
	}
	for _, name := range names {
		v := raw.Data[0][name]
		if enrollment.IsPlanListField(name) {
			var l []string
			if err := json.Unmarshal(v, &l); err != nil || l == nil {
				t.Errorf("%s = %s, want an array of strings", name, v)
			}
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			t.Errorf("%s = %s, want a string", name, v)
		}
	}
	// The keys come in the table's order, the first three as before.
	if i := strings.Index(w.Body.String(), `"plan_id"`); i < 0 || !strings.HasPrefix(w.Body.String()[i:], `"plan_id":"1828","plan_name":"Unlimited 30","plan_price":"15.75","total_plan_price"`) {
		t.Errorf("key order: %s", w.Body)
	}
}

// TestPlanListErrors: the service's errors reach the client in the BSS
// envelope: "Plans not found" and a malformed filter are RESTAPI110.
func TestPlanListErrors(t *testing.T) {
	h := newHarness(t)
	h.enr.plansFn = func(ports.CallContext, string) ([]enrollment.Plan, error) {
		return nil, enrollment.PlansNotFoundError()
	}
	w := h.bss(PlanPath, `{"action":"plan_list","carrier":"HELIX","agent_id":"a","source":"API"}`, h.enr.token())
	wantBSS(t, w, http.StatusOK, bssBody("Error occurred", "RESTAPI110", tokenN(2), "errors", list("Plans not found")))

	_, err := enrollment.NewPlanFilter("", "", "", "", "maybe")
	h.enr.plansFn = func(ports.CallContext, string) ([]enrollment.Plan, error) { return nil, err }
	w = h.bss(PlanPath, `{"action":"plan_list","is_family_plan":"maybe","agent_id":"a","source":"API"}`, h.enr.token())
	wantBSS(t, w, http.StatusOK, bssBody("Error occurred", "RESTAPI110", tokenN(4), "errors", list("is_family_plan should be Y, N or BOTH")))
	if fault.CodeOf(err) != fault.Invalid {
		t.Fatal(err)
	}
}
