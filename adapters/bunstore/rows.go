package bunstore

import (
	"time"

	"github.com/uptrace/bun"

	"github.com/allot-io/allot/domain/tenant"
)

// The row structs below mirror the tables of the migrations. They stay in
// this package: the domain never sees a bun tag.

// joinedOrg is an organisation's columns selected beside a row of a table
// that refers to it, as joinedOrgColumns names them.
type joinedOrg struct {
	OrgCode           string    `bun:"org_code"`
	OrgName           string    `bun:"org_name"`
	OrgDisabled       bool      `bun:"org_disabled"`
	OrgCreatedAt      time.Time `bun:"org_created_at"`
	OrgBSSIDs         string    `bun:"org_bss_ids"`
	OrgPrograms       string    `bun:"org_programs"`
	OrgRequirePayment bool      `bun:"org_require_payment"`
	OrgSIMStock       bool      `bun:"org_sim_stock"`
}

// joinedOrgColumns select a joinedOrg from organisations AS o.
const joinedOrgColumns = "o.code AS org_code, o.name AS org_name, o.disabled AS org_disabled, o.created_at AS org_created_at, o.bss_ids AS org_bss_ids, o.programs AS org_programs, o.require_payment AS org_require_payment, o.sim_stock AS org_sim_stock"

// organisation returns the joined organisation, whose id is id.
func (j joinedOrg) organisation(id int64) tenant.Organisation {
	return orgFromRow(orgRow{ID: id, Code: j.OrgCode, Name: j.OrgName, Disabled: j.OrgDisabled, CreatedAt: j.OrgCreatedAt,
		BSSIDs: j.OrgBSSIDs, Programs: j.OrgPrograms, RequirePayment: j.OrgRequirePayment, SIMStock: j.OrgSIMStock})
}

type orgRow struct {
	bun.BaseModel `bun:"table:organisations,alias:o"`

	ID             int64     `bun:"id,pk,autoincrement"`
	Code           string    `bun:"code,notnull"`
	Name           string    `bun:"name,notnull"`
	Disabled       bool      `bun:"disabled,notnull"`
	CreatedAt      time.Time `bun:"created_at,notnull"`
	BSSIDs         string    `bun:"bss_ids,notnull"`
	Programs       string    `bun:"programs,notnull"`
	RequirePayment bool      `bun:"require_payment,notnull"`
	SIMStock       bool      `bun:"sim_stock,notnull"`
}

