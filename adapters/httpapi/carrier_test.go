package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/ports"
)

type callbackFunc func(context.Context, ports.CarrierCallback) (ports.CallbackResult, error)

func (f callbackFunc) Answer(ctx context.Context, cb ports.CarrierCallback) (ports.CallbackResult, error) {
	return f(ctx, cb)
}

// TestCarrierCallbackHandler: the handler passes the raw body, the
// signature header, the path's organisation and the decoded answer to the
// use case, and writes its faults through the one table; without a
// callback service the route does not exist.
func TestCarrierCallbackHandler(t *testing.T) {
	var got ports.CarrierCallback
	svc := callbackFunc(func(_ context.Context, cb ports.CarrierCallback) (ports.CallbackResult, error) {
		got = cb
		switch cb.Answer.Kind {
		case "rejected":
			return ports.CallbackResult{}, fault.New(fault.Unauthorized, enrollment.ReasonCallbackSignature, "bad signature")
		case "cancelled":
			return ports.CallbackResult{}, fault.Errorf(fault.NotFound, enrollment.ReasonLineNotFound, "line 9 not found")
		}
		return ports.CallbackResult{Applied: true, Line: ports.LineState{CustomerID: 9, Status: enrollment.StatusActive, MDN: "2125550100"}}, nil
	})
	api := New(Config{}, ports.Services{CarrierCallbacks: svc}, nil)
	post := func(path, body, sig string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		r.Header.Set(CarrierSignatureHeader, sig)
		w := httptest.NewRecorder()
		api.ServeHTTP(w, r)
		return w
	}
	body := `{"key":"allot-1-9","status":"ACTIVE","mdn":"2125550100","sent_at":"2026-12-01T10:00:00Z"}`
	w := post("/carrier/callback/ACME", body, "sha256=ab")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"applied":true`) || !strings.Contains(w.Body.String(), `"status":"ACTIVE"`) {
		t.Fatalf("200: %d %s", w.Code, w.Body)
	}
	if got.OrgCode != "ACME" || string(got.Body) != body || got.Signature != "sha256=ab" || got.Key != "allot-1-9" ||
		got.Answer.Kind != ports.AnswerActive || got.Answer.MDN != "2125550100" || !got.SentAt.Equal(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("the use case got %+v", got)
	}
	for _, c := range []struct {
		body   string
		status int
		reason string
	}{
		{`{"key":"allot-1-9","status":"rejected"}`, http.StatusUnauthorized, enrollment.ReasonCallbackSignature},
		{`{"key":"allot-1-9","status":"cancelled"}`, http.StatusNotFound, enrollment.ReasonLineNotFound},
		{`not json`, http.StatusBadRequest, reasonInvalidJSON},
		{`{"key":"allot-1-9","status":"active","sent_at":"yesterday"}`, http.StatusBadRequest, "SENT_AT_INVALID"},
	} {
		w := post("/carrier/callback/ACME", c.body, "")
		var e envelope
		_ = json.Unmarshal(w.Body.Bytes(), &e)
		if w.Code != c.status || e.Error.Reason != c.reason {
			t.Errorf("%s: %d %s, want %d %s", c.body, w.Code, w.Body, c.status, c.reason)
		}
	}
	none := New(Config{}, ports.Services{}, nil)
	r := httptest.NewRequest(http.MethodPost, "/carrier/callback/ACME", strings.NewReader(body))
	w = httptest.NewRecorder()
	none.ServeHTTP(w, r)
	if w.Code != http.StatusNotFound {
		t.Fatalf("without a callback service: %d", w.Code)
	}
}
