package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/domain/token"
	"github.com/allot-io/allot/ports"
)

// Module paths of the BSS enrollment API (SPEC §2). Every call is a POST
// with a JSON object; the operation is named by its "action".
const (
	AuthenticatePath = "/authenticate"
	EnrollmentPath   = "/enrollment"
	PlanPath         = "/plan"
	CustomerPath     = "/customer"
)

// headerToken is the request header that carries a BSS token. It is named
// "token", not Authorization, because the vendor's clients send it so.
const headerToken = "token"

// fieldAction is the top-level field that names a call's operation.
const fieldAction = "action"

// Fields the domain's tables do not describe: the credentials of
// /authenticate and the own fields of check_service_availability and
// plan_list. Every other field (create_customer_prepaid_multiline's, and
// agent_id, agent_password, source and external_transaction_id of every
// call) is decoded through enrollment.RequestInput.Set and LineInput.Set.
const (
	fieldVendorID       = "vendor_id"
	fieldUsername       = "username"
	fieldPassword       = "password"
	fieldPin            = "pin"
	fieldZipCode        = "zip_code"
	fieldEnrollmentType = "enrollment_type"
	fieldIsEnrollment   = "is_enrollment"
	fieldPlanID         = "plan_id"
	fieldCarrier        = "carrier"
	fieldIsFamilyPlan   = "is_family_plan"
)

// actionFunc runs one action after the token was consumed and the action
// chosen; it writes the response.
type actionFunc func(a *API, c *gin.Context, s ports.Session, req *bssRequest)

// bssModule is a module path and the actions it answers, by lower-case name.
type bssModule struct {
	path    string
	actions map[string]actionFunc
}

// bssModules lists the modules called with a token. /authenticate is apart:
// it takes credentials instead and ignores "action".
var bssModules = []bssModule{
	{EnrollmentPath, map[string]actionFunc{enrollment.ActionCheckAvailability: (*API).checkAvailability}},
	{PlanPath, map[string]actionFunc{enrollment.ActionPlanList: (*API).planList}},
	// The contract's sample request names the operation by its alias.
	{CustomerPath, map[string]actionFunc{enrollment.ActionCreate: (*API).createCustomer, enrollment.ActionAddLine: (*API).createCustomer,
		enrollment.ActionCreateV2: (*API).createCustomer}},
	// Orders and payments (payment.go).
	{ShippingPath, shippingActions},
	{PaymentPath, paymentActions},
	// Line lifecycle (handover.go).
	{HandoverPath, handoverActions},
}

// servesBSS reports whether the enrollment API is served.
func (a *API) servesBSS() bool { return a.svc.Enrollment != nil }

// isBSSPath reports whether path is "/" or a module path: there, any method
// but POST is answered "Invalid Access!!", as the vendor does.
func isBSSPath(path string) bool {
	if path == "/" || path == AuthenticatePath {
		return true
	}
	for _, m := range bssModules {
		if path == m.path {
			return true
		}
	}
	return false
}

// isSingleSegment reports whether path is "/name", the shape of a module
// path.
func isSingleSegment(path string) bool {
	return len(path) > 1 && path[0] == '/' && !strings.Contains(path[1:], "/")
}

// enrollmentRoutes registers the BSS API. Wrong methods on these paths and
// POSTs to unknown single-segment paths are answered by noMethod and
// noRoute, which know this family's envelope.
func (a *API) enrollmentRoutes(e *gin.Engine) {
	e.POST("/", a.moduleRequired)
	e.POST(AuthenticatePath, a.authenticateVendor)
	for _, m := range bssModules {
		if !a.servesModule(m.path) {
			continue
		}
		e.POST(m.path, a.moduleCall(m.actions))
	}
}

