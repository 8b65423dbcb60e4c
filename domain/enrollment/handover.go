package enrollment

import (
	"strings"

	"github.com/allot-io/allot/domain/fault"
)

// ActionHandoverActivation is the /handover action that activates an
// attached line (SPEC §2 "Line lifecycle").
const ActionHandoverActivation = "handover_activation"

// Handover payment methods.
const (
	PaymentCash       = "CASH"
	PaymentSkip       = "SKIP_PAYMENT"
	PaymentCreditCard = "CREDIT_CARD"
)

// ReasonCardPaymentUnavailable is the reason of a card payment refused for
// want of a payment gateway.
const ReasonCardPaymentUnavailable = "CARD_PAYMENT_UNAVAILABLE"

// HandoverBillingFields are the names handover_activation's billing
// fields are sent under.
var HandoverBillingFields = BillingFieldNames{"billing_address_one", "billing_address_two", "billing_city", "billing_state", "billing_zip"}

// HandoverInput is a handover_activation request as sent.
type HandoverInput struct {
	EnrollmentID, ESN, DeviceID, Carrier, PaymentMethod string
	Billing                                             Address
}

// HandoverActivation is a validated handover_activation: the device handed over on
// the spot for an attached line, and how it is paid.
type HandoverActivation struct {
	EnrollmentID  string
	ESN           string
	DeviceID      string
	Carrier       string
	PaymentMethod string
	Billing       Address
}

// ValidateHandover checks in and returns it normalised (upper-case ids,
// ESN and carrier), or Invalid with a violation per bad field: enrollment_id,
// esn (11 to 20 letters or digits), carrier (a carrier code) and
// payment_method (CASH, SKIP_PAYMENT or CREDIT_CARD) are required;
// device_id is a code when given. A CREDIT_CARD payment is refused
// (Unavailable CARD_PAYMENT_UNAVAILABLE) while no payment gateway is
// configured, which gateway tells.
func ValidateHandover(in HandoverInput, gateway bool) (HandoverActivation, error) {
	h := HandoverActivation{
		EnrollmentID:  strings.ToUpper(strings.TrimSpace(in.EnrollmentID)),
		ESN:           strings.ToUpper(strings.TrimSpace(in.ESN)),
		DeviceID:      strings.TrimSpace(in.DeviceID),
		Carrier:       strings.ToUpper(strings.TrimSpace(in.Carrier)),
		PaymentMethod: strings.ToUpper(strings.TrimSpace(in.PaymentMethod)),
		Billing:       in.Billing,
	}
	var vs fault.Violations
	field := func(name, label, v string, c check) {
		if v == "" {
			vs.Add(fault.Violation{Field: name, Rule: RuleRequired, Reason: MissingReason(name), Message: label + " is required"})
			return
		}
		if c != nil {
			c(label, v, func(rule, msg string) {
				vs.Add(fault.Violation{Field: name, Rule: rule, Reason: InvalidReason(name), Message: msg})
			})
		}
	}
	field("enrollment_id", "Enrollment Id", h.EnrollmentID, code(MaxCode))
	field("esn", "ESN", h.ESN, alnumBetween(MinESN, MaxESN))
	field("carrier", "Carrier", h.Carrier, carrierCode)
	field("payment_method", "Payment method", h.PaymentMethod, oneOf(PaymentCash, PaymentSkip, PaymentCreditCard))
	if h.DeviceID != "" {
		field("device_id", "Device Id", h.DeviceID, code(MaxCode))
	}
	var bvs []fault.Violation
	h.Billing, bvs = CheckBillingAddress(in.Billing, HandoverBillingFields, false)
	for _, v := range bvs {
		vs.Add(v)
	}
	if err := vs.Err(); err != nil {
		return HandoverActivation{}, err
	}
	if h.PaymentMethod == PaymentCreditCard && !gateway {
		return HandoverActivation{}, fault.New(fault.Unavailable, ReasonCardPaymentUnavailable, "card payments need a payment gateway, and none is configured; pay CASH or SKIP_PAYMENT")
	}
	return h, nil
}
