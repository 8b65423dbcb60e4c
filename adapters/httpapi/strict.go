package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/text"
)

// The series API's request bodies are decoded strictly, token by token,
// against a list of the fields each request knows:
//   - a key given twice is a 400 naming it (a lenient decoder lets the
//     last one win, so "client_code" could be smuggled past a proxy that
//     reads the first);
//   - a key that differs from a known one only in case ("START") is a 400
//     naming it and the key meant; other unknown keys are ignored, as
//     integrators add fields of their own;
//   - text is taken as sent: no value is trimmed (surrounding spaces are a
//     400 naming the field), and a control character (U+0000 included) is
//     the field's ordinary 400, checked here once for every field;
//   - a series number may be a JSON string or a digits-only JSON integer,
//     whose digits are taken exactly from the token (never through a float,
//     so a 20-digit ICCID keeps every digit);
//   - an array holds at most its field's maximum of elements, checked while
//     decoding, so that no body makes the server allocate a value per
//     element beyond it.

// Reasons of strict decoding.
const (
	reasonDuplicateKey = "DUPLICATE_KEY"
	reasonKeyCase      = "UNKNOWN_KEY_CASE"
)

// fieldKind is the JSON shape a field accepts.
type fieldKind uint8

const (
	kindText    fieldKind = iota + 1 // a string (null: absent)
	kindNumber                       // a string, or a digits-only integer taken as its digits
	kindTexts                        // an array of strings (null: absent)
	kindInt                          // an integer in int64 (null: absent)
	kindInts                         // an array of integers in int64 (null: absent)
	kindIntText                      // an integer, kept as its digits for the domain to judge
	kindNumbers                      // an array of kindNumber values (null: absent)
	kindBool                         // true or false (null: absent)
)

// strictField is one known field of a request and where its value goes.
type strictField struct {
	name string
	kind fieldKind
	// reason is the field's ordinary reason for an invalid value, used for
	// control characters and surrounding spaces.
	reason string
	// max bounds the elements of an array field.
	max int
	// maxReason and maxMessage describe an array over max.
	maxReason, maxMessage string

	text  *string
	texts *[]string
	num   **int64
	nums  *[]int64
	flag  *bool
}

// decodeStrict reads the request body as one JSON object into fields.
func (a *API) decodeStrict(c *gin.Context, fields []strictField) error {
	b, err := a.body(c)
	if err != nil {
		return err
	}
	return decodeStrictBytes(b, fields)
}

// decodeStrictBytes is decodeStrict over a body already read; every error
// is Invalid (400).
func decodeStrictBytes(b []byte, fields []strictField) error {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		return fault.New(fault.Invalid, reasonInvalidJSON, "request body is empty; a JSON object is expected")
	}
	if trimmed[0] != '{' {
		return fault.New(fault.Invalid, reasonInvalidJSON, "request body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		return syntaxError(err)
	}
	seen := make(map[string]bool, len(fields))
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntaxError(err)
		}
		key, _ := tok.(string)
		f := findField(fields, key)
		if f == nil {
			if meant := foldField(fields, key); meant != nil {
				return fault.InvalidField(key, "key_case", reasonKeyCase, fmt.Sprintf(
					"key %q is not known; keys are case-sensitive: did you mean %q?", clip(key), meant.name))
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return syntaxError(err)
			}
			continue
		}
		if seen[f.name] {
			return fault.InvalidField(f.name, "duplicate", reasonDuplicateKey, fmt.Sprintf("key %q is given more than once", f.name))
		}
		seen[f.name] = true
		if err := f.decode(dec); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return syntaxError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fault.New(fault.Invalid, reasonInvalidJSON, "request body is not valid JSON: there is more after the object")
	}
	return nil
}

func findField(fields []strictField, key string) *strictField {
	for i := range fields {
		if fields[i].name == key {
			return &fields[i]
		}
	}
	return nil
}

func foldField(fields []strictField, key string) *strictField {
	for i := range fields {
		if strings.EqualFold(fields[i].name, key) {
			return &fields[i]
		}
	}
	return nil
}

// clip shortens text echoed back in a message.
func clip(s string) string {
	const n = 64
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

func syntaxError(err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fault.Errorf(fault.Invalid, reasonInvalidJSON, "request body is not valid JSON: %s (at byte %d)", syn.Error(), syn.Offset)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fault.New(fault.Invalid, reasonInvalidJSON, "request body is not valid JSON: it ends early")
	}
	return fault.Errorf(fault.Invalid, reasonInvalidJSON, "request body is not valid JSON: %v", err)
}

// typeError is the 400 of a value of the wrong JSON type.
func (f *strictField) typeError(want string, got json.Token) error {
	return fault.InvalidField(f.name, "type", reasonInvalidJSON, fmt.Sprintf("field %s must be %s, not %s", f.name, want, describeToken(got)))
}

