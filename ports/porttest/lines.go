package porttest

import (
	"slices"
	"sync"
	"testing"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
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
	t.Run("MDNStock", func(t *testing.T) { runMDNStock(t, newStore) })
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
		// Search: by MDN, by enrollment id in any case, by name.
		for _, tc := range []struct {
			search string
			want   []int64
		}{
			{"2125550100", []int64{recs[0].CustomerID}},
			{"l2", []int64{recs[1].CustomerID}},
			{"test TES", []int64{recs[0].CustomerID, recs[1].CustomerID}},
			{"TESTER", []int64{recs[0].CustomerID, recs[1].CustomerID}},
			{"%", nil},
			{"L", nil},
		} {
			list, err := s.ListLines(ctx(t), acme, ports.LineQuery{Search: tc.search})
			must(t, err, "ListLines search")
			var got []int64
			for _, l := range list {
				got = append(got, l.CustomerID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("ListLines search %q = %v, want %v", tc.search, got, tc.want)
			}
		}
	})
}

// simLine is an attached line claiming sim.
func simLine(id, sim string) lineSpec { return lineSpec{id: id, sim: sim} }

// iccid returns the ICCID of serial (18 digits) with its Luhn check digit.
func iccid(serial string) string {
	return series.Luhn.Full(series.MustParseNumber(serial)).String()
}

// keepSIMStock turns org's sim-stock setting on.
func keepSIMStock(t *testing.T, s ports.Store, org tenant.OrgID) {
	t.Helper()
	o, err := s.OrgByID(ctx(t), org)
	must(t, err, "OrgByID")
	o.Settings.SIMStock = true
	must(t, s.UpdateOrgSettings(ctx(t), org, o.Settings), "UpdateOrgSettings")
}

// numberState returns the state and reference of number n of org.
func numberState(t *testing.T, s ports.Store, org tenant.OrgID, n string) (series.State, string) {
	t.Helper()
	info, err := s.NumberState(ctx(t), org, series.MustParseNumber(n))
	must(t, err, "NumberState("+n+")")
	return info.State, info.Reference
}

