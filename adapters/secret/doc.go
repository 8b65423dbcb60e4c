// Package secret implements the cryptographic driven ports: an argon2id
// PasswordHasher, an AES-256-GCM Sealer, and the loading of the master key
// they and the token digests derive from (ALLOT_SECRET_KEY, or a key file
// generated once beside the embedded database).
package secret
