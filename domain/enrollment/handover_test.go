package enrollment

import (
	"testing"

	"github.com/allot-io/allot/domain/fault"
)

func TestValidateHandover(t *testing.T) {
	ok := HandoverInput{EnrollmentID: "abc123", ESN: "89012600000000000011", Carrier: "tmb", PaymentMethod: "cash"}
	h, err := ValidateHandover(ok, false)
	if err != nil || h.EnrollmentID != "ABC123" || h.Carrier != "TMB" || h.PaymentMethod != PaymentCash {
		t.Fatalf("ValidateHandover = %+v, %v", h, err)
	}
	_, err = ValidateHandover(HandoverInput{ESN: "12", PaymentMethod: "CHEQUE", Billing: Address{Zip: "1"}}, false)
	fe, _ := fault.As(err)
	if fault.CodeOf(err) != fault.Invalid || fe == nil {
		t.Fatalf("bad input: %v", err)
	}
	fields := map[string]bool{}
	for _, v := range fe.Violations {
		fields[v.Field] = true
	}
	for _, f := range []string{"enrollment_id", "esn", "carrier", "payment_method", "billing_zip"} {
		if !fields[f] {
			t.Errorf("no violation for %s in %+v", f, fe.Violations)
		}
	}
	card := ok
	card.PaymentMethod = "credit_card"
	if _, err := ValidateHandover(card, false); fault.ReasonOf(err) != ReasonCardPaymentUnavailable {
		t.Errorf("card without gateway: %v", err)
	}
	if _, err := ValidateHandover(card, true); err != nil {
		t.Errorf("card with gateway: %v", err)
	}
}
