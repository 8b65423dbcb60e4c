// Package app holds Allot's application layer: the use cases in app/service,
// which orchestrate the domain and the driven ports and know no framework,
// and the composition root in app/wire, which builds adapters and services
// and is the only place that imports them all.
package app
