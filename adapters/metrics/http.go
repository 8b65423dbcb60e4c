package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
)

// unmatchedRoute labels requests that matched no route (404, 405), so
// that a scan of random paths adds no series.
const unmatchedRoute = "unmatched"

// Middleware counts and times every request by the gin route template it
// matched (for example /api/client/integration/virtualseries/:id), never
// the raw path, so that the number of series stays bounded whatever
// clients send. It must run first, so that the time includes every other
// middleware and the status is the one finally written.
func (m *Metrics) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = unmatchedRoute
		}
		labels := []string{route, method(c.Request.Method), strconv.Itoa(c.Writer.Status())}
		m.httpRequests.WithLabelValues(labels...).Inc()
		m.httpDuration.WithLabelValues(labels...).Observe(time.Since(start).Seconds())
	}
}

// method returns the request method when it is a standard one and OTHER
// otherwise: a method is any token a client cares to send.
func method(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}
