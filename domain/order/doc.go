// Package order holds the rules of the BSS API's orders and payments
// (SPEC §2 "Orders and payments"): an organisation's shipping methods,
// fees per state, coupons and invoice numbering; the pricing of a quote
// (payment_details), which is a pure function of its inputs; the
// validation of a payment (make_payment); and the order a payment records.
//
// Money is exact (domain/money); nothing here reads the clock or performs
// I/O, so that the same rules serve the HTTP API, the CLI and embedders.
package order
