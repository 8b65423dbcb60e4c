// Package token is the lifecycle of the enrollment API's tokens as a pure
// state machine: a token is issued for a vendor's organisation, is good for
// one call, and expires after its time to live. A token is an opaque random
// secret that carries nothing (no credential, no personal data, no
// organisation); the store keeps only its keyed digest (Digest), so a leaked
// table of tokens cannot be replayed.
//
// Time and randomness come in as arguments: the caller passes the current
// time to State and Consume, and the random bytes to Generate. Consuming a
// token atomically, so that of two concurrent calls exactly one proceeds,
// is the store's job: it must apply the transition Consume describes with a
// conditional update (not yet consumed and not expired at now).
package token
