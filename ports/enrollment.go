package ports

import (
	"context"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/domain/token"
)

// PasswordHasher hashes low-entropy secrets (passwords, pins) with a slow,
// salted function.
type PasswordHasher interface {
	// Hash returns an encoded hash of secret, salt and parameters included.
	Hash(secret string) (string, error)
	// Verify reports whether secret matches encoded.
	Verify(encoded, secret string) (bool, error)
}

// Sealer encrypts data that must be read back later (secrets forwarded to
// a carrier), with authentication.
type Sealer interface {
	// Seal encrypts plaintext; the result carries its own nonce.
	Seal(plaintext []byte) ([]byte, error)
	// Open decrypts what Seal returned. Internal when it was tampered with.
	Open(sealed []byte) ([]byte, error)
}

// VendorStore stores BSS API credentials. vendor_id is unique across
// organisations because /authenticate names no organisation.
type VendorStore interface {
	// AddVendor stores v. Conflict ALREADY_EXISTS when vendor_id is taken.
	AddVendor(ctx context.Context, org tenant.OrgID, v enrollment.Vendor) error
	// VendorByID returns the vendor and its organisation. NotFound NOT_FOUND.
	VendorByID(ctx context.Context, vendorID string) (tenant.Organisation, enrollment.Vendor, error)
}

// AgentStore stores an organisation's agents.
type AgentStore interface {
	// AddAgent stores a. Conflict ALREADY_EXISTS when the id is taken.
	AddAgent(ctx context.Context, org tenant.OrgID, a enrollment.Agent) error
	// Agent returns the agent with id (exact match). NotFound NOT_FOUND.
	Agent(ctx context.Context, org tenant.OrgID, id string) (enrollment.Agent, error)
	// ListAgents returns the agents ordered by id.
	ListAgents(ctx context.Context, org tenant.OrgID) ([]enrollment.Agent, error)
}

// SourceStore stores the sources an organisation allows.
type SourceStore interface {
	// AllowSources adds sources to the allowed set; allowing one twice is
	// not an error.
	AllowSources(ctx context.Context, org tenant.OrgID, sources []string) error
	// AllowedSources returns the allowed set, sorted.
	AllowedSources(ctx context.Context, org tenant.OrgID) ([]string, error)
}

// ZipStore stores an organisation's service area.
type ZipStore interface {
	// AddZips stores every zip or none: Conflict ALREADY_EXISTS, naming the
	// zip, when one is already in the service area or repeated in zips.
	AddZips(ctx context.Context, org tenant.OrgID, zips []enrollment.ServiceZip) error
	// Zip returns the service-area entry of zip. NotFound NOT_FOUND.
	Zip(ctx context.Context, org tenant.OrgID, zip string) (enrollment.ServiceZip, error)
}

// PlanStore stores an organisation's plans.
type PlanStore interface {
	// AddPlan stores p. Conflict ALREADY_EXISTS when the id is taken.
	AddPlan(ctx context.Context, org tenant.OrgID, p enrollment.Plan) error
	// Plan returns the plan with id, active or not. NotFound NOT_FOUND.
	Plan(ctx context.Context, org tenant.OrgID, id string) (enrollment.Plan, error)
	// ListPlans returns the plans ordered by id; only active ones when
	// activeOnly.
	ListPlans(ctx context.Context, org tenant.OrgID, activeOnly bool) ([]enrollment.Plan, error)
	// SavePlans stores every plan or none, in one transaction: a plan whose
	// id is new is added (CreatedAt from the store's clock unless it has
	// one), one whose id exists is replaced field by field, its CreatedAt
	// kept. It returns how many were added and how many replaced. Conflict
	// ALREADY_EXISTS when plans repeats an id; NotFound ORG_NOT_FOUND when
	// org does not exist.
	SavePlans(ctx context.Context, org tenant.OrgID, plans []enrollment.Plan) (SavedPlans, error)
}

// SavedPlans counts what SavePlans did.
type SavedPlans struct {
	Added, Updated int
}

