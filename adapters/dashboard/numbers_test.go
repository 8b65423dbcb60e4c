package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// fakeNumbers is the number use case of the dashboard's tests: it records
// each Mark and answers with markErr or one entry per range, and serves
// hist as every series' history.
type fakeNumbers struct {
	f       *fakes
	mu      sync.Mutex
	specs   []series.MarkSpec
	actors  []series.Actor
	markErr error
	hist    []series.Entry
	queries []ports.HistoryQuery
}

var _ ports.NumberService = (*fakeNumbers)(nil)

func (n *fakeNumbers) Mark(_ context.Context, org tenant.OrgID, spec series.MarkSpec, actor series.Actor) ([]series.Entry, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.f.asked(org)
	n.specs, n.actors = append(n.specs, spec), append(n.actors, actor)
	if n.markErr != nil {
		return nil, n.markErr
	}
	count := uint64(len(spec.Numbers))
	if spec.Start != "" {
		r := series.MustParseRange(spec.Start, spec.End)
		count, _ = r.Count().Uint64()
	}
	return []series.Entry{{Count: count}}, nil
}

func (n *fakeNumbers) State(context.Context, tenant.OrgID, string) (ports.NumberInfo, error) {
	return ports.NumberInfo{}, fault.New(fault.Internal, "", "not used")
}

func (n *fakeNumbers) Series(context.Context, tenant.OrgID, int64) (series.Series, error) {
	return series.Series{}, fault.New(fault.Internal, "", "not used")
}

func (n *fakeNumbers) History(_ context.Context, org tenant.OrgID, q ports.HistoryQuery) (ports.HistoryPage, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.f.asked(org)
	n.queries = append(n.queries, q)
	lo := min(q.Offset, len(n.hist))
	hi := min(lo+q.Limit, len(n.hist))
	return ports.HistoryPage{Items: n.hist[lo:hi], Total: len(n.hist)}, nil
}

func (n *fakeNumbers) SetThreshold(context.Context, tenant.OrgID, ports.ThresholdRequest) (series.Threshold, error) {
	return series.Threshold{}, fault.New(fault.Internal, "", "not used")
}

func (n *fakeNumbers) Thresholds(context.Context, tenant.OrgID) ([]series.Threshold, error) {
	return nil, nil
}

func (n *fakeNumbers) Import(context.Context, tenant.OrgID, []ports.ImportRow, bool, series.Actor, func(int)) (ports.ImportReport, error) {
	return ports.ImportReport{}, fault.New(fault.Internal, "", "not used")
}

func (n *fakeNumbers) StockReport(context.Context, tenant.OrgID) ([]series.StockLine, error) {
	return nil, nil
}

// newNumbersHarness is newHarness with the number use case served.
func newNumbersHarness(t *testing.T) (*harness, *fakeNumbers) {
	t.Helper()
	gin.SetMode(gin.TestMode)
	f := newFakes()
	nums := &fakeNumbers{f: f}
	svc := f.services()
	svc.Numbers = nums
	e := gin.New()
	New(Config{}, svc, nil).Register(e)
	t.Cleanup(func() {
		for _, org := range f.orgsAsked {
			if org != testOrg {
				t.Errorf("a service was asked for organisation %d, not the session's %d", org, testOrg)
			}
		}
	})
	return &harness{f: f, h: e}, nums
}

const numbersPath = "/dashboard/customers/SL1981/series/numbers"

