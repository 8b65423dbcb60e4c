package bunstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// Enrollment ids are stored upper-case and compared after upper-casing what
// callers pass, since the API compares them case-insensitively; the
// schema's CHECK keeps any other writer to the same rule.

// IssueEnrollmentID stores id, upper-cased, unused (IssuedAt from the
// store's clock unless id has one). Conflict ALREADY_EXISTS when the id
// exists in any organisation; NotFound ORG_NOT_FOUND when org does not
// exist.
func (s *Store) IssueEnrollmentID(ctx context.Context, org tenant.OrgID, id ports.IssuedEnrollmentID) error {
	up := enrollment.EnrollmentIDKey(id.ID)
	program := id.Program
	if program == "" {
		program = tenant.ProgramNonLifeline
	}
	_, err := s.db.NewRaw(`INSERT INTO enrollment_ids (id, org_id, zip, agent_id, program, issued_at) VALUES (?, ?, ?, ?, ?, ?)`,
		up, int64(org), id.Zip, id.AgentID, string(program), s.timeOr(id.IssuedAt)).Exec(ctx)
	return s.insertError(err, "enrollment id "+up)
}

func issuedFromRow(r enrollmentIDRow) ports.IssuedEnrollmentID {
	return ports.IssuedEnrollmentID{ID: r.ID, Zip: r.Zip, AgentID: r.AgentID, Program: tenant.Program(r.Program), IssuedAt: r.IssuedAt.UTC(), Used: r.UsedAt != nil}
}

// upperIDs returns ids upper-case without repeats: enrollment ids are
// stored upper-case and compare case-insensitively.
func upperIDs(ids []string) []string {
	up := make([]string, len(ids))
	for i, id := range ids {
		up[i] = enrollment.EnrollmentIDKey(id)
	}
	return dedup(up)
}

// EnrollmentIDs returns the ids among ids that were issued to org, keyed by
// their upper-case form, whatever the case of ids; ids never issued to org
// are absent.
func (s *Store) EnrollmentIDs(ctx context.Context, org tenant.OrgID, ids []string) (map[string]ports.IssuedEnrollmentID, error) {
	up := upperIDs(ids)
	out := make(map[string]ports.IssuedEnrollmentID, len(up))
	if len(up) == 0 {
		return out, nil
	}
	var rows []enrollmentIDRow
	err := s.ro.NewRaw("SELECT id, org_id, zip, agent_id, program, issued_at, used_at FROM enrollment_ids WHERE org_id = ? AND id IN (?)",
		int64(org), bun.List(up)).Scan(ctx, &rows)
	if err != nil && !errNoRows(err) {
		return nil, s.dbError(err, "get enrollment ids")
	}
	for _, r := range rows {
		out[r.ID] = issuedFromRow(r)
	}
	return out, nil
}

const accountColumns = "id, org_id, parent_enrollment_id, agent_id, source, sub_source, invoice_number, created_at"

const lineColumns = `customer_id, account_id, enrollment_id, enrollment_type, activation_type, plan_id,
	first_name, last_name, status, invoice_number, activation_later, order_id, created_at`

func accountFromRow(r accountRow) enrollment.Account {
	return enrollment.Account{
		ID:                 r.ID,
		ParentEnrollmentID: r.ParentEnrollmentID,
		AgentID:            r.AgentID,
		Source:             r.Source,
		CreatedAt:          r.CreatedAt.UTC(),
	}
}

func lineFromRow(r lineRow) enrollment.LineRecord {
	return enrollment.LineRecord{
		CustomerID:      r.CustomerID,
		EnrollmentID:    r.EnrollmentID,
		EnrollmentType:  enrollment.EnrollmentType(r.EnrollmentType),
		ActivationType:  enrollment.ActivationType(r.ActivationType),
		PlanID:          r.PlanID,
		FirstName:       r.FirstName,
		LastName:        r.LastName,
		Status:          enrollment.LineStatus(r.Status),
		InvoiceNumber:   r.InvoiceNumber,
		ActivationLater: r.ActivationLater,
		OrderID:         orZero(r.OrderID),
		CreatedAt:       r.CreatedAt.UTC(),
	}
}

