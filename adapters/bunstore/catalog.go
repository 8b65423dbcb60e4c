package bunstore

import (
	"context"
	"encoding/json"
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

// The enrollment API's catalogue: vendor credentials, agents, allowed
// sources, the service area, plans and carriers.

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
			args := make([]any, 0, 6*len(chunk))
			for _, z := range chunk {
				args = append(args, int64(org), z.Zip, z.City, z.State, orNull(z.AreaCode), at)
			}
			// DO NOTHING rather than an error, so that RETURNING tells
			// which zips were new and the error can name one that was not.
			var added []string
			err := tx.NewRaw("INSERT INTO service_zips (org_id, zip, city, state, area_code, created_at) VALUES "+
				placeholders(len(chunk), 6)+" ON CONFLICT (org_id, zip) DO NOTHING RETURNING zip", args...).Scan(ctx, &added)
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
		Zip      string `bun:"zip"`
		City     string `bun:"city"`
		State    string `bun:"state"`
		AreaCode string `bun:"area_code"`
	}
	err := s.ro.NewRaw("SELECT zip, city, state, COALESCE(area_code, '') AS area_code FROM service_zips WHERE org_id = ? AND zip = ?", int64(org), zip).Scan(ctx, &z)
	if err != nil {
		if errNoRows(err) {
			return enrollment.ServiceZip{}, notFound("zip " + zip)
		}
		return enrollment.ServiceZip{}, s.dbError(err, "get zip")
	}
	return enrollment.ServiceZip{Zip: z.Zip, City: z.City, State: z.State, AreaCode: z.AreaCode}, nil
}

// planToRow is p as the plans table holds it: money as its exact decimal
// text, lists as JSON arrays.
func planToRow(org tenant.OrgID, p enrollment.Plan, createdAt time.Time) (planRow, error) {
	r := planRow{
		OrgID: int64(org), PlanID: p.ID, Name: p.Name, Price: p.Price.String(), Active: p.Active, CreatedAt: createdAt,
		TotalPrice: p.TotalPrice.String(), Description: p.Description, Code: p.Code,
		DataMB: p.Data.Amount, TalkMinutes: p.Talk.Amount, TextMessages: p.Text.Amount,
		DataUnlimited: p.Data.Unlimited, TalkUnlimited: p.Talk.Unlimited, TextUnlimited: p.Text.Unlimited, Unlimited: p.Unlimited,
		DisplayName: p.DisplayName, DisplayDescription: p.DisplayDescription, DisplayPrice: p.DisplayPrice, DisplaySequence: p.DisplaySequence,
		Billing: p.Billing, EnrollmentType: p.EnrollmentType, Family: p.Family, MaxLines: p.MaxLines,
		AdditionalLinePrice: p.AdditionalLinePrice.String(), ActivationFee: p.ActivationFee.String(),
		ExpiryDays: p.ExpiryDays, ExpiryType: p.ExpiryType, TaxIncluded: p.TaxIncluded, RegulatoryFeeApplicable: p.RegulatoryFeeApplicable,
		OfferType: p.OfferType, AutopayDiscount: p.AutopayDiscount,
	}
	for _, l := range []struct {
		dst *string
		src []string
	}{{&r.Carriers, p.Carriers}, {&r.DisplayFeatures, p.DisplayFeatures}, {&r.DiscountDetails, p.DiscountDetails}, {&r.ZipCodes, p.ZipCodes}} {
		if l.src == nil {
			l.src = []string{} // "[]", not "null"
		}
		js, err := json.Marshal(l.src)
		if err != nil {
			return planRow{}, fault.Wrap(err, "encode plan list")
		}
		*l.dst = string(js)
	}
	return r, nil
}

