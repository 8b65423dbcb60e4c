package httpapi

import (
	"errors"
	"fmt"
	"github.com/allot-io/allot/domain/page"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/ports"
)

// okBody is the contract's success envelope with the extra "data" object
// the specification allows.
type okBody struct {
	Status string `json:"status"`
	Data   any    `json:"data"`
}

func ok(c *gin.Context, data any) {
	c.JSON(http.StatusOK, okBody{Status: "OK", Data: data})
}

// createFields are the contract's request fields, decoded into spec.
func createFields(spec *series.Spec) []strictField {
	return []strictField{
		{name: "client_code", kind: kindText, reason: series.ReasonClientNotFound, text: &spec.ClientCode},
		{name: "hub_code", kind: kindText, reason: series.ReasonHubNotFound, text: &spec.HubCode},
		{name: "type", kind: kindText, reason: series.ReasonInvalidType, text: &spec.Type},
		{name: "start", kind: kindNumber, reason: series.ReasonInvalidStart, text: &spec.Start},
		{name: "end", kind: kindNumber, reason: series.ReasonInvalidEnd, text: &spec.End},
		{name: "item_code", kind: kindText, reason: series.ReasonInvalidItemCode, text: &spec.ItemCode},
		{name: "creator_hub", kind: kindText, reason: series.ReasonCreatorHubNotFound, text: &spec.CreatorHub},
		{name: "service_types", kind: kindTexts, reason: series.ReasonInvalidServiceType, texts: &spec.ServiceTypes,
			max: series.MaxServiceTypes, maxReason: series.ReasonInvalidServiceType,
			maxMessage: fmt.Sprintf("service_types may hold at most %d entries", series.MaxServiceTypes)},
		{name: "check_digit", kind: kindText, reason: series.ReasonInvalidScheme, text: &spec.CheckDigit},
		{name: "is_global", kind: kindBool, reason: series.ReasonGlobalWithOwner, flag: &spec.Global},
	}
}

// seriesJSON is a series as the API shows it. Exactly one of client_code,
// hub_code and is_global is present, naming the owner.
type seriesJSON struct {
	ID            int64    `json:"id"`
	ClientCode    string   `json:"client_code,omitempty"`
	HubCode       string   `json:"hub_code,omitempty"`
	Global        bool     `json:"is_global,omitempty"`
	Type          string   `json:"type"`
	Start         string   `json:"start"`
	End           string   `json:"end"`
	Count         uint64   `json:"count"`
	ItemCode      string   `json:"item_code"`
	ServiceTypes  []string `json:"service_types"`
	CreatorHub    *string  `json:"creator_hub"`
	NextAvailable *string  `json:"next_available"`
	Drawn         uint64   `json:"drawn"`
	Remaining     uint64   `json:"remaining"`
	CreatedAt     string   `json:"created_at"`
	stockJSON
}

func toSeriesJSON(s series.Series) seriesJSON {
	out := seriesJSON{
		ID:           s.ID,
		Type:         string(s.Type),
		Start:        s.Range.First().String(),
		End:          s.Range.Last().String(),
		Count:        s.Size(),
		ItemCode:     s.ItemCode,
		ServiceTypes: s.ServiceTypes,
		Drawn:        s.Drawn,
		CreatedAt:    s.CreatedAt.UTC().Format(time.RFC3339),
	}
	if out.ServiceTypes == nil {
		// Clients iterate the array; null would make them special-case it.
		out.ServiceTypes = []string{}
	}
	switch s.Owner.Kind {
	case series.Hub:
		out.HubCode = s.Owner.Code
	case series.Global:
		out.Global = true
	default:
		out.ClientCode = s.Owner.Code
	}
	if s.CreatorHub != "" {
		hub := s.CreatorHub
		out.CreatorHub = &hub
	}
	if s.Drawn < out.Count {
		out.Remaining = out.Count - s.Drawn
	}
	withStock(&out, s)
	return out
}

// principal returns the caller authenticated by the group's middleware.
func principal(c *gin.Context) ports.Principal {
	p, _ := principalOf(c)
	return p
}

