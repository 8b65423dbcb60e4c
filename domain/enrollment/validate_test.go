package enrollment_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
)

// validLine returns the fields of a valid NEWACTIVATION SHIPMENT line by
// JSON name, so that tests name fields as clients do.
func validLine(id string) map[string]string {
	return map[string]string{
		"enrollment_id":       id,
		"first_name":          "John",
		"last_name":           "Doe",
		"email":               "john.doe@example.com",
		"service_address_one": "112 N 41ST ST",
		"service_city":        "SEATTLE",
		"service_state":       "WA",
		"service_zip":         "98103",
		"plan_id":             "1828",
		"activation_type":     "NEWACTIVATION",
		"enrollment_type":     "SHIPMENT",
	}
}

// portInLine is a valid PORTIN line with every port field.
func portInLine(id string) map[string]string {
	m := validLine(id)
	for k, v := range map[string]string{
		"activation_type":       "PORTIN",
		"port_number":           "2065550123",
		"port_current_carrier":  "Neutral Tandem",
		"port_first_name":       "John",
		"port_last_name":        "Doe",
		"port_address_one":      "ABC main street",
		"port_city":             "CAMDEN",
		"port_state":            "NJ",
		"port_zip_code":         "08104",
		"port_account_number":   "456123",
		"port_account_password": "s3cret-pin",
		"port_ssn":              "1234",
	} {
		m[k] = v
	}
	return m
}

func handoverLine(id string) map[string]string {
	m := validLine(id)
	m["enrollment_type"] = "HANDOVER"
	m["handover_type"] = "cbe"
	m["esn"] = "1564235647894512345"
	m["carrier"] = "TMB"
	return m
}

func lineInput(t testing.TB, fields map[string]string) enrollment.LineInput {
	t.Helper()
	var l enrollment.LineInput
	for k, v := range fields {
		if !l.Set(k, v) {
			t.Fatalf("unknown line field %q", k)
		}
	}
	return l
}

func request(t testing.TB, lines ...map[string]string) enrollment.RequestInput {
	t.Helper()
	in := enrollment.RequestInput{
		Action:             enrollment.ActionCreate,
		ParentEnrollmentID: "WN116",
		AgentID:            "ewebsiteapi",
		Source:             "WEBSITE",
	}
	for _, l := range lines {
		in.Lines = append(in.Lines, lineInput(t, l))
	}
	return in
}

func violations(t *testing.T, err error) []fault.Violation {
	t.Helper()
	if err == nil {
		return nil
	}
	fe, ok := fault.As(err)
	if !ok || fe.Code != fault.Invalid || len(fe.Violations) == 0 {
		t.Fatalf("got %v, want an Invalid fault.Error with violations", err)
	}
	if fe.Reason != fe.Violations[0].Reason || fe.Message != fe.Violations[0].Message {
		t.Errorf("error reason/message %q/%q are not the first violation's", fe.Reason, fe.Message)
	}
	return fe.Violations
}

