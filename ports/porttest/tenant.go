package porttest

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

func (h harness) orgs(t *testing.T) {
	h.run(t, "CreateAndGet", func(t *testing.T, s ports.Store) {
		o, err := s.CreateOrg(ctx(t), tenant.Organisation{Code: "acme", Name: "Acme Ltd", Disabled: true, CreatedAt: base})
		must(t, err, "CreateOrg")
		if o.ID == 0 {
			t.Fatal("CreateOrg returned no ID")
		}
		want := tenant.Organisation{ID: o.ID, Code: "acme", Name: "Acme Ltd", Disabled: true, CreatedAt: base}
		if !o.CreatedAt.Equal(base) {
			t.Fatalf("CreatedAt = %v, want the given %v", o.CreatedAt, base)
		}
		byCode, err := s.OrgByCode(ctx(t), "acme")
		must(t, err, "OrgByCode")
		byID, err := s.OrgByID(ctx(t), o.ID)
		must(t, err, "OrgByID")
		for _, got := range []tenant.Organisation{byCode, byID} {
			if !sameOrg(got, want) {
				t.Fatalf("got %+v, want %+v", got, want)
			}
		}
	})
	h.run(t, "CreatedAtAssigned", func(t *testing.T, s ports.Store) {
		before := time.Now().Add(-time.Hour)
		o, err := s.CreateOrg(ctx(t), tenant.Organisation{Code: "acme", Name: "Acme"})
		must(t, err, "CreateOrg")
		if o.CreatedAt.IsZero() || o.CreatedAt.Before(before) {
			t.Fatalf("CreatedAt = %v, want it assigned", o.CreatedAt)
		}
		got, err := s.OrgByID(ctx(t), o.ID)
		must(t, err, "OrgByID")
		if !got.CreatedAt.Equal(o.CreatedAt) || got.Disabled {
			t.Fatalf("stored %+v, returned %+v", got, o)
		}
	})
	h.run(t, "Settings", func(t *testing.T, s ports.Store) {
		id := mkOrg(t, s, "acme")
		o, err := s.OrgByID(ctx(t), id)
		must(t, err, "OrgByID")
		if o.Settings.IDs() != tenant.IDsInt || !o.Settings.Programs.Has(tenant.ProgramNonLifeline) || o.Settings.Programs.Has(tenant.ProgramLifeline) {
			t.Fatalf("new organisation's settings = %+v, want the defaults", o.Settings)
		}
		st, err := tenant.Settings{}.With(tenant.SettingBSSIDs, "string")
		must(t, err, "With bss-ids")
		st, err = st.With(tenant.SettingPrograms, "LIFELINE,NON_LIFELINE")
		must(t, err, "With programs")
		must(t, s.UpdateOrgSettings(ctx(t), id, st), "UpdateOrgSettings")
		byCode, err := s.OrgByCode(ctx(t), "acme")
		must(t, err, "OrgByCode")
		byID, err := s.OrgByID(ctx(t), id)
		must(t, err, "OrgByID")
		for _, got := range []tenant.Organisation{byCode, byID} {
			if got.Settings != st {
				t.Fatalf("stored settings = %+v, want %+v", got.Settings, st)
			}
		}
		wantFault(t, s.UpdateOrgSettings(ctx(t), id+1000, st), fault.NotFound, tenant.ReasonOrgNotFound)
	})
	h.run(t, "Duplicate", func(t *testing.T, s ports.Store) {
		mkOrg(t, s, "acme")
		_, err := s.CreateOrg(ctx(t), tenant.Organisation{Code: "acme", Name: "Other"})
		wantFault(t, err, fault.Conflict, tenant.ReasonDuplicate)
	})
	h.run(t, "NotFound", func(t *testing.T, s ports.Store) {
		id := mkOrg(t, s, "acme")
		_, err := s.OrgByCode(ctx(t), "nope")
		wantFault(t, err, fault.NotFound, tenant.ReasonOrgNotFound)
		_, err = s.OrgByCode(ctx(t), "ACME") // codes are case-sensitive
		wantFault(t, err, fault.NotFound, tenant.ReasonOrgNotFound)
		_, err = s.OrgByID(ctx(t), id+1000)
		wantFault(t, err, fault.NotFound, tenant.ReasonOrgNotFound)
	})
	h.run(t, "List", func(t *testing.T, s ports.Store) {
		list, err := s.ListOrgs(ctx(t))
		must(t, err, "ListOrgs")
		if len(list) != 0 {
			t.Fatalf("fresh store lists %d organisations", len(list))
		}
		for _, c := range []string{"zeta", "Alpha", "beta", "alpha"} {
			mkOrg(t, s, c)
		}
		list, err = s.ListOrgs(ctx(t))
		must(t, err, "ListOrgs")
		if got, want := orgCodes(list), []string{"Alpha", "alpha", "beta", "zeta"}; !slices.Equal(got, want) {
			t.Fatalf("ListOrgs = %v, want %v (byte order)", got, want)
		}
	})
}

