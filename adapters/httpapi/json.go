package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"

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

// decodeJSON reads the body into v, a pointer to a request struct. Unknown
// fields are ignored, as integrators add fields of their own; everything
// else that does not fit v is Invalid INVALID_JSON with a message that says
// what is wrong and where.
func (a *API) decodeJSON(c *gin.Context, v any) error {
	b, err := a.body(c)
	if err != nil {
		return err
	}
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		return fault.New(fault.Invalid, reasonInvalidJSON, "request body is empty; a JSON object is expected")
	}
	// json.Unmarshal accepts null, arrays or strings into a struct in
	// various ways; the contract only knows objects.
	if trimmed[0] != '{' {
		return fault.New(fault.Invalid, reasonInvalidJSON, "request body must be a JSON object")
	}
	if err := json.Unmarshal(trimmed, v); err != nil {
		return jsonError(err, reflect.TypeOf(v))
	}
	return nil
}

// jsonError explains a json.Unmarshal error in a client's terms; target is
// the type decoded into, used to tell a wrong array element from a wrong
// field.
func jsonError(err error, target reflect.Type) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fault.Errorf(fault.Invalid, reasonInvalidJSON,
			"request body is not valid JSON: %s (at byte %d)", syn.Error(), syn.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		if ft, ok := fieldType(target, typ.Field); ok && ft.Kind() == reflect.Slice && ft.Elem() == typ.Type {
			return fault.Errorf(fault.Invalid, reasonInvalidJSON,
				"field %s must be %s, but it contains a JSON %s", typ.Field, describeType(ft), typ.Value)
		}
		return fault.Errorf(fault.Invalid, reasonInvalidJSON,
			"field %s must be %s, not a JSON %s", typ.Field, describeType(typ.Type), typ.Value)
	case errors.As(err, &typ):
		return fault.New(fault.Invalid, reasonInvalidJSON, "request body must be a JSON object")
	}
	return fault.Errorf(fault.Invalid, reasonInvalidJSON, "request body is not valid JSON: %v", err)
}

// fieldType returns the type of the field of struct type t (or pointer to
// it) whose JSON name is name.
func fieldType(t reflect.Type, name string) (reflect.Type, bool) {
	if t == nil {
		return nil, false
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil, false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == name {
			return f.Type, true
		}
	}
	return nil, false
}

// describeType names a Go field type the way a JSON client thinks of it.
func describeType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array of " + plural(t.Elem())
	case reflect.Pointer:
		return describeType(t.Elem())
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return fmt.Sprintf("a %s", t)
}

func plural(t reflect.Type) string {
	switch d := describeType(t); d {
	case "an integer":
		return "integers"
	case "an object":
		return "objects"
	default:
		// "a string" -> "strings", "a number" -> "numbers", ...
		if len(d) > 2 && d[:2] == "a " {
			return d[2:] + "s"
		}
		return d
	}
}
