package enrollment

import (
	"fmt"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
)

// SIMItemCode is the item code of the series an organisation keeps its SIM
// stock (ICCIDs) in. An organisation keeps SIM stock when its sim-stock
// setting is on (tenant.Settings.SIMStock); then every line's SIM must be
// an available number of such a series, and the line consumes it.
const SIMItemCode = "SIM"

// Reasons of the SIM rules.
const (
	ReasonSIMNotInStock = "SIM_NOT_IN_STOCK"
	ReasonSIMInUse      = "SIM_IN_USE"
	ReasonSIMInvalid    = "SIM_INVALID"
)

// The lengths of an ICCID (ITU-T E.118), its Luhn check digit included.
const (
	ICCIDMinDigits = 19
	ICCIDMaxDigits = 20
)

// SIMOf returns the SIM (ICCID) line l claims and the field that named it:
// sim (v2), uiccid (the multiline action), or, when neither is given, esn
// (a handover line's device); "" when it names none.
func SIMOf(l Line) (iccid, field string) {
	if v := l.SIM(); v != "" {
		return v, "sim"
	}
	if v := l.Device().UICCID; v != "" {
		return v, "uiccid"
	}
	if v := l.Device().ESN; v != "" {
		return v, "esn"
	}
	return "", ""
}

// CheckICCID returns the Invalid SIM_INVALID error of line (1-based, of
// lines) unless iccid, named by field, is an ICCID: 19 or 20 digits whose
// last is its Luhn check digit. A SIM of an organisation keeping SIM stock
// must be one.
func CheckICCID(line, lines int, iccid, field string) error {
	ok := len(iccid) >= ICCIDMinDigits && len(iccid) <= ICCIDMaxDigits && series.LuhnValid(iccid)
	if ok {
		return nil
	}
	return simError(fault.Invalid, ReasonSIMInvalid, line, lines, field,
		fmt.Sprintf("the SIM %s is not an ICCID (%d to %d digits ending in a Luhn check digit)", iccid, ICCIDMinDigits, ICCIDMaxDigits))
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
// and MDN back to stock: a cancelled line holds nothing.
func ReleasesStock(to LineStatus) bool { return to == StatusCancelled }

// StockReference is the reference with which the line of enrollmentID
// consumes its SIM and MDN in the organisation's number series, so that the
// series' history names the line and only that line releases them.
func StockReference(enrollmentID string) string { return "line " + enrollmentID }

// StockActor is the actor of the lifecycle's changes to a line's stock.
const StockActor series.Actor = "lifecycle"
