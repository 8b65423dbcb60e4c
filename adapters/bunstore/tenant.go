package bunstore

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// page returns the LIMIT and OFFSET for q.
func page(q ports.Query) (limit, offset int) { return q.Bounds() }

// orgNotFound is returned for a missing organisation, and when a write names
// one that does not exist (a foreign-key violation).
func orgNotFound() error {
	return fault.New(fault.NotFound, tenant.ReasonOrgNotFound, "organisation not found")
}

func orgFromRow(r orgRow) tenant.Organisation {
	o := tenant.Organisation{
		ID:        tenant.OrgID(r.ID),
		Code:      r.Code,
		Name:      r.Name,
		Disabled:  r.Disabled,
		CreatedAt: r.CreatedAt.UTC(),
	}
	// The columns' CHECK constraints admit only values these parse; a
	// value they refuse (a column written by a newer release) falls back
	// to the default rather than failing every request of the organisation.
	if f, err := tenant.ParseIDForm(r.BSSIDs); err == nil {
		o.Settings.BSSIDs = f
	}
	if p, err := tenant.ParsePrograms(r.Programs); err == nil {
		o.Settings.Programs = p
	}
	o.Settings.RequirePayment = r.RequirePayment
	o.Settings.SIMStock = r.SIMStock
	return o
}

// CreateOrg stores o and returns it with ID and CreatedAt set (CreatedAt
// from the store's clock unless o has one). Conflict ALREADY_EXISTS when
// the code is taken.
func (s *Store) CreateOrg(ctx context.Context, o tenant.Organisation) (tenant.Organisation, error) {
	o.CreatedAt = s.timeOr(o.CreatedAt)
	var id int64
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewRaw(
			"INSERT INTO organisations (code, name, disabled, created_at, bss_ids, programs, require_payment, sim_stock) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			o.Code, o.Name, o.Disabled, o.CreatedAt, string(o.Settings.IDs()), o.Settings.Programs.String(), o.Settings.RequirePayment, o.Settings.SIMStock).Scan(ctx, &id); err != nil {
			return err
		}
		return seedCarriers(ctx, tx, tenant.OrgID(id), o.CreatedAt)
	})
	if err != nil {
		if classify(err) == kindUnique {
			return tenant.Organisation{}, fault.Errorf(fault.Conflict, tenant.ReasonDuplicate, "organisation %s already exists", o.Code)
		}
		return tenant.Organisation{}, s.dbError(err, "create organisation")
	}
	o.ID = tenant.OrgID(id)
	return o, nil
}

const orgColumns = "id, code, name, disabled, created_at, bss_ids, programs, require_payment, sim_stock"

// OrgByCode returns the organisation with code. NotFound ORG_NOT_FOUND.
func (s *Store) OrgByCode(ctx context.Context, code string) (tenant.Organisation, error) {
	return s.org(ctx, "SELECT "+orgColumns+" FROM organisations WHERE code = ?", code)
}

// OrgByID returns the organisation with id. NotFound ORG_NOT_FOUND.
func (s *Store) OrgByID(ctx context.Context, id tenant.OrgID) (tenant.Organisation, error) {
	if o, ok := s.auth.org(id); ok {
		return o, nil
	}
	g := s.auth.generation()
	o, err := s.org(ctx, "SELECT "+orgColumns+" FROM organisations WHERE id = ?", int64(id))
	if err == nil {
		s.auth.putOrg(g, o)
	}
	return o, err
}

func (s *Store) org(ctx context.Context, query string, arg any) (tenant.Organisation, error) {
	var r orgRow
	if err := s.ro.NewRaw(query, arg).Scan(ctx, &r); err != nil {
		if errNoRows(err) {
			return tenant.Organisation{}, orgNotFound()
		}
		return tenant.Organisation{}, s.dbError(err, "get organisation")
	}
	return orgFromRow(r), nil
}

