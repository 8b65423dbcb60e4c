package bunstore

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

var testBase = time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC)

// testLine returns a valid raw line; a port-in one carries every secret.
func testLine(id string, portIn bool) enrollment.LineInput {
	in := enrollment.LineInput{
		EnrollmentID: id, Password: "cust-secret-1599", FirstName: "Test", LastName: "Tester",
		AlternatePhoneNumber: "1561651651", Email: "test@example.com",
		ServiceAddressOne: "112 N 41ST ST", ServiceCity: "SEATTLE", ServiceState: "WA", ServiceZip: "98103",
		PlanID: "1828", Carrier: "TMB", ActivationType: "NEWACTIVATION", EnrollmentType: "SHIPMENT",
		ActivationLater: "N",
	}
	if portIn {
		in.ActivationType = "PORTIN"
		in.PortNumber, in.PortCurrentCarrier = "2065550100", "VERIZON"
		in.PortFirstName, in.PortLastName = "Test", "Tester"
		in.PortAddressOne, in.PortCity, in.PortState, in.PortZipCode = "1 MAIN ST", "SEATTLE", "WA", "98101"
		in.PortAccountNumber, in.PortAccountPassword, in.PortSSN = "ACC123", "port-pw-secret", "9876"
		in.PIN, in.OrderID, in.IsESIM = "pin-secret-4321", "938", "Y"
	}
	return in
}

func testEnrollment(t *testing.T, parent string, lines ...enrollment.LineInput) ports.NewEnrollment {
	t.Helper()
	req, err := enrollment.Validate(enrollment.RequestInput{
		Action: enrollment.ActionCreate, ParentEnrollmentID: parent, AgentID: "agent", Source: "WEBSITE", Lines: lines,
	}, enrollment.Limits{})
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	e := ports.NewEnrollment{ParentEnrollmentID: req.ParentEnrollmentID(), AgentID: req.AgentID(), Source: req.Source(), CreatedAt: testBase}
	for _, l := range req.Lines() {
		nl := ports.NewLine{Line: l}
		if !l.Customer().Password.IsZero() {
			nl.PasswordHash = "$argon2id$stand-in"
		}
		if l.IsPortIn() {
			nl.SealedPortPassword, nl.SealedPortSSN = []byte{1, 2, 3}, []byte{4, 5, 6}
		}
		if !l.PIN().IsZero() {
			nl.SealedPIN = []byte{7, 8, 9}
		}
		e.Lines = append(e.Lines, nl)
	}
	return e
}

func mustOrg(t *testing.T, s *Store, code string) tenant.OrgID {
	t.Helper()
	o, err := s.CreateOrg(t.Context(), tenant.Organisation{Code: code, Name: code})
	if err != nil {
		t.Fatal(err)
	}
	return o.ID
}

