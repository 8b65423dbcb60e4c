package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/text"
)

// maxDecodedLines bounds the lines of one request the adapter decodes. The
// service refuses more than its configured maximum (enrollment.Limits,
// default 10) anyway; this bound, far above any sensible configuration,
// keeps a body of a million "{}" from costing a LineInput each first.
const maxDecodedLines = 1000

// bssObject is a request body's JSON object, its values still raw.
type bssObject map[string]json.RawMessage

// bssObjectBody reads the body as a JSON object. Anything else (empty,
// malformed, an array, a string, null) is Invalid INVALID_JSON, which the
// BSS table answers "Invalid method" (RESTAPI108); a body over the limit is
// PAYLOAD_TOO_LARGE (413).
func (a *API) bssObjectBody(c *gin.Context) (bssObject, error) {
	b, err := a.body(c)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, fault.New(fault.Invalid, reasonInvalidJSON, "request body must be a JSON object")
	}
	var obj bssObject
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, fault.New(fault.Invalid, reasonInvalidJSON, "request body is not valid JSON")
	}
	return obj, nil
}

// text returns field name as the text the domain expects (see scalarText);
// a value that is not a scalar adds a violation to vs and yields "".
func (o bssObject) text(name string, vs *fault.Violations) string {
	return o.lineText(0, false, name, vs)
}

// lineText is text for field name of line n (1-based; 0 for the top
// level); in a request of several lines the message names the line, as the
// domain's messages do.
func (o bssObject) lineText(n int, multi bool, name string, vs *fault.Violations) string {
	raw, ok := o[name]
	if !ok {
		return ""
	}
	s, ok := scalarText(raw)
	if !ok {
		msg := name + " should be a text value"
		msg = enrollment.LinePrefixed(multi, n, msg)
		vs.Add(fault.Violation{Line: n, Field: name, Rule: "type", Reason: reasonNotText, Message: msg})
		return s
	}
	// The one check of control characters for every BSS field: none may
	// reach the rules or the store (PostgreSQL refuses U+0000 outright).
	if text.HasControl(s) {
		msg := name + " must not contain control characters"
		msg = enrollment.LinePrefixed(multi, n, msg)
		vs.Add(fault.Violation{Line: n, Field: name, Rule: "pattern", Reason: reasonControlChar, Message: msg})
		return ""
	}
	return s
}

// scalarText turns a JSON scalar into text: null becomes "" (as an absent
// field does), a string itself, a number its decimal text as sent, a
// boolean "true" or "false". ok is false for an object or an array.
//
// The scalars requests are made of (a line has some 36) are read without a
// decoder when their text is their value (plainScalar); the rest go
// through one (decodedScalar), which a fuzz test holds the two to.
func scalarText(raw json.RawMessage) (s string, ok bool) {
	if s, ok := plainScalar(bytes.TrimSpace(raw)); ok {
		return s, true
	}
	return decodedScalar(raw)
}

// decodedScalar is scalarText through a json.Decoder.
func decodedScalar(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", true
	}
	if raw[0] == '{' || raw[0] == '[' {
		return "", false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", false
	}
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

// plainScalar returns the text of raw, a JSON scalar, when it can be read
// off the bytes exactly as a decoder would read it: a string with no
// escape and valid UTF-8, null, true, false, or a number (its text as
// sent). ok is false for anything else.
func plainScalar(raw []byte) (string, bool) {
	if len(raw) == 0 {
		return "", false
	}
	switch c := raw[0]; {
	case c == '"':
		if len(raw) < 2 || raw[len(raw)-1] != '"' {
			return "", false
		}
		body := raw[1 : len(raw)-1]
		for _, b := range body {
			if b == '\\' || b == '"' || b < 0x20 {
				return "", false
			}
		}
		if !utf8.Valid(body) {
			return "", false
		}
		return string(body), true
	case string(raw) == "null":
		return "", true
	case string(raw) == "true" || string(raw) == "false":
		return string(raw), true
	case c == '-' || (c >= '0' && c <= '9'):
		// json.Number's text is the literal; a malformed one is left to
		// the decoder, which rejects it.
		if json.Valid(raw) {
			return string(raw), true
		}
	}
	return "", false
}

// bssRequest is a call's body: the object, its top-level fields decoded
// into a RequestInput, and the violations of decoding so far. The top level
// is decoded through the domain's own table of names for every action,
// since agent_id, agent_password, source and external_transaction_id are
// common to all; so a nested object in, say, invoice_number is reported on
// plan_list too, which costs nothing and keeps the names in one list.
type bssRequest struct {
	obj bssObject
	in  enrollment.RequestInput
	vs  fault.Violations
}

