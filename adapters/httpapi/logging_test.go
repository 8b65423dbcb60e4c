package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/series"
)

func TestLogsNeverContainAPIKeys(t *testing.T) {
	h := newHarness(t)
	b64 := base64.StdEncoding.EncodeToString([]byte(testKey + ":"))
	secretBody := `{"start":"V1","end":"V2","client_code":"SECRETBODYVALUE","item_code":"I"}`

	h.authed(http.MethodPost, createPath, secretBody)
	h.do(http.MethodPost, createPath, samplePayload, "Authorization", "Basic "+b64)
	h.do(http.MethodPost, createPath, samplePayload, "Authorization", "Basic "+revokedKey)
	h.do(http.MethodPost, createPath, samplePayload, "Authorization", revokedKey+"x")
	h.invalid().authed(http.MethodGet, SeriesPath+"/nope", "")
	h.series.createFn = func(series.Spec) (series.Series, error) { panic("boom") }
	h.authed(http.MethodPost, createPath, samplePayload)

	logs := h.logs.String()
	for _, secret := range []string{testKey, b64, revokedKey, "SECRETBODYVALUE", "Authorization", "Basic "} {
		if strings.Contains(logs, secret) {
			t.Errorf("log contains %q:\n%s", secret, logs)
		}
	}
}

func TestRequestLogLine(t *testing.T) {
	h := newHarness(t)
	// X-Forwarded-For is not believed: no proxy is trusted.
	w := h.authed(http.MethodGet, SeriesPath+"?item_code=I", "", headerRequestID, "req-123", "X-Forwarded-For", "203.0.113.9")
	wantStatus(t, w, http.StatusOK)
	if got := w.Header().Get(headerRequestID); got != "req-123" {
		t.Errorf("X-Request-ID = %q, want the client's", got)
	}

	var line map[string]any
	for _, l := range strings.Split(strings.TrimSpace(h.logs.String()), "\n") {
		if err := json.Unmarshal([]byte(l), &line); err != nil {
			t.Fatal(err)
		}
		if line["msg"] == "http request" {
			break
		}
	}
	want := map[string]any{"method": "GET", "path": SeriesPath, "status": 200.0, "org": testOrg.Code, "request_id": "req-123", "query_params": "item_code", "client_ip": "192.0.2.1"}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("log %s = %v, want %v (line %v)", k, line[k], v, line)
		}
	}
	for _, k := range []string{"duration", "bytes"} {
		if _, ok := line[k]; !ok {
			t.Errorf("log line lacks %s: %v", k, line)
		}
	}
}

func TestRequestIDGeneratedWhenUnsafe(t *testing.T) {
	h := newHarness(t)
	w := h.do(http.MethodGet, "/healthz", "", headerRequestID, "evil\"id with spaces")
	got := w.Header().Get(headerRequestID)
	if got == "" || strings.Contains(got, "evil") {
		t.Errorf("X-Request-ID = %q, want a generated one", got)
	}
	w = h.do(http.MethodGet, "/healthz", "")
	if w.Header().Get(headerRequestID) == "" {
		t.Error("no request id generated")
	}
}
