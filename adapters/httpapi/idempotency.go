package httpapi

import (
	"bytes"
	"context"
	"log/slog"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/idempotency"
	"github.com/allot-io/allot/domain/tenant"
)

const (
	headerIdempotencyKey      = idempotency.Header
	headerIdempotencyReplayed = "Idempotent-Replayed"
)

// idempotent makes a write carrying an Idempotency-Key safe to retry: the
// first request with a key runs and its response is stored, unless it
// failed validation or on the server's side (idempotency.Keeps); a retry
// with the same key and the same method, path and body (JSON compared in
// canonical form) gets that response again; the same key with another
// request is rejected. Keys are scoped to the API key that sent them.
// Requests without the header run as usual.
func (a *API) idempotent(c *gin.Context) {
	key := strings.TrimSpace(c.GetHeader(headerIdempotencyKey))
	if key == "" || a.svc.Idempotency == nil {
		c.Next()
		return
	}
	if _, err := idempotency.ParseKey(key); err != nil {
		a.fail(c, err)
		return
	}
	b, err := a.body(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	p, _ := principalOf(c)
	key = idempotency.Scoped(p.KeyPrefix, key)
	ctx := c.Request.Context()
	replay, err := a.svc.Idempotency.Begin(ctx, p.Org.ID, key, idempotency.Fingerprint(c.Request.Method, c.Request.URL.Path, b))
	if err != nil {
		a.fail(c, err)
		return
	}
	if replay != nil {
		c.Header(headerIdempotencyReplayed, "true")
		c.Data(replay.Status, gin.MIMEJSON+"; charset=utf-8", replay.Body)
		c.Abort()
		return
	}

	// The outcome is recorded even if the client has gone away meanwhile:
	// otherwise the key would stay reserved until it goes stale and every
	// retry would be told the request is still in progress.
	bg := context.WithoutCancel(ctx)
	w := &captureWriter{ResponseWriter: c.Writer}
	c.Writer = w
	completed := false
	defer func() {
		c.Writer = w.ResponseWriter
		if !completed {
			// The handler panicked: nothing worth replaying was produced.
			a.abandon(bg, c, p.Org.ID, key)
		}
	}()

	c.Next()
	completed = true

	if status := w.Status(); !idempotency.Keeps(status, fault.Code(c.GetString(ctxFaultCode))) {
		a.abandon(bg, c, p.Org.ID, key)
	} else if err := a.svc.Idempotency.Finish(bg, p.Org.ID, key, status, w.buf.Bytes()); err != nil {
		a.logIdempotencyError(bg, c, "finish", err)
	}
}

// abandon releases key so that a retry runs again: validation failures,
// server errors and panics are not replayed.
func (a *API) abandon(ctx context.Context, c *gin.Context, org tenant.OrgID, key string) {
	if err := a.svc.Idempotency.Abandon(ctx, org, key); err != nil {
		a.logIdempotencyError(ctx, c, "abandon", err)
	}
}

// captureWriter copies the response body aside while writing it through.
type captureWriter struct {
	gin.ResponseWriter
	buf bytes.Buffer
}

// Write implements io.Writer.
func (w *captureWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.buf.Write(b[:n])
	return n, err
}

// WriteString implements io.StringWriter.
func (w *captureWriter) WriteString(s string) (int, error) {
	n, err := w.ResponseWriter.WriteString(s)
	w.buf.WriteString(s[:n])
	return n, err
}

func (a *API) logIdempotencyError(ctx context.Context, c *gin.Context, op string, err error) {
	a.log.LogAttrs(ctx, slog.LevelError, "idempotency "+op+" failed",
		slog.String("request_id", c.GetString(ctxRequestID)),
		slog.String("error", errorText(err)),
	)
}
