package service

import (
	"context"
	"fmt"
	"strings"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// Series implements ports.SeriesService.
type Series struct {
	store  ports.SeriesStores
	clock  ports.Clock
	limits series.Limits
	// known spares the catalogue look-ups of codes already found.
	known knownCodes
	// draws is the store's draw behind a DrawCoalescer, which merges
	// concurrent draws of one owner into one statement.
	draws drawer

	// metrics receives the series events (see metrics.go).
	metrics ports.Metrics
}

var _ ports.SeriesService = (*Series)(nil)

// Create implements ports.SeriesService.
func (s *Series) Create(ctx context.Context, org tenant.OrgID, spec series.Spec) (_ series.Series, err error) {
	defer func() { s.observeCreate(org, err) }()
	d, err := series.Validate(spec, s.limits)
	if err != nil {
		return series.Series{}, err
	}
	if err := s.checkReferences(ctx, org, d); err != nil {
		return series.Series{}, err
	}
	return s.store.InsertSeries(ctx, org, series.Series{
		Owner:        d.Owner,
		Type:         d.Type,
		Range:        d.Range,
		ItemCode:     d.ItemCode,
		ServiceTypes: d.ServiceTypes,
		CreatorHub:   d.CreatorHub,
		CheckDigit:   d.CheckDigit,
	})
}

// checkReferences reports, all at once, every code in d that names nothing
// in the organisation: owner, creator hub, service types.
func (s *Series) checkReferences(ctx context.Context, org tenant.OrgID, d series.Draft) error {
	var vs fault.Violations
	missing := func(err error, field, reason, msg string) error {
		switch fault.CodeOf(err) {
		case "":
			return nil
		case fault.NotFound:
			vs.Add(fault.Violation{Field: field, Rule: "exists", Reason: reason, Message: msg})
			return nil
		}
		return err
	}
	// exists looks code up in its catalogue, unless it was found before;
	// it remembers what it finds.
	exists := func(catalogue byte, code string, get func(context.Context, tenant.OrgID, string) error) error {
		if s.known.has(org, catalogue, code) {
			return nil
		}
		err := get(ctx, org, code)
		if err == nil {
			s.known.add(org, catalogue, code)
		}
		return err
	}
	customer := func(ctx context.Context, org tenant.OrgID, code string) error {
		_, err := s.store.Customer(ctx, org, code)
		return err
	}
	hub := func(ctx context.Context, org tenant.OrgID, code string) error {
		_, err := s.store.Hub(ctx, org, code)
		return err
	}
	serviceType := func(ctx context.Context, org tenant.OrgID, code string) error {
		_, err := s.store.ServiceType(ctx, org, code)
		return err
	}
	var err error
	switch d.Owner.Kind {
	case series.Global:
		// The global pool always exists: it is the organisation's own.
	case series.Customer:
		err = exists(catalogueCustomer, d.Owner.Code, customer)
		err = missing(err, "client_code", series.ReasonClientNotFound, fmt.Sprintf("client code %s does not exist", d.Owner.Code))
	default:
		err = exists(catalogueHub, d.Owner.Code, hub)
		err = missing(err, "hub_code", series.ReasonHubNotFound, fmt.Sprintf("hub code %s does not exist", d.Owner.Code))
	}
	if err != nil {
		return err
	}
	if d.CreatorHub != "" {
		err = exists(catalogueHub, d.CreatorHub, hub)
		if err = missing(err, "creator_hub", series.ReasonCreatorHubNotFound, fmt.Sprintf("creator hub %s does not exist", d.CreatorHub)); err != nil {
			return err
		}
	}
	for i, st := range d.ServiceTypes {
		err = exists(catalogueServiceType, st, serviceType)
		if err = missing(err, fmt.Sprintf("service_types[%d]", i), series.ReasonServiceTypeUnknown, fmt.Sprintf("service type %s is not in the catalogue", st)); err != nil {
			return err
		}
	}
	return vs.Err()
}

// List implements ports.SeriesService.
func (s *Series) List(ctx context.Context, org tenant.OrgID, q ports.SeriesQuery) (ports.SeriesPage, error) {
	if err := checkQuery(q.Query); err != nil {
		return ports.SeriesPage{}, err
	}
	t, err := series.ParseTypeFilter(string(q.Type))
	if err != nil {
		return ports.SeriesPage{}, err
	}
	q.Type = t
	q.ClientCode = strings.TrimSpace(q.ClientCode)
	q.HubCode = strings.TrimSpace(q.HubCode)
	q.ItemCode = strings.TrimSpace(q.ItemCode)
	items, total, err := s.store.ListSeries(ctx, org, q)
	if err != nil {
		return ports.SeriesPage{}, err
	}
	return ports.SeriesPage{Items: items, Total: total}, nil
}

// Lookup implements ports.SeriesService.
func (s *Series) Lookup(ctx context.Context, org tenant.OrgID, number string) (series.Series, error) {
	n, err := series.ParseNumber(strings.TrimSpace(number))
	if err != nil {
		return series.Series{}, fault.InvalidField("number", "pattern", series.ReasonInvalidNumber, fmt.Sprintf("%q is not a series number: %v", number, err))
	}
	return s.store.SeriesHolding(ctx, org, n)
}

// Next implements ports.SeriesService.
func (s *Series) Next(ctx context.Context, org tenant.OrgID, r ports.NextRequest) (drawn []series.Drawn, err error) {
	defer func() { s.observeDraw(org, drawn, err) }()
	var vs fault.Violations
	owner, ok := series.ResolveOwner(r.ClientCode, r.HubCode)
	if !ok {
		vs.Add(fault.Violation{Field: "client_code", Rule: "required", Reason: series.ReasonOwnerMissing, Message: series.OwnerMissingMessage})
	}
	item := strings.TrimSpace(r.ItemCode)
	if item == "" {
		vs.Add(fault.Violation{Field: "item_code", Rule: "required", Reason: series.ReasonItemCodeMissing, Message: "item_code should be present"})
	}
	// Count 0 is the Go callers' default of one; the HTTP API refuses an
	// explicit 0 itself (by series.ValidateDrawCount).
	if r.Count == 0 {
		r.Count = 1
	}
	if err := series.ValidateDrawCount(r.Count); err != nil {
		fe, _ := fault.As(err)
		vs = append(vs, fe.Violations...)
	}
	if err := vs.Err(); err != nil {
		return nil, err
	}
	q := ports.DrawQuery{
		Owner:       owner,
		ItemCode:    item,
		ServiceType: strings.TrimSpace(r.ServiceType),
		Count:       uint64(r.Count),
		Actor:       r.Actor,
	}
	drawn, err = s.draws.DrawNext(ctx, org, q)
	if fault.ReasonOf(err) != series.ReasonExhausted {
		return drawn, err
	}
	// An owner with no stock may be an owner that does not exist, or a
	// customer who may go on in the global pool; the look-up costs nothing
	// on the draws that succeed. The second draw starts again from the
	// owner's own series, in one transaction with the global ones.
	if owner.Kind == series.Customer {
		c, cerr := s.store.Customer(ctx, org, owner.Code)
		if cerr == nil && c.UseGlobal {
			q.UseGlobal = true
			return s.draws.DrawNext(ctx, org, q)
		}
	}
	if missingErr := s.ownerMissing(ctx, org, owner); missingErr != nil {
		return nil, missingErr
	}
	return drawn, err
}

// ownerMissing returns the NotFound-style Invalid error of an owner that
// does not exist in org, or nil when it exists (or cannot be checked: the
// caller's own error then stands).
func (s *Series) ownerMissing(ctx context.Context, org tenant.OrgID, owner series.Owner) error {
	var err error
	field, reason, what := "client_code", series.ReasonClientNotFound, "client code"
	if owner.Kind == series.Hub {
		field, reason, what = "hub_code", series.ReasonHubNotFound, "hub code"
		_, err = s.store.Hub(ctx, org, owner.Code)
	} else {
		_, err = s.store.Customer(ctx, org, owner.Code)
	}
	if fault.CodeOf(err) != fault.NotFound {
		return nil
	}
	return fault.InvalidField(field, "exists", reason, fmt.Sprintf("%s %s does not exist", what, owner.Code))
}

// Delete implements ports.SeriesService.
func (s *Series) Delete(ctx context.Context, org tenant.OrgID, ids []int64) error {
	if len(ids) == 0 {
		return fault.InvalidField("ids", "required", "IDS_NOT_PRESENT", "ids should name at least one series")
	}
	if len(ids) > series.MaxDelete {
		return fault.InvalidField("ids", "max_items", "TOO_MANY_IDS", fmt.Sprintf("at most %d series can be deleted at once", series.MaxDelete))
	}
	seen := make(map[int64]bool, len(ids))
	uniq := make([]int64, 0, len(ids))
	for _, id := range ids {
		if id <= 0 {
			return fault.InvalidField("ids", "positive", "INVALID_ID", fmt.Sprintf("series id %d is not valid", id))
		}
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	return s.store.DeleteSeries(ctx, org, uniq, s.clock.Now())
}