func planFromRow(r planRow) (enrollment.Plan, error) {
	p := enrollment.Plan{
		ID: r.PlanID, Name: r.Name, Active: r.Active, CreatedAt: r.CreatedAt.UTC(),
		Description: r.Description, Code: r.Code,
		Data:        enrollment.Allowance{Amount: r.DataMB, Unlimited: r.DataUnlimited},
		Talk:        enrollment.Allowance{Amount: r.TalkMinutes, Unlimited: r.TalkUnlimited},
		Text:        enrollment.Allowance{Amount: r.TextMessages, Unlimited: r.TextUnlimited},
		Unlimited:   r.Unlimited,
		DisplayName: r.DisplayName, DisplayDescription: r.DisplayDescription, DisplayPrice: r.DisplayPrice, DisplaySequence: r.DisplaySequence,
		Billing: r.Billing, EnrollmentType: r.EnrollmentType, Family: r.Family, MaxLines: r.MaxLines,
		ExpiryDays: r.ExpiryDays, ExpiryType: r.ExpiryType, TaxIncluded: r.TaxIncluded, RegulatoryFeeApplicable: r.RegulatoryFeeApplicable,
		OfferType: r.OfferType, AutopayDiscount: r.AutopayDiscount,
	}
	for _, m := range []struct {
		dst *enrollment.Money
		src string
	}{{&p.Price, r.Price}, {&p.TotalPrice, r.TotalPrice}, {&p.AdditionalLinePrice, r.AdditionalLinePrice}, {&p.ActivationFee, r.ActivationFee}} {
		v, ok := enrollment.ParseMoney(m.src)
		if !ok {
			return enrollment.Plan{}, fault.Wrap(fmt.Errorf("plan %s holds the bad amount %q", r.PlanID, m.src), "read plan")
		}
		*m.dst = v
	}
	for _, l := range []struct {
		dst *[]string
		src string
	}{{&p.Carriers, r.Carriers}, {&p.DisplayFeatures, r.DisplayFeatures}, {&p.DiscountDetails, r.DiscountDetails}, {&p.ZipCodes, r.ZipCodes}} {
		if err := json.Unmarshal([]byte(l.src), l.dst); err != nil {
			return enrollment.Plan{}, fault.Wrap(fmt.Errorf("plan %s holds a bad list: %w", r.PlanID, err), "read plan")
		}
		if len(*l.dst) == 0 {
			*l.dst = nil
		}
	}
	return p, nil
}

// AddPlan stores p (CreatedAt from the store's clock unless p has one).
// Conflict ALREADY_EXISTS when the id is taken; NotFound ORG_NOT_FOUND when
// org does not exist.
func (s *Store) AddPlan(ctx context.Context, org tenant.OrgID, p enrollment.Plan) error {
	r, err := planToRow(org, p, s.timeOr(p.CreatedAt))
	if err != nil {
		return err
	}
	_, err = s.db.NewInsert().Model(&r).Exec(ctx)
	return s.insertError(err, "plan "+p.ID)
}

// planUpdateColumns are the columns a re-imported plan replaces: all but
// its key and created_at.
var planUpdateColumns = []string{"name", "price", "active", "total_price", "description", "code", "carriers",
	"data_mb", "talk_minutes", "text_messages", "data_unlimited", "talk_unlimited", "text_unlimited", "unlimited",
	"display_name", "display_description", "display_features", "display_price", "display_sequence", "billing",
	"enrollment_type", "family", "max_lines", "additional_line_price", "activation_fee", "expiry_days", "expiry_type",
	"tax_included", "regulatory_fee_applicable", "offer_type", "discount_details", "autopay_discount", "zip_codes"}

// planChunk bounds the rows of one upsert statement (35 columns each).
const planChunk = 200

// SavePlans adds or replaces every plan in one transaction; see
// ports.PlanStore.
func (s *Store) SavePlans(ctx context.Context, org tenant.OrgID, plans []enrollment.Plan) (ports.SavedPlans, error) {
	var saved ports.SavedPlans
	if len(plans) == 0 {
		return saved, nil
	}
	// SQLite would let a later row of one upsert overwrite an earlier one,
	// PostgreSQL refuses the statement: refuse repeats on both, first.
	seen := make(map[string]bool, len(plans))
	for _, p := range plans {
		if seen[p.ID] {
			return saved, fault.Errorf(fault.Conflict, tenant.ReasonDuplicate, "plan %s is repeated", p.ID)
		}
		seen[p.ID] = true
	}
	rows := make([]planRow, len(plans))
	ids := make([]string, len(plans))
	for i, p := range plans {
		r, err := planToRow(org, p, s.timeOr(p.CreatedAt))
		if err != nil {
			return saved, err
		}
		rows[i], ids[i] = r, p.ID
	}
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		existing := 0
		for chunk := range slices.Chunk(ids, zipChunk) {
			var n int
			if err := tx.NewSelect().Model((*planRow)(nil)).Where("org_id = ?", int64(org)).Where("plan_id IN (?)", bun.List(chunk)).
				ColumnExpr("COUNT(*)").Scan(ctx, &n); err != nil {
				return err
			}
			existing += n
		}
		for chunk := range slices.Chunk(rows, planChunk) {
			q := tx.NewInsert().Model(&chunk).On("CONFLICT (org_id, plan_id) DO UPDATE")
			for _, c := range planUpdateColumns {
				q = q.Set(c + " = EXCLUDED." + c)
			}
			if _, err := q.Exec(ctx); err != nil {
				return err
			}
		}
		saved = ports.SavedPlans{Added: len(rows) - existing, Updated: existing}
		return nil
	})
	if err != nil {
		if classify(err) == kindForeignKey {
			return ports.SavedPlans{}, orgNotFound()
		}
		return ports.SavedPlans{}, s.dbError(err, "save plans")
	}
	return saved, nil
}

