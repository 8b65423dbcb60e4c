package enrollment

import "github.com/allot-io/allot/domain/token"

// The vendor's documented message texts, in one table: the contract
// document (shared/reference) and, where SPEC §2 "Real clients" records
// them, the newer API export. Clients compare these texts, so each is
// written exactly as documented, punctuation and capitals included; the
// adapters map error reasons to msg_codes and use these texts, never their
// own copies.
const (
	// MsgSuccess is the msg of every success but authenticate's.
	MsgSuccess = "Success"
	// MsgAuthenticated is the msg of a successful authenticate.
	MsgAuthenticated = "Successfully Authenticate"
	// MsgErrorOccurred is the msg of a failure whose messages are in
	// errors (RESTAPI110, RESTAPI010).
	MsgErrorOccurred = "Error occurred"
	// MsgInvalidAccess answers any method but POST (RESTAPI001).
	MsgInvalidAccess = "Invalid Access!!"
	// MsgModuleRequired answers a call without a module (RESTAPI101).
	MsgModuleRequired = "Module required"
	// MsgActionRequired answers a call without an action (RESTAPI102).
	MsgActionRequired = "Action required"
	// MsgModuleUnknown answers a call to an unknown module (RESTAPI105).
	MsgModuleUnknown = "Module does not exist"
	// MsgActionUnknown answers an action the module does not have (RESTAPI106).
	MsgActionUnknown = "Action does not exist"
	// MsgInvalidCompany answers a call of a disabled organisation (RESTAPI107).
	MsgInvalidCompany = "Invalid company"
	// MsgInvalidMethod answers a body that is not a JSON object (RESTAPI108).
	MsgInvalidMethod = "Invalid method"

	// MsgInvalidToken, MsgTokenUsed and MsgTokenExpired are the token
	// failures (RESTAPI001); domain/token, where the rule lives, defines them.
	MsgInvalidToken = token.MsgInvalid
	MsgTokenUsed    = token.MsgUsed
	MsgTokenExpired = token.MsgExpired

	// MsgInvalidCredentials answers wrong vendor credentials (RESTAPI001).
	MsgInvalidCredentials = "Invalid credentials!!"
	// MsgCredentialsMissing answers missing vendor credentials (RESTAPI001).
	MsgCredentialsMissing = "username and password pin and vendor_id are required"

	// MsgSourceNotAllowed is the msg of every source failure (RESTAPI103).
	MsgSourceNotAllowed = "Source Not Allowed"
	// MsgSourceBlank is the errors entry of a blank source (RESTAPI103).
	MsgSourceBlank = "Source can not be blank."
	// MsgSourceRefused is the errors entry of a source the organisation
	// does not allow, or that is not a source at all (RESTAPI103).
	MsgSourceRefused = "This source not allowed."

	// MsgAgentIDBlank is the vendor's message for a blank agent_id (RESTAPI104).
	MsgAgentIDBlank = "Agent Id should not be blank"
	// MsgInvalidAgentID is the vendor's message for an unknown agent_id (RESTAPI104).
	MsgInvalidAgentID = "Invalid Agent Id"
	// MsgInvalidAgentCredentials is the vendor's message for a missing or
	// wrong agent password (RESTAPI104).
	MsgInvalidAgentCredentials = "Invalid Agent ID or Password"
	// MsgUnauthorizedAccess answers an agent not permitted the action (RESTAPI109).
	MsgUnauthorizedAccess = "Unauthorized Access"

	// MsgZipNotServed answers a zip code outside the service area (RESTAPI110).
	MsgZipNotServed = "We do not provide services at the users Zip Code"
	// MsgInvalidZipCode answers a zip_code that is not 5 digits (RESTAPI110).
	MsgInvalidZipCode = "Please enter valid 5 digit Zip Code"
	// MsgInvalidEnrollmentType answers an enrollment_type that is not a
	// program (RESTAPI110).
	MsgInvalidEnrollmentType = "Please enter valid enrollment_type (i.e.NON_LIFELINE, LIFELINE)"
	// MsgPlansNotFound answers a plan_list that finds no plan (RESTAPI110).
	MsgPlansNotFound = "Plans not found"

	// MsgEnrollmentIDMissing is the vendor's message for a line without
	// an enrollment id (RESTAPI110).
	MsgEnrollmentIDMissing = "Please enter Enrollment Id"
	// MsgEnrollmentIDUsed is the live service's message for an enrollment
	// id that already has a customer; clients look for it to recover the
	// existing customer's ids.
	MsgEnrollmentIDUsed = "Customer is already created against this enrollment id"
	// MsgFail is the top-level errors entry by which clients of
	// create_prepaid_postpaid_customer_v2 detect a failed request (the
	// vendor's reference integration tests errors.includes("Fail")).
	MsgFail = "Fail"
)

// Messages of Allot's own, for rules the vendor documents no wording for.
const (
	// MsgLinesMissing is the message for a request without lines.
	MsgLinesMissing = "At least one line is required"
	// MsgEnrollmentIDNotIssued is the message for an enrollment id the
	// organisation never issued.
	MsgEnrollmentIDNotIssued = "Invalid Enrollment Id"
	// MsgPlanNotActive is the message for a plan that is not active.
	MsgPlanNotActive = "Plan Id is not an active plan"
	// MsgParentNotFound is the message for a parent enrollment id that
	// names neither a line nor an account.
	MsgParentNotFound = "Parent enrollment Id is neither a line of this request nor an existing account"
	// MsgProgramNotOffered is the message for a program the organisation
	// does not run.
	MsgProgramNotOffered = "This enrollment_type is not offered: the organisation does not run this program"
	// MsgLifelineOutside is the message for creating a customer on an
	// enrollment id issued for LIFELINE.
	MsgLifelineOutside = "Lifeline customers are not created through this API: this enrollment id was issued for LIFELINE"
	// MsgLineNotCreated is the message of a valid line of a request that
	// was refused for errors elsewhere (requests are all or nothing).
	MsgLineNotCreated = "Not created: the request has errors elsewhere, so nothing was written"
)
