package dashboard

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The dashboard's forms, fuzzed through the whole handler with the fake
// services: whatever the form body, the answer is a page, a redirect or a
// client error, never a 5xx, and nothing panics. The seeds under
// testdata/fuzz run with every `go test`.

func fuzzForm(f *testing.F, path string, signedIn bool, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, form string) {
		h := newHarness(t, Config{})
		// The form's token is appended, so that the fuzzed fields reach
		// the handler past the CSRF check (a body without it is refused
		// first, which the plain tests cover).
		body := form + "&csrf=" + testCSRF
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: signInCookie, Value: testCSRF})
		if signedIn {
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: testSession})
		}
		w := httptest.NewRecorder()
		h.h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("HTTP %d for %q: %s", w.Code, form, w.Body)
		}
	})
}

func FuzzDashboardSignIn(f *testing.F) {
	fuzzForm(f, Path+"/signin", false,
		"email=ops%40acme.test&password=correct+horse+battery", "email=&password=", "email=%00&password=%ff%fe",
		"email=a%40b.c&password="+strings.Repeat("x", 300), "%zz=1&&=")
}

func FuzzDashboardAddSeries(f *testing.F) {
	fuzzForm(f, Path+"/customers/SL1981/series", true,
		"start=V10000101&end=V10000110&item_code=P7&type=virtual&service_types=EXPRESS",
		"start=V1&end=V99999999999999999999&item_code=", "start=%00&end=%0a&type=x&service_types=",
		"start=10001101&end=10001100&item_code=I&service_types=NOPE&service_types=EXPRESS")
}

func FuzzDashboardDeleteSeries(f *testing.F) {
	fuzzForm(f, Path+"/customers/SL1981/series/delete", true,
		"ids=1&ids=2&confirm=yes", "one=1", "ids=x&confirm=yes", "ids=-1&ids=9223372036854775808&confirm=yes", "confirm=no")
}