func orZero(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// withLines turns rows into accounts with their lines, read in one query
// and ordered by customer id, which is creation order.
func withLines(ctx context.Context, db bun.IDB, org tenant.OrgID, rows []accountRow) ([]enrollment.Account, error) {
	out := make([]enrollment.Account, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]int64, len(rows))
	at := make(map[int64]int, len(rows))
	for i, r := range rows {
		out[i] = accountFromRow(r)
		ids[i] = r.ID
		at[r.ID] = i
	}
	var lines []lineRow
	err := db.NewRaw("SELECT "+lineColumns+" FROM lines WHERE org_id = ? AND account_id IN (?) ORDER BY customer_id",
		int64(org), bun.List(ids)).Scan(ctx, &lines)
	if err != nil && !errNoRows(err) {
		return nil, err
	}
	for _, l := range lines {
		i := at[l.AccountID]
		out[i].Lines = append(out[i].Lines, lineFromRow(l))
	}
	return out, nil
}

// AccountByEnrollmentID returns the account whose parent enrollment id is
// id (in any case), with its lines. NotFound NOT_FOUND.
func (s *Store) AccountByEnrollmentID(ctx context.Context, org tenant.OrgID, id string) (enrollment.Account, error) {
	up := enrollment.EnrollmentIDKey(id)
	var out []enrollment.Account
	err := s.db.RunInTx(ctx, s.readTx(), func(ctx context.Context, tx bun.Tx) error {
		var rows []accountRow
		err := tx.NewRaw("SELECT "+accountColumns+" FROM accounts WHERE org_id = ? AND parent_enrollment_id = ?",
			int64(org), up).Scan(ctx, &rows)
		if err != nil && !errNoRows(err) {
			return err
		}
		out, err = withLines(ctx, tx, org, rows)
		return err
	})
	if err != nil {
		return enrollment.Account{}, s.dbError(err, "get account")
	}
	if len(out) == 0 {
		return enrollment.Account{}, notFound("account " + up)
	}
	return out[0], nil
}

// LinesByEnrollmentID returns org's lines whose enrollment ids are among
// ids (any case), keyed by upper-case enrollment id; ids without a line are
// absent.
func (s *Store) LinesByEnrollmentID(ctx context.Context, org tenant.OrgID, ids []string) (map[string]enrollment.LineRecord, error) {
	up := upperIDs(ids)
	out := make(map[string]enrollment.LineRecord, len(up))
	if len(up) == 0 {
		return out, nil
	}
	var rows []lineRow
	err := s.ro.NewRaw("SELECT "+lineColumns+" FROM lines WHERE org_id = ? AND enrollment_id IN (?)", int64(org), bun.List(up)).Scan(ctx, &rows)
	if err != nil && !errNoRows(err) {
		return nil, s.dbError(err, "get lines")
	}
	for _, r := range rows {
		out[r.EnrollmentID] = lineFromRow(r)
	}
	return out, nil
}

// ListAccounts returns org's accounts with their lines, newest first, paged
// by q.
func (s *Store) ListAccounts(ctx context.Context, org tenant.OrgID, q ports.Query) ([]enrollment.Account, error) {
	limit, offset := page(q)
	var out []enrollment.Account
	err := s.db.RunInTx(ctx, s.readTx(), func(ctx context.Context, tx bun.Tx) error {
		var rows []accountRow
		err := tx.NewRaw("SELECT "+accountColumns+" FROM accounts WHERE org_id = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
			int64(org), limit, offset).Scan(ctx, &rows)
		if err != nil && !errNoRows(err) {
			return err
		}
		out, err = withLines(ctx, tx, org, rows)
		return err
	})
	if err != nil {
		return nil, s.dbError(err, "list accounts")
	}
	return out, nil
}

