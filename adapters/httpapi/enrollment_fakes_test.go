package httpapi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/domain/token"
	"github.com/allot-io/allot/ports"
)

// BSS credentials the fake knows. They look like real secrets, so that the
// log test can search the output for them.
const (
	testVendor     = "VND-ACME"
	testUsername   = "dealer.api"
	testPassword   = "CanaryVendorPw-7hG2kQ9z"
	testPin        = "482913"
	disabledVendor = "VND-DISABLED"
)

// Tokens the fake answers specially; any other unknown token is invalid.
const (
	tokExpired  = "tokExpired3Jk9Lm"
	tokDisabled = "tokDisabledOrg1Qw5"
	tokDown     = "tokStoreDown8Hs2"
)

// tokenN is the n-th token the fake issues (1-based).
func tokenN(n int) string { return fmt.Sprintf("tok%02dZx81LqCanary", n) }

// fakeEnrollment issues tokens tokenN(1), tokenN(2), ..., each good for one
// Consume, and answers the actions with the functions a test sets. Its
// messages deliberately differ from the vendor's wherever the adapter must
// pin the vendor's wording.
type fakeEnrollment struct {
	mu       sync.Mutex
	issued   int
	live     map[string]bool
	used     map[string]bool
	consumes int
	// calls counts action calls (after Consume).
	calls  int
	org    tenant.OrgID
	creds  ports.Credentials
	avail  ports.AvailabilityRequest
	cc     ports.CallContext
	planID string
	plan   ports.PlanListRequest
	// ids is the organisation's id form in the sessions Consume returns.
	ids tenant.IDForm
	in  enrollment.RequestInput

	availFn  func(ports.AvailabilityRequest) (ports.Availability, error)
	plansFn  func(ports.CallContext, string) ([]enrollment.Plan, error)
	createFn func(enrollment.RequestInput) ([]ports.CreatedLine, error)
}

var _ ports.EnrollmentService = (*fakeEnrollment)(nil)

// issue returns a fresh token; f.mu must be held.
func (f *fakeEnrollment) issue() string {
	if f.live == nil {
		f.live, f.used = map[string]bool{}, map[string]bool{}
	}
	f.issued++
	raw := tokenN(f.issued)
	f.live[raw] = true
	return raw
}

// token issues a token as a successful /authenticate would.
func (f *fakeEnrollment) token() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.issue()
}

func (f *fakeEnrollment) Authenticate(_ context.Context, c ports.Credentials) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.creds = c
	switch {
	case c.VendorID == "" || c.Username == "" || c.Password == "" || c.Pin == "":
		return "", fault.New(fault.Unauthorized, enrollment.ReasonCredentialsMiss, "fake: something is missing")
	case c.VendorID == disabledVendor:
		return "", fault.New(fault.Forbidden, tenant.ReasonOrgDisabled, "fake: organisation ACME is disabled")
	case c.VendorID != testVendor || c.Username != testUsername || c.Password != testPassword || c.Pin != testPin:
		return "", fault.New(fault.Unauthorized, enrollment.ReasonCredentials, "fake: wrong credentials")
	}
	return f.issue(), nil
}

func (f *fakeEnrollment) Consume(_ context.Context, raw string) (ports.Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.consumes++
	switch {
	case raw == tokExpired:
		return ports.Session{}, fault.New(fault.Unauthorized, token.ReasonExpired, "fake: expired")
	case raw == tokDisabled:
		return ports.Session{}, fault.New(fault.Forbidden, tenant.ReasonOrgDisabled, "fake: organisation ACME is disabled")
	case raw == tokDown:
		return ports.Session{}, fault.Unavailablef(errors.New("dial tcp 10.0.0.5:5432: connection refused"), "database unavailable")
	case f.live[raw]:
		delete(f.live, raw)
		f.used[raw] = true
		org := testOrg
		org.Settings.BSSIDs = f.ids
		return ports.Session{Org: org, VendorID: testVendor, NextToken: f.issue()}, nil
	case f.used[raw]:
		return ports.Session{}, fault.New(fault.Unauthorized, token.ReasonUsed, "fake: used")
	}
	return ports.Session{}, fault.New(fault.Unauthorized, token.ReasonInvalid, "fake: unknown")
}

func (f *fakeEnrollment) record(org tenant.OrgID) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.org = org
}

