package bunstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/uptrace/bun"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
)

// The enrollment API's catalogue: vendor credentials, agents, allowed
// sources, the service area and plans.

// insertError translates the error of a statement that adds thing (for
// example "vendor V1") to an organisation: a unique violation is Conflict
// ALREADY_EXISTS naming it, a foreign-key violation an unknown organisation.
func (s *Store) insertError(err error, thing string) error {
	switch classify(err) {
	case kindUnique:
		return fault.Errorf(fault.Conflict, tenant.ReasonDuplicate, "%s already exists", thing)
	case kindForeignKey:
		return orgNotFound()
	}
	return s.dbError(err, "add "+thing)
}

// notFound is the NotFound NOT_FOUND error for thing.
func notFound(thing string) error {
	return fault.Errorf(fault.NotFound, tenant.ReasonNotFound, "%s not found", thing)
}

// placeholders returns n comma-separated groups of width "?" each, the
// VALUES list of a multi-row insert.
func placeholders(n, width int) string {
	group := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(group+", ", n), ", ")
}

// AddVendor stores v (CreatedAt from the store's clock unless v has one).
// Conflict ALREADY_EXISTS when vendor_id is taken in any organisation;
// NotFound ORG_NOT_FOUND when org does not exist.
func (s *Store) AddVendor(ctx context.Context, org tenant.OrgID, v enrollment.Vendor) error {
	_, err := s.db.NewRaw(`INSERT INTO vendors (vendor_id, org_id, username, password_hash, pin_hash, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`,
		v.VendorID, int64(org), v.Username, v.PasswordHash, v.PinHash, s.timeOr(v.CreatedAt)).Exec(ctx)
	return s.insertError(err, "vendor "+v.VendorID)
}

// VendorByID returns the vendor with vendorID (exact match) and its
// organisation. NotFound NOT_FOUND.
func (s *Store) VendorByID(ctx context.Context, vendorID string) (tenant.Organisation, enrollment.Vendor, error) {
	var r struct {
		vendorRow
		joinedOrg
	}
	err := s.ro.NewRaw(`SELECT v.vendor_id, v.org_id, v.username, v.password_hash, v.pin_hash, v.created_at,
		`+joinedOrgColumns+`
		FROM vendors AS v JOIN organisations AS o ON o.id = v.org_id
		WHERE v.vendor_id = ?`, vendorID).Scan(ctx, &r)
	if err != nil {
		if errNoRows(err) {
			return tenant.Organisation{}, enrollment.Vendor{}, notFound("vendor " + vendorID)
		}
		return tenant.Organisation{}, enrollment.Vendor{}, s.dbError(err, "get vendor")
	}
	org := r.organisation(r.OrgID)
	return org, enrollment.Vendor{
		VendorID:     r.VendorID,
		Username:     r.Username,
		PasswordHash: r.PasswordHash,
		PinHash:      r.PinHash,
		CreatedAt:    r.CreatedAt.UTC(),
	}, nil
}

// AddAgent stores a (CreatedAt from the store's clock unless a has one).
// Conflict ALREADY_EXISTS when the id is taken; NotFound ORG_NOT_FOUND when
// org does not exist.
func (s *Store) AddAgent(ctx context.Context, org tenant.OrgID, a enrollment.Agent) error {
	actions := a.Actions
	if actions == nil {
		actions = []string{} // "[]", not "null"
	}
	js, err := json.Marshal(actions)
	if err != nil {
		return fault.Wrap(err, "encode agent actions")
	}
	_, err = s.db.NewRaw(`INSERT INTO agents (org_id, id, password_hash, actions, created_at) VALUES (?, ?, ?, ?, ?)`,
		int64(org), a.ID, a.PasswordHash, string(js), s.timeOr(a.CreatedAt)).Exec(ctx)
	return s.insertError(err, "agent "+a.ID)
}

