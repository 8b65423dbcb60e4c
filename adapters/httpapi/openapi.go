package httpapi

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// The OpenAPI 3.0 documents of the two APIs. They are the contract the
// adapter's tests hold every request and response to (see
// openapi_check_test.go), so they change with the code, in the same commit.
const (
	SeriesOpenAPIPath = "/openapi/series.json"
	BSSOpenAPIPath    = "/openapi/bss.json"
)

//go:embed openapi/series.json openapi/bss.json
var openapiFiles embed.FS

// openapiCacheControl lets clients and proxies keep a document for an hour;
// the ETag makes revalidation after that cheap. The documents change only
// with the binary.
const openapiCacheControl = "public, max-age=3600"

// apiDocument is one embedded document, served as is.
type apiDocument struct {
	body []byte
	etag string
}

func loadDocument(name string) apiDocument {
	b, err := openapiFiles.ReadFile(name)
	if err != nil {
		// The files are embedded at build time; a missing one is a
		// build defect, not a runtime condition.
		panic("httpapi: embedded " + name + ": " + err.Error())
	}
	sum := sha256.Sum256(b)
	return apiDocument{body: b, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
}

// SeriesOpenAPI returns the OpenAPI 3.0 document of the series API.
func SeriesOpenAPI() []byte { return loadDocument("openapi/series.json").body }

// BSSOpenAPI returns the OpenAPI 3.0 document of the BSS API.
func BSSOpenAPI() []byte { return loadDocument("openapi/bss.json").body }

// openapiRoutes serves the documents without authentication: they describe
// the APIs and hold no secret.
func (a *API) openapiRoutes(e *gin.Engine) {
	e.GET(SeriesOpenAPIPath, serveDocument(loadDocument("openapi/series.json")))
	e.GET(BSSOpenAPIPath, serveDocument(loadDocument("openapi/bss.json")))
}

func serveDocument(d apiDocument) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Cache-Control", openapiCacheControl)
		c.Header("ETag", d.etag)
		if etagMatches(c.GetHeader("If-None-Match"), d.etag) {
			c.Status(http.StatusNotModified)
			return
		}
		c.Data(http.StatusOK, gin.MIMEJSON+"; charset=utf-8", d.body)
	}
}

// etagMatches reports whether an If-None-Match header names etag (or is
// "*"), comparing weakly as RFC 9110 requires for If-None-Match.
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
