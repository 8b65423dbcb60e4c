package service_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/adapters/carrier"
	"github.com/allot-io/allot/app/service"
	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// lifecycleFixture is a migrated SQLite store with organisation acme, an
// MDN series 2125550100–2125550199 for carrier TMB, and queued lines.
type lifecycleFixture struct {
	store *bunstore.Store
	org   tenant.OrgID
	fake  *carrier.Fake
	svc   *service.Lifecycle
}

func newLifecycleFixture(t *testing.T) *lifecycleFixture {
	t.Helper()
	s, err := bunstore.Open(t.Context(), "sqlite:"+filepath.Join(t.TempDir(), "allot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	o, err := s.CreateOrg(t.Context(), tenant.Organisation{Code: "acme", Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.InsertSeries(t.Context(), o.ID, series.Series{Owner: enrollment.MDNStock("tmb"), Type: series.Virtual,
		Range: series.MustParseRange("2125550100", "2125550199"), ItemCode: enrollment.MDNItemCode})
	if err != nil {
		t.Fatalf("InsertSeries: %v", err)
	}
	fake := carrier.NewFake()
	return &lifecycleFixture{store: s, org: o.ID, fake: fake,
		svc: service.NewLifecycle(s, s, fake, nil)}
}

// enroll writes one enrollment of the given lines (activation_later N
// when now) and returns their customer ids.
func (f *lifecycleFixture) enroll(t *testing.T, ids []string, now bool) []int64 {
	t.Helper()
	var lines []enrollment.LineInput
	for _, id := range ids {
		if err := f.store.IssueEnrollmentID(t.Context(), f.org, ports.IssuedEnrollmentID{ID: id, Zip: "98103", AgentID: "agent"}); err != nil {
			t.Fatal(err)
		}
		later := "Y"
		if now {
			later = "N"
		}
		lines = append(lines, enrollment.LineInput{
			EnrollmentID: id, FirstName: "Test", LastName: "Tester", AlternatePhoneNumber: "1561651651", Email: "test@example.com",
			ServiceAddressOne: "112 N 41ST ST", ServiceCity: "SEATTLE", ServiceState: "WA", ServiceZip: "98103",
			PlanID: "1828", Carrier: "TMB", ActivationType: "NEWACTIVATION", EnrollmentType: "SHIPMENT", ActivationLater: later,
		})
	}
	req, err := enrollment.Validate(enrollment.RequestInput{Action: enrollment.ActionCreate, ParentEnrollmentID: ids[0], AgentID: "agent", Source: "WEBSITE", Lines: lines}, enrollment.Limits{})
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	e := ports.NewEnrollment{ParentEnrollmentID: req.ParentEnrollmentID(), AgentID: "agent", Source: req.Source()}
	for _, l := range req.Lines() {
		e.Lines = append(e.Lines, ports.NewLine{Line: l})
	}
	_, recs, err := f.store.CreateEnrollment(t.Context(), f.org, e)
	if err != nil {
		t.Fatalf("CreateEnrollment: %v", err)
	}
	out := make([]int64, len(recs))
	for i, r := range recs {
		out[i] = r.CustomerID
	}
	return out
}

