// Package metrics is the Prometheus adapter of ports.Metrics: counters of
// the events the use cases report, a gin middleware timing HTTP requests
// by route template, a collector reading the lowest stock levels from the
// store at scrape time, and the statistics of the database pools. Every
// metric lives in the prometheus.Registry given to New, never in the
// global one, so that several servers (and tests) in one process keep
// apart.
package metrics