// createSeries is the contract's POST /create.
func (a *API) createSeries(c *gin.Context) {
	var spec series.Spec
	if err := a.decodeStrict(c, createFields(&spec)); err != nil {
		a.fail(c, err)
		return
	}
	s, err := a.svc.Series.Create(c.Request.Context(), principal(c).Org.ID, spec)
	if err != nil {
		a.fail(c, err)
		return
	}
	ok(c, toSeriesJSON(s))
}

type listJSON struct {
	Series []seriesJSON `json:"series"`
	Total  int          `json:"total"`
	Limit  int          `json:"limit"`
	Offset int          `json:"offset"`
}

// listSeries lists the organisation's series, filtered and paged by the
// query string. Every bad parameter is reported, not just the first.
func (a *API) listSeries(c *gin.Context) {
	var vs fault.Violations
	q := ports.SeriesQuery{
		Query:      ports.Query{Limit: page.Default},
		ClientCode: strings.TrimSpace(c.Query("client_code")),
		HubCode:    strings.TrimSpace(c.Query("hub_code")),
		ItemCode:   strings.TrimSpace(c.Query("item_code")),
	}
	switch raw := strings.TrimSpace(c.Query("is_global")); raw {
	case "", "false":
	case "true":
		q.Global = true
	default:
		vs.Add(fault.Violation{Field: "is_global", Rule: "enum", Reason: "INVALID_IS_GLOBAL",
			Message: fmt.Sprintf("is_global %q is not allowed; allowed values are true, false", raw)})
	}
	t, err := series.ParseTypeFilter(c.Query("type"))
	if fe, ok := fault.As(err); ok {
		vs = append(vs, fe.Violations...)
	}
	q.Type = t
	pageQuery(c, &q.Query, &vs)
	if err := vs.Err(); err != nil {
		a.fail(c, err)
		return
	}
	page, err := a.svc.Series.List(c.Request.Context(), principal(c).Org.ID, q)
	if err != nil {
		a.fail(c, err)
		return
	}
	out := listJSON{Series: make([]seriesJSON, 0, len(page.Items)), Total: page.Total, Limit: q.Limit, Offset: q.Offset}
	for _, s := range page.Items {
		out.Series = append(out.Series, toSeriesJSON(s))
	}
	ok(c, out)
}

type ownerJSON struct {
	Kind string `json:"kind"`
	Code string `json:"code"`
}

type lookupJSON struct {
	Number string     `json:"number"`
	Owner  ownerJSON  `json:"owner"`
	Series seriesJSON `json:"series"`
}

// lookupSeries tells which series, and so which owner, holds a number.
func (a *API) lookupSeries(c *gin.Context) {
	number := strings.TrimSpace(c.Query("number"))
	if number == "" {
		a.fail(c, fault.InvalidField("number", "required", series.ReasonInvalidNumber,
			"the number query parameter should be present, for example ?number=V10000075"))
		return
	}
	if a.svc.Numbers != nil {
		a.lookupNumber(c, number)
		return
	}
	s, err := a.svc.Series.Lookup(c.Request.Context(), principal(c).Org.ID, number)
	if err != nil {
		a.fail(c, err)
		return
	}
	if n, err := series.ParseNumber(number); err == nil {
		number = n.String()
	}
	ok(c, lookupJSON{
		Number: number,
		Owner:  ownerJSON{Kind: string(s.Owner.Kind), Code: s.Owner.Code},
		Series: toSeriesJSON(s),
	})
}

// nextFields are the fields of /next; an absent count means 1.
func nextFields(r *ports.NextRequest, count **int64) []strictField {
	return []strictField{
		{name: "client_code", kind: kindText, reason: series.ReasonClientNotFound, text: &r.ClientCode},
		{name: "hub_code", kind: kindText, reason: series.ReasonHubNotFound, text: &r.HubCode},
		{name: "item_code", kind: kindText, reason: series.ReasonInvalidItemCode, text: &r.ItemCode},
		{name: "service_type", kind: kindText, reason: series.ReasonServiceTypeUnknown, text: &r.ServiceType},
		{name: "count", kind: kindInt, reason: series.ReasonInvalidCount, num: count},
	}
}

