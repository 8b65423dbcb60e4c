package enrollment

import (
	"net/mail"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits of single fields. The vendor document gives only the 50 of names;
// the others are generous bounds that keep one field from carrying
// arbitrary amounts of text into the store.
const (
	// MaxEnrollmentID is the longest enrollment id, in characters.
	MaxEnrollmentID = 20
	// MaxName is the longest first, middle or last name (vendor rule).
	MaxName = 50
	// MaxAddress is the longest address line.
	MaxAddress = 100
	// MaxCity is the longest city name.
	MaxCity = 50
	// MaxEmail is the longest email address (the RFC 5321 path limit).
	MaxEmail = 254
	// MaxCode is the longest model, part, equipment, device, coupon or
	// account identifier.
	MaxCode = 50
	// MaxPassword is the longest customer or port-out account password.
	MaxPassword = 64
	// MaxAgentPassword is the longest agent password.
	MaxAgentPassword = 128
	// MaxAgentID is the longest agent id.
	MaxAgentID = 100
	// MaxSource is the longest source or sub-source.
	MaxSource = 50
	// MaxInvoiceNumber is the longest invoice number.
	MaxInvoiceNumber = 50
	// MaxExternalTransactionID is the longest external transaction id.
	MaxExternalTransactionID = 64
	// MaxPortCarrier is the longest name of a losing carrier.
	MaxPortCarrier = 100
	// MinUICCID is the fewest digits of a UICCID (SIM ICCID).
	MinUICCID = 18
	// MaxUICCID is the most digits of a UICCID.
	MaxUICCID = 22
	// MinESN is the shortest ESN: an 11-digit decimal ESN; MEIDs have 14
	// hex digits, IMEIs 15 digits, ICCIDs 19 or 20.
	MinESN = 11
	// MaxESN is the longest ESN.
	MaxESN = 20
	// MinCarrier is the shortest carrier code ("TMB").
	MinCarrier = 2
	// MaxCarrier is the longest carrier code ("BLUECONNECTSATT" is 15).
	MaxCarrier = 32
	// MaxOrderIDDigits is the most digits of an order id, so that it fits
	// an int64.
	MaxOrderIDDigits = 18
	// MaxPIN is the longest PIN (the number's transfer PIN).
	MaxPIN = 20
	// MaxAdvanceMonthDigits is the most digits of no_of_advance_month.
	MaxAdvanceMonthDigits = 2
)

// Rules named in fault.Violation.Rule.
const (
	// RuleRequired: the field must be present.
	RuleRequired = "required"
	// RuleRequiredIfPortIn: the field must be present when activation_type is PORTIN.
	RuleRequiredIfPortIn = "required_if_portin"
	// RuleRequiredIfHandover: the field must be present when enrollment_type is HANDOVER.
	RuleRequiredIfHandover = "required_if_handover"
	// RuleRequiredIf4G: the field must be present when phone_type is 4G.
	RuleRequiredIf4G = "required_if_4g"
	// RulePattern: the value holds a character the field does not allow.
	RulePattern = "pattern"
	// RuleMaxLength: the value is too long.
	RuleMaxLength = "max_length"
	// RuleMinLetters: the value has too few letters.
	RuleMinLetters = "min_letters"
	// RuleDigits: the value is not the required number of digits.
	RuleDigits = "digits"
	// RuleEmail: the value is not an email address in standard form.
	RuleEmail = "email"
	// RuleState: the value is not a US state abbreviation.
	RuleState = "state"
	// RuleEnum: the value is not one of the field's values.
	RuleEnum = "enum"
	// RuleUnique: the enrollment id appears on an earlier line.
	RuleUnique = "unique"
	// RuleMinLines: the request has no line.
	RuleMinLines = "min_lines"
	// RuleMaxLines: the request has more lines than allowed.
	RuleMaxLines = "max_lines"
	// RuleActive: plan_id is not an active plan (reported by the use case).
	RuleActive = "active"
	// RuleIssued: enrollment_id was not issued or is used (reported by the use case).
	RuleIssued = "issued"
	// RuleExists: parent_enrollment_id is neither a line nor an account
	// (reported by the use case).
	RuleExists = "exists"
)

// check reports every rule a present (non-empty, normalised) value breaks.
type check func(label, v string, bad func(rule, msg string))

func isLetter(c byte) bool { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// only reports whether every byte of s satisfies ok. The allowed sets are
// all ASCII, so a multi-byte rune always fails, as the vendor's "only
// English alphabet letters" requires.
func only(s string, ok func(c byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func countLetters(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isLetter(s[i]) {
			n++
		}
	}
	return n
}

func maxLen(label, v string, max int, bad func(rule, msg string)) {
	if utf8.RuneCountInString(v) > max {
		bad(RuleMaxLength, label+" should be at most "+strconv.Itoa(max)+" characters")
	}
}

func isAlnum(c byte) bool { return isLetter(c) || isDigit(c) }

// alnum: letters and digits, at most max.
func alnum(max int) check {
	return func(label, v string, bad func(rule, msg string)) {
		if !only(v, isAlnum) {
			bad(RulePattern, label+" should contain only letters and digits")
		}
		maxLen(label, v, max, bad)
	}
}

// alnumBetween: min..max letters and digits, one message for both because
// an ESN or carrier code is one token, not text.
func alnumBetween(min, max int) check {
	return func(label, v string, bad func(rule, msg string)) {
		if !only(v, isAlnum) || len(v) < min || len(v) > max {
			bad(RulePattern, label+" should be "+strconv.Itoa(min)+" to "+strconv.Itoa(max)+" letters and digits")
		}
	}
}

func isNameChar(c byte) bool { return isLetter(c) || c == ' ' || c == '\'' || c == '`' || c == '-' }

// personName: the vendor's name rule (letters, space, apostrophe, accent
// grave, hyphen; at most 50) with a minimum number of letters, so that a
// name of only punctuation is refused.
func personName(minLetters int) check {
	return func(label, v string, bad func(rule, msg string)) {
		if !only(v, isNameChar) {
			bad(RulePattern, label+" should contain only letters, space, apostrophe, accent grave and hyphen")
		}
		maxLen(label, v, MaxName, bad)
		if countLetters(v) < minLetters {
			if minLetters == 1 {
				bad(RuleMinLetters, label+" should contain at least one letter")
			} else {
				bad(RuleMinLetters, label+" should contain at least "+strconv.Itoa(minLetters)+" letters")
			}
		}
	}
}

// isAddressChar allows the vendor's set (letters, digits, space, '/', '#',
// '-') plus '.' and ',', which real addresses carry ("112 N. 41ST ST",
// "SUITE 4, BLDG B") and which SPEC §2 admits.
func isAddressChar(c byte) bool {
	return isAlnum(c) || c == ' ' || c == '/' || c == '#' || c == '-' || c == '.' || c == ','
}

func address(label, v string, bad func(rule, msg string)) {
	if !only(v, isAddressChar) {
		bad(RulePattern, label+" should contain only letters, digits, space, /, #, -, period and comma")
	}
	maxLen(label, v, MaxAddress, bad)
	if countLetters(v) == 0 && !strings.ContainsAny(v, "0123456789") {
		bad(RulePattern, label+" should contain a letter or a digit")
	}
}

// isCityChar allows the vendor's set (letters, space, hyphen) plus the
// apostrophe and the period, without which real cities such as
// "ST. LOUIS" and "COEUR D'ALENE" could not be entered.
func isCityChar(c byte) bool {
	return isLetter(c) || c == ' ' || c == '-' || c == '\'' || c == '.'
}

func city(label, v string, bad func(rule, msg string)) {
	if !only(v, isCityChar) {
		bad(RulePattern, label+" should contain only letters, space, hyphen, apostrophe and period")
	}
	maxLen(label, v, MaxCity, bad)
	if countLetters(v) == 0 {
		bad(RuleMinLetters, label+" should contain at least one letter")
	}
}

// usStates are the two-letter USPS codes of the 50 states, the District of
// Columbia, the inhabited territories and the military "states".
var usStates = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range strings.Fields(`
		AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD
		MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC
		SD TN TX UT VT VA WA WV WI WY
		DC PR VI GU AS MP
		AA AE AP`) {
		m[s] = true
	}
	return m
}()

// ValidState reports whether s is the two-letter code of a US state, the
// District of Columbia, a territory (PR, VI, GU, AS, MP) or a military
// "state" (AA, AE, AP), in any case and with surrounding spaces ignored.
func ValidState(s string) bool { return usStates[asciiUpper(strings.TrimSpace(s))] }

func state(label, v string, bad func(rule, msg string)) {
	if !ValidState(v) {
		bad(RuleState, label+" should be a valid two-letter US state abbreviation")
	}
}

// digits: exactly n digits.
func digits(n int) check {
	return func(label, v string, bad func(rule, msg string)) {
		if len(v) != n || !only(v, isDigit) {
			bad(RuleDigits, label+" should be exactly "+strconv.Itoa(n)+" digits")
		}
	}
}

// digitsBetween: min..max digits.
func digitsBetween(min, max int) check {
	return func(label, v string, bad func(rule, msg string)) {
		if len(v) < min || len(v) > max || !only(v, isDigit) {
			bad(RuleDigits, label+" should be "+strconv.Itoa(min)+" to "+strconv.Itoa(max)+" digits")
		}
	}
}

// ssn: the last four digits or the whole nine, without dashes, since the
// losing carrier's port-out check accepts either.
func ssn(label, v string, bad func(rule, msg string)) {
	if (len(v) != 4 && len(v) != 9) || !only(v, isDigit) {
		bad(RuleDigits, label+" should be 4 or 9 digits")
	}
}

// numeric: only digits, at most max of them.
func numeric(max int) check {
	return func(label, v string, bad func(rule, msg string)) {
		if !only(v, isDigit) {
			bad(RuleDigits, label+" should contain only digits")
		} else if len(v) > max {
			bad(RuleMaxLength, label+" should be at most "+strconv.Itoa(max)+" digits")
		}
	}
}

// positiveInt: a positive whole number written in digits, at most max of
// them (a JSON number arrives as its text, so "3" and 3 are the same).
func positiveInt(max int) check {
	return func(label, v string, bad func(rule, msg string)) {
		switch {
		case !only(v, isDigit):
			bad(RuleDigits, label+" should be a positive whole number")
		case len(v) > max:
			bad(RuleMaxLength, label+" should be at most "+strconv.Itoa(max)+" digits")
		case strings.Trim(v, "0") == "":
			bad(RuleDigits, label+" should be a positive whole number")
		}
	}
}

// oneOf: one of the canonical values (the field is normalised first, so the
// match is case-insensitive).
func oneOf(values ...string) check {
	var want string
	switch len(values) {
	case 1:
		want = values[0]
	case 2:
		want = values[0] + " or " + values[1]
	default:
		want = "one of " + strings.Join(values, ", ")
	}
	return func(label, v string, bad func(rule, msg string)) {
		for _, ok := range values {
			if v == ok {
				return
			}
		}
		bad(RuleEnum, label+" should be "+want)
	}
}

func isCodeChar(c byte) bool { return isAlnum(c) || c == '-' || c == '_' || c == '.' }

// code: identifiers such as model, part, equipment, device and coupon ids.
func code(max int) check {
	return func(label, v string, bad func(rule, msg string)) {
		if !only(v, isCodeChar) {
			bad(RulePattern, label+" should contain only letters, digits, hyphen, underscore and period")
		}
		maxLen(label, v, max, bad)
	}
}

func isPrintable(c byte) bool { return c >= 0x20 && c != 0x7f }

// secretText: passwords are free text, but control characters and
// unbounded lengths have no business in them.
func secretText(max int) check {
	return func(label, v string, bad func(rule, msg string)) {
		if !only(v, func(c byte) bool { return isPrintable(c) }) {
			bad(RulePattern, label+" should not contain control characters")
		}
		maxLen(label, v, max, bad)
	}
}

// carrierName: a carrier's name as validate_portin returns it, such as
// "Neutral Tandem", "AT&T" or "T-Mobile".
func carrierName(label, v string, bad func(rule, msg string)) {
	if !only(v, func(c byte) bool {
		return isAlnum(c) || c == ' ' || c == '&' || c == '.' || c == ',' || c == '-' || c == '\''
	}) {
		bad(RulePattern, label+" should contain only letters, digits, space, &, period, comma, hyphen and apostrophe")
	}
	maxLen(label, v, MaxPortCarrier, bad)
}

// email: the standard form as net/mail parses it, written bare (no display
// name, no angle brackets), ASCII only, with a dotted domain of
// letters, digits and hyphens.
func email(label, v string, bad func(rule, msg string)) {
	if !validEmail(v) {
		bad(RuleEmail, label+" should be a valid email address such as name@example.com")
	}
}

func validEmail(s string) bool {
	if len(s) > MaxEmail || !only(s, func(c byte) bool { return c > 0x20 && c < 0x7f }) {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || at > 64 {
		return false
	}
	labels := strings.Split(s[at+1:], ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' || !only(l, func(c byte) bool { return isAlnum(c) || c == '-' }) {
			return false
		}
	}
	return true
}

// sourceCode: sources are codes such as API, WEBSITE, ENROLLMENT_PORTAL.
func sourceCode(label, v string, bad func(rule, msg string)) {
	if !only(v, func(c byte) bool { return isAlnum(c) || c == '_' }) {
		bad(RulePattern, label+" should contain only letters, digits and underscore")
	}
	maxLen(label, v, MaxSource, bad)
}

func subSource(label, v string, bad func(rule, msg string)) {
	if !only(v, func(c byte) bool { return isCodeChar(c) || c == ' ' }) {
		bad(RulePattern, label+" should contain only letters, digits, space, hyphen, underscore and period")
	}
	maxLen(label, v, MaxSource, bad)
}

// invoice: invoice numbers as make_payment issues them ("2021-09-1288").
func invoice(label, v string, bad func(rule, msg string)) {
	if !only(v, func(c byte) bool { return isCodeChar(c) || c == '/' || c == '#' }) {
		bad(RulePattern, label+" should contain only letters, digits, hyphen, underscore, period, / and #")
	}
	maxLen(label, v, MaxInvoiceNumber, bad)
}

// agentID: agent ids are user logins, which may contain spaces (the
// document's example is "John Doe"); anything beyond printable text of a
// sane length cannot name an agent.
func agentID(_, v string, bad func(rule, msg string)) {
	if !validAgentID(v) {
		bad(RulePattern, MsgInvalidAgentID)
	}
}

func validAgentID(v string) bool {
	return utf8.ValidString(v) && utf8.RuneCountInString(v) <= MaxAgentID && only(v, isPrintable)
}