// TestLineRules gives every rule of the field table a passing and a failing
// value. rule "" means the value is valid.
func TestLineRules(t *testing.T) {
	long := func(n int, s string) string { return strings.Repeat(s, n) }
	tests := []struct {
		name, field, value string
		base               func(string) map[string]string // nil: validLine
		rule, msg          string
	}{
		// enrollment_id
		{name: "enrollment id required", field: "enrollment_id", value: "", rule: enrollment.RuleRequired, msg: "Please enter Enrollment Id"},
		{name: "enrollment id alphanumeric ok", field: "enrollment_id", value: "WSN977"},
		{name: "enrollment id alphanumeric", field: "enrollment_id", value: "WN-116", rule: enrollment.RulePattern, msg: "Enrollment Id should contain only letters and digits"},
		{name: "enrollment id max 20 ok", field: "enrollment_id", value: long(20, "A")},
		{name: "enrollment id max 20", field: "enrollment_id", value: long(21, "A"), rule: enrollment.RuleMaxLength, msg: "Enrollment Id should be at most 20 characters"},
		// password
		{name: "password optional", field: "password", value: ""},
		{name: "password free text", field: "password", value: "p@ss w0rd!"},
		{name: "password max 64", field: "password", value: long(65, "x"), rule: enrollment.RuleMaxLength, msg: "Password should be at most 64 characters"},
		{name: "password control characters", field: "password", value: "a\x00b", rule: enrollment.RulePattern},
		// model_id and other identifiers
		{name: "model id ok", field: "model_id", value: "12"},
		{name: "model id pattern", field: "model_id", value: "12;DROP", rule: enrollment.RulePattern, msg: "Model Id should contain only letters, digits, hyphen, underscore and period"},
		{name: "model id max length", field: "model_id", value: long(51, "1"), rule: enrollment.RuleMaxLength},
		{name: "part number ok", field: "part_number", value: "BYOD-1.2"},
		{name: "part number pattern", field: "part_number", value: "a b", rule: enrollment.RulePattern},
		{name: "equipment id ok", field: "equipment_id", value: "130"},
		{name: "equipment id pattern", field: "equipment_id", value: "<130>", rule: enrollment.RulePattern},
		{name: "equipment child id ok", field: "equipment_child_id", value: "131"},
		{name: "equipment child id pattern", field: "equipment_child_id", value: "13/1", rule: enrollment.RulePattern},
		{name: "device id ok", field: "device_id", value: "7894561230215420"},
		{name: "device id max length", field: "device_id", value: long(51, "7"), rule: enrollment.RuleMaxLength},
		{name: "coupon code ok", field: "coupon_code", value: "SPRING_24"},
		{name: "coupon code pattern", field: "coupon_code", value: "50%OFF", rule: enrollment.RulePattern},
		{name: "coupon transaction id ok", field: "coupon_transaction_id", value: "TX123"},
		{name: "coupon transaction id pattern", field: "coupon_transaction_id", value: "TX 123", rule: enrollment.RulePattern},
		// first_name
		{name: "first name required", field: "first_name", value: "", rule: enrollment.RuleRequired, msg: "First name is required"},
		{name: "first name letters and marks ok", field: "first_name", value: "Mary-Jo O'Neil `Jr"},
		{name: "first name pattern", field: "first_name", value: "John3", rule: enrollment.RulePattern, msg: "First name should contain only letters, space, apostrophe, accent grave and hyphen"},
		{name: "first name non-English letter", field: "first_name", value: "José", rule: enrollment.RulePattern},
		{name: "first name max 50 ok", field: "first_name", value: long(50, "a")},
		{name: "first name max 50", field: "first_name", value: long(51, "a"), rule: enrollment.RuleMaxLength, msg: "First name should be at most 50 characters"},
		{name: "first name max 50 after trimming", field: "first_name", value: "  " + long(50, "a") + "  "},
		{name: "first name needs a letter", field: "first_name", value: "'-", rule: enrollment.RuleMinLetters, msg: "First name should contain at least one letter"},
		// middle_initial
		{name: "middle initial optional", field: "middle_initial", value: ""},
		{name: "middle initial one letter ok", field: "middle_initial", value: "Q"},
		{name: "middle initial min one letter", field: "middle_initial", value: "-", rule: enrollment.RuleMinLetters, msg: "Middle initial should contain at least one letter"},
		{name: "middle initial pattern", field: "middle_initial", value: "Q.", rule: enrollment.RulePattern},
		// last_name
		{name: "last name required", field: "last_name", value: "", rule: enrollment.RuleRequired, msg: "Last name is required"},
		{name: "last name two letters ok", field: "last_name", value: "Li"},
		{name: "last name min two letters", field: "last_name", value: "L'", rule: enrollment.RuleMinLetters, msg: "Last name should contain at least 2 letters"},
		{name: "last name pattern", field: "last_name", value: "Doe_", rule: enrollment.RulePattern},
		{name: "last name max 50", field: "last_name", value: long(51, "b"), rule: enrollment.RuleMaxLength},
		// alternate_phone_number
		{name: "alternate phone optional", field: "alternate_phone_number", value: ""},
		{name: "alternate phone 10 digits ok", field: "alternate_phone_number", value: "1123113211"},
		{name: "alternate phone 9 digits", field: "alternate_phone_number", value: "112311321", rule: enrollment.RuleDigits, msg: "Alternate phone number should be exactly 10 digits"},
		{name: "alternate phone letters", field: "alternate_phone_number", value: "112311321x", rule: enrollment.RuleDigits},
		// email
		{name: "email required", field: "email", value: "", rule: enrollment.RuleRequired, msg: "Email is required"},
		{name: "email ok", field: "email", value: "noreply@gmail.com"},
		{name: "email plus and subdomain ok", field: "email", value: "a.b+c@mail.example.co.uk"},
		{name: "email no at", field: "email", value: "noreply.gmail.com", rule: enrollment.RuleEmail, msg: "Email should be a valid email address such as name@example.com"},
		{name: "email no dot in domain", field: "email", value: "a@localhost", rule: enrollment.RuleEmail},
		{name: "email display name", field: "email", value: "John <a@example.com>", rule: enrollment.RuleEmail},
		{name: "email angle brackets", field: "email", value: "<a@example.com>", rule: enrollment.RuleEmail},
		{name: "email space", field: "email", value: "a b@example.com", rule: enrollment.RuleEmail},
		{name: "email empty label", field: "email", value: "a@example..com", rule: enrollment.RuleEmail},
		{name: "email domain literal", field: "email", value: "a@[1.2.3.4]", rule: enrollment.RuleEmail},
		// addresses
		{name: "service address one required", field: "service_address_one", value: "", rule: enrollment.RuleRequired, msg: "Service address one is required"},
		{name: "service address one marks ok", field: "service_address_one", value: "12/B #4 N. MAIN-ST, BLDG 2"},
		{name: "service address one pattern", field: "service_address_one", value: "12 MAIN ST; APT 4", rule: enrollment.RulePattern, msg: "Service address one should contain only letters, digits, space, /, #, -, period and comma"},
		{name: "service address one max 100", field: "service_address_one", value: long(101, "a"), rule: enrollment.RuleMaxLength},
		{name: "service address one punctuation only", field: "service_address_one", value: "#-/", rule: enrollment.RulePattern},
		{name: "service address two optional", field: "service_address_two", value: ""},
		{name: "service address two ok", field: "service_address_two", value: "apt 7"},
		{name: "service address two pattern", field: "service_address_two", value: "apt @7", rule: enrollment.RulePattern},
		{name: "billing address one ok", field: "billing_address_one", value: "112 N 41ST st"},
		{name: "billing address one pattern", field: "billing_address_one", value: "112 N 41ST st!", rule: enrollment.RulePattern},
		{name: "billing address two pattern", field: "billing_address_two", value: "apt (7)", rule: enrollment.RulePattern},
		{name: "port address one pattern", field: "port_address_one", value: "1 Main St*", rule: enrollment.RulePattern},
		{name: "port address two pattern", field: "port_address_two", value: "apt ~7", rule: enrollment.RulePattern},
		// cities
		{name: "service city required", field: "service_city", value: "", rule: enrollment.RuleRequired, msg: "Service city is required"},
		{name: "service city hyphen ok", field: "service_city", value: "WINSTON-SALEM"},
		{name: "service city period ok", field: "service_city", value: "ST. LOUIS"},
		{name: "service city apostrophe ok", field: "service_city", value: "COEUR D'ALENE"},
		{name: "service city pattern", field: "service_city", value: "CAMDEN 2", rule: enrollment.RulePattern, msg: "Service city should contain only letters, space, hyphen, apostrophe and period"},
		{name: "service city max 50", field: "service_city", value: long(51, "c"), rule: enrollment.RuleMaxLength},
		{name: "service city needs a letter", field: "service_city", value: "--", rule: enrollment.RuleMinLetters},
		{name: "billing city ok", field: "billing_city", value: "Camden"},
		{name: "billing city pattern", field: "billing_city", value: "Camden#", rule: enrollment.RulePattern},
		{name: "port city pattern", field: "port_city", value: "C4MDEN", rule: enrollment.RulePattern},
		// states
		{name: "service state required", field: "service_state", value: "", rule: enrollment.RuleRequired, msg: "Service state is required"},
		{name: "service state lower case ok", field: "service_state", value: "nj"},
		{name: "service state DC ok", field: "service_state", value: "DC"},
		{name: "service state territory ok", field: "service_state", value: "PR"},
		{name: "service state military ok", field: "service_state", value: "AE"},
		{name: "service state unknown", field: "service_state", value: "XX", rule: enrollment.RuleState, msg: "Service state should be a valid two-letter US state abbreviation"},
		{name: "service state spelled out", field: "service_state", value: "Washington", rule: enrollment.RuleState},
		{name: "billing state lower case ok", field: "billing_state", value: "wa"},
		{name: "billing state unknown", field: "billing_state", value: "ZZ", rule: enrollment.RuleState, msg: "Billing state should be a valid two-letter US state abbreviation"},
		{name: "port state unknown", field: "port_state", value: "N", rule: enrollment.RuleState},
		// zips
		{name: "service zip required", field: "service_zip", value: "", rule: enrollment.RuleRequired, msg: "Service zip is required"},
		{name: "service zip leading zero ok", field: "service_zip", value: "08104"},
		{name: "service zip 4 digits", field: "service_zip", value: "8104", rule: enrollment.RuleDigits, msg: "Service zip should be exactly 5 digits"},
		{name: "service zip plus four", field: "service_zip", value: "98103-1234", rule: enrollment.RuleDigits},
		{name: "service zip letters", field: "service_zip", value: "9810A", rule: enrollment.RuleDigits},
		{name: "billing zip ok", field: "billing_zip", value: "98103"},
		{name: "billing zip 6 digits", field: "billing_zip", value: "981030", rule: enrollment.RuleDigits, msg: "Billing zip should be exactly 5 digits"},
		{name: "port zip code letters", field: "port_zip_code", value: "ABCDE", rule: enrollment.RuleDigits, msg: "Port zip code should be exactly 5 digits"},
		// plan_id
		{name: "plan id required", field: "plan_id", value: "", rule: enrollment.RuleRequired, msg: "Plan Id is required"},
		{name: "plan id numeric ok", field: "plan_id", value: "606"},
		{name: "plan id numeric", field: "plan_id", value: "60A", rule: enrollment.RuleDigits, msg: "Plan Id should contain only digits"},
		{name: "plan id negative", field: "plan_id", value: "-1", rule: enrollment.RuleDigits},
		// A line names any plan `plan add` accepts: up to 20 digits (issue 12:
		// 19 and 20 used to fail with "at most 18 digits").
		{name: "plan id 20 digits ok", field: "plan_id", value: long(20, "9")},
		{name: "plan id too many digits", field: "plan_id", value: long(21, "9"), rule: enrollment.RuleMaxLength, msg: "Plan Id should be at most 20 digits"},
		// Y/N flags
		{name: "notify text Y ok", field: "notify_bill_via_text", value: "Y"},
		{name: "notify text n ok", field: "notify_bill_via_text", value: "n"},
		{name: "notify text enum", field: "notify_bill_via_text", value: "yes", rule: enrollment.RuleEnum, msg: "Notify bill via text should be Y or N"},
		{name: "notify email enum", field: "notify_bill_via_email", value: "1", rule: enrollment.RuleEnum, msg: "Notify bill via email should be Y or N"},
		{name: "activation later empty ok", field: "activation_later", value: ""},
		{name: "activation later y ok", field: "activation_later", value: "y"},
		{name: "activation later enum", field: "activation_later", value: "later", rule: enrollment.RuleEnum, msg: "Activation later should be Y or N"},
		// phone_type, device_type, brand_code, sku_type
		{name: "phone type 3G ok", field: "phone_type", value: "3G"},
		{name: "phone type 4glte ok", field: "phone_type", value: "4glte"},
		{name: "phone type enum", field: "phone_type", value: "5G", rule: enrollment.RuleEnum, msg: "Phone type should be one of 4G, 3G, 4GLTE"},
		{name: "device type CDMA ok", field: "device_type", value: "CDMA"},
		{name: "device type gsm ok", field: "device_type", value: "gsm"},
		{name: "device type enum", field: "device_type", value: "LTE", rule: enrollment.RuleEnum, msg: "Device type should be CDMA or GSM"},
		{name: "brand code ok", field: "brand_code", value: "vmu"},
		{name: "brand code enum", field: "brand_code", value: "ATT", rule: enrollment.RuleEnum, msg: "Brand code should be one of ASW, BST, SPP, VMU, SPR, PLD"},
		{name: "sku type ok", field: "sku_type", value: "BYO"},
		{name: "sku type enum", field: "sku_type", value: "USED", rule: enrollment.RuleEnum, msg: "SKU type should be one of INTL, BYO, NEW"},
		// uiccid
		{name: "uiccid optional", field: "uiccid", value: ""},
		{name: "uiccid 19 digits ok", field: "uiccid", value: "8901260123456789012"},
		{name: "uiccid 17 digits", field: "uiccid", value: "89012601234567890", rule: enrollment.RuleDigits, msg: "Uiccid should be 18 to 22 digits"},
		{name: "uiccid 23 digits", field: "uiccid", value: long(23, "8"), rule: enrollment.RuleDigits},
		{name: "uiccid letter", field: "uiccid", value: "890126012345678901F", rule: enrollment.RuleDigits},
		// esn, carrier
		{name: "esn optional", field: "esn", value: ""},
		{name: "esn IMEI ok", field: "esn", value: "356938035643809"},
		{name: "esn MEID hex ok", field: "esn", value: "a0000012345678"},
		{name: "esn too short", field: "esn", value: "1234567890", rule: enrollment.RulePattern, msg: "ESN should be 11 to 20 letters and digits"},
		{name: "esn too long", field: "esn", value: long(21, "1"), rule: enrollment.RulePattern},
		{name: "esn pattern", field: "esn", value: "35693803-5643809", rule: enrollment.RulePattern},
		{name: "carrier on shipment ok", field: "carrier", value: "TMB"},
		// The vendor's recorded request and its port-in rules name carriers
		// of more than 10 characters.
		{name: "carrier BLUECONNECTSATT ok", field: "carrier", value: "BLUECONNECTSATT"},
		{name: "carrier BLUECONNECTS ok", field: "carrier", value: "BLUECONNECTS"},
		{name: "carrier TELGOOATT ok", field: "carrier", value: "telgooatt"},
		{name: "carrier 32 characters ok", field: "carrier", value: long(32, "A")},
		{name: "carrier 33 characters", field: "carrier", value: long(33, "A"), rule: enrollment.RulePattern, msg: "Carrier should be 2 to 32 letters and digits"},
		{name: "carrier too short", field: "carrier", value: "T", rule: enrollment.RulePattern, msg: "Carrier should be 2 to 32 letters and digits"},
		{name: "carrier pattern", field: "carrier", value: "T-MOBILE", rule: enrollment.RulePattern},
		// activation_type, enrollment_type, handover_type
		{name: "activation type required", field: "activation_type", value: "", rule: enrollment.RuleRequired, msg: "Activation type is required"},
		{name: "activation type lower case ok", field: "activation_type", value: "newactivation"},
		{name: "activation type enum", field: "activation_type", value: "PORT", rule: enrollment.RuleEnum, msg: "Activation type should be NEWACTIVATION or PORTIN"},
		{name: "enrollment type required", field: "enrollment_type", value: "", rule: enrollment.RuleRequired, msg: "Enrollment type is required"},
		{name: "enrollment type lower case ok", field: "enrollment_type", value: "shipment"},
		{name: "enrollment type enum", field: "enrollment_type", value: "PICKUP", rule: enrollment.RuleEnum, msg: "Enrollment type should be SHIPMENT or HANDOVER"},
		{name: "handover type on shipment optional", field: "handover_type", value: ""},
		{name: "handover type given on shipment", field: "handover_type", value: "xyz", rule: enrollment.RuleEnum, msg: "Handover type should be cbe"},
		// port fields given on a NEWACTIVATION line are still checked
		{name: "port current carrier ok", field: "port_current_carrier", value: "AT&T"},
		{name: "port current carrier pattern", field: "port_current_carrier", value: "AT&T <old>", rule: enrollment.RulePattern},
		{name: "port first name pattern", field: "port_first_name", value: "J0hn", rule: enrollment.RulePattern, msg: "Port first name should contain only letters, space, apostrophe, accent grave and hyphen"},
		{name: "port last name min two letters", field: "port_last_name", value: "D", rule: enrollment.RuleMinLetters},
		{name: "port account number pattern", field: "port_account_number", value: "456 123", rule: enrollment.RulePattern},
		{name: "port account password max 64", field: "port_account_password", value: long(65, "p"), rule: enrollment.RuleMaxLength},
		{name: "port ssn 4 digits ok", field: "port_ssn", value: "1234"},
		{name: "port ssn 9 digits ok", field: "port_ssn", value: "123456789"},
		{name: "port ssn 5 digits", field: "port_ssn", value: "12345", rule: enrollment.RuleDigits, msg: "Port SSN should be 4 or 9 digits"},
		{name: "port ssn dashes", field: "port_ssn", value: "123-45-6789", rule: enrollment.RuleDigits},
		{name: "port number 10 digits ok", field: "port_number", value: "1234567895"},
		{name: "port number 11 digits", field: "port_number", value: "12345678951", rule: enrollment.RuleDigits, msg: "Port number should be exactly 10 digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := validLine
			if tt.base != nil {
				base = tt.base
			}
			fields := base("WN116")
			fields[tt.field] = tt.value
			_, err := enrollment.Validate(request(t, fields), enrollment.Limits{})
			vs := violations(t, err)
			if tt.rule == "" {
				if len(vs) > 0 {
					t.Fatalf("want valid, got %v", vs)
				}
				return
			}
			if len(vs) != 1 {
				t.Fatalf("want exactly one violation, got %v", vs)
			}
			v := vs[0]
			if v.Line != 1 || v.Field != tt.field || v.Rule != tt.rule {
				t.Errorf("got line %d field %q rule %q, want 1 %q %q", v.Line, v.Field, v.Rule, tt.field, tt.rule)
			}
			wantReason := enrollment.InvalidReason(tt.field)
			if tt.value == "" {
				wantReason = enrollment.MissingReason(tt.field)
			}
			if v.Reason != wantReason {
				t.Errorf("reason %q, want %q", v.Reason, wantReason)
			}
			if tt.msg != "" && v.Message != tt.msg {
				t.Errorf("message %q, want %q", v.Message, tt.msg)
			}
			if strings.HasPrefix(v.Message, "Line ") {
				t.Errorf("a one-line request must not prefix messages: %q", v.Message)
			}
		})
	}
}