// lineDetails is a line's details column: every field that has no column of
// its own and is not a secret, under the vendor's JSON names. The secrets
// (the customer password, the port-out account password and SSN) are left
// out by construction; they are stored hashed or sealed in columns of their
// own.
type lineDetails struct {
	MiddleInitial        string `json:"middle_initial,omitempty"`
	Email                string `json:"email,omitempty"`
	AlternatePhoneNumber string `json:"alternate_phone_number,omitempty"`

	ServiceAddressOne string `json:"service_address_one,omitempty"`
	ServiceAddressTwo string `json:"service_address_two,omitempty"`
	ServiceCity       string `json:"service_city,omitempty"`
	ServiceState      string `json:"service_state,omitempty"`
	ServiceZip        string `json:"service_zip,omitempty"`

	BillingAddressOne string `json:"billing_address_one,omitempty"`
	BillingAddressTwo string `json:"billing_address_two,omitempty"`
	BillingCity       string `json:"billing_city,omitempty"`
	BillingState      string `json:"billing_state,omitempty"`
	BillingZip        string `json:"billing_zip,omitempty"`

	NotifyBillViaText  bool `json:"notify_bill_via_text,omitempty"`
	NotifyBillViaEmail bool `json:"notify_bill_via_email,omitempty"`

	PhoneType        string `json:"phone_type,omitempty"`
	DeviceType       string `json:"device_type,omitempty"`
	UICCID           string `json:"uiccid,omitempty"`
	ESN              string `json:"esn,omitempty"`
	Carrier          string `json:"carrier,omitempty"`
	ModelID          string `json:"model_id,omitempty"`
	DeviceID         string `json:"device_id,omitempty"`
	PartNumber       string `json:"part_number,omitempty"`
	EquipmentID      string `json:"equipment_id,omitempty"`
	EquipmentChildID string `json:"equipment_child_id,omitempty"`
	BrandCode        string `json:"brand_code,omitempty"`
	SKUType          string `json:"sku_type,omitempty"`

	HandoverType string `json:"handover_type,omitempty"`

	PortNumber         string `json:"port_number,omitempty"`
	PortCurrentCarrier string `json:"port_current_carrier,omitempty"`
	PortFirstName      string `json:"port_first_name,omitempty"`
	PortLastName       string `json:"port_last_name,omitempty"`
	PortAddressOne     string `json:"port_address_one,omitempty"`
	PortAddressTwo     string `json:"port_address_two,omitempty"`
	PortCity           string `json:"port_city,omitempty"`
	PortState          string `json:"port_state,omitempty"`
	PortZipCode        string `json:"port_zip_code,omitempty"`
	PortAccountNumber  string `json:"port_account_number,omitempty"`

	CouponCode          string `json:"coupon_code,omitempty"`
	CouponTransactionID string `json:"coupon_transaction_id,omitempty"`

	OrderID            string `json:"order_id,omitempty"`
	SIM                string `json:"sim,omitempty"`
	IsESIM             bool   `json:"is_esim,omitempty"`
	ChildInvoiceNumber string `json:"child_invoice_number,omitempty"`
	AdvanceMonths      int    `json:"no_of_advance_month,omitempty"`
}

// detailsOf returns the details column of l, as JSON text.
func detailsOf(l enrollment.Line) (string, error) {
	c, sa, ba, d, p := l.Customer(), l.ServiceAddress(), l.BillingAddress(), l.Device(), l.Port()
	js, err := json.Marshal(lineDetails{
		MiddleInitial:        c.MiddleInitial,
		Email:                c.Email,
		AlternatePhoneNumber: c.AlternatePhoneNumber,
		ServiceAddressOne:    sa.One,
		ServiceAddressTwo:    sa.Two,
		ServiceCity:          sa.City,
		ServiceState:         sa.State,
		ServiceZip:           sa.Zip,
		BillingAddressOne:    ba.One,
		BillingAddressTwo:    ba.Two,
		BillingCity:          ba.City,
		BillingState:         ba.State,
		BillingZip:           ba.Zip,
		NotifyBillViaText:    l.NotifyBillViaText(),
		NotifyBillViaEmail:   l.NotifyBillViaEmail(),
		PhoneType:            string(d.PhoneType),
		DeviceType:           string(d.DeviceType),
		UICCID:               d.UICCID,
		ESN:                  d.ESN,
		Carrier:              d.Carrier,
		ModelID:              d.ModelID,
		DeviceID:             d.DeviceID,
		PartNumber:           d.PartNumber,
		EquipmentID:          d.EquipmentID,
		EquipmentChildID:     d.EquipmentChildID,
		BrandCode:            string(d.BrandCode),
		SKUType:              string(d.SKUType),
		HandoverType:         string(l.HandoverType()),
		PortNumber:           p.Number,
		PortCurrentCarrier:   p.CurrentCarrier,
		PortFirstName:        p.FirstName,
		PortLastName:         p.LastName,
		PortAddressOne:       p.Address.One,
		PortAddressTwo:       p.Address.Two,
		PortCity:             p.Address.City,
		PortState:            p.Address.State,
		PortZipCode:          p.Address.Zip,
		PortAccountNumber:    p.AccountNumber,
		CouponCode:           l.CouponCode(),
		CouponTransactionID:  l.CouponTransactionID(),
		OrderID:              l.OrderID(),
		SIM:                  l.SIM(),
		IsESIM:               l.IsESIM(),
		ChildInvoiceNumber:   l.ChildInvoiceNumber(),
		AdvanceMonths:        l.AdvanceMonths(),
	})
	if err != nil {
		return "", fault.Wrap(err, "encode line details")
	}
	return string(js), nil
}

