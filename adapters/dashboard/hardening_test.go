package dashboard

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestDefect3ControlCharactersOnDashboardPaths: a NUL in a customer code of
// the path, in the search query or in a form field reached the services
// (HTTP 500 on PostgreSQL). Now each is a 400 page naming the field, and
// no service is asked.
func TestDefect3ControlCharactersOnDashboardPaths(t *testing.T) {
	for name, send := range map[string]func(h *harness) *httptest.ResponseRecorder{
		"path code": func(h *harness) *httptest.ResponseRecorder { return h.get(t, Path+"/customers/SL%001981/series") },
		"search":    func(h *harness) *httptest.ResponseRecorder { return h.get(t, Path+"/customers?q=SL%00") },
		"add form": func(h *harness) *httptest.ResponseRecorder {
			return h.post(t, Path+"/customers/SL1981/series", url.Values{"start": {"V1\x00"}, "end": {"V9"}, "item_code": {"I"}})
		},
		"sign-in": func(h *harness) *httptest.ResponseRecorder {
			return h.do(t, http.MethodPost, Path+"/signin", url.Values{"email": {"ops@acme.test\x00"}, "password": {"x"}, "csrf": {"t"}}, false,
				&http.Cookie{Name: signInCookie, Value: "t"})
		},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, Config{})
			w := send(h)
			wantStatus(t, w, http.StatusBadRequest)
			if !strings.Contains(w.Body.String(), "must not contain control characters") {
				t.Errorf("body does not name the rule:\n%s", w.Body)
			}
			if len(h.f.customerQ) != 0 || len(h.f.specs) != 0 || len(h.f.signIns) != 0 {
				t.Errorf("a service was asked: %v %v %v", h.f.customerQ, h.f.specs, h.f.signIns)
			}
		})
	}
}