// TestConditionalRules covers the PORTIN, HANDOVER and 4G requirements.
func TestConditionalRules(t *testing.T) {
	portFields := []string{
		"port_number", "port_current_carrier", "port_first_name", "port_last_name", "port_address_one",
		"port_city", "port_state", "port_zip_code", "port_account_number", "port_account_password",
	}
	type tc struct {
		name  string
		line  map[string]string
		field string // "" means valid
		rule  string
		msg   string
	}
	var tests []tc
	tests = append(tests,
		tc{name: "portin complete", line: portInLine("WN116")},
		tc{name: "portin without optional port ssn", line: without(portInLine("WN116"), "port_ssn")},
		tc{name: "portin without optional port address two", line: without(portInLine("WN116"), "port_address_two")},
		tc{name: "portin lower case", line: with(portInLine("WN116"), "activation_type", "portin")},
		tc{name: "newactivation needs no port field", line: validLine("WN116")},
	)
	for _, f := range portFields {
		tests = append(tests, tc{
			name: "portin missing " + f, line: without(portInLine("WN116"), f),
			field: f, rule: enrollment.RuleRequiredIfPortIn,
		})
	}
	tests[len(tests)-len(portFields)].msg = "Port number is required when activation type is PORTIN"
	tests = append(tests,
		tc{name: "handover complete", line: handoverLine("WN116")},
		tc{name: "handover type upper case", line: with(handoverLine("WN116"), "handover_type", "CBE")},
		tc{name: "handover without handover type", line: without(handoverLine("WN116"), "handover_type"),
			field: "handover_type", rule: enrollment.RuleRequiredIfHandover, msg: "Handover type is required when enrollment type is HANDOVER"},
		tc{name: "handover with wrong handover type", line: with(handoverLine("WN116"), "handover_type", "store"),
			field: "handover_type", rule: enrollment.RuleEnum, msg: "Handover type should be cbe"},
		tc{name: "handover without esn", line: without(handoverLine("WN116"), "esn"),
			field: "esn", rule: enrollment.RuleRequiredIfHandover, msg: "ESN is required when enrollment type is HANDOVER"},
		tc{name: "handover without carrier", line: without(handoverLine("WN116"), "carrier"),
			field: "carrier", rule: enrollment.RuleRequiredIfHandover, msg: "Carrier is required when enrollment type is HANDOVER"},
		tc{name: "shipment needs no esn nor carrier", line: without(validLine("WN116"), "carrier")},
		tc{name: "4G with uiccid", line: with(with(validLine("WN116"), "phone_type", "4G"), "uiccid", "8901260123456789012")},
		tc{name: "4g lower case without uiccid", line: with(validLine("WN116"), "phone_type", "4g"),
			field: "uiccid", rule: enrollment.RuleRequiredIf4G, msg: "Uiccid is required when phone type is 4G"},
		tc{name: "4GLTE needs no uiccid", line: with(validLine("WN116"), "phone_type", "4GLTE")},
		tc{name: "unknown activation type requires no port field", line: with(validLine("WN116"), "activation_type", "PORT"),
			field: "activation_type", rule: enrollment.RuleEnum},
	)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := enrollment.Validate(request(t, tt.line), enrollment.Limits{})
			vs := violations(t, err)
			if tt.field == "" {
				if len(vs) > 0 {
					t.Fatalf("want valid, got %v", vs)
				}
				if l := r.Lines()[0]; l.IsPortIn() && l.Port().AccountPassword.Reveal() != "s3cret-pin" {
					t.Error("port account password lost")
				}
				return
			}
			if len(vs) != 1 || vs[0].Field != tt.field || vs[0].Rule != tt.rule || vs[0].Line != 1 {
				t.Fatalf("got %v, want one %s violation of %s", vs, tt.rule, tt.field)
			}
			if tt.msg != "" && vs[0].Message != tt.msg {
				t.Errorf("message %q, want %q", vs[0].Message, tt.msg)
			}
		})
	}
}