// TestWorkerActivatesQueuedLines runs the River worker over SQLite with the
// fake carrier: every queued line goes QUEUED → SUBMITTED → ACTIVE with a
// distinct MDN drawn from the organisation's MDN series, activated once at
// the carrier, its history recording both transitions; an attached line
// is left alone until an activation queues it.
func TestWorkerActivatesQueuedLines(t *testing.T) {
	f := newLifecycleFixture(t)
	f.fake.FailFirst = 1 // the first carrier call fails: a River retry follows
	ids := f.enroll(t, []string{"E1", "E2", "E3"}, true)
	attached := f.enroll(t, []string{"E4"}, false)[0]

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.store.RunWorker(ctx, f.svc, bunstore.WorkerConfig{Poll: 20 * time.Millisecond}) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunWorker: %v", err)
		}
	}()

	deadline := time.Now().Add(20 * time.Second)
	seen := map[string]bool{}
	for _, id := range ids {
		var st ports.LineState
		for {
			var err error
			st, err = f.store.LineState(t.Context(), f.org, id)
			if err != nil {
				t.Fatal(err)
			}
			if st.Status == enrollment.StatusActive || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if st.Status != enrollment.StatusActive || len(st.MDN) != 10 || st.MSID == "" {
			t.Fatalf("line %d: %+v, want ACTIVE with an MDN and MSID", id, st)
		}
		if st.MDN < "2125550100" || st.MDN > "2125550199" || seen[st.MDN] {
			t.Fatalf("line %d MDN %s: not a fresh number of the series", id, st.MDN)
		}
		seen[st.MDN] = true
		if n := f.fake.Activations(enrollment.ActivationKey(int64(f.org), id)); n != 1 {
			t.Fatalf("line %d activated %d times at the carrier", id, n)
		}
		h, err := f.store.LineHistory(t.Context(), f.org, id)
		if err != nil || len(h) != 2 || h[0].To != enrollment.StatusSubmitted || h[1].To != enrollment.StatusActive {
			t.Fatalf("line %d history %+v, %v", id, h, err)
		}
	}
	st, err := f.store.LineState(t.Context(), f.org, attached)
	if err != nil || st.Status != enrollment.StatusAttached {
		t.Fatalf("attached line: %+v, %v", st, err)
	}
	// River marks a job completed shortly after Work returns.
	for {
		q, err := f.store.ProvisioningQueue(t.Context(), f.org)
		if err == nil && len(q) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("unfinished jobs left: %v, %v", q, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestProvisionFailsWhenRetriesSpent: a carrier error is returned for a
// retry until the last attempt, which leaves the line FAILED; an operator's
// retry queues it again and a working carrier activates it; cancel is
// refused for an active line.
func TestProvisionFailsWhenRetriesSpent(t *testing.T) {
	f := newLifecycleFixture(t)
	id := f.enroll(t, []string{"F1"}, true)[0]
	f.fake.Down = true
	if _, err := f.svc.Provision(t.Context(), f.org, id, 1); err == nil {
		t.Fatal("a carrier error on the first attempt must be returned for a retry")
	}
	st, _ := f.store.LineState(t.Context(), f.org, id)
	if st.Status != enrollment.StatusSubmitted {
		t.Fatalf("after a failed first attempt: %s", st.Status)
	}
	if _, err := f.svc.Provision(t.Context(), f.org, id, enrollment.MaxProvisionAttempts); err != nil {
		t.Fatalf("last attempt: %v", err)
	}
	st, _ = f.store.LineState(t.Context(), f.org, id)
	if st.Status != enrollment.StatusFailed {
		t.Fatalf("after the last attempt: %s, want FAILED", st.Status)
	}
	if _, err := f.svc.Retry(t.Context(), f.org, id); err != nil {
		t.Fatalf("Retry: %v", err)
	}
	q, _ := f.store.ProvisioningQueue(t.Context(), f.org)
	if len(q) != 1 || q[0] != id {
		t.Fatalf("after a retry the queue is %v", q)
	}
	f.fake.Down = false
	if _, err := f.svc.Provision(t.Context(), f.org, id, 1); err != nil {
		t.Fatalf("Provision after retry: %v", err)
	}
	st, _ = f.store.LineState(t.Context(), f.org, id)
	if st.Status != enrollment.StatusActive {
		t.Fatalf("after the retry: %s", st.Status)
	}
	if _, err := f.svc.Cancel(t.Context(), f.org, id); err == nil {
		t.Fatal("an ACTIVE line was cancelled")
	}
}

// TestProvisionAcceptedThenRejected: an accepted request is polled again
// later; a rejection leaves the line FAILED with the carrier's reason; an
// operator cancels it.
func TestProvisionAcceptedThenRejected(t *testing.T) {
	f := newLifecycleFixture(t)
	f.fake.Answer = func(ports.CarrierRequest) ports.CarrierAnswer {
		return ports.CarrierAnswer{Kind: ports.AnswerAccepted}
	}
	id := f.enroll(t, []string{"P1"}, true)[0]
	again, err := f.svc.Provision(t.Context(), f.org, id, 1)
	if err != nil || again != enrollment.CarrierPollDelay {
		t.Fatalf("accepted: %v, %v", again, err)
	}
	f.fake.Set(enrollment.ActivationKey(int64(f.org), id), ports.CarrierAnswer{Kind: ports.AnswerRejected, Reason: "bad SIM"})
	if _, err := f.svc.Provision(t.Context(), f.org, id, 2); err != nil {
		t.Fatal(err)
	}
	st, h, err := f.svc.Line(t.Context(), f.org, id)
	if err != nil || st.Status != enrollment.StatusFailed || h[len(h)-1].Message != "failed: rejected by the carrier: bad SIM" {
		t.Fatalf("rejected: %+v %+v %v", st, h, err)
	}
	if _, err := f.svc.Cancel(t.Context(), f.org, id); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
}
