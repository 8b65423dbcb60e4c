package porttest

import (
	"fmt"
	"github.com/allot-io/allot/domain/money"
	"slices"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// missingOrg is an organisation id no test creates.
const missingOrg = tenant.OrgID(999999)

func (h harness) vendors(t *testing.T) {
	vendor := func(id string) enrollment.Vendor {
		return enrollment.Vendor{VendorID: id, Username: "user-" + id, PasswordHash: "pw-hash-" + id, PinHash: "pin-hash-" + id, CreatedAt: base}
	}
	h.run(t, "AddAndByID", func(t *testing.T, s ports.Store) {
		mkOrg(t, s, "other")
		org := mkOrg(t, s, "acme")
		must(t, s.AddVendor(ctx(t), org, vendor("V1")), "AddVendor")
		o, v, err := s.VendorByID(ctx(t), "V1")
		must(t, err, "VendorByID")
		if o.ID != org || o.Code != "acme" {
			t.Fatalf("VendorByID organisation = %+v, want acme (%d)", o, org)
		}
		want := vendor("V1")
		if v.VendorID != want.VendorID || v.Username != want.Username || v.PasswordHash != want.PasswordHash ||
			v.PinHash != want.PinHash || !v.CreatedAt.Equal(base) {
			t.Fatalf("VendorByID = %+v, want %+v", v, want)
		}
	})
	h.run(t, "CreatedAtAssigned", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		must(t, s.AddVendor(ctx(t), org, enrollment.Vendor{VendorID: "V1", Username: "u", PasswordHash: "p", PinHash: "q"}), "AddVendor")
		_, v, err := s.VendorByID(ctx(t), "V1")
		must(t, err, "VendorByID")
		if v.CreatedAt.IsZero() {
			t.Fatal("CreatedAt not assigned")
		}
	})
	h.run(t, "DuplicateAcrossOrgs", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		must(t, s.AddVendor(ctx(t), a, vendor("V1")), "AddVendor")
		wantFault(t, s.AddVendor(ctx(t), a, vendor("V1")), fault.Conflict, tenant.ReasonDuplicate)
		// /authenticate names no organisation: a vendor id is global.
		wantFault(t, s.AddVendor(ctx(t), b, vendor("V1")), fault.Conflict, tenant.ReasonDuplicate)
		o, _, err := s.VendorByID(ctx(t), "V1")
		must(t, err, "VendorByID")
		if o.ID != a {
			t.Fatalf("the duplicate moved V1 to organisation %d", o.ID)
		}
	})
	h.run(t, "NotFound", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		must(t, s.AddVendor(ctx(t), org, vendor("V1")), "AddVendor")
		_, _, err := s.VendorByID(ctx(t), "V2")
		wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
	})
	h.run(t, "UnknownOrg", func(t *testing.T, s ports.Store) {
		mkOrg(t, s, "acme")
		wantFault(t, s.AddVendor(ctx(t), missingOrg, vendor("V1")), fault.NotFound, tenant.ReasonOrgNotFound)
	})
}

func sameAgent(a, b enrollment.Agent) bool {
	return a.ID == b.ID && a.PasswordHash == b.PasswordHash && slices.Equal(a.Actions, b.Actions) && a.CreatedAt.Equal(b.CreatedAt)
}

