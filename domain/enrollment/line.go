package enrollment

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// ActivationType tells a new number from a number ported in.
type ActivationType string

// The activation types.
const (
	// NewActivation gives the line a new number.
	NewActivation ActivationType = "NEWACTIVATION"
	// PortIn brings the customer's number from another carrier.
	PortIn ActivationType = "PORTIN"
)

// EnrollmentType tells whether a device is shipped or handed over on the spot.
type EnrollmentType string

// The enrollment types.
const (
	// Shipment: the device or SIM is shipped to the customer.
	Shipment EnrollmentType = "SHIPMENT"
	// Handover: nothing is shipped; the device is handed over on the spot.
	Handover EnrollmentType = "HANDOVER"
)

// HandoverType is how a HANDOVER line's device is handed over.
type HandoverType string

// HandoverCBE is the only handover type the vendor defines. It is lower
// case, as the vendor writes it.
const HandoverCBE HandoverType = "cbe"

// PhoneType is the network capability of the phone.
type PhoneType string

// The phone types.
const (
	// Phone4G is a 4G phone, which needs a UICCID.
	Phone4G PhoneType = "4G"
	// Phone3G is a 3G phone.
	Phone3G PhoneType = "3G"
	// Phone4GLTE is a 4G LTE phone.
	Phone4GLTE PhoneType = "4GLTE"
)

// DeviceType is the radio technology of the device.
type DeviceType string

// The device types.
const (
	// CDMA is a CDMA device.
	CDMA DeviceType = "CDMA"
	// GSM is a GSM device.
	GSM DeviceType = "GSM"
)

// BrandCode is the Sprint brand of a bring-your-own device.
type BrandCode string

// The brand codes.
const (
	// BrandASW is Assurance Wireless.
	BrandASW BrandCode = "ASW"
	// BrandBST is Boost Mobile.
	BrandBST BrandCode = "BST"
	// BrandSPP is Sprint Prepaid.
	BrandSPP BrandCode = "SPP"
	// BrandVMU is Virgin Mobile US.
	BrandVMU BrandCode = "VMU"
	// BrandSPR is Sprint Retail Postpaid.
	BrandSPR BrandCode = "SPR"
	// BrandPLD is wholesale.
	BrandPLD BrandCode = "PLD"
)

// SKUType is the Sprint SKU type of a bring-your-own device.
type SKUType string

// The SKU types.
const (
	// SKUIntl is an international device.
	SKUIntl SKUType = "INTL"
	// SKUBYO is a device the customer brings.
	SKUBYO SKUType = "BYO"
	// SKUNew is a device new to Sprint.
	SKUNew SKUType = "NEW"
)

// Line is one validated, normalised line of an enrollment request. Its
// values are trimmed, codes and states are upper-case, enums are canonical
// and absent fields are "". A Line comes only from Validate and is valid
// forever: its fields are unexported and every getter returns a copy.
type Line struct {
	v [numLineFields]string
}

// Customer is the applicant of a line.
type Customer struct {
	FirstName            string
	MiddleInitial        string
	LastName             string
	Email                string
	AlternatePhoneNumber string
	// Password is the customer's account password for the website and
	// app, to be hashed before it is stored.
	Password Secret
}

// Address is a postal address. Every field is "" when none was given.
type Address struct {
	One, Two, City, State, Zip string
}

// IsZero reports whether no field of the address was given.
func (a Address) IsZero() bool { return a == Address{} }

// Device describes the phone, SIM and accessories of a line.
type Device struct {
	PhoneType        PhoneType
	DeviceType       DeviceType
	UICCID           string
	ESN              string
	Carrier          string
	ModelID          string
	DeviceID         string
	PartNumber       string
	EquipmentID      string
	EquipmentChildID string
	BrandCode        BrandCode
	SKUType          SKUType
}

// Port is what the losing carrier needs to release a number ported in.
// AccountPassword and SSN must be encrypted at rest and forwarded only to
// that carrier.
type Port struct {
	Number          string
	CurrentCarrier  string
	FirstName       string
	LastName        string
	Address         Address
	AccountNumber   string
	AccountPassword Secret
	SSN             Secret
}

// EnrollmentID returns the line's enrollment id, upper-case.
func (l Line) EnrollmentID() string { return l.v[fEnrollmentID] }

// Customer returns the applicant.
func (l Line) Customer() Customer {
	return Customer{
		FirstName:            l.v[fFirstName],
		MiddleInitial:        l.v[fMiddleInitial],
		LastName:             l.v[fLastName],
		Email:                l.v[fEmail],
		AlternatePhoneNumber: l.v[fAlternatePhoneNumber],
		Password:             NewSecret(l.v[fPassword]),
	}
}

// ServiceAddress returns the address where the service is used.
func (l Line) ServiceAddress() Address {
	return Address{l.v[fServiceAddressOne], l.v[fServiceAddressTwo], l.v[fServiceCity], l.v[fServiceState], l.v[fServiceZip]}
}

// BillingAddress returns the billing address, zero when none was given.
// Its fields are optional one by one, as the vendor document has them.
func (l Line) BillingAddress() Address {
	return Address{l.v[fBillingAddressOne], l.v[fBillingAddressTwo], l.v[fBillingCity], l.v[fBillingState], l.v[fBillingZip]}
}

// PlanID returns the plan id, a string of digits.
func (l Line) PlanID() string { return l.v[fPlanID] }

// NotifyBillViaText reports whether the customer asked for bill
// notifications by text; absent means no.
func (l Line) NotifyBillViaText() bool { return l.v[fNotifyBillViaText] == "Y" }

