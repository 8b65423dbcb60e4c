package porttest

import (
	"slices"
	"sync"
	"testing"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// LineStores is what RunLineStore tests: a store that also keeps lines'
// lifecycle.
type LineStores interface {
	ports.Store
	ports.LineStore
}

// RunLineStore runs the conformance suite of ports.LineStore: transitions
// with their history, conditional on the status read, provisioning jobs
// queued with a transition and unique per line, one MDN per line.
func RunLineStore(t *testing.T, newStore func(t *testing.T) LineStores) {
	setup := func(t *testing.T) (LineStores, func(...lineSpec) []enrollment.LineRecord) {
		s := newStore(t)
		org := mkOrg(t, s, "acme")
		return s, func(specs ...lineSpec) []enrollment.LineRecord {
			var ids []string
			for _, sp := range specs {
				ids = append(ids, sp.id)
			}
			issue(t, s, org, ids...)
			_, recs := create(t, s, org, newEnrollment(t, ids[0], specs...))
			return recs
		}
	}
	t.Run("SIMStock", func(t *testing.T) { runSIMStock(t, newStore) })
	t.Run("TransitionWithHistory", func(t *testing.T) {
		s, mk := setup(t)
		org := mkOrg(t, s, "beta")
		recs := mk(queued("L1"))
		_ = org
		acme := orgOf(t, s, "acme")
		id := recs[0].CustomerID
		st, err := s.LineState(ctx(t), acme, id)
		must(t, err, "LineState")
		if st.Status != enrollment.StatusQueued || st.Carrier != "TMB" || st.ZIP != "98103" {
			t.Fatalf("LineState = %+v", st)
		}
		tr, err := enrollment.Submit(st.ActivationType, st.Status)
		must(t, err, "Submit")
		st, err = s.TransitionLine(ctx(t), acme, id, tr, ports.LineChange{})
		must(t, err, "TransitionLine submit")
		tr, err = enrollment.Activate(st.ActivationType, st.Status, "2125550100")
		must(t, err, "Activate")
		st, err = s.TransitionLine(ctx(t), acme, id, tr, ports.LineChange{MDN: "2125550100", MSID: "2125550100"})
		must(t, err, "TransitionLine activate")
		if st.Status != enrollment.StatusActive || st.MDN != "2125550100" || st.MSID != "2125550100" {
			t.Fatalf("after activation %+v", st)
		}
		h, err := s.LineHistory(ctx(t), acme, id)
		must(t, err, "LineHistory")
		var got []enrollment.LineStatus
		for _, e := range h {
			got = append(got, e.From, e.To)
		}
		if want := []enrollment.LineStatus{enrollment.StatusQueued, enrollment.StatusSubmitted, enrollment.StatusSubmitted, enrollment.StatusActive}; !slices.Equal(got, want) {
			t.Fatalf("history %v, want %v", got, want)
		}
		if h[1].Message != "active with MDN 2125550100" || h[1].At.IsZero() {
			t.Fatalf("history entry %+v", h[1])
		}
		// Another organisation sees no such line.
		if _, err := s.LineState(ctx(t), org, id); fault.CodeOf(err) != fault.NotFound {
			t.Fatalf("other org: %v", err)
		}
		if _, err := s.TransitionLine(ctx(t), org, id, tr, ports.LineChange{}); fault.CodeOf(err) != fault.NotFound {
			t.Fatalf("other org transition: %v", err)
		}
	})
	t.Run("StaleTransitionConflicts", func(t *testing.T) {
		s, mk := setup(t)
		acme := orgOf(t, s, "acme")
		id := mk(queued("L1"))[0].CustomerID
		tr, _ := enrollment.Submit(enrollment.NewActivation, enrollment.StatusQueued)
		_, err := s.TransitionLine(ctx(t), acme, id, tr, ports.LineChange{})
		must(t, err, "first submit")
		_, err = s.TransitionLine(ctx(t), acme, id, tr, ports.LineChange{})
		if fault.ReasonOf(err) != enrollment.ReasonLineTransitionInvalid {
			t.Fatalf("second submit from a stale status: %v", err)
		}
		h, _ := s.LineHistory(ctx(t), acme, id)
		if len(h) != 1 {
			t.Fatalf("history after a refused transition has %d entries", len(h))
		}
	})
	t.Run("EnqueueUniquePerLine", func(t *testing.T) {
		s, mk := setup(t)
		acme := orgOf(t, s, "acme")
		recs := mk(attached("L1"), attached("L2"))
		id := recs[0].CustomerID
		q, err := s.ProvisioningQueue(ctx(t), acme)
		must(t, err, "ProvisioningQueue")
		if len(q) != 0 {
			t.Fatalf("attached lines are queued: %v", q)
		}
		tr, _ := enrollment.Queue(enrollment.NewActivation, enrollment.StatusAttached)
		_, err = s.TransitionLine(ctx(t), acme, id, tr, ports.LineChange{Enqueue: true})
		must(t, err, "queue")
		// Failing and retrying while the first job is unfinished must not
		// add a second job for the line.
		f, _ := enrollment.Fail(enrollment.NewActivation, enrollment.StatusQueued, "test")
		_, err = s.TransitionLine(ctx(t), acme, id, f, ports.LineChange{})
		must(t, err, "fail")
		r, _ := enrollment.Retry(enrollment.NewActivation, enrollment.StatusFailed)
		_, err = s.TransitionLine(ctx(t), acme, id, r, ports.LineChange{Enqueue: true})
		must(t, err, "retry")
		q, err = s.ProvisioningQueue(ctx(t), acme)
		must(t, err, "ProvisioningQueue")
		if !slices.Equal(q, []int64{id}) {
			t.Fatalf("ProvisioningQueue = %v, want exactly one job for %d", q, id)
		}
	})
	t.Run("OneMDNPerLine", func(t *testing.T) {
		s, mk := setup(t)
		acme := orgOf(t, s, "acme")
		recs := mk(queued("L1"), queued("L2"))
		for i, r := range recs {
			tr, _ := enrollment.Submit(enrollment.NewActivation, enrollment.StatusQueued)
			_, err := s.TransitionLine(ctx(t), acme, r.CustomerID, tr, ports.LineChange{})
			must(t, err, "submit")
			tr, _ = enrollment.Activate(enrollment.NewActivation, enrollment.StatusSubmitted, "2125550100")
			_, err = s.TransitionLine(ctx(t), acme, r.CustomerID, tr, ports.LineChange{MDN: "2125550100"})
			if i == 0 {
				must(t, err, "first activation")
			} else if fault.CodeOf(err) != fault.Conflict {
				t.Fatalf("second line with the same MDN: %v, want Conflict", err)
			}
		}
		st, _ := s.LineState(ctx(t), acme, recs[1].CustomerID)
		if st.Status != enrollment.StatusSubmitted || st.MDN != "" {
			t.Fatalf("the refused activation was written: %+v", st)
		}
		list, err := s.ListLines(ctx(t), acme, ports.LineQuery{Status: enrollment.StatusActive})
		must(t, err, "ListLines")
		if len(list) != 1 || list[0].CustomerID != recs[0].CustomerID {
			t.Fatalf("ListLines ACTIVE = %+v", list)
		}
	})
}

// simLine is an attached line claiming sim.
func simLine(id, sim string) lineSpec { return lineSpec{id: id, sim: sim} }

// runSIMStock is RunLineStore's SIM cases: with SIM stock (a series of item
// code SIM) a line's SIM must be in it and one line holds it, in one
// request, in two, and in two concurrent ones; a cancelled line gives it
// back; without SIM stock nothing is checked.
func runSIMStock(t *testing.T, newStore func(t *testing.T) LineStores) {
	const inStock, other, outside = "8901260000000000001", "8901260000000000002", "8901269999999999999"
	stocked := func(t *testing.T) (LineStores, tenant.OrgID) {
		s := newStore(t)
		org := mkOrg(t, s, "acme")
		insert(t, s, org, newSeries(customer("SIMS"), rng("8901260000000000000", "8901260000000000099"), enrollment.SIMItemCode))
		return s, org
	}
	t.Run("NotInStock", func(t *testing.T) {
		s, org := stocked(t)
		issue(t, s, org, "S1")
		_, _, err := s.CreateEnrollment(ctx(t), org, newEnrollment(t, "S1", simLine("S1", outside)))
		if fault.ReasonOf(err) != enrollment.ReasonSIMNotInStock || fault.CodeOf(err) != fault.Invalid {
			t.Fatalf("a SIM outside the stock: %v", err)
		}
		if fe, _ := fault.As(err); len(fe.Violations) != 1 || fe.Violations[0].Field != "sim" || fe.Violations[0].Line != 1 {
			t.Fatalf("violations %+v", fe.Violations)
		}
		if m, _ := s.LinesByEnrollmentID(ctx(t), org, []string{"S1"}); len(m) != 0 {
			t.Fatalf("the refused line was written")
		}
	})
	t.Run("OneRequestTwoLines", func(t *testing.T) {
		s, org := stocked(t)
		issue(t, s, org, "S1", "S2")
		_, _, err := s.CreateEnrollment(ctx(t), org, newEnrollment(t, "S1", simLine("S1", inStock), simLine("S2", inStock)))
		if fault.ReasonOf(err) != enrollment.ReasonSIMInUse {
			t.Fatalf("two lines of one request with one SIM: %v", err)
		}
		if fe, _ := fault.As(err); len(fe.Violations) != 1 || fe.Violations[0].Line != 2 {
			t.Fatalf("violations %+v", fe.Violations)
		}
	})
	t.Run("TwoRequestsAndRelease", func(t *testing.T) {
		s, org := stocked(t)
		issue(t, s, org, "S1", "S2", "S3")
		_, recs := create(t, s, org, newEnrollment(t, "S1", simLine("S1", inStock)))
		_, _, err := s.CreateEnrollment(ctx(t), org, newEnrollment(t, "S2", simLine("S2", inStock)))
		if fault.ReasonOf(err) != enrollment.ReasonSIMInUse || fault.CodeOf(err) != fault.Conflict {
			t.Fatalf("a second request for a held SIM: %v", err)
		}
		st, err := s.LineState(ctx(t), org, recs[0].CustomerID)
		must(t, err, "LineState")
		if st.SIM != inStock {
			t.Fatalf("LineState SIM %q", st.SIM)
		}
		tr, _ := enrollment.Cancel(st.ActivationType, st.Status)
		_, err = s.TransitionLine(ctx(t), org, st.CustomerID, tr, ports.LineChange{})
		must(t, err, "cancel")
		create(t, s, org, newEnrollment(t, "S3", simLine("S3", inStock)))
	})
	t.Run("ConcurrentExactlyOne", func(t *testing.T) {
		s, org := stocked(t)
		const n = 8
		ids := make([]string, n)
		for i := range ids {
			ids[i] = "C" + string(rune('A'+i))
		}
		issue(t, s, org, ids...)
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for _, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, err := s.CreateEnrollment(ctx(t), org, newEnrollment(t, id, simLine(id, other)))
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		won := 0
		for err := range errs {
			switch {
			case err == nil:
				won++
			case fault.ReasonOf(err) != enrollment.ReasonSIMInUse:
				t.Errorf("a loser's error: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d concurrent enrollments claimed one SIM, want exactly 1", won)
		}
	})
	t.Run("NoStockNoCheck", func(t *testing.T) {
		s := newStore(t)
		org := mkOrg(t, s, "acme")
		issue(t, s, org, "S1", "S2")
		create(t, s, org, newEnrollment(t, "S1", simLine("S1", outside), simLine("S2", inStock)))
	})
}

// orgOf returns the id of the organisation with code.
func orgOf(t *testing.T, s ports.Store, code string) tenant.OrgID {
	t.Helper()
	orgs, err := s.ListOrgs(ctx(t))
	must(t, err, "ListOrgs")
	for _, o := range orgs {
		if o.Code == code {
			return o.ID
		}
	}
	t.Fatalf("no organisation %s", code)
	return 0
}
