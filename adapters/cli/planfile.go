package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
)

// maxPlanFile bounds a plan import file: a catalogue is small, and the
// whole file is read before anything is written.
const maxPlanFile = 32 << 20

// readPlanFile reads the plan import file at path: a JSON array of objects
// or a CSV file with a header, told apart by the first character ('['
// starts JSON). It only reads the file into rows keyed by the vendor's
// field names; enrollment.ParsePlanRows applies the rules. Each row's
// Where is "FILE:LINE" for CSV and "FILE[INDEX]" for JSON (0-based, as the
// array is indexed).
func readPlanFile(path string) ([]enrollment.PlanRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPlanFile+1))
	if err != nil {
		return nil, fileError(path, err)
	}
	if len(b) > maxPlanFile {
		return nil, fault.Errorf(fault.Invalid, reasonInvalidFile, "%s is larger than %d MiB", path, maxPlanFile>>20)
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // a spreadsheet's byte-order mark
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '[' {
		return parsePlanJSON(path, t)
	}
	return parsePlanCSV(path, bytes.NewReader(b))
}

// parsePlanJSON reads an array of objects. A value may be a string, an
// array of strings (the list fields), a number or boolean (taken as its
// literal text) or null (absent); anything else is reported at its item.
func parsePlanJSON(name string, b []byte) ([]enrollment.PlanRow, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(b, &items); err != nil {
		return nil, fault.Errorf(fault.Invalid, reasonInvalidFile, "%s is not a JSON array of plan objects: %v", name, err)
	}
	var vs fault.Violations
	rows := make([]enrollment.PlanRow, 0, len(items))
	for i, item := range items {
		where := fmt.Sprintf("%s[%d]", name, i)
		var obj map[string]json.RawMessage
		if t := bytes.TrimSpace(item); len(t) == 0 || t[0] != '{' || json.Unmarshal(t, &obj) != nil {
			vs.Add(fault.Violation{Line: i, Reason: reasonInvalidFile, Message: where + ": should be an object of plan fields"})
			continue
		}
		row := enrollment.PlanRow{Where: where, Line: i, Values: map[string]enrollment.PlanValue{}}
		for k, raw := range obj {
			v, ok := planJSONValue(raw)
			if !ok {
				vs.Add(fault.Violation{Line: i, Field: k, Reason: reasonInvalidFile,
					Message: fmt.Sprintf("%s: %s should be a string or a list of strings", where, k)})
				continue
			}
			if v != nil {
				row.Values[k] = *v
			}
		}
		rows = append(rows, row)
	}
	return rows, vs.Err()
}

// planJSONValue decodes one value; nil for null.
func planJSONValue(raw json.RawMessage) (*enrollment.PlanValue, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, false
	}
	switch raw[0] {
	case 'n':
		return nil, string(raw) == "null"
	case '[':
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return nil, false
		}
		v := &enrollment.PlanValue{IsList: true, List: make([]string, 0, len(items))}
		for _, it := range items {
			s, ok := scalarText(it)
			if !ok {
				return nil, false
			}
			v.List = append(v.List, s)
		}
		return v, true
	}
	s, ok := scalarText(raw)
	if !ok {
		return nil, false
	}
	return &enrollment.PlanValue{Text: s}, true
}

// scalarText returns a string's value, or a number's or boolean's literal
// (a JSON number keeps its exact digits: "15.75" stays 15.75).
func scalarText(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false
	}
	switch c := raw[0]; {
	case c == '"':
		var s string
		return s, json.Unmarshal(raw, &s) == nil
	case c == 't' || c == 'f':
		return string(raw), string(raw) == "true" || string(raw) == "false"
	case c == '-' || (c >= '0' && c <= '9'):
		return string(raw), json.Valid(raw)
	}
	return "", false
}

// parsePlanCSV reads a header of field names (checked by
// enrollment.CheckPlanFieldNames; spaces around a name are ignored) and
// one plan per row. A list field's cell separates its items with
// enrollment.PlanListSeparator. Rows with the wrong number of cells are
// reported with their line.
func parsePlanCSV(name string, r io.Reader) ([]enrollment.PlanRow, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fault.Errorf(fault.Invalid, reasonInvalidFile,
			"%s is empty; its first line must be a header of plan field names, e.g. plan_id,plan_name,plan_price", name)
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	if err := enrollment.CheckPlanFieldNames(header); err != nil {
		hl, _ := cr.FieldPos(0)
		var vs fault.Violations
		for _, v := range violationsOf(err) {
			v.Message = fmt.Sprintf("%s:%d: header: %s", name, hl, v.Message)
			vs.Add(v)
		}
		return nil, vs.Err()
	}
	var (
		rows []enrollment.PlanRow
		vs   fault.Violations
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			vs.Add(fault.Violation{Line: pe.Line, Reason: reasonInvalidFile, Message: fmt.Sprintf("%s:%d: %v", name, pe.Line, pe.Err)})
			continue
		}
		if err != nil {
			return nil, fileError(name, err)
		}
		line, _ := cr.FieldPos(0)
		where := fmt.Sprintf("%s:%d", name, line)
		if len(rec) != len(header) {
			vs.Add(fault.Violation{Line: line, Reason: reasonInvalidFile,
				Message: fmt.Sprintf("%s: want %d cells, one per header field, got %d", where, len(header), len(rec))})
			continue
		}
		row := enrollment.PlanRow{Where: where, Line: line, Values: make(map[string]enrollment.PlanValue, len(rec))}
		for i, cell := range rec {
			row.Values[header[i]] = enrollment.PlanValue{Text: cell}
		}
		rows = append(rows, row)
	}
	if err := vs.Err(); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fault.Errorf(fault.Invalid, reasonInvalidFile, "%s has a header but no plans; add one row per plan", name)
	}
	return rows, nil
}

// plainViolations returns err with its violations reduced to their
// messages, which already say where (file and line or index), which field
// and which rule: the CLI's report would otherwise repeat the line and the
// field in front of each.
func plainViolations(err error) error {
	fe, ok := fault.As(err)
	if !ok || len(fe.Violations) == 0 {
		return err
	}
	out := *fe
	out.Violations = make([]fault.Violation, len(fe.Violations))
	for i, v := range fe.Violations {
		out.Violations[i] = fault.Violation{Rule: v.Rule, Reason: v.Reason, Message: v.Message}
	}
	return &out
}