func sameOrg(a, b tenant.Organisation) bool {
	return a.ID == b.ID && a.Code == b.Code && a.Name == b.Name && a.Disabled == b.Disabled && a.CreatedAt.Equal(b.CreatedAt)
}

func orgCodes(os []tenant.Organisation) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i] = o.Code
	}
	return out
}

func (h harness) apiKeys(t *testing.T) {
	key := func(prefix string, at time.Time) tenant.APIKey {
		return tenant.APIKey{Prefix: prefix, Hash: []byte("hash-of-" + prefix), CreatedAt: at}
	}
	h.run(t, "CreateAndByHash", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		must(t, s.CreateAPIKey(ctx(t), org, key("ak_1", base)), "CreateAPIKey")
		o, k, err := s.APIKeyByHash(ctx(t), []byte("hash-of-ak_1"))
		must(t, err, "APIKeyByHash")
		if o.ID != org || o.Code != "acme" {
			t.Fatalf("APIKeyByHash organisation = %+v, want acme (%d)", o, org)
		}
		if k.Prefix != "ak_1" || !bytes.Equal(k.Hash, []byte("hash-of-ak_1")) || !k.CreatedAt.Equal(base) || k.Revoked() {
			t.Fatalf("APIKeyByHash key = %+v", k)
		}
	})
	h.run(t, "Duplicate", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		must(t, s.CreateAPIKey(ctx(t), a, key("ak_1", base)), "CreateAPIKey")
		err := s.CreateAPIKey(ctx(t), b, tenant.APIKey{Prefix: "ak_1", Hash: []byte("other"), CreatedAt: base})
		wantFault(t, err, fault.Conflict, tenant.ReasonDuplicate)
		err = s.CreateAPIKey(ctx(t), b, tenant.APIKey{Prefix: "ak_2", Hash: []byte("hash-of-ak_1"), CreatedAt: base})
		wantFault(t, err, fault.Conflict, tenant.ReasonDuplicate)
	})
	h.run(t, "NotFound", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		must(t, s.CreateAPIKey(ctx(t), org, key("ak_1", base)), "CreateAPIKey")
		_, _, err := s.APIKeyByHash(ctx(t), []byte("unknown"))
		wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
	})
	h.run(t, "ListNewestFirst", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		must(t, s.CreateAPIKey(ctx(t), a, key("ak_old", base)), "CreateAPIKey")
		must(t, s.CreateAPIKey(ctx(t), a, key("ak_new", base.Add(2*time.Hour))), "CreateAPIKey")
		must(t, s.CreateAPIKey(ctx(t), a, key("ak_mid", base.Add(time.Hour))), "CreateAPIKey")
		must(t, s.CreateAPIKey(ctx(t), b, key("bk_1", base)), "CreateAPIKey")
		list, err := s.ListAPIKeys(ctx(t), a)
		must(t, err, "ListAPIKeys")
		var got []string
		for _, k := range list {
			got = append(got, k.Prefix)
		}
		if want := []string{"ak_new", "ak_mid", "ak_old"}; !slices.Equal(got, want) {
			t.Fatalf("ListAPIKeys = %v, want %v", got, want)
		}
		empty, err := s.ListAPIKeys(ctx(t), mkOrg(t, s, "c"))
		must(t, err, "ListAPIKeys")
		if len(empty) != 0 {
			t.Fatalf("an organisation without keys lists %d", len(empty))
		}
	})
	h.run(t, "Revoke", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		must(t, s.CreateAPIKey(ctx(t), a, key("ak_1", base)), "CreateAPIKey")
		must(t, s.CreateAPIKey(ctx(t), b, key("bk_1", base)), "CreateAPIKey")
		at := base.Add(time.Hour)
		must(t, s.RevokeAPIKey(ctx(t), a, "ak_1", at), "RevokeAPIKey")
		_, k, err := s.APIKeyByHash(ctx(t), []byte("hash-of-ak_1"))
		must(t, err, "APIKeyByHash of a revoked key")
		if !k.Revoked() || !k.RevokedAt.Equal(at) {
			t.Fatalf("revoked key = %+v, want RevokedAt %v", k, at)
		}
		must(t, s.RevokeAPIKey(ctx(t), a, "ak_1", at.Add(time.Hour)), "revoking twice")
		list, err := s.ListAPIKeys(ctx(t), a)
		must(t, err, "ListAPIKeys")
		if len(list) != 1 || !list[0].Revoked() {
			t.Fatalf("ListAPIKeys after revoke = %+v", list)
		}

		wantFault(t, s.RevokeAPIKey(ctx(t), a, "nope", at), fault.NotFound, tenant.ReasonNotFound)
		// Another organisation's key is not found, and stays valid.
		wantFault(t, s.RevokeAPIKey(ctx(t), a, "bk_1", at), fault.NotFound, tenant.ReasonNotFound)
		_, k, err = s.APIKeyByHash(ctx(t), []byte("hash-of-bk_1"))
		must(t, err, "APIKeyByHash")
		if k.Revoked() {
			t.Fatal("revoking through another organisation revoked the key")
		}
	})
}