// bssEnvelope is the vendor's response. It is a struct, not a map, so that
// the keys keep the order errors, msg, msg_code, data, token,
// external_transaction_id. token is always present ("" when there is none).
type bssEnvelope struct {
	Errors                []string `json:"errors,omitempty"`
	Msg                   string   `json:"msg"`
	MsgCode               string   `json:"msg_code"`
	Data                  any      `json:"data,omitempty"`
	Token                 string   `json:"token"`
	ExternalTransactionID string   `json:"external_transaction_id,omitempty"`
}

// bssCall is what every response of one call repeats: the fresh token once
// the presented one was consumed (so that the client can chain calls,
// whatever the outcome) and the client's transaction id.
type bssCall struct {
	token      string
	externalID string
}

// bssCallOf returns the call state of c, creating it on first use. Its
// presence also tells the panic handler to answer in the BSS envelope.
func bssCallOf(c *gin.Context) *bssCall {
	if v, ok := c.Get(ctxBSS); ok {
		if call, ok := v.(*bssCall); ok {
			return call
		}
	}
	call := &bssCall{}
	c.Set(ctxBSS, call)
	return call
}

// bssOK writes a success.
func (a *API) bssOK(c *gin.Context, msg string, data any) {
	env := bssEnvelope{Msg: msg, MsgCode: msgCodeSuccess, Data: data}
	a.bssWrite(c, http.StatusOK, &env, &env)
}

// bssFail writes err through the BSS table. Server errors are logged with
// their cause, which the client never sees.
func (a *API) bssFail(c *gin.Context, err error) {
	status, env, reason := renderBSS(err)
	a.logServerError(c, status, err)
	setRetryAfter(c, status, err)
	c.Set(ctxReason, reason)
	a.bssWrite(c, status, &env, &env)
}

// bssWrite completes env with what every response of the call carries and
// writes body, which is env or a value embedding it. As respondError, it
// only stops the chain when a response has already started.
func (a *API) bssWrite(c *gin.Context, status int, env *bssEnvelope, body any) {
	call := bssCallOf(c)
	env.Token, env.ExternalTransactionID = call.token, call.externalID
	c.Set(ctxMsgCode, env.MsgCode)
	if c.Writer.Written() {
		c.Abort()
		return
	}
	c.AbortWithStatusJSON(status, body)
}

// bssDispatchFail answers a request that names no operation (a wrong
// method, no module, an unknown module). The client's transaction id is
// still echoed when the body is an object that carries one.
func (a *API) bssDispatchFail(c *gin.Context, reason string) {
	if obj, err := a.bssObjectBody(c); err == nil {
		bssCallOf(c).externalID = echoable(newBSSRequest(obj).in.ExternalTransactionID)
	}
	if reason != reasonMethodNotAllowed {
		// A POST is a call, even to no module or an unknown one; another
		// method is not (the vendor answers it before anything else).
		a.consumePresented(c)
	}
	a.bssFail(c, fault.New(fault.Invalid, reason, ""))
}

// consumePresented consumes the token a failing call presented, if any and
// valid, so that its answer carries the successor: per the convention, a
// call that presented a valid token consumes it whatever its outcome (a
// body that is not an object, an unknown module). A token that cannot be
// consumed changes nothing about the answer.
func (a *API) consumePresented(c *gin.Context) {
	call := bssCallOf(c)
	raw := strings.TrimSpace(c.GetHeader(headerToken))
	if raw == "" || call.token != "" || !a.servesBSS() {
		return
	}
	if s, err := a.svc.Enrollment.Consume(c.Request.Context(), raw); err == nil {
		call.token = s.NextToken
		c.Set(ctxOrgCode, s.Org.Code)
	}
}

// moduleRequired answers POST /.
func (a *API) moduleRequired(c *gin.Context) {
	a.bssDispatchFail(c, reasonModuleRequired)
}

