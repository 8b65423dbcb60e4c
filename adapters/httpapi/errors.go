package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
)

// codeWrongInput is the envelope "code" of every error caused by what the
// client sent, as in the contract's 400 sample.
const codeWrongInput = "WRONG_INPUT"

// Reasons this adapter produces itself or maps specially. The idempotency
// reasons are those documented by ports.IdempotencyService.
const (
	reasonInvalidJSON      = "INVALID_JSON"
	reasonPayloadTooLarge  = "PAYLOAD_TOO_LARGE"
	reasonIdemReused       = "IDEMPOTENCY_KEY_REUSED"
	reasonIdemInProgress   = "IDEMPOTENCY_KEY_IN_PROGRESS"
	reasonIdemInvalid      = "INVALID_IDEMPOTENCY_KEY"
	reasonNotFound         = "NOT_FOUND"
	reasonMethodNotAllowed = "METHOD_NOT_ALLOWED"
	reasonNotReady         = "NOT_READY"
	reasonInvalidLimit     = "INVALID_LIMIT"
	reasonInvalidOffset    = "INVALID_OFFSET"
	reasonInvalidID        = "INVALID_ID"
)

// Fixed messages: the contract's exact wording for the 401s, and generic
// texts for server errors, whose causes stay in the log.
const (
	messageNoAPIKey    = "API key should be present"
	messageWrongAPIKey = "Wrong api key"
	messageInternal    = "Internal server error"
	messageUnavailable = "Service temporarily unavailable, please retry later"
)

// mapping is how one class of error is written: its HTTP status, the
// envelope's "code" ("" leaves it out), a fixed message ("" keeps the
// fault's own) and the reason used when the fault has none.
type mapping struct {
	status  int
	code    string
	message string
	reason  string
}

// reasonKey selects a reason-specific override of codeTable.
type reasonKey struct {
	code   fault.Code
	reason string
}

// codeTable is THE table from fault codes to HTTP: every fault this package
// answers with is mapped here and by reasonTable below, nowhere else. (The
// 405 and the readiness 503 are not faults; their handlers write the same
// envelope directly.)
// Only errors about the request's content carry "code":"WRONG_INPUT"; the
// contract's 401 samples have no code, and neither do the other classes.
// An overlap (Conflict) is a 400 because the contract answers every
// rejected allotment with 400. 5xx messages are fixed: the cause is logged,
// never sent.
var codeTable = map[fault.Code]mapping{
	fault.Invalid:      {status: http.StatusBadRequest, code: codeWrongInput, reason: "INVALID_INPUT"},
	fault.Conflict:     {status: http.StatusBadRequest, code: codeWrongInput, reason: "CONFLICT"},
	fault.NotFound:     {status: http.StatusNotFound, reason: reasonNotFound},
	fault.Unauthorized: {status: http.StatusUnauthorized, reason: "UNAUTHORIZED"},
	fault.Forbidden:    {status: http.StatusForbidden, reason: "FORBIDDEN"},
	fault.Unavailable:  {status: http.StatusServiceUnavailable, reason: "UNAVAILABLE", message: messageUnavailable},
	fault.Internal:     {status: http.StatusInternalServerError, reason: "INTERNAL", message: messageInternal},
}

// reasonTable overrides codeTable for single reasons: the contract's exact
// messages (clients compare them) and the statuses that differ from their
// code's.
var reasonTable = map[reasonKey]mapping{
	{fault.Unauthorized, tenant.ReasonNoAPIKey}:    {status: http.StatusUnauthorized, message: messageNoAPIKey},
	{fault.Unauthorized, tenant.ReasonWrongAPIKey}: {status: http.StatusUnauthorized, message: messageWrongAPIKey},
	{fault.Invalid, series.ReasonOwnerMissing}:     {status: http.StatusBadRequest, code: codeWrongInput, message: series.OwnerMissingMessage},
	{fault.Invalid, reasonPayloadTooLarge}:         {status: http.StatusRequestEntityTooLarge, code: codeWrongInput},
	{fault.Invalid, reasonIdemReused}:              {status: http.StatusUnprocessableEntity, code: codeWrongInput},
	{fault.Conflict, reasonIdemInProgress}:         {status: http.StatusConflict},
}

// envelope is the contract's error body. It is a struct, not a map, so that
// the keys keep the contract's order: message, statusCode, reason, code.
type envelope struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Message    string   `json:"message"`
	StatusCode int      `json:"statusCode"`
	Reason     string   `json:"reason"`
	Code       string   `json:"code,omitempty"`
	Details    []detail `json:"details,omitempty"`
}

// detail is one violation, listed only when there is more than one so that
// single-error envelopes have exactly the contract's fields.
type detail struct {
	Field   string `json:"field"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// render turns any error into its status and envelope through the table.
// An error that is not a *fault.Error is an Internal error.
func render(err error) (int, envelope) {
	fe, ok := fault.As(err)
	if !ok {
		fe = &fault.Error{Code: fault.Internal}
	}
	m, known := codeTable[fe.Code]
	if !known {
		fe = &fault.Error{Code: fault.Internal}
		m = codeTable[fault.Internal]
	}
	reason, message := fe.Reason, fe.Message
	if reason == "" {
		reason = m.reason
	}
	if o, ok := reasonTable[reasonKey{fe.Code, reason}]; ok {
		m = o
	}
	if m.message != "" {
		message = m.message
	}
	if message == "" {
		message = http.StatusText(m.status)
	}
	if m.status >= http.StatusInternalServerError {
		// The code's generic reason only: a 5xx fault's own reason may
		// describe internals.
		reason = codeTable[fe.Code].reason
	}
	body := errorBody{Message: message, StatusCode: m.status, Reason: reason, Code: m.code}
	if len(fe.Violations) > 1 && m.status < http.StatusInternalServerError {
		for _, v := range fe.Violations {
			body.Details = append(body.Details, detail{Field: v.Field, Reason: v.Reason, Message: v.Message})
		}
	}
	return m.status, envelope{Error: body}
}

// fail writes err as an error envelope and stops the handler chain. Server
// errors are logged with their cause, which the client never sees.
func (a *API) fail(c *gin.Context, err error) {
	status, env := render(err)
	if status >= http.StatusInternalServerError {
		a.log.LogAttrs(c.Request.Context(), slog.LevelError, "request failed",
			slog.String("request_id", c.GetString(ctxRequestID)),
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.Int("status", status),
			slog.String("error", errorText(err)),
		)
	}
	a.respondError(c, env)
}

// respondError writes env with its status, unless a response has already
// started (then only the chain is stopped: appending JSON to a partial body
// would corrupt it).
func (a *API) respondError(c *gin.Context, env envelope) {
	c.Set(ctxReason, env.Error.Reason)
	if c.Writer.Written() {
		c.Abort()
		return
	}
	if env.Error.StatusCode == http.StatusUnauthorized {
		// RFC 9110 requires a challenge on every 401.
		c.Header("WWW-Authenticate", wwwAuthenticate)
	}
	c.AbortWithStatusJSON(env.Error.StatusCode, env)
}

// errorText describes err for the log, cause included.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
