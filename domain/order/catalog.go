package order

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/money"
)

// Reasons of the configuration rules.
const (
	ReasonInvalidShipping = "INVALID_SHIPPING_METHOD"
	ReasonInvalidFees     = "INVALID_FEES"
	ReasonInvalidCoupon   = "INVALID_COUPON"
	ReasonInvalidInvoice  = "INVALID_INVOICE_SERIES"
)

// MaxShippingName is the longest name of a shipping method.
const MaxShippingName = 100

// ShippingMethod is a way an organisation ships SIMs and devices, offered
// by get_shipping_methods and chosen by shipping_id in a quote. ID is the
// integer the API answers with, assigned by the store.
type ShippingMethod struct {
	ID        int64
	Name      string
	Amount    money.Amount
	Overnight bool
	CreatedAt time.Time
}

// NewShippingMethod validates a shipping method: a name of 1 to 100
// printable characters and a non-negative amount with at most two places.
func NewShippingMethod(name, amount string, overnight bool) (ShippingMethod, error) {
	m := ShippingMethod{Name: strings.TrimSpace(name), Overnight: overnight}
	var vs fault.Violations
	if m.Name == "" || len(m.Name) > MaxShippingName || !printable(m.Name) {
		vs.Add(fault.Violation{Field: "name", Rule: enrollment.RuleRequired, Reason: ReasonInvalidShipping,
			Message: fmt.Sprintf("shipping method name should be 1 to %d printable characters", MaxShippingName)})
	}
	a, ok := money.Parse(amount)
	if !ok {
		vs.Add(amountViolation("amount", ReasonInvalidShipping, "shipping amount"))
	}
	m.Amount = a
	return m, vs.Err()
}

func amountViolation(field, reason, what string) fault.Violation {
	return fault.Violation{Field: field, Rule: enrollment.RulePattern, Reason: reason,
		Message: what + " should be a non-negative amount with at most two decimals, e.g. 5.00"}
}

func rateViolation(field, what string) fault.Violation {
	return fault.Violation{Field: field, Rule: enrollment.RulePattern, Reason: ReasonInvalidFees,
		Message: what + " should be a percentage from 0 to 100 with at most four decimals, e.g. 7.25"}
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return false
		}
	}
	return true
}

// Counter tells how an organisation's invoice counter runs.
type Counter string

// Invoice counters: Monthly starts again at the first number every month
// (2026-05-0001 follows 2026-04-0317); Continuous never starts again
// (2026-05-0318 follows 2026-04-0317).
const (
	Monthly    Counter = "monthly"
	Continuous Counter = "continuous"
)

// ParseCounter reads "monthly" or "continuous", in any case.
func ParseCounter(s string) (Counter, error) {
	switch c := Counter(strings.ToLower(strings.TrimSpace(s))); c {
	case Monthly, Continuous:
		return c, nil
	}
	return "", fault.InvalidField("counter", enrollment.RuleEnum, ReasonInvalidInvoice,
		fmt.Sprintf("invoice counter %q is not one of monthly, continuous", s))
}

// MaxInvoiceStart bounds the first number of an invoice counter.
const MaxInvoiceStart = 999_999_999

// Settings is an organisation's order configuration. The zero value is
// not valid; DefaultSettings is what an organisation that configured
// nothing has.
type Settings struct {
	// ActivationFee is charged once per line.
	ActivationFee money.Amount
	// ProcessingFee is charged once per order.
	ProcessingFee money.Amount
	// Counter is how invoice numbers are counted.
	Counter Counter
	// InvoiceStart is the first number of a counter (of each month, when
	// Monthly).
	InvoiceStart int64
}

// DefaultSettings are no fees and a monthly invoice counter from 1.
func DefaultSettings() Settings {
	return Settings{Counter: Monthly, InvoiceStart: 1}
}

// SettingsChange is a change an operator asks for; nil fields keep their
// current value.
type SettingsChange struct {
	ActivationFee *string
	ProcessingFee *string
	Counter       *string
	InvoiceStart  *int64
}