// CarrierStore stores an organisation's carrier catalogue.
type CarrierStore interface {
	// AddCarrier stores c (CreatedAt from the store's clock unless c has
	// one). Conflict ALREADY_EXISTS when the code is taken; NotFound
	// ORG_NOT_FOUND when org does not exist.
	AddCarrier(ctx context.Context, org tenant.OrgID, c enrollment.Carrier) error
	// Carrier returns the carrier with code (exact match). NotFound
	// NOT_FOUND.
	Carrier(ctx context.Context, org tenant.OrgID, code string) (enrollment.Carrier, error)
	// ListCarriers returns the carriers ordered by code.
	ListCarriers(ctx context.Context, org tenant.OrgID) ([]enrollment.Carrier, error)
}

// IssuedEnrollmentID is an enrollment id handed out by
// check_service_availability.
type IssuedEnrollmentID struct {
	ID      string
	Zip     string
	AgentID string
	// Program is the program it was issued for ("" means NON_LIFELINE).
	Program  tenant.Program
	IssuedAt time.Time
	// Used reports whether a line already carries it.
	Used bool
}

// NewLine is a validated line ready to store, with its secrets already
// hashed or sealed by the use case.
type NewLine struct {
	Line               enrollment.Line
	PasswordHash       string
	SealedPortPassword []byte
	SealedPortSSN      []byte
	SealedPIN          []byte
	// OrderID is the make_payment order the line was created with, 0 for
	// none; the use case has checked it is an order of the organisation
	// (order.LinkLines).
	OrderID int64
	// InvoiceNumber is the line's invoice number; "" means the request's,
	// NewEnrollment.InvoiceNumber.
	InvoiceNumber string
}

// NewEnrollment is a validated create_customer_prepaid_multiline request
// ready to store.
type NewEnrollment struct {
	// ParentEnrollmentID names the account: a line of Lines opens it when
	// no account has that id yet.
	ParentEnrollmentID string
	AgentID            string
	Source             string
	SubSource          string
	InvoiceNumber      string
	Lines              []NewLine
	CreatedAt          time.Time
}

// EnrollmentStore stores enrollment ids, accounts, lines and the
// provisioning queue.
type EnrollmentStore interface {
	// IssueEnrollmentID stores a new id. Conflict ALREADY_EXISTS when the id
	// exists in any organisation (the caller draws another).
	IssueEnrollmentID(ctx context.Context, org tenant.OrgID, id IssuedEnrollmentID) error
	// EnrollmentIDs returns the issued ids among ids (upper-case), keyed by
	// id; ids never issued to org are absent.
	EnrollmentIDs(ctx context.Context, org tenant.OrgID, ids []string) (map[string]IssuedEnrollmentID, error)
	// AccountByEnrollmentID returns the account whose parent enrollment id
	// is id, with its lines. NotFound NOT_FOUND.
	AccountByEnrollmentID(ctx context.Context, org tenant.OrgID, id string) (enrollment.Account, error)
	// CreateEnrollment writes e in one transaction: the account when the
	// parent is new, every line, each line's enrollment id marked used (by
	// a conditional update: Conflict ENROLLMENT_ID_ALREADY_USED naming the id
	// when another request used it first), and a provisioning-queue entry
	// for each line with activation_later N. It returns the stored lines in
	// request order. On any error nothing is written.
	CreateEnrollment(ctx context.Context, org tenant.OrgID, e NewEnrollment) (enrollment.Account, []enrollment.LineRecord, error)
	// LinesByEnrollmentID returns the lines whose enrollment ids are among
	// ids (any case), keyed by upper-case enrollment id; ids without a line
	// are absent.
	LinesByEnrollmentID(ctx context.Context, org tenant.OrgID, ids []string) (map[string]enrollment.LineRecord, error)
	// ListAccounts returns accounts with their lines, newest first.
	ListAccounts(ctx context.Context, org tenant.OrgID, q Query) ([]enrollment.Account, error)
	// ProvisioningQueue returns the customer ids queued for the carrier, in
	// queue order.
	ProvisioningQueue(ctx context.Context, org tenant.OrgID) ([]int64, error)
}

