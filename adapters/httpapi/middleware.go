package httpapi

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/domain/text"
	"github.com/allot-io/allot/ports"
)

// Keys of values this package stores on a gin.Context.
const (
	ctxRequestID = "httpapi.request_id"
	ctxPrincipal = "httpapi.principal"
	ctxReason    = "httpapi.reason"
	ctxBody      = "httpapi.body"
	// ctxFaultCode is the fault code of a failed request, for the
	// idempotency middleware.
	ctxFaultCode = "httpapi.fault_code"
	// ctxBSS holds the *bssCall of a BSS enrollment request.
	ctxBSS = "httpapi.bss"
	// ctxMsgCode is the msg_code a BSS response carried, for the log.
	ctxMsgCode = "httpapi.msg_code"
	// ctxOrgCode is the organisation of a BSS call's token, for the log.
	ctxOrgCode = "httpapi.org_code"
)

const (
	headerRequestID    = "X-Request-ID"
	maxRequestIDLength = 128
	wwwAuthenticate    = `Basic realm="allot"`
)

// logRequests gives every request an id and writes one structured line
// when it completes. It never logs headers or bodies: they carry API keys,
// BSS tokens, passwords and customer data. Of the query string it logs the
// parameter names only, on every route, since a client might misplace its
// key or token there.
func (a *API) logRequests(c *gin.Context) {
	start := time.Now()
	id := requestID(c.GetHeader(headerRequestID))
	c.Set(ctxRequestID, id)
	c.Header(headerRequestID, id)
	// The guessing limits count per client address (see SetTrustedProxies
	// in New: the peer address, never a forgeable header).
	c.Request = c.Request.WithContext(ports.WithClientAddress(c.Request.Context(), c.ClientIP()))

	c.Next()

	status := c.Writer.Status()
	attrs := []slog.Attr{
		slog.String("request_id", id),
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.Int("status", status),
		slog.Duration("duration", time.Since(start)),
		slog.Int("bytes", max(c.Writer.Size(), 0)),
		slog.String("client_ip", c.ClientIP()),
	}
	msgCode := c.GetString(ctxMsgCode)
	if q := c.Request.URL.RawQuery; q != "" {
		// Names only, never values: a value may be a misplaced credential
		// or personal data.
		attrs = append(attrs, slog.String("query_params", queryNames(q)))
	}
	if p, ok := principalOf(c); ok {
		attrs = append(attrs, slog.String("org", p.Org.Code))
	} else if org := c.GetString(ctxOrgCode); org != "" {
		attrs = append(attrs, slog.String("org", org))
	}
	if msgCode != "" {
		attrs = append(attrs, slog.String("msg_code", msgCode))
	}
	if r := c.GetString(ctxReason); r != "" {
		attrs = append(attrs, slog.String("reason", r))
	}
	level := slog.LevelInfo
	if status >= http.StatusInternalServerError {
		level = slog.LevelError
	}
	a.log.LogAttrs(c.Request.Context(), level, "http request", attrs...)
}

// queryNames lists the parameter names of a raw query, sorted, each once,
// with control characters escaped.
func queryNames(raw string) string {
	vals, _ := url.ParseQuery(raw)
	names := make([]string, 0, len(vals))
	for n := range vals {
		if text.HasControl(n) {
			n = strconv.QuoteToASCII(n)
		}
		names = append(names, clip(n))
	}
	slices.Sort(names)
	return strings.Join(names, ",")
}

// requestID returns the client's X-Request-ID when it is a short token of
// safe characters, so that it can be correlated across services without
// letting a client inject text into our logs; otherwise a fresh random id.
func requestID(h string) string {
	if h != "" && len(h) <= maxRequestIDLength {
		ok := true
		for i := 0; i < len(h) && ok; i++ {
			c := h[i]
			ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
				c == '-' || c == '_' || c == '.' || c == ':'
		}
		if ok {
			return h
		}
	}
	return rand.Text()
}

// recovered answers a panic with the generic 500 envelope and logs the panic
// value and stack through slog; the stack never reaches the client.
func (a *API) recovered(c *gin.Context, rec any) {
	a.log.LogAttrs(c.Request.Context(), slog.LevelError, "panic serving request",
		slog.String("request_id", c.GetString(ctxRequestID)),
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.String("panic", fmt.Sprint(rec)),
		slog.String("stack", string(debug.Stack())),
	)
	if _, bss := c.Get(ctxBSS); bss {
		// A BSS client gets its own envelope, with the fresh token when the
		// presented one was already consumed.
		status, env, reason := renderBSS(fault.New(fault.Internal, "", ""))
		c.Set(ctxReason, reason)
		a.bssWrite(c, status, &env, &env)
		return
	}
	_, env := render(fault.New(fault.Internal, "", ""))
	a.respondError(c, env)
}