// bssParse reads the body of a call as a JSON object (RESTAPI108, or 413
// when too large, otherwise) and decodes its top-level fields.
func (a *API) bssParse(c *gin.Context) (*bssRequest, bool) {
	call := bssCallOf(c)
	obj, err := a.bssObjectBody(c)
	if err != nil {
		a.bssFail(c, err)
		return nil, false
	}
	req := newBSSRequest(obj)
	call.externalID = echoable(req.in.ExternalTransactionID)
	return req, true
}

// authenticateVendor is POST /authenticate: credentials in, token out.
// "action", which clients send as "authenticate", is ignored.
func (a *API) authenticateVendor(c *gin.Context) {
	req, ok := a.bssParse(c)
	if !ok {
		return
	}
	// Only the credentials' own decoding errors matter here.
	var vs fault.Violations
	creds := ports.Credentials{
		VendorID: req.obj.text(fieldVendorID, &vs),
		Username: req.obj.text(fieldUsername, &vs),
		Password: req.obj.text(fieldPassword, &vs),
		Pin:      req.obj.text(fieldPin, &vs),
	}
	for _, v := range vs {
		if v.Reason == reasonControlChar {
			// No credential holds one, so these are wrong credentials,
			// answered as any other (HTTP 200, RESTAPI001).
			a.bssFail(c, fault.New(fault.Unauthorized, enrollment.ReasonCredentials, enrollment.MsgInvalidCredentials))
			return
		}
	}
	if err := vs.Err(); err != nil {
		a.bssFail(c, err)
		return
	}
	raw, err := a.svc.Enrollment.Authenticate(c.Request.Context(), creds)
	if err != nil {
		a.bssFail(c, err)
		return
	}
	bssCallOf(c).token = raw
	a.bssOK(c, msgAuthenticated, nil)
}

// moduleCall answers a module called with a token, checking in the vendor's
// order: the body is a JSON object, the token is valid (it is consumed
// here, and its successor goes into every later response), an action is
// named and belongs to the module; then the action runs.
func (a *API) moduleCall(actions map[string]actionFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		call := bssCallOf(c)
		obj, err := a.bssObjectBody(c)
		if err != nil {
			// The body's error is the answer (RESTAPI108), and the
			// presented token is consumed all the same; a body too large
			// to read is not a call, and leaves it.
			if fault.ReasonOf(err) != reasonPayloadTooLarge {
				a.consumePresented(c)
			}
			a.bssFail(c, err)
			return
		}
		req := newBSSRequest(obj)
		call.externalID = echoable(req.in.ExternalTransactionID)
		raw := strings.TrimSpace(c.GetHeader(headerToken))
		if raw == "" {
			a.cfg.Metrics.AuthFailed(ports.AuthBSS, token.ReasonInvalid)
			a.bssFail(c, token.InvalidError())
			return
		}
		s, err := a.svc.Enrollment.Consume(c.Request.Context(), raw)
		if err != nil {
			a.bssFail(c, err)
			return
		}
		bssCallOf(c).token = s.NextToken
		c.Set(ctxOrgCode, s.Org.Code)

		var vs fault.Violations
		action := strings.ToLower(strings.TrimSpace(req.obj.text(fieldAction, &vs)))
		if err := vs.Err(); err != nil {
			a.bssFail(c, err)
			return
		}
		if action == "" {
			a.bssFail(c, fault.New(fault.Invalid, reasonActionRequired, ""))
			return
		}
		run, ok := actions[action]
		if !ok {
			a.bssFail(c, fault.New(fault.Invalid, reasonActionUnknown, ""))
			return
		}
		req.in.Action = action
		run(a, c, s, req)
	}
}

// callContext returns what the service checks on every action.
func (r *bssRequest) callContext() ports.CallContext {
	return ports.CallContext{Action: r.in.Action, AgentID: r.in.AgentID, AgentPassword: r.in.AgentPassword, Source: r.in.Source}
}

type availabilityJSON struct {
	ZipCode        string `json:"zip_code"`
	City           string `json:"city"`
	State          string `json:"state"`
	EnrollmentType string `json:"enrollment_type"`
	IsEnrollment   string `json:"is_enrollment"`
	EnrollmentID   string `json:"enrollment_id,omitempty"`
}