// orNull returns nil, which the database stores as NULL, for an empty
// value, so that "not sent" is not confused with a stored secret.
func orNull[T string | []byte](v T) any {
	if len(v) == 0 {
		return nil
	}
	return v
}

// enrollmentIDUsed is the domain's Conflict of a line whose enrollment id
// already has a customer.
func enrollmentIDUsed(line, lines int, id string) error {
	return enrollment.EnrollmentIDUsed(line, lines, id)
}

// CreateEnrollment writes e in one transaction, or nothing, in a handful
// of statements whatever the number of lines:
//
//  1. one conditional update claims every line's enrollment id, which only
//     an unused id issued to org passes, so that of concurrent requests
//     naming one id exactly one gets it (on PostgreSQL the losers wait for
//     the winner's row lock, then see the id used); when some id is not
//     claimed, the first in sorted order is reported, as if the ids had
//     been claimed one by one in that order;
//  2. it attaches the lines to the account whose parent enrollment id is
//     e.ParentEnrollmentID, or opens that account when a line carries the
//     id and no account has it;
//  3. one insert stores the lines, each with a unique (org, enrollment id),
//     the second guard of "one customer per id";
//  4. every line with activation_later N gets its River provisioning job
//     (jobs.go), in the same transaction: no line without its job, no job
//     without its line.
//
// Two requests sharing ids lock them in the order the database scans them,
// the same for both, so they cannot deadlock; should the database still
// break a deadlock, the whole transaction is tried again.
//
// It returns the account with all its lines and the stored lines in request
// order. Conflict ENROLLMENT_ID_ALREADY_USED when an id already has a
// customer (the violation names the line); NotFound ENROLLMENT_ID_NOT_FOUND
// when an id was never issued to org, PARENT_ENROLLMENT_ID_NOT_FOUND when
// the parent is neither a line nor an account, ORG_NOT_FOUND when org does
// not exist; Invalid LINES_NOT_PRESENT when e has no line.
func (s *Store) CreateEnrollment(ctx context.Context, org tenant.OrgID, e ports.NewEnrollment) (enrollment.Account, []enrollment.LineRecord, error) {
	at := s.timeOr(e.CreatedAt)
	in := make([]enrollment.WriteLine, len(e.Lines))
	details := make([]string, len(e.Lines))
	for i, nl := range e.Lines {
		in[i] = enrollment.WriteLine{Line: nl.Line, InvoiceNumber: nl.InvoiceNumber, OrderID: nl.OrderID}
		var err error
		if details[i], err = detailsOf(nl.Line); err != nil {
			return enrollment.Account{}, nil, err
		}
	}
	plan, err := enrollment.PlanWrite(e.ParentEnrollmentID, e.InvoiceNumber, in, at)
	if err != nil {
		return enrollment.Account{}, nil, err
	}
	ids := plan.IDs
	claims := simClaims(e, ids)

	var acct enrollment.Account
	var recs []enrollment.LineRecord
	err = s.inTxRetrying(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		acct, recs, err = s.writeEnrollment(ctx, tx, org, e, plan, details, at, claims)
		return err
	})
	if errors.Is(err, errLineExists) {
		err = s.lineExists(ctx, org, ids)
	}
	if err != nil {
		return enrollment.Account{}, nil, s.dbError(err, "create enrollment")
	}
	return acct, recs, nil
}

// errLineExists reports that inserting the lines met the unique (org,
// enrollment id) of an existing line; which line is read once the
// transaction is over (on PostgreSQL it can run nothing more).
var errLineExists = errors.New("a line of the request already exists")

