package httpapi

import (
	"bytes"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/fault"
)

// body returns the request body, read once and kept on the context, because
// both the idempotency fingerprint and the handler need it. A body over the
// limit is Invalid PAYLOAD_TOO_LARGE (413 through the table).
func (a *API) body(c *gin.Context) ([]byte, error) {
	if v, ok := c.Get(ctxBody); ok {
		return v.([]byte), nil
	}
	var b []byte
	if c.Request.Body != nil {
		// Sized from Content-Length (never beyond the limit), so that
		// reading a large body costs one buffer, not a doubling series.
		var buf bytes.Buffer
		if n := c.Request.ContentLength; n > 0 {
			buf.Grow(int(min(n, a.cfg.MaxBodyBytes)) + bytes.MinRead)
		}
		_, err := buf.ReadFrom(c.Request.Body)
		b = buf.Bytes()
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return nil, fault.Errorf(fault.Invalid, reasonPayloadTooLarge,
					"request body is larger than the limit of %d bytes", tooLarge.Limit)
			}
			return nil, fault.New(fault.Invalid, reasonInvalidJSON, "request body could not be read")
		}
	}
	c.Set(ctxBody, b)
	return b, nil
}