func with(m map[string]string, k, v string) map[string]string { m[k] = v; return m }
func without(m map[string]string, k string) map[string]string { delete(m, k); return m }

func TestPortInMissingEverythingReportsEachField(t *testing.T) {
	_, err := enrollment.Validate(request(t, with(validLine("WN116"), "activation_type", "PORTIN")), enrollment.Limits{})
	var got []string
	for _, v := range violations(t, err) {
		got = append(got, v.Field)
	}
	want := []string{
		"port_current_carrier", "port_first_name", "port_last_name", "port_address_one", "port_city",
		"port_state", "port_zip_code", "port_account_number", "port_account_password", "port_number",
	}
	if !slices.Equal(got, want) {
		t.Errorf("fields %v, want %v (document order)", got, want)
	}
}

// TestTopLevelRules covers the fields outside the lines.
func TestTopLevelRules(t *testing.T) {
	tests := []struct {
		name   string
		mod    func(*enrollment.RequestInput)
		lim    enrollment.Limits
		field  string // "" means valid
		rule   string
		reason string
		msg    string
	}{
		{name: "valid", mod: func(*enrollment.RequestInput) {}},
		{name: "parent required", mod: func(r *enrollment.RequestInput) { r.ParentEnrollmentID = " " },
			field: "parent_enrollment_id", rule: enrollment.RuleRequired, reason: "PARENT_ENROLLMENT_ID_NOT_PRESENT", msg: "Parent enrollment Id is required"},
		{name: "parent alphanumeric", mod: func(r *enrollment.RequestInput) { r.ParentEnrollmentID = "WN 116" },
			field: "parent_enrollment_id", rule: enrollment.RulePattern, reason: "INVALID_PARENT_ENROLLMENT_ID"},
		{name: "parent existing account", mod: func(r *enrollment.RequestInput) { r.ParentEnrollmentID = "WN001" }},
		{name: "agent id required", mod: func(r *enrollment.RequestInput) { r.AgentID = "" },
			field: "agent_id", rule: enrollment.RuleRequired, reason: enrollment.ReasonAgentIDMissing, msg: "Agent Id should not be blank"},
		{name: "agent id with space ok", mod: func(r *enrollment.RequestInput) { r.AgentID = "John Doe" }},
		{name: "agent id control character", mod: func(r *enrollment.RequestInput) { r.AgentID = "john\ndoe" },
			field: "agent_id", rule: enrollment.RulePattern, reason: enrollment.ReasonAgentIDInvalid, msg: "Invalid Agent Id"},
		{name: "agent password optional", mod: func(r *enrollment.RequestInput) { r.AgentPassword = "x y z" }},
		{name: "agent password max length", mod: func(r *enrollment.RequestInput) { r.AgentPassword = strings.Repeat("p", 129) },
			field: "agent_password", rule: enrollment.RuleMaxLength},
		{name: "source required", mod: func(r *enrollment.RequestInput) { r.Source = "" },
			field: "source", rule: enrollment.RuleRequired, reason: "SOURCE_NOT_PRESENT", msg: "Source is required"},
		{name: "source lower case ok", mod: func(r *enrollment.RequestInput) { r.Source = "enrollment_portal" }},
		{name: "source pattern", mod: func(r *enrollment.RequestInput) { r.Source = "WEB SITE" },
			field: "source", rule: enrollment.RulePattern},
		{name: "sub source ok", mod: func(r *enrollment.RequestInput) { r.SubSource = "plans page" }},
		{name: "sub source pattern", mod: func(r *enrollment.RequestInput) { r.SubSource = "<script>" },
			field: "sub_source", rule: enrollment.RulePattern},
		{name: "invoice number ok", mod: func(r *enrollment.RequestInput) { r.InvoiceNumber = "2021-09-1288" }},
		{name: "invoice number pattern", mod: func(r *enrollment.RequestInput) { r.InvoiceNumber = "2021 09" },
			field: "invoice_number", rule: enrollment.RulePattern},
		{name: "invoice number max 50", mod: func(r *enrollment.RequestInput) { r.InvoiceNumber = strings.Repeat("1", 51) },
			field: "invoice_number", rule: enrollment.RuleMaxLength, msg: "Invoice number should be at most 50 characters"},
		{name: "external transaction id ok", mod: func(r *enrollment.RequestInput) { r.ExternalTransactionID = "TX42abc" }},
		{name: "external transaction id letters and digits", mod: func(r *enrollment.RequestInput) { r.ExternalTransactionID = "TX-42" },
			field: "external_transaction_id", rule: enrollment.RulePattern, reason: "INVALID_EXTERNAL_TRANSACTION_ID",
			msg: "External transaction Id should contain only letters and digits"},
		{name: "no lines", mod: func(r *enrollment.RequestInput) { r.Lines = nil },
			field: "lines", rule: enrollment.RuleMinLines, reason: enrollment.ReasonLinesMissing, msg: "At least one line is required"},
		{name: "ten lines", mod: func(r *enrollment.RequestInput) { r.Lines = manyLines(t, 10) }},
		{name: "eleven lines", mod: func(r *enrollment.RequestInput) { r.Lines = manyLines(t, 11) },
			field: "lines", rule: enrollment.RuleMaxLines, reason: enrollment.ReasonTooManyLines,
			msg: "At most 10 lines are allowed in one request; 11 were sent"},
		{name: "three lines over a limit of two", mod: func(r *enrollment.RequestInput) { r.Lines = manyLines(t, 3) }, lim: enrollment.Limits{MaxLines: 2},
			field: "lines", rule: enrollment.RuleMaxLines, reason: enrollment.ReasonTooManyLines},
		{name: "too many lines are not validated", mod: func(r *enrollment.RequestInput) {
			r.Lines = manyLines(t, 11)
			r.Lines[3].ServiceZip = "x"
		}, field: "lines", rule: enrollment.RuleMaxLines, reason: enrollment.ReasonTooManyLines},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := request(t, validLine("WN116"))
			tt.mod(&in)
			_, err := enrollment.Validate(in, tt.lim)
			vs := violations(t, err)
			if tt.field == "" {
				if len(vs) > 0 {
					t.Fatalf("want valid, got %v", vs)
				}
				return
			}
			if len(vs) != 1 || vs[0].Line != 0 || vs[0].Field != tt.field || vs[0].Rule != tt.rule {
				t.Fatalf("got %v, want one top-level %s violation of %s", vs, tt.rule, tt.field)
			}
			if tt.reason != "" && vs[0].Reason != tt.reason {
				t.Errorf("reason %q, want %q", vs[0].Reason, tt.reason)
			}
			if tt.msg != "" && vs[0].Message != tt.msg {
				t.Errorf("message %q, want %q", vs[0].Message, tt.msg)
			}
		})
	}
}

