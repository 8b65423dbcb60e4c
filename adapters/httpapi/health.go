package httpapi

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/ports"
)

// statusOK is the body of a bare success, as the contract writes it.
type statusOK struct {
	Status string `json:"status"`
}

// healthz is the liveness probe: the process answers, nothing else is
// checked, so that a database outage does not get the process restarted.
func (a *API) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, statusOK{Status: "OK"})
}

// readyz is the readiness probe: 200 while Health.Ready succeeds, 503
// otherwise, whatever the cause (the cause is logged, not shown).
func (a *API) readyz(c *gin.Context) {
	if a.svc.Health != nil {
		ctx, cancel := context.WithTimeout(c.Request.Context(), a.cfg.ReadyTimeout)
		defer cancel()
		if err := a.svc.Health.Ready(ctx); err != nil {
			a.log.LogAttrs(c.Request.Context(), slog.LevelWarn, "not ready",
				slog.String("request_id", c.GetString(ctxRequestID)),
				slog.String("error", errorText(err)),
			)
			msg := "Service is not ready"
			if fe, ok := fault.As(err); ok && fe.Reason == ports.ReasonSchemaOutdated {
				// Not a secret, and what the operator must do.
				msg += ": " + fe.Message
			}
			setRetryAfter(c, http.StatusServiceUnavailable, err)
			a.respondError(c, envelope{Error: errorBody{
				Message:    msg,
				StatusCode: http.StatusServiceUnavailable,
				Reason:     reasonNotReady,
			}})
			return
		}
	}
	c.JSON(http.StatusOK, statusOK{Status: "OK"})
}