// writeEnrollment is CreateEnrollment's transaction.
func (s *Store) writeEnrollment(ctx context.Context, tx bun.Tx, org tenant.OrgID, e ports.NewEnrollment,
	plan enrollment.WritePlan, details []string, at time.Time, claims []stockClaim) (enrollment.Account, []enrollment.LineRecord, error) {
	n := len(plan.IDs)
	if err := claimEnrollmentIDs(ctx, tx, org, plan.IDs, plan.ClaimOrder, at); err != nil {
		return enrollment.Account{}, nil, err
	}
	a, created, err := openAccount(ctx, tx, org, e, plan.Parent, plan.ParentLine, at)
	if err != nil {
		return enrollment.Account{}, nil, err
	}
	recs := slices.Clone(plan.Records)
	const lineArgs = 18
	values := make([]string, n)
	args := make([]any, 0, n*lineArgs)
	for i, nl := range e.Lines {
		r := recs[i]
		values[i] = placeholders(1, lineArgs)
		args = append(args, int64(org), a.ID, r.EnrollmentID, string(r.EnrollmentType), string(r.ActivationType), r.PlanID,
			r.FirstName, r.LastName, string(r.Status), r.InvoiceNumber, r.ActivationLater, details[i],
			orNull(nl.PasswordHash), orNull(nl.SealedPortPassword), orNull(nl.SealedPortSSN), orNull(nl.SealedPIN), orderRef(nl.OrderID), at)
	}
	var stored []struct {
		CustomerID   int64  `bun:"customer_id"`
		EnrollmentID string `bun:"enrollment_id"`
	}
	err = tx.NewRaw(`INSERT INTO lines (org_id, account_id, enrollment_id, enrollment_type, activation_type, plan_id,
		first_name, last_name, status, invoice_number, activation_later, details,
		password_hash, port_account_password_sealed, port_ssn_sealed, pin_sealed, order_id, created_at)
		VALUES `+strings.Join(values, ", ")+` RETURNING customer_id, enrollment_id`, args...).Scan(ctx, &stored)
	if classify(err) == kindUnique {
		return enrollment.Account{}, nil, errLineExists
	}
	if err != nil {
		return enrollment.Account{}, nil, err
	}
	// The ids are distinct (claiming them proved it), so each row returned
	// is known by its id, whatever the order the database returned them in.
	customer := make(map[string]int64, len(stored))
	for _, st := range stored {
		customer[st.EnrollmentID] = st.CustomerID
	}
	var queued []int64
	for i := range recs {
		id, ok := customer[recs[i].EnrollmentID]
		if !ok || len(stored) != n {
			return enrollment.Account{}, nil, fault.Wrap(fmt.Errorf("%d lines inserted, %d returned", n, len(stored)), "create enrollment")
		}
		recs[i].CustomerID = id
		if plan.Queued(i) {
			queued = append(queued, id)
		}
	}
	if err := s.stage("lines"); err != nil {
		return enrollment.Account{}, nil, err
	}
	if err := s.enqueueTx(ctx, tx, org, queued); err != nil {
		return enrollment.Account{}, nil, err
	}
	if err := s.stage("jobs"); err != nil {
		return enrollment.Account{}, nil, err
	}
	// The SIMs are consumed last: consuming locks their series' row until
	// the commit, and every enrollment naming a SIM of that series waits
	// for it, so the lock is held for as few statements as possible. A SIM
	// refused undoes the lines written before it.
	if err := s.consumeSIMs(ctx, tx, org, claims, n); err != nil {
		return enrollment.Account{}, nil, err
	}
	if created {
		// A new account has exactly the lines just stored.
		acct := accountFromRow(a)
		for _, r := range recs {
			acct.Lines = append(acct.Lines, lineRecordListed(r))
		}
		return acct, recs, nil
	}
	accts, err := withLines(ctx, tx, org, []accountRow{a})
	if err != nil {
		return enrollment.Account{}, nil, err
	}
	return accts[0], recs, nil
}

// lineRecordListed returns r as withLines reads it back: the listed fields
// only, times as the database keeps them.
func lineRecordListed(r enrollment.LineRecord) enrollment.LineRecord {
	return enrollment.LineRecord{
		CustomerID:      r.CustomerID,
		EnrollmentID:    r.EnrollmentID,
		EnrollmentType:  r.EnrollmentType,
		ActivationType:  r.ActivationType,
		PlanID:          r.PlanID,
		FirstName:       r.FirstName,
		LastName:        r.LastName,
		Status:          r.Status,
		InvoiceNumber:   r.InvoiceNumber,
		ActivationLater: r.ActivationLater,
		OrderID:         r.OrderID,
		CreatedAt:       r.CreatedAt,
	}
}

