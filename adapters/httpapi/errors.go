package httpapi

import (
	"errors"
	"fmt"
	"github.com/allot-io/allot/domain/page"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/attempt"
	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/idempotency"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/domain/token"
)

// codeWrongInput is the envelope "code" of every error caused by what the
// client sent, as in the contract's 400 sample.
const codeWrongInput = "WRONG_INPUT"

// Reasons this adapter produces itself or maps specially. The idempotency
// reasons are those documented by ports.IdempotencyService.
const (
	reasonInvalidJSON      = "INVALID_JSON"
	reasonPayloadTooLarge  = "PAYLOAD_TOO_LARGE"
	reasonIdemReused       = idempotency.ReasonKeyReused
	reasonIdemInProgress   = idempotency.ReasonKeyInProgress
	reasonNotFound         = "NOT_FOUND"
	reasonMethodNotAllowed = "METHOD_NOT_ALLOWED"
	reasonNotReady         = "NOT_READY"
	reasonInvalidLimit     = page.ReasonInvalidLimit
	reasonInvalidOffset    = page.ReasonInvalidOffset
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
	{fault.Forbidden, attempt.ReasonTooMany}:       {status: http.StatusTooManyRequests},
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
	// DetailsOmitted counts the violations beyond the fault.MaxListed
	// listed in Details.
	DetailsOmitted int `json:"details_omitted,omitempty"`
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
		listed, omitted := fe.Listed()
		for _, v := range listed {
			body.Details = append(body.Details, detail{Field: v.Field, Reason: v.Reason, Message: v.Message})
		}
		body.DetailsOmitted = omitted
	}
	return m.status, envelope{Error: body}
}

// retryAfterUnavailable is the Retry-After, in seconds, of a 503 whose
// cause says no better: long enough for a database to fail over or a pool
// to drain, short enough not to stall a client.
const retryAfterUnavailable = 5

// setRetryAfter sets Retry-After (seconds) on a 503 or 429 answer: the
// wait err carries (attempt.Wait) or the default for an outage. Every 503
// of both APIs goes through here.
func setRetryAfter(c *gin.Context, status int, err error) {
	if status != http.StatusServiceUnavailable && status != http.StatusTooManyRequests {
		return
	}
	secs := retryAfterUnavailable
	var w *attempt.Wait
	if errors.As(err, &w) && w.Seconds > 0 {
		secs = w.Seconds
	}
	c.Header("Retry-After", strconv.Itoa(secs))
}

// fail writes err as an error envelope and stops the handler chain. Server
// errors are logged with their cause, which the client never sees.
func (a *API) fail(c *gin.Context, err error) {
	status, env := render(err)
	c.Set(ctxFaultCode, string(fault.CodeOf(err)))
	setRetryAfter(c, status, err)
	a.logServerError(c, status, err)
	a.respondError(c, env)
}

