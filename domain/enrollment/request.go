package enrollment

import (
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/allot-io/allot/domain/fault"
)

// The action names of the operation.
const (
	// ActionCreate is the operation's name in the contract.
	ActionCreate = "create_customer_prepaid_multiline"
	// ActionAddLine is the name the contract's sample request uses, which
	// SPEC §2 makes an alias of ActionCreate.
	ActionAddLine = "add_line_nonlifeline_customer"
	// ActionCreateV2 is the creation action of the vendor's newer API,
	// which most clients send: the same operation and rules, with the
	// names, defaults and per-line parent of its field table (SPEC §2
	// "Real clients").
	ActionCreateV2 = "create_prepaid_postpaid_customer_v2"
)

// IsV2 reports whether action (as the dispatcher canonicalised it, lower
// case) is create_prepaid_postpaid_customer_v2.
func IsV2(action string) bool { return action == ActionCreateV2 }

// The sources an organisation may allow (RESTAPI103 "Source Not Allowed"
// otherwise). Validate stores the source upper-case, so compare with these.
const (
	// SourceAPI is an order sent by an integrator's system.
	SourceAPI = "API"
	// SourceWebsite is an order placed on a website.
	SourceWebsite = "WEBSITE"
	// SourceEnrollmentPortal is an order entered in a dealer portal.
	SourceEnrollmentPortal = "ENROLLMENT_PORTAL"
)

// DefaultMaxLines is the default largest number of lines of one request.
const DefaultMaxLines = 10

// Limits are the configurable bounds of a request.
type Limits struct {
	// MaxLines is the most lines one request may carry; 0 or less means
	// DefaultMaxLines.
	MaxLines int
}

func (l Limits) maxLines() int {
	if l.MaxLines <= 0 {
		return DefaultMaxLines
	}
	return l.MaxLines
}

// Reasons of the violations that are not derived from the field name (see
// MissingReason and InvalidReason), including those the use case reports
// after consulting the store.
const (
	// ReasonLinesMissing: the request has no line.
	ReasonLinesMissing = "LINES_NOT_PRESENT"
	// ReasonTooManyLines: the request has more lines than Limits allow.
	ReasonTooManyLines = "TOO_MANY_LINES"
	// ReasonEnrollmentIDMissing: a line has no enrollment_id
	// (equal to MissingReason("enrollment_id")).
	ReasonEnrollmentIDMissing = "ENROLLMENT_ID_NOT_PRESENT"
	// ReasonDuplicateEnrollmentID: two lines carry the same enrollment id.
	ReasonDuplicateEnrollmentID = "DUPLICATE_ENROLLMENT_ID"
	// ReasonAgentIDMissing: agent_id is blank (RESTAPI104).
	ReasonAgentIDMissing = "AGENT_ID_NOT_PRESENT"
	// ReasonAgentIDInvalid: agent_id names no agent of the organisation
	// or cannot name one (RESTAPI104).
	ReasonAgentIDInvalid = "INVALID_AGENT_ID"
	// ReasonAgentCredentials: the agent's password is required and
	// missing or wrong (RESTAPI104).
	ReasonAgentCredentials = "INVALID_AGENT_CREDENTIALS"
	// ReasonPlanNotActive: plan_id is not an active plan of the organisation.
	ReasonPlanNotActive = "PLAN_NOT_ACTIVE"
	// ReasonEnrollmentIDUsed: a customer already exists for the enrollment id.
	ReasonEnrollmentIDUsed = "ENROLLMENT_ID_ALREADY_USED"
	// ReasonEnrollmentIDNotIssued: check_service_availability did not issue
	// the enrollment id to the organisation.
	ReasonEnrollmentIDNotIssued = "ENROLLMENT_ID_NOT_FOUND"
	// ReasonParentNotFound: parent_enrollment_id is neither a line of the
	// request nor an existing account of the organisation.
	ReasonParentNotFound = "PARENT_ENROLLMENT_ID_NOT_FOUND"
	// ReasonParentMismatch: a line names another parent than the request's.
	ReasonParentMismatch = "PARENT_ENROLLMENT_ID_MISMATCH"
	// ReasonAliasConflict: a field and its other name disagree (is_portin
	// Y with activation_type NEWACTIVATION).
	ReasonAliasConflict = "CONFLICTING_FIELDS"
)

// RuleSameParent: every line of a request belongs to one account.
const RuleSameParent = "same_parent"

// LineMessage returns v's message without the "Line N: " prefix that
// Validate gives it in a request of several lines, for responses that
// report each line's messages in the line's own entry.
func LineMessage(v fault.Violation) string {
	if v.Line > 0 {
		return strings.TrimPrefix(v.Message, "Line "+strconv.Itoa(v.Line)+": ")
	}
	return v.Message
}

