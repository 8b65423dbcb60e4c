package enrollment

import "github.com/allot-io/allot/domain/fault"

// BillingFieldNames are the JSON names under which another call (such as
// the payment API's make_payment) sends a billing address: address line
// one, line two, city, state and zip.
type BillingFieldNames [5]string

// CheckBillingAddress normalises a and checks it by the rules, labels and
// messages of a line's billing fields, reporting each violation under the
// field name of names. With required, address line one, city, state and
// zip must be present; line two is always optional. It returns the
// normalised address (state upper-cased) and every violation.
func CheckBillingAddress(a Address, names BillingFieldNames, required bool) (Address, []fault.Violation) {
	ids := [5]lineFieldID{fBillingAddressOne, fBillingAddressTwo, fBillingCity, fBillingState, fBillingZip}
	in := [5]*string{&a.One, &a.Two, &a.City, &a.State, &a.Zip}
	var vs []fault.Violation
	for i, id := range ids {
		f := &lineFields[id]
		v := normalise(f.norm, *in[i])
		*in[i] = v
		name := names[i]
		switch {
		case v == "" && required && id != fBillingAddressTwo:
			vs = append(vs, fault.Violation{Field: name, Rule: RuleRequired, Reason: MissingReason(name), Message: f.label + " is required"})
		case v != "":
			f.check(f.label, v, func(rule, msg string) {
				vs = append(vs, fault.Violation{Field: name, Rule: rule, Reason: InvalidReason(name), Message: msg})
			})
		}
	}
	return a, vs
}