// UpdateOrgSettings stores the settings of the organisation with id.
// NotFound ORG_NOT_FOUND.
func (s *Store) UpdateOrgSettings(ctx context.Context, id tenant.OrgID, st tenant.Settings) error {
	res, err := s.db.NewRaw("UPDATE organisations SET bss_ids = ?, programs = ?, require_payment = ?, sim_stock = ? WHERE id = ?",
		string(st.IDs()), st.Programs.String(), st.RequirePayment, st.SIMStock, int64(id)).Exec(ctx)
	// As RevokeAPIKey: this process must not serve the cached settings
	// until the database's notification arrives.
	s.auth.invalidate()
	if err != nil {
		return s.dbError(err, "update organisation settings")
	}
	if n, err := res.RowsAffected(); err != nil {
		return s.dbError(err, "update organisation settings")
	} else if n == 0 {
		return orgNotFound()
	}
	return nil
}

// ListOrgs returns every organisation ordered by code.
func (s *Store) ListOrgs(ctx context.Context) ([]tenant.Organisation, error) {
	var rows []orgRow
	if err := s.db.NewRaw("SELECT "+orgColumns+" FROM organisations ORDER BY code").Scan(ctx, &rows); err != nil {
		return nil, s.dbError(err, "list organisations")
	}
	out := make([]tenant.Organisation, len(rows))
	for i, r := range rows {
		out[i] = orgFromRow(r)
	}
	return out, nil
}

// CreateAPIKey stores k for org (CreatedAt from the store's clock unless k
// has one). Conflict ALREADY_EXISTS on a duplicate prefix or hash; NotFound
// ORG_NOT_FOUND when org does not exist.
func (s *Store) CreateAPIKey(ctx context.Context, org tenant.OrgID, k tenant.APIKey) error {
	var revoked *time.Time
	if k.RevokedAt != nil {
		t := dbTime(*k.RevokedAt)
		revoked = &t
	}
	_, err := s.db.NewRaw(
		"INSERT INTO api_keys (org_id, prefix, hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?)",
		int64(org), k.Prefix, k.Hash, s.timeOr(k.CreatedAt), revoked).Exec(ctx)
	switch classify(err) {
	case kindUnique:
		// Name only the prefix: the hash identifies a secret.
		return fault.Errorf(fault.Conflict, tenant.ReasonDuplicate, "API key %s already exists", k.Prefix)
	case kindForeignKey:
		return orgNotFound()
	}
	return s.dbError(err, "create API key")
}

func keyFromRow(r apiKeyRow) tenant.APIKey {
	k := tenant.APIKey{Prefix: r.Prefix, Hash: r.Hash, CreatedAt: r.CreatedAt.UTC()}
	if r.RevokedAt != nil {
		t := r.RevokedAt.UTC()
		k.RevokedAt = &t
	}
	return k
}

// APIKeyByHash returns the key whose hash is hash, revoked or not, and its
// organisation. NotFound NOT_FOUND.
func (s *Store) APIKeyByHash(ctx context.Context, hash []byte) (tenant.Organisation, tenant.APIKey, error) {
	if org, k, ok := s.auth.key(hash); ok {
		return org, k, nil
	}
	g := s.auth.generation()
	var r struct {
		apiKeyRow
		joinedOrg
	}
	err := s.ro.NewRaw(`SELECT k.id, k.org_id, k.prefix, k.hash, k.created_at, k.revoked_at,
		`+joinedOrgColumns+`
		FROM api_keys AS k JOIN organisations AS o ON o.id = k.org_id
		WHERE k.hash = ?`, hash).Scan(ctx, &r)
	if err != nil {
		if errNoRows(err) {
			return tenant.Organisation{}, tenant.APIKey{}, fault.New(fault.NotFound, tenant.ReasonNotFound, "API key not found")
		}
		return tenant.Organisation{}, tenant.APIKey{}, s.dbError(err, "get API key")
	}
	org := r.organisation(r.OrgID)
	k := keyFromRow(r.apiKeyRow)
	s.auth.putKey(g, hash, org, k)
	return org, k, nil
}