// MissingReason returns the reason of a required field that is absent, for
// example SERVICE_ZIP_NOT_PRESENT for "service_zip".
func MissingReason(field string) string { return asciiUpper(field) + "_NOT_PRESENT" }

// InvalidReason returns the reason of a field that breaks a rule, for
// example INVALID_SERVICE_ZIP for "service_zip".
func InvalidReason(field string) string { return "INVALID_" + asciiUpper(field) }

// Request is a validated create_customer_prepaid_multiline request. It
// comes only from Validate and is valid forever: its fields are unexported
// and Lines returns a copy.
type Request struct {
	v           [numRequestFields]string // normalised top-level values
	lines       []Line
	parentIndex int // index in lines of the parent's line, or -1
}

// Action returns the action as the client named it (trimmed).
func (r Request) Action() string { return r.v[rAction] }

// Lines returns a copy of the lines, in request order.
func (r Request) Lines() []Line { return slices.Clone(r.lines) }

// NumLines returns how many lines the request carries.
func (r Request) NumLines() int { return len(r.lines) }

// ParentEnrollmentID returns the parent's enrollment id, upper-case.
func (r Request) ParentEnrollmentID() string { return r.v[rParentEnrollmentID] }

// AgentID returns the agent id, trimmed and otherwise as sent, since agent
// logins are matched exactly.
func (r Request) AgentID() string { return r.v[rAgentID] }

// AgentPassword returns the agent password; it is empty when not sent,
// which is fine for agents not configured to require one.
func (r Request) AgentPassword() Secret { return NewSecret(r.v[rAgentPassword]) }

// Source returns the source, upper-case (for example WEBSITE).
func (r Request) Source() string { return r.v[rSource] }

// SubSource returns the sub-source, if any.
func (r Request) SubSource() string { return r.v[rSubSource] }

// InvoiceNumber returns the invoice number, if any.
func (r Request) InvoiceNumber() string { return r.v[rInvoiceNumber] }

// ExternalTransactionID returns the client's transaction id, to be echoed
// in the response, if any.
func (r Request) ExternalTransactionID() string { return r.v[rExternalTransactionID] }

// ParentIndex returns the index in Lines of the line whose enrollment id is
// the parent enrollment id; that line opens the parent account. ok is false
// when no line carries it, in which case the parent must be an existing
// account of the organisation.
func (r Request) ParentIndex() (index int, ok bool) {
	if r.parentIndex < 0 {
		return 0, false
	}
	return r.parentIndex, true
}

// ParentIsNew reports whether one of the lines opens the parent account.
func (r Request) ParentIsNew() bool { return r.parentIndex >= 0 }

// LineViolation returns a violation of field on line n (1-based), its
// message prefixed with "Line n: " when the request has more than one line,
// as Validate does. Use cases report what they learn from the store with it.
func (r Request) LineViolation(n int, field, rule, reason, message string) fault.Violation {
	return lineViolation(len(r.lines) > 1, n, field, rule, reason, message)
}

// PlanNotActive returns the violation of line n whose plan_id is not an
// active plan of the organisation.
func (r Request) PlanNotActive(n int) fault.Violation {
	return r.LineViolation(n, lineFields[fPlanID].json, RuleActive, ReasonPlanNotActive, MsgPlanNotActive)
}

// EnrollmentIDUsed returns the violation of line n whose enrollment id
// already has a customer.
func (r Request) EnrollmentIDUsed(n int) fault.Violation {
	return r.LineViolation(n, lineFields[fEnrollmentID].json, RuleIssued, ReasonEnrollmentIDUsed, MsgEnrollmentIDUsed)
}

// EnrollmentIDNotIssued returns the violation of line n whose enrollment id
// was not issued to the organisation by check_service_availability.
func (r Request) EnrollmentIDNotIssued(n int) fault.Violation {
	return r.LineViolation(n, lineFields[fEnrollmentID].json, RuleIssued, ReasonEnrollmentIDNotIssued, MsgEnrollmentIDNotIssued)
}

// LifelineOutside returns the violation of line n whose enrollment id was
// issued for LIFELINE: lifeline customers are created outside Allot.
func (r Request) LifelineOutside(n int) fault.Violation {
	return r.LineViolation(n, lineFields[fEnrollmentID].json, RuleIssued, ReasonLifelineOutside, MsgLifelineOutside)
}

