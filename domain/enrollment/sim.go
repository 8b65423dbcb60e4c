package enrollment

import (
	"fmt"

	"github.com/allot-io/allot/domain/fault"
)

// SIMItemCode is the item code of the series an organisation keeps its SIM
// stock (ICCIDs) in. An organisation keeps SIM stock when it has such a
// series; then every line's SIM must be in it, and one line holds it.
const SIMItemCode = "SIM"

// Reasons of the SIM rules.
const (
	ReasonSIMNotInStock = "SIM_NOT_IN_STOCK"
	ReasonSIMInUse      = "SIM_IN_USE"
)

// SIMOf returns the SIM (ICCID) line l claims and the field that named it:
// sim (v2) or uiccid (the multiline action); "" when it names none.
func SIMOf(l Line) (iccid, field string) {
	if v := l.SIM(); v != "" {
		return v, "sim"
	}
	if v := l.Device().UICCID; v != "" {
		return v, "uiccid"
	}
	return "", ""
}

// SIMNotInStock is the error of line (1-based, of lines) whose SIM is in
// none of the organisation's SIM series.
func SIMNotInStock(line, lines int, iccid, field string) error {
	return simError(fault.Invalid, ReasonSIMNotInStock, line, lines, field,
		fmt.Sprintf("the SIM %s is not in the organisation's SIM stock", iccid))
}

// SIMInUse is the error of line (1-based, of lines) whose SIM another line
// holds, of this request or an earlier one.
func SIMInUse(line, lines int, iccid, field string) error {
	return simError(fault.Conflict, ReasonSIMInUse, line, lines, field,
		fmt.Sprintf("the SIM %s is held by another line", iccid))
}

func simError(code fault.Code, reason string, line, lines int, field, msg string) error {
	vmsg := LinePrefixed(lines > 1, line, msg)
	return &fault.Error{Code: code, Reason: reason, Message: msg,
		Violations: []fault.Violation{{Line: line, Field: field, Rule: "available SIM", Reason: reason, Message: vmsg}}}
}

// DuplicateSIM returns SIMInUse for the first of lines that claims a SIM
// an earlier line of the same request claims, nil when none does.
func DuplicateSIM(lines []Line) error {
	seen := make(map[string]bool, len(lines))
	for i, l := range lines {
		iccid, field := SIMOf(l)
		if iccid == "" {
			continue
		}
		if seen[iccid] {
			return SIMInUse(i+1, len(lines), iccid, field)
		}
		seen[iccid] = true
	}
	return nil
}

// ReleasesStock reports whether a line reaching status to gives its SIM
// back to stock: a cancelled line holds nothing.
func ReleasesStock(to LineStatus) bool { return to == StatusCancelled }
