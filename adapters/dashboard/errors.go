package dashboard

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/attempt"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/operator"
)

// statusTable is THE table from fault codes to the dashboard's HTTP
// statuses; reasonStatus overrides it for single reasons. A page that
// shows an error is still a page, so these statuses matter to tests and
// logs more than to people.
var statusTable = map[fault.Code]int{
	fault.Invalid:      http.StatusUnprocessableEntity,
	fault.Conflict:     http.StatusConflict,
	fault.NotFound:     http.StatusNotFound,
	fault.Unauthorized: http.StatusUnauthorized,
	fault.Forbidden:    http.StatusForbidden,
	fault.Unavailable:  http.StatusServiceUnavailable,
	fault.Internal:     http.StatusInternalServerError,
}

var reasonStatus = map[string]int{
	operator.ReasonLocked: http.StatusTooManyRequests,
	attempt.ReasonTooMany: http.StatusTooManyRequests,
}

// Messages for server-side failures, whose causes stay in the log.
const (
	msgInternal    = "Something went wrong on our side. Please try again; if it keeps happening, tell your administrator."
	msgUnavailable = "The service is temporarily unavailable. Please try again in a moment."
)

// describe returns the status and the message to show for err, logging
// the cause of a server-side failure.
func (d *Dashboard) describe(c *gin.Context, err error) (int, string) {
	fe, ok := fault.As(err)
	if !ok {
		fe = fault.Wrap(err, "dashboard")
	}
	status, ok := reasonStatus[fe.Reason]
	if !ok {
		status, ok = statusTable[fe.Code]
	}
	if !ok {
		status = http.StatusInternalServerError
	}
	if status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests {
		// Seconds, as on the APIs: the lock's end, or a short wait for an
		// outage.
		secs := 5
		var w *attempt.Wait
		if errors.As(err, &w) && w.Seconds > 0 {
			secs = w.Seconds
		}
		c.Header("Retry-After", strconv.Itoa(secs))
	}
	switch {
	case status >= 500:
		level := slog.LevelError
		if fe.Code == fault.Unavailable {
			level = slog.LevelWarn
		}
		d.log.Log(c.Request.Context(), level, "dashboard request failed",
			"method", c.Request.Method, "path", c.Request.URL.Path, "error", err.Error())
		if fe.Code == fault.Unavailable {
			return status, msgUnavailable
		}
		return status, msgInternal
	}
	return status, fe.Message
}

// errorData is what the error page shows.
type errorData struct {
	Heading string
}

// fail renders the error page for err.
func (d *Dashboard) fail(c *gin.Context, err error) {
	status, msg := d.describe(c, err)
	heading := "Something went wrong"
	if status == http.StatusNotFound {
		heading = "Not found"
	}
	d.renderError(c, status, heading, msg)
}

// renderError renders the error page and stops the handler chain.
func (d *Dashboard) renderError(c *gin.Context, status int, heading, msg string) {
	d.render(c, status, pageError, view{Title: heading, Alert: msg, Data: errorData{Heading: heading}})
	c.Abort()
}

// fieldOf maps a violation's field to the form field it is shown beside:
// the indexed service_types[i] to the select, the API's client_code (the
// customer of the page) to none, so that it shows above the form.
func fieldOf(v fault.Violation) string {
	switch {
	case v.Field == "start", v.Field == "end", v.Field == "item_code", v.Field == "type":
		return v.Field
	case strings.HasPrefix(v.Field, "service_types"):
		return "service_types"
	}
	return ""
}