// codeKind drives the shared cases of customers, hubs and service types
// through one shape: code, name, created at.
type codeKind struct {
	add  func(s ports.Store, t *testing.T, org tenant.OrgID, code, name string, at time.Time) (entry, error)
	get  func(s ports.Store, t *testing.T, org tenant.OrgID, code string) (entry, error)
	list func(s ports.Store, t *testing.T, org tenant.OrgID, q ports.Query) ([]entry, error)
}

type entry struct {
	Code, Name string
	CreatedAt  time.Time
}

// customerEntry is the code, name and creation time of c.
func customerEntry(c tenant.Customer) entry {
	return entry{Code: c.Code, Name: c.Name, CreatedAt: c.CreatedAt}
}

var customerKind = codeKind{
	add: func(s ports.Store, t *testing.T, org tenant.OrgID, code, name string, at time.Time) (entry, error) {
		c, err := s.AddCustomer(ctx(t), org, tenant.Customer{Code: code, Name: name, CreatedAt: at})
		return customerEntry(c), err
	},
	get: func(s ports.Store, t *testing.T, org tenant.OrgID, code string) (entry, error) {
		c, err := s.Customer(ctx(t), org, code)
		return customerEntry(c), err
	},
	list: func(s ports.Store, t *testing.T, org tenant.OrgID, q ports.Query) ([]entry, error) {
		cs, err := s.ListCustomers(ctx(t), org, ports.CustomerQuery{Query: q})
		out := make([]entry, len(cs))
		for i, c := range cs {
			out[i] = customerEntry(c)
		}
		return out, err
	},
}

var hubKind = codeKind{
	add: func(s ports.Store, t *testing.T, org tenant.OrgID, code, name string, at time.Time) (entry, error) {
		h, err := s.AddHub(ctx(t), org, tenant.Hub{Code: code, Name: name, CreatedAt: at})
		return entry(h), err
	},
	get: func(s ports.Store, t *testing.T, org tenant.OrgID, code string) (entry, error) {
		h, err := s.Hub(ctx(t), org, code)
		return entry(h), err
	},
	list: func(s ports.Store, t *testing.T, org tenant.OrgID, q ports.Query) ([]entry, error) {
		hs, err := s.ListHubs(ctx(t), org, q)
		out := make([]entry, len(hs))
		for i, h := range hs {
			out[i] = entry(h)
		}
		return out, err
	},
}

var serviceTypeKind = codeKind{
	add: func(s ports.Store, t *testing.T, org tenant.OrgID, code, name string, at time.Time) (entry, error) {
		st, err := s.AddServiceType(ctx(t), org, tenant.ServiceType{Code: code, Name: name, CreatedAt: at})
		return entry(st), err
	},
	get: func(s ports.Store, t *testing.T, org tenant.OrgID, code string) (entry, error) {
		st, err := s.ServiceType(ctx(t), org, code)
		return entry(st), err
	},
	list: func(s ports.Store, t *testing.T, org tenant.OrgID, q ports.Query) ([]entry, error) {
		sts, err := s.ListServiceTypes(ctx(t), org, q)
		out := make([]entry, len(sts))
		for i, st := range sts {
			out[i] = entry(st)
		}
		return out, err
	},
}

func codesOf(es []entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Code
	}
	return out
}