func (h harness) agents(t *testing.T) {
	h.run(t, "AddAndGet", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		restricted := enrollment.Agent{ID: "dealer1", PasswordHash: "hash", CreatedAt: base,
			Actions: []string{enrollment.ActionPlanList, enrollment.ActionCheckAvailability}}
		open := enrollment.Agent{ID: "ewebsiteapi", CreatedAt: base}
		must(t, s.AddAgent(ctx(t), org, restricted), "AddAgent")
		must(t, s.AddAgent(ctx(t), org, open), "AddAgent")
		got, err := s.Agent(ctx(t), org, "dealer1")
		must(t, err, "Agent")
		if !sameAgent(got, restricted) {
			t.Fatalf("Agent = %+v, want %+v (actions in their order)", got, restricted)
		}
		got, err = s.Agent(ctx(t), org, "ewebsiteapi")
		must(t, err, "Agent")
		if got.ID != "ewebsiteapi" || got.PasswordHash != "" || len(got.Actions) != 0 || !got.CreatedAt.Equal(base) {
			t.Fatalf("Agent = %+v, want no password and no actions", got)
		}
		if got.NeedsPassword() || !got.May(enrollment.ActionCreate) {
			t.Fatalf("an agent stored without password or actions reads back restricted: %+v", got)
		}
	})
	h.run(t, "Duplicate", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		must(t, s.AddAgent(ctx(t), a, enrollment.Agent{ID: "x", CreatedAt: base}), "AddAgent")
		wantFault(t, s.AddAgent(ctx(t), a, enrollment.Agent{ID: "x", PasswordHash: "h", CreatedAt: base}), fault.Conflict, tenant.ReasonDuplicate)
		must(t, s.AddAgent(ctx(t), b, enrollment.Agent{ID: "x", CreatedAt: base}), "the same id in another organisation")
	})
	h.run(t, "ExactID", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		must(t, s.AddAgent(ctx(t), a, enrollment.Agent{ID: "dealer1", CreatedAt: base}), "AddAgent")
		for _, id := range []string{"DEALER1", "dealer", "dealer1 ", "dealer%"} {
			_, err := s.Agent(ctx(t), a, id)
			wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
		}
		_, err := s.Agent(ctx(t), b, "dealer1")
		wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
	})
	h.run(t, "List", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		list, err := s.ListAgents(ctx(t), a)
		must(t, err, "ListAgents")
		if len(list) != 0 {
			t.Fatalf("a fresh organisation lists %d agents", len(list))
		}
		for _, id := range []string{"zeta", "Beta", "alpha"} {
			must(t, s.AddAgent(ctx(t), a, enrollment.Agent{ID: id, Actions: []string{enrollment.ActionPlanList}, CreatedAt: base}), "AddAgent")
		}
		must(t, s.AddAgent(ctx(t), b, enrollment.Agent{ID: "other", CreatedAt: base}), "AddAgent")
		list, err = s.ListAgents(ctx(t), a)
		must(t, err, "ListAgents")
		var ids []string
		for _, ag := range list {
			ids = append(ids, ag.ID)
			if !slices.Equal(ag.Actions, []string{enrollment.ActionPlanList}) {
				t.Fatalf("listed agent %s has actions %v", ag.ID, ag.Actions)
			}
		}
		if want := []string{"Beta", "alpha", "zeta"}; !slices.Equal(ids, want) {
			t.Fatalf("ListAgents = %v, want %v (byte order)", ids, want)
		}
	})
	h.run(t, "UnknownOrg", func(t *testing.T, s ports.Store) {
		mkOrg(t, s, "acme")
		wantFault(t, s.AddAgent(ctx(t), missingOrg, enrollment.Agent{ID: "x"}), fault.NotFound, tenant.ReasonOrgNotFound)
	})
}

func (h harness) sources(t *testing.T) {
	h.run(t, "AllowIdempotent", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		got, err := s.AllowedSources(ctx(t), a)
		must(t, err, "AllowedSources")
		if len(got) != 0 {
			t.Fatalf("a fresh organisation allows %v", got)
		}
		must(t, s.AllowSources(ctx(t), a, []string{enrollment.SourceWebsite, enrollment.SourceAPI}), "AllowSources")
		must(t, s.AllowSources(ctx(t), a, []string{enrollment.SourceAPI, enrollment.SourceEnrollmentPortal, enrollment.SourceAPI}), "AllowSources again")
		must(t, s.AllowSources(ctx(t), a, nil), "AllowSources of none")
		must(t, s.AllowSources(ctx(t), b, []string{enrollment.SourceAPI}), "AllowSources")
		got, err = s.AllowedSources(ctx(t), a)
		must(t, err, "AllowedSources")
		if want := []string{enrollment.SourceAPI, enrollment.SourceEnrollmentPortal, enrollment.SourceWebsite}; !slices.Equal(got, want) {
			t.Fatalf("AllowedSources = %v, want %v (sorted, each once)", got, want)
		}
		got, err = s.AllowedSources(ctx(t), b)
		must(t, err, "AllowedSources")
		if want := []string{enrollment.SourceAPI}; !slices.Equal(got, want) {
			t.Fatalf("AllowedSources of b = %v, want %v", got, want)
		}
	})
	h.run(t, "UnknownOrg", func(t *testing.T, s ports.Store) {
		mkOrg(t, s, "acme")
		wantFault(t, s.AllowSources(ctx(t), missingOrg, []string{enrollment.SourceAPI}), fault.NotFound, tenant.ReasonOrgNotFound)
	})
}

func zip(code string) enrollment.ServiceZip {
	return enrollment.ServiceZip{Zip: code, City: "SEATTLE", State: "WA"}
}

