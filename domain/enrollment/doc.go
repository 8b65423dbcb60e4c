// Package enrollment holds the rules of prepaid multi-line enrollment
// (create_customer_prepaid_multiline): the raw request as a client sends it
// (RequestInput, LineInput), the table of its JSON field names, and Validate,
// which normalises every field, applies every rule of the vendor's field
// table, including the conditional ones (PORTIN, HANDOVER, 4G), and returns
// either a Request that is valid forever or one Invalid fault.Error carrying
// every violation. create_prepaid_postpaid_customer_v2, the vendor's newer
// action, is the same operation through the same table: its own fields, its
// other names for fields (is_portin, middle_name), its defaults, nested
// address objects and a parent named per line (see Validate).
//
// messages.go is the one table of the vendor's documented message texts;
// availability.go holds the rules check_service_availability and plan_list
// share (zip_code, enrollment_type against the organisation's programs).
//
// What needs a store is left to the use case, which reports it with the
// reasons and messages exported here: whether an enrollment id was issued
// to the organisation or already used, whether a plan is active, whether the
// parent enrollment id names an existing account, whether the agent exists.
//
// Secrets (the customer password, the port-out account password, SSN and
// PIN, the agent password) are held as Secret values and are redacted whenever a
// Line, a Request, their inputs or the Secret itself is printed, logged with
// log/slog or marshalled to JSON.
package enrollment
