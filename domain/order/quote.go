package order

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/money"
)

// JSON names of the quote's fields, shared by payment_details and
// make_payment.
const (
	FieldEnrollmentID = "enrollment_id"
	FieldPlanID       = "plan_id"
	FieldNoOfMonths   = "no_of_months"
	FieldZipCode      = "zip_code"
	FieldNoOfLines    = "no_of_lines"
	FieldShippingID   = "shipping_id"
	FieldCouponCode   = "coupon_code"
)

// Bounds of a quote.
const (
	// MaxMonths is the most months of a plan one order pays in advance.
	MaxMonths = 36
	// MaxPlans is the most plans one quote lists.
	MaxPlans = 20
)

// Reasons of the quote's own rules (the field reasons follow
// enrollment.MissingReason and enrollment.InvalidReason).
const (
	ReasonPlanNotFound       = "PLAN_NOT_FOUND"
	ReasonShippingNotFound   = "SHIPPING_METHOD_NOT_FOUND"
	ReasonEnrollmentNotFound = "ENROLLMENT_ID_NOT_FOUND"
	ReasonZipNotServed       = "ZIP_NOT_SERVED"
)

// Messages the vendor documents for these rules.
const (
	MsgEnrollmentIDMissing = enrollment.MsgEnrollmentIDMissing
	MsgInvalidZip          = enrollment.MsgInvalidZipCode
	MsgPlansNotFound       = enrollment.MsgPlansNotFound
	MsgZipNotServed        = enrollment.MsgZipNotServed
)

// PlanChoice is one plan of a quote as sent: its id and, when the client
// sent a list of {id, no_of_months}, the months; "" means one month.
type PlanChoice struct {
	ID     string
	Months string
}

// QuoteInput is a quote as sent (payment_details, and the quote part of
// make_payment), every field still text.
type QuoteInput struct {
	EnrollmentID string
	Plans        []PlanChoice
	ZipCode      string
	Lines        string
	ShippingID   string
	CouponCode   string
}

// PlanRef is a validated plan of a quote.
type PlanRef struct {
	ID     string
	Months int64
}

// QuoteRequest is a validated quote. ZipCode is "" when the client sent
// none (the use case then prices for the enrollment id's zip), ShippingID
// 0 when no shipping was chosen, CouponCode "" when none (upper-case
// otherwise).
type QuoteRequest struct {
	EnrollmentID string
	Plans        []PlanRef
	ZipCode      string
	Lines        int64
	ShippingID   int64
	CouponCode   string
}

// ParseQuote normalises in and checks every field: enrollment_id required
// and alphanumeric; at least one plan (at most MaxPlans), each id numeric
// and its months a whole number from 1 to MaxMonths; zip_code, when given,
// 5 digits; no_of_lines a whole number from 1 to maxLines (1 when absent);
// shipping_id, when given, a positive whole number; coupon_code, when
// given, a code. It reports every violation at once.
func ParseQuote(in QuoteInput, maxLines int) (QuoteRequest, error) {
	var vs fault.Violations
	q := parseQuote(in, maxLines, &vs)
	if err := vs.Err(); err != nil {
		return QuoteRequest{}, err
	}
	return q, nil
}