func mustIssue(t *testing.T, s *Store, org tenant.OrgID, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if err := s.IssueEnrollmentID(t.Context(), org, ports.IssuedEnrollmentID{ID: id, Zip: "98103", AgentID: "agent", IssuedAt: testBase}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLineSecretsAtRest checks what no port shows: a line's secrets are
// stored only hashed or sealed, never in the details column, and an absent
// secret is NULL.
func TestLineSecretsAtRest(t *testing.T) {
	for _, d := range dialects {
		d.run(t, func(t *testing.T) {
			s := d.open(t)
			ctx := t.Context()
			org := mustOrg(t, s, "acme")
			mustIssue(t, s, org, "P1", "L2")
			plain := testLine("L2", false)
			plain.Password = ""
			_, recs, err := s.CreateEnrollment(ctx, org, testEnrollment(t, "P1", testLine("P1", true), plain))
			if err != nil {
				t.Fatal(err)
			}
			var rows []struct {
				CustomerID   int64   `bun:"customer_id"`
				Details      string  `bun:"details"`
				PasswordHash *string `bun:"password_hash"`
				PortPassword []byte  `bun:"port_account_password_sealed"`
				PortSSN      []byte  `bun:"port_ssn_sealed"`
				PIN          []byte  `bun:"pin_sealed"`
			}
			err = s.DB().NewRaw(`SELECT customer_id, details, password_hash, port_account_password_sealed, port_ssn_sealed, pin_sealed
				FROM lines ORDER BY customer_id`).Scan(ctx, &rows)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 2 || rows[0].CustomerID != recs[0].CustomerID {
				t.Fatalf("rows %+v", rows)
			}
			port := rows[0]
			if port.PasswordHash == nil || *port.PasswordHash != "$argon2id$stand-in" ||
				!bytes.Equal(port.PortPassword, []byte{1, 2, 3}) || !bytes.Equal(port.PortSSN, []byte{4, 5, 6}) || !bytes.Equal(port.PIN, []byte{7, 8, 9}) {
				t.Fatalf("port-in line secrets stored as %+v", port)
			}
			for _, secret := range []string{"cust-secret-1599", "port-pw-secret", "9876", "pin-secret-4321", enrollment.Redacted} {
				if strings.Contains(port.Details, secret) {
					t.Fatalf("details %s hold %q", port.Details, secret)
				}
			}
			for _, field := range []string{`"port_account_number":"ACC123"`, `"port_city":"SEATTLE"`, `"email":"test@example.com"`, `"service_zip":"98103"`, `"order_id":"938"`, `"is_esim":true`} {
				if !strings.Contains(strings.ReplaceAll(port.Details, " ", ""), field) {
					t.Fatalf("details %s lack %s", port.Details, field)
				}
			}
			if other := rows[1]; other.PasswordHash != nil || other.PortPassword != nil || other.PortSSN != nil || other.PIN != nil {
				t.Fatalf("a line without secrets stored %+v, want NULLs", other)
			}
		})
	}
}

// TestLinesUniqueGuard checks the second guard of one customer per
// enrollment id: with the id's used mark cleared behind the store's back,
// the unique (org, enrollment id) of lines still refuses a second line, as
// the same Conflict, and nothing is written.
func TestLinesUniqueGuard(t *testing.T) {
	for _, d := range dialects {
		d.run(t, func(t *testing.T) {
			s := d.open(t)
			ctx := t.Context()
			org := mustOrg(t, s, "acme")
			mustIssue(t, s, org, "P1", "P2")
			if _, _, err := s.CreateEnrollment(ctx, org, testEnrollment(t, "P1", testLine("P1", false))); err != nil {
				t.Fatal(err)
			}
			if _, err := s.DB().ExecContext(ctx, "UPDATE enrollment_ids SET used_at = NULL"); err != nil {
				t.Fatal(err)
			}
			_, _, err := s.CreateEnrollment(ctx, org, testEnrollment(t, "P2", testLine("P2", false), testLine("P1", false)))
			if fault.CodeOf(err) != fault.Conflict || fault.ReasonOf(err) != enrollment.ReasonEnrollmentIDUsed {
				t.Fatalf("CreateEnrollment = %v, want Conflict %s", err, enrollment.ReasonEnrollmentIDUsed)
			}
			if fe, _ := fault.As(err); fe.Message != enrollment.MsgEnrollmentIDUsed || len(fe.Violations) != 1 || fe.Violations[0].Line != 2 {
				t.Fatalf("error %+v, want the vendor's message and a violation of line 2", fe)
			}
			var n int
			if err := s.DB().NewRaw("SELECT COUNT(*) FROM enrollment_ids WHERE used_at IS NOT NULL").Scan(ctx, &n); err != nil || n != 0 {
				t.Fatalf("%d ids used after the refused request (%v), want 0", n, err)
			}
			if _, err := s.AccountByEnrollmentID(ctx, org, "P2"); fault.CodeOf(err) != fault.NotFound {
				t.Fatalf("account P2 after the refused request: %v", err)
			}
		})
	}
}

// TestCreateEnrollmentRefusals covers what the use case checks before it
// calls CreateEnrollment, which the store refuses too.
func TestCreateEnrollmentRefusals(t *testing.T) {
	for _, d := range dialects {
		d.run(t, func(t *testing.T) {
			s := d.open(t)
			ctx := t.Context()
			org := mustOrg(t, s, "acme")
			mustIssue(t, s, org, "P1")
			for _, tc := range []struct {
				name   string
				org    tenant.OrgID
				e      ports.NewEnrollment
				code   fault.Code
				reason string
			}{
				{"not issued", org, testEnrollment(t, "X1", testLine("X1", false)), fault.NotFound, enrollment.ReasonEnrollmentIDNotIssued},
				{"parent neither line nor account", org, testEnrollment(t, "P9", testLine("P1", false)), fault.NotFound, enrollment.ReasonParentNotFound},
				{"unknown organisation", org + 1000, testEnrollment(t, "P1", testLine("P1", false)), fault.NotFound, tenant.ReasonOrgNotFound},
				{"no lines", org, ports.NewEnrollment{ParentEnrollmentID: "P1"}, fault.Invalid, enrollment.ReasonLinesMissing},
			} {
				_, _, err := s.CreateEnrollment(ctx, tc.org, tc.e)
				if fault.CodeOf(err) != tc.code || fault.ReasonOf(err) != tc.reason {
					t.Errorf("%s: %v, want %s %s", tc.name, err, tc.code, tc.reason)
				}
			}
			if got, err := s.EnrollmentIDs(ctx, org, []string{"P1"}); err != nil || got["P1"].Used {
				t.Fatalf("P1 after refused requests: %+v, %v; want unused", got, err)
			}
		})
	}
}

// TestEnrollmentIDUpperCheck checks the schema keeps enrollment ids
// upper-case whoever writes them, and that IssueEnrollmentID upper-cases.
func TestEnrollmentIDUpperCheck(t *testing.T) {
	for _, d := range dialects {
		d.run(t, func(t *testing.T) {
			s := d.open(t)
			ctx := t.Context()
			org := mustOrg(t, s, "acme")
			_, err := s.DB().ExecContext(ctx, "INSERT INTO enrollment_ids (id, org_id, zip, agent_id, issued_at) VALUES ('ab1', ?, '98103', 'a', ?)", int64(org), s.now())
			if classify(err) != kindCheck {
				t.Fatalf("lower-case id: %v, want a check violation", err)
			}
			mustIssue(t, s, org, "ab2")
			got, err := s.EnrollmentIDs(ctx, org, []string{"AB2"})
			if err != nil || got["AB2"].ID != "AB2" {
				t.Fatalf("EnrollmentIDs(AB2) = %+v, %v", got, err)
			}
		})
	}
}
