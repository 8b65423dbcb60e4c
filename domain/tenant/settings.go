package tenant

import (
	"fmt"
	"strings"

	"github.com/allot-io/allot/domain/fault"
)

// IDForm is how the BSS API writes the numeric ids of its responses
// (customer_id, cust_id, mdn, msid).
type IDForm string

// The id forms.
const (
	// IDsInt writes ids as JSON integers (mdn null until assigned, msid and
	// msl ""), as the vendor's live service and its newer API export do.
	// It is the default, since typed clients decode ids as integers.
	IDsInt IDForm = "int"
	// IDsString writes ids as JSON strings (msid null), as the vendor's
	// older contract document shows them, for clients built on it.
	IDsString IDForm = "string"
)

// Program is an enrollment program of the BSS API's enrollment_type.
type Program string

// The programs.
const (
	// ProgramNonLifeline is prepaid enrollment, which every organisation runs.
	ProgramNonLifeline Program = "NON_LIFELINE"
	// ProgramLifeline is the subsidised Lifeline program: availability and
	// plans may be asked for it when the organisation runs it; its customers
	// are created outside Allot.
	ProgramLifeline Program = "LIFELINE"
)

// allPrograms lists the programs in the order settings print them.
var allPrograms = []Program{ProgramNonLifeline, ProgramLifeline}

// Programs is a set of programs. The zero value is the default set,
// NON_LIFELINE alone, so that organisations stored before programs existed
// keep their behaviour.
type Programs struct {
	lifeline  bool
	noPrepaid bool // NON_LIFELINE switched off
}

// Has reports whether p is in the set.
func (ps Programs) Has(p Program) bool {
	switch p {
	case ProgramNonLifeline:
		return !ps.noPrepaid
	case ProgramLifeline:
		return ps.lifeline
	}
	return false
}

// List returns the programs of the set in a fixed order.
func (ps Programs) List() []Program {
	var out []Program
	for _, p := range allPrograms {
		if ps.Has(p) {
			out = append(out, p)
		}
	}
	return out
}

// String returns the set as the CLI takes it, e.g. "NON_LIFELINE,LIFELINE".
func (ps Programs) String() string {
	l := ps.List()
	s := make([]string, len(l))
	for i, p := range l {
		s[i] = string(p)
	}
	return strings.Join(s, ",")
}

// ParsePrograms parses a comma-separated, case-insensitive list of programs
// (at least one; repeats are ignored).
func ParsePrograms(s string) (Programs, error) {
	ps := Programs{noPrepaid: true}
	n := 0
	for _, f := range strings.Split(s, ",") {
		f = strings.ToUpper(strings.TrimSpace(f))
		if f == "" {
			continue
		}
		switch Program(f) {
		case ProgramNonLifeline:
			ps.noPrepaid = false
		case ProgramLifeline:
			ps.lifeline = true
		default:
			return Programs{}, fault.InvalidField(SettingPrograms, "enum", ReasonInvalidSetting,
				fmt.Sprintf("program %q is not one of %s, %s", f, ProgramNonLifeline, ProgramLifeline))
		}
		n++
	}
	if n == 0 {
		return Programs{}, fault.InvalidField(SettingPrograms, "required", ReasonInvalidSetting,
			fmt.Sprintf("programs needs at least one of %s, %s", ProgramNonLifeline, ProgramLifeline))
	}
	return ps, nil
}

// ParseIDForm parses an id form, "int" or "string" (case-insensitive).
func ParseIDForm(s string) (IDForm, error) {
	switch f := IDForm(strings.ToLower(strings.TrimSpace(s))); f {
	case IDsInt, IDsString:
		return f, nil
	}
	return "", fault.InvalidField(SettingBSSIDs, "enum", ReasonInvalidSetting,
		fmt.Sprintf("bss-ids %q is not %s or %s", s, IDsInt, IDsString))
}

