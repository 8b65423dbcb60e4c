package enrollment_test

import (
	"testing"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
)

func TestPlanWrite(t *testing.T) {
	later := with(validLine("wn118"), "activation_later", "Y")
	req, err := enrollment.Validate(request(t, validLine("WN117"), validLine("wn116"), later), enrollment.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var in []enrollment.WriteLine
	for i, l := range req.Lines() {
		wl := enrollment.WriteLine{Line: l, OrderID: int64(i)}
		if i == 1 {
			wl.InvoiceNumber = "2026-11-0007"
		}
		in = append(in, wl)
	}
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	p, err := enrollment.PlanWrite("wn116", "2026-11-0001", in, at)
	if err != nil {
		t.Fatal(err)
	}
	if p.Parent != "WN116" || p.ParentLine != 1 {
		t.Errorf("parent %q opened by line %d, want WN116 by line 1", p.Parent, p.ParentLine)
	}
	if got := p.IDs; len(got) != 3 || got[0] != "WN117" || got[1] != "WN116" || got[2] != "WN118" {
		t.Errorf("ids %v", got)
	}
	if got := p.ClaimOrder; len(got) != 3 || got[0] != 1 || got[1] != 0 || got[2] != 2 {
		t.Errorf("claim order %v, want by id: 1 0 2", got)
	}
	for i, want := range []struct {
		status  enrollment.LineStatus
		invoice string
		queued  bool
	}{{enrollment.StatusQueued, "2026-11-0001", true}, {enrollment.StatusQueued, "2026-11-0007", true}, {enrollment.StatusAttached, "2026-11-0001", false}} {
		r := p.Records[i]
		if r.Status != want.status || r.InvoiceNumber != want.invoice || p.Queued(i) != want.queued || r.OrderID != int64(i) ||
			!r.CreatedAt.Equal(at) || r.EnrollmentID != p.IDs[i] || r.PlanID != "1828" || r.FirstName != "John" {
			t.Errorf("line %d: %+v queued %v, want %+v", i, r, p.Queued(i), want)
		}
	}
	if p, err := enrollment.PlanWrite("WN999", "", in, at); err != nil || p.ParentLine != -1 {
		t.Errorf("a parent of no line: %d, %v", p.ParentLine, err)
	}
	if _, err := enrollment.PlanWrite("WN116", "", nil, at); fault.ReasonOf(err) != enrollment.ReasonLinesMissing {
		t.Errorf("no lines: %v", err)
	}
}

func TestWriteRefusals(t *testing.T) {
	err := enrollment.EnrollmentIDUsed(2, 3, "WN117")
	fe, ok := fault.As(err)
	if !ok || fe.Code != fault.Conflict || fe.Message != enrollment.MsgEnrollmentIDUsed || len(fe.Violations) != 1 ||
		fe.Violations[0].Line != 2 || fe.Violations[0].Message != "Line 2: "+enrollment.MsgEnrollmentIDUsed {
		t.Errorf("used: %+v", fe)
	}
	if fe, _ := fault.As(enrollment.EnrollmentIDUsed(1, 1, "WN117")); fe.Violations[0].Message != enrollment.MsgEnrollmentIDUsed {
		t.Errorf("used, one line: %q", fe.Violations[0].Message)
	}
	if err := enrollment.EnrollmentIDNotIssued("WN1"); fault.CodeOf(err) != fault.NotFound || fault.ReasonOf(err) != enrollment.ReasonEnrollmentIDNotIssued {
		t.Errorf("not issued: %v", err)
	}
	if err := enrollment.ParentMissing("WN1"); fault.CodeOf(err) != fault.NotFound || fault.ReasonOf(err) != enrollment.ReasonParentNotFound {
		t.Errorf("parent: %v", err)
	}
}
