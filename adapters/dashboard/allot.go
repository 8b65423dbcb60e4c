package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// The vendor's wording of the allotment screen's notifications.
const (
	msgAdded   = "Series added successfully"
	msgDeleted = "Series deleted successfully"
)

// maxCatalogue is the most service types the multi-select offers, and
// maxOwned the most series of one customer a delete can resolve: the
// largest page the use cases list.
const (
	maxCatalogue = 1000
	maxOwned     = 1000
)

// allotForm is the Add series form as the operator filled it in, with the
// errors to show beside its fields.
type allotForm struct {
	Start, End, ItemCode, Type string
	Selected                   map[string]bool
	// Count is the series' count when start and end are valid.
	Count string
	// Errors maps a field (service_types, start, end, item_code, type,
	// or range for an overlap) to its message.
	Errors map[string]string
}

// seriesView is one row of the active series table.
type seriesView struct {
	ID           int64
	ServiceTypes string
	Start, End   string
	Count        string
	Next         string
	Issued       string
	ItemCode     string
	Type         string
	// Used, Void and Available are the series' stock, "—" when the
	// store did not report it.
	Used, Void, Available string
	// Low says the available numbers are at or below the customer's
	// low-stock threshold for the item.
	Low bool
	// Deletable: nothing has been drawn from it or consumed.
	Deletable bool
	// New marks the series just added.
	New bool
}

func toSeriesView(s series.Series) seriesView {
	next := "Exhausted"
	types := strings.Join(s.ServiceTypes, ", ")
	if types == "" {
		types = "—"
	}
	v := seriesView{
		ID:           s.ID,
		ServiceTypes: types,
		Start:        s.Range.First().String(),
		End:          s.Range.Last().String(),
		Count:        s.Range.Count().String(),
		Next:         next,
		Issued:       dateOfIssue(s.CreatedAt),
		ItemCode:     s.ItemCode,
		Type:         string(s.Type),
		Used:         "—",
		Void:         "—",
		Available:    "—",
		Deletable:    s.Deletable(),
	}
	if s.Stock != nil {
		v.Used, v.Void, v.Available = strconv.FormatUint(s.Stock.Used, 10), strconv.FormatUint(s.Stock.Void, 10), strconv.FormatUint(s.Stock.Available, 10)
	}
	if n, ok := s.Next(); ok {
		v.Next = s.CheckDigit.Full(n).String()
	}
	return v
}

// allotData is what the Virtual Series Allotment screen shows.
type allotData struct {
	Customer     tenant.Customer
	Catalogue    []tenant.ServiceType
	Form         allotForm
	Series       []seriesView
	Total        int
	Pager        pager
	Action       string
	DeleteAction string
	CountURL     string
	// Mark is the number form, served when the number use case is;
	// MarkAction its target.
	Mark       markForm
	CanMark    bool
	MarkAction string
	// History is the history of the series the screen was asked for.
	History *historyView
}

// seriesURL is the allotment screen of the customer with code.
func seriesURL(code string) string {
	return Path + "/customers/" + url.PathEscape(code) + "/series"
}

// customer returns the customer of the URL, within the session's
// organisation, or renders the error page.
func (d *Dashboard) customer(c *gin.Context) (ports.OperatorSession, tenant.Customer, bool) {
	s, _ := sessionOf(c)
	cust, err := d.svc.Customers.Get(c.Request.Context(), s.Org.ID, c.Param("code"))
	if err != nil {
		if fault.CodeOf(err) == fault.NotFound {
			d.renderError(c, http.StatusNotFound, "Not found", fmt.Sprintf("There is no customer %q.", c.Param("code")))
			return s, cust, false
		}
		d.fail(c, err)
		return s, cust, false
	}
	return s, cust, true
}

// allotment shows the Virtual Series Allotment screen of a customer.
func (d *Dashboard) allotment(c *gin.Context) {
	s, cust, ok := d.customer(c)
	if !ok {
		return
	}
	notice := ""
	var added int64
	if v := c.Query("added"); v != "" {
		notice = msgAdded
		added, _ = strconv.ParseInt(v, 10, 64)
	}
	if c.Query("deleted") != "" {
		notice = msgDeleted
	}
	if n := markedNotice(c); n != "" {
		notice = n
	}
	d.renderAllot(c, s, cust, http.StatusOK, allotForm{Type: string(series.Virtual)}, pageNumber(c), added, notice, "")
}