// checkAvailability is check_service_availability.
func (a *API) checkAvailability(c *gin.Context, s ports.Session, req *bssRequest) {
	r := ports.AvailabilityRequest{
		CallContext:    req.callContext(),
		ZipCode:        req.text(fieldZipCode),
		EnrollmentType: req.text(fieldEnrollmentType),
		IsEnrollment:   req.text(fieldIsEnrollment),
	}
	if err := req.vs.Err(); err != nil {
		a.bssFail(c, err)
		return
	}
	av, err := a.svc.Enrollment.CheckAvailability(c.Request.Context(), s.Org.ID, r)
	if err != nil {
		a.bssFail(c, err)
		return
	}
	out := availabilityJSON{ZipCode: av.ZipCode, City: av.City, State: av.State,
		EnrollmentType: av.EnrollmentType, IsEnrollment: "N", EnrollmentID: av.EnrollmentID}
	if av.EnrollmentID != "" {
		out.IsEnrollment = "Y"
	}
	a.bssOK(c, msgSuccess, out)
}

// planList is plan_list: the filters zip_code, enrollment_type, plan_id,
// carrier and is_family_plan, every plan field in the answer.
func (a *API) planList(c *gin.Context, s ports.Session, req *bssRequest) {
	r := ports.PlanListRequest{
		CallContext:    req.callContext(),
		ZipCode:        req.text(fieldZipCode),
		EnrollmentType: req.text(fieldEnrollmentType),
		PlanID:         req.text(fieldPlanID),
		Carrier:        req.text(fieldCarrier),
		IsFamilyPlan:   req.text(fieldIsFamilyPlan),
	}
	if err := req.vs.Err(); err != nil {
		a.bssFail(c, err)
		return
	}
	plans, err := a.svc.Enrollment.ListPlans(c.Request.Context(), s.Org.ID, r)
	if err != nil {
		a.bssFail(c, err)
		return
	}
	a.bssOK(c, msgSuccess, plansJSON(plans))
}

// createCustomer is create_customer_prepaid_multiline (and its alias) and
// create_prepaid_postpaid_customer_v2: one operation, answered in the
// envelope of the action the client named (see customerResult).
func (a *API) createCustomer(c *gin.Context, s ports.Session, req *bssRequest) {
	res := customerResult{v2: enrollment.IsV2(req.in.Action), ids: s.Org.Settings.IDs()}
	req.decodeLines()
	res.lines = len(req.in.Lines)
	if err := req.vs.Err(); err != nil {
		a.customerFail(c, res, err)
		return
	}
	lines, err := a.svc.Enrollment.CreateCustomer(c.Request.Context(), s.Org.ID, req.in)
	if err != nil {
		res.existing = lines
		a.customerFail(c, res, err)
		return
	}
	res.created = lines
	a.customerOK(c, res)
}

// customerResult is what a customer creation answers with, and how.
type customerResult struct {
	v2  bool
	ids tenant.IDForm
	// lines is how many lines the request carried.
	lines int
	// created are the lines of a success.
	created []ports.CreatedLine
	// existing are, in a refused request, the existing customers of lines
	// whose enrollment id already had one (CreatedLine.Existing).
	existing []ports.CreatedLine
}

// customerOK writes a success: one entry per line, in the envelope of the
// action.
func (a *API) customerOK(c *gin.Context, res customerResult) {
	ext := bssCallOf(c).externalID
	data := make([]any, 0, len(res.created))
	for _, l := range res.created {
		if res.v2 {
			data = append(data, v2LineResult{Data: res.v2Data(l, ext), Msg: msgSuccess, MsgCode: msgCodeSuccess})
		} else {
			data = append(data, lineResult{MsgCode: msgCodeSuccess, Msg: msgSuccess, Data: res.lineData(l)})
		}
	}
	env := bssEnvelope{Msg: msgSuccess, MsgCode: msgCodeSuccess}
	if res.v2 {
		out := v2Envelope{Data: data}
		a.v2Write(c, http.StatusOK, &env, &out)
		return
	}
	out := createdEnvelope{Data: data, bssEnvelope: env}
	a.bssWrite(c, http.StatusOK, &out.bssEnvelope, &out)
}

