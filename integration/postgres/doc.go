// Package postgres runs the driven ports' conformance suite and the HTTP
// API's race tests on a real PostgreSQL, one container per test run.
package postgres