// ListAPIKeys returns org's keys, newest first.
func (s *Store) ListAPIKeys(ctx context.Context, org tenant.OrgID) ([]tenant.APIKey, error) {
	var rows []apiKeyRow
	err := s.db.NewRaw(`SELECT id, org_id, prefix, hash, created_at, revoked_at FROM api_keys
		WHERE org_id = ? ORDER BY created_at DESC, id DESC`, int64(org)).Scan(ctx, &rows)
	if err != nil {
		return nil, s.dbError(err, "list API keys")
	}
	out := make([]tenant.APIKey, len(rows))
	for i, r := range rows {
		out[i] = keyFromRow(r)
	}
	return out, nil
}

// RevokeAPIKey marks org's key with prefix revoked at at (the store's clock
// when at is zero). NotFound NOT_FOUND when org has no such key; revoking
// twice is not an error and keeps the first time.
func (s *Store) RevokeAPIKey(ctx context.Context, org tenant.OrgID, prefix string, at time.Time) error {
	res, err := s.db.NewRaw(
		"UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE org_id = ? AND prefix = ?",
		s.timeOr(at), int64(org), prefix).Exec(ctx)
	// The database notifies every store, this one included, but this
	// process's next request must not wait for the notification.
	s.auth.invalidate()
	if err != nil {
		return s.dbError(err, "revoke API key")
	}
	if n, err := res.RowsAffected(); err != nil {
		return s.dbError(err, "revoke API key")
	} else if n == 0 {
		return fault.Errorf(fault.NotFound, tenant.ReasonNotFound, "API key %s not found", prefix)
	}
	return nil
}

// codeTable describes one of the per-organisation catalogues that share
// codeRow's shape: customers, hubs and service types.
type codeTable struct {
	table string // SQL table name
	noun  string // for messages: "customer", "hub", "service type"
}

var (
	customersTable    = codeTable{"customers", "customer"}
	hubsTable         = codeTable{"hubs", "hub"}
	serviceTypesTable = codeTable{"service_types", "service type"}
)

func (s *Store) addCode(ctx context.Context, t codeTable, org tenant.OrgID, code, name string, createdAt time.Time) (time.Time, error) {
	createdAt = s.timeOr(createdAt)
	_, err := s.db.NewRaw("INSERT INTO ? (org_id, code, name, created_at) VALUES (?, ?, ?, ?)",
		bun.Ident(t.table), int64(org), code, name, createdAt).Exec(ctx)
	switch classify(err) {
	case kindUnique:
		return time.Time{}, fault.Errorf(fault.Conflict, tenant.ReasonDuplicate, "%s %s already exists", t.noun, code)
	case kindForeignKey:
		return time.Time{}, orgNotFound()
	}
	if err != nil {
		return time.Time{}, s.dbError(err, "add "+t.noun)
	}
	return createdAt, nil
}

func (s *Store) getCode(ctx context.Context, t codeTable, org tenant.OrgID, code string) (codeRow, error) {
	var r codeRow
	err := s.ro.NewRaw("SELECT id, org_id, code, name, created_at FROM ? WHERE org_id = ? AND code = ?",
		bun.Ident(t.table), int64(org), code).Scan(ctx, &r)
	if err != nil {
		if errNoRows(err) {
			return codeRow{}, fault.Errorf(fault.NotFound, tenant.ReasonNotFound, "%s %s not found", t.noun, code)
		}
		return codeRow{}, s.dbError(err, "get "+t.noun)
	}
	r.CreatedAt = r.CreatedAt.UTC()
	return r, nil
}

// likeEscape is the escape character of LIKE patterns. It is not a
// backslash, whose meaning in string literals differs between databases.
const likeEscape = "!"

// containsPattern returns a LIKE pattern matching any text that contains
// search literally.
func containsPattern(search string) string {
	r := strings.NewReplacer(likeEscape, likeEscape+likeEscape, "%", likeEscape+"%", "_", likeEscape+"_")
	return "%" + r.Replace(search) + "%"
}

