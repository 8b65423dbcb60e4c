package enrollment

import (
	"strings"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
)

// Reasons of the rules of check_service_availability and plan_list.
const (
	// ReasonInvalidZipCode: zip_code is not exactly 5 digits.
	ReasonInvalidZipCode = "INVALID_ZIP_CODE"
	// ReasonInvalidEnrollmentType: enrollment_type names no program.
	ReasonInvalidEnrollmentType = "INVALID_ENROLLMENT_TYPE"
	// ReasonProgramNotOffered: enrollment_type names a program the
	// organisation does not run.
	ReasonProgramNotOffered = "PROGRAM_NOT_OFFERED"
	// ReasonPlansNotFound: plan_list finds no plan.
	ReasonPlansNotFound = "PLAN_NOT_FOUND"
	// ReasonLifelineOutside: a customer is to be created on an enrollment id
	// issued for LIFELINE, which Allot does not enroll.
	ReasonLifelineOutside = "LIFELINE_NOT_SUPPORTED"
)

// Field names of check_service_availability and plan_list.
const (
	fieldZipCode        = "zip_code"
	fieldEnrollmentType = "enrollment_type"
)

// ParseZipCode checks the zip_code of check_service_availability and
// plan_list: exactly 5 digits, surrounding spaces ignored. A blank or bad
// one is Invalid INVALID_ZIP_CODE with the vendor's message, "Please enter
// valid 5 digit Zip Code".
func ParseZipCode(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !isDigits(s, 5) {
		rule := RuleDigits
		if s == "" {
			rule = RuleRequired
		}
		return "", fault.InvalidField(fieldZipCode, rule, ReasonInvalidZipCode, MsgInvalidZipCode)
	}
	return s, nil
}

// ParseProgram checks the enrollment_type of check_service_availability and
// plan_list against the programs the organisation runs (case-insensitive,
// spaces ignored). A value that is no program is Invalid
// INVALID_ENROLLMENT_TYPE with the vendor's message ("Please enter valid
// enrollment_type (i.e.NON_LIFELINE, LIFELINE)"); a program the
// organisation does not run (LIFELINE unless enabled) is Invalid
// PROGRAM_NOT_OFFERED.
func ParseProgram(s string, runs tenant.Programs) (tenant.Program, error) {
	p := tenant.Program(asciiUpper(strings.TrimSpace(s)))
	switch p {
	case tenant.ProgramNonLifeline, tenant.ProgramLifeline:
	default:
		rule := RuleEnum
		if p == "" {
			rule = RuleRequired
		}
		return "", fault.InvalidField(fieldEnrollmentType, rule, ReasonInvalidEnrollmentType, MsgInvalidEnrollmentType)
	}
	if !runs.Has(p) {
		return "", fault.InvalidField(fieldEnrollmentType, RuleEnum, ReasonProgramNotOffered, MsgProgramNotOffered)
	}
	return p, nil
}

// ZipNotServedError is the NotFound error for a zip code outside the
// organisation's service area ("We do not provide services at the users
// Zip Code").
func ZipNotServedError() error {
	return fault.New(fault.NotFound, ReasonZipNotServed, MsgZipNotServed)
}

// PlansNotFoundError is the NotFound error of a plan_list that finds no
// plan ("Plans not found").
func PlansNotFoundError() error {
	return fault.New(fault.NotFound, ReasonPlansNotFound, MsgPlansNotFound)
}