// TestMarkNumbers: the form consumes, voids or releases the numbers typed
// (or a range) for the page's customer, as the signed-in operator, and
// comes back with the notification.
func TestMarkNumbers(t *testing.T) {
	h, nums := newNumbersHarness(t)
	w := h.get(t, "/dashboard/customers/SL1981/series")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, `action="/dashboard/customers/SL1981/series/numbers" id="numbers-form"`, `<option value="consume" selected>`,
		`<label for="mark-numbers">`, `id="history-1"`)

	w = h.post(t, numbersPath, url.Values{"op": {"consume"}, "numbers": {"V10000051, V10000052\nV10000053"}, "reference": {"BKG-1"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/dashboard/customers/SL1981/series?marked=consume&n=3" {
		t.Fatalf("consume = %d %s\n%s", w.Code, w.Header().Get("Location"), w.Body.String())
	}
	want := series.MarkSpec{Op: series.Consume, Numbers: []string{"V10000051", "V10000052", "V10000053"}, ClientCode: "SL1981", Reference: "BKG-1"}
	if got := nums.specs[0]; got.Op != want.Op || !slices.Equal(got.Numbers, want.Numbers) || got.ClientCode != want.ClientCode || got.Reference != want.Reference {
		t.Fatalf("spec = %+v, want %+v", got, want)
	}
	if nums.actors[0] != series.OperatorActor(testEmail) {
		t.Errorf("actor = %q", nums.actors[0])
	}
	wantBody(t, h.get(t, w.Header().Get("Location")), "3 numbers consumed")

	w = h.post(t, numbersPath, url.Values{"op": {"void"}, "range_start": {"V10000055"}, "range_end": {"V10000056"}})
	if w.Code != http.StatusSeeOther || !strings.HasSuffix(w.Header().Get("Location"), "?marked=void&n=2") {
		t.Fatalf("void = %d %s", w.Code, w.Header().Get("Location"))
	}
	if got := nums.specs[1]; got.Op != series.VoidOp || got.Start != "V10000055" || got.End != "V10000056" || len(got.Numbers) != 0 {
		t.Fatalf("void spec = %+v", got)
	}
	wantBody(t, h.get(t, "/dashboard/customers/SL1981/series?marked=release&n=1"), "1 number released")

	// Without the session's CSRF token nothing is applied.
	w = h.do(t, http.MethodPost, numbersPath, url.Values{"op": {"consume"}, "numbers": {"V10000054"}, csrfField: {"forged"}}, true)
	if w.Code < 400 || len(nums.specs) != 2 {
		t.Fatalf("forged post: %d, %d marks", w.Code, len(nums.specs))
	}
	// Another organisation's customer is not found, and nothing is asked.
	w = h.post(t, "/dashboard/customers/NOPE/series/numbers", url.Values{"op": {"consume"}, "numbers": {"V1"}})
	wantStatus(t, w, http.StatusNotFound)
	if len(nums.specs) != 2 {
		t.Fatal("a mark was asked for an unknown customer")
	}
}

// TestMarkNumbersErrorsKeepInput: a refused operation changes nothing and
// shows every failing number beside the field, with what was typed.
func TestMarkNumbersErrorsKeepInput(t *testing.T) {
	h, nums := newNumbersHarness(t)
	nums.markErr = series.NumberErrors([]error{
		fault.Errorf(fault.Invalid, series.ReasonNumberUsed, "number V10000051 is already used"),
		fault.Errorf(fault.Invalid, series.ReasonNumberVoid, "number V10000052 is void and can never be released"),
	})
	form := url.Values{"op": {"release"}, "numbers": {"V10000051 V10000052"}, "reference": {"returned"}}
	w := h.post(t, numbersPath, form)
	wantStatus(t, w, http.StatusUnprocessableEntity)
	wantBody(t, w, "No number was changed",
		`id="mark-numbers-error">number V10000051 is already used; number V10000052 is void and can never be released<`,
		`>V10000051 V10000052</textarea>`, `value="returned"`, `<option value="release" selected>`, `aria-invalid="true"`)

	nums.markErr = fault.InvalidField("reference", "pattern", series.ReasonInvalidRef, "reference must be at most 128 characters")
	w = h.post(t, numbersPath, url.Values{"op": {"consume"}, "numbers": {"V10000051"}, "reference": {strings.Repeat("x", 200)}})
	wantStatus(t, w, http.StatusUnprocessableEntity)
	wantBody(t, w, `id="mark-reference-error">reference must be at most 128 characters<`)

	nums.markErr = fault.New(fault.Invalid, series.ReasonNumberFree, "numbers V1-V9 are not in any series")
	w = h.post(t, numbersPath, url.Values{"op": {"consume"}, "range_start": {"V1"}, "range_end": {"V9"}})
	wantStatus(t, w, http.StatusUnprocessableEntity)
	wantBody(t, w, `role="alert" id="alert">numbers V1-V9 are not in any series<`, `value="V1"`, `value="V9"`)

	nums.markErr = fault.Wrap(errTest, "boom")
	w = h.post(t, numbersPath, url.Values{"op": {"consume"}, "numbers": {"V10000051"}})
	wantStatus(t, w, http.StatusInternalServerError)
	if strings.Contains(w.Body.String(), "boom") {
		t.Error("an internal error's cause is shown")
	}
}

// TestSeriesHistoryOnScreen: ?history=ID shows the latest entries of one
// of the page's series, and never another customer's.
func TestSeriesHistoryOnScreen(t *testing.T) {
	h, nums := newNumbersHarness(t)
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	for i := range historyShown + 5 {
		nums.hist = append(nums.hist, series.Entry{SeriesID: 1, At: at, Actor: "cli:ops", Action: series.ActionConsume,
			Numbers: series.MustParseRange("V10000051", "V10000051"), Count: 1, Before: series.Available, After: series.Used, Reference: fmt.Sprintf("BKG-%d", i)})
	}
	nums.hist[0].Action, nums.hist[0].Before, nums.hist[0].After = series.ActionCreate, "", series.Available
	w := h.get(t, "/dashboard/customers/SL1981/series?history=1")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, `<h2 id="history">History of series V10000051 – V10000060 (latest 50 of 55)</h2>`,
		`<td data-label="Reference">BKG-54</td>`, `<td data-label="Who">cli:ops</td>`, `<td data-label="When (UTC)">2026-11-30 09:00:00</td>`)
	if strings.Contains(w.Body.String(), ">BKG-4<") {
		t.Error("the oldest entries beyond the latest 50 are shown")
	}
	if q := nums.queries[len(nums.queries)-1]; q.SeriesID != 1 || q.Offset != 5 || q.Limit != historyShown {
		t.Errorf("history query = %+v", q)
	}
	// Series 9 is GL438's: not on SL1981's page.
	n := len(nums.queries)
	w = h.get(t, "/dashboard/customers/SL1981/series?history=9")
	wantStatus(t, w, http.StatusNotFound)
	if len(nums.queries) != n || strings.Contains(w.Body.String(), `id="history"`) {
		t.Error("another customer's history was read")
	}
}

