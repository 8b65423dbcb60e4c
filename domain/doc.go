// Package domain is the pure core of Allot: entities, value objects and the
// rules that govern them, split into one package per bounded context
// (fault, series, tenant, ...). Nothing below domain performs I/O, reads the
// clock or imports anything outside the standard library, so other Go
// services can embed these packages without pulling in a database or a web
// framework.
package domain
