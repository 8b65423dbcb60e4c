package ports

import "context"

// AuthEpochs is what a store offers, beside Store, when verdicts on
// credentials may be cached in the process: an epoch that changes, in
// every process, as soon as an organisation, an API key or a vendor
// credential changes or goes (whichever process changed it). A verdict
// reached in one epoch holds only while that epoch is current.
type AuthEpochs interface {
	// AuthEpoch returns the current epoch and true; false when the store
	// cannot learn at once of changes made elsewhere (no notification
	// channel, or it is down), and then nothing may be cached.
	AuthEpoch(ctx context.Context) (uint64, bool)
}
