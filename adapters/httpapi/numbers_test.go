package httpapi

import (
	"context"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/money"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// fakeNumbers is a NumberService whose answers the tests set. As in the
// server, it is always served; State looks the number up in the fake
// series service, so the look-up tests keep driving it.
type fakeNumbers struct {
	mu      sync.Mutex
	series  *fakeSeries
	mark    series.MarkSpec
	actor   series.Actor
	markFn  func(series.MarkSpec) ([]series.Entry, error)
	query   ports.HistoryQuery
	histFn  func(ports.HistoryQuery) (ports.HistoryPage, error)
	getFn   func(int64) (series.Series, error)
	stateFn func(string) (ports.NumberInfo, error)
}

var _ ports.NumberService = (*fakeNumbers)(nil)

func (f *fakeNumbers) Mark(_ context.Context, _ tenant.OrgID, spec series.MarkSpec, actor series.Actor) ([]series.Entry, error) {
	f.mu.Lock()
	f.mark, f.actor = spec, actor
	f.mu.Unlock()
	if f.markFn != nil {
		return f.markFn(spec)
	}
	return nil, fault.New(fault.Invalid, series.ReasonNumberFree, "no number is allotted")
}

func (f *fakeNumbers) State(ctx context.Context, org tenant.OrgID, number string) (ports.NumberInfo, error) {
	if f.stateFn != nil {
		return f.stateFn(number)
	}
	s, err := f.series.Lookup(ctx, org, number)
	if err != nil {
		return ports.NumberInfo{}, err
	}
	n, err := series.ParseNumber(number)
	if err != nil {
		return ports.NumberInfo{}, err
	}
	return ports.NumberInfo{Number: n, Series: s, State: series.Available}, nil
}

func (f *fakeNumbers) Series(_ context.Context, _ tenant.OrgID, id int64) (series.Series, error) {
	if f.getFn != nil {
		return f.getFn(id)
	}
	return series.Series{}, fault.New(fault.NotFound, series.ReasonNotFound, "no such series")
}

func (f *fakeNumbers) History(_ context.Context, _ tenant.OrgID, q ports.HistoryQuery) (ports.HistoryPage, error) {
	f.mu.Lock()
	f.query = q
	f.mu.Unlock()
	if f.histFn != nil {
		return f.histFn(q)
	}
	return ports.HistoryPage{}, nil
}

func (f *fakeNumbers) SetThreshold(context.Context, tenant.OrgID, ports.ThresholdRequest) (series.Threshold, error) {
	return series.Threshold{}, nil
}

func (f *fakeNumbers) Thresholds(context.Context, tenant.OrgID) ([]series.Threshold, error) {
	return nil, nil
}

func (f *fakeNumbers) Import(context.Context, tenant.OrgID, []ports.ImportRow, bool, series.Actor, func(int)) (ports.ImportReport, error) {
	return ports.ImportReport{}, nil
}

func (f *fakeNumbers) StockReport(context.Context, tenant.OrgID) ([]series.StockLine, error) {
	return nil, nil
}

// fakeLines is a LineService answering handover_activation.
type fakeLines struct {
	in         enrollment.HandoverInput
	handoverFn func(enrollment.HandoverInput) (ports.LineState, enrollment.Plan, error)
}

var _ ports.LineService = (*fakeLines)(nil)

func (f *fakeLines) Line(context.Context, tenant.OrgID, int64) (ports.LineState, []ports.LineEvent, error) {
	return ports.LineState{}, nil, fault.New(fault.NotFound, "LINE_NOT_FOUND", "no such line")
}

func (f *fakeLines) ListLines(context.Context, tenant.OrgID, ports.LineQuery) ([]ports.LineState, error) {
	return nil, nil
}

func (f *fakeLines) Retry(context.Context, tenant.OrgID, int64) (ports.LineState, error) {
	return ports.LineState{}, nil
}

func (f *fakeLines) Cancel(context.Context, tenant.OrgID, int64) (ports.LineState, error) {
	return ports.LineState{}, nil
}

func (f *fakeLines) ActivateHandover(_ context.Context, _ tenant.OrgID, in enrollment.HandoverInput) (ports.LineState, enrollment.Plan, error) {
	f.in = in
	if f.handoverFn != nil {
		return f.handoverFn(in)
	}
	return ports.LineState{}, enrollment.Plan{}, fault.New(fault.NotFound, "LINE_NOT_FOUND", "no line "+in.EnrollmentID)
}

var markedAt = time.Date(2026, 4, 5, 6, 7, 8, 0, time.UTC)

func entry(op series.Op, first, last string, before, after series.State, ref string) series.Entry {
	f, _ := series.ParseNumber(first)
	l, _ := series.ParseNumber(last)
	r, err := series.NewRange(f, l)
	if err != nil {
		panic(err)
	}
	c, _ := r.Count().Uint64()
	return series.Entry{SeriesID: 42, At: markedAt, Actor: series.APIKeyActor("ak_live_9fQ"), Action: series.ActionOf(op),
		Count: c, Numbers: r, Before: before, After: after, Reference: ref}
}

// TestNumberWrites: consume, void and release answer their changes in the
// documented envelope, take numbers as strings or digits-only JSON
// integers or a range, and name every failing number in details.
func TestNumberWrites(t *testing.T) {
	h := newHarness(t)
	h.numbers.markFn = func(spec series.MarkSpec) ([]series.Entry, error) {
		return []series.Entry{entry(spec.Op, "V10000075", "V10000075", series.Available, series.Used, spec.Reference)}, nil
	}
	w := h.authed(http.MethodPost, SeriesPath+"/consume", `{"numbers":["V10000075"],"reference":"BKG-4711","client_code":"SL1981"}`, "Idempotency-Key", "bkg-4711")
	wantStatus(t, w, http.StatusOK)
	want := map[string]any{"op": "consume", "changes": []any{map[string]any{"series_id": 42.0, "action": "consume", "start": "V10000075", "end": "V10000075",
		"count": 1.0, "before": "available", "after": "used", "reference": "BKG-4711", "actor": "api-key:ak_live_9fQ", "at": "2026-04-05T06:07:08Z"}}}
	if got := decode(t, w.Body.Bytes())["data"]; !reflect.DeepEqual(got, any(want)) {
		t.Errorf("data = %v\nwant %v", got, want)
	}
	if h.numbers.mark.Op != series.Consume || h.numbers.mark.ClientCode != "SL1981" || h.numbers.actor != "api-key:ak_live_9fQ" {
		t.Errorf("mark = %+v by %s", h.numbers.mark, h.numbers.actor)
	}

	w = h.authed(http.MethodPost, SeriesPath+"/void", `{"numbers":[12345675,"12345686"],"hub_code":"BF074"}`)
	wantStatus(t, w, http.StatusOK)
	if got := h.numbers.mark.Numbers; !reflect.DeepEqual(got, []string{"12345675", "12345686"}) || h.numbers.mark.Op != series.VoidOp {
		t.Errorf("numbers = %v", got)
	}
	w = h.authed(http.MethodPost, SeriesPath+"/release", `{"numbers":null,"start":"V10000078","end":"V10000079","client_code":"SL1981","hub_code":null,"reference":null}`)
	wantStatus(t, w, http.StatusOK)
	if m := h.numbers.mark; m.Start != "V10000078" || m.End != "V10000079" || m.Op != series.Release {
		t.Errorf("mark = %+v", m)
	}

	h.numbers.markFn = func(series.MarkSpec) ([]series.Entry, error) {
		var vs fault.Violations
		vs.Add(fault.Violation{Field: "numbers[0]", Rule: "state", Reason: series.ReasonNumberUsed, Message: "number V10000075 is already used"})
		vs.Add(fault.Violation{Field: "numbers[1]", Rule: "state", Reason: series.ReasonNumberVoid, Message: "number V10000079 is void"})
		return nil, vs.Err()
	}
	w = h.authed(http.MethodPost, SeriesPath+"/consume", `{"numbers":["V10000075","V10000079"],"client_code":"SL1981"}`)
	e := wantError(t, w, http.StatusBadRequest, series.ReasonNumberUsed, "WRONG_INPUT")
	if d, _ := e["details"].([]any); len(d) != 2 {
		t.Errorf("details = %v", e["details"])
	}

	w = h.invalid().authed(http.MethodPost, SeriesPath+"/consume", `{"numbers":[1.5],"client_code":"SL1981"}`)
	wantError(t, w, http.StatusBadRequest, reasonInvalidJSON, "WRONG_INPUT")
}

// TestNumberReads: one series with its stock, the history page and the
// look-up with the number's state are answered as documented.
func TestNumberReads(t *testing.T) {
	h := newHarness(t)
	s := seriesFromSpec(series.Spec{Start: "1234560", End: "1234569", HubCode: "BF074", ItemCode: "AWB", CheckDigit: "mod7"})
	s.CheckDigit = series.Mod7
	s.Stock = &series.Stock{Used: 1, Void: 2, Available: 7, Low: true}
	h.numbers.getFn = func(id int64) (series.Series, error) { return s, nil }
	w := h.authed(http.MethodGet, SeriesPath+"/42", "")
	wantStatus(t, w, http.StatusOK)
	data := decode(t, w.Body.Bytes())["data"].(map[string]any)
	if data["check_digit"] != "mod7" || data["used"] != 1.0 || data["void"] != 2.0 || data["available"] != 7.0 || data["low_stock"] != true {
		t.Errorf("series = %v", data)
	}
	w = h.invalid().authed(http.MethodGet, SeriesPath+"/nope", "")
	wantError(t, w, http.StatusBadRequest, reasonInvalidID, "WRONG_INPUT")
	h.numbers.getFn = nil
	w = h.authed(http.MethodGet, SeriesPath+"/43", "")
	wantError(t, w, http.StatusNotFound, series.ReasonNotFound, "")

	e := entry(series.VoidOp, "V10000078", "V10000079", series.Available, series.Void, "")
	e.ID = 7
	h.numbers.histFn = func(ports.HistoryQuery) (ports.HistoryPage, error) {
		return ports.HistoryPage{Items: []series.Entry{e}, Total: 3}, nil
	}
	w = h.authed(http.MethodGet, SeriesPath+"/history?series_id=42&since=2026-04-05T00:00:00Z&limit=1&offset=2", "")
	wantStatus(t, w, http.StatusOK)
	hist := decode(t, w.Body.Bytes())["data"].(map[string]any)
	if hist["total"] != 3.0 || hist["limit"] != 1.0 || hist["offset"] != 2.0 || len(hist["entries"].([]any)) != 1 {
		t.Errorf("history = %v", hist)
	}
	if q := h.numbers.query; q.SeriesID != 42 || q.Limit != 1 || q.Offset != 2 || !q.Since.Equal(time.Date(2026, 4, 5, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("query = %+v", q)
	}
	w = h.invalid().authed(http.MethodGet, SeriesPath+"/history?series_id=x&since=yesterday", "")
	if d, _ := wantError(t, w, http.StatusBadRequest, reasonInvalidID, "WRONG_INPUT")["details"].([]any); len(d) != 2 {
		t.Errorf("details = %v", d)
	}

	h.numbers.stateFn = func(number string) (ports.NumberInfo, error) {
		n, _ := series.ParseNumber("12345675")
		return ports.NumberInfo{Number: n, Series: s, State: series.Used, Reference: "BKG-4711", UpdatedAt: markedAt}, nil
	}
	w = h.authed(http.MethodGet, SeriesPath+"/lookup?number=12345675", "")
	wantStatus(t, w, http.StatusOK)
	data = decode(t, w.Body.Bytes())["data"].(map[string]any)
	if data["state"] != "used" || data["reference"] != "BKG-4711" || data["updated_at"] != "2026-04-05T06:07:08Z" {
		t.Errorf("lookup = %v", data)
	}
}

// TestHandoverActivation: the /handover module answers the line queued,
// mdn null until the carrier activated it, ids in the organisation's form.
func TestHandoverActivation(t *testing.T) {
	h := newHarness(t)
	h.lines.handoverFn = func(in enrollment.HandoverInput) (ports.LineState, enrollment.Plan, error) {
		return ports.LineState{CustomerID: 1, EnrollmentID: in.EnrollmentID, PlanID: "1828", FirstName: "Test", LastName: "Tester", State: "WA"},
			enrollment.Plan{ID: "1828", Name: "Basic", Price: money.MustParse("25.00")}, nil
	}
	body := `{"action":"handover_activation","agent_id":"ewebsiteapi","source":"API","enrollment_id":"EN9VQGNYRK","esn":"89012600000000000011",` +
		`"device_id":"DEV1","carrier":"TMB","payment_method":"CASH","billing_zip":"98103"}`
	w := h.bss(HandoverPath, body, h.enr.token())
	wantBSS(t, w, http.StatusOK, bssBody("Success", msgCodeSuccess, tokenN(2), "data", map[string]any{
		"customer_id": 1.0, "enrollment_id": "EN9VQGNYRK", "mdn": nil, "plan_id": "1828", "plan_price": "25.00",
		"customer_firstname": "Test", "customer_lastname": "Tester", "customer_state": "WA"}))
	if in := h.lines.in; in.ESN != "89012600000000000011" || in.Carrier != "TMB" || in.Billing.Zip != "98103" {
		t.Errorf("input = %+v", in)
	}
	// An organisation set to string ids gets them as strings, the MDN
	// too once the carrier assigned one.
	h.enr.ids = tenant.IDsString
	h.lines.handoverFn = func(in enrollment.HandoverInput) (ports.LineState, enrollment.Plan, error) {
		return ports.LineState{CustomerID: 1, EnrollmentID: in.EnrollmentID, PlanID: "1828", MDN: "2125550100"}, enrollment.Plan{ID: "1828"}, nil
	}
	w = h.bss(HandoverPath, body, tokenN(2))
	wantBSS(t, w, http.StatusOK, bssBody("Success", msgCodeSuccess, tokenN(3), "data", map[string]any{
		"customer_id": "1", "enrollment_id": "EN9VQGNYRK", "mdn": "2125550100", "plan_id": "1828", "plan_price": "",
		"customer_firstname": "", "customer_lastname": "", "customer_state": ""}))
	h.lines.handoverFn = nil
	w = h.bss(HandoverPath, body, tokenN(3))
	if got := decode(t, w.Body.Bytes())["msg_code"]; got == msgCodeSuccess {
		t.Errorf("msg_code = %v for an unknown line", got)
	}
}
