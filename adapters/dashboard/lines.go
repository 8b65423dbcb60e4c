package dashboard

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/ports"
)

// pageLines lists the organisation's enrollment lines; pageLine shows one
// with its history.
const (
	pageLines = "lines.html"
	pageLine  = "line.html"
)

// linesData is what the Lines page shows.
type linesData struct {
	Query    string
	Status   string
	Statuses []enrollment.LineStatus
	Lines    []lineView
	Pager    pager
}

// lineView is a line as the pages show it.
type lineView struct {
	ports.LineState
	Updated string
}

// lineData is what a line's page shows.
type lineData struct {
	Line      lineView
	History   []lineEventView
	CanRetry  bool
	CanCancel bool
}

// lineEventView is one transition as a line's page shows it.
type lineEventView struct {
	ports.LineEvent
	When string
}

// errNoLines answers the Lines pages of a server without the line
// lifecycle.
var errNoLines = fault.New(fault.NotFound, "LINES_NOT_KEPT", "This server keeps no line lifecycle.")

func newLineView(st ports.LineState) lineView {
	return lineView{LineState: st, Updated: st.UpdatedAt.UTC().Format("2006-01-02 15:04:05")}
}

// lines is the Lines page: the organisation's enrollment lines, searched
// by enrollment id, name or MDN and filtered by status, a page at a time.
func (d *Dashboard) lines(c *gin.Context) {
	if d.svc.Lines == nil {
		d.fail(c, errNoLines)
		return
	}
	s, _ := sessionOf(c)
	q := strings.TrimSpace(c.Query("q"))
	status := strings.ToUpper(strings.TrimSpace(c.Query("status")))
	query := ports.LineQuery{Search: q}
	if status != "" {
		st, err := enrollment.ParseLineStatus(status)
		if err != nil {
			d.fail(c, err)
			return
		}
		query.Status = st
	}
	n := pageNumber(c)
	size := d.cfg.PageSize
	// One more than a page tells whether there is a next page.
	query.Query = ports.Query{Limit: size + 1, Offset: (n - 1) * size}
	list, err := d.svc.Lines.ListLines(c.Request.Context(), s.Org.ID, query)
	if err != nil {
		d.fail(c, err)
		return
	}
	hasNext := len(list) > size
	if hasNext {
		list = list[:size]
	}
	rows := make([]lineView, len(list))
	for i, st := range list {
		rows[i] = newLineView(st)
	}
	base := url.Values{}
	if q != "" {
		base.Set("q", q)
	}
	if status != "" {
		base.Set("status", status)
	}
	d.render(c, http.StatusOK, pageLines, view{
		Title: "Enrollments and lines",
		Data: linesData{Query: q, Status: status, Statuses: enrollment.Statuses, Lines: rows,
			Pager: newPager(base, Path+"/lines", n, hasNext)},
	})
}

// lineID reads the :id of a line's path; a malformed one is a line that
// does not exist.
func lineID(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fault.Errorf(fault.NotFound, enrollment.ReasonLineNotFound, "line %s not found", clipField(c.Param("id")))
	}
	return id, nil
}

// line is a line's page: its status, device, carrier answer and history,
// with Retry and Cancel when its status allows them.
func (d *Dashboard) line(c *gin.Context) {
	d.renderLine(c, http.StatusOK, "", "")
}

func (d *Dashboard) renderLine(c *gin.Context, status int, notice, alert string) {
	if d.svc.Lines == nil {
		d.fail(c, errNoLines)
		return
	}
	s, _ := sessionOf(c)
	id, err := lineID(c)
	if err != nil {
		d.fail(c, err)
		return
	}
	st, hist, err := d.svc.Lines.Line(c.Request.Context(), s.Org.ID, id)
	if err != nil {
		d.fail(c, err)
		return
	}
	h := make([]lineEventView, len(hist))
	for i, e := range hist {
		h[i] = lineEventView{LineEvent: e, When: e.At.UTC().Format("2006-01-02 15:04:05")}
	}
	switch c.Query("done") {
	case "retry":
		notice = "Line queued for the carrier again."
	case "cancel":
		notice = "Line cancelled."
	}
	d.render(c, status, pageLine, view{
		Title:  "Line " + strconv.FormatInt(id, 10),
		Notice: notice,
		Alert:  alert,
		Data: lineData{Line: newLineView(st), History: h,
			CanRetry:  enrollment.Allowed(enrollment.EventRetry, st.ActivationType, st.Status),
			CanCancel: enrollment.Allowed(enrollment.EventCancel, st.ActivationType, st.Status)},
	})
}

// retryLine queues a failed line again; cancelLine gives one up. Each
// answers with the line's page: after a redirect on success, so that a
// reload does not post again, or at once with the refusal shown.
func (d *Dashboard) retryLine(c *gin.Context) {
	d.lineAction(c, "retry", func(s ports.OperatorSession, id int64) error {
		_, err := d.svc.Lines.Retry(c.Request.Context(), s.Org.ID, id)
		return err
	})
}

func (d *Dashboard) cancelLine(c *gin.Context) {
	d.lineAction(c, "cancel", func(s ports.OperatorSession, id int64) error {
		_, err := d.svc.Lines.Cancel(c.Request.Context(), s.Org.ID, id)
		return err
	})
}

func (d *Dashboard) lineAction(c *gin.Context, name string, act func(ports.OperatorSession, int64) error) {
	if d.svc.Lines == nil {
		d.fail(c, errNoLines)
		return
	}
	s, _ := sessionOf(c)
	id, err := lineID(c)
	if err != nil {
		d.fail(c, err)
		return
	}
	if err := act(s, id); err != nil {
		if fault.CodeOf(err) == fault.Conflict {
			status, msg := d.describe(c, err)
			d.renderLine(c, status, "", msg)
			return
		}
		d.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, Path+"/lines/"+strconv.FormatInt(id, 10)+"?done="+name)
}