// NotifyBillViaEmail reports whether the customer asked for bill
// notifications by email; absent means no.
func (l Line) NotifyBillViaEmail() bool { return l.v[fNotifyBillViaEmail] == "Y" }

// Device returns the device, SIM and accessory details.
func (l Line) Device() Device {
	return Device{
		PhoneType:        PhoneType(l.v[fPhoneType]),
		DeviceType:       DeviceType(l.v[fDeviceType]),
		UICCID:           l.v[fUICCID],
		ESN:              l.v[fESN],
		Carrier:          l.v[fCarrier],
		ModelID:          l.v[fModelID],
		DeviceID:         l.v[fDeviceID],
		PartNumber:       l.v[fPartNumber],
		EquipmentID:      l.v[fEquipmentID],
		EquipmentChildID: l.v[fEquipmentChildID],
		BrandCode:        BrandCode(l.v[fBrandCode]),
		SKUType:          SKUType(l.v[fSKUType]),
	}
}

// ActivationType returns NewActivation or PortIn.
func (l Line) ActivationType() ActivationType { return ActivationType(l.v[fActivationType]) }

// EnrollmentType returns Shipment or Handover.
func (l Line) EnrollmentType() EnrollmentType { return EnrollmentType(l.v[fEnrollmentType]) }

// HandoverType returns HandoverCBE for a HANDOVER line, and for any line
// that sent it; "" otherwise.
func (l Line) HandoverType() HandoverType { return HandoverType(l.v[fHandoverType]) }

// IsPortIn reports whether the line ports a number in, in which case Port
// holds every field the losing carrier requires.
func (l Line) IsPortIn() bool { return l.ActivationType() == PortIn }

// Port returns the port-in details. They are complete when IsPortIn; on
// other lines they hold whatever valid values the client sent, usually none.
func (l Line) Port() Port {
	return Port{
		Number:         l.v[fPortNumber],
		CurrentCarrier: l.v[fPortCurrentCarrier],
		FirstName:      l.v[fPortFirstName],
		LastName:       l.v[fPortLastName],
		Address: Address{
			l.v[fPortAddressOne], l.v[fPortAddressTwo], l.v[fPortCity], l.v[fPortState], l.v[fPortZipCode],
		},
		AccountNumber:   l.v[fPortAccountNumber],
		AccountPassword: NewSecret(l.v[fPortAccountPassword]),
		SSN:             NewSecret(l.v[fPortSSN]),
	}
}

// CouponCode returns the coupon applied to the payment, if any.
func (l Line) CouponCode() string { return l.v[fCouponCode] }

// CouponTransactionID returns the make_payment transaction of the coupon,
// if any.
func (l Line) CouponTransactionID() string { return l.v[fCouponTransactionID] }

// ActivationLater reports whether the SIM is only attached to the account
// (Y) rather than sent to the carrier for provisioning now (N or absent).
func (l Line) ActivationLater() bool { return l.v[fActivationLater] == "Y" }

// OrderID returns the make_payment order the line was paid by, digits
// without sign, or "" when none was sent.
func (l Line) OrderID() string { return l.v[fOrderID] }

// SIM returns the SIM (ICCID) the client assigned the line, if any.
func (l Line) SIM() string { return l.v[fSIM] }

// IsESIM reports whether the line uses an eSIM.
func (l Line) IsESIM() bool { return l.v[fIsESIM] == "Y" }

// PIN returns the number's transfer PIN, if any; it is forwarded to the
// losing carrier and so sealed at rest, never hashed.
func (l Line) PIN() Secret { return NewSecret(l.v[fPIN]) }

// ChildInvoiceNumber returns the invoice of the line's own payment, if any.
func (l Line) ChildInvoiceNumber() string { return l.v[fChildInvoiceNumber] }

// AdvanceMonths returns how many months were paid in advance (0 when not
// sent).
func (l Line) AdvanceMonths() int {
	n, _ := strconv.Atoi(l.v[fNoOfAdvanceMonth])
	return n
}

// String renders the non-empty fields as json_name:value pairs in the
// document's order, secrets shown as Redacted.
func (l Line) String() string {
	var b strings.Builder
	b.WriteString("{")
	sep := ""
	for i := range lineFields {
		v := l.v[i]
		if v == "" {
			continue
		}
		writeField(&b, sep, lineFields[i].json, v, lineFields[i].secret)
		sep = " "
	}
	b.WriteString("}")
	return b.String()
}

// GoString is String with the type's name, for %#v.
func (l Line) GoString() string { return "enrollment.Line" + l.String() }

// Format prints String (GoString for %#v) for every verb: without it, a
// verb such as %d would make fmt print the unexported values, secrets
// included, by reflection.
func (l Line) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(l.GoString()))
		return
	}
	_, _ = f.Write([]byte(l.String()))
}

// loggedLineFields are the fields of a line that may appear in logs.
var loggedLineFields = [...]lineFieldID{fEnrollmentID, fPlanID, fActivationType, fEnrollmentType, fPhoneType, fActivationLater}

// LogValue logs what identifies a line and how it is provisioned, never
// its secrets nor the customer's personal data (names, addresses, email,
// phone numbers), since log lines outlive the data's retention.
func (l Line) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, len(loggedLineFields))
	for _, id := range loggedLineFields {
		attrs = append(attrs, slog.String(lineFields[id].json, l.v[id]))
	}
	return slog.GroupValue(attrs...)
}