// codes runs the cases shared by customers, hubs and service types.
func (h harness) codes(t *testing.T, k codeKind) {
	h.run(t, "AddAndGet", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		e, err := k.add(s, t, org, "SL1981", "Sun Logistics", base)
		must(t, err, "add")
		if e.Code != "SL1981" || e.Name != "Sun Logistics" || !e.CreatedAt.Equal(base) {
			t.Fatalf("add returned %+v", e)
		}
		got, err := k.get(s, t, org, "SL1981")
		must(t, err, "get")
		if got.Code != "SL1981" || got.Name != "Sun Logistics" || !got.CreatedAt.Equal(base) {
			t.Fatalf("get = %+v", got)
		}
		e, err = k.add(s, t, org, "BF074", "", time.Time{})
		must(t, err, "add without a time")
		if e.CreatedAt.IsZero() {
			t.Fatal("CreatedAt not assigned")
		}
	})
	h.run(t, "Duplicate", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		_, err := k.add(s, t, a, "SL1981", "One", base)
		must(t, err, "add")
		_, err = k.add(s, t, a, "SL1981", "Two", base)
		wantFault(t, err, fault.Conflict, tenant.ReasonDuplicate)
		// Codes are per organisation, and case-sensitive.
		_, err = k.add(s, t, b, "SL1981", "Other org", base)
		must(t, err, "the same code in another organisation")
		_, err = k.add(s, t, a, "sl1981", "Lower case", base)
		must(t, err, "the same code in another case")
	})
	h.run(t, "NotFound", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		_, err := k.add(s, t, a, "SL1981", "One", base)
		must(t, err, "add")
		_, err = k.get(s, t, a, "nope")
		wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
		_, err = k.get(s, t, b, "SL1981")
		wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
	})
	h.run(t, "ListAndPaging", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		var want []string
		for i := 59; i >= 0; i-- { // added out of order on purpose
			code := fmt.Sprintf("C%03d", i)
			_, err := k.add(s, t, a, code, "Name "+code, base)
			must(t, err, "add")
		}
		for i := range 60 {
			want = append(want, fmt.Sprintf("C%03d", i))
		}
		_, err := k.add(s, t, b, "B_ONLY", "Other org", base)
		must(t, err, "add")

		got, err := k.list(s, t, a, ports.Query{})
		must(t, err, "list")
		if !slices.Equal(codesOf(got), want[:50]) {
			t.Fatalf("default page = %v, want the first 50 by code", codesOf(got))
		}
		got, err = k.list(s, t, a, ports.Query{Limit: 7, Offset: 55})
		must(t, err, "list")
		if !slices.Equal(codesOf(got), want[55:]) {
			t.Fatalf("page at 55 = %v, want %v", codesOf(got), want[55:])
		}
		got, err = k.list(s, t, a, ports.Query{Limit: 5000})
		must(t, err, "list")
		if !slices.Equal(codesOf(got), want) {
			t.Fatalf("large page = %d entries, want all 60", len(got))
		}
		got, err = k.list(s, t, a, ports.Query{Offset: 60})
		must(t, err, "list")
		if len(got) != 0 {
			t.Fatalf("page past the end = %v", codesOf(got))
		}
		got, err = k.list(s, t, b, ports.Query{})
		must(t, err, "list")
		if !slices.Equal(codesOf(got), []string{"B_ONLY"}) {
			t.Fatalf("org b lists %v, want only its own", codesOf(got))
		}
		got, err = k.list(s, t, mkOrg(t, s, "c"), ports.Query{})
		must(t, err, "list")
		if len(got) != 0 {
			t.Fatalf("an empty organisation lists %v", codesOf(got))
		}
	})
}

func (h harness) customerSearch(t *testing.T) {
	h.run(t, "Search", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		for _, c := range []tenant.Customer{
			{Code: "SL1981", Name: "Sun Logistics"},
			{Code: "AB_1", Name: "100% Cotton"},
			{Code: "ABX1", Name: "Acme Boxes"},
			{Code: "moon", Name: "Moon Freight!"},
		} {
			_, err := s.AddCustomer(ctx(t), a, c)
			must(t, err, "AddCustomer")
		}
		_, err := s.AddCustomer(ctx(t), b, tenant.Customer{Code: "SL2000", Name: "Sun Other Org"})
		must(t, err, "AddCustomer")

		for _, tc := range []struct {
			search string
			want   []string
		}{
			{"", []string{"ABX1", "AB_1", "SL1981", "moon"}}, // byte order of codes
			{"sl19", []string{"SL1981"}},                     // code, other case
			{"LOGIST", []string{"SL1981"}},                   // name, other case
			{"sun", []string{"SL1981"}},                      // never another org's
			{"%", []string{"AB_1"}},                          // LIKE wildcard taken literally
			{"b_", []string{"AB_1"}},                         // '_' taken literally
			{"!", []string{"moon"}},                          // a common escape character
			{"o", []string{"ABX1", "AB_1", "SL1981", "moon"}},
			{"zzz", nil},
		} {
			got, err := s.ListCustomers(ctx(t), a, ports.CustomerQuery{Search: tc.search})
			must(t, err, "ListCustomers")
			var codes []string
			for _, c := range got {
				codes = append(codes, c.Code)
			}
			if !slices.Equal(codes, tc.want) {
				t.Errorf("search %q = %v, want %v", tc.search, codes, tc.want)
			}
		}
		got, err := s.ListCustomers(ctx(t), a, ports.CustomerQuery{Search: "o", Query: ports.Query{Limit: 2, Offset: 1}})
		must(t, err, "ListCustomers")
		if len(got) != 2 || got[0].Code != "AB_1" || got[1].Code != "SL1981" {
			t.Fatalf("paged search = %+v, want AB_1, SL1981", got)
		}
	})
}