func (h harness) zips(t *testing.T) {
	h.run(t, "AddAndGet", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		must(t, s.AddZips(ctx(t), a, []enrollment.ServiceZip{zip("98103"), {Zip: "10001", City: "NEW YORK", State: "NY"}}), "AddZips")
		must(t, s.AddZips(ctx(t), a, nil), "AddZips of none")
		got, err := s.Zip(ctx(t), a, "10001")
		must(t, err, "Zip")
		if got != (enrollment.ServiceZip{Zip: "10001", City: "NEW YORK", State: "NY"}) {
			t.Fatalf("Zip = %+v", got)
		}
		_, err = s.Zip(ctx(t), a, "98104")
		wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
		_, err = s.Zip(ctx(t), b, "98103")
		wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
		must(t, s.AddZips(ctx(t), b, []enrollment.ServiceZip{zip("98103")}), "the same zip in another organisation")
	})
	h.run(t, "DuplicateExisting", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		must(t, s.AddZips(ctx(t), org, []enrollment.ServiceZip{zip("98103")}), "AddZips")
		err := s.AddZips(ctx(t), org, []enrollment.ServiceZip{zip("98104"), zip("98103"), zip("98105")})
		wantFault(t, err, fault.Conflict, tenant.ReasonDuplicate)
		for _, z := range []string{"98104", "98105"} {
			_, err := s.Zip(ctx(t), org, z)
			wantFault(t, err, fault.NotFound, tenant.ReasonNotFound) // all or nothing
		}
	})
	h.run(t, "DuplicateWithinInput", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		err := s.AddZips(ctx(t), org, []enrollment.ServiceZip{zip("98104"), zip("98105"), zip("98104")})
		wantFault(t, err, fault.Conflict, tenant.ReasonDuplicate)
		for _, z := range []string{"98104", "98105"} {
			_, err := s.Zip(ctx(t), org, z)
			wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
		}
	})
	h.run(t, "ManyAllOrNothing", func(t *testing.T, s ports.Store) {
		// Enough zips that an adapter writing them in batches writes
		// several before it meets the duplicate at the end.
		org := mkOrg(t, s, "acme")
		must(t, s.AddZips(ctx(t), org, []enrollment.ServiceZip{zip("99999")}), "AddZips")
		var zs []enrollment.ServiceZip
		for i := range 1500 {
			zs = append(zs, zip(fmt.Sprintf("%05d", 10000+i)))
		}
		err := s.AddZips(ctx(t), org, append(zs, zip("99999")))
		wantFault(t, err, fault.Conflict, tenant.ReasonDuplicate)
		for _, z := range []string{"10000", "11499"} {
			_, err := s.Zip(ctx(t), org, z)
			wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
		}
		must(t, s.AddZips(ctx(t), org, zs), "AddZips without the duplicate")
		got, err := s.Zip(ctx(t), org, "11499")
		must(t, err, "Zip")
		if got != zip("11499") {
			t.Fatalf("Zip = %+v", got)
		}
	})
	h.run(t, "UnknownOrg", func(t *testing.T, s ports.Store) {
		mkOrg(t, s, "acme")
		wantFault(t, s.AddZips(ctx(t), missingOrg, []enrollment.ServiceZip{zip("98103")}), fault.NotFound, tenant.ReasonOrgNotFound)
	})
}

// samePlan compares every field, CreatedAt as an instant.
func samePlan(a, b enrollment.Plan) bool {
	return slices.EqualFunc(a.Fields(), b.Fields(), func(x, y enrollment.PlanField) bool {
		return x.Name == y.Name && x.Text == y.Text && slices.Equal(x.List, y.List)
	}) && a.Active == b.Active && a.CreatedAt.Equal(b.CreatedAt)
}

func planIDs(ps []enrollment.Plan) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