func (f *fakeEnrollment) CheckAvailability(_ context.Context, org tenant.OrgID, r ports.AvailabilityRequest) (ports.Availability, error) {
	f.record(org)
	f.avail = r
	if f.availFn != nil {
		return f.availFn(r)
	}
	a := ports.Availability{ZipCode: r.ZipCode, City: "SEATTLE", State: "WA", EnrollmentType: strings.ToUpper(r.EnrollmentType)}
	if strings.EqualFold(r.IsEnrollment, "Y") {
		a.EnrollmentID = "EN7K2M9Q4X"
	}
	return a, nil
}

// testPlans are what the fake lists: plans of the three fields plan_list
// always had, every other field at its default.
var testPlans = []enrollment.Plan{
	mustPlan(enrollment.NewPlan("606", "Basic Talk", "10.00")),
	mustPlan(enrollment.NewPlan("1828", "Unlimited 5G", "25.00")),
}

func mustPlan(p enrollment.Plan, err error) enrollment.Plan {
	if err != nil {
		panic(err)
	}
	return p
}

func (f *fakeEnrollment) ListPlans(_ context.Context, org tenant.OrgID, r ports.PlanListRequest) ([]enrollment.Plan, error) {
	f.record(org)
	cc, planID := r.CallContext, r.PlanID
	f.cc, f.planID, f.plan = cc, planID, r
	if f.plansFn != nil {
		return f.plansFn(cc, planID)
	}
	var out []enrollment.Plan
	for _, p := range testPlans {
		if planID == "" || p.ID == planID {
			out = append(out, p)
		}
	}
	return out, nil
}

// CreateCustomer validates with the domain's real rules, so that the tests
// see its real messages, and numbers the customers from 3188.
func (f *fakeEnrollment) CreateCustomer(_ context.Context, org tenant.OrgID, in enrollment.RequestInput) ([]ports.CreatedLine, error) {
	f.record(org)
	f.in = in
	if f.createFn != nil {
		return f.createFn(in)
	}
	r, err := enrollment.Validate(in, enrollment.Limits{})
	if err != nil {
		return nil, err
	}
	out := make([]ports.CreatedLine, 0, r.NumLines())
	for i, l := range r.Lines() {
		out = append(out, ports.CreatedLine{CustomerID: 3188 + int64(i), EnrollmentID: l.EnrollmentID(),
			EnrollmentType: l.EnrollmentType(), InvoiceNumber: r.InvoiceNumber()})
	}
	return out, nil
}

// The administration methods are not part of the HTTP API.

func (f *fakeEnrollment) AddVendor(context.Context, tenant.OrgID, string, string, string, string) (ports.VendorSecrets, error) {
	return ports.VendorSecrets{}, errors.New("not used")
}

func (f *fakeEnrollment) AddAgent(context.Context, tenant.OrgID, string, string, []string) (enrollment.Agent, error) {
	return enrollment.Agent{}, errors.New("not used")
}

func (f *fakeEnrollment) ListAgents(context.Context, tenant.OrgID) ([]enrollment.Agent, error) {
	return nil, errors.New("not used")
}

func (f *fakeEnrollment) AddPlan(context.Context, tenant.OrgID, map[string]enrollment.PlanValue) (enrollment.Plan, error) {
	return enrollment.Plan{}, errors.New("not used")
}

func (f *fakeEnrollment) ImportPlans(context.Context, tenant.OrgID, []enrollment.PlanRow) (ports.SavedPlans, error) {
	return ports.SavedPlans{}, errors.New("not used")
}

func (f *fakeEnrollment) AddCarrier(context.Context, tenant.OrgID, string, string) (enrollment.Carrier, error) {
	return enrollment.Carrier{}, errors.New("not used")
}

func (f *fakeEnrollment) Carriers(context.Context, tenant.OrgID) ([]enrollment.Carrier, error) {
	return nil, errors.New("not used")
}

func (f *fakeEnrollment) Plans(context.Context, tenant.OrgID) ([]enrollment.Plan, error) {
	return nil, errors.New("not used")
}

func (f *fakeEnrollment) AddZips(context.Context, tenant.OrgID, []enrollment.ServiceZip) error {
	return errors.New("not used")
}

func (f *fakeEnrollment) AllowSources(context.Context, tenant.OrgID, []string) ([]string, error) {
	return nil, errors.New("not used")
}

func (f *fakeEnrollment) Accounts(context.Context, tenant.OrgID, ports.Query) ([]enrollment.Account, error) {
	return nil, errors.New("not used")
}
