package cli

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// The secrets the fake enrollment service generates for a vendor.
const (
	genPassword = "gen-Pw9xQ2vL7kT4"
	genPin      = "739151"
)

// vendorCall is what AddVendor received.
type vendorCall struct {
	org                               tenant.OrgID
	vendorID, username, password, pin string
}

// enrollWorld is the in-memory state behind the fake enrollment service.
type enrollWorld struct {
	vendors  []vendorCall
	agents   map[tenant.OrgID][]enrollment.Agent
	plans    map[tenant.OrgID][]enrollment.Plan
	zips     map[tenant.OrgID][]enrollment.ServiceZip
	sources  map[tenant.OrgID][]string
	accounts map[tenant.OrgID][]enrollment.Account
	carriers map[tenant.OrgID][]enrollment.Carrier

	// echoSecrets makes AddVendor return the password and pin it was given
	// as well, as a careless service might.
	echoSecrets bool

	// What the last calls received, for the tests to check.
	addZipsCalls  int
	agentActions  []string
	agentPassword string
	sourcesAsked  []string
	accountsQuery ports.Query
	// accountsQueries are every query of Accounts, in order.
	accountsQueries []ports.Query
}

func newEnrollWorld() *enrollWorld {
	return &enrollWorld{
		agents:   map[tenant.OrgID][]enrollment.Agent{},
		plans:    map[tenant.OrgID][]enrollment.Plan{},
		zips:     map[tenant.OrgID][]enrollment.ServiceZip{},
		sources:  map[tenant.OrgID][]string{},
		accounts: map[tenant.OrgID][]enrollment.Account{},
		carriers: map[tenant.OrgID][]enrollment.Carrier{},
	}
}

// seedEnrollment gives ACME (ID 1) two agents, two plans, a zip, the API
// source and an account of two lines and one without lines.
func (w *world) seedEnrollment() {
	e := w.enroll
	e.agents[1] = []enrollment.Agent{
		{ID: "AG1", PasswordHash: "$argon2id$HASH-SECRET", CreatedAt: epoch},
		{ID: "AG2", Actions: []string{enrollment.ActionPlanList, enrollment.ActionCheckAvailability}, CreatedAt: epoch},
	}
	unlimited, _ := enrollment.NewPlan("1828", "Unlimited", "25.00")
	legacy, _ := enrollment.NewPlan("1900", "Legacy", "9.50")
	unlimited.CreatedAt, legacy.CreatedAt, legacy.Active = epoch, epoch, false
	e.plans[1] = []enrollment.Plan{unlimited, legacy}
	for _, c := range enrollment.SeedCarriers() {
		c.CreatedAt = epoch
		e.carriers[1] = append(e.carriers[1], c)
	}
	e.zips[1] = []enrollment.ServiceZip{{Zip: "98103", City: "SEATTLE", State: "WA"}}
	e.sources[1] = []string{enrollment.SourceAPI}
	later := epoch.Add(time.Hour)
	e.accounts[1] = []enrollment.Account{
		{ID: 7, ParentEnrollmentID: "EN100", AgentID: "AG1", Source: "API", CreatedAt: later, Lines: []enrollment.LineRecord{
			{CustomerID: 501, EnrollmentID: "EN100", EnrollmentType: enrollment.Shipment, ActivationType: enrollment.NewActivation,
				PlanID: "1828", FirstName: "Ada", LastName: "Lovelace", Status: enrollment.StatusQueued, InvoiceNumber: "INV1", CreatedAt: later},
			{CustomerID: 502, EnrollmentID: "EN101", EnrollmentType: enrollment.Handover, ActivationType: enrollment.PortIn,
				PlanID: "1828", FirstName: "Alan", LastName: "Turing", Status: enrollment.StatusAttached, ActivationLater: true, CreatedAt: later},
		}},
		{ID: 6, ParentEnrollmentID: "EN090", AgentID: "AG2", Source: "WEBSITE", CreatedAt: epoch},
	}
}

