package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
)

const (
	headerIdempotencyKey      = "Idempotency-Key"
	headerIdempotencyReplayed = "Idempotent-Replayed"
	// maxIdempotencyKey is the longest key accepted, as the service's rule.
	maxIdempotencyKey = 255
)

// idempotent makes a write carrying an Idempotency-Key safe to retry: the
// first request with a key runs and its response (unless a server error) is
// stored; a retry with the same key and the same method, path and body gets
// that response again; the same key with another request is rejected. Keys
// are scoped to the authenticated organisation. Requests without the header
// run as usual.
func (a *API) idempotent(c *gin.Context) {
	key := strings.TrimSpace(c.GetHeader(headerIdempotencyKey))
	if key == "" || a.svc.Idempotency == nil {
		c.Next()
		return
	}
	if err := checkIdempotencyKey(key); err != nil {
		a.fail(c, err)
		return
	}
	b, err := a.body(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	p, _ := principalOf(c)
	ctx := c.Request.Context()
	replay, err := a.svc.Idempotency.Begin(ctx, p.Org.ID, key, fingerprint(c.Request.Method, c.Request.URL.Path, b))
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

	if status := w.Status(); status >= http.StatusInternalServerError {
		a.abandon(bg, c, p.Org.ID, key)
	} else if err := a.svc.Idempotency.Finish(bg, p.Org.ID, key, status, w.buf.Bytes()); err != nil {
		a.logIdempotencyError(bg, c, "finish", err)
	}
}

// abandon releases key so that a retry runs again: server errors and
// panics are not replayed.
func (a *API) abandon(ctx context.Context, c *gin.Context, org tenant.OrgID, key string) {
	if err := a.svc.Idempotency.Abandon(ctx, org, key); err != nil {
		a.logIdempotencyError(ctx, c, "abandon", err)
	}
}

// checkIdempotencyKey applies the service's rule at the edge, so that a bad
// key is a 400 before any work: 1 to 255 printable ASCII characters without
// spaces.
func checkIdempotencyKey(key string) error {
	if len(key) > maxIdempotencyKey {
		return fault.InvalidField(headerIdempotencyKey, "length", reasonIdemInvalid, "Idempotency-Key must be 1 to 255 characters")
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return fault.InvalidField(headerIdempotencyKey, "pattern", reasonIdemInvalid, "Idempotency-Key must be printable ASCII without spaces")
		}
	}
	return nil
}

// fingerprint identifies a request by method, path and body. Each part is
// length-prefixed so that no two different requests share an encoding.
func fingerprint(method, path string, body []byte) []byte {
	h := sha256.New()
	for _, part := range [][]byte{[]byte(method), []byte(path), body} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		h.Write(n[:])
		h.Write(part)
	}
	return h.Sum(nil)
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
