package dashboard

import (
	"context"
	"strings"
	"sync"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/operator"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// The fixed values of the fakes: one operator of organisation 7 with a
// live session.
const (
	testOrg      tenant.OrgID = 7
	testSession               = "good-session-id"
	testCSRF                  = "csrf-of-good-session"
	testEmail                 = "ops@acme.test"
	testPassword              = "correct horse battery"
)

// fakes implements the driving ports the dashboard uses and records what
// they were asked.
type fakes struct {
	mu sync.Mutex

	signIns    []string // emails
	signOuts   []string // session ids
	signInErr  error
	customerQ  []ports.CustomerQuery
	customers  []tenant.Customer
	types      []tenant.ServiceType
	series     []series.Series
	specs      []series.Spec
	createErr  error
	deleted    [][]int64
	deleteErr  error
	orgsAsked  []tenant.OrgID
	nextSeries int64
}

func newFakes() *fakes {
	return &fakes{
		customers: []tenant.Customer{{Code: "SL1981", Name: "Sample Customer"}, {Code: "GL438", Name: "Global"}},
		types:     []tenant.ServiceType{{Code: "EXPRESS", Name: "Express"}, {Code: "ECONOMY", Name: "Economy"}},
		series: []series.Series{
			{ID: 1, Owner: series.Owner{Kind: series.Customer, Code: "SL1981"}, Type: series.Virtual,
				Range: series.MustParseRange("V10000051", "V10000060"), ItemCode: "P7WJEJANkt", ServiceTypes: []string{"EXPRESS"}},
			{ID: 2, Owner: series.Owner{Kind: series.Customer, Code: "SL1981"}, Type: series.Physical,
				Range: series.MustParseRange("V10000071", "V10000080"), ItemCode: "P7WJEJANkt", Drawn: 3},
			{ID: 9, Owner: series.Owner{Kind: series.Customer, Code: "GL438"}, Type: series.Virtual,
				Range: series.MustParseRange("G1", "G9"), ItemCode: "X"},
		},
		nextSeries: 100,
	}
}

func (f *fakes) services() ports.Services {
	return ports.Services{
		Operators:    fakeOperators{f},
		Customers:    fakeCustomers{f},
		ServiceTypes: fakeTypes{f},
		Series:       fakeSeries{f},
	}
}

func (f *fakes) asked(org tenant.OrgID) {
	f.orgsAsked = append(f.orgsAsked, org)
}

func testSessionValue() ports.OperatorSession {
	return ports.OperatorSession{
		ID:       testSession,
		CSRF:     testCSRF,
		Operator: operator.Operator{ID: 1, Org: testOrg, Email: testEmail},
		Org:      tenant.Organisation{ID: testOrg, Code: "ACME", Name: "Acme Logistics"},
	}
}

type fakeOperators struct{ f *fakes }

func (o fakeOperators) Add(context.Context, tenant.OrgID, string, string) (operator.Operator, string, error) {
	return operator.Operator{}, "", fault.New(fault.Internal, "", "not used")
}

func (o fakeOperators) List(context.Context, tenant.OrgID) ([]operator.Operator, error) {
	return nil, nil
}

func (o fakeOperators) SignIn(_ context.Context, email, password string) (ports.OperatorSession, error) {
	o.f.mu.Lock()
	defer o.f.mu.Unlock()
	o.f.signIns = append(o.f.signIns, email)
	if o.f.signInErr != nil {
		return ports.OperatorSession{}, o.f.signInErr
	}
	if email != testEmail || password != testPassword {
		return ports.OperatorSession{}, operator.CredentialsError()
	}
	return testSessionValue(), nil
}

func (o fakeOperators) Session(_ context.Context, id string) (ports.OperatorSession, error) {
	if id != testSession {
		return ports.OperatorSession{}, operator.SessionInvalidError()
	}
	return testSessionValue(), nil
}

func (o fakeOperators) SignOut(_ context.Context, id string) error {
	o.f.mu.Lock()
	defer o.f.mu.Unlock()
	o.f.signOuts = append(o.f.signOuts, id)
	return nil
}

type fakeCustomers struct{ f *fakes }

func (c fakeCustomers) Add(context.Context, tenant.OrgID, string, string) (tenant.Customer, error) {
	return tenant.Customer{}, fault.New(fault.Internal, "", "not used")
}

func (c fakeCustomers) Create(context.Context, tenant.OrgID, tenant.Customer) (tenant.Customer, error) {
	return tenant.Customer{}, fault.New(fault.Internal, "", "not used")
}

func (c fakeCustomers) SetUseGlobal(context.Context, tenant.OrgID, string, bool) (tenant.Customer, error) {
	return tenant.Customer{}, fault.New(fault.Internal, "", "not used")
}

func (c fakeCustomers) Get(_ context.Context, org tenant.OrgID, code string) (tenant.Customer, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	c.f.asked(org)
	for _, cu := range c.f.customers {
		if org == testOrg && cu.Code == code {
			return cu, nil
		}
	}
	return tenant.Customer{}, fault.New(fault.NotFound, tenant.ReasonNotFound, "customer not found")
}

func (c fakeCustomers) List(_ context.Context, org tenant.OrgID, q ports.CustomerQuery) ([]tenant.Customer, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	c.f.asked(org)
	c.f.customerQ = append(c.f.customerQ, q)
	var out []tenant.Customer
	for _, cu := range c.f.customers {
		s := strings.ToLower(q.Search)
		if org == testOrg && (strings.Contains(strings.ToLower(cu.Code), s) || strings.Contains(strings.ToLower(cu.Name), s)) {
			out = append(out, cu)
		}
	}
	if q.Offset >= len(out) {
		return nil, nil
	}
	out = out[q.Offset:]
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

type fakeTypes struct{ f *fakes }

func (t fakeTypes) Add(context.Context, tenant.OrgID, string, string) (tenant.ServiceType, error) {
	return tenant.ServiceType{}, fault.New(fault.Internal, "", "not used")
}

func (t fakeTypes) List(_ context.Context, org tenant.OrgID, _ ports.Query) ([]tenant.ServiceType, error) {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	t.f.asked(org)
	return t.f.types, nil
}

type fakeSeries struct{ f *fakes }

func (s fakeSeries) Create(_ context.Context, org tenant.OrgID, spec series.Spec) (series.Series, error) {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	s.f.asked(org)
	s.f.specs = append(s.f.specs, spec)
	if s.f.createErr != nil {
		return series.Series{}, s.f.createErr
	}
	// The real service validates first; so does the fake, so that any
	// form (the fuzz targets send any) gets the domain's answer.
	d, err := series.Validate(spec, series.Limits{})
	if err != nil {
		return series.Series{}, err
	}
	r := d.Range
	s.f.nextSeries++
	sr := series.Series{ID: s.f.nextSeries, Owner: series.Owner{Kind: series.Customer, Code: spec.ClientCode},
		Type: series.Virtual, Range: r, ItemCode: spec.ItemCode, ServiceTypes: spec.ServiceTypes}
	s.f.series = append(s.f.series, sr)
	return sr, nil
}

func (s fakeSeries) List(_ context.Context, org tenant.OrgID, q ports.SeriesQuery) (ports.SeriesPage, error) {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	s.f.asked(org)
	var out []series.Series
	for _, sr := range s.f.series {
		if org == testOrg && sr.Owner.Code == q.ClientCode {
			out = append(out, sr)
		}
	}
	return ports.SeriesPage{Items: out, Total: len(out)}, nil
}

func (s fakeSeries) Lookup(context.Context, tenant.OrgID, string) (series.Series, error) {
	return series.Series{}, fault.New(fault.Internal, "", "not used")
}

func (s fakeSeries) Next(context.Context, tenant.OrgID, ports.NextRequest) ([]series.Drawn, error) {
	return nil, fault.New(fault.Internal, "", "not used")
}

func (s fakeSeries) Delete(_ context.Context, org tenant.OrgID, ids []int64) error {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	s.f.asked(org)
	s.f.deleted = append(s.f.deleted, ids)
	return s.f.deleteErr
}