// ParentNotFound returns the violation of a parent enrollment id that is
// neither a line of the request nor an existing account.
func (r Request) ParentNotFound() fault.Violation {
	return fault.Violation{Field: requestFields[rParentEnrollmentID].json, Rule: RuleExists, Reason: ReasonParentNotFound, Message: MsgParentNotFound}
}

func lineViolation(multi bool, n int, field, rule, reason, message string) fault.Violation {
	return fault.Violation{Line: n, Field: field, Rule: rule, Reason: reason, Message: LinePrefixed(multi, n, message)}
}

// LinePrefixed returns message as a request of several lines words it for
// its n-th line (1-based): "Line n: message"; a request of one line has no
// prefix. It is the one place the prefix is written; LineMessage takes it
// off again.
func LinePrefixed(multi bool, n int, message string) string {
	if !multi {
		return message
	}
	return "Line " + strconv.Itoa(n) + ": " + message
}

// SortViolations orders vs as Validate does: top-level fields first, then
// by line, and within a line by the vendor document's field order. The sort
// is stable, so several violations of one field keep their order. Use cases
// that add violations from the store call it before reporting them all.
func SortViolations(vs []fault.Violation) {
	slices.SortStableFunc(vs, func(a, b fault.Violation) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return fieldOrder(a) - fieldOrder(b)
	})
}

func fieldOrder(v fault.Violation) int {
	if v.Line == 0 {
		for i := range requestFields {
			if requestFields[i].json == v.Field {
				return i
			}
		}
		return len(requestFields)
	}
	if id, ok := lineFieldByName[v.Field]; ok {
		return int(id)
	}
	if i, ok := lineAliasByName[v.Field]; ok {
		return int(lineAliases[i].field)
	}
	return int(numLineFields)
}

// ParseAgentID checks an agent id before anything else, because the API
// reports agent problems (RESTAPI104) ahead of field validation. It returns
// the trimmed id, or an Invalid error with reason AGENT_ID_NOT_PRESENT and
// the message "Agent Id should not be blank", or INVALID_AGENT_ID and
// "Invalid Agent Id" for text that cannot be an agent login.
func ParseAgentID(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fault.InvalidField(requestFields[rAgentID].json, RuleRequired, ReasonAgentIDMissing, MsgAgentIDBlank)
	}
	if !validAgentID(s) {
		return "", fault.InvalidField(requestFields[rAgentID].json, RulePattern, ReasonAgentIDInvalid, MsgInvalidAgentID)
	}
	return s, nil
}

// UnknownAgentError returns the Unauthorized error for an agent id that is
// not an agent of the organisation ("Invalid Agent Id").
func UnknownAgentError() error {
	return fault.New(fault.Unauthorized, ReasonAgentIDInvalid, MsgInvalidAgentID)
}

// AgentCredentialsError returns the Unauthorized error for an agent whose
// password is required and missing or wrong ("Invalid Agent ID or
// Password").
func AgentCredentialsError() error {
	return fault.New(fault.Unauthorized, ReasonAgentCredentials, MsgInvalidAgentCredentials)
}

// collector gathers violations with their field order, so that they can be
// reported in document order whatever order the rules ran in.
type collector struct {
	multi bool
	vs    []fault.Violation
}

func (c *collector) top(id requestFieldID, rule, reason, msg string) {
	c.vs = append(c.vs, fault.Violation{Field: requestFields[id].json, Rule: rule, Reason: reason, Message: msg})
}

func (c *collector) line(n int, id lineFieldID, rule, reason, msg string) {
	c.lineNamed(n, lineFields[id].json, rule, reason, msg)
}

func (c *collector) lineNamed(n int, field, rule, reason, msg string) {
	c.vs = append(c.vs, lineViolation(c.multi, n, field, rule, reason, msg))
}

