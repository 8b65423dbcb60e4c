package enrollment

import (
	"fmt"
	"strings"
	"time"

	"github.com/allot-io/allot/domain/fault"
)

// Vendor is an organisation's credential for the BSS API: POST
// /authenticate checks vendor_id, username, password and pin against it.
// Password and pin are kept only as hashes.
type Vendor struct {
	VendorID     string
	Username     string
	PasswordHash string
	PinHash      string
	CreatedAt    time.Time
}

// Agent is a dealer's or employee's login sent as agent_id. An agent with a
// PasswordHash must send agent_password; Actions, when not empty, lists the
// only actions the agent may call.
type Agent struct {
	ID           string
	PasswordHash string
	Actions      []string
	CreatedAt    time.Time
}

// NeedsPassword reports whether the agent must send agent_password.
func (a Agent) NeedsPassword() bool { return a.PasswordHash != "" }

// May reports whether the agent is permitted to call action.
func (a Agent) May(action string) bool {
	if len(a.Actions) == 0 {
		return true
	}
	for _, x := range a.Actions {
		if strings.EqualFold(x, action) {
			return true
		}
	}
	return false
}

// ServiceZip is a zip code of an organisation's service area.
type ServiceZip struct {
	Zip   string
	City  string
	State string
	// AreaCode, when set, is the area code (NPA) whose MDNs the zip's
	// lines take first from the organisation's MDN stock.
	AreaCode string
}

// ReasonInvalidAreaCode is the reason of an area code that is not one.
const ReasonInvalidAreaCode = "INVALID_AREA_CODE"

// WithAreaCode returns z with area code code (trimmed; "" for none): a
// NANP area code, three digits of which the first is 2 to 9. Invalid
// INVALID_AREA_CODE naming the field area_code otherwise.
func (z ServiceZip) WithAreaCode(code string) (ServiceZip, error) {
	code = strings.TrimSpace(code)
	if code != "" && (!isDigits(code, 3) || code[0] < '2') {
		return z, fault.InvalidField("area_code", RulePattern, ReasonInvalidAreaCode,
			fmt.Sprintf("area code %q should be 3 digits, the first 2 to 9", code))
	}
	z.AreaCode = code
	return z, nil
}

// Actions of the BSS API, by module.
const (
	ActionAuthenticate      = "authenticate"
	ActionCheckAvailability = "check_service_availability"
	ActionPlanList          = "plan_list"
)

// Actions lists every action an agent may be permitted.
var Actions = []string{ActionCheckAvailability, ActionPlanList, ActionCreate, ActionAddLine, ActionCreateV2,
	ActionShippingMethods, ActionPaymentDetails, ActionMakePayment}

// Sources lists the sources an organisation may allow.
var Sources = []string{SourceAPI, SourceWebsite, SourceEnrollmentPortal}

// Reasons of the catalogue rules.
const (
	ReasonInvalidVendor   = "INVALID_VENDOR"
	ReasonInvalidAgent    = "INVALID_AGENT"
	ReasonInvalidPlan     = "INVALID_PLAN"
	ReasonInvalidZip      = "INVALID_ZIP"
	ReasonInvalidSource   = "INVALID_SOURCE"
	ReasonSourceNotAllow  = "SOURCE_NOT_ALLOWED"
	ReasonSourceBlank     = "SOURCE_NOT_PRESENT"
	ReasonUnauthorized    = "UNAUTHORIZED_ACCESS"
	ReasonZipNotServed    = "ZIP_NOT_SERVED"
	ReasonInvalidAction   = "INVALID_ACTION"
	ReasonCredentials     = "INVALID_CREDENTIALS"
	ReasonCredentialsMiss = "CREDENTIALS_REQUIRED"
)

// SourceNotAllowedError is the error for a source the organisation does not
// allow, or that is no source at all ("This source not allowed.").
func SourceNotAllowedError() error {
	return fault.New(fault.Forbidden, ReasonSourceNotAllow, MsgSourceRefused)
}

