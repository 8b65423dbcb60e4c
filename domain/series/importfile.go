package series

import (
	"fmt"
	"slices"
	"strings"

	"github.com/allot-io/allot/domain/fault"
)

// ImportColumns are the columns of a series import file, in the order the
// header names them.
var ImportColumns = []string{"owner_type", "owner_code", "start", "end", "item_code", "type", "service_types", "check_digit"}

// requiredImportColumns must be in every import file's header.
var requiredImportColumns = []string{"owner_type", "owner_code", "start", "end", "item_code"}

// Reasons of the import file.
const (
	ReasonImportHeader     = "INVALID_IMPORT_HEADER"
	ReasonInvalidOwnerKind = "INVALID_OWNER_TYPE"
	ReasonImportOverlap    = "SERIES_OVERLAP_IN_FILE"
)

// CheckImportHeader reports, as an Invalid fault.Error, a header that lacks
// a required column, repeats one or names one not in ImportColumns. Names
// compare case-insensitively, ignoring surrounding blanks.
func CheckImportHeader(header []string) error {
	seen := map[string]bool{}
	var vs fault.Violations
	for _, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case !slices.Contains(ImportColumns, h):
			vs.Add(fault.Violation{Line: 1, Field: h, Rule: "column", Reason: ReasonImportHeader,
				Message: fmt.Sprintf("line 1: column %q is not one of %s", h, strings.Join(ImportColumns, ","))})
		case seen[h]:
			vs.Add(fault.Violation{Line: 1, Field: h, Rule: "column", Reason: ReasonImportHeader, Message: fmt.Sprintf("line 1: column %q appears twice", h)})
		}
		seen[h] = true
	}
	for _, r := range requiredImportColumns {
		if !seen[r] {
			vs.Add(fault.Violation{Line: 1, Field: r, Rule: "column", Reason: ReasonImportHeader, Message: fmt.Sprintf("line 1: the header lacks column %q", r)})
		}
	}
	return vs.Err()
}

// ImportSpec turns one row of an import file, keyed by column name, into
// the Spec it asks for: owner_type customer, hub (the API's client_code
// or hub_code) or global (with no owner_code), service types separated by ';'.
func ImportSpec(row map[string]string) (Spec, error) {
	spec := Spec{
		Start:      row["start"],
		End:        row["end"],
		ItemCode:   row["item_code"],
		Type:       row["type"],
		CheckDigit: row["check_digit"],
	}
	code := strings.TrimSpace(row["owner_code"])
	switch OwnerKind(strings.ToLower(strings.TrimSpace(row["owner_type"]))) {
	case Customer:
		spec.ClientCode = code
	case Hub:
		spec.HubCode = code
	case Global:
		// A code on a global row is refused by Validate, as the API does.
		spec.Global, spec.ClientCode = true, code
	default:
		return Spec{}, fault.InvalidField("owner_type", "enum", ReasonInvalidOwnerKind,
			fmt.Sprintf("owner_type %q is not allowed; allowed values are customer, hub, global", row["owner_type"]))
	}
	for _, st := range strings.Split(row["service_types"], ";") {
		if st = strings.TrimSpace(st); st != "" {
			spec.ServiceTypes = append(spec.ServiceTypes, st)
		}
	}
	return spec, nil
}

// InFileOverlaps reports, one violation per line, the ranges of an import
// file that overlap a range of an earlier line (lines[i] is the line of
// ranges[i]; zero ranges are skipped).
func InFileOverlaps(ranges []Range, lines []int) []fault.Violation {
	idx := NewIndex()
	lineOf := map[Range]int{}
	var out []fault.Violation
	for i, r := range ranges {
		if r.IsZero() {
			continue
		}
		if got, ok := idx.Overlapping(r); ok {
			out = append(out, fault.Violation{Line: lines[i], Field: "start", Rule: "overlap", Reason: ReasonImportOverlap,
				Message: fmt.Sprintf("series %s overlaps series %s of line %d", r, got, lineOf[got])})
			continue
		}
		_ = idx.Insert(r)
		lineOf[r] = lines[i]
	}
	return out
}
