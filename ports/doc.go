// Package ports declares the interfaces between Allot's use cases and the
// world: driven ports (stores, clock, metrics) that adapters implement for
// the use cases, and driving ports (services) that the use cases implement
// for the HTTP, CLI and dashboard adapters. It imports only the domain and
// the standard library.
//
// Every method documents the fault codes and reasons it returns; adapters
// branch on those, never on messages.
package ports
