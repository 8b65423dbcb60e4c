package e2e

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// TestDefect1SignInLockoutAcrossProcesses sends 200 sign-in guesses at
// once for one email, spread over three server processes sharing one
// PostgreSQL database, with the right password among them. The lockout
// allows five checks per email and window (operator.DefaultPolicy); the
// attempt is reserved in the database before the password is checked, so
// no more than five guesses may get any answer but "locked", whatever the
// concurrency and whichever process answers. Before the fix every guess
// was checked.
func TestDefect1SignInLockoutAcrossProcesses(t *testing.T) {
	dsn := srv.NewDatabase(t)
	setupTenant(t, dsn)
	const email, password = "ops@acme.test", "correct horse battery staple"
	allot(t, "operator", "add", "--db", dsn, "--org", "ACME", "--email", email, "--password", password)
	servers := startServers(t, dsn, 3)

	client := newClient(t, 64)
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	const guesses = 200
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for i := range guesses {
		wg.Go(func() {
			pw := "wrong password number " + string(rune('a'+i%26))
			if i == guesses/2 {
				pw = password
			}
			// The sign-in form is a double-submit: its token is both a
			// cookie and a field.
			form := url.Values{"email": {email}, "password": {pw}, "csrf": {"form-token"}}
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost,
				servers[i%len(servers)].base+"/dashboard/signin", strings.NewReader(form.Encode()))
			if err != nil {
				t.Error(err)
				return
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "allot_signin", Value: "form-token"})
			resp, err := client.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
		})
	}
	wg.Wait()
	// 401: a checked wrong password; 303: the right one, signed in; 429:
	// locked (also the answer of the check that used the last attempt).
	checkedWrong, signedIn, locked := statuses[http.StatusUnauthorized], statuses[http.StatusSeeOther], statuses[http.StatusTooManyRequests]
	if checkedWrong+signedIn > 5 || checkedWrong+signedIn+locked != guesses {
		t.Fatalf("statuses %v: %d guesses got past the lockout, want at most 5 of %d", statuses, checkedWrong+signedIn, guesses)
	}
	t.Logf("statuses over 3 processes: %v", statuses)
}