func manyLines(t testing.TB, n int) []enrollment.LineInput {
	t.Helper()
	lines := make([]enrollment.LineInput, n)
	for i := range lines {
		lines[i] = lineInput(t, validLine(fmt.Sprintf("WN%d", 116+i)))
	}
	return lines
}

func TestNormalisation(t *testing.T) {
	fields := map[string]string{
		"enrollment_id":         "  wn116\t",
		"first_name":            "  Mary\u2019Ann ",
		"middle_initial":        "",
		"last_name":             "O\u2018Brien",
		"email":                 " Mary@Example.com ",
		"service_address_one":   " 112 N 41ST ST ",
		"service_city":          " SEATTLE ",
		"service_state":         " wa ",
		"service_zip":           " 98103 ",
		"plan_id":               " 1828 ",
		"notify_bill_via_email": "y",
		"phone_type":            "4g",
		"uiccid":                "8901260123456789012",
		"device_type":           "gsm",
		"brand_code":            "bst",
		"sku_type":              "intl",
		"esn":                   "a0000012345678",
		"carrier":               "tmb",
		"activation_type":       "newActivation",
		"enrollment_type":       "handover",
		"handover_type":         "CBE",
		"billing_state":         "nj",
		"activation_later":      "",
	}
	in := request(t, fields)
	in.ParentEnrollmentID = " Wn116 "
	in.Source = " website "
	in.AgentID = "  ewebsiteapi  "
	r, err := enrollment.Validate(in, enrollment.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if r.ParentEnrollmentID() != "WN116" || r.Source() != "WEBSITE" || r.AgentID() != "ewebsiteapi" {
		t.Errorf("top level %q %q %q", r.ParentEnrollmentID(), r.Source(), r.AgentID())
	}
	if !r.ParentIsNew() {
		t.Error("parent id must match the line case-insensitively")
	}
	l := r.Lines()[0]
	c := l.Customer()
	if l.EnrollmentID() != "WN116" || c.FirstName != "Mary'Ann" || c.LastName != "O'Brien" || c.MiddleInitial != "" || c.Email != "Mary@Example.com" {
		t.Errorf("customer %+v id %q", c, l.EnrollmentID())
	}
	if a := l.ServiceAddress(); a != (enrollment.Address{One: "112 N 41ST ST", City: "SEATTLE", State: "WA", Zip: "98103"}) {
		t.Errorf("service address %+v", a)
	}
	if b := l.BillingAddress(); b.State != "NJ" || b.IsZero() {
		t.Errorf("billing %+v", b)
	}
	d := l.Device()
	want := enrollment.Device{PhoneType: enrollment.Phone4G, DeviceType: enrollment.GSM, UICCID: "8901260123456789012",
		ESN: "A0000012345678", Carrier: "TMB", BrandCode: enrollment.BrandBST, SKUType: enrollment.SKUIntl}
	if d != want {
		t.Errorf("device %+v, want %+v", d, want)
	}
	if l.PlanID() != "1828" || l.ActivationType() != enrollment.NewActivation || l.EnrollmentType() != enrollment.Handover ||
		l.HandoverType() != enrollment.HandoverCBE || l.ActivationLater() || !l.NotifyBillViaEmail() || l.NotifyBillViaText() || l.IsPortIn() {
		t.Errorf("line %v", l)
	}
	if !l.Port().Address.IsZero() || !l.Customer().Password.IsZero() {
		t.Error("absent fields must be empty")
	}
}

// TestNonASCIICaseFolding: Unicode upper-casing maps 'ſ' to 'S'; an id
// sent with it must fail rather than become "WNS1".
func TestNonASCIICaseFolding(t *testing.T) {
	_, err := enrollment.Validate(request(t, validLine("wnſ1")), enrollment.Limits{})
	vs := violations(t, err)
	if len(vs) != 1 || vs[0].Field != "enrollment_id" || vs[0].Rule != enrollment.RulePattern {
		t.Fatalf("got %v", vs)
	}
}

func TestMultiLinePrefixes(t *testing.T) {
	_, err := enrollment.Validate(request(t, validLine("WN116"), with(validLine("WN118"), "service_zip", "9810")), enrollment.Limits{})
	vs := violations(t, err)
	if len(vs) != 1 || vs[0].Line != 2 || vs[0].Message != "Line 2: Service zip should be exactly 5 digits" {
		t.Fatalf("got %v", vs)
	}
	_, err = enrollment.Validate(request(t, with(validLine("WN116"), "service_zip", "9810")), enrollment.Limits{})
	vs = violations(t, err)
	if len(vs) != 1 || vs[0].Line != 1 || vs[0].Message != "Service zip should be exactly 5 digits" {
		t.Fatalf("got %v", vs)
	}
	_, err = enrollment.Validate(request(t, validLine("WN116"), without(validLine("WN118"), "enrollment_id")), enrollment.Limits{})
	vs = violations(t, err)
	if len(vs) != 1 || vs[0].Message != "Line 2: Please enter Enrollment Id" {
		t.Fatalf("got %v", vs)
	}
}

// TestAllViolationsReported checks that validation does not stop at the
// first problem, and the order: top level first, then by line, then by the
// document's field order.
func TestAllViolationsReported(t *testing.T) {
	line1 := validLine("WN116")
	line1["service_zip"] = "1"
	line1["first_name"] = "J0hn"
	line1["phone_type"] = "4G"
	line2 := validLine("wn116")
	delete(line2, "email")
	line2["activation_type"] = "PORTIN"
	in := request(t, line1, line2)
	in.AgentID = ""
	in.Source = ""
	_, err := enrollment.Validate(in, enrollment.Limits{})
	vs := violations(t, err)
	type key struct {
		line  int
		field string
	}
	var got []key
	for _, v := range vs {
		got = append(got, key{v.Line, v.Field})
	}
	want := []key{
		{0, "source"}, {0, "agent_id"},
		{1, "first_name"}, {1, "service_zip"}, {1, "uiccid"},
		{2, "enrollment_id"}, {2, "email"},
		{2, "port_current_carrier"}, {2, "port_first_name"}, {2, "port_last_name"}, {2, "port_address_one"},
		{2, "port_city"}, {2, "port_state"}, {2, "port_zip_code"}, {2, "port_account_number"},
		{2, "port_account_password"}, {2, "port_number"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	fe, _ := fault.As(err)
	if fe.Reason != "SOURCE_NOT_PRESENT" {
		t.Errorf("reason %q: the first violation's", fe.Reason)
	}
	if vs[5].Reason != enrollment.ReasonDuplicateEnrollmentID || vs[5].Message != "Line 2: Enrollment Id is the same as in line 1" {
		t.Errorf("duplicate %+v", vs[5])
	}
	for _, v := range vs {
		if v.Line > 0 && !strings.HasPrefix(v.Message, fmt.Sprintf("Line %d: ", v.Line)) {
			t.Errorf("message %q lacks its line prefix", v.Message)
		}
	}
}

func TestParentIndex(t *testing.T) {
	in := request(t, validLine("WN200"), validLine("wn116"), validLine("WN201"))
	r, err := enrollment.Validate(in, enrollment.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if i, ok := r.ParentIndex(); !ok || i != 1 || r.Lines()[i].EnrollmentID() != "WN116" {
		t.Errorf("ParentIndex = %d, %v", i, ok)
	}
	in.ParentEnrollmentID = "WN001"
	r, err = enrollment.Validate(in, enrollment.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.ParentIndex(); ok || r.ParentIsNew() {
		t.Error("a parent no line carries is an existing account")
	}
}

func TestRequestIsACopy(t *testing.T) {
	r, err := enrollment.Validate(request(t, validLine("WN116")), enrollment.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	r.Lines()[0] = enrollment.Line{}
	if r.Lines()[0].EnrollmentID() != "WN116" {
		t.Error("Lines must return a copy")
	}
}

func TestParseAgentID(t *testing.T) {
	if id, err := enrollment.ParseAgentID("  ewebsiteapi "); err != nil || id != "ewebsiteapi" {
		t.Errorf("got %q, %v", id, err)
	}
	tests := []struct{ in, reason, msg string }{
		{"", enrollment.ReasonAgentIDMissing, "Agent Id should not be blank"},
		{" \t ", enrollment.ReasonAgentIDMissing, "Agent Id should not be blank"},
		{"a\x01b", enrollment.ReasonAgentIDInvalid, "Invalid Agent Id"},
		{strings.Repeat("a", enrollment.MaxAgentID+1), enrollment.ReasonAgentIDInvalid, "Invalid Agent Id"},
	}
	for _, tt := range tests {
		_, err := enrollment.ParseAgentID(tt.in)
		fe, ok := fault.As(err)
		if !ok || fe.Code != fault.Invalid || fe.Reason != tt.reason || fe.Message != tt.msg || fe.Violations[0].Field != "agent_id" {
			t.Errorf("ParseAgentID(%q) = %v", tt.in, err)
		}
	}
	for _, err := range []error{enrollment.UnknownAgentError(), enrollment.AgentCredentialsError()} {
		if fault.CodeOf(err) != fault.Unauthorized {
			t.Errorf("%v: want Unauthorized", err)
		}
	}
	if fe, _ := fault.As(enrollment.AgentCredentialsError()); fe.Message != "Invalid Agent ID or Password" {
		t.Errorf("message %q", fe.Message)
	}
}

func TestUseCaseViolations(t *testing.T) {
	one, err := enrollment.Validate(request(t, validLine("WN116")), enrollment.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	two, err := enrollment.Validate(request(t, validLine("WN116"), validLine("WN118")), enrollment.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if v := one.EnrollmentIDUsed(1); v.Message != "Customer is already created against this enrollment id" || v.Reason != enrollment.ReasonEnrollmentIDUsed || v.Field != "enrollment_id" {
		t.Errorf("%+v", v)
	}
	if v := two.EnrollmentIDUsed(2); v.Message != "Line 2: Customer is already created against this enrollment id" || v.Line != 2 {
		t.Errorf("%+v", v)
	}
	if v := two.PlanNotActive(1); v.Message != "Line 1: Plan Id is not an active plan" || v.Field != "plan_id" || v.Reason != enrollment.ReasonPlanNotActive {
		t.Errorf("%+v", v)
	}
	vs := []fault.Violation{two.PlanNotActive(2), two.EnrollmentIDNotIssued(2), two.PlanNotActive(1), two.ParentNotFound()}
	enrollment.SortViolations(vs)
	var got []string
	for _, v := range vs {
		got = append(got, fmt.Sprintf("%d:%s", v.Line, v.Field))
	}
	if want := []string{"0:parent_enrollment_id", "1:plan_id", "2:enrollment_id", "2:plan_id"}; !slices.Equal(got, want) {
		t.Errorf("sorted %v, want %v", got, want)
	}
	if err := fault.Violations(vs).Err(); fault.ReasonOf(err) != enrollment.ReasonParentNotFound {
		t.Errorf("err %v", err)
	}
}

// TestFieldTable checks the one table of JSON names: every name maps to a
// distinct field of LineInput, and unknown names are refused.
func TestFieldTable(t *testing.T) {
	fields := enrollment.LineFields()
	// The contract's 50, the 7 create_prepaid_postpaid_customer_v2 added,
	// and its 2 other names for fields (middle_name, is_portin).
	if len(fields) != 59 {
		t.Errorf("%d line fields, want 59", len(fields))
	}
	var l enrollment.LineInput
	seen := map[string]bool{}
	for i, f := range fields {
		if seen[f.JSON] || f.Label == "" {
			t.Errorf("field %q duplicated or unlabelled", f.JSON)
		}
		seen[f.JSON] = true
		val := fmt.Sprint("v", i)
		if !l.Set(f.JSON, val) {
			t.Fatalf("Set(%q) refused", f.JSON)
		}
	}
	for i, f := range fields {
		if got, ok := l.Get(f.JSON); !ok || got != fmt.Sprint("v", i) {
			t.Errorf("Get(%q) = %q, %v: two names share a field", f.JSON, got, ok)
		}
	}
	if l.Set("action", "x") || l.Set("lines", "x") {
		t.Error("unknown names must be refused")
	}
	var secrets []string
	for _, f := range fields {
		if f.Secret {
			secrets = append(secrets, f.JSON)
		}
	}
	if want := []string{"password", "port_account_password", "port_ssn", "pin"}; !slices.Equal(secrets, want) {
		t.Errorf("secret fields %v, want %v", secrets, want)
	}

	var r enrollment.RequestInput
	for i, f := range enrollment.RequestFields() {
		if f.JSON == enrollment.LinesField || !r.Set(f.JSON, fmt.Sprint("v", i)) {
			t.Errorf("request field %q", f.JSON)
		}
	}
	if r.Action != "v0" || r.ParentEnrollmentID == "" || r.AgentID == "" || r.AgentPassword == "" || r.Source == "" ||
		r.SubSource == "" || r.InvoiceNumber == "" || r.ExternalTransactionID == "" {
		t.Errorf("RequestFields does not cover RequestInput: %+v", r)
	}
	if r.Set(enrollment.LinesField, "x") {
		t.Error("lines is not a string field")
	}
	// The named reasons agree with the derived ones.
	if enrollment.MissingReason("enrollment_id") != enrollment.ReasonEnrollmentIDMissing ||
		enrollment.MissingReason("agent_id") != enrollment.ReasonAgentIDMissing ||
		enrollment.InvalidReason("agent_id") != enrollment.ReasonAgentIDInvalid {
		t.Error("named reasons differ from MissingReason/InvalidReason")
	}
}

func BenchmarkValidate10Lines(b *testing.B) {
	lines := make([]map[string]string, 10)
	for i := range lines {
		switch i % 3 {
		case 0:
			lines[i] = validLine(fmt.Sprintf("WN%d", 100+i))
		case 1:
			lines[i] = portInLine(fmt.Sprintf("WN%d", 100+i))
		default:
			lines[i] = handoverLine(fmt.Sprintf("WN%d", 100+i))
		}
	}
	in := request(b, lines...)
	in.ParentEnrollmentID = "WN100"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := enrollment.Validate(in, enrollment.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