type runJSON struct {
	SeriesID int64  `json:"series_id"`
	Start    string `json:"start"`
	End      string `json:"end"`
	Count    uint64 `json:"count"`
}

type nextJSON struct {
	Numbers []string  `json:"numbers"`
	Runs    []runJSON `json:"runs"`
}

// nextNumbers draws numbers and lists them one by one as well as by run
// (one run per series drawn from).
func (a *API) nextNumbers(c *gin.Context) {
	var req ports.NextRequest
	var count *int64
	if err := a.decodeStrict(c, nextFields(&req, &count)); err != nil {
		a.fail(c, err)
		return
	}
	req.Count = 1
	if count != nil {
		// An explicit count must be in range, 0 included: to the service
		// 0 means its default of one.
		if err := series.ValidateDrawCount(*count); err != nil {
			a.fail(c, err)
			return
		}
		req.Count = *count
	}
	req.Actor = series.APIKeyActor(principal(c).KeyPrefix)
	drawn, err := a.svc.Series.Next(c.Request.Context(), principal(c).Org.ID, req)
	if err != nil {
		a.fail(c, err)
		return
	}
	out, err := expandRuns(drawn)
	if err != nil {
		a.fail(c, err)
		return
	}
	ok(c, out)
}

// expandRuns lists every drawn number. The service bounds a draw to
// series.MaxDraw numbers; the check here keeps a broken service from making
// the adapter allocate without bound.
func expandRuns(drawn []series.Drawn) (nextJSON, error) {
	out := nextJSON{Numbers: []string{}, Runs: make([]runJSON, 0, len(drawn))}
	var total uint64
	for _, d := range drawn {
		n, fits := d.Range.Count().Uint64()
		total += n
		if !fits || total > series.MaxDraw {
			return nextJSON{}, fault.Wrap(errors.New("service drew more than series.MaxDraw numbers"), "expand drawn runs")
		}
		out.Runs = append(out.Runs, runJSON{
			SeriesID: d.SeriesID,
			Start:    d.CheckDigit.Full(d.Range.First()).String(),
			End:      d.CheckDigit.Full(d.Range.Last()).String(),
			Count:    n,
		})
		first := d.Range.First()
		for i := range n {
			num, _ := first.Add(i)
			out.Numbers = append(out.Numbers, d.CheckDigit.Full(num).String())
		}
	}
	return out, nil
}

type deletedJSON struct {
	Deleted []int64 `json:"deleted"`
}

// deleteSeriesBulk deletes every listed series or none.
func (a *API) deleteSeriesBulk(c *gin.Context) {
	var reqIDs []int64
	if err := a.decodeStrict(c, []strictField{{name: "ids", kind: kindInts, reason: reasonInvalidID, nums: &reqIDs,
		max: series.MaxDelete, maxReason: "TOO_MANY_IDS", maxMessage: fmt.Sprintf("at most %d series can be deleted at once", series.MaxDelete)}}); err != nil {
		a.fail(c, err)
		return
	}
	// Duplicates are harmless to the client's intent; the service and the
	// response see each id once.
	ids := make([]int64, 0, len(reqIDs))
	seen := make(map[int64]bool, len(reqIDs))
	for _, id := range reqIDs {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	a.deleteIDs(c, ids)
}

// deleteSeries deletes the series named in the path.
func (a *API) deleteSeries(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		a.fail(c, fault.InvalidField("id", "pattern", reasonInvalidID, "the series id in the path must be a positive integer"))
		return
	}
	a.deleteIDs(c, []int64{id})
}

func (a *API) deleteIDs(c *gin.Context, ids []int64) {
	if err := a.svc.Series.Delete(c.Request.Context(), principal(c).Org.ID, ids); err != nil {
		a.fail(c, err)
		return
	}
	ok(c, deletedJSON{Deleted: ids})
}

// pageQuery reads the limit and offset of a list request into q (which
// holds the default limit), adding a violation for each bad one.
func pageQuery(c *gin.Context, q *ports.Query, vs *fault.Violations) {
	if raw, given := c.GetQuery("limit"); given {
		q.ParseLimit(raw, vs)
	}
	if raw, given := c.GetQuery("offset"); given {
		q.ParseOffset(raw, vs)
	}
}
