package dashboard

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/ports"
)

// The allotment screen's number form: operators working with physical
// label stock consume, void or release numbers as they scan, spoil or get
// back labels. It acts for the customer of the page through the number
// use case, all or nothing, as the API and the CLI do.

// multiLineField is the one form field whose value may hold line breaks:
// the number form's text area.
const multiLineField = "numbers"

// historyShown is how many of a series' latest history entries the
// allotment screen shows.
const historyShown = 50

// markForm is the number form as the operator filled it in, with the
// errors to show beside its fields.
type markForm struct {
	Op, Numbers, Start, End, Reference string
	// Errors maps a field (op, numbers, start, end, reference) to its
	// message.
	Errors map[string]string
}

// entryView is one row of a series' history.
type entryView struct {
	At, Actor, Action, Numbers, Count, Before, After, Reference string
}

// historyView is the history of one series of the page.
type historyView struct {
	SeriesID int64
	Range    string
	Rows     []entryView
	// Total is how many entries the series has; Rows are the latest.
	Total int
}

// opNotice is the notification of a number operation that changed n
// numbers.
func opNotice(op series.Op, n uint64) string {
	verb := map[series.Op]string{series.Consume: "consumed", series.VoidOp: "voided", series.Release: "released"}[op]
	if n == 1 {
		return "1 number " + verb
	}
	return fmt.Sprintf("%d numbers %s", n, verb)
}

// splitNumbers reads the numbers of the form's text: separated by spaces,
// commas, semicolons or new lines, as scanners and spreadsheets paste them.
func splitNumbers(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
}

// markNumbers is the number form's post: it applies the operation for the
// page's customer, then shows the screen again with a notification, or the
// form as typed with every error beside its field and nothing changed.
func (d *Dashboard) markNumbers(c *gin.Context) {
	s, cust, ok := d.customer(c)
	if !ok {
		return
	}
	form := markForm{
		Op:        strings.TrimSpace(c.PostForm("op")),
		Numbers:   c.PostForm("numbers"),
		Start:     strings.TrimSpace(c.PostForm("range_start")),
		End:       strings.TrimSpace(c.PostForm("range_end")),
		Reference: c.PostForm("reference"),
	}
	if d.svc.Numbers == nil {
		d.fail(c, fault.New(fault.Unavailable, "", "number operations are not served"))
		return
	}
	// An unknown operation is the use case's to refuse, with its message.
	op, known := series.ParseOp(form.Op)
	if !known {
		op = series.Op(form.Op)
	}
	entries, err := d.svc.Numbers.Mark(c.Request.Context(), s.Org.ID, series.MarkSpec{
		Op:         op,
		Numbers:    splitNumbers(form.Numbers),
		Start:      form.Start,
		End:        form.End,
		ClientCode: cust.Code,
		Reference:  form.Reference,
	}, ports.ActorFrom(c.Request.Context()))
	if err == nil {
		var n uint64
		for _, e := range entries {
			n += e.Count
		}
		// Post/redirect/get: reloading the page does not apply it again.
		c.Redirect(http.StatusSeeOther, seriesURL(cust.Code)+"?marked="+string(op)+"&n="+strconv.FormatUint(n, 10))
		return
	}
	fe, ok := fault.As(err)
	if !ok || (fe.Code != fault.Invalid && fe.Code != fault.Conflict) {
		d.fail(c, err)
		return
	}
	status, msg := d.describe(c, err)
	form.Errors = map[string]string{}
	alert := "No number was changed. Check the fields marked below."
	for _, v := range fe.Violations {
		f := markFieldOf(v)
		if f == "" {
			alert = v.Message
			continue
		}
		if prev, seen := form.Errors[f]; seen {
			// Every failing number is named, as the API's details do.
			form.Errors[f] = prev + "; " + v.Message
		} else {
			form.Errors[f] = v.Message
		}
	}
	if len(fe.Violations) == 0 {
		alert = msg
	}
	d.renderAllotWith(c, s, cust, status, allotForm{Type: string(series.Virtual)}, form, 1, 0, "", alert)
}

// markFieldOf maps a violation of a number operation to the form field it
// is shown beside; "" shows it above the form.
func markFieldOf(v fault.Violation) string {
	switch {
	case v.Field == "op", v.Field == "start", v.Field == "end", v.Field == "reference":
		return v.Field
	case strings.HasPrefix(v.Field, "numbers"):
		return "numbers"
	}
	return ""
}

// markedNotice is the notification of the screen a number operation
// redirected to, from its query; "" when there is none.
func markedNotice(c *gin.Context) string {
	op, ok := series.ParseOp(c.Query("marked"))
	if !ok {
		return ""
	}
	n, err := strconv.ParseUint(c.Query("n"), 10, 64)
	if err != nil {
		return ""
	}
	return opNotice(op, n)
}

// seriesHistory returns the latest history entries of series id, one of
// the page's rows, or nil when the screen asks for none or the number use
// case is not served.
func (d *Dashboard) seriesHistory(c *gin.Context, s ports.OperatorSession, rows []seriesView, id int64) (*historyView, error) {
	if id == 0 || d.svc.Numbers == nil {
		return nil, nil
	}
	h := &historyView{SeriesID: id}
	for _, r := range rows {
		if r.ID == id {
			h.Range = r.Start + " – " + r.End
		}
	}
	if h.Range == "" {
		// Only a series the page shows, so that no other customer's
		// history can be read here.
		return nil, fault.Errorf(fault.NotFound, series.ReasonNotFound, "Series %d is not an active series on this page; reload the page.", id)
	}
	ctx := c.Request.Context()
	first, err := d.svc.Numbers.History(ctx, s.Org.ID, ports.HistoryQuery{SeriesID: id, Query: ports.Query{Limit: 1}})
	if err != nil {
		return nil, err
	}
	h.Total = first.Total
	pg, err := d.svc.Numbers.History(ctx, s.Org.ID, ports.HistoryQuery{SeriesID: id, Query: ports.Query{Limit: historyShown, Offset: max(0, first.Total-historyShown)}})
	if err != nil {
		return nil, err
	}
	for _, e := range pg.Items {
		h.Rows = append(h.Rows, entryView{
			At:        e.At.UTC().Format("2006-01-02 15:04:05"),
			Actor:     string(e.Actor),
			Action:    string(e.Action),
			Numbers:   e.Numbers.String(),
			Count:     strconv.FormatUint(e.Count, 10),
			Before:    orDash(string(e.Before)),
			After:     orDash(string(e.After)),
			Reference: e.Reference,
		})
	}
	return h, nil
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
