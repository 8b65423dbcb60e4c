package enrollment

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/allot-io/allot/domain/fault"
)

// Carrier is an entry of an organisation's carrier catalogue: a line's
// carrier and a plan's carriers must be among its codes.
type Carrier struct {
	// Code is upper-case letters and digits, MinCarrier to MaxCarrier long.
	Code      string
	Name      string
	CreatedAt time.Time
}

// MaxCarrierName is the longest carrier name.
const MaxCarrierName = 100

// carrierRule says in words what a carrier code must be.
var carrierRule = fmt.Sprintf("%d to %d letters and digits", MinCarrier, MaxCarrier)

// Reasons and messages of the carrier catalogue.
const (
	// ReasonInvalidCarrier: a carrier code or name is malformed.
	ReasonInvalidCarrier = "INVALID_CARRIER"
	// ReasonUnknownCarrier: a line names a carrier that is not in the
	// organisation's catalogue.
	ReasonUnknownCarrier = "UNKNOWN_CARRIER"
	// RuleKnown: the value is not in the organisation's catalogue
	// (reported by the use case).
	RuleKnown = "known"
)

// seedCarriers are the carrier codes the vendor names (its recorded
// requests and its port-in rules): every organisation starts with them.
var seedCarriers = []Carrier{
	{Code: "TMB", Name: "T-Mobile"},
	{Code: "ATT", Name: "AT&T"},
	{Code: "VERIZON", Name: "Verizon"},
	{Code: "TELGOOATT", Name: "Telgoo AT&T"},
	{Code: "HELIX", Name: "Helix"},
	{Code: "BLUECONNECTS", Name: "BlueConnects"},
	{Code: "BLUECONNECTSATT", Name: "BlueConnects AT&T"},
	{Code: "SPR", Name: "Sprint"},
}

// SeedCarriers returns the carriers every organisation's catalogue starts
// with, a fresh copy each time.
func SeedCarriers() []Carrier { return append([]Carrier(nil), seedCarriers...) }

// validCarrierCode reports whether v, already upper-case, is a carrier
// code: MinCarrier to MaxCarrier ASCII letters and digits.
func validCarrierCode(v string) bool {
	return len(v) >= MinCarrier && len(v) <= MaxCarrier && only(v, isAlnum)
}

// ParseCarrierCode checks and canonicalises (trims, upper-cases) a carrier
// code.
func ParseCarrierCode(s string) (string, error) {
	c := upperTrim(s)
	if !validCarrierCode(c) {
		return "", fault.InvalidField("code", RulePattern, ReasonInvalidCarrier, fmt.Sprintf("carrier code %q should be %s", s, carrierRule))
	}
	return c, nil
}

// NewCarrier validates a catalogue entry: a carrier code and an optional
// name of at most MaxCarrierName printable characters.
func NewCarrier(code, name string) (Carrier, error) {
	c, err := ParseCarrierCode(code)
	var vs fault.Violations
	if fe, ok := fault.As(err); ok {
		vs = append(vs, fe.Violations...)
	}
	name = strings.TrimSpace(name)
	if !printable(MaxCarrierName)(name) {
		vs.Add(fault.Violation{Field: "name", Rule: RuleMaxLength, Reason: ReasonInvalidCarrier,
			Message: fmt.Sprintf("carrier name should be at most %d characters without control characters", MaxCarrierName)})
	}
	return Carrier{Code: c, Name: name}, vs.Err()
}

// carrierCode is the line check of carrier: the same rule as the
// catalogue's codes, so that every code the catalogue can hold passes.
func carrierCode(label, v string, bad func(rule, msg string)) {
	if !validCarrierCode(v) {
		bad(RulePattern, label+" should be "+carrierRule)
	}
}

// CarrierUnknown returns the violation of line n whose carrier is not in
// the organisation's carrier catalogue.
func (r Request) CarrierUnknown(n int, code string) fault.Violation {
	return r.LineViolation(n, lineFields[fCarrier].json, RuleKnown, ReasonUnknownCarrier,
		fmt.Sprintf("Carrier %s is not one of the organisation's carriers", code))
}

// UnknownPlanCarriers returns a violation, at row, for every carrier of p
// that is not among known (the organisation's carrier codes).
func UnknownPlanCarriers(row PlanRow, p Plan, known []string) []fault.Violation {
	var out []fault.Violation
	for _, c := range p.Carriers {
		if slices.Contains(known, c) {
			continue
		}
		msg := fmt.Sprintf("carrier %s is not one of the organisation's carriers (allot carrier list)", c)
		if row.Where != "" {
			msg = row.Where + ": " + msg
		}
		out = append(out, fault.Violation{Line: row.Line, Field: "carrier", Rule: RuleKnown, Reason: ReasonUnknownCarrier, Message: msg})
	}
	return out
}
