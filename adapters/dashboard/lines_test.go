package dashboard

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// fakeLines is a line service over a few lines, moving them with the
// domain's own transitions; the embedded interface is nil, so any other
// call fails the test with a panic.
type fakeLines struct {
	ports.LineService
	f       *fakes
	lines   map[int64]ports.LineState
	history map[int64][]ports.LineEvent
	queries []ports.LineQuery
	retried []int64
}

func (l *fakeLines) ListLines(_ context.Context, org tenant.OrgID, q ports.LineQuery) ([]ports.LineState, error) {
	l.f.asked(org)
	l.queries = append(l.queries, q)
	var out []ports.LineState
	for _, id := range []int64{301, 302} {
		st := l.lines[id]
		if (q.Status == "" || st.Status == q.Status) && (q.Search == "" || strings.EqualFold(q.Search, st.EnrollmentID) || q.Search == st.MDN) {
			out = append(out, st)
		}
	}
	return out, nil
}

func (l *fakeLines) Line(_ context.Context, org tenant.OrgID, id int64) (ports.LineState, []ports.LineEvent, error) {
	l.f.asked(org)
	st, ok := l.lines[id]
	if !ok {
		return ports.LineState{}, nil, fault.Errorf(fault.NotFound, enrollment.ReasonLineNotFound, "line %d not found", id)
	}
	return st, l.history[id], nil
}

func (l *fakeLines) move(id int64, next func(enrollment.ActivationType, enrollment.LineStatus) (enrollment.Transition, error)) (ports.LineState, error) {
	st := l.lines[id]
	tr, err := next(st.ActivationType, st.Status)
	if err != nil {
		return ports.LineState{}, err
	}
	st.Status = tr.To
	l.lines[id] = st
	l.history[id] = append(l.history[id], ports.LineEvent{Transition: tr, At: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)})
	return st, nil
}

func (l *fakeLines) Retry(_ context.Context, org tenant.OrgID, id int64) (ports.LineState, error) {
	l.f.asked(org)
	l.retried = append(l.retried, id)
	return l.move(id, enrollment.Retry)
}

func (l *fakeLines) Cancel(_ context.Context, org tenant.OrgID, id int64) (ports.LineState, error) {
	l.f.asked(org)
	return l.move(id, enrollment.Cancel)
}

// newLinesHarness is newHarness with a line service: line 301 ACTIVE with
// an MDN, line 302 FAILED.
func newLinesHarness(t *testing.T) (*harness, *fakeLines) {
	t.Helper()
	gin.SetMode(gin.TestMode)
	f := newFakes()
	at := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	l := &fakeLines{f: f,
		lines: map[int64]ports.LineState{
			301: {Org: testOrg, CustomerID: 301, EnrollmentID: "ENY4M5VZR7", ActivationType: enrollment.NewActivation, Status: enrollment.StatusActive,
				FirstName: "Ann", LastName: "Lee", Carrier: "TMB", MDN: "2065550100", MSID: "2065550100", UpdatedAt: at},
			302: {Org: testOrg, CustomerID: 302, EnrollmentID: "EN9VQGNYRK", ActivationType: enrollment.NewActivation, Status: enrollment.StatusFailed,
				FirstName: "Bo", LastName: "Lee", Carrier: "TMB", UpdatedAt: at},
		},
		history: map[int64][]ports.LineEvent{
			302: {{At: at, Transition: enrollment.Transition{Event: enrollment.EventFail, From: enrollment.StatusSubmitted, To: enrollment.StatusFailed,
				Message: "failed: rejected by the carrier: no coverage"}}},
		},
	}
	svc := f.services()
	svc.Lines = l
	e := gin.New()
	New(Config{}, svc, nil).Register(e)
	t.Cleanup(func() {
		for _, org := range f.orgsAsked {
			if org != testOrg {
				t.Errorf("a service was asked for organisation %d, not the session's %d", org, testOrg)
			}
		}
	})
	return &harness{f: f, h: e}, l
}

