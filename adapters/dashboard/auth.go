package dashboard

import (
	"crypto/subtle"
	"encoding/base64"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/ports"
)

// Cookies and form fields.
const (
	// sessionCookie holds the session id of a signed-in operator.
	sessionCookie = "allot_session"
	// signInCookie holds the token of the sign-in form, sent back in its
	// csrf field (a double-submit token: there is no session yet).
	signInCookie = "allot_signin"
	// csrfField is the hidden field of every form.
	csrfField = "csrf"
	// ctxSession is the gin.Context key of the ports.OperatorSession.
	ctxSession = "dashboard.session"
)

// signInFormMaxAge is how long, in seconds, a sign-in form stays usable.
const signInFormMaxAge = 3600

// secure tells whether cookies must be Secure: over TLS, or always when
// configured for a TLS-terminating proxy.
func (d *Dashboard) secure(c *gin.Context) bool {
	return d.cfg.SecureCookies || c.Request.TLS != nil
}

func (d *Dashboard) setCookie(c *gin.Context, name, value, path string, maxAge int, sameSite http.SameSite) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     path,
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   d.secure(c),
		SameSite: sameSite,
	})
}

// sessionOf returns the session requireSession stored on c.
func sessionOf(c *gin.Context) (ports.OperatorSession, bool) {
	v, ok := c.Get(ctxSession)
	if !ok {
		return ports.OperatorSession{}, false
	}
	s, ok := v.(ports.OperatorSession)
	return s, ok
}

// requireSession resolves the session cookie and stores the session on c,
// or sends the browser to sign in. The organisation of every page after it
// is the session's, and nothing else's.
func (d *Dashboard) requireSession(c *gin.Context) {
	raw, err := c.Cookie(sessionCookie)
	if err != nil || raw == "" {
		d.toSignIn(c)
		return
	}
	s, err := d.svc.Operators.Session(c.Request.Context(), raw)
	switch fault.CodeOf(err) {
	case "":
	case fault.Unauthorized, fault.Forbidden:
		// Ended, expired, or its organisation disabled: forget it.
		d.setCookie(c, sessionCookie, "", Path, -1, http.SameSiteLaxMode)
		d.toSignIn(c)
		return
	default:
		d.fail(c, err)
		return
	}
	c.Set(ctxSession, s)
	// Every change made in the session is recorded as the operator's.
	c.Request = c.Request.WithContext(ports.WithActor(c.Request.Context(), series.OperatorActor(s.Operator.Email)))
	c.Next()
}

// toSignIn answers a request that needs a session: the count endpoint,
// called by a script, gets 401; a page gets redirected to sign in.
func (d *Dashboard) toSignIn(c *gin.Context) {
	if c.FullPath() == Path+"/count" {
		c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"valid": false, "message": "sign in first"})
		return
	}
	c.Redirect(http.StatusSeeOther, Path+"/signin")
	c.Abort()
}

// equalToken compares two tokens in constant time; an empty one never
// matches.
func equalToken(a, b string) bool {
	return a != "" && b != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// checkCSRF refuses a POST whose csrf field is not the session's token: a
// form another site made the browser send.
func (d *Dashboard) checkCSRF(c *gin.Context) {
	s, _ := sessionOf(c)
	if !equalToken(c.PostForm(csrfField), s.CSRF) {
		d.renderError(c, http.StatusForbidden, "Form expired",
			"This form has expired or did not come from this dashboard. Go back, reload the page and try again.")
		c.Abort()
		return
	}
	c.Next()
}

// signInData is what the sign-in page shows.
type signInData struct {
	CSRF  string
	Email string
}

// signInPage shows the sign-in form, or sends a signed-in operator on.
func (d *Dashboard) signInPage(c *gin.Context) {
	if raw, err := c.Cookie(sessionCookie); err == nil && raw != "" {
		if _, err := d.svc.Operators.Session(c.Request.Context(), raw); err == nil {
			c.Redirect(http.StatusSeeOther, Path+"/customers")
			return
		}
	}
	notice := ""
	if c.Query("signed_out") != "" {
		notice = "You have signed out."
	}
	d.renderSignIn(c, http.StatusOK, "", notice, "")
}

// renderSignIn renders the sign-in form with a fresh form token, keeping
// the email typed (never the password).
func (d *Dashboard) renderSignIn(c *gin.Context, status int, email, notice, alert string) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(d.random, b); err != nil {
		d.fail(c, fault.Wrap(err, "read random"))
		return
	}
	tok := base64.RawURLEncoding.EncodeToString(b)
	// Strict: the form is only ever posted from its own page.
	d.setCookie(c, signInCookie, tok, Path+"/signin", signInFormMaxAge, http.SameSiteStrictMode)
	d.render(c, status, pageSignIn, view{Title: "Sign in", Notice: notice, Alert: alert, Data: signInData{CSRF: tok, Email: email}})
}

// signIn checks the form token, then the credentials, and opens a session.
func (d *Dashboard) signIn(c *gin.Context) {
	email := c.PostForm("email")
	cookie, _ := c.Cookie(signInCookie)
	if !equalToken(c.PostForm(csrfField), cookie) {
		d.renderSignIn(c, http.StatusForbidden, email, "", "The sign-in form expired. Please try again.")
		return
	}
	s, err := d.svc.Operators.SignIn(c.Request.Context(), email, c.PostForm("password"))
	if err != nil {
		status, msg := d.describe(c, err)
		d.renderSignIn(c, status, email, "", msg)
		return
	}
	d.setCookie(c, signInCookie, "", Path+"/signin", -1, http.SameSiteStrictMode)
	// Lax, not Strict: a link to the dashboard from elsewhere (a ticket,
	// an email) then opens it signed in; every change still needs the
	// CSRF token.
	d.setCookie(c, sessionCookie, s.ID, Path, 0, http.SameSiteLaxMode)
	c.Redirect(http.StatusSeeOther, Path+"/customers")
}

// signOut ends the session and forgets its cookie.
func (d *Dashboard) signOut(c *gin.Context) {
	s, _ := sessionOf(c)
	if err := d.svc.Operators.SignOut(c.Request.Context(), s.ID); err != nil {
		d.fail(c, err)
		return
	}
	d.setCookie(c, sessionCookie, "", Path, -1, http.SameSiteLaxMode)
	c.Redirect(http.StatusSeeOther, Path+"/signin?signed_out=1")
}