// limitBody caps every request body, so that no handler can be made to read
// an unbounded body; reading past the cap fails with *http.MaxBytesError.
func (a *API) limitBody(c *gin.Context) {
	if c.Request.Body != nil && c.Request.Body != http.NoBody {
		// Given net/http's own writer, MaxBytesReader also makes the server
		// close the connection after the reply instead of draining the rest
		// of an oversized body; gin's wrapper would hide that.
		var w http.ResponseWriter = c.Writer
		if u, ok := w.(interface{ Unwrap() http.ResponseWriter }); ok {
			w = u.Unwrap()
		}
		c.Request.Body = http.MaxBytesReader(w, c.Request.Body, a.cfg.MaxBodyBytes)
	}
	c.Next()
}

// noRoute answers unknown paths with the JSON envelope; a POST to an
// unknown single-segment path is a call to a BSS module that does not exist
// (RESTAPI105), since BSS clients branch on msg_code.
func (a *API) noRoute(c *gin.Context) {
	if a.servesBSS() && c.Request.Method == http.MethodPost && isSingleSegment(c.Request.URL.Path) {
		a.bssDispatchFail(c, reasonModuleUnknown)
		return
	}
	a.fail(c, fault.Errorf(fault.NotFound, reasonNotFound, "no such endpoint: %s %s", c.Request.Method, c.Request.URL.Path))
}

// noMethod answers a known path with a wrong method. gin has already set the
// Allow header; the message repeats it for people reading the body. On a
// BSS path the vendor's answer is HTTP 200 "Invalid Access!!" (RESTAPI001).
func (a *API) noMethod(c *gin.Context) {
	if a.servesBSS() && isBSSPath(c.Request.URL.Path) {
		a.bssDispatchFail(c, reasonMethodNotAllowed)
		return
	}
	msg := fmt.Sprintf("method %s is not allowed on %s", c.Request.Method, c.Request.URL.Path)
	if allow := c.Writer.Header().Get("Allow"); allow != "" {
		msg += "; allowed: " + allow
	}
	a.respondError(c, envelope{Error: errorBody{
		Message:    msg,
		StatusCode: http.StatusMethodNotAllowed,
		Reason:     reasonMethodNotAllowed,
	}})
}

// authenticate resolves the API key of the request to a principal. The
// organisation of every series request comes from here and from nowhere
// else.
func (a *API) authenticate(c *gin.Context) {
	raw, err := presentedKey(c.Request.Header)
	if err != nil {
		a.cfg.Metrics.AuthFailed(ports.AuthSeries, fault.ReasonOf(err))
		a.fail(c, err)
		return
	}
	if raw == "" {
		a.cfg.Metrics.AuthFailed(ports.AuthSeries, tenant.ReasonNoAPIKey)
		a.fail(c, fault.New(fault.Unauthorized, tenant.ReasonNoAPIKey, messageNoAPIKey))
		return
	}
	p, err := a.svc.Auth.APIKey(c.Request.Context(), raw)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Set(ctxPrincipal, p)
	// Series created and deleted with the key are recorded as its.
	c.Request = c.Request.WithContext(ports.WithActor(c.Request.Context(), series.APIKeyActor(p.KeyPrefix)))
	c.Next()
}

// Headers that carry an API key besides Authorization: clients written for
// the platform's sibling integration APIs send the key so.
const (
	headerAPIKey  = "api-key"
	headerXAPIKey = "x-api-key"
)

// reasonSeveralKeys: different credentials in one request.
const reasonSeveralKeys = "SEVERAL_API_KEYS"

