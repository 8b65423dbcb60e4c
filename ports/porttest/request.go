package porttest

import (
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/ports"
)

// lineSpec describes one line of a test enrollment: its enrollment id and
// the two choices that change how it is stored.
type lineSpec struct {
	id string
	// now is activation_later N: the line is queued for the carrier.
	now bool
	// portIn makes it a PORTIN line, which carries sealed secrets.
	portIn bool
	// sim is the line's SIM (ICCID), "" for none.
	sim string
}

// attached and queued are the usual lines: activation_later Y, attached
// for a later activation, or N, queued for the carrier at once.
func attached(id string) lineSpec { return lineSpec{id: id} }
func queued(id string) lineSpec   { return lineSpec{id: id, now: true} }

// portIn is a queued PORTIN line, which carries sealed secrets.
func portIn(id string) lineSpec { return lineSpec{id: id, now: true, portIn: true} }

// Values of the test requests, modelled on the vendor's sample request.
const (
	testAgent   = "ewebsiteapi"
	testSource  = enrollment.SourceWebsite
	testInvoice = "2021-09-1288"
	testPlan    = "1828"
)

// lineInput returns a valid raw line, the vendor's sample with l's choices.
func lineInput(l lineSpec) enrollment.LineInput {
	in := enrollment.LineInput{
		EnrollmentID:         l.id,
		Password:             "1599",
		FirstName:            "Test",
		LastName:             "Tester",
		AlternatePhoneNumber: "1561651651",
		Email:                "test@example.com",
		ServiceAddressOne:    "112 N 41ST ST",
		ServiceCity:          "SEATTLE",
		ServiceState:         "WA",
		ServiceZip:           "98103",
		PlanID:               testPlan,
		Carrier:              "TMB",
		ActivationType:       string(enrollment.NewActivation),
		EnrollmentType:       string(enrollment.Shipment),
		BillingAddressOne:    "112 N 41ST st",
		BillingCity:          "seattle",
		BillingState:         "wa",
		BillingZip:           "98103",
		ActivationLater:      "Y",
	}
	if l.now {
		in.ActivationLater = "N"
	}
	in.SIM = l.sim
	if l.portIn {
		in.ActivationType = string(enrollment.PortIn)
		in.PortNumber = "2065550100"
		in.PortCurrentCarrier = "VERIZON"
		in.PortFirstName = "Test"
		in.PortLastName = "Tester"
		in.PortAddressOne = "112 N 41ST ST"
		in.PortCity = "SEATTLE"
		in.PortState = "WA"
		in.PortZipCode = "98103"
		in.PortAccountNumber = "123456789"
		in.PortAccountPassword = "port-secret"
		in.PortSSN = "1234"
	}
	return in
}

// newEnrollment validates a request for parent with lines, as the use case
// does, and returns it ready to store, its secrets standing in for hashed
// and sealed ones.
func newEnrollment(t *testing.T, parent string, lines ...lineSpec) ports.NewEnrollment {
	t.Helper()
	in := enrollment.RequestInput{
		Action:             enrollment.ActionCreate,
		ParentEnrollmentID: parent,
		AgentID:            testAgent,
		Source:             testSource,
		SubSource:          "plans",
		InvoiceNumber:      testInvoice,
	}
	for _, l := range lines {
		in.Lines = append(in.Lines, lineInput(l))
	}
	req, err := enrollment.Validate(in, enrollment.Limits{})
	if err != nil {
		t.Fatalf("the test request does not validate: %v", err)
	}
	e := ports.NewEnrollment{
		ParentEnrollmentID: req.ParentEnrollmentID(),
		AgentID:            req.AgentID(),
		Source:             req.Source(),
		SubSource:          req.SubSource(),
		InvoiceNumber:      req.InvoiceNumber(),
		CreatedAt:          base,
	}
	for _, l := range req.Lines() {
		nl := ports.NewLine{Line: l, PasswordHash: "hash-of-" + strings.ToLower(l.EnrollmentID())}
		if l.IsPortIn() {
			nl.SealedPortPassword = []byte("sealed-port-password")
			nl.SealedPortSSN = []byte("sealed-port-ssn")
		}
		e.Lines = append(e.Lines, nl)
	}
	return e
}