// logServerError logs err with its cause when status is a server error.
func (a *API) logServerError(c *gin.Context, status int, err error) {
	if status < http.StatusInternalServerError {
		return
	}
	a.log.LogAttrs(c.Request.Context(), slog.LevelError, "request failed",
		slog.String("request_id", c.GetString(ctxRequestID)),
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.Int("status", status),
		slog.String("error", errorText(err)),
	)
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

// The BSS enrollment API (enrollment.go) answers in the vendor's envelope,
// {"errors":[...],"msg":"...","msg_code":"RESTAPI...","token":"..."}, and
// maps errors through the table below, as the series API does through
// codeTable: every msg_code and msg it writes for a failure comes from
// bssReasonTable or bssCodeTable, nowhere else.

// Reasons the BSS adapter produces itself, for failures that are the
// adapter's own (dispatch and decoding), so that they go through the table
// like the service's.
const (
	reasonModuleRequired = "MODULE_REQUIRED"
	reasonModuleUnknown  = "MODULE_NOT_FOUND"
	reasonActionRequired = "ACTION_REQUIRED"
	reasonActionUnknown  = "ACTION_NOT_FOUND"
	reasonNotText        = "NOT_TEXT"
	reasonControlChar    = "CONTROL_CHARACTER"
	reasonInvalidLines   = "INVALID_LINES"
	reasonNotObject      = "NOT_OBJECT"
)

// The vendor's msg_codes (SPEC §2).
const (
	msgCodeSuccess       = "RESTAPI000"
	msgCodeAccess        = "RESTAPI001"
	msgCodeNoModule      = "RESTAPI101"
	msgCodeNoAction      = "RESTAPI102"
	msgCodeSource        = "RESTAPI103"
	msgCodeAgent         = "RESTAPI104"
	msgCodeUnknownModule = "RESTAPI105"
	msgCodeUnknownAction = "RESTAPI106"
	msgCodeCompany       = "RESTAPI107"
	msgCodeMethod        = "RESTAPI108"
	msgCodeUnauthorized  = "RESTAPI109"
	msgCodeError         = "RESTAPI110"
	msgCodeErrors        = "RESTAPI010"
)

// The vendor's fixed msg texts, from the domain's one table of them.
const (
	msgSuccess        = enrollment.MsgSuccess
	msgAuthenticated  = enrollment.MsgAuthenticated
	msgInvalidAccess  = enrollment.MsgInvalidAccess
	msgModuleRequired = enrollment.MsgModuleRequired
	msgModuleUnknown  = enrollment.MsgModuleUnknown
	msgActionRequired = enrollment.MsgActionRequired
	msgActionUnknown  = enrollment.MsgActionUnknown
	msgInvalidCompany = enrollment.MsgInvalidCompany
	msgInvalidMethod  = enrollment.MsgInvalidMethod
	msgErrorOccurred  = enrollment.MsgErrorOccurred
)

// bssErrors tells what the "errors" array of a BSS failure holds.
type bssErrors uint8

const (
	// errorsNone: no "errors" (RESTAPI001, as the document's samples 1, 2,
	// 6 and 7; 101, 102, 105 to 108).
	errorsNone bssErrors = iota
	// errorsMsg: the msg again, as the document's samples 3 to 5
	// (RESTAPI103, 104, 109).
	errorsMsg
	// errorsFault: every message of the fault, its violations' or its own;
	// the msg_code is then RESTAPI110 for one and RESTAPI010 for several.
	errorsFault
	// errorsGeneric: the one generic message of a server error (see
	// bssCodeTable).
	errorsGeneric
)

// bssMapping is how one class of error is written in the BSS envelope: its
// HTTP status, msg_code, msg ("" keeps the fault's own message) and what
// "errors" lists.
type bssMapping struct {
	status  int
	msgCode string
	msg     string
	errors  bssErrors
	// generic is the errors entry of errorsGeneric.
	generic string
}

// bssCodeTable maps fault codes for the BSS API. Every business outcome is
// HTTP 200, because the vendor's clients branch on msg_code alone. Invalid,
// NotFound and Conflict are "Error occurred" with every message; an
// Unauthorized reason the reason table does not know keeps its message
// under RESTAPI001, and an unknown Forbidden is an agent's missing
// permission (RESTAPI109).
//
// Server errors are the exception: Unavailable is a 503 and Internal a 500,
// so that load balancers, retries and monitoring see them, with the
// envelope a client can still parse (msg "Error occurred", RESTAPI110, and
// one generic message under errors). The vendor documents no code for them;
// RESTAPI110 is its generic failure. The cause is logged, never sent.
var bssCodeTable = map[fault.Code]bssMapping{
	fault.Invalid:      {status: http.StatusOK, msg: msgErrorOccurred, errors: errorsFault},
	fault.NotFound:     {status: http.StatusOK, msg: msgErrorOccurred, errors: errorsFault},
	fault.Conflict:     {status: http.StatusOK, msg: msgErrorOccurred, errors: errorsFault},
	fault.Unauthorized: {status: http.StatusOK, msgCode: msgCodeAccess},
	fault.Forbidden:    {status: http.StatusOK, msgCode: msgCodeUnauthorized, msg: enrollment.MsgUnauthorizedAccess, errors: errorsMsg},
	fault.Unavailable:  {status: http.StatusServiceUnavailable, msgCode: msgCodeError, msg: msgErrorOccurred, errors: errorsGeneric, generic: messageUnavailable},
	fault.Internal:     {status: http.StatusInternalServerError, msgCode: msgCodeError, msg: msgErrorOccurred, errors: errorsGeneric, generic: messageInternal},
}

// bssReasonTable overrides bssCodeTable by reason, whatever the code (an
// agent error is Invalid from enrollment.ParseAgentID and Unauthorized from
// the service), except for server errors, which are never overridden. The
// messages are pinned to the vendor's wording: clients compare them.
var bssReasonTable = map[string]bssMapping{
	reasonMethodNotAllowed:           {status: http.StatusOK, msgCode: msgCodeAccess, msg: msgInvalidAccess},
	token.ReasonInvalid:              {status: http.StatusOK, msgCode: msgCodeAccess, msg: enrollment.MsgInvalidToken},
	token.ReasonUsed:                 {status: http.StatusOK, msgCode: msgCodeAccess, msg: enrollment.MsgTokenUsed},
	token.ReasonExpired:              {status: http.StatusOK, msgCode: msgCodeAccess, msg: enrollment.MsgTokenExpired},
	enrollment.ReasonCredentials:     {status: http.StatusOK, msgCode: msgCodeAccess, msg: enrollment.MsgInvalidCredentials},
	enrollment.ReasonCredentialsMiss: {status: http.StatusOK, msgCode: msgCodeAccess, msg: enrollment.MsgCredentialsMissing},
	reasonModuleRequired:             {status: http.StatusOK, msgCode: msgCodeNoModule, msg: msgModuleRequired},
	reasonActionRequired:             {status: http.StatusOK, msgCode: msgCodeNoAction, msg: msgActionRequired},
	// The msg is the contract's; errors holds the live service's reason
	// (a blank source, or one not allowed).
	enrollment.ReasonSourceNotAllow:   {status: http.StatusOK, msgCode: msgCodeSource, msg: enrollment.MsgSourceNotAllowed, errors: errorsFault},
	enrollment.ReasonSourceBlank:      {status: http.StatusOK, msgCode: msgCodeSource, msg: enrollment.MsgSourceNotAllowed, errors: errorsFault},
	enrollment.ReasonAgentIDMissing:   {status: http.StatusOK, msgCode: msgCodeAgent, msg: enrollment.MsgAgentIDBlank, errors: errorsMsg},
	enrollment.ReasonAgentIDInvalid:   {status: http.StatusOK, msgCode: msgCodeAgent, msg: enrollment.MsgInvalidAgentID, errors: errorsMsg},
	enrollment.ReasonAgentCredentials: {status: http.StatusOK, msgCode: msgCodeAgent, msg: enrollment.MsgInvalidAgentCredentials, errors: errorsMsg},
	reasonModuleUnknown:               {status: http.StatusOK, msgCode: msgCodeUnknownModule, msg: msgModuleUnknown},
	reasonActionUnknown:               {status: http.StatusOK, msgCode: msgCodeUnknownAction, msg: msgActionUnknown},
	tenant.ReasonOrgDisabled:          {status: http.StatusOK, msgCode: msgCodeCompany, msg: msgInvalidCompany},
	reasonInvalidJSON:                 {status: http.StatusOK, msgCode: msgCodeMethod, msg: msgInvalidMethod},
	reasonPayloadTooLarge:             {status: http.StatusRequestEntityTooLarge, msgCode: msgCodeMethod},
	enrollment.ReasonUnauthorized:     {status: http.StatusOK, msgCode: msgCodeUnauthorized, msg: enrollment.MsgUnauthorizedAccess, errors: errorsMsg},
	attempt.ReasonTooMany:             {status: http.StatusOK, msgCode: msgCodeAccess, msg: attempt.MsgTooMany},
	attempt.ReasonAgentTooMany:        {status: http.StatusOK, msgCode: msgCodeAgent, msg: attempt.MsgTooMany, errors: errorsMsg},
}

// renderBSS turns any error into its HTTP status and the failure fields of
// the BSS envelope (errors, msg, msg_code), through the tables. An error
// that is not a *fault.Error is Internal. It also returns the reason, for
// the request log.
func renderBSS(err error) (status int, env bssEnvelope, reason string) {
	fe, ok := fault.As(err)
	if !ok {
		fe = &fault.Error{Code: fault.Internal}
	}
	m, known := bssCodeTable[fe.Code]
	if !known {
		fe = &fault.Error{Code: fault.Internal}
		m = bssCodeTable[fault.Internal]
	}
	reason = fe.Reason
	if m.status >= http.StatusInternalServerError {
		// A server error's own reason may describe internals.
		reason = codeTable[fe.Code].reason
	} else if o, ok := bssReasonTable[fe.Reason]; ok {
		m = o
	}

	env.Msg = m.msg
	if env.Msg == "" {
		env.Msg = fe.Message
	}
	env.MsgCode = m.msgCode
	switch m.errors {
	case errorsNone:
	case errorsMsg:
		env.Errors = []string{env.Msg}
	case errorsGeneric:
		env.Errors = []string{m.generic}
	case errorsFault:
		env.Errors = faultMessages(fe)
		if env.MsgCode == "" {
			env.MsgCode = msgCodeError
			if len(env.Errors) > 1 {
				env.MsgCode = msgCodeErrors
			}
		}
	}
	if env.Msg == "" {
		// A fault without a message; the client still gets a text.
		env.Msg = msgErrorOccurred
	}
	return m.status, env, reason
}

// faultMessages returns the messages of fe: its violations' (the first
// fault.MaxListed, then a count of the rest), or its own when it has none.
func faultMessages(fe *fault.Error) []string {
	var out []string
	listed, omitted := fe.Listed()
	for _, v := range listed {
		if v.Message != "" {
			out = append(out, v.Message)
		}
	}
	if omitted > 0 {
		out = append(out, fmt.Sprintf("and %d more errors", omitted))
	}
	if len(out) == 0 {
		msg := fe.Message
		if msg == "" {
			msg = msgErrorOccurred
		}
		out = []string{msg}
	}
	return out
}
