package httpapi

import (
	"net/http"
	"testing"
)

// TestTolerantPaths: repeated slashes collapse and a trailing slash is
// ignored on the BSS modules and the series API, as a reference BSS client
// needs (it joins its base URL with "/", sending POST //authenticate);
// unknown paths keep their family's envelope. Before this, every path here
// but the last group was a 404 in the series envelope.
func TestTolerantPaths(t *testing.T) {
	h := newHarness(t)
	for i, p := range []string{"//authenticate", "/authenticate/", "///authenticate//"} {
		wantBSS(t, h.bss(p, authBody, ""), http.StatusOK, bssBody("Successfully Authenticate", "RESTAPI000", tokenN(i+1)))
	}
	for _, p := range []string{"//plan", "/plan/", "//plan//"} {
		w := h.bss(p, planBody, h.enr.token())
		if got := decode(t, w.Body.Bytes()); got["msg_code"] != "RESTAPI000" {
			t.Errorf("POST %s = %s", p, w.Body)
		}
	}
	for _, p := range []string{"/enrollment/", "//enrollment"} {
		w := h.bss(p, availBody, h.enr.token())
		if got := decode(t, w.Body.Bytes()); got["msg_code"] != "RESTAPI000" {
			t.Errorf("POST %s = %s", p, w.Body)
		}
	}
	// Unknown BSS modules answer in the BSS envelope, slashes or not.
	for _, p := range []string{"//nope", "/nope/", "//"} {
		hh := h.invalid() // no such module
		if p == "//" {
			hh = h // POST /, documented
		}
		w := hh.bss(p, planBody, "")
		if got := decode(t, w.Body.Bytes()); got["msg_code"] != "RESTAPI105" && !(p == "//" && got["msg_code"] == "RESTAPI101") {
			t.Errorf("POST %s = %s", p, w.Body)
		}
	}
	// A wrong method on a tolerated module path is the vendor's answer.
	wantBSS(t, h.invalid().do(http.MethodGet, "//customer/", ""), http.StatusOK, bssBody("Invalid Access!!", "RESTAPI001", ""))

	// The series API: trailing and repeated slashes reach the routes.
	wantStatus(t, h.authed(http.MethodPost, SeriesPath+"/create/", `{"start":"V1","end":"V2","client_code":"C","item_code":"I"}`), http.StatusOK)
	wantStatus(t, h.authed(http.MethodPost, "/api//client/integration/virtualseries//create", `{"start":"V1","end":"V2","client_code":"C","item_code":"I"}`), http.StatusOK)
	wantStatus(t, h.authed(http.MethodGet, SeriesPath+"//", ""), http.StatusOK)
	// An unknown series path stays in the series envelope.
	wantError(t, h.invalid().authed(http.MethodPost, SeriesPath+"/no/such/", "{}"), http.StatusNotFound, "NOT_FOUND", "")
	wantError(t, h.invalid().do(http.MethodGet, "/no/such/", ""), http.StatusNotFound, "NOT_FOUND", "")
}

func TestTolerantPathOnlyRewritesAPIPaths(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		changed  bool
	}{
		{"/authenticate", "/authenticate", false},
		{"//authenticate", "/authenticate", true},
		{"/enrollment/", "/enrollment", true},
		{"//", "/", true},
		{"/", "/", false},
		{SeriesPath + "/", SeriesPath, true},
		{"/api//client/integration/virtualseries/lookup/", SeriesPath + "/lookup", true},
		{"/dashboard/", "/dashboard", true}, // one segment, which the dashboard serves both ways
		{"/dashboard//customers", "/dashboard//customers", false},
		{"/a//b/", "/a//b/", false},
	} {
		got, changed := tolerantPath(tc.in)
		if got != tc.want || changed != tc.changed {
			t.Errorf("tolerantPath(%q) = %q, %v; want %q, %v", tc.in, got, changed, tc.want, tc.changed)
		}
	}
}