// Apply returns s changed by c, or every violation of c.
func (s Settings) Apply(c SettingsChange) (Settings, error) {
	var vs fault.Violations
	if c.ActivationFee != nil {
		a, ok := money.Parse(*c.ActivationFee)
		if !ok {
			vs.Add(amountViolation("activation_fee", ReasonInvalidFees, "activation fee"))
		}
		s.ActivationFee = a
	}
	if c.ProcessingFee != nil {
		a, ok := money.Parse(*c.ProcessingFee)
		if !ok {
			vs.Add(amountViolation("processing_fee", ReasonInvalidFees, "processing fee"))
		}
		s.ProcessingFee = a
	}
	if c.Counter != nil {
		k, err := ParseCounter(*c.Counter)
		if fe, ok := fault.As(err); ok {
			vs = append(vs, fe.Violations...)
		}
		s.Counter = k
	}
	if c.InvoiceStart != nil {
		if *c.InvoiceStart < 1 || *c.InvoiceStart > MaxInvoiceStart {
			vs.Add(fault.Violation{Field: "invoice_start", Rule: enrollment.RulePattern, Reason: ReasonInvalidInvoice,
				Message: fmt.Sprintf("invoice start should be a whole number from 1 to %d", MaxInvoiceStart)})
		}
		s.InvoiceStart = *c.InvoiceStart
	}
	if err := vs.Err(); err != nil {
		return Settings{}, err
	}
	return s, nil
}

// InvoicePeriod returns the key of the counter an invoice issued at at
// draws from: "2026-05" when the counter is Monthly, "" when Continuous.
func (s Settings) InvoicePeriod(at time.Time) string {
	if s.Counter == Continuous {
		return ""
	}
	return at.UTC().Format("2006-01")
}

// InvoiceNumber renders the n-th invoice issued at at as the vendor's
// examples show it, YYYY-MM-NNNN ("2024-05-2002"): the month of issue and
// the counter, zero-padded to four digits (and longer once it passes
// 9999).
func InvoiceNumber(at time.Time, n int64) string {
	return fmt.Sprintf("%s-%04d", at.UTC().Format("2006-01"), n)
}

// StateFees are the tax and the regulatory fee an organisation charges on
// the plans of a customer served in State, each a percentage of the
// plans' amount after discount.
type StateFees struct {
	State          string
	TaxRate        money.Rate
	RegulatoryRate money.Rate
}

// NewStateFees validates a state's fees: a US state abbreviation and two
// percentages from 0 to 100.
func NewStateFees(state, taxRate, regulatoryRate string) (StateFees, error) {
	f := StateFees{State: strings.ToUpper(strings.TrimSpace(state))}
	var vs fault.Violations
	if !enrollment.ValidState(f.State) {
		vs.Add(fault.Violation{Field: "state", Rule: enrollment.RuleState, Reason: ReasonInvalidFees,
			Message: "state should be a valid two-letter US state abbreviation"})
	}
	var ok bool
	if f.TaxRate, ok = money.ParseRate(taxRate); !ok {
		vs.Add(rateViolation("tax_rate", "tax rate"))
	}
	if f.RegulatoryRate, ok = money.ParseRate(regulatoryRate); !ok {
		vs.Add(rateViolation("regulatory_rate", "regulatory fee rate"))
	}
	return f, vs.Err()
}

// CouponKind tells how a coupon discounts.
type CouponKind string

// Coupon kinds: a percentage of the plans' amount, or a fixed amount off
// it (never more than the plans' amount).
const (
	PercentOff CouponKind = "percent"
	AmountOff  CouponKind = "amount"
)

// Coupon is a discount code a client sends as coupon_code. Codes compare
// case-insensitively and are kept upper-case.
type Coupon struct {
	Code    string
	Kind    CouponKind
	Percent money.Rate
	Amount  money.Amount
	// MaxUses is how many orders may use the coupon; 0 means no limit.
	MaxUses int64
	// Uses is how many orders have used it.
	Uses int64
	// ExpiresAt, when not zero, is the instant from which the coupon is no
	// longer accepted.
	ExpiresAt time.Time
	CreatedAt time.Time
}

