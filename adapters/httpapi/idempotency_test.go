package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/idempotency"
	"github.com/allot-io/allot/domain/series"
)

func TestIdempotencyReplay(t *testing.T) {
	h := newHarness(t)
	first := h.authed(http.MethodPost, createPath, samplePayload, headerIdempotencyKey, "k-1")
	wantStatus(t, first, http.StatusOK)

	// The retry must not reach the service and must get the same bytes.
	h.series.createFn = func(series.Spec) (series.Series, error) {
		t.Error("retry reached the service")
		return series.Series{}, nil
	}
	again := h.authed(http.MethodPost, createPath, samplePayload, headerIdempotencyKey, "k-1")
	wantStatus(t, again, http.StatusOK)
	if again.Body.String() != first.Body.String() {
		t.Errorf("replay = %s\nfirst = %s", again.Body, first.Body)
	}
	if again.Header().Get(headerIdempotencyReplayed) != "true" {
		t.Error("replay not marked")
	}
	if h.series.calls != 1 || h.idem.finished != 1 {
		t.Errorf("service calls = %d, finished = %d", h.series.calls, h.idem.finished)
	}
}

func TestIdempotencyReplaysClientErrors(t *testing.T) {
	h := newHarness(t)
	h.series.createFn = func(series.Spec) (series.Series, error) {
		return series.Series{}, series.OverlapError(series.MustParseRange("V1", "V2"), series.MustParseRange("V2", "V3"))
	}
	first := h.authed(http.MethodPost, createPath, samplePayload, headerIdempotencyKey, "k")
	wantError(t, first, http.StatusBadRequest, series.ReasonOverlap, "WRONG_INPUT")
	again := h.authed(http.MethodPost, createPath, samplePayload, headerIdempotencyKey, "k")
	wantError(t, again, http.StatusBadRequest, series.ReasonOverlap, "WRONG_INPUT")
	if h.series.calls != 1 {
		t.Errorf("service calls = %d, want 1", h.series.calls)
	}
}

func TestIdempotencyKeyReusedIs422(t *testing.T) {
	h := newHarness(t)
	wantStatus(t, h.authed(http.MethodPost, createPath, samplePayload, headerIdempotencyKey, "k"), http.StatusOK)
	other := strings.Replace(samplePayload, "V10000080", "V10000090", 1)
	w := h.authed(http.MethodPost, createPath, other, headerIdempotencyKey, "k")
	wantError(t, w, http.StatusUnprocessableEntity, reasonIdemReused, "WRONG_INPUT")

	// Another path with the same body is another request too.
	w = h.authed(http.MethodPost, SeriesPath+"/next", samplePayload, headerIdempotencyKey, "k")
	wantError(t, w, http.StatusUnprocessableEntity, reasonIdemReused, "WRONG_INPUT")
}

func TestIdempotencyInProgressIs409(t *testing.T) {
	h := newHarness(t)
	// The first request is still running when the retry arrives.
	h.series.createFn = func(spec series.Spec) (series.Series, error) {
		w := h.authed(http.MethodPost, createPath, samplePayload, headerIdempotencyKey, "k")
		wantError(t, w, http.StatusConflict, reasonIdemInProgress, "")
		return seriesFromSpec(spec), nil
	}
	wantStatus(t, h.authed(http.MethodPost, createPath, samplePayload, headerIdempotencyKey, "k"), http.StatusOK)
}

func TestIdempotencyAbandonsServerErrors(t *testing.T) {
	h := newHarness(t)
	h.series.createFn = func(series.Spec) (series.Series, error) {
		return series.Series{}, fault.Unavailablef(nil, "db down")
	}
	wantError(t, h.authed(http.MethodPost, createPath, samplePayload, headerIdempotencyKey, "k"), http.StatusServiceUnavailable, "UNAVAILABLE", "")
	if h.idem.abandoned != 1 || h.idem.finished != 0 {
		t.Errorf("abandoned = %d, finished = %d", h.idem.abandoned, h.idem.finished)
	}
	// The retry runs again and succeeds.
	h.series.createFn = nil
	wantStatus(t, h.authed(http.MethodPost, createPath, samplePayload, headerIdempotencyKey, "k"), http.StatusOK)

	// A panic releases the key as well.
	h.series.createFn = func(series.Spec) (series.Series, error) { panic("boom") }
	wantError(t, h.authed(http.MethodPost, createPath, samplePayload, headerIdempotencyKey, "p"), http.StatusInternalServerError, "INTERNAL", "")
	if h.idem.abandoned != 2 {
		t.Errorf("abandoned after panic = %d", h.idem.abandoned)
	}
}

func TestIdempotencyKeysAreScopedByOrganisation(t *testing.T) {
	h := newHarness(t)
	wantStatus(t, h.authed(http.MethodPost, createPath, samplePayload, headerIdempotencyKey, "k"), http.StatusOK)
	w := h.do(http.MethodPost, createPath, samplePayload, "Authorization", "Basic "+otherKey, headerIdempotencyKey, "k")
	wantStatus(t, w, http.StatusOK)
	if w.Header().Get(headerIdempotencyReplayed) != "" || h.series.calls != 2 {
		t.Error("another organisation got a replay")
	}
}

func TestIdempotencyKeyTooLong(t *testing.T) {
	h := newHarness(t)
	w := h.invalid().authed(http.MethodPost, createPath, samplePayload, headerIdempotencyKey, strings.Repeat("k", 256))
	wantError(t, w, http.StatusBadRequest, idempotency.ReasonKeyInvalid, "WRONG_INPUT")
	if h.series.calls != 0 {
		t.Error("service ran")
	}
	w = h.authed(http.MethodPost, createPath, samplePayload, headerIdempotencyKey, strings.Repeat("k", 255))
	wantStatus(t, w, http.StatusOK)
}

func TestIdempotencyOnDeleteByID(t *testing.T) {
	h := newHarness(t)
	wantStatus(t, h.authed(http.MethodDelete, SeriesPath+"/4", "", headerIdempotencyKey, "d"), http.StatusOK)
	w := h.authed(http.MethodDelete, SeriesPath+"/4", "", headerIdempotencyKey, "d")
	wantStatus(t, w, http.StatusOK)
	if w.Header().Get(headerIdempotencyReplayed) != "true" || h.series.calls != 1 {
		t.Error("delete retry not replayed")
	}
	w = h.authed(http.MethodDelete, SeriesPath+"/5", "", headerIdempotencyKey, "d")
	wantError(t, w, http.StatusUnprocessableEntity, reasonIdemReused, "WRONG_INPUT")
}

func TestIdempotencyOversizedBodyIs413(t *testing.T) {
	h := newHarness(t)
	big := `{"x":"` + strings.Repeat("y", int(DefaultMaxBodyBytes)) + `"}`
	w := h.invalid().authed(http.MethodPost, createPath, big, headerIdempotencyKey, "big") // oversized
	wantError(t, w, http.StatusRequestEntityTooLarge, reasonPayloadTooLarge, "WRONG_INPUT")
}
