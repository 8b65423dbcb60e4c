// Package httpapi is Allot's HTTP adapter: a gin engine that serves the
// series API of the vendor contract, the BSS prepaid-enrollment API, health
// probes and JSON error envelopes, plus Serve, which runs any handler with
// sane timeouts and a graceful shutdown.
//
// Routes (SeriesPath is /api/client/integration/virtualseries; every series
// route is authenticated by "Authorization: Basic <API KEY>"):
//
//	POST   SeriesPath/create   allot a series (the contract's endpoint)
//	GET    SeriesPath          list series (client_code, hub_code, item_code, type, limit, offset)
//	GET    SeriesPath/lookup   the series holding ?number=
//	POST   SeriesPath/next     draw the next numbers of an owner and item code
//	POST   SeriesPath/delete   delete several series, all or none
//	DELETE SeriesPath/:id      delete one series
//	GET    /healthz            liveness, always 200
//	GET    /readyz             readiness, 200 or 503
//	GET    /openapi/series.json, /openapi/bss.json
//	                           the OpenAPI 3.0 documents of both APIs (openapi.go), no credentials
//
// Every error, including unknown routes (404), wrong methods (405), bodies
// over the limit (413) and panics (500), is the contract's envelope
//
//	{"error":{"message":"...","statusCode":400,"reason":"...","code":"WRONG_INPUT"}}
//
// built from a fault.Error through the single code-to-status table in
// errors.go (the 405 and the readiness 503, which are not faults, use the
// same shape). Only errors about the request's content carry "code".
//
// The BSS enrollment API (SPEC §2; served when ports.Services.Enrollment is
// set) has its own conventions: every call is a POST of a JSON object to a
// module path, named by its "action", and every outcome but a body over the
// limit (413) and a server error (503, 500) is HTTP 200 with
//
//	{"errors":[...],"msg":"...","msg_code":"RESTAPI...","data":...,"token":"...","external_transaction_id":"..."}
//
// where errors, data and external_transaction_id appear only when there is
// one. The token travels in a request header named "token"; each call
// consumes it, and every response to a call that presented a valid token
// carries its successor, success or failure alike.
//
//	POST /authenticate  vendor_id, username, password, pin -> token
//	POST /enrollment    check_service_availability
//	POST /plan          plan_list
//	POST /customer      create_customer_prepaid_multiline (alias add_line_nonlifeline_customer),
//	                    create_prepaid_postpaid_customer_v2
//	POST /shipping      get_shipping_methods (with an order service)
//	POST /payment       payment_details, make_payment (with an order service)
//	POST /              RESTAPI101 Module required
//	POST /<other>       RESTAPI105 Module does not exist
//	other methods on /, /authenticate, /enrollment, /plan, /customer: RESTAPI001 Invalid Access!!
//
// Failures go through the BSS table in errors.go (bssReasonTable,
// bssCodeTable), the one place that maps reasons and codes to msg_code and
// msg.
//
// The documents under openapi/ describe every route, field and status
// above; the package's tests validate every request and response they
// exchange against them (openapi_check_test.go), so a change of the wire
// format changes the documents in the same commit.
//
// The package imports only ports, domain, gin and the standard library. An
// *API is an http.Handler, so the composition root can mount it beside other
// handlers (for example the dashboard under /dashboard/ on an
// http.ServeMux); further route groups, such as the enrollment API, are added
// as another file of this package registering on the same engine, or from
// outside through Engine.
package httpapi
