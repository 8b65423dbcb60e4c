package order

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
)

// JSON names of make_payment's own fields.
const (
	FieldPaymentType         = "payment_type"
	FieldPaymentMethod       = "payment_method"
	FieldPaymentMethodOption = "payment_method_option"
	FieldTransactionID       = "transaction_id"
	FieldChargeID            = "charge_id"
)

// BillingFields are make_payment's names of the billing address.
var BillingFields = enrollment.BillingFieldNames{"billing_address1", "billing_address2", "billing_city", "billing_state", "billing_zip"}

// PaymentTypeNewSignup is the only payment_type: a payment taken before
// the customer is created.
const PaymentTypeNewSignup = "NEW_SIGNUP"

// Method is how a payment was taken.
type Method string

// Payment methods. CASH, SKIP_PAYMENT and OTHER_PAYMENT_OPTION are
// recorded as the client reports them (it collected or charged the money
// elsewhere); CREDIT_CARD is charged through a payment gateway.
const (
	CreditCard  Method = "CREDIT_CARD"
	Cash        Method = "CASH"
	SkipPayment Method = "SKIP_PAYMENT"
	OtherOption Method = "OTHER_PAYMENT_OPTION"
)

// Methods lists every payment method.
var Methods = []Method{CreditCard, Cash, SkipPayment, OtherOption}

// ParseMethod reads a payment_method in any case; ok is false for an
// unknown one.
func ParseMethod(s string) (Method, bool) {
	m := Method(strings.ToUpper(strings.TrimSpace(s)))
	for _, x := range Methods {
		if m == x {
			return m, true
		}
	}
	return "", false
}

// Reasons of the payment's own rules.
const (
	ReasonCardsDisabled = "CARD_PAYMENTS_DISABLED"
	ReasonCardDeclined  = "CARD_DECLINED"
)

// MsgCardsDisabled is the answer to a card payment when the organisation
// has no card processor.
const MsgCardsDisabled = "Card payments are not enabled for this company"

// CardsDisabledError is the error of a card payment when no payment
// gateway is configured: nothing is charged and nothing is stored.
func CardsDisabledError() error {
	return fault.InvalidField(FieldPaymentMethod, enrollment.RuleEnum, ReasonCardsDisabled, MsgCardsDisabled)
}

// CardInput is a card as sent. Every field is a Secret from the moment
// the adapter reads it, so that no print, log or JSON encoding can show
// it.
type CardInput struct {
	Number      enrollment.Secret
	CVV         enrollment.Secret
	ExpiryMonth enrollment.Secret
	ExpiryYear  enrollment.Secret
}

// Card is a validated card, handed only to a payment gateway; it is never
// stored. Brand and Last4 are what an order may keep of it.
type Card struct {
	Number      enrollment.Secret
	CVV         enrollment.Secret
	ExpiryMonth int
	ExpiryYear  int
}

// Last4 returns the last four digits of the card number.
func (c Card) Last4() string {
	n := c.Number.Reveal()
	return n[len(n)-4:]
}

// PaymentInput is a make_payment call as sent.
type PaymentInput struct {
	Quote         QuoteInput
	PaymentType   string
	Method        string
	MethodOption  string
	TransactionID string
	ChargeID      string
	Billing       enrollment.Address
	Card          CardInput
}

// Payment is a validated make_payment call.
type Payment struct {
	Quote         QuoteRequest
	Method        Method
	MethodOption  string
	TransactionID string
	ChargeID      string
	Billing       enrollment.Address
	// Card is set for CREDIT_CARD only.
	Card Card
}

// MaxReference is the longest transaction_id, charge_id or
// payment_method_option.
const MaxReference = 100

// ParsePayment checks in: the quote (ParseQuote); payment_type NEW_SIGNUP;
// payment_method one of Methods; for OTHER_PAYMENT_OPTION, a
// payment_method_option (e.g. STRIPE) and the client's transaction_id or
// charge_id; references of letters, digits, '-', '_' and '.'; the billing
// address by the rules of an enrollment line's (required for a card); and,
// for CREDIT_CARD, the card: a 12 to 19 digit number passing the Luhn
// check, a 3 or 4 digit CVV, an expiry month 1 to 12 and a 2 or 4 digit
// year. No message ever quotes a card field.
func ParsePayment(in PaymentInput, maxLines int) (Payment, error) {
	var vs fault.Violations
	p := Payment{Quote: parseQuote(in.Quote, maxLines, &vs)}
	bad := func(field, rule, msg string) {
		reason := enrollment.InvalidReason(field)
		if rule == enrollment.RuleRequired {
			reason = enrollment.MissingReason(field)
		}
		vs.Add(fault.Violation{Field: field, Rule: rule, Reason: reason, Message: msg})
	}
	switch t := strings.ToUpper(strings.TrimSpace(in.PaymentType)); {
	case t == "":
		bad(FieldPaymentType, enrollment.RuleRequired, "Payment type is required")
	case t != PaymentTypeNewSignup:
		bad(FieldPaymentType, enrollment.RuleEnum, "Payment type should be "+PaymentTypeNewSignup)
	}
	m, ok := ParseMethod(in.Method)
	switch {
	case strings.TrimSpace(in.Method) == "":
		bad(FieldPaymentMethod, enrollment.RuleRequired, "Payment method is required")
	case !ok:
		bad(FieldPaymentMethod, enrollment.RuleEnum, "Payment method should be CREDIT_CARD, CASH, SKIP_PAYMENT or OTHER_PAYMENT_OPTION")
	}
	p.Method = m
	p.MethodOption = strings.ToUpper(strings.TrimSpace(in.MethodOption))
	p.TransactionID = strings.TrimSpace(in.TransactionID)
	p.ChargeID = strings.TrimSpace(in.ChargeID)
	for _, r := range []struct{ field, label, v string }{
		{FieldPaymentMethodOption, "Payment method option", p.MethodOption},
		{FieldTransactionID, "Transaction Id", p.TransactionID},
		{FieldChargeID, "Charge Id", p.ChargeID},
	} {
		if r.v != "" && (len(r.v) > MaxReference || !reference(r.v)) {
			bad(r.field, enrollment.RulePattern, fmt.Sprintf("%s should be 1 to %d letters, digits, '-', '_' or '.'", r.label, MaxReference))
		}
	}
	if m == OtherOption {
		if p.MethodOption == "" {
			bad(FieldPaymentMethodOption, enrollment.RuleRequired, "Payment method option is required when payment method is OTHER_PAYMENT_OPTION")
		}
		if p.TransactionID == "" && p.ChargeID == "" {
			bad(FieldTransactionID, enrollment.RuleRequired, "Transaction Id or Charge Id is required when payment method is OTHER_PAYMENT_OPTION")
		}
	}
	billing, bvs := enrollment.CheckBillingAddress(in.Billing, BillingFields, m == CreditCard)
	vs = append(vs, bvs...)
	p.Billing = billing
	if m == CreditCard {
		p.Card = parseCard(in.Card, bad)
	}
	if err := vs.Err(); err != nil {
		return Payment{}, err
	}
	return p, nil
}