func (s *Store) listCodes(ctx context.Context, t codeTable, org tenant.OrgID, q ports.Query, search string) ([]codeRow, error) {
	limit, offset := page(q)
	where := "org_id = ?"
	args := []any{bun.Ident(t.table), int64(org)}
	if search != "" {
		// lower() on both sides: SQLite's LIKE folds ASCII only and
		// PostgreSQL's LIKE folds nothing, so fold explicitly.
		where += " AND (lower(code) LIKE lower(?) ESCAPE '" + likeEscape + "' OR lower(name) LIKE lower(?) ESCAPE '" + likeEscape + "')"
		p := containsPattern(search)
		args = append(args, p, p)
	}
	args = append(args, limit, offset)
	var rows []codeRow
	err := s.db.NewRaw("SELECT id, org_id, code, name, created_at FROM ? WHERE "+where+" ORDER BY code LIMIT ? OFFSET ?", args...).Scan(ctx, &rows)
	if err != nil {
		return nil, s.dbError(err, "list "+t.noun+"s")
	}
	for i := range rows {
		rows[i].CreatedAt = rows[i].CreatedAt.UTC()
	}
	return rows, nil
}

// AddCustomer stores c (CreatedAt from the store's clock unless c has one),
// with its UseGlobal flag in the same statement. Conflict ALREADY_EXISTS
// when the code is taken; NotFound ORG_NOT_FOUND when org does not exist.
func (s *Store) AddCustomer(ctx context.Context, org tenant.OrgID, c tenant.Customer) (tenant.Customer, error) {
	at := s.timeOr(c.CreatedAt)
	_, err := s.db.NewRaw("INSERT INTO customers (org_id, code, name, created_at, use_global) VALUES (?, ?, ?, ?, ?)",
		int64(org), c.Code, c.Name, at, c.UseGlobal).Exec(ctx)
	switch classify(err) {
	case kindUnique:
		return tenant.Customer{}, fault.Errorf(fault.Conflict, tenant.ReasonDuplicate, "customer %s already exists", c.Code)
	case kindForeignKey:
		return tenant.Customer{}, orgNotFound()
	}
	if err != nil {
		return tenant.Customer{}, s.dbError(err, "add customer")
	}
	c.CreatedAt = at
	return c, nil
}

// customerRow is a customer with its global-pool flag.
type customerRow struct {
	Code      string    `bun:"code"`
	Name      string    `bun:"name"`
	CreatedAt time.Time `bun:"created_at"`
	UseGlobal bool      `bun:"use_global"`
}

func (r customerRow) customer() tenant.Customer {
	return tenant.Customer{Code: r.Code, Name: r.Name, CreatedAt: r.CreatedAt.UTC(), UseGlobal: r.UseGlobal}
}

// Customer returns the customer with code. NotFound NOT_FOUND.
func (s *Store) Customer(ctx context.Context, org tenant.OrgID, code string) (tenant.Customer, error) {
	var r customerRow
	err := s.ro.NewRaw("SELECT code, name, created_at, use_global FROM customers WHERE org_id = ? AND code = ?", int64(org), code).Scan(ctx, &r)
	if errNoRows(err) {
		return tenant.Customer{}, fault.Errorf(fault.NotFound, tenant.ReasonNotFound, "customer %s not found", code)
	}
	if err != nil {
		return tenant.Customer{}, s.dbError(err, "get customer")
	}
	return r.customer(), nil
}

// SetCustomerUseGlobal sets whether the customer with code draws from the
// organisation's global pool once its own stock is exhausted, and returns
// the customer. NotFound NOT_FOUND.
func (s *Store) SetCustomerUseGlobal(ctx context.Context, org tenant.OrgID, code string, use bool) (tenant.Customer, error) {
	var r customerRow
	err := s.db.NewRaw("UPDATE customers SET use_global = ? WHERE org_id = ? AND code = ? RETURNING code, name, created_at, use_global",
		use, int64(org), code).Scan(ctx, &r)
	if errNoRows(err) {
		return tenant.Customer{}, fault.Errorf(fault.NotFound, tenant.ReasonNotFound, "customer %s not found", code)
	}
	if err != nil {
		return tenant.Customer{}, s.dbError(err, "set customer use_global")
	}
	return r.customer(), nil
}

