// Package carrier holds adapters of ports.Carrier: Fake, an in-memory
// carrier for tests and for watching the lifecycle on a laptop, which
// answers by rules, counts activations per key and is deterministic.
package carrier
