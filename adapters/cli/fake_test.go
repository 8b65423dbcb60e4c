package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// epoch is the creation time of everything the fakes store, in a zone
// other than UTC so that the tests see the CLI convert it.
var epoch = time.Date(2024, 5, 1, 12, 0, 0, 0, time.FixedZone("CEST", 2*3600))

// world is the in-memory state behind the fake services. fail makes the
// method named "Service.Method" return an error instead of working.
type world struct {
	orgs      []tenant.Organisation
	keys      map[tenant.OrgID][]tenant.APIKey
	customers map[tenant.OrgID][]tenant.Customer
	hubs      map[tenant.OrgID][]tenant.Hub
	types     map[tenant.OrgID][]tenant.ServiceType
	series    map[tenant.OrgID][]series.Series
	enroll    *enrollWorld
	fail      map[string]error

	// What the last calls received, for the tests to check.
	customerQuery ports.CustomerQuery
	hubQuery      ports.Query
	seriesQuery   ports.SeriesQuery
	nextRequest   ports.NextRequest
	spec          series.Spec
}

func newWorld() *world {
	return &world{
		keys:      map[tenant.OrgID][]tenant.APIKey{},
		customers: map[tenant.OrgID][]tenant.Customer{},
		hubs:      map[tenant.OrgID][]tenant.Hub{},
		types:     map[tenant.OrgID][]tenant.ServiceType{},
		series:    map[tenant.OrgID][]series.Series{},
		enroll:    newEnrollWorld(),
		fail:      map[string]error{},
	}
}

func (w *world) services() ports.Services {
	return ports.Services{
		Orgs:         fakeOrgs{w},
		APIKeys:      fakeKeys{w},
		Customers:    fakeCustomers{w},
		Hubs:         fakeHubs{w},
		ServiceTypes: fakeTypes{w},
		Series:       fakeSeries{w},
		Enrollment:   fakeEnrollment{w},
	}
}

// seed adds organisation ACME (ID 1) with a customer, a hub, a service type
// and two series of the customer, the second with 3 numbers drawn.
func (w *world) seed() {
	w.orgs = append(w.orgs, tenant.Organisation{ID: 1, Code: "ACME", Name: "Acme Ltd", CreatedAt: epoch})
	w.customers[1] = []tenant.Customer{{Code: "SL1981", Name: "Sunlight", CreatedAt: epoch}}
	w.hubs[1] = []tenant.Hub{{Code: "BF074", Name: "Bradford", CreatedAt: epoch}}
	w.types[1] = []tenant.ServiceType{{Code: "EXPRESS", Name: "Express", CreatedAt: epoch}}
	w.series[1] = []series.Series{
		{ID: 1, Owner: series.Owner{Kind: series.Customer, Code: "SL1981"}, Type: series.Virtual,
			Range: series.MustParseRange("V10000051", "V10000060"), ItemCode: "P7WJEJANkt",
			ServiceTypes: []string{"EXPRESS"}, CreatedAt: epoch},
		{ID: 3, Owner: series.Owner{Kind: series.Customer, Code: "SL1981"}, Type: series.Virtual,
			Range: series.MustParseRange("V10000071", "V10000080"), ItemCode: "P7WJEJANkt",
			Drawn: 3, CreatedAt: epoch},
	}
	w.seedEnrollment()
}

func (w *world) failed(method string) error { return w.fail[method] }

var errNotFound = fault.New(fault.NotFound, "NOT_FOUND", "not found")

type fakeOrgs struct{ *world }

func (f fakeOrgs) Create(_ context.Context, code, name string) (tenant.Organisation, error) {
	if err := f.failed("Orgs.Create"); err != nil {
		return tenant.Organisation{}, err
	}
	code, err := tenant.ParseCode("code", code)
	if err != nil {
		return tenant.Organisation{}, err
	}
	for _, o := range f.orgs {
		if o.Code == code {
			return tenant.Organisation{}, fault.Errorf(fault.Conflict, tenant.ReasonDuplicate, "organisation %s already exists", code)
		}
	}
	o := tenant.Organisation{ID: tenant.OrgID(len(f.orgs) + 1), Code: code, Name: name, CreatedAt: epoch}
	f.orgs = append(f.orgs, o)
	return o, nil
}

func (f fakeOrgs) ByCode(_ context.Context, code string) (tenant.Organisation, error) {
	if err := f.failed("Orgs.ByCode"); err != nil {
		return tenant.Organisation{}, err
	}
	for _, o := range f.orgs {
		if o.Code == code {
			return o, nil
		}
	}
	return tenant.Organisation{}, fault.New(fault.NotFound, tenant.ReasonOrgNotFound, "no such organisation")
}