// customerFail writes a refused creation. A failure of the request's
// content (its violations) also answers per line: data[i] holds line i's
// own messages, the existing customer's ids for a line whose enrollment id
// already had one, and for a valid line that it was not created. The
// multiline action keeps its top-level errors and msg_code; v2 marks the
// top level as its clients detect a failure (errors holds "Fail", then the
// messages of the request's own fields). Other failures (token, agent,
// source, server) have the usual envelope.
func (a *API) customerFail(c *gin.Context, res customerResult, err error) {
	status, env, reason := renderBSS(err)
	fe, ok := fault.As(err)
	if !ok || status != http.StatusOK || len(fe.Violations) == 0 || env.MsgCode != msgCodeError && env.MsgCode != msgCodeErrors || res.lines == 0 {
		a.bssFail(c, err)
		return
	}
	perLine := make([][]string, res.lines)
	var top []string
	for _, v := range fe.Violations {
		switch {
		case v.Reason == enrollment.ReasonTooManyLines:
			a.bssFail(c, err) // no entry per line of an oversized request
			return
		case v.Line >= 1 && v.Line <= res.lines:
			perLine[v.Line-1] = append(perLine[v.Line-1], enrollment.LineMessage(v))
		default:
			top = append(top, v.Message)
		}
	}
	ext := bssCallOf(c).externalID
	data := make([]any, res.lines)
	for i, msgs := range perLine {
		if len(msgs) == 0 {
			msgs = []string{enrollment.MsgLineNotCreated}
		}
		code := msgCodeError
		if len(msgs) > 1 {
			code = msgCodeErrors
		}
		var lineData any = struct{}{}
		if i < len(res.existing) && res.existing[i].Existing {
			if res.v2 {
				lineData = res.v2Data(res.existing[i], ext)
			} else {
				lineData = res.lineData(res.existing[i])
			}
		}
		if res.v2 {
			data[i] = v2LineResult{Data: lineData, Msg: msgErrorOccurred, MsgCode: code, Errors: msgs}
		} else {
			data[i] = lineResult{MsgCode: code, Msg: msgErrorOccurred, Data: lineData, Errors: msgs}
		}
	}
	c.Set(ctxReason, reason)
	if res.v2 {
		out := v2Envelope{Data: data, Errors: append([]string{enrollment.MsgFail}, top...)}
		a.v2Write(c, status, &env, &out)
		return
	}
	env.Data = data
	a.bssWrite(c, status, &env, &env)
}

// v2Write writes out with env's msg and msg_code and the call's token and
// transaction id.
func (a *API) v2Write(c *gin.Context, status int, env *bssEnvelope, out *v2Envelope) {
	call := bssCallOf(c)
	out.Msg, out.MsgCode = env.Msg, env.MsgCode
	out.Token, out.ExternalTransactionID = call.token, call.externalID
	a.bssWrite(c, status, env, out)
}

// createdEnvelope is the success of create_customer_prepaid_multiline. The
// document's sample puts "data" first; the embedded envelope's own Data is
// shadowed by this one and its other keys follow in their usual order.
type createdEnvelope struct {
	Data []any `json:"data"`
	bssEnvelope
}

// lineResult is one line's result of create_customer_prepaid_multiline,
// keys in the document sample's order; errors only on failure.
type lineResult struct {
	MsgCode string   `json:"msg_code"`
	Msg     string   `json:"msg"`
	Data    any      `json:"data"`
	Errors  []string `json:"errors,omitempty"`
}