// renderAllot renders the allotment screen with form, the page n of the
// customer's series (the row of series added highlighted) and a notice or
// an alert.
func (d *Dashboard) renderAllot(c *gin.Context, s ports.OperatorSession, cust tenant.Customer, status int, form allotForm, n int, added int64, notice, alert string) {
	d.renderAllotWith(c, s, cust, status, form, markForm{Op: string(series.Consume)}, n, added, notice, alert)
}

// renderAllotWith is renderAllot with the number form as given, and the
// history of the series the query's history parameter names.
func (d *Dashboard) renderAllotWith(c *gin.Context, s ports.OperatorSession, cust tenant.Customer, status int, form allotForm, mark markForm, n int, added int64, notice, alert string) {
	ctx := c.Request.Context()
	catalogue, err := d.svc.ServiceTypes.List(ctx, s.Org.ID, ports.Query{Limit: maxCatalogue})
	if err != nil {
		d.fail(c, err)
		return
	}
	size := d.cfg.PageSize
	pg, err := d.svc.Series.List(ctx, s.Org.ID, ports.SeriesQuery{
		Query:      ports.Query{Limit: size, Offset: (n - 1) * size},
		ClientCode: cust.Code,
	})
	if err != nil {
		d.fail(c, err)
		return
	}
	rows := make([]seriesView, len(pg.Items))
	for i, sr := range pg.Items {
		rows[i] = toSeriesView(sr)
		rows[i].New = sr.ID == added
		rows[i].Low = sr.Stock != nil && sr.Stock.Low
	}
	if form.Selected == nil {
		form.Selected = map[string]bool{}
	}
	if form.Count == "" && form.Start != "" && form.End != "" {
		// Without JavaScript this is where the operator sees the count.
		if r, err := series.ValidateRange(form.Start, form.End, d.cfg.Limits); err == nil {
			form.Count = r.Count().String()
		}
	}
	at := seriesURL(cust.Code)
	historyOf, _ := strconv.ParseInt(c.Query("history"), 10, 64)
	hist, err := d.seriesHistory(c, s, rows, historyOf)
	if err != nil {
		status, alert = d.describe(c, err)
	}
	d.render(c, status, pageAllot, view{
		Title:  "Virtual Series Allotment",
		Notice: notice,
		Alert:  alert,
		Data: allotData{
			Customer:     cust,
			Catalogue:    catalogue,
			Form:         form,
			Series:       rows,
			Total:        pg.Total,
			Pager:        newPager(nil, at, n, n*size < pg.Total),
			Action:       at,
			DeleteAction: at + "/delete",
			CountURL:     Path + "/count",
			Mark:         mark,
			CanMark:      d.svc.Numbers != nil,
			MarkAction:   at + "/numbers",
			History:      hist,
		},
	})
}

// addSeries is "Add series": it allots the series through the series use
// case, then shows the screen again with the notification, or the form as
// typed with every error beside its field.
func (d *Dashboard) addSeries(c *gin.Context) {
	s, cust, ok := d.customer(c)
	if !ok {
		return
	}
	form := allotForm{
		Start:    strings.TrimSpace(c.PostForm("start")),
		End:      strings.TrimSpace(c.PostForm("end")),
		ItemCode: c.PostForm("item_code"),
		Type:     c.PostForm("type"),
		Selected: map[string]bool{},
	}
	types := c.PostFormArray("service_types")
	for _, t := range types {
		form.Selected[t] = true
	}
	created, err := d.svc.Series.Create(c.Request.Context(), s.Org.ID, series.Spec{
		Start:        form.Start,
		End:          form.End,
		ClientCode:   cust.Code,
		Type:         form.Type,
		ItemCode:     form.ItemCode,
		ServiceTypes: types,
	})
	if err == nil {
		// Post/redirect/get: reloading the page does not add it again.
		c.Redirect(http.StatusSeeOther, seriesURL(cust.Code)+"?added="+strconv.FormatInt(created.ID, 10))
		return
	}
	fe, ok := fault.As(err)
	if !ok || (fe.Code != fault.Invalid && fe.Code != fault.Conflict) {
		d.fail(c, err)
		return
	}
	status, msg := d.describe(c, err)
	form.Errors = map[string]string{}
	alert := "The series was not added. Check the fields marked below."
	for _, v := range fe.Violations {
		if f := fieldOf(v); f != "" {
			if _, seen := form.Errors[f]; !seen {
				form.Errors[f] = v.Message
			}
		} else {
			alert = v.Message
		}
	}
	if len(fe.Violations) == 0 {
		if fe.Reason == series.ReasonOverlap {
			form.Errors["range"] = msg
		} else {
			alert = msg
		}
	}
	d.renderAllot(c, s, cust, status, form, 1, 0, "", alert)
}

