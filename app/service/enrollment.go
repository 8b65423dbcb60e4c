package service

import (
	"context"
	"crypto/subtle"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/allot-io/allot/domain/attempt"
	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/order"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/domain/token"
	"github.com/allot-io/allot/ports"
)

// Enrollment implements ports.EnrollmentService.
type Enrollment struct {
	store ports.EnrollmentServiceStores
	// orders looks up the orders customer lines name; nil when orders are
	// not kept, and then no order_id names an order.
	orders   ports.OrderStore
	clock    ports.Clock
	random   io.Reader
	hasher   ports.PasswordHasher
	sealer   ports.Sealer
	tokenKey []byte
	ttl      time.Duration
	limits   enrollment.Limits
	// dummyHash is verified against when a vendor is unknown, so that a
	// wrong vendor_id costs as much time as a wrong password.
	dummyHash string
	// guard limits guessing vendor credentials and agent passwords
	// (attempt.DefaultVendor*Policy, attempt.DefaultAgent*Policy).
	guard   guard
	metrics ports.Metrics
	// verified caches verified vendor credentials; nil caches nothing.
	verified *verifiedCreds
}

var _ ports.EnrollmentService = (*Enrollment)(nil)

// errNoKey is returned by the calls that need the secret key when the
// server was started without one.
var errNoKey = fault.New(fault.Unavailable, "SECRET_KEY_MISSING", "the enrollment API needs a secret key (ALLOT_SECRET_KEY)")

func (s *Enrollment) randomBytes(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.random, b); err != nil {
		return nil, fault.Wrap(err, "read random")
	}
	return b, nil
}

// Authenticate implements ports.EnrollmentService.
func (s *Enrollment) Authenticate(ctx context.Context, c ports.Credentials) (_ string, err error) {
	defer func() { observeAuth(s.metrics, ports.AuthBSS, err) }()
	c = ports.Credentials{VendorID: strings.TrimSpace(c.VendorID), Username: strings.TrimSpace(c.Username), Password: c.Password, Pin: strings.TrimSpace(c.Pin)}
	if c.VendorID == "" || c.Username == "" || c.Password == "" || c.Pin == "" {
		return "", fault.New(fault.Unauthorized, enrollment.ReasonCredentialsMiss, enrollment.MsgCredentialsMissing)
	}
	if s.tokenKey == nil {
		return "", errNoKey
	}
	// Credentials verified a moment ago, with nothing changed since, need
	// no argon2 (verifiedCreds); every other attempt is limited and hashed.
	cachedOrg, hit, epoch, cacheable := s.verified.lookup(ctx, c)
	if hit {
		return s.issue(ctx, cachedOrg, c.VendorID)
	}
	bad := fault.New(fault.Unauthorized, enrollment.ReasonCredentials, enrollment.MsgInvalidCredentials)
	// An attempt is reserved per vendor id and per client address before
	// anything is checked, so that concurrent guesses get no more checks
	// than sequential ones; a success gives it back.
	t, refused, err := s.guard.reserve(ctx,
		attempt.Limit{Key: attempt.Key(attempt.VendorCredential, c.VendorID), Policy: attempt.DefaultVendorPolicy},
		attempt.Limit{Key: attempt.Key(attempt.VendorAddress, ports.ClientAddress(ctx)), Policy: attempt.DefaultVendorAddressPolicy})
	if err != nil {
		return "", err
	}
	if refused {
		return "", attempt.TooManyError(t.until, t.now)
	}
	defer t.done()
	org, v, err := s.store.VendorByID(ctx, c.VendorID)
	if fault.CodeOf(err) == fault.NotFound {
		_, _ = s.hasher.Verify(s.dummyHash, c.Password)
		return "", bad
	}
	if err != nil {
		return "", err
	}
	userOK := subtle.ConstantTimeCompare([]byte(v.Username), []byte(c.Username)) == 1
	passOK, err := s.hasher.Verify(v.PasswordHash, c.Password)
	if err != nil {
		return "", fault.Wrap(err, "verify vendor password")
	}
	pinOK, err := s.hasher.Verify(v.PinHash, c.Pin)
	if err != nil {
		return "", fault.Wrap(err, "verify vendor pin")
	}
	if !userOK || !passOK || !pinOK {
		return "", bad
	}
	t.succeeded(ctx)
	if org.Disabled {
		return "", orgDisabled(org)
	}
	if cacheable {
		s.verified.put(c, epoch, org.ID)
	}
	return s.issue(ctx, org.ID, v.VendorID)
}