func (f fakeOrgs) Configure(_ context.Context, code string, changes []ports.SettingChange) (tenant.Organisation, error) {
	if len(changes) == 0 {
		return tenant.Organisation{}, fault.InvalidField("settings", "required", tenant.ReasonInvalidSetting, "name at least one setting to change")
	}
	for i, o := range f.orgs {
		if o.Code != code {
			continue
		}
		st := o.Settings
		for _, c := range changes {
			var err error
			if st, err = st.With(c.Name, c.Value); err != nil {
				return tenant.Organisation{}, err
			}
		}
		f.orgs[i].Settings = st
		return f.orgs[i], nil
	}
	return tenant.Organisation{}, fault.New(fault.NotFound, tenant.ReasonOrgNotFound, "no such organisation")
}

func (f fakeOrgs) List(context.Context) ([]tenant.Organisation, error) {
	return f.orgs, f.failed("Orgs.List")
}

func (f fakeOrgs) SetDisabled(_ context.Context, code string, disabled bool) (tenant.Organisation, error) {
	if err := f.failed("Orgs.SetDisabled"); err != nil {
		return tenant.Organisation{}, err
	}
	for i, o := range f.orgs {
		if o.Code == code {
			f.orgs[i].Disabled = disabled
			return f.orgs[i], nil
		}
	}
	return tenant.Organisation{}, fault.New(fault.NotFound, tenant.ReasonOrgNotFound, "no such organisation")
}

type fakeKeys struct{ *world }

func (f fakeKeys) Create(_ context.Context, org tenant.OrgID) (string, tenant.APIKey, error) {
	if err := f.failed("APIKeys.Create"); err != nil {
		return "", tenant.APIKey{}, err
	}
	k := tenant.APIKey{Prefix: fmt.Sprintf("ak%d", len(f.keys[org])+1), Hash: []byte("HASH-SECRET"), CreatedAt: epoch}
	f.keys[org] = append(f.keys[org], k)
	return k.Prefix + ".s3cr3t", k, nil
}

func (f fakeKeys) List(_ context.Context, org tenant.OrgID) ([]tenant.APIKey, error) {
	return f.keys[org], f.failed("APIKeys.List")
}

func (f fakeKeys) Revoke(_ context.Context, org tenant.OrgID, prefix string) error {
	for i, k := range f.keys[org] {
		if k.Prefix == prefix {
			at := epoch.Add(time.Hour)
			f.keys[org][i].RevokedAt = &at
			return nil
		}
	}
	return errNotFound
}

type fakeCustomers struct{ *world }

func (f fakeCustomers) Add(_ context.Context, org tenant.OrgID, code, name string) (tenant.Customer, error) {
	if err := f.failed("Customers.Add"); err != nil {
		return tenant.Customer{}, err
	}
	c := tenant.Customer{Code: code, Name: name, CreatedAt: epoch}
	f.customers[org] = append(f.customers[org], c)
	return c, nil
}

func (f fakeCustomers) Create(_ context.Context, org tenant.OrgID, c tenant.Customer) (tenant.Customer, error) {
	// `customer add` reaches Create; tests fail it by the command's name.
	if err := f.failed("Customers.Add"); err != nil {
		return tenant.Customer{}, err
	}
	c.CreatedAt = epoch
	f.customers[org] = append(f.customers[org], c)
	return c, nil
}

func (f fakeCustomers) SetUseGlobal(_ context.Context, org tenant.OrgID, code string, use bool) (tenant.Customer, error) {
	for i, c := range f.customers[org] {
		if c.Code == code {
			f.customers[org][i].UseGlobal = use
			return f.customers[org][i], nil
		}
	}
	return tenant.Customer{}, errNotFound
}

func (f fakeCustomers) Get(_ context.Context, org tenant.OrgID, code string) (tenant.Customer, error) {
	for _, c := range f.customers[org] {
		if c.Code == code {
			return c, nil
		}
	}
	return tenant.Customer{}, errNotFound
}

func (f fakeCustomers) List(_ context.Context, org tenant.OrgID, q ports.CustomerQuery) ([]tenant.Customer, error) {
	f.customerQuery = q
	var out []tenant.Customer
	for _, c := range f.customers[org] {
		if strings.Contains(strings.ToLower(c.Code+" "+c.Name), strings.ToLower(q.Search)) {
			out = append(out, c)
		}
	}
	return out, f.failed("Customers.List")
}

type fakeHubs struct{ *world }

func (f fakeHubs) Add(_ context.Context, org tenant.OrgID, code, name string) (tenant.Hub, error) {
	h := tenant.Hub{Code: code, Name: name, CreatedAt: epoch}
	f.hubs[org] = append(f.hubs[org], h)
	return h, nil
}

func (f fakeHubs) List(_ context.Context, org tenant.OrgID, q ports.Query) ([]tenant.Hub, error) {
	f.hubQuery = q
	return f.hubs[org], nil
}

type fakeTypes struct{ *world }