type fakeEnrollment struct{ *world }

var errNotInFake = fault.New(fault.Internal, "INTERNAL", "not implemented by the fake")

func (f fakeEnrollment) Authenticate(context.Context, ports.Credentials) (string, error) {
	return "", errNotInFake
}

func (f fakeEnrollment) Consume(context.Context, string) (ports.Session, error) {
	return ports.Session{}, errNotInFake
}

func (f fakeEnrollment) CheckAvailability(context.Context, tenant.OrgID, ports.AvailabilityRequest) (ports.Availability, error) {
	return ports.Availability{}, errNotInFake
}

func (f fakeEnrollment) ListPlans(context.Context, tenant.OrgID, ports.PlanListRequest) ([]enrollment.Plan, error) {
	return nil, errNotInFake
}

func (f fakeEnrollment) CreateCustomer(context.Context, tenant.OrgID, enrollment.RequestInput) ([]ports.CreatedLine, error) {
	return nil, errNotInFake
}

func (f fakeEnrollment) AddVendor(_ context.Context, org tenant.OrgID, vendorID, username, password, pin string) (ports.VendorSecrets, error) {
	if err := f.failed("Enrollment.AddVendor"); err != nil {
		return ports.VendorSecrets{}, err
	}
	e := f.enroll
	for _, v := range e.vendors {
		if v.vendorID == vendorID {
			return ports.VendorSecrets{}, fault.Errorf(fault.Conflict, tenant.ReasonDuplicate, "vendor %s already exists", vendorID)
		}
	}
	e.vendors = append(e.vendors, vendorCall{org: org, vendorID: vendorID, username: username, password: password, pin: pin})
	var out ports.VendorSecrets
	if e.echoSecrets {
		out = ports.VendorSecrets{Password: password, Pin: pin}
	}
	if password == "" {
		out.Password = genPassword
	}
	if pin == "" {
		out.Pin = genPin
	}
	return out, nil
}

func (f fakeEnrollment) AddAgent(_ context.Context, org tenant.OrgID, id, password string, actions []string) (enrollment.Agent, error) {
	e := f.enroll
	e.agentActions, e.agentPassword = actions, password
	if err := f.failed("Enrollment.AddAgent"); err != nil {
		return enrollment.Agent{}, err
	}
	if slices.ContainsFunc(e.agents[org], func(a enrollment.Agent) bool { return a.ID == id }) {
		return enrollment.Agent{}, fault.Errorf(fault.Conflict, tenant.ReasonDuplicate, "agent %s already exists", id)
	}
	a := enrollment.Agent{ID: id, Actions: actions, CreatedAt: epoch}
	if password != "" {
		a.PasswordHash = "$argon2id$HASH-" + password
	}
	e.agents[org] = append(e.agents[org], a)
	return a, nil
}

func (f fakeEnrollment) ListAgents(_ context.Context, org tenant.OrgID) ([]enrollment.Agent, error) {
	return f.enroll.agents[org], f.failed("Enrollment.ListAgents")
}

func (f fakeEnrollment) AddPlan(_ context.Context, org tenant.OrgID, values map[string]enrollment.PlanValue) (enrollment.Plan, error) {
	if err := f.failed("Enrollment.AddPlan"); err != nil {
		return enrollment.Plan{}, err
	}
	p, err := enrollment.ParsePlan(values)
	if err != nil {
		return enrollment.Plan{}, err
	}
	if slices.ContainsFunc(f.enroll.plans[org], func(x enrollment.Plan) bool { return x.ID == p.ID }) {
		return enrollment.Plan{}, fault.Errorf(fault.Conflict, tenant.ReasonDuplicate, "plan %s already exists", p.ID)
	}
	p.CreatedAt = epoch
	f.enroll.plans[org] = append(f.enroll.plans[org], p)
	return p, nil
}

