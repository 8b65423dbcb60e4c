package porttest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// issue issues each of ids to org at base.
func issue(t *testing.T, s ports.Store, org tenant.OrgID, ids ...string) {
	t.Helper()
	for _, id := range ids {
		err := s.IssueEnrollmentID(ctx(t), org, ports.IssuedEnrollmentID{ID: id, Zip: "98103", AgentID: testAgent, IssuedAt: base})
		must(t, err, "IssueEnrollmentID("+id+")")
	}
}

// create stores e in org and fails t on error.
func create(t *testing.T, s ports.Store, org tenant.OrgID, e ports.NewEnrollment) (enrollment.Account, []enrollment.LineRecord) {
	t.Helper()
	a, recs, err := s.CreateEnrollment(ctx(t), org, e)
	must(t, err, "CreateEnrollment")
	return a, recs
}

// used returns which of ids org's store reports used, failing t on any id
// that is not issued to org.
func used(t *testing.T, s ports.Store, org tenant.OrgID, ids ...string) map[string]bool {
	t.Helper()
	got, err := s.EnrollmentIDs(ctx(t), org, ids)
	must(t, err, "EnrollmentIDs")
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		x, ok := got[id]
		if !ok {
			t.Fatalf("enrollment id %s is not issued (got %v)", id, got)
		}
		out[id] = x.Used
	}
	return out
}

func sameLine(a, b enrollment.LineRecord) bool {
	at, bt := a.CreatedAt, b.CreatedAt
	a.CreatedAt, b.CreatedAt = time.Time{}, time.Time{}
	return a == b && at.Equal(bt)
}

func sameLines(t *testing.T, what string, got, want []enrollment.LineRecord) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d lines, want %d:\n got %+v\nwant %+v", what, len(got), len(want), got, want)
	}
	for i := range got {
		if !sameLine(got[i], want[i]) {
			t.Fatalf("%s: line %d = %+v, want %+v", what, i+1, got[i], want[i])
		}
	}
}

func customerIDs(recs []enrollment.LineRecord) []int64 {
	out := make([]int64, len(recs))
	for i, r := range recs {
		out[i] = r.CustomerID
	}
	return out
}

func (h harness) enrollmentIDs(t *testing.T) {
	h.run(t, "IssueAndLookup", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		issue(t, s, a, "WN116", "WN118")
		issue(t, s, b, "XB001")
		got, err := s.EnrollmentIDs(ctx(t), a, []string{"WN116", "WN999", "XB001"})
		must(t, err, "EnrollmentIDs")
		if len(got) != 1 {
			t.Fatalf("EnrollmentIDs = %v, want only WN116 (WN999 was never issued, XB001 to another organisation)", got)
		}
		want := ports.IssuedEnrollmentID{ID: "WN116", Zip: "98103", AgentID: testAgent, IssuedAt: base}
		if x := got["WN116"]; x.ID != want.ID || x.Zip != want.Zip || x.AgentID != want.AgentID || !x.IssuedAt.Equal(base) || x.Used {
			t.Fatalf("EnrollmentIDs[WN116] = %+v, want %+v", x, want)
		}
		none, err := s.EnrollmentIDs(ctx(t), a, nil)
		must(t, err, "EnrollmentIDs of none")
		if len(none) != 0 {
			t.Fatalf("EnrollmentIDs(nil) = %v", none)
		}
	})
	h.run(t, "Program", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		issue(t, s, org, "WN116")
		err := s.IssueEnrollmentID(ctx(t), org, ports.IssuedEnrollmentID{ID: "LL001", Zip: "98103", AgentID: testAgent,
			Program: tenant.ProgramLifeline, IssuedAt: base})
		must(t, err, "IssueEnrollmentID(LIFELINE)")
		got, err := s.EnrollmentIDs(ctx(t), org, []string{"WN116", "LL001"})
		must(t, err, "EnrollmentIDs")
		if got["WN116"].Program != tenant.ProgramNonLifeline || got["LL001"].Program != tenant.ProgramLifeline {
			t.Fatalf("programs = %+v, want NON_LIFELINE (the default) and LIFELINE", got)
		}
	})
	h.run(t, "LookupIgnoresCase", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		issue(t, s, org, "WN116")
		got, err := s.EnrollmentIDs(ctx(t), org, []string{"wn116"})
		must(t, err, "EnrollmentIDs")
		if x, ok := got["WN116"]; !ok || x.ID != "WN116" {
			t.Fatalf("EnrollmentIDs(wn116) = %v, want WN116 under its upper-case id", got)
		}
	})
	h.run(t, "DuplicateGlobal", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		issue(t, s, a, "WN116")
		dup := ports.IssuedEnrollmentID{ID: "WN116", Zip: "10001", AgentID: "other", IssuedAt: base}
		wantFault(t, s.IssueEnrollmentID(ctx(t), a, dup), fault.Conflict, tenant.ReasonDuplicate)
		wantFault(t, s.IssueEnrollmentID(ctx(t), b, dup), fault.Conflict, tenant.ReasonDuplicate)
		got, err := s.EnrollmentIDs(ctx(t), b, []string{"WN116"})
		must(t, err, "EnrollmentIDs")
		if len(got) != 0 {
			t.Fatalf("the refused duplicate was issued to b: %v", got)
		}
	})
	h.run(t, "UnknownOrg", func(t *testing.T, s ports.Store) {
		mkOrg(t, s, "acme")
		err := s.IssueEnrollmentID(ctx(t), missingOrg, ports.IssuedEnrollmentID{ID: "WN116", Zip: "98103", AgentID: testAgent, IssuedAt: base})
		wantFault(t, err, fault.NotFound, tenant.ReasonOrgNotFound)
	})
}