func (f fakeTypes) Add(_ context.Context, org tenant.OrgID, code, name string) (tenant.ServiceType, error) {
	if name == "" {
		name = code
	}
	s := tenant.ServiceType{Code: code, Name: name, CreatedAt: epoch}
	f.types[org] = append(f.types[org], s)
	return s, nil
}

func (f fakeTypes) List(_ context.Context, org tenant.OrgID, _ ports.Query) ([]tenant.ServiceType, error) {
	return f.types[org], nil
}

type fakeSeries struct{ *world }

func (f fakeSeries) Create(_ context.Context, org tenant.OrgID, spec series.Spec) (series.Series, error) {
	f.spec = spec
	d, err := series.Validate(spec, series.Limits{})
	if err != nil {
		return series.Series{}, err
	}
	for _, x := range f.series[org] {
		if x.Range.Overlaps(d.Range) {
			return series.Series{}, series.OverlapError(d.Range, x.Range)
		}
	}
	s := series.Series{ID: int64(len(f.series[org]) + 10), Owner: d.Owner, Type: d.Type, Range: d.Range,
		ItemCode: d.ItemCode, ServiceTypes: d.ServiceTypes, CreatorHub: d.CreatorHub, CreatedAt: epoch}
	f.series[org] = append(f.series[org], s)
	return s, nil
}

func (f fakeSeries) List(_ context.Context, org tenant.OrgID, q ports.SeriesQuery) (ports.SeriesPage, error) {
	f.seriesQuery = q
	if err := f.failed("Series.List"); err != nil {
		return ports.SeriesPage{}, err
	}
	var all []series.Series
	for _, s := range f.series[org] {
		if (q.ClientCode == "" || s.Owner == series.Owner{Kind: series.Customer, Code: q.ClientCode}) &&
			(q.HubCode == "" || s.Owner == series.Owner{Kind: series.Hub, Code: q.HubCode}) &&
			(q.ItemCode == "" || s.ItemCode == q.ItemCode) && (q.Type == "" || s.Type == q.Type) {
			all = append(all, s)
		}
	}
	limit := q.Limit
	if limit == 0 {
		limit = 50
	}
	items := all[min(q.Offset, len(all)):min(q.Offset+limit, len(all))]
	return ports.SeriesPage{Items: items, Total: len(all)}, nil
}

func (f fakeSeries) Lookup(_ context.Context, org tenant.OrgID, number string) (series.Series, error) {
	n, err := series.ParseNumber(number)
	if err != nil {
		return series.Series{}, fault.InvalidField("number", "pattern", series.ReasonInvalidNumber, err.Error())
	}
	for _, s := range f.series[org] {
		if s.Range.Contains(n) {
			return s, nil
		}
	}
	return series.Series{}, fault.New(fault.NotFound, series.ReasonNumberFree, "number not allotted")
}

func (f fakeSeries) Next(_ context.Context, org tenant.OrgID, r ports.NextRequest) ([]series.Drawn, error) {
	f.nextRequest = r
	if err := series.ValidateDrawCount(r.Count); err != nil {
		return nil, err
	}
	owner, _ := series.ResolveOwner(r.ClientCode, r.HubCode)
	var out []series.Drawn
	left := uint64(r.Count)
	ss := f.series[org]
	for i := range ss {
		if left == 0 || ss[i].Owner != owner || ss[i].ItemCode != r.ItemCode {
			continue
		}
		if r.ServiceType != "" && !slices.Contains(ss[i].ServiceTypes, r.ServiceType) {
			continue
		}
		n := min(left, ss[i].Remaining())
		if n == 0 {
			continue
		}
		rng, _ := ss[i].Range.Slice(ss[i].Drawn, n)
		out = append(out, series.Drawn{SeriesID: ss[i].ID, Range: rng})
		left -= n
	}
	if left > 0 {
		return nil, fault.New(fault.Conflict, series.ReasonExhausted, "the owner's series hold fewer numbers than asked")
	}
	// Commit only once the whole draw fits: nothing is drawn otherwise.
	for _, d := range out {
		for i := range ss {
			if ss[i].ID == d.SeriesID {
				c, _ := d.Range.Count().Uint64()
				ss[i].Drawn += c
			}
		}
	}
	return out, nil
}

func (f fakeSeries) Delete(_ context.Context, org tenant.OrgID, ids []int64) error {
	keep := f.series[org]
	for _, id := range ids {
		i := slices.IndexFunc(keep, func(s series.Series) bool { return s.ID == id })
		if i < 0 {
			return fault.Errorf(fault.NotFound, series.ReasonNotFound, "series %d does not exist", id)
		}
		if keep[i].Drawn > 0 {
			return fault.Errorf(fault.Conflict, series.ReasonHasDrawn, "series %d has had numbers drawn", id)
		}
		keep = slices.Delete(slices.Clone(keep), i, i+1)
	}
	f.series[org] = keep
	return nil
}
