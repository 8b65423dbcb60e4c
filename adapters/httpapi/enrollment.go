package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
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
	{CustomerPath, map[string]actionFunc{enrollment.ActionCreate: (*API).createCustomer, enrollment.ActionAddLine: (*API).createCustomer}},
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
	a.bssFail(c, fault.New(fault.Invalid, reason, ""))
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
		req, ok := a.bssParse(c)
		if !ok {
			return
		}
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

// createdEnvelope is the success of create_customer_prepaid_multiline. The
// document's sample puts "data" first; the embedded envelope's own Data is
// shadowed by this one and its other keys follow in their usual order.
type createdEnvelope struct {
	Data []createdLineJSON `json:"data"`
	bssEnvelope
}

// createdLineJSON is one line's result, keys in the sample's order.
type createdLineJSON struct {
	MsgCode string          `json:"msg_code"`
	Msg     string          `json:"msg"`
	Data    createdLineData `json:"data"`
}

// createdLineData is the sample's inner object, keys in its order. mdn and
// msid are null until the carrier assigns them; msl is "".
type createdLineData struct {
	CustomerID     string  `json:"customer_id"`
	EnrollmentID   string  `json:"enrollment_id"`
	EnrollmentType string  `json:"enrollment_type"`
	CustID         string  `json:"cust_id"`
	MDN            *string `json:"mdn"`
	MSID           *string `json:"msid"`
	MSL            string  `json:"msl"`
	InvoiceNumber  string  `json:"invoice_number"`
}

// createCustomer is create_customer_prepaid_multiline (and its alias).
func (a *API) createCustomer(c *gin.Context, s ports.Session, req *bssRequest) {
	req.decodeLines()
	if err := req.vs.Err(); err != nil {
		a.bssFail(c, err)
		return
	}
	lines, err := a.svc.Enrollment.CreateCustomer(c.Request.Context(), s.Org.ID, req.in)
	if err != nil {
		a.bssFail(c, err)
		return
	}
	out := createdEnvelope{
		Data:        make([]createdLineJSON, 0, len(lines)),
		bssEnvelope: bssEnvelope{Msg: msgSuccess, MsgCode: msgCodeSuccess},
	}
	for _, l := range lines {
		id := strconv.FormatInt(l.CustomerID, 10)
		out.Data = append(out.Data, createdLineJSON{MsgCode: msgCodeSuccess, Msg: msgSuccess, Data: createdLineData{
			CustomerID:     id,
			EnrollmentID:   l.EnrollmentID,
			EnrollmentType: string(l.EnrollmentType),
			CustID:         id,
			InvoiceNumber:  l.InvoiceNumber,
		}})
	}
	a.bssWrite(c, http.StatusOK, &out.bssEnvelope, &out)
}
