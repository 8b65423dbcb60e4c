package wire_test

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/allot-io/allot/cmd/allot/command"
	"github.com/allot-io/allot/domain/tenant"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/adapters/carrier"
	"github.com/allot-io/allot/adapters/cli"
	"github.com/allot-io/allot/adapters/secret"
	"github.com/allot-io/allot/app/wire"
	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/ports"
)

// TestWorkAndLineCommands runs `allot work` over a SQLite file beside the
// line commands: a queued line becomes ACTIVE with the first MDN of the
// organisation's MDN series, `allot line show` prints its history,
// `allot line cancel` refuses an active line, and `allot line list
// --status` filters.
func TestWorkAndLineCommands(t *testing.T) {
	path := filepath.Join(t.TempDir(), "allot.db")
	db := "sqlite:" + path
	t.Setenv(secret.EnvKey, strings.Repeat("ab", 32))
	cfg := wire.Config{Hasher: secret.NewTestHasher()}
	run := func(ctx context.Context, want int, args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		deps := command.Deps(os.Getenv, cfg)
		deps.Stdout, deps.Stderr = &out, &errOut
		if code := cli.Run(ctx, deps, append([]string{"allot"}, args...)); code != want {
			t.Fatalf("allot %v: exit %d, want %d; stderr %s", args, code, want, errOut.String())
		}
		return out.String() + errOut.String()
	}
	bg := context.Background()
	run(bg, 0, "org", "create", "--db", db, "ACME")

	id := strconv.FormatInt(queuedLine(t, db, "3125550100", "3125550109"), 10)

	if got := run(bg, 0, "line", "list", "--db", db, "--org", "ACME"); !strings.Contains(got, "QUEUED") {
		t.Fatalf("line list before the worker: %q", got)
	}
	ctx, cancel := context.WithCancel(bg)
	done := make(chan string, 1)
	go func() { done <- run(ctx, 0, "work", "--db", db, "--poll", "20ms") }()
	// Polled through a store of its own, not the CLI: urfave/cli's help
	// flag is a package variable, so two Apps may not run at once in one
	// process (the race detector says so).
	watch, err := bunstore.Open(bg, db)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; {
		var active int
		if err := watch.DB().NewRaw("SELECT COUNT(*) FROM lines WHERE status = 'ACTIVE'").Scan(bg, &active); err != nil {
			t.Fatal(err)
		}
		if active == 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	watch.Close()
	cancel()
	if got := <-done; !strings.Contains(got, "provisioning worker running") {
		t.Errorf("allot work said %q", got)
	}
	var lines []struct {
		CustomerID int64  `json:"customer_id"`
		Status     string `json:"status"`
		MDN        string `json:"mdn"`
	}
	out := run(bg, 0, "line", "list", "--db", db, "--org", "ACME", "--status", "active", "--json")
	if err := json.Unmarshal([]byte(out), &lines); err != nil {
		t.Fatalf("line list --json: %v: %q", err, out)
	}
	if len(lines) != 1 || lines[0].MDN != "3125550100" {
		t.Fatalf("ACTIVE lines %+v, want the line with MDN 3125550100", lines)
	}
	if got := run(bg, 0, "line", "show", "--db", db, "--org", "ACME", id); !strings.Contains(got, "active with MDN 3125550100") || !strings.Contains(got, "SUBMITTED") {
		t.Errorf("line show: %q", got)
	}
	if got := run(bg, 4, "line", "cancel", "--db", db, "--org", "ACME", id); !strings.Contains(got, "cannot be cancelled") {
		t.Errorf("line cancel of an ACTIVE line: %q", got)
	}
	if got := run(bg, 0, "line", "list", "--db", db, "--org", "ACME", "--status", "FAILED"); strings.Contains(got, id) {
		t.Errorf("line list --status FAILED shows the active line: %q", got)
	}
	if got := run(bg, 0, "line", "list", "--db", db, "--org", "ACME", "--search", "3125550100"); !strings.Contains(got, "3125550100") {
		t.Errorf("line list --search by MDN: %q", got)
	}
	if got := run(bg, 0, "line", "list", "--db", db, "--org", "ACME", "--search", "nobody"); strings.Contains(got, "3125550100") {
		t.Errorf("line list --search nobody shows the line: %q", got)
	}
}

// queuedLine writes, through the store of db, an MDN series first–last for
// carrier TMB and one queued line of organisation ACME, and returns the
// line's customer id.
func queuedLine(t *testing.T, db, first, last string) int64 {
	t.Helper()
	bg := context.Background()
	s, err := bunstore.Open(bg, db)
	if err != nil {
		t.Fatal(err)
	}
	orgs, _ := s.ListOrgs(bg)
	org := orgs[0].ID
	if _, err := s.InsertSeries(bg, org, series.Series{Owner: enrollment.MDNStock("TMB"), Type: series.Virtual,
		Range: series.MustParseRange(first, last), ItemCode: enrollment.MDNItemCode}); err != nil {
		t.Fatal(err)
	}
	if err := s.IssueEnrollmentID(bg, org, ports.IssuedEnrollmentID{ID: "W1", Zip: "98103", AgentID: "agent"}); err != nil {
		t.Fatal(err)
	}
	req, err := enrollment.Validate(enrollment.RequestInput{Action: enrollment.ActionCreate, ParentEnrollmentID: "W1", AgentID: "agent", Source: "WEBSITE",
		Lines: []enrollment.LineInput{{EnrollmentID: "W1", FirstName: "Test", LastName: "Tester", AlternatePhoneNumber: "1561651651", Email: "test@example.com",
			ServiceAddressOne: "112 N 41ST ST", ServiceCity: "SEATTLE", ServiceState: "WA", ServiceZip: "98103",
			PlanID: "1828", Carrier: "TMB", ActivationType: "NEWACTIVATION", EnrollmentType: "SHIPMENT", ActivationLater: "N"}}}, enrollment.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	_, recs, err := s.CreateEnrollment(bg, org, ports.NewEnrollment{ParentEnrollmentID: "W1", AgentID: "agent", Source: "WEBSITE", Lines: []ports.NewLine{{Line: req.Lines()[0]}}})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	return recs[0].CustomerID
}

// TestWorkAgainstCarrierGateway runs `allot work` with ALLOT_CARRIER_URL
// set to a loopback carrier simulator that assigns the MDN: the line
// becomes ACTIVE with the carrier's number, activated once, every request
// signed with ALLOT_CARRIER_SECRET.
func TestWorkAgainstCarrierGateway(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "allot.db")
	t.Setenv(secret.EnvKey, strings.Repeat("ab", 32))
	fake := carrier.NewFake()
	fake.Answer = func(ports.CarrierRequest) ports.CarrierAnswer {
		return ports.CarrierAnswer{Kind: ports.AnswerActive, MDN: "4255550123", MSID: "4255550123"}
	}
	sim := httptest.NewServer(&carrier.Simulator{Fake: fake, Secret: []byte("s3cret")})
	defer sim.Close()
	t.Setenv(wire.EnvCarrierURL, sim.URL)
	t.Setenv(wire.EnvCarrierSecret, "s3cret")
	st, org, id := workUntil(t, db, enrollment.StatusActive)
	if st.Status != enrollment.StatusActive || st.MDN != "4255550123" {
		t.Fatalf("line %+v, want ACTIVE with the carrier's MDN", st)
	}
	if n := fake.Activations(enrollment.ActivationKey(int64(org), id)); n != 1 {
		t.Fatalf("activated %d times at the carrier", n)
	}
}

// workUntil creates organisation ACME on db with one queued line, runs
// `allot work` (configured from the environment, as the program is) until
// the line reaches want or 20 s pass, and returns its state, organisation
// and customer id.
func workUntil(t *testing.T, db string, want enrollment.LineStatus) (ports.LineState, tenant.OrgID, int64) {
	t.Helper()
	deps := command.Deps(os.Getenv, wire.Config{Hasher: secret.NewTestHasher()})
	var out bytes.Buffer
	deps.Stdout, deps.Stderr = &out, &out
	if code := cli.Run(context.Background(), deps, []string{"allot", "org", "create", "--db", db, "ACME"}); code != 0 {
		t.Fatalf("org create: %s", out.String())
	}
	id := queuedLine(t, db, "3125550100", "3125550109")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- cli.Run(ctx, deps, []string{"allot", "work", "--db", db, "--poll", "20ms"}) }()
	s, err := bunstore.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	orgs, _ := s.ListOrgs(context.Background())
	var st ports.LineState
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if st, err = s.LineState(context.Background(), orgs[0].ID, id); err == nil && st.Status == want {
			break
		}
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("allot work exit %d: %s", code, out.String())
	}
	return st, orgs[0].ID, id
}