func describeToken(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		if v == '{' {
			return "a JSON object"
		}
		return "a JSON array"
	case string:
		return "a JSON string"
	case json.Number:
		return "a JSON number"
	case bool:
		return "a JSON boolean"
	case nil:
		return "JSON null"
	}
	return "another JSON value"
}

// checkText applies the rules every text value of the series API obeys.
func (f *strictField) checkText(name, s string) error {
	if text.HasControl(s) {
		return fault.InvalidField(name, "pattern", f.reason, name+" must not contain control characters")
	}
	if strings.TrimSpace(s) != s {
		return fault.InvalidField(name, "pattern", f.reason, name+" must not begin or end with spaces")
	}
	return nil
}

func (f *strictField) decode(dec *json.Decoder) error {
	switch f.kind {
	case kindTexts, kindInts, kindNumbers:
		return f.decodeArray(dec)
	}
	tok, err := dec.Token()
	if err != nil {
		return syntaxError(err)
	}
	if d, ok := tok.(json.Delim); ok && (d == '{' || d == '[') {
		return f.typeError(f.want(), tok)
	}
	if tok == nil {
		return nil
	}
	switch f.kind {
	case kindBool:
		b, ok := tok.(bool)
		if !ok {
			return f.typeError("true or false", tok)
		}
		*f.flag = b
	case kindText:
		s, ok := tok.(string)
		if !ok {
			return f.typeError("a string", tok)
		}
		if err := f.checkText(f.name, s); err != nil {
			return err
		}
		*f.text = s
	case kindNumber:
		switch v := tok.(type) {
		case string:
			if err := f.checkText(f.name, v); err != nil {
				return err
			}
			*f.text = v
		case json.Number:
			if !digitsOnly(string(v)) {
				return fault.InvalidField(f.name, "type", reasonInvalidJSON, fmt.Sprintf(
					"field %s must be a series number as a string, or its digits as a whole JSON number, not %s", f.name, clip(string(v))))
			}
			*f.text = string(v)
		default:
			return f.typeError("a string", tok)
		}
	case kindInt, kindIntText:
		v, ok := tok.(json.Number)
		if !ok {
			return f.typeError("an integer", tok)
		}
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return fault.InvalidField(f.name, "type", reasonInvalidJSON, fmt.Sprintf("field %s must be an integer, not the JSON number %s", f.name, clip(string(v))))
		}
		*f.num = &n
	}
	return nil
}

func (f *strictField) want() string {
	switch f.kind {
	case kindInt, kindIntText:
		return "an integer"
	case kindTexts:
		return "an array of strings"
	case kindNumbers:
		return "an array of series numbers"
	case kindInts:
		return "an array of integers"
	case kindBool:
		return "true or false"
	}
	return "a string"
}

func (f *strictField) decodeArray(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return syntaxError(err)
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return f.typeError(f.want(), tok)
	}
	for i := 0; dec.More(); i++ {
		if i >= f.max {
			return fault.InvalidField(f.name, "max_items", f.maxReason, f.maxMessage)
		}
		tok, err := dec.Token()
		if err != nil {
			return syntaxError(err)
		}
		name := fmt.Sprintf("%s[%d]", f.name, i)
		switch f.kind {
		case kindTexts:
			s, ok := tok.(string)
			if !ok {
				return fault.InvalidField(name, "type", reasonInvalidJSON, fmt.Sprintf("field %s must be an array of strings, but it contains %s", f.name, describeToken(tok)))
			}
			if err := f.checkText(name, s); err != nil {
				return err
			}
			*f.texts = append(*f.texts, s)
		case kindNumbers:
			switch v := tok.(type) {
			case string:
				if err := f.checkText(name, v); err != nil {
					return err
				}
				*f.texts = append(*f.texts, v)
			case json.Number:
				if !digitsOnly(string(v)) {
					return fault.InvalidField(name, "type", reasonInvalidJSON, fmt.Sprintf(
						"field %s must hold series numbers as strings, or their digits as whole JSON numbers, not %s", f.name, clip(string(v))))
				}
				*f.texts = append(*f.texts, string(v))
			default:
				return fault.InvalidField(name, "type", reasonInvalidJSON, fmt.Sprintf("field %s must be an array of series numbers, but it contains %s", f.name, describeToken(tok)))
			}
		case kindInts:
			v, ok := tok.(json.Number)
			n, err := strconv.ParseInt(string(v), 10, 64)
			if !ok || err != nil {
				return fault.InvalidField(name, "type", reasonInvalidJSON, fmt.Sprintf("field %s must be an array of integers, but it contains %s", f.name, describeToken(tok)))
			}
			*f.nums = append(*f.nums, n)
		}
	}
	if _, err := dec.Token(); err != nil {
		return syntaxError(err)
	}
	return nil
}

// digitsOnly reports whether s is 1 or more ASCII digits.
func digitsOnly(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