type apiKeyRow struct {
	bun.BaseModel `bun:"table:api_keys,alias:k"`

	ID        int64      `bun:"id,pk,autoincrement"`
	OrgID     int64      `bun:"org_id,notnull"`
	Prefix    string     `bun:"prefix,notnull"`
	Hash      []byte     `bun:"hash,notnull"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
	RevokedAt *time.Time `bun:"revoked_at"`
}

// codeRow is the shape shared by customers, hubs and service types.
type codeRow struct {
	ID        int64     `bun:"id,pk,autoincrement"`
	OrgID     int64     `bun:"org_id,notnull"`
	Code      string    `bun:"code,notnull"`
	Name      string    `bun:"name,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

type seriesRow struct {
	bun.BaseModel `bun:"table:series,alias:s"`

	ID          int64      `bun:"id,pk,autoincrement"`
	OrgID       int64      `bun:"org_id,notnull"`
	Prefix      string     `bun:"prefix,notnull"`
	Width       int        `bun:"width,notnull"`
	FirstDigits string     `bun:"first_digits,notnull"`
	LastDigits  string     `bun:"last_digits,notnull"`
	Size        int64      `bun:"size,notnull"`
	Drawn       int64      `bun:"drawn,notnull"`
	OwnerKind   string     `bun:"owner_kind,notnull"`
	OwnerCode   string     `bun:"owner_code,notnull"`
	Type        string     `bun:"type,notnull"`
	ItemCode    string     `bun:"item_code,notnull"`
	CreatorHub  string     `bun:"creator_hub,notnull"`
	CreatedAt   time.Time  `bun:"created_at,notnull"`
	DeletedAt   *time.Time `bun:"deleted_at"`
	NextMark    *int64     `bun:"next_mark"`
	CheckDigit  string     `bun:"check_digit,notnull"`
	// The counts of marks by state and side of the pointer (series.Marks).
	UsedAhead      int64 `bun:"used_ahead,notnull"`
	VoidAhead      int64 `bun:"void_ahead,notnull"`
	VoidBehind     int64 `bun:"void_behind,notnull"`
	ReleasedBehind int64 `bun:"released_behind,notnull"`
}

type seriesServiceTypeRow struct {
	bun.BaseModel `bun:"table:series_service_types,alias:sst"`

	SeriesID int64  `bun:"series_id,pk"`
	Code     string `bun:"code,pk"`
	Pos      int    `bun:"pos,notnull"`
}

type idempotencyRow struct {
	bun.BaseModel `bun:"table:idempotency_keys,alias:i"`

	OrgID       int64     `bun:"org_id,pk"`
	Key         string    `bun:"key,pk"`
	Fingerprint []byte    `bun:"fingerprint,notnull"`
	Done        bool      `bun:"done,notnull"`
	Status      int       `bun:"status,notnull"`
	Body        []byte    `bun:"body"`
	CreatedAt   time.Time `bun:"created_at,notnull"`
}

type vendorRow struct {
	bun.BaseModel `bun:"table:vendors,alias:v"`

	VendorID     string    `bun:"vendor_id,pk"`
	OrgID        int64     `bun:"org_id,notnull"`
	Username     string    `bun:"username,notnull"`
	PasswordHash string    `bun:"password_hash,notnull"`
	PinHash      string    `bun:"pin_hash,notnull"`
	CreatedAt    time.Time `bun:"created_at,notnull"`
}

type agentRow struct {
	bun.BaseModel `bun:"table:agents,alias:a"`

	OrgID        int64     `bun:"org_id,pk"`
	ID           string    `bun:"id,pk"`
	PasswordHash string    `bun:"password_hash,notnull"`
	Actions      string    `bun:"actions,notnull"` // a JSON array
	CreatedAt    time.Time `bun:"created_at,notnull"`
}

type planRow struct {
	bun.BaseModel `bun:"table:plans,alias:p"`

	OrgID                   int64     `bun:"org_id,pk"`
	PlanID                  string    `bun:"plan_id,pk"`
	Name                    string    `bun:"name,notnull"`
	Price                   string    `bun:"price,notnull"`
	Active                  bool      `bun:"active,notnull"`
	CreatedAt               time.Time `bun:"created_at,notnull"`
	TotalPrice              string    `bun:"total_price,notnull"`
	Description             string    `bun:"description,notnull"`
	Code                    string    `bun:"code,notnull"`
	Carriers                string    `bun:"carriers,notnull"`
	DataMB                  int64     `bun:"data_mb,notnull"`
	TalkMinutes             int64     `bun:"talk_minutes,notnull"`
	TextMessages            int64     `bun:"text_messages,notnull"`
	DataUnlimited           bool      `bun:"data_unlimited,notnull"`
	TalkUnlimited           bool      `bun:"talk_unlimited,notnull"`
	TextUnlimited           bool      `bun:"text_unlimited,notnull"`
	Unlimited               bool      `bun:"unlimited,notnull"`
	DisplayName             string    `bun:"display_name,notnull"`
	DisplayDescription      string    `bun:"display_description,notnull"`
	DisplayFeatures         string    `bun:"display_features,notnull"`
	DisplayPrice            string    `bun:"display_price,notnull"`
	DisplaySequence         int64     `bun:"display_sequence,notnull"`
	Billing                 string    `bun:"billing,notnull"`
	EnrollmentType          string    `bun:"enrollment_type,notnull"`
	Family                  bool      `bun:"family,notnull"`
	MaxLines                int64     `bun:"max_lines,notnull"`
	AdditionalLinePrice     string    `bun:"additional_line_price,notnull"`
	ActivationFee           string    `bun:"activation_fee,notnull"`
	ExpiryDays              int64     `bun:"expiry_days,notnull"`
	ExpiryType              string    `bun:"expiry_type,notnull"`
	TaxIncluded             bool      `bun:"tax_included,notnull"`
	RegulatoryFeeApplicable bool      `bun:"regulatory_fee_applicable,notnull"`
	OfferType               string    `bun:"offer_type,notnull"`
	DiscountDetails         string    `bun:"discount_details,notnull"`
	AutopayDiscount         bool      `bun:"autopay_discount,notnull"`
	ZipCodes                string    `bun:"zip_codes,notnull"`
}

type carrierRow struct {
	bun.BaseModel `bun:"table:carriers,alias:ca"`

	OrgID     int64     `bun:"org_id,pk"`
	Code      string    `bun:"code,pk"`
	Name      string    `bun:"name,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

type enrollmentIDRow struct {
	bun.BaseModel `bun:"table:enrollment_ids,alias:e"`

	ID       string     `bun:"id,pk"`
	OrgID    int64      `bun:"org_id,notnull"`
	Zip      string     `bun:"zip,notnull"`
	AgentID  string     `bun:"agent_id,notnull"`
	Program  string     `bun:"program,notnull"`
	IssuedAt time.Time  `bun:"issued_at,notnull"`
	UsedAt   *time.Time `bun:"used_at"`
}

type accountRow struct {
	bun.BaseModel `bun:"table:accounts,alias:ac"`

	ID                 int64     `bun:"id,pk,autoincrement"`
	OrgID              int64     `bun:"org_id,notnull"`
	ParentEnrollmentID string    `bun:"parent_enrollment_id,notnull"`
	AgentID            string    `bun:"agent_id,notnull"`
	Source             string    `bun:"source,notnull"`
	SubSource          string    `bun:"sub_source,notnull"`
	InvoiceNumber      string    `bun:"invoice_number,notnull"`
	CreatedAt          time.Time `bun:"created_at,notnull"`
}

// lineRow is the listed part of a line: never its details nor its secrets.
type lineRow struct {
	bun.BaseModel `bun:"table:lines,alias:l"`

	CustomerID      int64     `bun:"customer_id,pk,autoincrement"`
	AccountID       int64     `bun:"account_id,notnull"`
	EnrollmentID    string    `bun:"enrollment_id,notnull"`
	EnrollmentType  string    `bun:"enrollment_type,notnull"`
	ActivationType  string    `bun:"activation_type,notnull"`
	PlanID          string    `bun:"plan_id,notnull"`
	FirstName       string    `bun:"first_name,notnull"`
	LastName        string    `bun:"last_name,notnull"`
	Status          string    `bun:"status,notnull"`
	InvoiceNumber   string    `bun:"invoice_number,notnull"`
	ActivationLater bool      `bun:"activation_later,notnull"`
	OrderID         *int64    `bun:"order_id"`
	CreatedAt       time.Time `bun:"created_at,notnull"`
}

type tokenRow struct {
	bun.BaseModel `bun:"table:tokens,alias:t"`

	Digest     []byte     `bun:"digest,pk"`
	OrgID      int64      `bun:"org_id,notnull"`
	VendorID   string     `bun:"vendor_id,notnull"`
	IssuedAt   time.Time  `bun:"issued_at,notnull"`
	ExpiresAt  time.Time  `bun:"expires_at,notnull"`
	ConsumedAt *time.Time `bun:"consumed_at"`
}