func agentFromRow(r agentRow) (enrollment.Agent, error) {
	a := enrollment.Agent{ID: r.ID, PasswordHash: r.PasswordHash, CreatedAt: r.CreatedAt.UTC()}
	if err := json.Unmarshal([]byte(r.Actions), &a.Actions); err != nil {
		return enrollment.Agent{}, fault.Wrap(fmt.Errorf("agent %s holds bad actions: %w", r.ID, err), "read agent")
	}
	if len(a.Actions) == 0 {
		a.Actions = nil // every action, as the empty list means
	}
	return a, nil
}

const agentColumns = "org_id, id, password_hash, actions, created_at"

// Agent returns the agent with id, matched exactly. NotFound NOT_FOUND.
func (s *Store) Agent(ctx context.Context, org tenant.OrgID, id string) (enrollment.Agent, error) {
	var r agentRow
	err := s.ro.NewRaw("SELECT "+agentColumns+" FROM agents WHERE org_id = ? AND id = ?", int64(org), id).Scan(ctx, &r)
	if err != nil {
		if errNoRows(err) {
			return enrollment.Agent{}, notFound("agent " + id)
		}
		return enrollment.Agent{}, s.dbError(err, "get agent")
	}
	return agentFromRow(r)
}

// ListAgents returns org's agents ordered by id (byte order).
func (s *Store) ListAgents(ctx context.Context, org tenant.OrgID) ([]enrollment.Agent, error) {
	var rows []agentRow
	err := s.db.NewRaw("SELECT "+agentColumns+" FROM agents WHERE org_id = ? ORDER BY id", int64(org)).Scan(ctx, &rows)
	if err != nil && !errNoRows(err) {
		return nil, s.dbError(err, "list agents")
	}
	out := make([]enrollment.Agent, len(rows))
	for i, r := range rows {
		if out[i], err = agentFromRow(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AllowSources adds sources to org's allowed set in one statement; allowing
// one twice is not an error. NotFound ORG_NOT_FOUND when org does not exist.
func (s *Store) AllowSources(ctx context.Context, org tenant.OrgID, sources []string) error {
	sources = dedup(sources)
	if len(sources) == 0 {
		return nil
	}
	args := make([]any, 0, 2*len(sources))
	for _, src := range sources {
		args = append(args, int64(org), src)
	}
	_, err := s.db.NewRaw("INSERT INTO allowed_sources (org_id, source) VALUES "+placeholders(len(sources), 2)+
		" ON CONFLICT (org_id, source) DO NOTHING", args...).Exec(ctx)
	if classify(err) == kindForeignKey {
		return orgNotFound()
	}
	return s.dbError(err, "allow sources")
}

// AllowedSources returns org's allowed sources in byte order.
func (s *Store) AllowedSources(ctx context.Context, org tenant.OrgID) ([]string, error) {
	var out []string
	err := s.ro.NewRaw("SELECT source FROM allowed_sources WHERE org_id = ? ORDER BY source", int64(org)).Scan(ctx, &out)
	if err != nil && !errNoRows(err) {
		return nil, s.dbError(err, "list allowed sources")
	}
	return out, nil
}

// zipChunk bounds the rows of one insert statement, whose arguments bun
// renders into the SQL text.
const zipChunk = 500

// AddZips stores every zip or none, in one transaction: Conflict
// ALREADY_EXISTS naming the first zip that is repeated in zips or already
// in org's service area; NotFound ORG_NOT_FOUND when org does not exist.
func (s *Store) AddZips(ctx context.Context, org tenant.OrgID, zips []enrollment.ServiceZip) error {
	seen := make(map[string]bool, len(zips))
	for _, z := range zips {
		if seen[z.Zip] {
			return fault.Errorf(fault.Conflict, tenant.ReasonDuplicate, "zip %s is repeated", z.Zip)
		}
		seen[z.Zip] = true
	}
	if len(zips) == 0 {
		return nil
	}
	at := s.now()
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		for chunk := range slices.Chunk(zips, zipChunk) {
			args := make([]any, 0, 5*len(chunk))
			for _, z := range chunk {
				args = append(args, int64(org), z.Zip, z.City, z.State, at)
			}
			// DO NOTHING rather than an error, so that RETURNING tells
			// which zips were new and the error can name one that was not.
			var added []string
			err := tx.NewRaw("INSERT INTO service_zips (org_id, zip, city, state, created_at) VALUES "+
				placeholders(len(chunk), 5)+" ON CONFLICT (org_id, zip) DO NOTHING RETURNING zip", args...).Scan(ctx, &added)
			if err != nil && !errNoRows(err) {
				return err
			}
			if len(added) == len(chunk) {
				continue
			}
			isNew := make(map[string]bool, len(added))
			for _, z := range added {
				isNew[z] = true
			}
			for _, z := range chunk {
				if !isNew[z.Zip] {
					return fault.Errorf(fault.Conflict, tenant.ReasonDuplicate, "zip %s is already in the service area", z.Zip)
				}
			}
		}
		return nil
	})
	if classify(err) == kindForeignKey {
		return orgNotFound()
	}
	return s.dbError(err, "add zips")
}

// Zip returns the service-area entry of zip. NotFound NOT_FOUND.
func (s *Store) Zip(ctx context.Context, org tenant.OrgID, zip string) (enrollment.ServiceZip, error) {
	var z struct {
		Zip   string `bun:"zip"`
		City  string `bun:"city"`
		State string `bun:"state"`
	}
	err := s.ro.NewRaw("SELECT zip, city, state FROM service_zips WHERE org_id = ? AND zip = ?", int64(org), zip).Scan(ctx, &z)
	if err != nil {
		if errNoRows(err) {
			return enrollment.ServiceZip{}, notFound("zip " + zip)
		}
		return enrollment.ServiceZip{}, s.dbError(err, "get zip")
	}
	return enrollment.ServiceZip{Zip: z.Zip, City: z.City, State: z.State}, nil
}

// AddPlan stores p (CreatedAt from the store's clock unless p has one).
// Conflict ALREADY_EXISTS when the id is taken; NotFound ORG_NOT_FOUND when
// org does not exist.
func (s *Store) AddPlan(ctx context.Context, org tenant.OrgID, p enrollment.Plan) error {
	_, err := s.db.NewRaw(`INSERT INTO plans (org_id, plan_id, name, price, active, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		int64(org), p.ID, p.Name, p.Price, p.Active, s.timeOr(p.CreatedAt)).Exec(ctx)
	return s.insertError(err, "plan "+p.ID)
}

func planFromRow(r planRow) enrollment.Plan {
	return enrollment.Plan{ID: r.PlanID, Name: r.Name, Price: r.Price, Active: r.Active, CreatedAt: r.CreatedAt.UTC()}
}

const planColumns = "org_id, plan_id, name, price, active, created_at"

// Plan returns the plan with id, active or not. NotFound NOT_FOUND.
func (s *Store) Plan(ctx context.Context, org tenant.OrgID, id string) (enrollment.Plan, error) {
	var r planRow
	err := s.ro.NewRaw("SELECT "+planColumns+" FROM plans WHERE org_id = ? AND plan_id = ?", int64(org), id).Scan(ctx, &r)
	if err != nil {
		if errNoRows(err) {
			return enrollment.Plan{}, notFound("plan " + id)
		}
		return enrollment.Plan{}, s.dbError(err, "get plan")
	}
	return planFromRow(r), nil
}

// ListPlans returns org's plans ordered by id (byte order); only the
// active ones when activeOnly.
func (s *Store) ListPlans(ctx context.Context, org tenant.OrgID, activeOnly bool) ([]enrollment.Plan, error) {
	where := "org_id = ?"
	if activeOnly {
		where += " AND active"
	}
	var rows []planRow
	err := s.db.NewRaw("SELECT "+planColumns+" FROM plans WHERE "+where+" ORDER BY plan_id", int64(org)).Scan(ctx, &rows)
	if err != nil && !errNoRows(err) {
		return nil, s.dbError(err, "list plans")
	}
	out := make([]enrollment.Plan, len(rows))
	for i, r := range rows {
		out[i] = planFromRow(r)
	}
	return out, nil
}