// presentedKey returns the API key a request presents: from Authorization
// (see apiKey), or else from api-key, or else from x-api-key, each header
// with the same rules ("" when none is sent). Sending one key in several
// of them, or one header twice, is harmless; different keys in one request
// are refused (401), since answering as one of them would let a proxy that
// checks another be bypassed.
func presentedKey(h http.Header) (string, error) {
	var keys []string
	for _, v := range h.Values("Authorization") {
		k, ok := apiKey(v)
		if !ok {
			return "", fault.New(fault.Unauthorized, tenant.ReasonWrongAPIKey, messageWrongAPIKey)
		}
		keys = append(keys, k)
	}
	for _, name := range []string{headerAPIKey, headerXAPIKey} {
		for _, v := range h.Values(name) {
			// The same forms as Authorization's, a bare key included.
			k, ok := apiKey(v)
			if !ok {
				return "", fault.New(fault.Unauthorized, tenant.ReasonWrongAPIKey, messageWrongAPIKey)
			}
			keys = append(keys, k)
		}
	}
	key := ""
	for _, k := range keys {
		switch {
		case k == "":
		case key == "":
			key = k
		case k != key:
			return "", fault.New(fault.Unauthorized, reasonSeveralKeys, "more than one different API key was sent; send one, in the Authorization header")
		}
	}
	return key, nil
}

// apiKey extracts the API key from an Authorization header. The contract
// sends "Basic <API KEY>", but generic HTTP clients send the standard Basic
// form base64("KEY:") or base64("KEY:anything"), so a token that decodes as
// standard base64 into text containing ':' yields its user part (or, when
// that is empty, its password part, where some clients put a lone key);
// any other token is the raw key. A header without a scheme is taken as the
// raw key. ok is false for a scheme other than Basic: such a credential is
// wrong, not missing.
func apiKey(h string) (key string, ok bool) {
	h = strings.TrimSpace(h)
	if h == "" || strings.EqualFold(h, "basic") {
		return "", true
	}
	scheme, token, found := strings.Cut(h, " ")
	if !found {
		return h, true
	}
	if !strings.EqualFold(scheme, "basic") {
		return "", false
	}
	token = strings.TrimSpace(token)
	if dec, err := base64.StdEncoding.DecodeString(token); err == nil {
		if user, pass, found := strings.Cut(string(dec), ":"); found {
			if user != "" {
				return user, true
			}
			return pass, true
		}
	}
	return token, true
}

// principalOf returns the principal authenticate stored on c.
func principalOf(c *gin.Context) (ports.Principal, bool) {
	v, ok := c.Get(ctxPrincipal)
	if !ok {
		return ports.Principal{}, false
	}
	p, ok := v.(ports.Principal)
	return p, ok
}

// Reasons of query-string checks.
const (
	reasonCredentialsInQuery = "CREDENTIALS_IN_QUERY"
	reasonInvalidQuery       = "INVALID_QUERY"
)

// credentialParams are query parameter names under which clients misplace
// a credential (compared case-insensitively, '-' as '_').
var credentialParams = map[string]bool{
	"api_key": true, "apikey": true, "key": true, "x_api_key": true, "token": true,
	"access_token": true, "authorization": true, "auth": true, "password": true, "secret": true,
}

// queryReasons are the ordinary reasons of the series API's query
// parameters, used when one holds a control character.
var queryReasons = map[string]string{
	"client_code": series.ReasonClientNotFound,
	"hub_code":    series.ReasonHubNotFound,
	"item_code":   series.ReasonInvalidItemCode,
	"type":        series.ReasonInvalidType,
	"number":      series.ReasonInvalidNumber,
	"limit":       reasonInvalidLimit,
	"offset":      reasonInvalidOffset,
}

// checkQuery is the one place where every query parameter of the series
// API is checked before anything else runs: a credential in the query
// string is refused (it would end up in proxies' and browsers' histories;
// the key belongs in a header), and a control character in any value is
// the parameter's ordinary 400.
func (a *API) checkQuery(c *gin.Context) {
	if c.Request.URL.RawQuery == "" {
		c.Next()
		return
	}
	for name, values := range c.Request.URL.Query() {
		norm := strings.ReplaceAll(strings.ToLower(name), "-", "_")
		if credentialParams[norm] {
			a.fail(c, fault.InvalidField(name, "location", reasonCredentialsInQuery, fmt.Sprintf(
				"credentials must not be sent in the query string (%s); send the API key in the Authorization header", clip(name))))
			return
		}
		reason, known := queryReasons[name]
		if !known {
			reason = reasonInvalidQuery
		}
		if text.HasControl(name) {
			a.fail(c, fault.InvalidField("query", "pattern", reasonInvalidQuery, "query parameter names must not contain control characters"))
			return
		}
		for _, v := range values {
			if text.HasControl(v) {
				a.fail(c, fault.InvalidField(name, "pattern", reason, name+" must not contain control characters"))
				return
			}
		}
	}
	c.Next()
}