// Plan returns the plan with id, active or not. NotFound NOT_FOUND.
func (s *Store) Plan(ctx context.Context, org tenant.OrgID, id string) (enrollment.Plan, error) {
	var r planRow
	err := s.ro.NewSelect().Model(&r).Where("org_id = ? AND plan_id = ?", int64(org), id).Scan(ctx)
	if err != nil {
		if errNoRows(err) {
			return enrollment.Plan{}, notFound("plan " + id)
		}
		return enrollment.Plan{}, s.dbError(err, "get plan")
	}
	return planFromRow(r)
}

// ListPlans returns org's plans ordered by id (byte order); only the
// active ones when activeOnly.
func (s *Store) ListPlans(ctx context.Context, org tenant.OrgID, activeOnly bool) ([]enrollment.Plan, error) {
	var rows []planRow
	q := s.db.NewSelect().Model(&rows).Where("org_id = ?", int64(org)).Order("plan_id")
	if activeOnly {
		q = q.Where("active")
	}
	if err := q.Scan(ctx); err != nil && !errNoRows(err) {
		return nil, s.dbError(err, "list plans")
	}
	out := make([]enrollment.Plan, len(rows))
	for i, r := range rows {
		p, err := planFromRow(r)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// seedCarriers adds enrollment.SeedCarriers to org's catalogue on db (a
// transaction of CreateOrg).
func seedCarriers(ctx context.Context, db bun.IDB, org tenant.OrgID, at time.Time) error {
	seed := enrollment.SeedCarriers()
	rows := make([]carrierRow, len(seed))
	for i, c := range seed {
		rows[i] = carrierRow{OrgID: int64(org), Code: c.Code, Name: c.Name, CreatedAt: at}
	}
	_, err := db.NewInsert().Model(&rows).Exec(ctx)
	return err
}

// AddCarrier stores c (CreatedAt from the store's clock unless c has one).
// Conflict ALREADY_EXISTS when the code is taken; NotFound ORG_NOT_FOUND
// when org does not exist.
func (s *Store) AddCarrier(ctx context.Context, org tenant.OrgID, c enrollment.Carrier) error {
	r := carrierRow{OrgID: int64(org), Code: c.Code, Name: c.Name, CreatedAt: s.timeOr(c.CreatedAt)}
	_, err := s.db.NewInsert().Model(&r).Exec(ctx)
	return s.insertError(err, "carrier "+c.Code)
}

func carrierFromRow(r carrierRow) enrollment.Carrier {
	return enrollment.Carrier{Code: r.Code, Name: r.Name, CreatedAt: r.CreatedAt.UTC()}
}

// Carrier returns the carrier with code, matched exactly. NotFound
// NOT_FOUND.
func (s *Store) Carrier(ctx context.Context, org tenant.OrgID, code string) (enrollment.Carrier, error) {
	var r carrierRow
	err := s.ro.NewSelect().Model(&r).Where("org_id = ? AND code = ?", int64(org), code).Scan(ctx)
	if err != nil {
		if errNoRows(err) {
			return enrollment.Carrier{}, notFound("carrier " + code)
		}
		return enrollment.Carrier{}, s.dbError(err, "get carrier")
	}
	return carrierFromRow(r), nil
}

// ListCarriers returns org's carriers ordered by code (byte order).
func (s *Store) ListCarriers(ctx context.Context, org tenant.OrgID) ([]enrollment.Carrier, error) {
	var rows []carrierRow
	if err := s.db.NewSelect().Model(&rows).Where("org_id = ?", int64(org)).Order("code").Scan(ctx); err != nil && !errNoRows(err) {
		return nil, s.dbError(err, "list carriers")
	}
	out := make([]enrollment.Carrier, len(rows))
	for i, r := range rows {
		out[i] = carrierFromRow(r)
	}
	return out, nil
}
