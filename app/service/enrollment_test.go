package service_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/adapters/secret"
	"github.com/allot-io/allot/app/service"
	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// newBSSEnv builds the enrollment services over a migrated SQLite store:
// organisation ACME with agent ewebsiteapi, source WEBSITE, zip 98103 and
// plan 1828.
func newBSSEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	st, err := bunstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "a.db"), bunstore.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	sealer, err := secret.NewGCM(bytes.Repeat([]byte("k"), 32))
	if err != nil {
		t.Fatal(err)
	}
	svc := service.New(service.Deps{Store: st, Clock: clk, Hasher: secret.NewTestHasher(), Sealer: sealer,
		TokenKey: bytes.Repeat([]byte("t"), 32)}, service.Config{})
	org, err := svc.Orgs.Create(ctx, "ACME", "")
	if err != nil {
		t.Fatal(err)
	}
	e := svc.Enrollment
	must(t, func() error { _, err := e.AddAgent(ctx, org.ID, "ewebsiteapi", "", nil); return err })
	must(t, func() error { _, err := e.AllowSources(ctx, org.ID, []string{"WEBSITE"}); return err })
	must(t, func() error {
		_, err := e.AddPlan(ctx, org.ID, map[string]enrollment.PlanValue{"plan_id": {Text: "1828"}, "plan_name": {Text: "Unlimited 30"}, "plan_price": {Text: "25.00"}})
		return err
	})
	must(t, func() error {
		return e.AddZips(ctx, org.ID, []enrollment.ServiceZip{{Zip: "98103", City: "SEATTLE", State: "WA"}})
	})
	return &env{svc: svc, org: org, clock: clk}
}

var webCall = ports.CallContext{Action: enrollment.ActionPlanList, AgentID: "ewebsiteapi", Source: "WEBSITE"}

// wantMessage checks that err is Invalid or NotFound with reason and the
// one message msg.
func wantMessage(t *testing.T, what string, err error, reason, msg string) {
	t.Helper()
	fe, ok := fault.As(err)
	if !ok || fe.Reason != reason || fe.Message != msg {
		t.Fatalf("%s: err = %v, want %s %q", what, err, reason, msg)
	}
}

// TestPlanListValidatesZipAndEnrollmentType: plan_list used to answer
// success to zip_code "9810" and enrollment_type "PREPAID"; the vendor
// documents RESTAPI110 with these messages.
func TestPlanListValidatesZipAndEnrollmentType(t *testing.T) {
	e := newBSSEnv(t)
	ctx := context.Background()
	_, err := e.svc.Enrollment.ListPlans(ctx, e.org.ID, ports.PlanListRequest{CallContext: webCall, ZipCode: "9810"})
	wantMessage(t, "zip 9810", err, enrollment.ReasonInvalidZipCode, "Please enter valid 5 digit Zip Code")
	_, err = e.svc.Enrollment.ListPlans(ctx, e.org.ID, ports.PlanListRequest{CallContext: webCall, EnrollmentType: "PREPAID"})
	wantMessage(t, "PREPAID", err, enrollment.ReasonInvalidEnrollmentType, "Please enter valid enrollment_type (i.e.NON_LIFELINE, LIFELINE)")
	_, err = e.svc.Enrollment.ListPlans(ctx, e.org.ID, ports.PlanListRequest{CallContext: webCall, ZipCode: "10001"})
	wantMessage(t, "unserved zip", err, enrollment.ReasonZipNotServed, "We do not provide services at the users Zip Code")
	_, err = e.svc.Enrollment.ListPlans(ctx, e.org.ID, ports.PlanListRequest{CallContext: webCall, PlanID: "999"})
	wantMessage(t, "unknown plan", err, enrollment.ReasonPlansNotFound, "Plans not found")
	_, err = e.svc.Enrollment.ListPlans(ctx, e.org.ID, ports.PlanListRequest{CallContext: webCall, EnrollmentType: "LIFELINE"})
	wantMessage(t, "LIFELINE not run", err, enrollment.ReasonProgramNotOffered, enrollment.MsgProgramNotOffered)

	plans, err := e.svc.Enrollment.ListPlans(ctx, e.org.ID, ports.PlanListRequest{CallContext: webCall, ZipCode: " 98103 ", EnrollmentType: "non_lifeline"})
	if err != nil || len(plans) != 1 || plans[0].ID != "1828" {
		t.Fatalf("valid query = %v, %v", plans, err)
	}
	// Both bad at once: both reported.
	_, err = e.svc.Enrollment.ListPlans(ctx, e.org.ID, ports.PlanListRequest{CallContext: webCall, ZipCode: "9810", EnrollmentType: "PREPAID"})
	if fe, ok := fault.As(err); !ok || len(fe.Violations) != 2 {
		t.Fatalf("two bad fields = %v, want both violations", err)
	}
}