func orgDisabled(org tenant.Organisation) error {
	return fault.Errorf(fault.Forbidden, tenant.ReasonOrgDisabled, "organisation %s is disabled", org.Code)
}

// issue creates, stores and returns a fresh token for vendorID.
func (s *Enrollment) issue(ctx context.Context, org tenant.OrgID, vendorID string) (string, error) {
	b, err := s.randomBytes(token.MinRandomBytes)
	if err != nil {
		return "", err
	}
	raw, err := token.Generate(b)
	if err != nil {
		return "", fault.Wrap(err, "generate token")
	}
	t := token.Issue(token.Digest(s.tokenKey, raw), int64(org), vendorID, s.clock.Now(), s.ttl)
	if err := s.store.SaveToken(ctx, t); err != nil {
		return "", err
	}
	s.metrics.TokenIssued()
	return raw, nil
}

// Consume implements ports.EnrollmentService.
func (s *Enrollment) Consume(ctx context.Context, raw string) (_ ports.Session, err error) {
	defer func() { observeAuth(s.metrics, ports.AuthBSS, err) }()
	if s.tokenKey == nil {
		return ports.Session{}, errNoKey
	}
	raw = strings.TrimSpace(raw)
	if !token.WellFormed(raw) {
		return ports.Session{}, token.InvalidError()
	}
	t, err := s.store.ConsumeToken(ctx, token.Digest(s.tokenKey, raw), s.clock.Now())
	if err != nil {
		return ports.Session{}, err
	}
	s.metrics.TokenConsumed()
	org, err := s.store.OrgByID(ctx, tenant.OrgID(t.OrgID()))
	if err != nil {
		return ports.Session{}, err
	}
	if org.Disabled {
		return ports.Session{}, orgDisabled(org)
	}
	next, err := s.issue(ctx, org.ID, t.VendorID())
	if err != nil {
		return ports.Session{}, err
	}
	return ports.Session{Org: org, VendorID: t.VendorID(), NextToken: next}, nil
}

// checkCall applies the checks every BSS action shares, in the order the
// vendor reports them: source, then agent, then the agent's permission.
func (s *Enrollment) checkCall(ctx context.Context, org tenant.OrgID, cc ports.CallContext) (err error) {
	defer func() { observeAuth(s.metrics, ports.AuthBSS, err) }()
	if strings.TrimSpace(cc.Source) == "" {
		return enrollment.SourceBlankError()
	}
	src, err := enrollment.ParseSource(cc.Source)
	if err != nil {
		return enrollment.SourceNotAllowedError()
	}
	allowed, err := s.store.AllowedSources(ctx, org)
	if err != nil {
		return err
	}
	if !contains(allowed, src) {
		return enrollment.SourceNotAllowedError()
	}
	id, err := enrollment.ParseAgentID(cc.AgentID)
	if err != nil {
		return unauthorized(err)
	}
	agent, err := s.store.Agent(ctx, org, id)
	if fault.CodeOf(err) == fault.NotFound {
		return enrollment.UnknownAgentError()
	}
	if err != nil {
		return err
	}
	if agent.NeedsPassword() {
		if cc.AgentPassword == "" {
			return enrollment.AgentCredentialsError()
		}
		// Reserved before the check, per agent and per client address:
		// each failure otherwise hands back a fresh token, so passwords
		// could be chained without limit.
		t, refused, err := s.guard.reserve(ctx,
			attempt.Limit{Key: attempt.Key(attempt.AgentPassword, strconv.FormatInt(int64(org), 10), id), Policy: attempt.DefaultAgentPolicy},
			attempt.Limit{Key: attempt.Key(attempt.AgentAddress, ports.ClientAddress(ctx)), Policy: attempt.DefaultAgentAddressPolicy})
		if err != nil {
			return err
		}
		if refused {
			return attempt.AgentTooManyError(t.until, t.now)
		}
		defer t.done()
		ok, err := s.hasher.Verify(agent.PasswordHash, cc.AgentPassword)
		if err != nil {
			return fault.Wrap(err, "verify agent password")
		}
		if !ok {
			return enrollment.AgentCredentialsError()
		}
		t.succeeded(ctx)
	}
	if !agent.May(strings.ToLower(strings.TrimSpace(cc.Action))) {
		return enrollment.UnauthorizedActionError()
	}
	return nil
}