// orderRef is a line's order_id column: NULL for none.
func orderRef(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// lineExists returns the Conflict of the first of ids (in request order)
// that already has a line in org.
func (s *Store) lineExists(ctx context.Context, org tenant.OrgID, ids []string) error {
	var have []string
	err := s.db.NewRaw("SELECT enrollment_id FROM lines WHERE org_id = ? AND enrollment_id IN (?)", int64(org), bun.List(dedup(ids))).Scan(ctx, &have)
	if err != nil && !errNoRows(err) {
		return err
	}
	for i, id := range ids {
		if slices.Contains(have, id) {
			return enrollmentIDUsed(i+1, len(ids), id)
		}
	}
	// Gone again since: still, the request met an existing line.
	return &fault.Error{Code: fault.Conflict, Reason: enrollment.ReasonEnrollmentIDUsed, Message: enrollment.MsgEnrollmentIDUsed, Err: errLineExists}
}

// claimEnrollmentIDs marks ids, the enrollment ids of the lines, used at
// at, when each is an unused id issued to org, with one update whose WHERE
// clause is the check, so that no reader can slip in between. When some
// line's id is not claimed, it reports the first such line in order
// (sorted ids), a repeated id on its second line.
func claimEnrollmentIDs(ctx context.Context, tx bun.Tx, org tenant.OrgID, ids []string, order []int, at time.Time) error {
	var claimed []string
	err := tx.NewRaw("UPDATE enrollment_ids SET used_at = ? WHERE org_id = ? AND id IN (?) AND used_at IS NULL RETURNING id",
		at, int64(org), bun.List(dedup(slices.Clone(ids)))).Scan(ctx, &claimed)
	if err != nil && !errNoRows(err) {
		return err
	}
	if len(claimed) == len(ids) {
		return nil
	}
	got := make(map[string]bool, len(claimed))
	for _, id := range claimed {
		got[id] = true
	}
	for _, i := range order {
		if got[ids[i]] {
			delete(got, ids[i]) // a second line with the id finds it used
			continue
		}
		return unclaimedError(ctx, tx, org, ids[i], i+1, len(ids))
	}
	return nil
}

// unclaimedError tells why id, the enrollment id of line (1-based) of
// lines, could not be claimed: it is used, or it was never issued to org.
func unclaimedError(ctx context.Context, tx bun.Tx, org tenant.OrgID, id string, line, lines int) error {
	var r enrollmentIDRow
	err := tx.NewRaw("SELECT id, org_id, zip, agent_id, program, issued_at, used_at FROM enrollment_ids WHERE org_id = ? AND id = ?",
		int64(org), id).Scan(ctx, &r)
	switch {
	case err == nil:
		return enrollmentIDUsed(line, lines, id)
	case !errNoRows(err):
		return err
	}
	var orgs int
	if err := tx.NewRaw("SELECT COUNT(*) FROM organisations WHERE id = ?", int64(org)).Scan(ctx, &orgs); err != nil {
		return err
	}
	if orgs == 0 {
		return orgNotFound()
	}
	return enrollment.EnrollmentIDNotIssued(id)
}

// openAccount returns the account of org whose parent enrollment id is
// parent, creating it (created) when there is none and line parentLine
// (0-based, -1 for none) of e carries parent.
func openAccount(ctx context.Context, tx bun.Tx, org tenant.OrgID, e ports.NewEnrollment, parent string, parentLine int, at time.Time) (a accountRow, created bool, err error) {
	err = tx.NewRaw("SELECT "+accountColumns+" FROM accounts WHERE org_id = ? AND parent_enrollment_id = ?",
		int64(org), parent).Scan(ctx, &a)
	switch {
	case err == nil:
		return a, false, nil
	case !errNoRows(err):
		return accountRow{}, false, err
	case parentLine < 0:
		return accountRow{}, false, enrollment.ParentMissing(parent)
	}
	err = tx.NewRaw(`INSERT INTO accounts (org_id, parent_enrollment_id, agent_id, source, sub_source, invoice_number, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING `+accountColumns,
		int64(org), parent, e.AgentID, e.Source, e.SubSource, e.InvoiceNumber, at).Scan(ctx, &a)
	if classify(err) == kindUnique {
		// Unreachable while the parent line's id is claimed above, but
		// the constraint, not this code, is the guarantee.
		return accountRow{}, false, enrollmentIDUsed(parentLine+1, len(e.Lines), parent)
	}
	return a, err == nil, err
}