// Validate normalises in and checks every rule of the vendor's field table,
// including the conditional ones. It returns the Request, or an Invalid
// fault.Error whose Violations hold every broken rule, top-level fields
// first, then line by line in the document's field order (the first
// violation gives the error its Reason and Message). In a request of more
// than one line every line message starts with "Line N: ".
//
// A request with no lines or more than lim allows is refused without
// validating its lines, so that an oversized request cannot make the
// server produce an unbounded list of messages.
//
// What needs the store is left to the caller: whether the agent exists,
// whether the source is allowed, whether each enrollment id was issued and
// is unused (EnrollmentIDNotIssued, EnrollmentIDUsed), whether each plan is
// active (PlanNotActive), and whether a parent that no line carries is an
// existing account (ParentNotFound).
//
// For create_prepaid_postpaid_customer_v2 (in.Action, see IsV2) the
// table's v2 defaults apply (activation_type NEWACTIVATION, is_esim N) and
// the parent may be named per line: a line's parent_enrollment_id "" (or
// its own enrollment id) means it opens the account, and the top-level
// parent_enrollment_id is optional: the parent is then the first line
// that opens the account, else the first line's parent_enrollment_id. With
// either action, a line's parent_enrollment_id, when given, must name the
// request's parent.
func Validate(in RequestInput, lim Limits) (Request, error) {
	c := collector{multi: len(in.Lines) > 1}
	r := Request{parentIndex: -1}
	v2 := IsV2(strings.ToLower(strings.TrimSpace(in.Action)))

	for id := range requestFields {
		f := &requestFields[id]
		if f.ptr == nil {
			continue
		}
		v := normalise(f.norm, *f.ptr(&in))
		r.v[id] = v
		switch {
		case v == "" && f.req && !(v2 && f.v2Optional):
			msg := f.missing
			if msg == "" {
				msg = f.label + " is required"
			}
			c.top(requestFieldID(id), RuleRequired, MissingReason(f.json), msg)
		case v != "" && f.check != nil:
			f.check(f.label, v, func(rule, msg string) {
				c.top(requestFieldID(id), rule, InvalidReason(f.json), msg)
			})
		}
	}
	switch max := lim.maxLines(); {
	case len(in.Lines) == 0:
		c.top(rLines, RuleMinLines, ReasonLinesMissing, MsgLinesMissing)
	case len(in.Lines) > max:
		c.top(rLines, RuleMaxLines, ReasonTooManyLines,
			fmt.Sprintf("At most %d lines are allowed in one request; %d were sent", max, len(in.Lines)))
	default:
		if v2 && r.v[rParentEnrollmentID] == "" {
			r.v[rParentEnrollmentID] = impliedParent(in.Lines)
		}
		parent := r.v[rParentEnrollmentID]
		r.lines = make([]Line, len(in.Lines))
		first := make(map[string]int, len(in.Lines)) // enrollment id -> 1-based line
		for i := range in.Lines {
			n := i + 1
			r.lines[i] = validateLine(&in.Lines[i], n, v2, &c)
			if p := r.lines[i].v[fParentEnrollmentID]; p != "" && parent != "" && p != parent {
				c.line(n, fParentEnrollmentID, RuleSameParent, ReasonParentMismatch,
					"Parent enrollment Id should be "+parent+", the parent of every line of this request")
			}
			id := r.lines[i].EnrollmentID()
			if id == "" || len(id) > MaxEnrollmentID || !only(id, isAlnum) {
				continue // already reported; a duplicate of a bad id adds nothing
			}
			if prev, dup := first[id]; dup {
				c.line(n, fEnrollmentID, RuleUnique, ReasonDuplicateEnrollmentID,
					"Enrollment Id is the same as in line "+strconv.Itoa(prev))
				continue
			}
			first[id] = n
			if id == r.v[rParentEnrollmentID] {
				r.parentIndex = i
			}
		}
	}

	if len(c.vs) > 0 {
		SortViolations(c.vs)
		return Request{}, fault.Violations(c.vs).Err()
	}
	return r, nil
}

// impliedParent returns the parent of a request whose top level names none:
// the first line whose own parent_enrollment_id is "" or its enrollment id
// (it opens the account), else the first line's parent_enrollment_id.
func impliedParent(lines []LineInput) string {
	for i := range lines {
		id := normalise(upper, lines[i].EnrollmentID)
		p := normalise(upper, lines[i].ParentEnrollmentID)
		if p == "" || p == id {
			return id
		}
	}
	if len(lines) > 0 {
		return normalise(upper, lines[0].ParentEnrollmentID)
	}
	return ""
}