// ListCustomers returns customers matching q, ordered by code.
func (s *Store) ListCustomers(ctx context.Context, org tenant.OrgID, q ports.CustomerQuery) ([]tenant.Customer, error) {
	rows, err := s.listCodes(ctx, customersTable, org, q.Query, q.Search)
	if err != nil {
		return nil, err
	}
	out := make([]tenant.Customer, len(rows))
	codes := make([]string, len(rows))
	for i, r := range rows {
		out[i] = tenant.Customer{Code: r.Code, Name: r.Name, CreatedAt: r.CreatedAt}
		codes[i] = r.Code
	}
	if len(rows) == 0 {
		return out, nil
	}
	var flagged []string
	err = s.db.NewRaw("SELECT code FROM customers WHERE org_id = ? AND use_global = ? AND code IN (?)", int64(org), true, bun.List(codes)).Scan(ctx, &flagged)
	if err != nil && !errNoRows(err) {
		return nil, s.dbError(err, "list customers")
	}
	for i := range out {
		out[i].UseGlobal = slices.Contains(flagged, out[i].Code)
	}
	return out, nil
}

// AddHub stores h (CreatedAt from the store's clock unless h has one).
// Conflict ALREADY_EXISTS when the code is taken; NotFound ORG_NOT_FOUND
// when org does not exist.
func (s *Store) AddHub(ctx context.Context, org tenant.OrgID, h tenant.Hub) (tenant.Hub, error) {
	at, err := s.addCode(ctx, hubsTable, org, h.Code, h.Name, h.CreatedAt)
	if err != nil {
		return tenant.Hub{}, err
	}
	h.CreatedAt = at
	return h, nil
}

// Hub returns the hub with code. NotFound NOT_FOUND.
func (s *Store) Hub(ctx context.Context, org tenant.OrgID, code string) (tenant.Hub, error) {
	r, err := s.getCode(ctx, hubsTable, org, code)
	if err != nil {
		return tenant.Hub{}, err
	}
	return tenant.Hub{Code: r.Code, Name: r.Name, CreatedAt: r.CreatedAt}, nil
}

// ListHubs returns the hubs ordered by code.
func (s *Store) ListHubs(ctx context.Context, org tenant.OrgID, q ports.Query) ([]tenant.Hub, error) {
	rows, err := s.listCodes(ctx, hubsTable, org, q, "")
	if err != nil {
		return nil, err
	}
	out := make([]tenant.Hub, len(rows))
	for i, r := range rows {
		out[i] = tenant.Hub{Code: r.Code, Name: r.Name, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// AddServiceType stores st (CreatedAt from the store's clock unless st has
// one). Conflict ALREADY_EXISTS when the code is taken; NotFound
// ORG_NOT_FOUND when org does not exist.
func (s *Store) AddServiceType(ctx context.Context, org tenant.OrgID, st tenant.ServiceType) (tenant.ServiceType, error) {
	at, err := s.addCode(ctx, serviceTypesTable, org, st.Code, st.Name, st.CreatedAt)
	if err != nil {
		return tenant.ServiceType{}, err
	}
	st.CreatedAt = at
	return st, nil
}

// ServiceType returns the entry with code. NotFound NOT_FOUND.
func (s *Store) ServiceType(ctx context.Context, org tenant.OrgID, code string) (tenant.ServiceType, error) {
	r, err := s.getCode(ctx, serviceTypesTable, org, code)
	if err != nil {
		return tenant.ServiceType{}, err
	}
	return tenant.ServiceType{Code: r.Code, Name: r.Name, CreatedAt: r.CreatedAt}, nil
}

// ListServiceTypes returns the catalogue ordered by code.
func (s *Store) ListServiceTypes(ctx context.Context, org tenant.OrgID, q ports.Query) ([]tenant.ServiceType, error) {
	rows, err := s.listCodes(ctx, serviceTypesTable, org, q, "")
	if err != nil {
		return nil, err
	}
	out := make([]tenant.ServiceType, len(rows))
	for i, r := range rows {
		out[i] = tenant.ServiceType{Code: r.Code, Name: r.Name, CreatedAt: r.CreatedAt}
	}
	return out, nil
}