// runSIMStock is RunLineStore's SIM cases: with SIM stock (the sim-stock
// setting, a Luhn series of item code SIM) a line's SIM must be an ICCID in
// it, and is consumed with the number-level machinery, so that one line
// holds it, in one request, in two, and in two concurrent ones; a cancelled
// line releases it; without the setting nothing is checked.
func runSIMStock(t *testing.T, newStore func(t *testing.T) LineStores) {
	inStock, other, outside := iccid("890126000000000001"), iccid("890126000000000002"), iccid("890126999999999999")
	badDigit := inStock[:len(inStock)-1] + string('0'+(inStock[len(inStock)-1]-'0'+1)%10)
	stocked := func(t *testing.T) (LineStores, tenant.OrgID) {
		s := newStore(t)
		org := mkOrg(t, s, "acme")
		sr := newSeries(customer("SIMS"), rng("890126000000000000", "890126000000000099"), enrollment.SIMItemCode)
		sr.CheckDigit = series.Luhn
		insert(t, s, org, sr)
		keepSIMStock(t, s, org)
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
	t.Run("NotAnICCID", func(t *testing.T) {
		s, org := stocked(t)
		issue(t, s, org, "S1", "S2")
		for _, bad := range []string{badDigit, "890126000000000001"} {
			_, _, err := s.CreateEnrollment(ctx(t), org, newEnrollment(t, "S1", simLine("S1", bad)))
			if fault.ReasonOf(err) != enrollment.ReasonSIMInvalid || fault.CodeOf(err) != fault.Invalid {
				t.Fatalf("SIM %s (a wrong check digit, or 18 digits): %v", bad, err)
			}
		}
		if st, _ := numberState(t, s, org, inStock); st != series.Available {
			t.Fatalf("a refused request changed the stock: %s is %s", inStock, st)
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
		if st, _ := numberState(t, s, org, inStock); st != series.Available {
			t.Fatalf("the refused request consumed %s: %s", inStock, st)
		}
	})
	t.Run("TwoRequestsAndRelease", func(t *testing.T) {
		s, org := stocked(t)
		issue(t, s, org, "S1", "S2", "S3")
		_, recs := create(t, s, org, newEnrollment(t, "S1", simLine("S1", inStock)))
		if st, ref := numberState(t, s, org, inStock); st != series.Used || ref != enrollment.StockReference("S1") {
			t.Fatalf("after enrollment %s is %s with reference %q, want used by line S1", inStock, st, ref)
		}
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
		if st, _ := numberState(t, s, org, inStock); st != series.Available {
			t.Fatalf("after cancel %s is %s, want available", inStock, st)
		}
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
		// A SIM series without the setting keeps nothing.
		insert(t, s, org, newSeries(customer("SIMS"), rng("8901260000000000000", "8901260000000000099"), enrollment.SIMItemCode))
		issue(t, s, org, "S1", "S2")
		create(t, s, org, newEnrollment(t, "S1", simLine("S1", outside), simLine("S2", "8901260000000000001")))
		if st, _ := numberState(t, s, org, "8901260000000000001"); st != series.Available {
			t.Fatalf("without sim-stock the SIM was consumed: %s", st)
		}
	})
}

// runMDNStock is RunLineStore's MDN cases: an activation without a carrier
// MDN draws the next of the carrier's MDN stock in its own transaction, so
// a refused write draws nothing; a carrier's MDN found in stock is
// consumed there; a cancelled line releases its MDN.
func runMDNStock(t *testing.T, newStore func(t *testing.T) LineStores) {
	setup := func(t *testing.T) (LineStores, tenant.OrgID, []enrollment.LineRecord) {
		s := newStore(t)
		org := mkOrg(t, s, "acme")
		insert(t, s, org, newSeries(enrollment.MDNStock("TMB"), rng("2065550100", "2065550199"), enrollment.MDNItemCode))
		issue(t, s, org, "M1", "M2", "M3")
		_, recs := create(t, s, org, newEnrollment(t, "M1", queued("M1"), queued("M2"), queued("M3")))
		for _, r := range recs {
			tr, _ := enrollment.Submit(enrollment.NewActivation, enrollment.StatusQueued)
			_, err := s.TransitionLine(ctx(t), org, r.CustomerID, tr, ports.LineChange{})
			must(t, err, "submit")
		}
		return s, org, recs
	}
	activate := func(t *testing.T, s LineStores, org tenant.OrgID, id int64, c ports.LineChange) (ports.LineState, error) {
		tr, err := enrollment.ActivateFromStock(enrollment.NewActivation, enrollment.StatusSubmitted)
		if c.MDN != "" {
			tr, err = enrollment.Activate(enrollment.NewActivation, enrollment.StatusSubmitted, c.MDN)
		}
		must(t, err, "activation transition")
		return s.TransitionLine(ctx(t), org, id, tr, c)
	}
	t.Run("DrawnInTheActivation", func(t *testing.T) {
		s, org, recs := setup(t)
		st, err := activate(t, s, org, recs[0].CustomerID, ports.LineChange{DrawMDN: "TMB"})
		must(t, err, "activate from stock")
		if st.Status != enrollment.StatusActive || st.MDN != "2065550100" || st.MSID != "2065550100" {
			t.Fatalf("activated line %+v, want MDN 2065550100", st)
		}
		h, _ := s.LineHistory(ctx(t), org, st.CustomerID)
		if last := h[len(h)-1]; last.Message != "active with MDN 2065550100" {
			t.Fatalf("history %+v", last)
		}
		if state, _ := numberState(t, s, org, "2065550100"); state != series.Used {
			t.Fatalf("the drawn MDN is %s", state)
		}
		// A write refused (the line is no longer SUBMITTED) draws nothing:
		// the next line still gets the next number.
		if _, err := activate(t, s, org, recs[0].CustomerID, ports.LineChange{DrawMDN: "TMB"}); fault.ReasonOf(err) != enrollment.ReasonLineTransitionInvalid {
			t.Fatalf("a second activation: %v", err)
		}
		if state, _ := numberState(t, s, org, "2065550101"); state != series.Available {
			t.Fatalf("the refused activation drew 2065550101: %s", state)
		}
		st, err = activate(t, s, org, recs[1].CustomerID, ports.LineChange{DrawMDN: "TMB"})
		must(t, err, "second line")
		if st.MDN != "2065550101" {
			t.Fatalf("second line MDN %s, want 2065550101", st.MDN)
		}
		// No stock for the carrier: the activation is not written.
		if _, err := activate(t, s, org, recs[2].CustomerID, ports.LineChange{DrawMDN: "ATT"}); fault.ReasonOf(err) != series.ReasonExhausted {
			t.Fatalf("no MDN stock: %v", err)
		}
		if st, _ := s.LineState(ctx(t), org, recs[2].CustomerID); st.Status != enrollment.StatusSubmitted || st.MDN != "" {
			t.Fatalf("a line without an MDN was written: %+v", st)
		}
	})
	t.Run("CarrierMDNConsumed", func(t *testing.T) {
		s, org, recs := setup(t)
		_, err := activate(t, s, org, recs[0].CustomerID, ports.LineChange{MDN: "2065550150"})
		must(t, err, "activate with the carrier's MDN")
		if state, ref := numberState(t, s, org, "2065550150"); state != series.Used || ref != enrollment.StockReference("M1") {
			t.Fatalf("the carrier's MDN in stock is %s (%q)", state, ref)
		}
		// A number outside the stock is the carrier's alone.
		_, err = activate(t, s, org, recs[1].CustomerID, ports.LineChange{MDN: "3125550100"})
		must(t, err, "activate with an MDN outside the stock")
		// A draw skips the number consumed.
		st, err := activate(t, s, org, recs[2].CustomerID, ports.LineChange{DrawMDN: "TMB"})
		must(t, err, "draw")
		if st.MDN != "2065550100" {
			t.Fatalf("drawn %s", st.MDN)
		}
	})
	t.Run("AreaCodeFirst", func(t *testing.T) {
		s, org, recs := setup(t)
		// A younger series of one number in area code 360, the zip's.
		insert(t, s, org, newSeries(enrollment.MDNStock("TMB"), rng("3605550100", "3605550100"), enrollment.MDNItemCode))
		z, err := enrollment.ServiceZip{Zip: "98103", City: "SEATTLE", State: "WA"}.WithAreaCode("360")
		must(t, err, "WithAreaCode")
		must(t, s.AddZips(ctx(t), org, []enrollment.ServiceZip{z}), "AddZips")
		if got, err := s.Zip(ctx(t), org, "98103"); err != nil || got != z {
			t.Fatalf("Zip = %+v, %v; want %+v", got, err, z)
		}
		st, err := activate(t, s, org, recs[0].CustomerID, ports.LineChange{DrawMDN: "TMB"})
		must(t, err, "first line")
		if st.MDN != "3605550100" {
			t.Fatalf("first line MDN %s, want 3605550100 of the zip's area code", st.MDN)
		}
		// The area code's stock spent, the carrier's other stock serves.
		st, err = activate(t, s, org, recs[1].CustomerID, ports.LineChange{DrawMDN: "TMB"})
		must(t, err, "second line")
		if st.MDN != "2065550100" {
			t.Fatalf("second line MDN %s, want 2065550100", st.MDN)
		}
	})
	t.Run("CancelReleases", func(t *testing.T) {
		s, org, recs := setup(t)
		st, err := activate(t, s, org, recs[0].CustomerID, ports.LineChange{DrawMDN: "TMB"})
		must(t, err, "activate")
		// No rule cancels an ACTIVE line today; the store releases what a
		// cancelled line holds, whatever it was before.
		tr := enrollment.Transition{Event: enrollment.EventCancel, From: enrollment.StatusActive, To: enrollment.StatusCancelled, Message: "test"}
		_, err = s.TransitionLine(ctx(t), org, st.CustomerID, tr, ports.LineChange{})
		must(t, err, "cancel")
		if state, _ := numberState(t, s, org, st.MDN); state != series.Available {
			t.Fatalf("after cancel the MDN %s is %s", st.MDN, state)
		}
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