// TokenStore stores tokens by digest.
type TokenStore interface {
	// SaveToken stores a newly issued token.
	SaveToken(ctx context.Context, t token.Token) error
	// ConsumeToken atomically consumes the token with digest at now, so that
	// of any number of concurrent calls exactly one succeeds, and returns it.
	// Unauthorized TOKEN_INVALID when no token has digest, TOKEN_USED when it
	// was consumed, TOKEN_EXPIRED when it expired (token.Token.Consume's
	// errors).
	ConsumeToken(ctx context.Context, digest []byte, now time.Time) (token.Token, error)
	// DeleteExpiredTokens removes tokens that expired before before and
	// returns how many.
	DeleteExpiredTokens(ctx context.Context, before time.Time) (int, error)
}

// EnrollmentStores is every enrollment store port together.
type EnrollmentStores interface {
	VendorStore
	AgentStore
	SourceStore
	ZipStore
	PlanStore
	CarrierStore
	EnrollmentStore
	TokenStore
}

// EnrollmentServiceStores is what the enrollment use cases take: the
// enrollment stores, and the organisations whose programs and settings
// they read.
type EnrollmentServiceStores interface {
	EnrollmentStores
	OrgStore
}

// Credentials are what POST /authenticate sends.
type Credentials struct {
	VendorID, Username, Password, Pin string
}

// Session is a consumed token's caller, with the fresh token every
// response to it carries.
type Session struct {
	Org       tenant.Organisation
	VendorID  string
	NextToken string
}

// CallContext is what every BSS action carries besides its own fields.
type CallContext struct {
	Action        string
	AgentID       string
	AgentPassword string
	Source        string
}

// AvailabilityRequest is a check_service_availability call.
type AvailabilityRequest struct {
	CallContext
	ZipCode        string
	EnrollmentType string
	IsEnrollment   string
}

// PlanListRequest is a plan_list call: its filters as the client sent
// them.
type PlanListRequest struct {
	CallContext
	ZipCode        string
	EnrollmentType string
	PlanID         string
	Carrier        string
	IsFamilyPlan   string
}

// Availability answers check_service_availability.
type Availability struct {
	ZipCode        string
	City           string
	State          string
	EnrollmentType string
	// EnrollmentID is set when is_enrollment was Y.
	EnrollmentID string
}

// CreatedLine is one line of a create_customer_prepaid_multiline (or v2)
// result: a line created, or, in a refused request, the existing customer
// of a line whose enrollment id already had one.
type CreatedLine struct {
	CustomerID     int64
	EnrollmentID   string
	EnrollmentType enrollment.EnrollmentType
	InvoiceNumber  string
	// MDN is the line's number, digits, "" until one is assigned.
	MDN string
	// Existing is true for a line of a refused request whose enrollment
	// id already belongs to this customer; false for a line created, and
	// for the zero CreatedLine of a refused line without a customer.
	Existing bool
}

// VendorSecrets are a new vendor's secrets, shown once.
type VendorSecrets struct {
	Password, Pin string
}

