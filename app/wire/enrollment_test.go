package wire_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/allot-io/allot/adapters/httpapi"
	"github.com/allot-io/allot/adapters/secret"
	"github.com/allot-io/allot/app/wire"
	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// bss is the real stack serving the BSS enrollment API over a migrated
// SQLite store: organisation ACME with vendor ACMEVENDOR, agent ewebsiteapi,
// a password-protected agent, plan 1828, zip 98103 and source WEBSITE.
type bss struct {
	srv  *httptest.Server
	logs *syncBuffer
	db   string
	// services and org let a test configure and inspect what the API serves.
	services ports.Services
	org      tenant.OrgID
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const (
	vendorPassword = "canary-vendor-pass-7f3a"
	vendorPin      = "93127"
	agentPassword  = "canary-agent-pass-19c2"
)

func newBSS(t *testing.T, ttl time.Duration) *bss {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "allot.db")
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := wire.Config{Log: log, TokenTTL: ttl, Hasher: secret.NewTestHasher()}
	b, err := wire.Open(ctx, "sqlite:"+path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	if err := b.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := b.Services
	org, err := svc.Orgs.Create(ctx, "ACME", "Acme Mobile")
	if err != nil {
		t.Fatal(err)
	}
	e := svc.Enrollment
	steps := []func() error{
		func() error {
			_, err := e.AddVendor(ctx, org.ID, "ACMEVENDOR", "acmeapi", vendorPassword, vendorPin)
			return err
		},
		func() error { _, err := e.AddAgent(ctx, org.ID, "ewebsiteapi", "", nil); return err },
		func() error { _, err := e.AddAgent(ctx, org.ID, "guarded", agentPassword, nil); return err },
		func() error { _, err := e.AddAgent(ctx, org.ID, "planonly", "", []string{"plan_list"}); return err },
		func() error {
			_, err := e.AddPlan(ctx, org.ID, map[string]enrollment.PlanValue{
				"plan_id": {Text: "1828"}, "plan_name": {Text: "Unlimited 30"}, "plan_price": {Text: "25.00"}})
			return err
		},
		func() error { _, err := e.AllowSources(ctx, org.ID, []string{"WEBSITE"}); return err },
	}
	for _, f := range steps {
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
	if err := addZip(ctx, e, org.ID); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(httpapi.Config{}, svc, log))
	t.Cleanup(srv.Close)
	return &bss{srv: srv, logs: logs, db: path, services: svc, org: org.ID}
}

type reply struct {
	Msg     string          `json:"msg"`
	MsgCode string          `json:"msg_code"`
	Token   *string         `json:"token"`
	Errors  []string        `json:"errors"`
	Data    json.RawMessage `json:"data"`
	raw     string
}

func (b *bss) call(t *testing.T, method, path, tok, body string) reply {
	t.Helper()
	req, _ := http.NewRequest(method, b.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("token", tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d %s", method, path, resp.StatusCode, raw)
	}
	var r reply
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	r.raw = string(raw)
	return r
}

func (r reply) token(t *testing.T) string {
	t.Helper()
	if r.Token == nil || *r.Token == "" {
		t.Fatalf("no token in %s", r.raw)
	}
	return *r.Token
}

func (b *bss) authenticate(t *testing.T) string {
	t.Helper()
	r := b.call(t, "POST", "/authenticate", "", fmt.Sprintf(`{"vendor_id":"ACMEVENDOR","username":"acmeapi","password":%q,"pin":%s}`, vendorPassword, vendorPin))
	if r.MsgCode != "RESTAPI000" || r.Msg != "Successfully Authenticate" {
		t.Fatalf("authenticate: %s", r.raw)
	}
	return r.token(t)
}

// enrollmentID runs check_service_availability with is_enrollment Y.
func (b *bss) enrollmentID(t *testing.T, tok string) (string, string) {
	t.Helper()
	r := b.call(t, "POST", "/enrollment", tok, `{"action":"check_service_availability","zip_code":"98103","enrollment_type":"NON_LIFELINE","is_enrollment":"Y","agent_id":"ewebsiteapi","source":"WEBSITE"}`)
	var d struct {
		City, State  string
		EnrollmentID string `json:"enrollment_id"`
	}
	if err := json.Unmarshal(r.Data, &d); err != nil || r.MsgCode != "RESTAPI000" || d.EnrollmentID == "" || d.City != "SEATTLE" {
		t.Fatalf("check_service_availability: %s", r.raw)
	}
	return d.EnrollmentID, r.token(t)
}

// sampleWith returns the vendor's sample request with its enrollment ids
// replaced by issued ones (lower-case in the lines, as the sample sends).
func sampleWith(t *testing.T, first, second string) string {
	t.Helper()
	b, err := os.ReadFile("../../domain/enrollment/testdata/sample_request.json")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(b), `"wn116"`, fmt.Sprintf("%q", strings.ToLower(first)))
	s = strings.ReplaceAll(s, `"wn118"`, fmt.Sprintf("%q", strings.ToLower(second)))
	return strings.ReplaceAll(s, `"WN116"`, fmt.Sprintf("%q", first))
}

// TestSampleEnrollmentFlow walks the README's flow: authenticate, two
// enrollment ids, plan_list, the document's sample request, and the same
// request again.
func TestSampleEnrollmentFlow(t *testing.T) {
	b := newBSS(t, 0)
	tok := b.authenticate(t)
	e1, tok := b.enrollmentID(t, tok)
	e2, tok := b.enrollmentID(t, tok)
	r := b.call(t, "POST", "/plan", tok, `{"action":"plan_list","agent_id":"ewebsiteapi","source":"WEBSITE"}`)
	if r.MsgCode != "RESTAPI000" || !strings.Contains(string(r.Data), `"plan_id":"1828"`) {
		t.Fatalf("plan_list: %s", r.raw)
	}
	body := sampleWith(t, e1, e2)
	r = b.call(t, "POST", "/customer", r.token(t), body)
	var lines []struct {
		MsgCode string `json:"msg_code"`
		// Ids are JSON integers by default, as the live service sends
		// them and typed clients decode them.
		Data struct {
			CustomerID   int64  `json:"customer_id"`
			CustID       int64  `json:"cust_id"`
			EnrollmentID string `json:"enrollment_id"`
			MDN          *int64 `json:"mdn"`
			Invoice      string `json:"invoice_number"`
		}
	}
	if err := json.Unmarshal(r.Data, &lines); err != nil || r.MsgCode != "RESTAPI000" || len(lines) != 2 {
		t.Fatalf("create: %s", r.raw)
	}
	if lines[0].Data.EnrollmentID != e1 || lines[1].Data.EnrollmentID != e2 || lines[0].Data.CustomerID == 0 ||
		lines[0].Data.CustomerID != lines[0].Data.CustID || lines[0].Data.MDN != nil || lines[0].Data.Invoice != "2021-09-1288" {
		t.Errorf("lines: %+v", lines)
	}
	r = b.call(t, "POST", "/customer", r.token(t), body)
	if r.Msg != "Error occurred" || len(r.Errors) == 0 || !strings.Contains(r.Errors[0], "Customer is already created against this enrollment id") {
		t.Fatalf("second create: %s", r.raw)
	}
}

// TestDocumentFailures reproduces each of the vendor document's sample
// failures on the real stack with the same msg and msg_code.
func TestDocumentFailures(t *testing.T) {
	b := newBSS(t, 0)
	plan := func(agent, source string) string {
		return fmt.Sprintf(`{"action":"plan_list","agent_id":%q,"source":%q}`, agent, source)
	}
	tok := b.authenticate(t)
	cases := []struct {
		name, method, path, body string
		msg, code                string
		errors                   []string
	}{
		{"source not allowed", "POST", "/plan", plan("ewebsiteapi", "API"), "Source Not Allowed", "RESTAPI103", []string{"This source not allowed."}},
		{"source blank", "POST", "/plan", plan("ewebsiteapi", " "), "Source Not Allowed", "RESTAPI103", []string{"Source can not be blank."}},
		{"agent blank", "POST", "/plan", plan(" ", "WEBSITE"), "Agent Id should not be blank", "RESTAPI104", []string{"Agent Id should not be blank"}},
		{"invalid agent", "POST", "/plan", plan("nobody", "WEBSITE"), "Invalid Agent Id", "RESTAPI104", []string{"Invalid Agent Id"}},
		{"agent password", "POST", "/plan", plan("guarded", "WEBSITE"), "Invalid Agent ID or Password", "RESTAPI104", []string{"Invalid Agent ID or Password"}},
		{"unauthorized action", "POST", "/enrollment", `{"action":"check_service_availability","zip_code":"98103","enrollment_type":"NON_LIFELINE","agent_id":"planonly","source":"WEBSITE"}`, "Unauthorized Access", "RESTAPI109", []string{"Unauthorized Access"}},
		{"no enrollment id", "POST", "/customer", `{"action":"create_customer_prepaid_multiline","agent_id":"ewebsiteapi","source":"WEBSITE","parent_enrollment_id":"WN1","lines":[{"first_name":"John","last_name":"Doe","email":"j@example.com","service_address_one":"1 Main St","service_city":"SEATTLE","service_state":"wa","service_zip":"98103","plan_id":"1828","activation_type":"NEWACTIVATION","enrollment_type":"SHIPMENT"}]}`, "Error occurred", "RESTAPI110", []string{"Please enter Enrollment Id"}},
		{"several errors", "POST", "/customer", `{"action":"create_customer_prepaid_multiline","agent_id":"ewebsiteapi","source":"WEBSITE","parent_enrollment_id":"WN1","lines":[{"first_name":"John","last_name":"Doe","email":"j@example.com","service_address_one":"1 Main St","service_city":"SEATTLE","service_state":"WA","service_zip":"9810","plan_id":"1828","activation_type":"NEWACTIVATION","enrollment_type":"SHIPMENT"}]}`, "Error occurred", "RESTAPI010", nil},
	}
	for _, c := range cases {
		r := b.call(t, c.method, c.path, tok, c.body)
		if r.Msg != c.msg || r.MsgCode != c.code {
			t.Errorf("%s: got %s", c.name, r.raw)
		}
		if c.errors != nil && strings.Join(r.Errors, "|") != strings.Join(c.errors, "|") {
			t.Errorf("%s: errors %q, want %q", c.name, r.Errors, c.errors)
		}
		if c.code == "RESTAPI010" && len(r.Errors) < 2 {
			t.Errorf("%s: want several errors, got %q", c.name, r.Errors)
		}
		tok = r.token(t) // every response to a valid token carries the next one
	}

	r := b.call(t, "GET", "/customer", "", "")
	if r.Msg != "Invalid Access!!" || r.MsgCode != "RESTAPI001" {
		t.Errorf("GET: %s", r.raw)
	}
	r = b.call(t, "POST", "/plan", "not-a-token", plan("ewebsiteapi", "WEBSITE"))
	if r.Msg != "Invalid Token" || r.MsgCode != "RESTAPI001" {
		t.Errorf("invalid token: %s", r.raw)
	}
	used := tok
	b.call(t, "POST", "/plan", used, plan("ewebsiteapi", "WEBSITE"))
	r = b.call(t, "POST", "/plan", used, plan("ewebsiteapi", "WEBSITE"))
	if r.Msg != "Token already used" || r.MsgCode != "RESTAPI001" {
		t.Errorf("used token: %s", r.raw)
	}
	r = b.call(t, "POST", "/authenticate", "", `{"vendor_id":"ACMEVENDOR","username":"acmeapi","password":"wrong","pin":"1"}`)
	if r.Msg != "Invalid credentials!!" || r.MsgCode != "RESTAPI001" || r.Token == nil || *r.Token != "" {
		t.Errorf("bad credentials: %s", r.raw)
	}
	r = b.call(t, "POST", "/authenticate", "", `{"vendor_id":"ACMEVENDOR"}`)
	if r.Msg != "username and password pin and vendor_id are required" || r.MsgCode != "RESTAPI001" {
		t.Errorf("missing credentials: %s", r.raw)
	}
}

func TestTokenExpires(t *testing.T) {
	b := newBSS(t, time.Second)
	tok := b.authenticate(t)
	time.Sleep(1100 * time.Millisecond)
	r := b.call(t, "POST", "/plan", tok, `{"action":"plan_list","agent_id":"ewebsiteapi","source":"WEBSITE"}`)
	if r.Msg != "Token expire" || r.MsgCode != "RESTAPI001" {
		t.Errorf("expired token: %s", r.raw)
	}
}

// TestOneTokenHundredCalls presents one token in 100 concurrent calls:
// exactly one proceeds, every other is told the token was used.
func TestOneTokenHundredCalls(t *testing.T) {
	b := newBSS(t, 0)
	tok := b.authenticate(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	outcomes := map[string]int{}
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := b.call(t, "POST", "/plan", tok, `{"action":"plan_list","agent_id":"ewebsiteapi","source":"WEBSITE"}`)
			mu.Lock()
			outcomes[r.MsgCode+" "+r.Msg]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if outcomes["RESTAPI000 Success"] != 1 || outcomes["RESTAPI001 Token already used"] != 99 {
		t.Fatalf("outcomes %v", outcomes)
	}
}

// TestSecretsNeverLeak sends canary secrets through every endpoint and
// searches the logs, the responses and the database file for them.
func TestSecretsNeverLeak(t *testing.T) {
	b := newBSS(t, 0)
	const (
		custPassword = "canary-cust-pw-5521"
		portPassword = "canary-port-pw-8830"
		portSSN      = "987654321"
	)
	var responses strings.Builder
	tok := b.authenticate(t)
	e1, tok := b.enrollmentID(t, tok)
	line := fmt.Sprintf(`{"enrollment_id":%q,"password":%q,"first_name":"John","last_name":"Doe","email":"j@example.com",
		"service_address_one":"1 Main St","service_city":"SEATTLE","service_state":"WA","service_zip":"98103","plan_id":"1828",
		"activation_type":"PORTIN","enrollment_type":"SHIPMENT","port_number":"2065550100","port_current_carrier":"TMB",
		"port_first_name":"John","port_last_name":"Doe","port_address_one":"1 Main St","port_city":"SEATTLE","port_state":"WA",
		"port_zip_code":"98103","port_account_number":"456123","port_account_password":%q,"port_ssn":%q}`, e1, custPassword, portPassword, portSSN)
	create := fmt.Sprintf(`{"action":"create_customer_prepaid_multiline","agent_id":"guarded","agent_password":%q,"source":"WEBSITE","parent_enrollment_id":%q,"lines":[%s]}`, agentPassword, e1, line)
	r := b.call(t, "POST", "/customer", tok, create)
	responses.WriteString(r.raw)
	if r.MsgCode != "RESTAPI000" {
		t.Fatalf("create with canaries: %s", r.raw)
	}
	// Failing calls carry the canaries too: a wrong agent password, a bad line.
	bad := strings.Replace(create, `"first_name":"John"`, `"first_name":"J0hn"`, 1)
	for _, body := range []string{bad, strings.Replace(create, agentPassword, agentPassword+"x", 1)} {
		r = b.call(t, "POST", "/customer", r.token(t), body)
		responses.WriteString(r.raw)
	}
	r = b.call(t, "POST", "/authenticate", "", fmt.Sprintf(`{"vendor_id":"ACMEVENDOR","username":"acmeapi","password":%q,"pin":"0"}`, vendorPassword))
	responses.WriteString(r.raw)

	dbBytes, err := os.ReadFile(b.db)
	if err != nil {
		t.Fatal(err)
	}
	wal, _ := os.ReadFile(b.db + "-wal")
	dbBytes = append(dbBytes, wal...)
	for _, c := range []string{vendorPassword, vendorPin, agentPassword, custPassword, portPassword, portSSN} {
		if strings.Contains(b.logs.String(), c) {
			t.Errorf("log holds %q", c)
		}
		if strings.Contains(responses.String(), c) {
			t.Errorf("a response holds %q", c)
		}
		if c != vendorPin && bytes.Contains(dbBytes, []byte(c)) {
			t.Errorf("the database file holds %q in plain text", c)
		}
	}
	if strings.Contains(b.logs.String(), tok) {
		t.Error("log holds a token")
	}
	if !strings.Contains(b.logs.String(), "/customer") {
		t.Error("the request log is missing: the canary search would prove nothing")
	}
}

func addZip(ctx context.Context, e ports.EnrollmentService, org tenant.OrgID) error {
	return e.AddZips(ctx, org, []enrollment.ServiceZip{{Zip: "98103", City: "SEATTLE", State: "WA"}})
}