// confirmData is what the delete confirmation shows.
type confirmData struct {
	Customer tenant.Customer
	Series   []seriesView
	Action   string
	BackURL  string
}

// deleteSeries deletes the series chosen on the allotment screen: one
// (its row's Delete button) or the ticked ones (Delete selected). The first
// post shows what will be deleted and asks to confirm; the confirmation's
// post deletes through the series use case.
func (d *Dashboard) deleteSeries(c *gin.Context) {
	s, cust, ok := d.customer(c)
	if !ok {
		return
	}
	back := seriesURL(cust.Code)
	fresh := allotForm{Type: string(series.Virtual)}
	ids, err := chosenIDs(c)
	if err != nil {
		status, msg := d.describe(c, err)
		d.renderAllot(c, s, cust, status, fresh, 1, 0, "", msg)
		return
	}
	chosen, err := d.owned(c.Request.Context(), s.Org.ID, cust.Code, ids)
	if err != nil {
		status, msg := d.describe(c, err)
		d.renderAllot(c, s, cust, status, fresh, 1, 0, "", msg)
		return
	}
	if c.PostForm("confirm") != "yes" {
		d.render(c, http.StatusOK, pageConfirm, view{
			Title: "Delete series",
			Data:  confirmData{Customer: cust, Series: chosen, Action: back + "/delete", BackURL: back},
		})
		return
	}
	if err := d.svc.Series.Delete(c.Request.Context(), s.Org.ID, ids); err != nil {
		status, msg := d.describe(c, err)
		d.renderAllot(c, s, cust, status, fresh, 1, 0, "", msg)
		return
	}
	c.Redirect(http.StatusSeeOther, back+"?deleted="+strconv.Itoa(len(ids)))
}

// chosenIDs reads the series ids of a delete: a row's button ("one") or
// the ticked boxes ("selected").
func chosenIDs(c *gin.Context) ([]int64, error) {
	raw := c.PostFormArray("selected")
	if one := c.PostForm("one"); one != "" {
		raw = []string{one}
	}
	if len(raw) == 0 {
		return nil, fault.InvalidField("ids", "required", "IDS_NOT_PRESENT", "Select at least one series to delete.")
	}
	ids := make([]int64, 0, len(raw))
	for _, r := range raw {
		id, err := strconv.ParseInt(r, 10, 64)
		if err != nil || id <= 0 {
			return nil, fault.InvalidField("ids", "pattern", "INVALID_ID", fmt.Sprintf("%q is not a series id.", r))
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// owned returns the series ids names among the customer's, so that a page
// can only delete what it shows; NotFound when one is not the customer's.
func (d *Dashboard) owned(ctx context.Context, org tenant.OrgID, customer string, ids []int64) ([]seriesView, error) {
	pg, err := d.svc.Series.List(ctx, org, ports.SeriesQuery{Query: ports.Query{Limit: maxOwned}, ClientCode: customer})
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]series.Series, len(pg.Items))
	for _, sr := range pg.Items {
		byID[sr.ID] = sr
	}
	out := make([]seriesView, 0, len(ids))
	for _, id := range ids {
		sr, ok := byID[id]
		if !ok {
			return nil, fault.Errorf(fault.NotFound, series.ReasonNotFound, "Series %d is not an active series of customer %s; reload the page.", id, customer)
		}
		out = append(out, toSeriesView(sr))
	}
	return out, nil
}

// countJSON answers the count preview.
type countJSON struct {
	Valid   bool   `json:"valid"`
	Count   string `json:"count,omitempty"`
	Range   string `json:"range,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message,omitempty"`
}

// count answers GET /dashboard/count?start=&end= with the count of the
// series start..end, by the domain's rules and the configured limits, or
// the first reason it is not a valid series. The allotment screen's script
// shows it while the operator types.
func (d *Dashboard) count(c *gin.Context) {
	r, err := series.ValidateRange(c.Query("start"), c.Query("end"), d.cfg.Limits)
	if err != nil {
		out := countJSON{Message: err.Error()}
		if fe, ok := fault.As(err); ok && len(fe.Violations) > 0 {
			out.Field, out.Message = fe.Violations[0].Field, fe.Violations[0].Message
		}
		c.JSON(http.StatusUnprocessableEntity, out)
		return
	}
	c.JSON(http.StatusOK, countJSON{Valid: true, Count: r.Count().String(), Range: r.String()})
}
