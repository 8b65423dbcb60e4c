package httpapi

import (
	"fmt"
	"github.com/allot-io/allot/domain/page"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/ports"
)

// numberRoutes registers the number-level inventory routes on g, the
// authenticated series group, and its idempotent writes on w.
func (a *API) numberRoutes(g, w *gin.RouterGroup) {
	if a.svc.Numbers == nil {
		return
	}
	g.GET("/history", a.history)
	g.GET("/:id", a.getSeries)
	w.POST("/consume", a.markNumbers(series.Consume))
	w.POST("/void", a.markNumbers(series.VoidOp))
	w.POST("/release", a.markNumbers(series.Release))
}

// markRequest names numbers one by one or as a range, and the owner
// acting (client_code wins over hub_code, as on /create).
type markRequest struct {
	Numbers    []string
	Start      string
	End        string
	ClientCode string
	HubCode    string
	Global     bool
	Reference  string
}

// fields are the request's fields, decoded strictly as /create's are;
// numbers may be digits-only JSON integers, taken exactly.
func (r *markRequest) fields() []strictField {
	return []strictField{
		{name: "numbers", kind: kindNumbers, reason: series.ReasonInvalidNumber, texts: &r.Numbers,
			max: series.MaxMark, maxReason: series.ReasonTooManyNumbers,
			maxMessage: fmt.Sprintf("numbers may hold at most %d entries", series.MaxMark)},
		{name: "start", kind: kindNumber, reason: series.ReasonInvalidStart, text: &r.Start},
		{name: "end", kind: kindNumber, reason: series.ReasonInvalidEnd, text: &r.End},
		{name: "client_code", kind: kindText, reason: series.ReasonClientNotFound, text: &r.ClientCode},
		{name: "hub_code", kind: kindText, reason: series.ReasonHubNotFound, text: &r.HubCode},
		{name: "is_global", kind: kindBool, reason: series.ReasonGlobalWithOwner, flag: &r.Global},
		{name: "reference", kind: kindText, reason: series.ReasonInvalidRef, text: &r.Reference},
	}
}

// entryJSON is a history entry: a run of numbers of one series that went
// from one state to another together.
type entryJSON struct {
	ID        int64  `json:"id,omitempty"`
	SeriesID  int64  `json:"series_id"`
	Action    string `json:"action"`
	Start     string `json:"start"`
	End       string `json:"end"`
	Count     uint64 `json:"count"`
	Before    string `json:"before"`
	After     string `json:"after"`
	Reference string `json:"reference"`
	Actor     string `json:"actor"`
	At        string `json:"at"`
}

func toEntryJSON(e series.Entry) entryJSON {
	return entryJSON{
		ID: e.ID, SeriesID: e.SeriesID, Action: string(e.Action),
		Start: e.Numbers.First().String(), End: e.Numbers.Last().String(), Count: e.Count,
		Before: string(e.Before), After: string(e.After), Reference: e.Reference,
		Actor: string(e.Actor), At: e.At.UTC().Format(time.RFC3339),
	}
}

type markJSON struct {
	Op      string      `json:"op"`
	Changes []entryJSON `json:"changes"`
}

// markNumbers consumes, voids or releases the numbers of the request, all
// or none; every failing number is listed in the error's details.
func (a *API) markNumbers(op series.Op) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req markRequest
		if err := a.decodeStrict(c, req.fields()); err != nil {
			a.fail(c, err)
			return
		}
		p := principal(c)
		entries, err := a.svc.Numbers.Mark(c.Request.Context(), p.Org.ID, series.MarkSpec{
			Op:         op,
			Numbers:    req.Numbers,
			Start:      req.Start,
			End:        req.End,
			ClientCode: req.ClientCode,
			HubCode:    req.HubCode,
			Global:     req.Global,
			Reference:  req.Reference,
		}, series.APIKeyActor(p.KeyPrefix))
		if err != nil {
			a.fail(c, err)
			return
		}
		out := markJSON{Op: string(op), Changes: make([]entryJSON, 0, len(entries))}
		for _, e := range entries {
			out.Changes = append(out.Changes, toEntryJSON(e))
		}
		ok(c, out)
	}
}