// TestLowStockOnScreen marks a series whose available numbers are at or
// below the customer's threshold.
func TestLowStockOnScreen(t *testing.T) {
	h, _ := newNumbersHarness(t)
	h.f.series[0].Stock = &series.Stock{Available: 3, Low: true}
	h.f.series[1].Stock = &series.Stock{Available: 7}
	w := h.get(t, "/dashboard/customers/SL1981/series")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, `data-label="Available" class="num">3 <strong class="low" id="low-1">Low stock</strong><`)
	if strings.Contains(w.Body.String(), `id="low-2"`) {
		t.Error("a series above its threshold is marked low")
	}
}

// TestNumberFormHasLabels runs the label check over the screen with the
// number form and its errors.
func TestNumberFormHasLabels(t *testing.T) {
	h, nums := newNumbersHarness(t)
	nums.markErr = fault.InvalidField("numbers", "required", series.ReasonNumbersMissing, "numbers, or start and end, should be present")
	for _, w := range []*http.Response{
		h.get(t, "/dashboard/customers/SL1981/series").Result(),
		h.post(t, numbersPath, url.Values{"op": {"consume"}}).Result(),
	} {
		var b strings.Builder
		_, _ = fmt.Fprint(&b, readAll(w))
		body := b.String()
		for _, ctl := range controlRE.FindAllString(body, -1) {
			if m := typeRE.FindStringSubmatch(ctl); m != nil && m[1] == "hidden" {
				continue
			}
			id := idRE.FindStringSubmatch(ctl)
			if id == nil || !strings.Contains(body, `<label for="`+id[1]+`"`) {
				t.Errorf("%s has no label", ctl)
			}
		}
	}
}

func readAll(r *http.Response) string {
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := r.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}