func newBSSRequest(obj bssObject) *bssRequest {
	r := &bssRequest{obj: obj}
	for _, f := range enrollment.RequestFields() {
		if _, present := obj[f.JSON]; present {
			r.in.Set(f.JSON, obj.text(f.JSON, &r.vs))
		}
	}
	return r
}

// text decodes a top-level field the domain's table does not list.
func (r *bssRequest) text(name string) string {
	return r.obj.text(name, &r.vs)
}

// decodeLines fills r.in.Lines from the "lines" array, through the domain's
// table of line fields. Absent or null means no line (the service then
// says one is required); anything but an array of objects is a violation.
func (r *bssRequest) decodeLines() {
	raw, ok := r.obj[enrollment.LinesField]
	if !ok {
		return
	}
	raw = bytes.TrimSpace(raw)
	if bytes.Equal(raw, []byte("null")) {
		return
	}
	notArray := fault.Violation{Field: enrollment.LinesField, Rule: "type", Reason: reasonInvalidLines,
		Message: enrollment.LinesField + " should be an array of objects"}
	var items []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		r.vs.Add(notArray)
		return
	}
	if len(items) > maxDecodedLines {
		r.vs.Add(fault.Violation{Field: enrollment.LinesField, Rule: enrollment.RuleMaxLines, Reason: enrollment.ReasonTooManyLines,
			Message: fmt.Sprintf("At most %d lines are allowed in one request; %d were sent", maxDecodedLines, len(items))})
		return
	}
	objs := make([]bssObject, len(items))
	for i, item := range items {
		item = bytes.TrimSpace(item)
		// Unmarshal would take null as an empty object.
		if len(item) == 0 || item[0] != '{' || json.Unmarshal(item, &objs[i]) != nil {
			r.vs.Add(notArray)
			return
		}
	}
	specs := enrollment.LineFields()
	groups := enrollment.LineGroups()
	multi := len(objs) > 1
	r.in.Lines = make([]enrollment.LineInput, len(objs))
	for i, o := range objs {
		for _, f := range specs {
			if _, present := o[f.JSON]; present {
				r.in.Lines[i].Set(f.JSON, o.lineText(i+1, multi, f.JSON, &r.vs))
			}
		}
		// Nested objects after the flat fields, which win when both are sent.
		for _, g := range groups {
			if raw, present := o[g.JSON]; present {
				r.decodeGroup(&r.in.Lines[i], i+1, multi, g, raw)
			}
		}
	}
}

// decodeGroup fills l from the nested object raw of group g (an address
// such as service_address), through the domain's table of its members.
// null is no object; anything but an object is a violation.
func (r *bssRequest) decodeGroup(l *enrollment.LineInput, n int, multi bool, g enrollment.GroupSpec, raw json.RawMessage) {
	raw = bytes.TrimSpace(raw)
	if bytes.Equal(raw, []byte("null")) {
		return
	}
	var obj bssObject
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &obj) != nil {
		msg := g.JSON + " should be an object"
		msg = enrollment.LinePrefixed(multi, n, msg)
		r.vs.Add(fault.Violation{Line: n, Field: g.JSON, Rule: "type", Reason: reasonNotObject, Message: msg})
		return
	}
	for _, m := range g.Members {
		if _, present := obj[m]; present {
			l.SetMember(g.JSON, m, obj.lineText(n, multi, m, &r.vs))
		}
	}
}

// echoable returns the client's external_transaction_id when it may be
// echoed: letters and digits only, as the contract defines it, and not too
// long; "" otherwise, so that nothing a client sends can inject arbitrary
// text into a response.
func echoable(id string) string {
	if id == "" || len(id) > enrollment.MaxExternalTransactionID {
		return ""
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') {
			return ""
		}
	}
	return id
}

// planJSON is one plan of plan_list: every field of the vendor's export,
// named and ordered by the domain's table (enrollment.PlanFieldNames), a
// JSON string each, lists (carrier, display_features_description, ...) as
// arrays of strings, as the export shows them.
type planJSON []enrollment.PlanField

// MarshalJSON writes the fields in their order.
func (p planJSON) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range p {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(f.Name)
		if err != nil {
			return nil, err
		}
		var v []byte
		if f.IsList {
			list := f.List
			if list == nil {
				list = []string{}
			}
			v, err = json.Marshal(list)
		} else {
			v, err = json.Marshal(f.Text)
		}
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// plansJSON is plan_list's data. An empty list is [], never null: clients
// iterate it.
func plansJSON(plans []enrollment.Plan) []planJSON {
	out := make([]planJSON, 0, len(plans))
	for _, p := range plans {
		out = append(out, planJSON(p.Fields()))
	}
	return out
}
