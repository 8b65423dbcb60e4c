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

// Numbers implements ports.NumberService.
type Numbers struct {
	store ports.Store
	clock ports.Clock
}

var _ ports.NumberService = (*Numbers)(nil)

// Mark implements ports.NumberService.
func (s *Numbers) Mark(ctx context.Context, org tenant.OrgID, spec series.MarkSpec, actor series.Actor) ([]series.Entry, error) {
	d, err := series.ValidateMarks(spec)
	if err != nil {
		return nil, err
	}
	if err := s.ownerExists(ctx, org, d.Owner); err != nil {
		return nil, err
	}
	return s.store.MarkNumbers(ctx, org, ports.MarkRequest{
		Op:        d.Op,
		Owner:     d.Owner,
		Ranges:    d.Ranges,
		Reference: d.Reference,
		Actor:     actor,
		At:        s.clock.Now(),
	})
}

// ownerExists reports an owner the organisation does not have:
// CLIENT_NOT_FOUND or HUB_NOT_FOUND on the field that named it.
func (s *Numbers) ownerExists(ctx context.Context, org tenant.OrgID, o series.Owner) error {
	var err error
	field, reason, what := "client_code", series.ReasonClientNotFound, "client code"
	if o.Kind == series.Hub {
		_, err = s.store.Hub(ctx, org, o.Code)
		field, reason, what = "hub_code", series.ReasonHubNotFound, "hub code"
	} else {
		_, err = s.store.Customer(ctx, org, o.Code)
	}
	if fault.CodeOf(err) == fault.NotFound {
		return fault.InvalidField(field, "exists", reason, fmt.Sprintf("%s %s does not exist", what, o.Code))
	}
	return err
}

// State implements ports.NumberService.
func (s *Numbers) State(ctx context.Context, org tenant.OrgID, number string) (ports.NumberInfo, error) {
	n, err := series.ParseNumber(strings.TrimSpace(number))
	if err != nil {
		return ports.NumberInfo{}, fault.InvalidField("number", "pattern", series.ReasonInvalidNumber, fmt.Sprintf("%q is not a series number: %v", number, err))
	}
	return s.store.NumberState(ctx, org, n)
}

// Series implements ports.NumberService.
func (s *Numbers) Series(ctx context.Context, org tenant.OrgID, id int64) (series.Series, error) {
	if id < 1 {
		return series.Series{}, fault.InvalidField("id", "positive", "INVALID_ID", fmt.Sprintf("series id %d is not valid", id))
	}
	return s.store.SeriesByID(ctx, org, id)
}

// History implements ports.NumberService.
func (s *Numbers) History(ctx context.Context, org tenant.OrgID, q ports.HistoryQuery) (ports.HistoryPage, error) {
	if err := checkQuery(q.Query); err != nil {
		return ports.HistoryPage{}, err
	}
	if q.SeriesID < 0 {
		return ports.HistoryPage{}, fault.InvalidField("series_id", "positive", "INVALID_ID", fmt.Sprintf("series id %d is not valid", q.SeriesID))
	}
	if q.SeriesID > 0 {
		// History outlives deletion, so a deleted series' entries stay
		// readable; an id the organisation never had is NotFound rather
		// than an empty page.
		if _, total, err := s.store.History(ctx, org, ports.HistoryQuery{SeriesID: q.SeriesID, Query: ports.Query{Limit: 1}}); err != nil {
			return ports.HistoryPage{}, err
		} else if total == 0 {
			if _, err := s.store.SeriesByID(ctx, org, q.SeriesID); err != nil {
				return ports.HistoryPage{}, err
			}
		}
	}
	items, total, err := s.store.History(ctx, org, q)
	if err != nil {
		return ports.HistoryPage{}, err
	}
	return ports.HistoryPage{Items: items, Total: total}, nil
}

// SetThreshold implements ports.NumberService.
func (s *Numbers) SetThreshold(ctx context.Context, org tenant.OrgID, r ports.ThresholdRequest) (series.Threshold, error) {
	var vs fault.Violations
	owner, ok := series.ResolveOwner(r.ClientCode, r.HubCode)
	if !ok {
		vs.Add(fault.Violation{Field: "client_code", Rule: "required", Reason: series.ReasonOwnerMissing, Message: series.OwnerMissingMessage})
	}
	item := strings.TrimSpace(r.ItemCode)
	if item == "" {
		vs.Add(fault.Violation{Field: "item_code", Rule: "required", Reason: series.ReasonItemCodeMissing, Message: "item_code should be present"})
	}
	if r.Level < 0 || uint64(r.Level) > series.DefaultMaxSize*1000 {
		vs.Add(fault.Violation{Field: "level", Rule: "range", Reason: "INVALID_THRESHOLD", Message: "the threshold must be a number of 0 or more"})
	}
	if err := vs.Err(); err != nil {
		return series.Threshold{}, err
	}
	if err := s.ownerExists(ctx, org, owner); err != nil {
		return series.Threshold{}, err
	}
	th := series.Threshold{Owner: owner, ItemCode: item, Level: uint64(r.Level)}
	return th, s.store.SetThreshold(ctx, org, th)
}

// Thresholds implements ports.NumberService.
func (s *Numbers) Thresholds(ctx context.Context, org tenant.OrgID) ([]series.Threshold, error) {
	return s.store.Thresholds(ctx, org)
}
