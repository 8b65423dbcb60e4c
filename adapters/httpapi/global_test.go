package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/ports"
)

// TestCreateGlobalSeries: is_global reaches the spec as a boolean, the
// series is shown with is_global and no owner code, and a non-boolean is a
// 400 naming the field.
func TestCreateGlobalSeries(t *testing.T) {
	h := newHarness(t)
	w := h.authed(http.MethodPost, createPath, `{"start":"G001","end":"G009","item_code":"IT","is_global":true}`)
	wantStatus(t, w, http.StatusOK)
	if !h.series.spec.Global || h.series.spec.ClientCode != "" {
		t.Fatalf("spec = %+v", h.series.spec)
	}
	data := decode(t, w.Body.Bytes())["data"].(map[string]any)
	if data["is_global"] != true || data["client_code"] != nil || data["hub_code"] != nil {
		t.Errorf("data = %v", data)
	}
	// false and null mean an ordinary series.
	for _, v := range []string{"false", "null"} {
		w = h.authed(http.MethodPost, createPath, `{"start":"G001","end":"G009","item_code":"IT","client_code":"C","is_global":`+v+`}`)
		wantStatus(t, w, http.StatusOK)
		if h.series.spec.Global {
			t.Errorf("is_global %s: spec = %+v", v, h.series.spec)
		}
	}
	for _, v := range []string{`"true"`, `1`, `[]`} {
		w = h.invalid().authed(http.MethodPost, createPath, `{"start":"G001","end":"G009","item_code":"IT","is_global":`+v+`}`)
		wantStatus(t, w, http.StatusBadRequest)
		if msg, _ := errorOf(t, w.Body.Bytes())["message"].(string); !strings.Contains(msg, "is_global") {
			t.Errorf("is_global %s: message %q does not name the field", v, msg)
		}
	}
}

func TestListGlobalSeries(t *testing.T) {
	h := newHarness(t)
	h.series.listFn = func(ports.SeriesQuery) (ports.SeriesPage, error) {
		return ports.SeriesPage{Items: []series.Series{seriesFromSpec(series.Spec{Start: "G1", End: "G9", Global: true, ItemCode: "I"})}, Total: 1}, nil
	}
	w := h.authed(http.MethodGet, SeriesPath+"?is_global=true", "")
	wantStatus(t, w, http.StatusOK)
	if !h.series.query.Global {
		t.Fatalf("query = %+v, want Global", h.series.query)
	}
	item := decode(t, w.Body.Bytes())["data"].(map[string]any)["series"].([]any)[0].(map[string]any)
	if item["is_global"] != true {
		t.Errorf("item = %v", item)
	}
	w = h.invalid().authed(http.MethodGet, SeriesPath+"?is_global=yes", "")
	wantStatus(t, w, http.StatusBadRequest)
}

// TestHistoryShowsCreateAndDelete: the create and delete entries of a
// series are answered by /history as the document describes them (from
// nothing to available, and back).
func TestHistoryShowsCreateAndDelete(t *testing.T) {
	h := newHarness(t)
	created := entry(series.Consume, "V10000071", "V10000080", "", series.Available, "")
	created.ID, created.Action = 1, series.ActionCreate
	deleted := entry(series.Consume, "V10000071", "V10000080", series.Available, "", "")
	deleted.ID, deleted.Action = 2, series.ActionDelete
	h.numbers.histFn = func(ports.HistoryQuery) (ports.HistoryPage, error) {
		return ports.HistoryPage{Items: []series.Entry{created, deleted}, Total: 2}, nil
	}
	w := h.authed(http.MethodGet, SeriesPath+"/history?series_id=42", "")
	wantStatus(t, w, http.StatusOK)
	es := decode(t, w.Body.Bytes())["data"].(map[string]any)["entries"].([]any)
	c, d := es[0].(map[string]any), es[1].(map[string]any)
	if c["action"] != "create" || c["before"] != "" || c["after"] != "available" || c["count"] != 10.0 {
		t.Errorf("create entry = %v", c)
	}
	if d["action"] != "delete" || d["before"] != "available" || d["after"] != "" {
		t.Errorf("delete entry = %v", d)
	}
}
