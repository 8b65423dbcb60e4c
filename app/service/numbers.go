package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// Numbers implements ports.NumberService.
type Numbers struct {
	store ports.NumberStores
	clock ports.Clock
	// series validates imported rows by the rules of Create.
	series  *Series
	metrics ports.Metrics
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
	entries, err := s.store.MarkNumbers(ctx, org, ports.MarkRequest{
		Op:        d.Op,
		Owner:     d.Owner,
		Ranges:    d.Ranges,
		Reference: d.Reference,
		Actor:     actor,
		At:        s.clock.Now(),
	})
	if err == nil && d.Op == series.Consume && s.metrics != nil {
		var n uint64
		for _, e := range entries {
			n += e.Count
		}
		s.metrics.NumbersConsumed(org, n)
	}
	return entries, err
}

// ownerExists reports an owner the organisation does not have:
// CLIENT_NOT_FOUND or HUB_NOT_FOUND on the field that named it.
func (s *Numbers) ownerExists(ctx context.Context, org tenant.OrgID, o series.Owner) error {
	if o.Kind == series.Global {
		return nil
	}
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
	switch {
	case r.Global && ok:
		vs.Add(fault.Violation{Field: "is_global", Rule: "exclusive", Reason: series.ReasonGlobalWithOwner, Message: "give is_global, or client_code or hub_code, not both"})
	case r.Global:
		owner = series.GlobalPool
	case !ok:
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

// Import implements ports.NumberService.
func (s *Numbers) Import(ctx context.Context, org tenant.OrgID, rows []ports.ImportRow, partial bool, actor series.Actor, progress func(done int)) (ports.ImportReport, error) {
	rep := ports.ImportReport{Rows: len(rows)}
	if len(rows) > series.MaxImportRows {
		return rep, fault.Errorf(fault.Invalid, series.ReasonTooManyRows, "an import file may hold at most %d rows; it has %d", series.MaxImportRows, len(rows))
	}
	bad := func(line int, err error) error {
		fe, ok := fault.As(err)
		if !ok || fe.Code != fault.Invalid {
			return err
		}
		vs := fe.Violations
		if len(vs) == 0 {
			vs = []fault.Violation{{Reason: fe.Reason, Message: fe.Message}}
		}
		for _, v := range vs {
			v.Line = line
			rep.Bad = append(rep.Bad, v)
		}
		return nil
	}
	good := make([]series.Series, 0, len(rows))
	lines := make([]int, 0, len(rows))
	ranges := make([]series.Range, 0, len(rows))
	for _, row := range rows {
		if row.Err != nil {
			if err := bad(row.Line, row.Err); err != nil {
				return rep, err
			}
			continue
		}
		spec, err := series.ImportSpec(row.Fields)
		if err == nil {
			var d series.Draft
			if d, err = series.Validate(spec, s.series.limits); err == nil {
				if err = s.series.checkReferences(ctx, org, d); err == nil {
					good = append(good, series.Series{Owner: d.Owner, Type: d.Type, Range: d.Range, ItemCode: d.ItemCode,
						ServiceTypes: d.ServiceTypes, CreatorHub: d.CreatorHub, CheckDigit: d.CheckDigit})
					lines = append(lines, row.Line)
					ranges = append(ranges, d.Range)
					continue
				}
			}
		}
		if err := bad(row.Line, err); err != nil {
			return rep, err
		}
	}
	overlaps := series.InFileOverlaps(ranges, lines)
	rep.Bad = append(rep.Bad, overlaps...)
	if len(overlaps) > 0 {
		// A later line overlapping an earlier one is the bad row; the
		// earlier is written when partial.
		drop := map[int]bool{}
		for _, v := range overlaps {
			drop[v.Line] = true
		}
		kept, keptLines := good[:0], lines[:0]
		for i := range good {
			if !drop[lines[i]] {
				kept, keptLines = append(kept, good[i]), append(keptLines, lines[i])
			}
		}
		good, lines = kept, keptLines
	}
	sortBad := func() { slices.SortStableFunc(rep.Bad, func(a, b fault.Violation) int { return a.Line - b.Line }) }
	if len(good) == 0 {
		sortBad()
		return rep, nil
	}
	// With bad rows already found, an all-or-nothing import only checks the
	// good ones against the database, so that the report names every bad row.
	mode := ports.ImportAll
	switch {
	case partial:
		mode = ports.ImportPartial
	case len(rep.Bad) > 0:
		mode = ports.ImportCheck
	}
	stored := progress
	if progress != nil {
		// Progress counts the file's rows: the bad ones are done already.
		skipped := len(rows) - len(good)
		progress(skipped)
		stored = func(done int) { progress(skipped + done) }
	}
	refused, err := s.store.ImportSeries(ctx, org, good, actor, mode, stored)
	if err != nil {
		return rep, err
	}
	for i, err := range refused {
		if fault.CodeOf(err) == fault.Conflict {
			fe, _ := fault.As(err)
			err = fault.InvalidField("start", "overlap", fe.Reason, fe.Message)
		}
		if err := bad(lines[i], err); err != nil {
			return rep, err
		}
	}
	sortBad()
	if mode == ports.ImportPartial || (mode == ports.ImportAll && len(refused) == 0) {
		rep.Written = len(good) - len(refused)
	}
	return rep, nil
}

// StockReport implements ports.NumberService.
func (s *Numbers) StockReport(ctx context.Context, org tenant.OrgID) ([]series.StockLine, error) {
	since := s.clock.Now().Add(-series.StockWindowDays * 24 * time.Hour)
	stock, err := s.store.StockByOwner(ctx, org, since)
	if err != nil {
		return nil, err
	}
	ths, err := s.store.Thresholds(ctx, org)
	if err != nil {
		return nil, err
	}
	type key struct {
		owner series.Owner
		item  string
	}
	levels := make(map[key]uint64, len(ths))
	for _, th := range ths {
		levels[key{th.Owner, th.ItemCode}] = th.Level
	}
	out := make([]series.StockLine, 0, len(stock))
	for _, st := range stock {
		var th *uint64
		if level, ok := levels[key{st.Owner, st.ItemCode}]; ok {
			th = &level
		}
		out = append(out, series.Report(st, th))
	}
	return out, nil
}