// validateLine normalises every field of in and checks it, reporting as
// line n. Every field is normalised before any is checked, because
// conditional rules look at fields that come later in document order (esn
// and carrier depend on enrollment_type). Aliases fill their fields first,
// then, for v2, the table's v2 defaults fill what is still absent.
func validateLine(in *LineInput, n int, v2 bool, c *collector) Line {
	var l Line
	for id := range lineFields {
		f := &lineFields[id]
		l.v[id] = normalise(f.norm, *f.ptr(in))
	}
	for i := range lineAliases {
		a := &lineAliases[i]
		raw := normalise(a.norm, *a.ptr(in))
		if raw == "" {
			continue
		}
		mapped, ok := a.mapValue(raw)
		target := &lineFields[a.field]
		switch {
		case !ok:
			c.lineNamed(n, a.json, RuleEnum, InvalidReason(a.json), a.label+" should be "+a.allowed)
		case l.v[a.field] == "":
			l.v[a.field] = normalise(target.norm, mapped)
		case l.v[a.field] != normalise(target.norm, mapped):
			c.lineNamed(n, a.json, RuleEnum, ReasonAliasConflict, a.label+" contradicts "+target.label)
		}
	}
	if v2 {
		for id := range lineFields {
			if l.v[id] == "" && lineFields[id].v2Default != "" {
				l.v[id] = lineFields[id].v2Default
			}
		}
	}
	for id := range lineFields {
		f := &lineFields[id]
		v := l.v[id]
		if v == "" {
			if rule, msg, ok := l.required(f); ok {
				reason := MissingReason(f.json)
				c.line(n, lineFieldID(id), rule, reason, msg)
			}
			continue
		}
		f.check(f.label, v, func(rule, msg string) {
			c.line(n, lineFieldID(id), rule, InvalidReason(f.json), msg)
		})
	}
	return l
}

// required reports whether f must be present in l, with the rule and
// message to report when it is not. Conditions look at the normalised
// values, so an unknown activation_type requires no port field: that line
// already fails on activation_type itself.
func (l *Line) required(f *lineField) (rule, msg string, ok bool) {
	switch f.req {
	case always:
		if f.missing != "" {
			return RuleRequired, f.missing, true
		}
		return RuleRequired, f.label + " is required", true
	case ifPortIn:
		if l.v[fActivationType] == string(PortIn) {
			return RuleRequiredIfPortIn, f.label + " is required when activation type is PORTIN", true
		}
	case ifHandover:
		if l.v[fEnrollmentType] == string(Handover) {
			return RuleRequiredIfHandover, f.label + " is required when enrollment type is HANDOVER", true
		}
	case if4G:
		if l.v[fPhoneType] == string(Phone4G) {
			return RuleRequiredIf4G, f.label + " is required when phone type is 4G", true
		}
	}
	return "", "", false
}

// normalise trims s and applies n. Case is changed for ASCII only: Unicode
// case mapping turns some non-ASCII letters into ASCII ones ('ſ' into 'S'),
// which would let a non-ASCII value pass an ASCII-only rule.
func normalise(n norm, s string) string {
	s = strings.TrimSpace(s)
	switch n {
	case upper:
		s = asciiUpper(s)
	case lower:
		s = asciiLower(s)
	case name:
		// Phones and word processors type typographic apostrophes (the
		// vendor's own table shows ‘); carriers expect the ASCII one.
		if strings.ContainsAny(s, "\u2018\u2019") {
			s = strings.NewReplacer("\u2018", "'", "\u2019", "'").Replace(s)
		}
	}
	return s
}

func asciiUpper(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'a' && b[j] <= 'z' {
					b[j] -= 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// String renders the non-empty top-level fields and the lines as
// json_name:value pairs, secrets shown as Redacted.
func (r Request) String() string {
	var b strings.Builder
	b.WriteString("{")
	sep := ""
	for i := range requestFields {
		f := &requestFields[i]
		if f.ptr == nil {
			fmt.Fprintf(&b, "%s%s:[", sep, f.json)
			for j, l := range r.lines {
				if j > 0 {
					b.WriteString(" ")
				}
				b.WriteString(l.String())
			}
			b.WriteString("]")
			sep = " "
			continue
		}
		v := r.v[i]
		if v == "" {
			continue
		}
		writeField(&b, sep, f.json, v, f.secret)
		sep = " "
	}
	b.WriteString("}")
	return b.String()
}

// GoString is String with the type's name, for %#v.
func (r Request) GoString() string { return "enrollment.Request" + r.String() }

// Format prints String (GoString for %#v) for every verb, so that no verb
// prints the unexported values, secrets included, by reflection.
func (r Request) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(r.GoString()))
		return
	}
	_, _ = f.Write([]byte(r.String()))
}

// LogValue logs the request's non-secret top-level fields and each line's
// LogValue (keyed by line number), never a secret nor a customer's
// personal data.
func (r Request) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, len(requestFields))
	for i := range requestFields {
		f := &requestFields[i]
		switch {
		case f.secret:
		case f.ptr == nil:
			lines := make([]slog.Attr, len(r.lines))
			for j, l := range r.lines {
				lines[j] = slog.Attr{Key: strconv.Itoa(j + 1), Value: l.LogValue()}
			}
			attrs = append(attrs, slog.Attr{Key: f.json, Value: slog.GroupValue(lines...)})
		default:
			attrs = append(attrs, slog.String(f.json, r.v[i]))
		}
	}
	return slog.GroupValue(attrs...)
}
