package service

import (
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"strings"

	"github.com/allot-io/allot/domain/attempt"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// Orgs implements ports.OrgService.
type Orgs struct {
	store ports.OrgStore
	clock ports.Clock
}

var _ ports.OrgService = (*Orgs)(nil)

// Create implements ports.OrgService.
func (s *Orgs) Create(ctx context.Context, code, name string) (tenant.Organisation, error) {
	code, err := tenant.ParseCode("code", code)
	if err != nil {
		return tenant.Organisation{}, err
	}
	name, err = tenant.ParseName("name", name, false)
	if err != nil {
		return tenant.Organisation{}, err
	}
	if name == "" {
		name = code
	}
	return s.store.CreateOrg(ctx, tenant.Organisation{Code: code, Name: name})
}

// ByCode implements ports.OrgService.
func (s *Orgs) ByCode(ctx context.Context, code string) (tenant.Organisation, error) {
	return s.store.OrgByCode(ctx, strings.TrimSpace(code))
}

// List implements ports.OrgService.
func (s *Orgs) List(ctx context.Context) ([]tenant.Organisation, error) {
	return s.store.ListOrgs(ctx)
}

// Configure implements ports.OrgService.
func (s *Orgs) Configure(ctx context.Context, code string, changes []ports.SettingChange) (tenant.Organisation, error) {
	o, err := s.store.OrgByCode(ctx, strings.TrimSpace(code))
	if err != nil {
		return tenant.Organisation{}, err
	}
	if len(changes) == 0 {
		return tenant.Organisation{}, fault.InvalidField("settings", "required", tenant.ReasonInvalidSetting, "name at least one setting to change")
	}
	st := o.Settings
	for _, c := range changes {
		if st, err = st.With(c.Name, c.Value); err != nil {
			return tenant.Organisation{}, err
		}
	}
	if err := s.store.UpdateOrgSettings(ctx, o.ID, st); err != nil {
		return tenant.Organisation{}, err
	}
	o.Settings = st
	return o, nil
}

// APIKeys implements ports.APIKeyService.
type APIKeys struct {
	store  ports.APIKeyStore
	clock  ports.Clock
	random io.Reader
}

var _ ports.APIKeyService = (*APIKeys)(nil)

// Create implements ports.APIKeyService.
func (s *APIKeys) Create(ctx context.Context, org tenant.OrgID) (string, tenant.APIKey, error) {
	raw, k, err := tenant.NewAPIKey(s.random)
	if err != nil {
		return "", tenant.APIKey{}, fault.Wrap(err, "new API key")
	}
	k.CreatedAt = s.clock.Now()
	if err := s.store.CreateAPIKey(ctx, org, k); err != nil {
		return "", tenant.APIKey{}, err
	}
	return raw, k, nil
}

// List implements ports.APIKeyService.
func (s *APIKeys) List(ctx context.Context, org tenant.OrgID) ([]tenant.APIKey, error) {
	return s.store.ListAPIKeys(ctx, org)
}

// Revoke implements ports.APIKeyService.
func (s *APIKeys) Revoke(ctx context.Context, org tenant.OrgID, prefix string) error {
	prefix = tenant.APIKeyPrefix(prefix)
	if prefix == "" {
		return fault.InvalidField("prefix", "required", tenant.ReasonInvalidCode, "the key prefix is required")
	}
	return s.store.RevokeAPIKey(ctx, org, prefix, s.clock.Now())
}

// Auth implements ports.AuthService.
type Auth struct {
	store ports.APIKeyStore
	// guard and blocked limit failed keys per key and per client address
	// (attempt.DefaultAPIKeyPolicy, attempt.DefaultAPIKeyAddressPolicy).
	guard   guard
	blocked *blocklist
	metrics ports.Metrics
}

var _ ports.AuthService = (*Auth)(nil)

// The contract's exact messages.
const (
	msgNoAPIKey    = "API key should be present"
	msgWrongAPIKey = "Wrong api key"
)

// APIKey implements ports.AuthService. Failed keys are counted per key
// and per client address, and past the limit every key from that address
// (or that key from anywhere) is refused with Forbidden TOO_MANY_ATTEMPTS
// until the window ends. A valid key costs nothing more: only failures
// touch the counters, and a refused address is known to this process
// without a look-up.
func (s *Auth) APIKey(ctx context.Context, raw string) (_ ports.Principal, err error) {
	defer func() { observeAuth(s.metrics, ports.AuthSeries, err) }()
	raw = strings.TrimSpace(raw)
	if raw == "" || s.blocked == nil {
		return s.apiKey(ctx, raw)
	}
	limits := []attempt.Limit{
		{Key: attempt.Key(attempt.APIKey, raw), Policy: attempt.DefaultAPIKeyPolicy},
		{Key: attempt.Key(attempt.APIKeyAddress, ports.ClientAddress(ctx)), Policy: attempt.DefaultAPIKeyAddressPolicy},
	}
	now := s.guard.clock.Now()
	for _, l := range limits {
		if until, ok := s.blocked.blocked(l.Key, now); ok {
			return ports.Principal{}, attempt.TooManyError(until, now)
		}
	}
	p, err := s.apiKey(ctx, raw)
	if fault.ReasonOf(err) != tenant.ReasonWrongAPIKey {
		return p, err
	}
	until, refused, gerr := s.guard.failed(ctx, s.blocked, limits...)
	if gerr != nil {
		return ports.Principal{}, gerr
	}
	if refused {
		return ports.Principal{}, attempt.TooManyError(until, now)
	}
	return p, err
}

// apiKey resolves raw without the guessing limits.
func (s *Auth) apiKey(ctx context.Context, raw string) (ports.Principal, error) {
	if raw == "" {
		return ports.Principal{}, fault.New(fault.Unauthorized, tenant.ReasonNoAPIKey, msgNoAPIKey)
	}
	wrong := fault.New(fault.Unauthorized, tenant.ReasonWrongAPIKey, msgWrongAPIKey)
	if len(raw) > tenant.MaxAPIKey {
		return ports.Principal{}, wrong
	}
	hash := tenant.HashAPIKey(raw)
	org, key, err := s.store.APIKeyByHash(ctx, hash)
	if fault.CodeOf(err) == fault.NotFound {
		return ports.Principal{}, wrong
	}
	if err != nil {
		return ports.Principal{}, err
	}
	// The lookup was by hash already; comparing again in constant time
	// keeps a store that matched loosely from letting a key through.
	if subtle.ConstantTimeCompare(hash, key.Hash) != 1 || key.Revoked() {
		return ports.Principal{}, wrong
	}
	if org.Disabled {
		return ports.Principal{}, fault.New(fault.Forbidden, tenant.ReasonOrgDisabled, fmt.Sprintf("organisation %s is disabled", org.Code))
	}
	return ports.Principal{Org: org, KeyPrefix: key.Prefix}, nil
}

// Customers implements ports.CustomerService.
type Customers struct{ store ports.CustomerStore }

var _ ports.CustomerService = (*Customers)(nil)

// Add implements ports.CustomerService.
func (s *Customers) Add(ctx context.Context, org tenant.OrgID, code, name string) (tenant.Customer, error) {
	return s.Create(ctx, org, tenant.Customer{Code: code, Name: name})
}

// Create implements ports.CustomerService.
func (s *Customers) Create(ctx context.Context, org tenant.OrgID, c tenant.Customer) (tenant.Customer, error) {
	code, name, err := codeAndName(c.Code, c.Name, true)
	if err != nil {
		return tenant.Customer{}, err
	}
	return s.store.AddCustomer(ctx, org, tenant.Customer{Code: code, Name: name, UseGlobal: c.UseGlobal})
}

// SetUseGlobal implements ports.CustomerService.
func (s *Customers) SetUseGlobal(ctx context.Context, org tenant.OrgID, code string, use bool) (tenant.Customer, error) {
	return s.store.SetCustomerUseGlobal(ctx, org, strings.TrimSpace(code), use)
}

// Get implements ports.CustomerService.
func (s *Customers) Get(ctx context.Context, org tenant.OrgID, code string) (tenant.Customer, error) {
	return s.store.Customer(ctx, org, strings.TrimSpace(code))
}

// List implements ports.CustomerService.
func (s *Customers) List(ctx context.Context, org tenant.OrgID, q ports.CustomerQuery) ([]tenant.Customer, error) {
	if err := checkQuery(q.Query); err != nil {
		return nil, err
	}
	q.Search = strings.TrimSpace(q.Search)
	return s.store.ListCustomers(ctx, org, q)
}

// Hubs implements ports.HubService.
type Hubs struct{ store ports.HubStore }

var _ ports.HubService = (*Hubs)(nil)

// Add implements ports.HubService.
func (s *Hubs) Add(ctx context.Context, org tenant.OrgID, code, name string) (tenant.Hub, error) {
	c, n, err := codeAndName(code, name, true)
	if err != nil {
		return tenant.Hub{}, err
	}
	return s.store.AddHub(ctx, org, tenant.Hub{Code: c, Name: n})
}

// List implements ports.HubService.
func (s *Hubs) List(ctx context.Context, org tenant.OrgID, q ports.Query) ([]tenant.Hub, error) {
	if err := checkQuery(q); err != nil {
		return nil, err
	}
	return s.store.ListHubs(ctx, org, q)
}

// ServiceTypes implements ports.ServiceTypeService.
type ServiceTypes struct{ store ports.ServiceTypeStore }

var _ ports.ServiceTypeService = (*ServiceTypes)(nil)

// Add implements ports.ServiceTypeService.
func (s *ServiceTypes) Add(ctx context.Context, org tenant.OrgID, code, name string) (tenant.ServiceType, error) {
	c, n, err := codeAndName(code, name, false)
	if err != nil {
		return tenant.ServiceType{}, err
	}
	if n == "" {
		n = c
	}
	return s.store.AddServiceType(ctx, org, tenant.ServiceType{Code: c, Name: n})
}

// List implements ports.ServiceTypeService.
func (s *ServiceTypes) List(ctx context.Context, org tenant.OrgID, q ports.Query) ([]tenant.ServiceType, error) {
	if err := checkQuery(q); err != nil {
		return nil, err
	}
	return s.store.ListServiceTypes(ctx, org, q)
}

// codeAndName validates both fields and reports both violations together.
func codeAndName(code, name string, nameRequired bool) (string, string, error) {
	var vs fault.Violations
	c, err := tenant.ParseCode("code", code)
	if fe, ok := fault.As(err); ok {
		vs = append(vs, fe.Violations...)
	}
	n, err := tenant.ParseName("name", name, nameRequired)
	if fe, ok := fault.As(err); ok {
		vs = append(vs, fe.Violations...)
	}
	return c, n, vs.Err()
}

func checkQuery(q ports.Query) error { return q.Check() }