func (h harness) enrollments(t *testing.T) {
	h.run(t, "NewParent", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		issue(t, s, org, "WN116", "WN118", "WN120")
		// The parent is the second line: any line may open the account.
		acct, recs := create(t, s, org, newEnrollment(t, "wn118", attached("wn116"), queued("WN118"), portIn("WN120")))
		if acct.ID == 0 || acct.ParentEnrollmentID != "WN118" || acct.AgentID != testAgent || acct.Source != testSource || !acct.CreatedAt.Equal(base) {
			t.Fatalf("CreateEnrollment account = %+v", acct)
		}
		want := []enrollment.LineRecord{
			{EnrollmentID: "WN116", Status: enrollment.StatusAttached, ActivationLater: true, ActivationType: enrollment.NewActivation},
			{EnrollmentID: "WN118", Status: enrollment.StatusQueued, ActivationType: enrollment.NewActivation},
			{EnrollmentID: "WN120", Status: enrollment.StatusQueued, ActivationType: enrollment.PortIn},
		}
		seen := map[int64]bool{}
		for i := range want {
			want[i].CustomerID = recs[i].CustomerID
			want[i].EnrollmentType = enrollment.Shipment
			want[i].PlanID = testPlan
			want[i].FirstName, want[i].LastName = "Test", "Tester"
			want[i].InvoiceNumber = testInvoice
			want[i].CreatedAt = base
			if recs[i].CustomerID == 0 || seen[recs[i].CustomerID] {
				t.Fatalf("line %d has customer id %d, want a new one", i+1, recs[i].CustomerID)
			}
			seen[recs[i].CustomerID] = true
		}
		sameLines(t, "CreateEnrollment", recs, want)

		got, err := s.AccountByEnrollmentID(ctx(t), org, "WN118")
		must(t, err, "AccountByEnrollmentID")
		if got.ID != acct.ID || got.ParentEnrollmentID != "WN118" || got.AgentID != testAgent || got.Source != testSource || !got.CreatedAt.Equal(base) {
			t.Fatalf("AccountByEnrollmentID = %+v, want %+v", got, acct)
		}
		sameLines(t, "AccountByEnrollmentID", got.Lines, want)
		if u := used(t, s, org, "WN116", "WN118", "WN120"); !u["WN116"] || !u["WN118"] || !u["WN120"] {
			t.Fatalf("used after create = %v, want every id used", u)
		}
		_, err = s.AccountByEnrollmentID(ctx(t), org, "WN116") // a line, not a parent
		wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)

		byID, err := s.LinesByEnrollmentID(ctx(t), org, []string{"wn120", "WN116", "WN999", "WN116"})
		must(t, err, "LinesByEnrollmentID")
		if len(byID) != 2 || !sameLine(byID["WN116"], want[0]) || !sameLine(byID["WN120"], want[2]) {
			t.Fatalf("LinesByEnrollmentID = %+v, want lines WN116 and WN120", byID)
		}
		other := mkOrg(t, s, "other")
		if none, err := s.LinesByEnrollmentID(ctx(t), other, []string{"WN116"}); err != nil || len(none) != 0 {
			t.Fatalf("another organisation sees lines: %v %v", none, err)
		}
	})
	h.run(t, "AttachToExistingAccount", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		issue(t, s, org, "P1", "L2", "L3")
		acct, first := create(t, s, org, newEnrollment(t, "P1", attached("P1")))
		e := newEnrollment(t, "P1", queued("L2"), attached("L3"))
		e.CreatedAt = base.Add(time.Hour)
		again, more := create(t, s, org, e)
		if again.ID != acct.ID || again.ParentEnrollmentID != "P1" {
			t.Fatalf("second CreateEnrollment account = %+v, want account %d", again, acct.ID)
		}
		if len(more) != 2 || more[0].EnrollmentID != "L2" || more[1].EnrollmentID != "L3" || !more[0].CreatedAt.Equal(e.CreatedAt) {
			t.Fatalf("second CreateEnrollment lines = %+v", more)
		}
		got, err := s.AccountByEnrollmentID(ctx(t), org, "P1")
		must(t, err, "AccountByEnrollmentID")
		sameLines(t, "AccountByEnrollmentID", got.Lines, append(first, more...))
		if !got.CreatedAt.Equal(base) {
			t.Fatalf("attaching changed the account's CreatedAt to %v", got.CreatedAt)
		}
		list, err := s.ListAccounts(ctx(t), org, ports.Query{})
		must(t, err, "ListAccounts")
		if len(list) != 1 {
			t.Fatalf("ListAccounts = %d accounts, want the one", len(list))
		}
	})
	h.run(t, "IDUsedTwice", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		issue(t, s, org, "P1", "L2", "P2")
		_, first := create(t, s, org, newEnrollment(t, "P1", queued("P1")))

		// Attaching a line whose id is taken, after a fresh one.
		_, _, err := s.CreateEnrollment(ctx(t), org, newEnrollment(t, "P1", queued("L2"), queued("P1")))
		wantFault(t, err, fault.Conflict, enrollment.ReasonEnrollmentIDUsed)
		// Opening a new account with a taken id among its lines.
		_, _, err = s.CreateEnrollment(ctx(t), org, newEnrollment(t, "P2", queued("P2"), attached("p1")))
		wantFault(t, err, fault.Conflict, enrollment.ReasonEnrollmentIDUsed)

		// Nothing of either failed request was written.
		if u := used(t, s, org, "L2", "P2"); u["L2"] || u["P2"] {
			t.Fatalf("a refused request marked ids used: %v", u)
		}
		_, err = s.AccountByEnrollmentID(ctx(t), org, "P2")
		wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
		got, err := s.AccountByEnrollmentID(ctx(t), org, "P1")
		must(t, err, "AccountByEnrollmentID")
		sameLines(t, "account after refused requests", got.Lines, first)
		q, err := s.ProvisioningQueue(ctx(t), org)
		must(t, err, "ProvisioningQueue")
		if want := customerIDs(first); !slices.Equal(q, want) {
			t.Fatalf("ProvisioningQueue = %v, want only %v", q, want)
		}
		list, err := s.ListAccounts(ctx(t), org, ports.Query{})
		must(t, err, "ListAccounts")
		if len(list) != 1 {
			t.Fatalf("ListAccounts = %d accounts, want 1", len(list))
		}

		// The ids of the refused requests are still free to use.
		_, recs := create(t, s, org, newEnrollment(t, "P2", queued("P2"), queued("L2")))
		if len(recs) != 2 {
			t.Fatalf("CreateEnrollment = %d lines", len(recs))
		}
	})
	h.run(t, "QueueOnlyActivationNow", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		issue(t, s, org, "A1", "A2", "A3", "B1", "B2")
		_, recs := create(t, s, org, newEnrollment(t, "A1", queued("A1"), attached("A2"), queued("A3")))
		_, more := create(t, s, org, newEnrollment(t, "B1", attached("B1"), queued("B2")))
		q, err := s.ProvisioningQueue(ctx(t), org)
		must(t, err, "ProvisioningQueue")
		if want := []int64{recs[0].CustomerID, recs[2].CustomerID, more[1].CustomerID}; !slices.Equal(q, want) {
			t.Fatalf("ProvisioningQueue = %v, want %v (activation_later N only, in order)", q, want)
		}
		empty, err := s.ProvisioningQueue(ctx(t), mkOrg(t, s, "other"))
		must(t, err, "ProvisioningQueue")
		if len(empty) != 0 {
			t.Fatalf("another organisation's queue = %v", empty)
		}
	})
	h.run(t, "ListAccounts", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		lines := map[string][]enrollment.LineRecord{}
		for i := range 4 {
			p := fmt.Sprintf("P%d", i)
			l := fmt.Sprintf("L%d", i)
			issue(t, s, org, p, l)
			e := newEnrollment(t, p, queued(p), attached(l))
			e.CreatedAt = base.Add(time.Duration(i) * time.Hour)
			_, recs := create(t, s, org, e)
			lines[p] = recs
		}
		list, err := s.ListAccounts(ctx(t), org, ports.Query{})
		must(t, err, "ListAccounts")
		var got []string
		for _, a := range list {
			got = append(got, a.ParentEnrollmentID)
			sameLines(t, "listed account "+a.ParentEnrollmentID, a.Lines, lines[a.ParentEnrollmentID])
		}
		if want := []string{"P3", "P2", "P1", "P0"}; !slices.Equal(got, want) {
			t.Fatalf("ListAccounts = %v, want %v (newest first)", got, want)
		}
		paged, err := s.ListAccounts(ctx(t), org, ports.Query{Limit: 2, Offset: 1})
		must(t, err, "ListAccounts paged")
		if len(paged) != 2 || paged[0].ParentEnrollmentID != "P2" || paged[1].ParentEnrollmentID != "P1" || len(paged[0].Lines) != 2 {
			t.Fatalf("ListAccounts(limit 2, offset 1) = %+v", paged)
		}
	})
	h.run(t, "TenantIsolation", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		issue(t, s, a, "WN116")
		issue(t, s, b, "XB001")
		// b cannot use an id issued to a.
		_, _, err := s.CreateEnrollment(ctx(t), b, newEnrollment(t, "WN116", queued("WN116")))
		if err == nil {
			t.Fatal("an organisation created a line with another organisation's enrollment id")
		}
		if u := used(t, s, a, "WN116"); u["WN116"] {
			t.Fatal("another organisation's attempt used the id")
		}
		_, recs := create(t, s, b, newEnrollment(t, "XB001", queued("XB001")))
		_, err = s.AccountByEnrollmentID(ctx(t), a, "XB001")
		wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
		list, err := s.ListAccounts(ctx(t), a, ports.Query{})
		must(t, err, "ListAccounts")
		if len(list) != 0 {
			t.Fatalf("a lists b's accounts: %+v", list)
		}
		q, err := s.ProvisioningQueue(ctx(t), a)
		must(t, err, "ProvisioningQueue")
		if len(q) != 0 {
			t.Fatalf("a's queue holds b's lines: %v", q)
		}
		q, err = s.ProvisioningQueue(ctx(t), b)
		must(t, err, "ProvisioningQueue")
		if !slices.Equal(q, customerIDs(recs)) {
			t.Fatalf("b's queue = %v, want %v", q, customerIDs(recs))
		}
	})
}