// Settings are an organisation's compatibility settings. The zero value is
// the default of every setting.
type Settings struct {
	// BSSIDs is the form of ids in BSS responses; "" means IDsInt.
	BSSIDs IDForm
	// Programs are the enrollment programs the organisation runs.
	Programs Programs
	// RequirePayment makes customer creation require, on every line, an
	// order_id naming a paid order (require-payment Y); off by default.
	RequirePayment bool
	// SIMStock makes the organisation keep SIM stock (sim-stock Y): a
	// line's SIM must be an available ICCID of its series of item code
	// SIM, and the line consumes it; off by default.
	SIMStock bool
}

// IDs returns the id form, IDsInt by default.
func (s Settings) IDs() IDForm {
	if s.BSSIDs == "" {
		return IDsInt
	}
	return s.BSSIDs
}

// Names of the settings, as the CLI flags and listings name them.
const (
	SettingBSSIDs         = "bss-ids"
	SettingPrograms       = "programs"
	SettingRequirePayment = "require-payment"
	SettingSIMStock       = "sim-stock"
)

// ReasonInvalidSetting is the reason of a bad setting value.
const ReasonInvalidSetting = "INVALID_SETTING"

// SettingSpec describes one setting for the interfaces that change it.
type SettingSpec struct {
	// Name names the setting (a CLI flag is --Name).
	Name string
	// Usage explains the values, for help texts.
	Usage string
}

// setting is one row of the settings table: the only place that lists the
// settings, so that adding one is adding a row (and a store column).
type setting struct {
	SettingSpec
	get func(Settings) string
	set func(*Settings, string) error
}

var settings = []setting{
	{SettingSpec{SettingBSSIDs, "form of customer_id, cust_id, mdn and msid in BSS responses: int (JSON integers, the live service's) or string (the older document's)"},
		func(s Settings) string { return string(s.IDs()) },
		func(s *Settings, v string) error {
			f, err := ParseIDForm(v)
			s.BSSIDs = f
			return err
		}},
	{SettingSpec{SettingPrograms, "enrollment programs the organisation runs, comma-separated: NON_LIFELINE, LIFELINE"},
		func(s Settings) string { return s.Programs.String() },
		func(s *Settings, v string) error {
			p, err := ParsePrograms(v)
			s.Programs = p
			return err
		}},
	{SettingSpec{SettingRequirePayment, "Y to refuse customer creation unless every line's order_id names a paid order (SKIP_PAYMENT is not paid), N not to (default N)"},
		func(s Settings) string { return yesNo(s.RequirePayment) },
		func(s *Settings, v string) error {
			b, err := parseYesNo(SettingRequirePayment, v)
			s.RequirePayment = b
			return err
		}},
	{SettingSpec{SettingSIMStock, "Y to keep SIM stock: a line's sim, uiccid or esn must be an available ICCID of the organisation's series of item code SIM, which the line consumes and a cancelled line releases; N not to check SIMs (default N)"},
		func(s Settings) string { return yesNo(s.SIMStock) },
		func(s *Settings, v string) error {
			b, err := parseYesNo(SettingSIMStock, v)
			s.SIMStock = b
			return err
		}},
}

func yesNo(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

// parseYesNo reads a flag setting, Y or N in any case.
func parseYesNo(name, v string) (bool, error) {
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "Y":
		return true, nil
	case "N":
		return false, nil
	}
	return false, fault.InvalidField(name, "enum", ReasonInvalidSetting, fmt.Sprintf("%s %q is not Y or N", name, v))
}

// SettingSpecs returns every setting, in a fixed order.
func SettingSpecs() []SettingSpec {
	out := make([]SettingSpec, len(settings))
	for i, s := range settings {
		out[i] = s.SettingSpec
	}
	return out
}

// Get returns the value of the setting named name as text; ok is false for
// an unknown name.
func (s Settings) Get(name string) (v string, ok bool) {
	for _, x := range settings {
		if x.Name == name {
			return x.get(s), true
		}
	}
	return "", false
}

// With returns s with the setting named name set to value, or an Invalid
// error naming the setting and its rule.
func (s Settings) With(name, value string) (Settings, error) {
	for _, x := range settings {
		if x.Name == name {
			if err := x.set(&s, value); err != nil {
				return Settings{}, err
			}
			return s, nil
		}
	}
	return Settings{}, fault.InvalidField(name, "enum", ReasonInvalidSetting, fmt.Sprintf("unknown setting %q", name))
}
