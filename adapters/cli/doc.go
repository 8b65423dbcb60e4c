// Package cli is the command-line adapter of Allot: the commands of the
// allot binary, built with github.com/urfave/cli/v2 over ports.Services.
//
// The composition root supplies a Deps value that opens a store (Open) and
// runs the HTTP server (Serve); this package never imports them, so the
// commands can be tested with in-memory fakes. Run turns every error into
// one line per message on stderr, prefixed "allot: ", and into an exit
// code taken from a single table of fault codes (see ExitCode).
//
// Output is written for people and for scripts alike: list commands print
// an aligned table with a header row, or with --json an array of objects
// with snake_case keys; dates are RFC 3339 in UTC; `apikey create` prints
// only the key so that KEY=$(allot apikey create --org ACME) works, and
// `vendor add` prints a generated password or pin on its own "password: "
// or "pin: " line, only that once, and never one the operator gave.
//
// `zip import` checks a whole CSV file (header zip,city,state) before it
// opens the database and reports every bad row as FILE:LINE: message;
// one bad row and nothing is imported.
package cli