// NormaliseCouponCode returns code as coupons are keyed: trimmed and
// upper-cased.
func NormaliseCouponCode(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

// NewCoupon validates a coupon: a code of letters, digits, '-', '_' or
// '.' (at most enrollment.MaxCode), exactly one of percent and amount,
// and a non-negative maximum of uses.
func NewCoupon(code, percent, amount string, maxUses int64, expiresAt time.Time) (Coupon, error) {
	c := Coupon{Code: NormaliseCouponCode(code), MaxUses: maxUses, ExpiresAt: expiresAt}
	var vs fault.Violations
	if !validCouponCode(c.Code) {
		vs.Add(fault.Violation{Field: "code", Rule: enrollment.RulePattern, Reason: ReasonInvalidCoupon,
			Message: fmt.Sprintf("coupon code should be 1 to %d letters, digits, '-', '_' or '.'", enrollment.MaxCode)})
	}
	percent, amount = strings.TrimSpace(percent), strings.TrimSpace(amount)
	switch {
	case (percent == "") == (amount == ""):
		vs.Add(fault.Violation{Field: "percent", Rule: enrollment.RuleRequired, Reason: ReasonInvalidCoupon,
			Message: "give exactly one of the coupon's percent and amount"})
	case percent != "":
		c.Kind = PercentOff
		r, ok := money.ParseRate(percent)
		if !ok || r == 0 {
			vs.Add(fault.Violation{Field: "percent", Rule: enrollment.RulePattern, Reason: ReasonInvalidCoupon,
				Message: "coupon percent should be more than 0 and at most 100, with at most four decimals"})
		}
		c.Percent = r
	default:
		c.Kind = AmountOff
		a, ok := money.Parse(amount)
		if !ok || a == 0 {
			vs.Add(fault.Violation{Field: "amount", Rule: enrollment.RulePattern, Reason: ReasonInvalidCoupon,
				Message: "coupon amount should be more than 0, with at most two decimals, e.g. 5.00"})
		}
		c.Amount = a
	}
	if maxUses < 0 {
		vs.Add(fault.Violation{Field: "max_uses", Rule: enrollment.RulePattern, Reason: ReasonInvalidCoupon,
			Message: "coupon max uses should be 0 (no limit) or more"})
	}
	return c, vs.Err()
}

func validCouponCode(s string) bool {
	if s == "" || len(s) > enrollment.MaxCode {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// Reasons a coupon is refused in a quote or a payment.
const (
	ReasonCouponNotFound = "COUPON_NOT_FOUND"
	ReasonCouponExpired  = "COUPON_EXPIRED"
	ReasonCouponUsedUp   = "COUPON_USED_UP"
)

// CouponNotFound is the violation of a coupon_code the organisation does
// not have.
func CouponNotFound(code string) fault.Violation {
	return fault.Violation{Field: FieldCouponCode, Rule: enrollment.RuleExists, Reason: ReasonCouponNotFound,
		Message: "Coupon code " + code + " is not valid"}
}

// CouponUsedUp is the error of a coupon whose uses ran out.
func CouponUsedUp(code string) error {
	return fault.InvalidField(FieldCouponCode, "max_uses", ReasonCouponUsedUp, "Coupon code "+code+" has been used the most times allowed")
}

// Check reports whether c may be used at at: Invalid COUPON_EXPIRED when
// it expired, COUPON_USED_UP when its uses ran out.
func (c Coupon) Check(at time.Time) error {
	if !c.ExpiresAt.IsZero() && !at.Before(c.ExpiresAt) {
		return fault.InvalidField(FieldCouponCode, "expired", ReasonCouponExpired, "Coupon code "+c.Code+" has expired")
	}
	if c.MaxUses > 0 && c.Uses >= c.MaxUses {
		return CouponUsedUp(c.Code)
	}
	return nil
}

// Discount returns what c takes off plans, an amount of plans: a
// percentage rounded to the cent, or a fixed amount capped at plans.
func (c Coupon) Discount(plans money.Amount) money.Amount {
	if c.Kind == PercentOff {
		return money.Min(c.Percent.Of(plans), plans)
	}
	return money.Min(c.Amount, plans)
}

// Describe renders the coupon's discount for listings: "10%" or "5.00".
func (c Coupon) Describe() string {
	if c.Kind == PercentOff {
		return c.Percent.String() + "%"
	}
	return c.Amount.String()
}

// MaxUsesText renders MaxUses for listings: "unlimited" or the number.
func (c Coupon) MaxUsesText() string {
	if c.MaxUses == 0 {
		return "unlimited"
	}
	return strconv.FormatInt(c.MaxUses, 10)
}