// SourceBlankError is the error for a call without a source ("Source can
// not be blank.").
func SourceBlankError() error {
	return fault.New(fault.Forbidden, ReasonSourceBlank, MsgSourceBlank)
}

// UnauthorizedActionError is the error for an agent not permitted to call an
// action.
func UnauthorizedActionError() error {
	return fault.New(fault.Forbidden, ReasonUnauthorized, MsgUnauthorizedAccess)
}

// ParseSource checks and canonicalises a source name (API, WEBSITE,
// ENROLLMENT_PORTAL, case-insensitive).
func ParseSource(s string) (string, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	for _, x := range Sources {
		if u == x {
			return x, nil
		}
	}
	return "", fault.InvalidField("source", RuleEnum, ReasonInvalidSource, fmt.Sprintf("source %q is not one of %s", s, strings.Join(Sources, ", ")))
}

// ParseAction checks an action name an agent may be permitted.
func ParseAction(s string) (string, error) {
	l := strings.ToLower(strings.TrimSpace(s))
	for _, x := range Actions {
		if l == x {
			return x, nil
		}
	}
	return "", fault.InvalidField("actions", RuleEnum, ReasonInvalidAction, fmt.Sprintf("action %q is not one of %s", s, strings.Join(Actions, ", ")))
}

// NewServiceZip validates a service-area entry: a 5-digit zip, a city of
// letters, spaces, hyphens, apostrophes and periods, and a US state.
func NewServiceZip(zip, city, state string) (ServiceZip, error) {
	z := ServiceZip{Zip: strings.TrimSpace(zip), City: strings.ToUpper(strings.TrimSpace(city)), State: strings.ToUpper(strings.TrimSpace(state))}
	var vs fault.Violations
	if !isDigits(z.Zip, 5) {
		vs.Add(fault.Violation{Field: "zip", Rule: RulePattern, Reason: ReasonInvalidZip, Message: "zip should be exactly 5 digits"})
	}
	if !validCityName(z.City) {
		vs.Add(fault.Violation{Field: "city", Rule: RulePattern, Reason: ReasonInvalidZip, Message: "city should be 1 to 50 letters, spaces, hyphens, apostrophes or periods"})
	}
	if !ValidState(z.State) {
		vs.Add(fault.Violation{Field: "state", Rule: RulePattern, Reason: ReasonInvalidZip, Message: "state should be a valid two-letter US state abbreviation"})
	}
	return z, vs.Err()
}

func isDigits(s string, n int) bool {
	if len(s) != n || n == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func validCityName(s string) bool {
	if s == "" || len(s) > 50 {
		return false
	}
	letter := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
			letter = true
		case c == ' ' || c == '-' || c == '\'' || c == '.':
		default:
			return false
		}
	}
	return letter
}

// Account is a customer account (the parent) with its lines.
type Account struct {
	ID                 int64
	ParentEnrollmentID string
	AgentID            string
	Source             string
	CreatedAt          time.Time
	Lines              []LineRecord
}

// LineRecord is a stored line as listings show it: identifiers and status,
// never a secret.
type LineRecord struct {
	CustomerID      int64
	EnrollmentID    string
	EnrollmentType  EnrollmentType
	ActivationType  ActivationType
	PlanID          string
	FirstName       string
	LastName        string
	Status          LineStatus
	InvoiceNumber   string
	ActivationLater bool
	// OrderID is the make_payment order the line was created with, 0 for
	// none.
	OrderID   int64
	CreatedAt time.Time
}

// LineStatus tells where a line is in provisioning.
type LineStatus string

// Line statuses: a line with activation_later N is queued for the carrier at
// once; with Y it is attached and waits for a later activation.
const (
	StatusQueued   LineStatus = "QUEUED"
	StatusAttached LineStatus = "ATTACHED"
)

// StatusOf returns the status a new line starts in.
func StatusOf(l Line) LineStatus {
	if l.ActivationLater() {
		return StatusAttached
	}
	return StatusQueued
}