// ImportPlans parses with the domain's real rules and replaces plans by id.
func (f fakeEnrollment) ImportPlans(_ context.Context, org tenant.OrgID, rows []enrollment.PlanRow) (ports.SavedPlans, error) {
	if err := f.failed("Enrollment.ImportPlans"); err != nil {
		return ports.SavedPlans{}, err
	}
	plans, err := enrollment.ParsePlanRows(rows)
	if err != nil {
		return ports.SavedPlans{}, err
	}
	var saved ports.SavedPlans
	for _, p := range plans {
		p.CreatedAt = epoch
		i := slices.IndexFunc(f.enroll.plans[org], func(x enrollment.Plan) bool { return x.ID == p.ID })
		if i >= 0 {
			f.enroll.plans[org][i] = p
			saved.Updated++
			continue
		}
		f.enroll.plans[org] = append(f.enroll.plans[org], p)
		saved.Added++
	}
	return saved, nil
}

func (f fakeEnrollment) AddCarrier(_ context.Context, org tenant.OrgID, code, name string) (enrollment.Carrier, error) {
	if err := f.failed("Enrollment.AddCarrier"); err != nil {
		return enrollment.Carrier{}, err
	}
	c, err := enrollment.NewCarrier(code, name)
	if err != nil {
		return enrollment.Carrier{}, err
	}
	if slices.ContainsFunc(f.enroll.carriers[org], func(x enrollment.Carrier) bool { return x.Code == c.Code }) {
		return enrollment.Carrier{}, fault.Errorf(fault.Conflict, tenant.ReasonDuplicate, "carrier %s already exists", c.Code)
	}
	c.CreatedAt = epoch
	f.enroll.carriers[org] = append(f.enroll.carriers[org], c)
	return c, nil
}

func (f fakeEnrollment) Carriers(_ context.Context, org tenant.OrgID) ([]enrollment.Carrier, error) {
	return f.enroll.carriers[org], f.failed("Enrollment.Carriers")
}

func (f fakeEnrollment) Plans(_ context.Context, org tenant.OrgID) ([]enrollment.Plan, error) {
	return f.enroll.plans[org], f.failed("Enrollment.Plans")
}

func (f fakeEnrollment) AddZips(_ context.Context, org tenant.OrgID, zips []enrollment.ServiceZip) error {
	e := f.enroll
	e.addZipsCalls++
	if err := f.failed("Enrollment.AddZips"); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, z := range e.zips[org] {
		seen[z.Zip] = true
	}
	for _, z := range zips {
		if seen[z.Zip] {
			return fault.Errorf(fault.Conflict, tenant.ReasonDuplicate, "zip %s is already in the service area", z.Zip)
		}
		seen[z.Zip] = true
	}
	e.zips[org] = append(e.zips[org], zips...)
	return nil
}

func (f fakeEnrollment) AllowSources(_ context.Context, org tenant.OrgID, sources []string) ([]string, error) {
	e := f.enroll
	e.sourcesAsked = sources
	if err := f.failed("Enrollment.AllowSources"); err != nil {
		return nil, err
	}
	for _, s := range sources {
		if !slices.Contains(e.sources[org], s) {
			e.sources[org] = append(e.sources[org], s)
		}
	}
	out := slices.Clone(e.sources[org])
	slices.SortFunc(out, strings.Compare)
	return out, nil
}

func (f fakeEnrollment) Accounts(_ context.Context, org tenant.OrgID, q ports.Query) ([]enrollment.Account, error) {
	f.enroll.accountsQuery = q
	f.enroll.accountsQueries = append(f.enroll.accountsQueries, q)
	if err := f.failed("Enrollment.Accounts"); err != nil {
		return nil, err
	}
	all := f.enroll.accounts[org]
	limit := q.Limit
	if limit == 0 {
		limit = 50
	}
	return all[min(q.Offset, len(all)):min(q.Offset+limit, len(all))], nil
}