func parseQuote(in QuoteInput, maxLines int, vs *fault.Violations) QuoteRequest {
	bad := func(field, rule, msg string) {
		reason := enrollment.InvalidReason(field)
		if rule == enrollment.RuleRequired {
			reason = enrollment.MissingReason(field)
		}
		vs.Add(fault.Violation{Field: field, Rule: rule, Reason: reason, Message: msg})
	}
	q := QuoteRequest{
		EnrollmentID: strings.ToUpper(strings.TrimSpace(in.EnrollmentID)),
		ZipCode:      strings.TrimSpace(in.ZipCode),
		CouponCode:   NormaliseCouponCode(in.CouponCode),
		Lines:        1,
	}
	switch {
	case q.EnrollmentID == "":
		bad(FieldEnrollmentID, enrollment.RuleRequired, MsgEnrollmentIDMissing)
	case len(q.EnrollmentID) > enrollment.MaxEnrollmentID || !alnum(q.EnrollmentID):
		bad(FieldEnrollmentID, enrollment.RulePattern, fmt.Sprintf("Enrollment Id should be 1 to %d letters and digits", enrollment.MaxEnrollmentID))
	}
	switch {
	case len(in.Plans) == 0:
		bad(FieldPlanID, enrollment.RuleRequired, "Plan Id is required")
	case len(in.Plans) > MaxPlans:
		bad(FieldPlanID, enrollment.RuleMaxLength, fmt.Sprintf("At most %d plans are allowed in one order", MaxPlans))
	default:
		for _, p := range in.Plans {
			id := strings.TrimSpace(p.ID)
			if !enrollment.ValidPlanID(id) {
				bad(FieldPlanID, enrollment.RulePattern, "Plan Id should contain only digits")
				continue
			}
			months := int64(1)
			if m := strings.TrimSpace(p.Months); m != "" {
				n, err := strconv.ParseInt(m, 10, 64)
				if err != nil || n < 1 || n > MaxMonths {
					bad(FieldNoOfMonths, enrollment.RulePattern, fmt.Sprintf("Number of months should be a whole number from 1 to %d", MaxMonths))
					continue
				}
				months = n
			}
			q.Plans = append(q.Plans, PlanRef{ID: id, Months: months})
		}
	}
	if q.ZipCode != "" && (len(q.ZipCode) != 5 || !digits(q.ZipCode)) {
		bad(FieldZipCode, enrollment.RuleDigits, MsgInvalidZip)
	}
	if l := strings.TrimSpace(in.Lines); l != "" {
		n, err := strconv.ParseInt(l, 10, 64)
		if err != nil || n < 1 || n > int64(maxLines) {
			bad(FieldNoOfLines, enrollment.RulePattern, fmt.Sprintf("Number of lines should be a whole number from 1 to %d", maxLines))
		}
		q.Lines = n
	}
	if s := strings.TrimSpace(in.ShippingID); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			bad(FieldShippingID, enrollment.RulePattern, "Shipping Id should be a positive whole number")
		}
		q.ShippingID = n
	}
	if q.CouponCode != "" && !validCouponCode(q.CouponCode) {
		bad(FieldCouponCode, enrollment.RulePattern, fmt.Sprintf("Coupon code should be 1 to %d letters, digits, '-', '_' or '.'", enrollment.MaxCode))
	}
	return q
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// PricedPlan is a plan of a quote with its price per line and month.
type PricedPlan struct {
	ID     string
	Months int64
	Price  money.Amount
}

// PriceInput is everything a quote's price depends on.
type PriceInput struct {
	Plans []PricedPlan
	Lines int64
	// Settings gives the activation and processing fees.
	Settings Settings
	// Fees are the state's tax and regulatory rates; zero rates when the
	// organisation configured none for the state.
	Fees StateFees
	// Shipping is the chosen method; the zero value when none.
	Shipping ShippingMethod
	// Coupon is the coupon applied, nil when none. Whether it may be used
	// is checked before pricing (Coupon.Check).
	Coupon *Coupon
}

// Quote is a priced order, every amount exact, named as the vendor's
// export names them where it has a name.
type Quote struct {
	Plans []PricedPlan
	Lines int64
	// PlanAmount is every plan's price × months × lines.
	PlanAmount money.Amount
	// Discount is the coupon's part of PlanAmount.
	Discount money.Amount
	// ActivationFee is the per-line fee × lines (plan_activation_fee).
	ActivationFee money.Amount
	// Tax is the state's tax on PlanAmount − Discount (plan_tax).
	Tax money.Amount
	// RegulatoryFee is the state's regulatory fee on PlanAmount − Discount.
	RegulatoryFee money.Amount
	// Shipping is the chosen method's amount (total_shipping_amount).
	Shipping money.Amount
	// OvernightShipping is Shipping when the method is overnight, else 0
	// (overnight_shipping_amount); it is part of Shipping, not added to it.
	OvernightShipping money.Amount
	// ProcessingFee is the per-order fee (processingFee).
	ProcessingFee money.Amount
	// Total is what the customer pays (total_amount).
	Total      money.Amount
	ShippingID int64
	CouponCode string
	State      string
}

// Price prices a quote. It is a pure function: the plans' amount is each
// plan's price × months × lines; the coupon discounts that amount (never
// below zero); tax and regulatory fee are the state's rates of the
// discounted amount, each rounded once to the cent, half away from zero;
// the activation fee is charged per line, shipping and the processing fee
// once. Fees are not taxed.
func Price(in PriceInput) Quote {
	q := Quote{Plans: append([]PricedPlan(nil), in.Plans...), Lines: in.Lines, State: in.Fees.State, ShippingID: in.Shipping.ID}
	for _, p := range in.Plans {
		q.PlanAmount += p.Price.Times(p.Months).Times(in.Lines)
	}
	if in.Coupon != nil {
		q.Discount = in.Coupon.Discount(q.PlanAmount)
		q.CouponCode = in.Coupon.Code
	}
	base := q.PlanAmount - q.Discount
	q.Tax = in.Fees.TaxRate.Of(base)
	q.RegulatoryFee = in.Fees.RegulatoryRate.Of(base)
	q.ActivationFee = in.Settings.ActivationFee.Times(in.Lines)
	q.Shipping = in.Shipping.Amount
	if in.Shipping.Overnight {
		q.OvernightShipping = in.Shipping.Amount
	}
	q.ProcessingFee = in.Settings.ProcessingFee
	q.Total = base + q.Tax + q.RegulatoryFee + q.ActivationFee + q.Shipping + q.ProcessingFee
	return q
}