// EnrollmentService is the BSS enrollment API and its administration.
type EnrollmentService interface {
	// Authenticate checks credentials and issues a token. Unauthorized
	// CREDENTIALS_REQUIRED ("username and password pin and vendor_id are
	// required") or INVALID_CREDENTIALS ("Invalid credentials!!"); Forbidden
	// ORG_DISABLED.
	Authenticate(ctx context.Context, c Credentials) (string, error)
	// Consume consumes a presented token and issues its successor.
	// Unauthorized TOKEN_INVALID, TOKEN_USED or TOKEN_EXPIRED.
	Consume(ctx context.Context, raw string) (Session, error)
	// CheckAvailability answers check_service_availability. Forbidden
	// SOURCE_NOT_ALLOWED, UNAUTHORIZED_ACCESS; Unauthorized for agent
	// problems (AGENT_ID_NOT_PRESENT, INVALID_AGENT_ID,
	// INVALID_AGENT_CREDENTIALS); Invalid for fields (INVALID_ZIP_CODE,
	// INVALID_ENROLLMENT_TYPE, PROGRAM_NOT_OFFERED when the organisation
	// does not run the program); NotFound ZIP_NOT_SERVED.
	CheckAvailability(ctx context.Context, org tenant.OrgID, r AvailabilityRequest) (Availability, error)
	// ListPlans answers plan_list: the active plans r's filters match (see
	// enrollment.PlanFilter). Agent and source errors as CheckAvailability;
	// Invalid INVALID_ZIP_CODE, INVALID_ENROLLMENT_TYPE, PROGRAM_NOT_OFFERED,
	// INVALID_PLAN_ID or INVALID_PLAN_FILTER for a malformed filter;
	// NotFound ZIP_NOT_SERVED, and PLAN_NOT_FOUND ("Plans not found") when
	// plan_id names no active plan or no plan matches.
	ListPlans(ctx context.Context, org tenant.OrgID, r PlanListRequest) ([]enrollment.Plan, error)
	// CreateCustomer answers create_customer_prepaid_multiline and
	// create_prepaid_postpaid_customer_v2 (in.Action). Agent and source
	// errors as CheckAvailability; Invalid with every violation (fields,
	// PLAN_NOT_ACTIVE, ENROLLMENT_ID_NOT_FOUND, ENROLLMENT_ID_ALREADY_USED,
	// LIFELINE_NOT_SUPPORTED, PARENT_ENROLLMENT_ID_NOT_FOUND), or Conflict
	// ENROLLMENT_ID_ALREADY_USED when another request used an id first.
	// With an error whose violations include ENROLLMENT_ID_ALREADY_USED, the
	// lines returned are one per request line, the existing customer
	// (Existing) at each such line, so that a client can recover its ids.
	CreateCustomer(ctx context.Context, org tenant.OrgID, in enrollment.RequestInput) ([]CreatedLine, error)

	// AddVendor adds a credential; empty password or pin are generated and
	// returned once.
	AddVendor(ctx context.Context, org tenant.OrgID, vendorID, username, password, pin string) (VendorSecrets, error)
	// AddAgent adds an agent; an empty password means none is required, and
	// empty actions mean every action.
	AddAgent(ctx context.Context, org tenant.OrgID, id, password string, actions []string) (enrollment.Agent, error)
	// ListAgents lists agents (never their password hashes).
	ListAgents(ctx context.Context, org tenant.OrgID) ([]enrollment.Agent, error)
	// AddPlan adds a plan from values keyed by the vendor's plan field
	// names (enrollment.ParsePlan's rules and defaults). Invalid with every
	// violation; Conflict ALREADY_EXISTS when the id is taken; Invalid
	// UNKNOWN_CARRIER when a carrier is not in the organisation's catalogue.
	AddPlan(ctx context.Context, org tenant.OrgID, values map[string]enrollment.PlanValue) (enrollment.Plan, error)
	// ImportPlans adds or replaces every plan of rows, all or none (see
	// enrollment.ParsePlanRows and PlanStore.SavePlans). Invalid with every
	// violation of every row, a carrier not in the catalogue included.
	ImportPlans(ctx context.Context, org tenant.OrgID, rows []enrollment.PlanRow) (SavedPlans, error)
	// AddCarrier adds a carrier code to the catalogue. Invalid
	// INVALID_CARRIER; Conflict ALREADY_EXISTS.
	AddCarrier(ctx context.Context, org tenant.OrgID, code, name string) (enrollment.Carrier, error)
	// Carriers lists the carrier catalogue.
	Carriers(ctx context.Context, org tenant.OrgID) ([]enrollment.Carrier, error)
	// Plans lists every plan.
	Plans(ctx context.Context, org tenant.OrgID) ([]enrollment.Plan, error)
	// AddZips adds service-area zips, all or none.
	AddZips(ctx context.Context, org tenant.OrgID, zips []enrollment.ServiceZip) error
	// AllowSources allows sources (API, WEBSITE, ENROLLMENT_PORTAL).
	AllowSources(ctx context.Context, org tenant.OrgID, sources []string) ([]string, error)
	// Accounts lists accounts with their lines and statuses.
	Accounts(ctx context.Context, org tenant.OrgID, q Query) ([]enrollment.Account, error)
}