// numberJSON is the state of one number, with its series.
type numberJSON struct {
	Number    string     `json:"number"`
	State     string     `json:"state"`
	Reference string     `json:"reference"`
	UpdatedAt *string    `json:"updated_at"`
	Owner     ownerJSON  `json:"owner"`
	Series    seriesJSON `json:"series"`
}

// lookupNumber answers GET /lookup: which series and owner hold number,
// and the number's state and the reference it was used for.
func (a *API) lookupNumber(c *gin.Context, number string) {
	info, err := a.svc.Numbers.State(c.Request.Context(), principal(c).Org.ID, number)
	if err != nil {
		a.fail(c, err)
		return
	}
	out := numberJSON{
		Number:    info.Number.String(),
		State:     string(info.State),
		Reference: info.Reference,
		Owner:     ownerJSON{Kind: string(info.Series.Owner.Kind), Code: info.Series.Owner.Code},
		Series:    toSeriesJSON(info.Series),
	}
	if !info.UpdatedAt.IsZero() {
		at := info.UpdatedAt.UTC().Format(time.RFC3339)
		out.UpdatedAt = &at
	}
	ok(c, out)
}

// getSeries answers GET /:id with one series and its stock.
func (a *API) getSeries(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		a.fail(c, fault.InvalidField("id", "pattern", reasonInvalidID, "the series id in the path must be a positive integer"))
		return
	}
	s, err := a.svc.Numbers.Series(c.Request.Context(), principal(c).Org.ID, id)
	if err != nil {
		a.fail(c, err)
		return
	}
	ok(c, toSeriesJSON(s))
}

type historyJSON struct {
	Entries []entryJSON `json:"entries"`
	Total   int         `json:"total"`
	Limit   int         `json:"limit"`
	Offset  int         `json:"offset"`
}

// history answers GET /history?series_id=&since=&limit=&offset=, oldest
// entry first.
func (a *API) history(c *gin.Context) {
	var vs fault.Violations
	q := ports.HistoryQuery{Query: ports.Query{Limit: page.Default}}
	if raw := strings.TrimSpace(c.Query("series_id")); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id < 1 {
			vs.Add(fault.Violation{Field: "series_id", Rule: "pattern", Reason: reasonInvalidID, Message: "series_id must be a positive integer"})
		}
		q.SeriesID = id
	}
	if raw := strings.TrimSpace(c.Query("since")); raw != "" {
		t, err := time.Parse(time.RFC3339, raw)
		if err != nil {
			vs.Add(fault.Violation{Field: "since", Rule: "pattern", Reason: "INVALID_SINCE", Message: fmt.Sprintf("since %q must be an RFC 3339 time, for example 2026-04-05T00:00:00Z", raw)})
		}
		q.Since = t
	}
	pageQuery(c, &q.Query, &vs)
	if err := vs.Err(); err != nil {
		a.fail(c, err)
		return
	}
	page, err := a.svc.Numbers.History(c.Request.Context(), principal(c).Org.ID, q)
	if err != nil {
		a.fail(c, err)
		return
	}
	out := historyJSON{Entries: make([]entryJSON, 0, len(page.Items)), Total: page.Total, Limit: q.Limit, Offset: q.Offset}
	for _, e := range page.Items {
		out.Entries = append(out.Entries, toEntryJSON(e))
	}
	ok(c, out)
}

// stockJSON holds the stock fields of a series as the API shows them.
type stockJSON struct {
	CheckDigit string `json:"check_digit"`
	Used       uint64 `json:"used"`
	Void       uint64 `json:"void"`
	Available  uint64 `json:"available"`
	LowStock   bool   `json:"low_stock"`
}

// withStock fills the stock fields of out from s: used, void, available
// and low stock when the store reported them, and the next available
// number with its check digit.
func withStock(out *seriesJSON, s series.Series) {
	sc := s.CheckDigit
	if sc == "" {
		sc = series.NoCheck
	}
	out.CheckDigit = string(sc)
	if next, ok := s.Next(); ok {
		n := sc.Full(next).String()
		out.NextAvailable = &n
	}
	if s.Stock == nil {
		out.Available = out.Remaining
		return
	}
	out.Used, out.Void, out.Available, out.LowStock = s.Stock.Used, s.Stock.Void, s.Stock.Available, s.Stock.Low
	out.Remaining = s.Stock.Available
}
