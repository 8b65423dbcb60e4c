// Package integration holds Allot's tests against real infrastructure: a
// PostgreSQL started with testcontainers-go (pgtest), the store's
// conformance suite on it (postgres), end-to-end runs of the real allot
// binary (e2e), and the dashboard driven in headless Chromium (browser).
// `make test-integration` runs them; under CI=true a missing Docker engine,
// image or Chromium is a failure, never a skip.
package integration