// lineData is the document sample's inner object, keys in its order.
type lineData struct {
	CustomerID     bssNumber `json:"customer_id"`
	EnrollmentID   string    `json:"enrollment_id"`
	EnrollmentType string    `json:"enrollment_type"`
	CustID         bssNumber `json:"cust_id"`
	MDN            bssNumber `json:"mdn"`
	MSID           bssNumber `json:"msid"`
	MSL            string    `json:"msl"`
	InvoiceNumber  string    `json:"invoice_number"`
}

// v2Envelope is create_prepaid_postpaid_customer_v2's response, keys in
// the order the vendor's export records them, the call's token last.
type v2Envelope struct {
	Data   []any    `json:"data"`
	Errors []string `json:"errors,omitempty"`
	v2Top
}

// v2Top is what v2Envelope shares with every BSS envelope; v2Write fills
// it.
type v2Top struct {
	Msg                   string `json:"msg"`
	MsgCode               string `json:"msg_code"`
	ExternalTransactionID string `json:"external_transaction_id,omitempty"`
	Token                 string `json:"token"`
}

// v2LineResult is one line's result of v2, keys in the export's order.
type v2LineResult struct {
	Data    any      `json:"data"`
	Msg     string   `json:"msg"`
	MsgCode string   `json:"msg_code"`
	Errors  []string `json:"errors,omitempty"`
}

// v2LineData is v2's inner object, keys in the export's order.
type v2LineData struct {
	CustID                bssNumber `json:"cust_id"`
	CustomerID            bssNumber `json:"customer_id"`
	EnrollmentID          string    `json:"enrollment_id"`
	EnrollmentType        string    `json:"enrollment_type"`
	InvoiceNumber         string    `json:"invoice_number"`
	MDN                   bssNumber `json:"mdn"`
	MSID                  bssNumber `json:"msid"`
	MSL                   string    `json:"msl"`
	ExternalTransactionID string    `json:"external_transaction_id"`
}

// bssNumber is a numeric id of a BSS response (digits, or "" when there is
// none), written in the organisation's id form: a JSON integer, or a
// string as the older document shows. An absent one is null, or "" where
// the live service writes "" (msid in the integer form).
type bssNumber struct {
	digits    string
	form      tenant.IDForm
	emptyText bool
}

// MarshalJSON implements json.Marshaler.
func (n bssNumber) MarshalJSON() ([]byte, error) {
	switch {
	case n.digits == "" && n.emptyText:
		return []byte(`""`), nil
	case n.digits == "":
		return []byte("null"), nil
	case n.form == tenant.IDsString:
		return json.Marshal(n.digits)
	}
	return []byte(n.digits), nil
}

func (r customerResult) num(digits string) bssNumber { return bssNumber{digits: digits, form: r.ids} }

// msid is null in the string form (the document's sample) and "" in the
// integer form (the live service's); Allot assigns none yet.
func (r customerResult) msid() bssNumber {
	return bssNumber{form: r.ids, emptyText: r.ids != tenant.IDsString}
}

func (r customerResult) lineData(l ports.CreatedLine) lineData {
	id := strconv.FormatInt(l.CustomerID, 10)
	return lineData{CustomerID: r.num(id), EnrollmentID: l.EnrollmentID, EnrollmentType: string(l.EnrollmentType),
		CustID: r.num(id), MDN: r.num(l.MDN), MSID: r.msid(), InvoiceNumber: l.InvoiceNumber}
}

func (r customerResult) v2Data(l ports.CreatedLine, ext string) v2LineData {
	id := strconv.FormatInt(l.CustomerID, 10)
	return v2LineData{CustID: r.num(id), CustomerID: r.num(id), EnrollmentID: l.EnrollmentID, EnrollmentType: string(l.EnrollmentType),
		InvoiceNumber: l.InvoiceNumber, MDN: r.num(l.MDN), MSID: r.msid(), ExternalTransactionID: ext}
}