// unauthorized turns ParseAgentID's field error into the agent error the
// API reports (RESTAPI104), keeping its reason and message.
func unauthorized(err error) error {
	fe, ok := fault.As(err)
	if !ok {
		return err
	}
	return &fault.Error{Code: fault.Unauthorized, Reason: fe.Reason, Message: fe.Message}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Rules of check_service_availability that have no home in the domain.
const (
	reasonInvalidPlanID = "INVALID_PLAN_ID"
)

// programs returns the programs org runs.
func (s *Enrollment) programs(ctx context.Context, org tenant.OrgID) (tenant.Programs, error) {
	o, err := s.store.OrgByID(ctx, org)
	if err != nil {
		return tenant.Programs{}, err
	}
	return o.Settings.Programs, nil
}

// CheckAvailability implements ports.EnrollmentService.
func (s *Enrollment) CheckAvailability(ctx context.Context, org tenant.OrgID, r ports.AvailabilityRequest) (ports.Availability, error) {
	if err := s.checkCall(ctx, org, r.CallContext); err != nil {
		return ports.Availability{}, err
	}
	runs, err := s.programs(ctx, org)
	if err != nil {
		return ports.Availability{}, err
	}
	var vs fault.Violations
	zip, err := enrollment.ParseZipCode(r.ZipCode)
	addViolations(&vs, err)
	program, err := enrollment.ParseProgram(r.EnrollmentType, runs)
	addViolations(&vs, err)
	issue, err := enrollment.ParseIsEnrollment(r.IsEnrollment)
	addViolations(&vs, err)
	if err := vs.Err(); err != nil {
		return ports.Availability{}, err
	}
	z, err := s.store.Zip(ctx, org, zip)
	if fault.CodeOf(err) == fault.NotFound {
		return ports.Availability{}, enrollment.ZipNotServedError()
	}
	if err != nil {
		return ports.Availability{}, err
	}
	a := ports.Availability{ZipCode: z.Zip, City: z.City, State: z.State, EnrollmentType: string(program)}
	if issue {
		id, err := s.issueEnrollmentID(ctx, org, z.Zip, strings.TrimSpace(r.AgentID), program)
		if err != nil {
			return ports.Availability{}, err
		}
		a.EnrollmentID = id
	}
	return a, nil
}

// issueEnrollmentID draws a random id ("EN" + 8 characters, 40 bits) and
// stores it, drawing again on the rare collision.
func (s *Enrollment) issueEnrollmentID(ctx context.Context, org tenant.OrgID, zip, agent string, program tenant.Program) (string, error) {
	for attempt := 0; attempt < 5; attempt++ {
		b, err := s.randomBytes(enrollment.EnrollmentIDRandomBytes)
		if err != nil {
			return "", err
		}
		id := enrollment.NewEnrollmentID(b)
		err = s.store.IssueEnrollmentID(ctx, org, ports.IssuedEnrollmentID{ID: id, Zip: zip, AgentID: agent, Program: program, IssuedAt: s.clock.Now()})
		if fault.CodeOf(err) == fault.Conflict {
			continue
		}
		return id, err
	}
	return "", fault.New(fault.Internal, "INTERNAL", "could not draw a free enrollment id")
}

// ListPlans implements ports.EnrollmentService.
func (s *Enrollment) ListPlans(ctx context.Context, org tenant.OrgID, r ports.PlanListRequest) ([]enrollment.Plan, error) {
	if err := s.checkCall(ctx, org, r.CallContext); err != nil {
		return nil, err
	}
	// zip_code and enrollment_type are optional here, but checked by the
	// same rules as check_service_availability's when sent.
	var vs fault.Violations
	zip := strings.TrimSpace(r.ZipCode)
	if zip != "" {
		var err error
		zip, err = enrollment.ParseZipCode(zip)
		addViolations(&vs, err)
	}
	program := ""
	if strings.TrimSpace(r.EnrollmentType) != "" {
		runs, err := s.programs(ctx, org)
		if err != nil {
			return nil, err
		}
		prog, err := enrollment.ParseProgram(r.EnrollmentType, runs)
		addViolations(&vs, err)
		program = string(prog)
	}
	planID := strings.TrimSpace(r.PlanID)
	if planID != "" && !enrollment.ValidPlanID(planID) {
		vs.Add(fault.Violation{Field: "plan_id", Rule: enrollment.RulePattern, Reason: reasonInvalidPlanID, Message: "Plan Id should contain only digits"})
	}
	f, err := enrollment.NewPlanFilter(zip, program, planID, r.Carrier, r.IsFamilyPlan)
	addViolations(&vs, err)
	if err := vs.Err(); err != nil {
		return nil, err
	}
	if zip != "" {
		if _, err := s.store.Zip(ctx, org, zip); fault.CodeOf(err) == fault.NotFound {
			return nil, enrollment.ZipNotServedError()
		} else if err != nil {
			return nil, err
		}
	}
	var plans []enrollment.Plan
	if planID == "" {
		if plans, err = s.store.ListPlans(ctx, org, true); err != nil {
			return nil, err
		}
	} else {
		p, err := s.store.Plan(ctx, org, planID)
		if fault.CodeOf(err) == fault.NotFound || (err == nil && !p.Active) {
			return nil, enrollment.PlansNotFoundError()
		}
		if err != nil {
			return nil, err
		}
		plans = []enrollment.Plan{p}
	}
	return enrollment.FilterPlans(plans, f)
}

// CreateCustomer implements ports.EnrollmentService.
func (s *Enrollment) CreateCustomer(ctx context.Context, org tenant.OrgID, in enrollment.RequestInput) ([]ports.CreatedLine, error) {
	cc := ports.CallContext{Action: in.Action, AgentID: in.AgentID, AgentPassword: in.AgentPassword, Source: in.Source}
	if err := s.checkCall(ctx, org, cc); err != nil {
		return nil, err
	}
	req, err := enrollment.Validate(in, s.limits)
	if err != nil {
		return nil, err
	}
	links, err := s.checkReferences(ctx, org, req)
	if err != nil {
		return s.existing(ctx, org, req, err)
	}
	if s.sealer == nil {
		return nil, errNoKey
	}
	lines := req.Lines()
	e := ports.NewEnrollment{
		ParentEnrollmentID: req.ParentEnrollmentID(),
		AgentID:            req.AgentID(),
		Source:             req.Source(),
		SubSource:          req.SubSource(),
		InvoiceNumber:      req.InvoiceNumber(),
		CreatedAt:          s.clock.Now(),
	}
	for i, l := range lines {
		nl := ports.NewLine{Line: l, OrderID: links[i].OrderID, InvoiceNumber: links[i].InvoiceNumber}
		if pw := l.Customer().Password; !pw.IsZero() {
			if nl.PasswordHash, err = s.hasher.Hash(pw.Reveal()); err != nil {
				return nil, fault.Wrap(err, "hash customer password")
			}
		}
		port := l.Port()
		if nl.SealedPortPassword, err = s.seal(port.AccountPassword); err != nil {
			return nil, err
		}
		if nl.SealedPortSSN, err = s.seal(port.SSN); err != nil {
			return nil, err
		}
		if nl.SealedPIN, err = s.seal(l.PIN()); err != nil {
			return nil, err
		}
		e.Lines = append(e.Lines, nl)
	}
	_, recs, err := s.store.CreateEnrollment(ctx, org, e)
	if err != nil {
		return s.existing(ctx, org, req, err)
	}
	observeLines(s.metrics, lines)
	out := make([]ports.CreatedLine, len(recs))
	for i, r := range recs {
		out[i] = createdLine(r)
	}
	return out, nil
}

func createdLine(r enrollment.LineRecord) ports.CreatedLine {
	return ports.CreatedLine{CustomerID: r.CustomerID, EnrollmentID: r.EnrollmentID, EnrollmentType: r.EnrollmentType, InvoiceNumber: r.InvoiceNumber}
}

// existing returns err with, when some of its violations are lines whose
// enrollment id already has a customer, one entry per line of req holding
// those customers (Existing), so that the client recovers their ids.
func (s *Enrollment) existing(ctx context.Context, org tenant.OrgID, req enrollment.Request, err error) ([]ports.CreatedLine, error) {
	fe, ok := fault.As(err)
	if !ok {
		return nil, err
	}
	lines := req.Lines()
	var ids []string
	for _, v := range fe.Violations {
		if v.Reason == enrollment.ReasonEnrollmentIDUsed && v.Line >= 1 && v.Line <= len(lines) {
			ids = append(ids, lines[v.Line-1].EnrollmentID())
		}
	}
	if len(ids) == 0 {
		return nil, err
	}
	found, lerr := s.store.LinesByEnrollmentID(ctx, org, ids)
	if lerr != nil {
		// The refusal stands; only the ids it would have carried are lost.
		return nil, err
	}
	out := make([]ports.CreatedLine, len(lines))
	for i, l := range lines {
		if r, ok := found[l.EnrollmentID()]; ok {
			out[i] = createdLine(r)
			out[i].Existing = true
		}
	}
	return out, err
}

func (s *Enrollment) seal(v enrollment.Secret) ([]byte, error) {
	if v.IsZero() {
		return nil, nil
	}
	b, err := s.sealer.Seal([]byte(v.Reveal()))
	if err != nil {
		return nil, fault.Wrap(err, "seal secret")
	}
	return b, nil
}

// checkReferences reports, all at once, what only the store can tell:
// plans that are not active, carriers not in the organisation's catalogue,
// enrollment ids not issued to the organisation or already used, a parent
// that is neither a line nor an account, and orders that may not pay for
// their lines (order.LinkLines). It returns what each line takes from its
// order.
func (s *Enrollment) checkReferences(ctx context.Context, org tenant.OrgID, req enrollment.Request) ([]order.LineOrder, error) {
	lines := req.Lines()
	ids := make([]string, len(lines))
	for i, l := range lines {
		ids[i] = l.EnrollmentID()
	}
	issued, err := s.store.EnrollmentIDs(ctx, org, ids)
	if err != nil {
		return nil, err
	}
	plans := map[string]bool{}
	carriers := map[string]bool{}
	var vs fault.Violations
	for i, l := range lines {
		n := i + 1
		switch got, ok := issued[l.EnrollmentID()]; {
		case !ok:
			vs.Add(req.EnrollmentIDNotIssued(n))
		case got.Used:
			vs.Add(req.EnrollmentIDUsed(n))
		case got.Program == tenant.ProgramLifeline:
			vs.Add(req.LifelineOutside(n))
		}
		active, seen := plans[l.PlanID()]
		if !seen {
			p, err := s.store.Plan(ctx, org, l.PlanID())
			switch {
			case fault.CodeOf(err) == fault.NotFound:
			case err != nil:
				return nil, err
			default:
				active = p.Active
			}
			plans[l.PlanID()] = active
		}
		if !active {
			vs.Add(req.PlanNotActive(n))
		}
		if code := l.Device().Carrier; code != "" {
			known, seen := carriers[code]
			if !seen {
				_, err := s.store.Carrier(ctx, org, code)
				switch {
				case fault.CodeOf(err) == fault.NotFound:
				case err != nil:
					return nil, err
				default:
					known = true
				}
				carriers[code] = known
			}
			if !known {
				vs.Add(req.CarrierUnknown(n, code))
			}
		}
	}
	if !req.ParentIsNew() {
		_, err := s.store.AccountByEnrollmentID(ctx, org, req.ParentEnrollmentID())
		switch {
		case fault.CodeOf(err) == fault.NotFound:
			vs.Add(req.ParentNotFound())
		case err != nil:
			return nil, err
		}
	}
	links, lvs, err := s.lineOrders(ctx, org, req)
	if err != nil {
		return nil, err
	}
	vs = append(vs, lvs...)
	enrollment.SortViolations(vs)
	return links, vs.Err()
}

// lineOrders looks up the orders the lines of req name and applies
// order.LinkLines with the organisation's require-payment setting.
func (s *Enrollment) lineOrders(ctx context.Context, org tenant.OrgID, req enrollment.Request) ([]order.LineOrder, fault.Violations, error) {
	o, err := s.store.OrgByID(ctx, org)
	if err != nil {
		return nil, nil, err
	}
	found := map[int64]order.Order{}
	for _, id := range order.LineOrderIDs(req) {
		if _, seen := found[id]; seen || id == 0 || s.orders == nil {
			continue
		}
		got, err := s.orders.OrderByID(ctx, org, id)
		switch {
		case fault.CodeOf(err) == fault.NotFound:
		case err != nil:
			return nil, nil, err
		default:
			found[id] = got
		}
	}
	links, vs := order.LinkLines(req, found, o.Settings.RequirePayment)
	return links, vs, nil
}

// generated secret alphabets.
const (
	passwordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
	pinAlphabet      = "0123456789"
)

func (s *Enrollment) generate(alphabet string, n int) (string, error) {
	return randomText(s.random, alphabet, n)
}

// randomText returns n characters of alphabet drawn from random, every
// character equally likely.
func randomText(random io.Reader, alphabet string, n int) (string, error) {
	// Rejection sampling keeps every character equally likely.
	out := make([]byte, 0, n)
	limit := 256 - 256%len(alphabet)
	b := make([]byte, n)
	for len(out) < n {
		if _, err := io.ReadFull(random, b); err != nil {
			return "", fault.Wrap(err, "read random")
		}
		for _, x := range b {
			if int(x) < limit && len(out) < n {
				out = append(out, alphabet[int(x)%len(alphabet)])
			}
		}
	}
	return string(out), nil
}

// AddVendor implements ports.EnrollmentService.
func (s *Enrollment) AddVendor(ctx context.Context, org tenant.OrgID, vendorID, username, password, pin string) (ports.VendorSecrets, error) {
	vendorID, username, pin = strings.TrimSpace(vendorID), strings.TrimSpace(username), strings.TrimSpace(pin)
	if err := enrollment.CheckVendorCredentials(vendorID, username, password, pin); err != nil {
		return ports.VendorSecrets{}, err
	}
	var shown ports.VendorSecrets
	var err error
	if password == "" {
		if password, err = s.generate(passwordAlphabet, 24); err != nil {
			return shown, err
		}
		shown.Password = password
	}
	if pin == "" {
		if pin, err = s.generate(pinAlphabet, 6); err != nil {
			return shown, err
		}
		shown.Pin = pin
	}
	v := enrollment.Vendor{VendorID: vendorID, Username: username, CreatedAt: s.clock.Now()}
	if v.PasswordHash, err = s.hasher.Hash(password); err != nil {
		return ports.VendorSecrets{}, fault.Wrap(err, "hash vendor password")
	}
	if v.PinHash, err = s.hasher.Hash(pin); err != nil {
		return ports.VendorSecrets{}, fault.Wrap(err, "hash vendor pin")
	}
	if err := s.store.AddVendor(ctx, org, v); err != nil {
		return ports.VendorSecrets{}, err
	}
	return shown, nil
}

// AddAgent implements ports.EnrollmentService.
func (s *Enrollment) AddAgent(ctx context.Context, org tenant.OrgID, id, password string, actions []string) (enrollment.Agent, error) {
	id, err := enrollment.ParseAgentID(id)
	if err != nil {
		return enrollment.Agent{}, err
	}
	a := enrollment.Agent{ID: id, CreatedAt: s.clock.Now()}
	for _, x := range actions {
		act, err := enrollment.ParseAction(x)
		if err != nil {
			return enrollment.Agent{}, err
		}
		if !contains(a.Actions, act) {
			a.Actions = append(a.Actions, act)
		}
	}
	if len(password) > 128 {
		return enrollment.Agent{}, fault.InvalidField("password", "max_length", enrollment.ReasonInvalidAgent, "password must be at most 128 characters")
	}
	if password != "" {
		if a.PasswordHash, err = s.hasher.Hash(password); err != nil {
			return enrollment.Agent{}, fault.Wrap(err, "hash agent password")
		}
	}
	if err := s.store.AddAgent(ctx, org, a); err != nil {
		return enrollment.Agent{}, err
	}
	return a, nil
}

// ListAgents implements ports.EnrollmentService.
func (s *Enrollment) ListAgents(ctx context.Context, org tenant.OrgID) ([]enrollment.Agent, error) {
	return s.store.ListAgents(ctx, org)
}

// AddPlan implements ports.EnrollmentService.
func (s *Enrollment) AddPlan(ctx context.Context, org tenant.OrgID, values map[string]enrollment.PlanValue) (enrollment.Plan, error) {
	p, err := enrollment.ParsePlan(values)
	if err != nil {
		return enrollment.Plan{}, err
	}
	if err := s.checkPlanCarriers(ctx, org, []enrollment.PlanRow{{}}, []enrollment.Plan{p}); err != nil {
		return enrollment.Plan{}, err
	}
	p.CreatedAt = s.clock.Now()
	if err := s.store.AddPlan(ctx, org, p); err != nil {
		return enrollment.Plan{}, err
	}
	return p, nil
}

// ImportPlans implements ports.EnrollmentService.
func (s *Enrollment) ImportPlans(ctx context.Context, org tenant.OrgID, rows []enrollment.PlanRow) (ports.SavedPlans, error) {
	plans, err := enrollment.ParsePlanRows(rows)
	if err != nil {
		return ports.SavedPlans{}, err
	}
	if err := s.checkPlanCarriers(ctx, org, rows, plans); err != nil {
		return ports.SavedPlans{}, err
	}
	now := s.clock.Now()
	for i := range plans {
		plans[i].CreatedAt = now
	}
	return s.store.SavePlans(ctx, org, plans)
}

// checkPlanCarriers reports every carrier of plans that is not in the
// organisation's catalogue, each at its row (plans[i] came from rows[i]).
func (s *Enrollment) checkPlanCarriers(ctx context.Context, org tenant.OrgID, rows []enrollment.PlanRow, plans []enrollment.Plan) error {
	known, err := s.store.ListCarriers(ctx, org)
	if err != nil {
		return err
	}
	codes := make([]string, len(known))
	for i, c := range known {
		codes[i] = c.Code
	}
	var vs fault.Violations
	for i, p := range plans {
		vs = append(vs, enrollment.UnknownPlanCarriers(rows[i], p, codes)...)
	}
	return vs.Err()
}

// AddCarrier implements ports.EnrollmentService.
func (s *Enrollment) AddCarrier(ctx context.Context, org tenant.OrgID, code, name string) (enrollment.Carrier, error) {
	c, err := enrollment.NewCarrier(code, name)
	if err != nil {
		return enrollment.Carrier{}, err
	}
	c.CreatedAt = s.clock.Now()
	if err := s.store.AddCarrier(ctx, org, c); err != nil {
		return enrollment.Carrier{}, err
	}
	return c, nil
}

// Carriers implements ports.EnrollmentService.
func (s *Enrollment) Carriers(ctx context.Context, org tenant.OrgID) ([]enrollment.Carrier, error) {
	return s.store.ListCarriers(ctx, org)
}

// Plans implements ports.EnrollmentService.
func (s *Enrollment) Plans(ctx context.Context, org tenant.OrgID) ([]enrollment.Plan, error) {
	return s.store.ListPlans(ctx, org, false)
}

// AddZips implements ports.EnrollmentService.
func (s *Enrollment) AddZips(ctx context.Context, org tenant.OrgID, zips []enrollment.ServiceZip) error {
	if len(zips) == 0 {
		return fault.InvalidField("zips", enrollment.RuleRequired, enrollment.ReasonInvalidZip, "at least one zip is required")
	}
	clean := make([]enrollment.ServiceZip, len(zips))
	for i, z := range zips {
		c, err := enrollment.NewServiceZip(z.Zip, z.City, z.State)
		if err != nil {
			return err
		}
		clean[i] = c
	}
	return s.store.AddZips(ctx, org, clean)
}

// AllowSources implements ports.EnrollmentService.
func (s *Enrollment) AllowSources(ctx context.Context, org tenant.OrgID, sources []string) ([]string, error) {
	if len(sources) == 0 {
		return nil, fault.InvalidField("sources", enrollment.RuleRequired, enrollment.ReasonInvalidSource, "name at least one source: "+strings.Join(enrollment.Sources, ", "))
	}
	clean := make([]string, 0, len(sources))
	for _, x := range sources {
		src, err := enrollment.ParseSource(x)
		if err != nil {
			return nil, err
		}
		clean = append(clean, src)
	}
	if err := s.store.AllowSources(ctx, org, clean); err != nil {
		return nil, err
	}
	return s.store.AllowedSources(ctx, org)
}

// Accounts implements ports.EnrollmentService.
func (s *Enrollment) Accounts(ctx context.Context, org tenant.OrgID, q ports.Query) ([]enrollment.Account, error) {
	if err := checkQuery(q); err != nil {
		return nil, err
	}
	return s.store.ListAccounts(ctx, org, q)
}

// addViolations appends the violations of err, a domain rule's Invalid
// error (nil adds nothing), so that every broken rule is reported at once.
func addViolations(vs *fault.Violations, err error) {
	if fe, ok := fault.As(err); ok {
		*vs = append(*vs, fe.Violations...)
	}
}