// Card fields' JSON names, for violations.
const (
	FieldCardNumber  = "credit_card_number"
	FieldCVV         = "cvv"
	FieldExpiryMonth = "expiry_month"
	FieldExpiryYear  = "expiry_year"
)

func parseCard(in CardInput, bad func(field, rule, msg string)) Card {
	num := strings.ReplaceAll(strings.TrimSpace(in.Number.Reveal()), " ", "")
	cvv := strings.TrimSpace(in.CVV.Reveal())
	c := Card{Number: enrollment.NewSecret(num), CVV: enrollment.NewSecret(cvv)}
	switch {
	case num == "":
		bad(FieldCardNumber, enrollment.RuleRequired, "Credit card number is required")
	case len(num) < 12 || len(num) > 19 || !digits(num) || !luhn(num):
		bad(FieldCardNumber, enrollment.RulePattern, "Credit card number is not a valid card number")
	}
	switch {
	case cvv == "":
		bad(FieldCVV, enrollment.RuleRequired, "CVV is required")
	case (len(cvv) != 3 && len(cvv) != 4) || !digits(cvv):
		bad(FieldCVV, enrollment.RuleDigits, "CVV should be 3 or 4 digits")
	}
	mm, err := strconv.Atoi(strings.TrimSpace(in.ExpiryMonth.Reveal()))
	if err != nil || mm < 1 || mm > 12 {
		bad(FieldExpiryMonth, enrollment.RulePattern, "Expiry month should be a month number from 1 to 12")
	}
	yy := strings.TrimSpace(in.ExpiryYear.Reveal())
	y, err := strconv.Atoi(yy)
	if err != nil || (len(yy) != 2 && len(yy) != 4) || !digits(yy) {
		bad(FieldExpiryYear, enrollment.RulePattern, "Expiry year should be 2 or 4 digits")
	} else if len(yy) == 2 {
		y += 2000
	}
	c.ExpiryMonth, c.ExpiryYear = mm, y
	return c
}

// luhn reports whether the digits s pass the Luhn check.
func luhn(s string) bool {
	sum, double := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

func reference(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// Status is where an order stands.
type Status string

// Order statuses: PAID when money was taken (card, cash or another
// option), SKIPPED when the client skipped payment.
const (
	Paid    Status = "PAID"
	Skipped Status = "SKIPPED"
)

// StatusOf returns the status of an order paid by m.
func StatusOf(m Method) Status {
	if m == SkipPayment {
		return Skipped
	}
	return Paid
}

// PaymentStatusSuccess is the payment_status of every recorded order, as
// the vendor's export records it.
const PaymentStatusSuccess = "SUCCESS"

// Order is a recorded payment for an enrollment id: at most one per
// enrollment id of an organisation. ID is the integer order_id the API
// answers with and customer creation refers to.
type Order struct {
	ID            int64
	EnrollmentID  string
	InvoiceNumber string
	Status        Status
	Method        Method
	MethodOption  string
	// TransactionID and ChargeID are the client's references.
	TransactionID string
	ChargeID      string
	// GatewayReference is the card gateway's reference of the charge.
	GatewayReference string
	Quote            Quote
	ZipCode          string
	Billing          enrollment.Address
	// CardBrand and CardLast4 are all an order ever keeps of a card.
	CardBrand             string
	CardLast4             string
	AgentID               string
	Source                string
	ExternalTransactionID string
	CreatedAt             time.Time
}

// TransactionNo is the payment's transaction number (transaction_no): the
// client's or the gateway's reference when there is one, otherwise one
// derived from the order id.
func (o Order) TransactionNo() string {
	for _, r := range []string{o.GatewayReference, o.TransactionID, o.ChargeID} {
		if r != "" {
			return r
		}
	}
	return fmt.Sprintf("TXN%08d", o.ID)
}

// CouponTransactionID identifies the coupon's use by this order
// (coupon_transaction_id), "" when no coupon was applied.
func (o Order) CouponTransactionID() string {
	if o.Quote.CouponCode == "" {
		return ""
	}
	return fmt.Sprintf("CPN%08d", o.ID)
}