// TestLinesPage: the list with every column, searched and filtered as
// asked; a bad status is a readable error; signed out it is sign-in.
func TestLinesPage(t *testing.T) {
	h, l := newLinesHarness(t)
	w := h.get(t, "/dashboard/lines")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, "<h1>Enrollments and lines</h1>", `href="/dashboard/lines"`, `id="line-301"`, `id="line-302"`,
		`<td data-label="Enrollment id">ENY4M5VZR7</td>`, `<td data-label="Name">Ann Lee</td>`, `<td data-label="MDN">2065550100</td>`,
		`<td data-label="Status" class="status">FAILED</td>`, `<td data-label="Changed (UTC)">2026-12-01 09:30:00</td>`,
		`href="/dashboard/lines/302"`, `<option value="FAILED">`)

	w = h.get(t, "/dashboard/lines?q=eny4m5vzr7")
	wantBody(t, w, `id="line-301"`, `value="eny4m5vzr7"`)
	if strings.Contains(w.Body.String(), `id="line-302"`) {
		t.Error("search by enrollment id lists another line")
	}
	w = h.get(t, "/dashboard/lines?status=failed")
	wantBody(t, w, `id="line-302"`, `<option value="FAILED" selected>`)
	if got := l.queries[len(l.queries)-1]; got.Status != enrollment.StatusFailed || got.Limit != DefaultPageSize+1 {
		t.Errorf("status query = %+v", got)
	}
	wantBody(t, h.get(t, "/dashboard/lines?q=0000000000"), `id="no-lines"`)

	w = h.get(t, "/dashboard/lines?status=LOST")
	wantStatus(t, w, http.StatusUnprocessableEntity)
	wantBody(t, w, "is not a line status")

	w = h.do(t, http.MethodGet, "/dashboard/lines", nil, false)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/dashboard/signin" {
		t.Errorf("signed out: %d %q", w.Code, w.Header().Get("Location"))
	}
}

// TestLinePageRetryAndCancel: a failed line shows its history and both
// buttons as CSRF-protected POST forms; Retry queues it (then only Cancel
// goes, as the rules say), a post without the token changes nothing, a
// refused transition is shown on the page.
func TestLinePageRetryAndCancel(t *testing.T) {
	h, l := newLinesHarness(t)
	w := h.get(t, "/dashboard/lines/302")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, `<dd id="line-status">FAILED</dd>`, "failed: rejected by the carrier: no coverage",
		`action="/dashboard/lines/302/retry"`, `action="/dashboard/lines/302/cancel"`, `name="csrf" value="`+testCSRF+`"`)

	// The active line offers neither.
	w = h.get(t, "/dashboard/lines/301")
	wantBody(t, w, `<dd id="line-mdn">2065550100</dd>`, "No transition yet.")
	if strings.Contains(w.Body.String(), `id="retry"`) || strings.Contains(w.Body.String(), `id="cancel"`) {
		t.Error("an ACTIVE line offers retry or cancel")
	}

	// Without the session's token nothing is done.
	w = h.do(t, http.MethodPost, "/dashboard/lines/302/retry", url.Values{csrfField: {"forged"}}, true)
	wantStatus(t, w, http.StatusForbidden)
	if len(l.retried) != 0 {
		t.Fatalf("a forged post retried %v", l.retried)
	}

	w = h.post(t, "/dashboard/lines/302/retry", url.Values{})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/dashboard/lines/302?done=retry" {
		t.Fatalf("retry: %d %q", w.Code, w.Header().Get("Location"))
	}
	w = h.get(t, "/dashboard/lines/302?done=retry")
	wantBody(t, w, "Line queued for the carrier again.", `<dd id="line-status">QUEUED</dd>`, "retried by an operator")
	if strings.Contains(w.Body.String(), `id="retry"`) {
		t.Error("a QUEUED line offers retry")
	}

	// A second retry (the form of a stale page) is refused on the page.
	w = h.post(t, "/dashboard/lines/302/retry", url.Values{})
	wantStatus(t, w, http.StatusConflict)
	wantBody(t, w, `id="alert"`, "cannot be retried", `<dd id="line-status">QUEUED</dd>`)

	w = h.post(t, "/dashboard/lines/301/cancel", url.Values{})
	wantStatus(t, w, http.StatusConflict)
	wantBody(t, w, "cannot be cancelled")

	wantStatus(t, h.get(t, "/dashboard/lines/999"), http.StatusNotFound)
	wantStatus(t, h.get(t, "/dashboard/lines/abc"), http.StatusNotFound)
}

// TestLinesPageWithoutLines: a server without the line lifecycle answers
// with a readable error, not a crash.
func TestLinesPageWithoutLines(t *testing.T) {
	h := newHarness(t, Config{})
	w := h.get(t, "/dashboard/lines")
	wantStatus(t, w, http.StatusNotFound)
	wantBody(t, w, "This server keeps no line lifecycle.")
}