func (h harness) plans(t *testing.T) {
	plan := func(id string, active bool) enrollment.Plan {
		return enrollment.Plan{ID: id, Name: "Plan " + id, Price: money.MustParse("25.00"), Active: active, CreatedAt: base}
	}
	h.run(t, "AddAndGet", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		p := enrollment.Plan{ID: "1828", Name: "Unlimited", Price: money.MustParse("0.50"), Active: false, CreatedAt: base}
		must(t, s.AddPlan(ctx(t), a, p), "AddPlan")
		got, err := s.Plan(ctx(t), a, "1828")
		must(t, err, "Plan")
		if !samePlan(got, p) {
			t.Fatalf("Plan = %+v, want %+v (inactive plans too)", got, p)
		}
		_, err = s.Plan(ctx(t), a, "1829")
		wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
		_, err = s.Plan(ctx(t), b, "1828")
		wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
	})
	h.run(t, "CreatedAtAssigned", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		must(t, s.AddPlan(ctx(t), org, enrollment.Plan{ID: "1", Name: "P", Price: money.MustParse("1.00"), Active: true}), "AddPlan")
		got, err := s.Plan(ctx(t), org, "1")
		must(t, err, "Plan")
		if got.CreatedAt.IsZero() || time.Since(got.CreatedAt) > 24*time.Hour {
			t.Fatalf("CreatedAt = %v, want it assigned", got.CreatedAt)
		}
	})
	h.run(t, "Duplicate", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		must(t, s.AddPlan(ctx(t), a, plan("1828", true)), "AddPlan")
		wantFault(t, s.AddPlan(ctx(t), a, plan("1828", false)), fault.Conflict, tenant.ReasonDuplicate)
		must(t, s.AddPlan(ctx(t), b, plan("1828", true)), "the same id in another organisation")
	})
	h.run(t, "List", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		for _, p := range []enrollment.Plan{plan("1003", true), plan("1001", true), plan("1002", false)} {
			must(t, s.AddPlan(ctx(t), a, p), "AddPlan")
		}
		must(t, s.AddPlan(ctx(t), b, plan("1000", true)), "AddPlan")
		all, err := s.ListPlans(ctx(t), a, false)
		must(t, err, "ListPlans")
		if got, want := planIDs(all), []string{"1001", "1002", "1003"}; !slices.Equal(got, want) {
			t.Fatalf("ListPlans(all) = %v, want %v", got, want)
		}
		if !samePlan(all[1], plan("1002", false)) {
			t.Fatalf("listed plan %+v", all[1])
		}
		active, err := s.ListPlans(ctx(t), a, true)
		must(t, err, "ListPlans")
		if got, want := planIDs(active), []string{"1001", "1003"}; !slices.Equal(got, want) {
			t.Fatalf("ListPlans(active) = %v, want %v", got, want)
		}
		none, err := s.ListPlans(ctx(t), mkOrg(t, s, "c"), true)
		must(t, err, "ListPlans")
		if len(none) != 0 {
			t.Fatalf("a fresh organisation lists %d plans", len(none))
		}
	})
	h.run(t, "UnknownOrg", func(t *testing.T, s ports.Store) {
		mkOrg(t, s, "acme")
		wantFault(t, s.AddPlan(ctx(t), missingOrg, plan("1", true)), fault.NotFound, tenant.ReasonOrgNotFound)
	})
}

// fullPlan is a plan with every field set to something other than its
// default, so that a store dropping any column fails samePlan.
func fullPlan(id string) enrollment.Plan {
	return enrollment.Plan{
		ID: id, Name: "Family " + id, Price: money.MustParse("15.75"), TotalPrice: money.MustParse("17.31"), Description: "Ten gigabytes, shared",
		Code: "FAM-" + id, Carriers: []string{"TMB", "BLUECONNECTSATT"},
		Data: enrollment.Allowance{Amount: 10240}, Talk: enrollment.Allowance{Amount: 1000, Unlimited: true},
		Text: enrollment.Allowance{Amount: 5, Unlimited: true}, Unlimited: true,
		DisplayName: "Family 10", DisplayDescription: "Share it", DisplayFeatures: []string{"10GB data", "Unlimited text"},
		DisplayPrice: "$15.75/mo", DisplaySequence: 3, Billing: enrollment.BillingPostpaid, EnrollmentType: enrollment.PlanLifeline,
		Family: true, MaxLines: 5, AdditionalLinePrice: money.MustParse("10.50"), ActivationFee: money.MustParse("0.99"),
		ExpiryDays: 28, ExpiryType: "MONTHLY", TaxIncluded: true, RegulatoryFeeApplicable: true, OfferType: "PROMO",
		DiscountDetails: []string{"$5 off with autopay"}, AutopayDiscount: true, ZipCodes: []string{"98103", "98104"},
		Active: true, CreatedAt: base,
	}
}