// TestAvailabilityPrograms: LIFELINE (the export's own example) is
// accepted once the organisation runs that program; a customer on a
// lifeline enrollment id is refused with a message saying lifeline
// enrollment happens outside Allot.
func TestAvailabilityPrograms(t *testing.T) {
	e := newBSSEnv(t)
	ctx := context.Background()
	avail := func(et, zip string) (ports.Availability, error) {
		return e.svc.Enrollment.CheckAvailability(ctx, e.org.ID, ports.AvailabilityRequest{
			CallContext: ports.CallContext{Action: enrollment.ActionCheckAvailability, AgentID: "ewebsiteapi", Source: "WEBSITE"},
			ZipCode:     zip, EnrollmentType: et, IsEnrollment: "Y"})
	}
	_, err := avail("LIFELINE", "98103")
	wantMessage(t, "LIFELINE off", err, enrollment.ReasonProgramNotOffered, enrollment.MsgProgramNotOffered)
	_, err = avail("PREPAID", "98103")
	wantMessage(t, "PREPAID", err, enrollment.ReasonInvalidEnrollmentType, enrollment.MsgInvalidEnrollmentType)
	_, err = avail("NON_LIFELINE", "981O3")
	wantMessage(t, "zip", err, enrollment.ReasonInvalidZipCode, enrollment.MsgInvalidZipCode)
	_, err = avail("NON_LIFELINE", "10001")
	wantMessage(t, "unserved", err, enrollment.ReasonZipNotServed, enrollment.MsgZipNotServed)

	if _, err := e.svc.Orgs.Configure(ctx, "ACME", []ports.SettingChange{{Name: tenant.SettingPrograms, Value: "NON_LIFELINE,LIFELINE"}}); err != nil {
		t.Fatal(err)
	}
	a, err := avail("lifeline", "98103")
	if err != nil || a.EnrollmentType != "LIFELINE" || a.EnrollmentID == "" {
		t.Fatalf("LIFELINE on = %+v, %v", a, err)
	}
	in := enrollment.RequestInput{Action: enrollment.ActionCreate, AgentID: "ewebsiteapi", Source: "WEBSITE", ParentEnrollmentID: a.EnrollmentID,
		Lines: []enrollment.LineInput{{EnrollmentID: a.EnrollmentID, FirstName: "Ann", LastName: "Lee", Email: "ann@example.com",
			ServiceAddressOne: "1 Main St", ServiceCity: "SEATTLE", ServiceState: "WA", ServiceZip: "98103", PlanID: "1828",
			ActivationType: "NEWACTIVATION", EnrollmentType: "SHIPMENT"}}}
	_, err = e.svc.Enrollment.CreateCustomer(ctx, e.org.ID, in)
	wantMessage(t, "lifeline customer", err, enrollment.ReasonLifelineOutside, enrollment.MsgLifelineOutside)
}

// TestEnrollmentUseCase runs service.Enrollment's whole flow over SQLite,
// as the BSS API drives it: a vendor authenticates, each call consumes its
// token and gets the next, check_service_availability issues enrollment
// ids, a customer is created on two of them, a retry of the creation is
// refused with the vendor's message and changes nothing, a used token is
// refused, and the account is listed with both lines.
func TestEnrollmentUseCase(t *testing.T) {
	env, _ := newOrderEnv(t)
	ctx := context.Background()
	e := env.svc.Enrollment
	secrets, err := e.AddVendor(ctx, env.org, "V100", "api-user", "", "")
	if err != nil || secrets.Password == "" || secrets.Pin == "" {
		t.Fatalf("AddVendor: %+v, %v (generated secrets expected)", secrets, err)
	}
	if _, err := e.Authenticate(ctx, ports.Credentials{VendorID: "V100", Username: "api-user", Password: secrets.Password + "x", Pin: secrets.Pin}); fault.CodeOf(err) != fault.Unauthorized {
		t.Fatalf("a wrong password: %v", err)
	}
	tok, err := e.Authenticate(ctx, ports.Credentials{VendorID: "V100", Username: "api-user", Password: secrets.Password, Pin: secrets.Pin})
	if err != nil || tok == "" {
		t.Fatalf("Authenticate: %q, %v", tok, err)
	}
	// Each call consumes the token it came with and hands on the next.
	next := func() {
		t.Helper()
		s, err := e.Consume(ctx, tok)
		if err != nil || s.Org.ID != env.org || s.NextToken == "" || s.NextToken == tok {
			t.Fatalf("Consume: %+v, %v", s, err)
		}
		tok = s.NextToken
	}
	var ids []string
	for range 2 {
		next()
		av, err := e.CheckAvailability(ctx, env.org, ports.AvailabilityRequest{CallContext: cc("check_service_availability"), ZipCode: "98103", EnrollmentType: "NON_LIFELINE", IsEnrollment: "Y"})
		if err != nil || av.City != "SEATTLE" || len(av.EnrollmentID) != 10 {
			t.Fatalf("CheckAvailability: %+v, %v", av, err)
		}
		ids = append(ids, av.EnrollmentID)
	}
	used := tok
	next()
	if _, err := e.Consume(ctx, used); fault.CodeOf(err) != fault.Unauthorized {
		t.Fatalf("a used token: %v", err)
	}
	lines, err := e.CreateCustomer(ctx, env.org, v2Create(ids))
	if err != nil || len(lines) != 2 || lines[0].CustomerID == 0 || lines[0].CustomerID == lines[1].CustomerID ||
		lines[0].EnrollmentID != ids[0] || lines[1].EnrollmentID != ids[1] {
		t.Fatalf("CreateCustomer: %+v, %v", lines, err)
	}
	_, err = e.CreateCustomer(ctx, env.org, v2Create(ids))
	if fe, ok := fault.As(err); !ok || fe.Reason != enrollment.ReasonEnrollmentIDUsed || len(fe.Violations) != 2 ||
		fe.Violations[0].Message != "Line 1: "+enrollment.MsgEnrollmentIDUsed {
		t.Fatalf("the same creation again: %v", err)
	}
	accts, err := e.Accounts(ctx, env.org, ports.Query{})
	if err != nil || len(accts) != 1 || len(accts[0].Lines) != 2 {
		t.Fatalf("accounts after a refused retry: %+v, %v", accts, err)
	}
}