func (h harness) planCatalogue(t *testing.T) {
	h.run(t, "EveryFieldStored", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		p := fullPlan("606")
		must(t, s.AddPlan(ctx(t), org, p), "AddPlan")
		got, err := s.Plan(ctx(t), org, "606")
		must(t, err, "Plan")
		if !samePlan(got, p) {
			t.Fatalf("Plan = %+v\nwant %+v", got, p)
		}
		list, err := s.ListPlans(ctx(t), org, true)
		must(t, err, "ListPlans")
		if len(list) != 1 || !samePlan(list[0], p) {
			t.Fatalf("ListPlans = %+v", list)
		}
	})
	h.run(t, "SaveAddsAndReplaces", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		old := enrollment.Plan{ID: "1828", Name: "Old", Price: money.MustParse("25.00"), Active: false, CreatedAt: base}
		must(t, s.AddPlan(ctx(t), a, old), "AddPlan")
		must(t, s.AddPlan(ctx(t), b, old), "AddPlan")
		later := base.Add(time.Hour)
		replaced := fullPlan("1828")
		replaced.CreatedAt = later
		added := fullPlan("606")
		added.CreatedAt = later
		saved, err := s.SavePlans(ctx(t), a, []enrollment.Plan{replaced, added})
		must(t, err, "SavePlans")
		if saved != (ports.SavedPlans{Added: 1, Updated: 1}) {
			t.Fatalf("SavePlans = %+v, want 1 added, 1 updated", saved)
		}
		got, err := s.Plan(ctx(t), a, "1828")
		must(t, err, "Plan")
		want := fullPlan("1828") // every field replaced, active again, created_at kept
		if !samePlan(got, want) {
			t.Fatalf("replaced plan = %+v\nwant %+v", got, want)
		}
		got, err = s.Plan(ctx(t), a, "606")
		must(t, err, "Plan")
		if !got.CreatedAt.Equal(later) {
			t.Fatalf("added plan CreatedAt = %v, want %v", got.CreatedAt, later)
		}
		other, err := s.Plan(ctx(t), b, "1828")
		must(t, err, "Plan")
		if !samePlan(other, old) {
			t.Fatalf("another organisation's plan changed: %+v", other)
		}
	})
	h.run(t, "SaveAllOrNothing", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		_, err := s.SavePlans(ctx(t), missingOrg, []enrollment.Plan{fullPlan("1")})
		wantFault(t, err, fault.NotFound, tenant.ReasonOrgNotFound)
		// One id twice is refused and takes the whole batch with it.
		_, err = s.SavePlans(ctx(t), org, []enrollment.Plan{fullPlan("1"), fullPlan("2"), fullPlan("2")})
		wantFault(t, err, fault.Conflict, tenant.ReasonDuplicate)
		list, err := s.ListPlans(ctx(t), org, false)
		must(t, err, "ListPlans")
		if len(list) != 0 {
			t.Fatalf("a failed SavePlans left %v", planIDs(list))
		}
		saved, err := s.SavePlans(ctx(t), org, nil)
		must(t, err, "SavePlans(nil)")
		if saved != (ports.SavedPlans{}) {
			t.Fatalf("SavePlans(nil) = %+v", saved)
		}
	})
}

func (h harness) carriers(t *testing.T) {
	seedCodes := func() []string {
		var out []string
		for _, c := range enrollment.SeedCarriers() {
			out = append(out, c.Code)
		}
		slices.Sort(out)
		return out
	}
	codes := func(cs []enrollment.Carrier) []string {
		out := make([]string, len(cs))
		for i, c := range cs {
			out[i] = c.Code
		}
		return out
	}
	h.run(t, "SeededOnCreate", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		list, err := s.ListCarriers(ctx(t), org)
		must(t, err, "ListCarriers")
		if got, want := codes(list), seedCodes(); !slices.Equal(got, want) {
			t.Fatalf("a new organisation's carriers = %v, want %v", got, want)
		}
		c, err := s.Carrier(ctx(t), org, "BLUECONNECTSATT")
		must(t, err, "Carrier")
		if c.Name != "BlueConnects AT&T" || c.CreatedAt.IsZero() {
			t.Fatalf("Carrier = %+v", c)
		}
	})
	h.run(t, "AddAndGet", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		long := enrollment.Carrier{Code: "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", Name: "Thirty-two", CreatedAt: base}
		must(t, s.AddCarrier(ctx(t), a, long), "AddCarrier")
		got, err := s.Carrier(ctx(t), a, long.Code)
		must(t, err, "Carrier")
		if got != long && !(got.Code == long.Code && got.Name == long.Name && got.CreatedAt.Equal(base)) {
			t.Fatalf("Carrier = %+v, want %+v", got, long)
		}
		_, err = s.Carrier(ctx(t), b, long.Code)
		wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
		_, err = s.Carrier(ctx(t), a, "tmb") // codes match exactly
		wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
		wantFault(t, s.AddCarrier(ctx(t), a, enrollment.Carrier{Code: "TMB"}), fault.Conflict, tenant.ReasonDuplicate)
		wantFault(t, s.AddCarrier(ctx(t), missingOrg, long), fault.NotFound, tenant.ReasonOrgNotFound)
		list, err := s.ListCarriers(ctx(t), a)
		must(t, err, "ListCarriers")
		want := append(seedCodes(), long.Code)
		slices.Sort(want)
		if got := codes(list); !slices.Equal(got, want) {
			t.Fatalf("ListCarriers = %v, want %v", got, want)
		}
	})
}
