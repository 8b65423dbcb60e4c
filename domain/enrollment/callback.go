package enrollment

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/allot-io/allot/domain/fault"
)

// Reasons of the carrier callback's errors.
const (
	ReasonActivationKeyInvalid = "ACTIVATION_KEY_INVALID"
	ReasonCallbackStale        = "TIMESTAMP_STALE"
	ReasonCallbackSignature    = "SIGNATURE_INVALID"
)

// CallbackWindow is how far a carrier callback's sent_at may be from
// Allot's clock: an older (or further future) callback is refused as a
// possible replay.
const CallbackWindow = 5 * time.Minute

// ParseActivationKey returns the organisation and line ActivationKey made
// key from. Invalid ACTIVATION_KEY_INVALID naming the field key otherwise.
func ParseActivationKey(key string) (org int64, id int64, err error) {
	bad := fault.InvalidField("key", "activation key", ReasonActivationKeyInvalid,
		fmt.Sprintf("%q is not an activation key of Allot (allot-ORG-LINE)", key))
	rest, ok := strings.CutPrefix(key, "allot-")
	if !ok {
		return 0, 0, bad
	}
	o, l, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, 0, bad
	}
	org, err1 := strconv.ParseInt(o, 10, 64)
	id, err2 := strconv.ParseInt(l, 10, 64)
	if err1 != nil || err2 != nil || org <= 0 || id <= 0 || ActivationKey(org, id) != key {
		return 0, 0, bad
	}
	return org, id, nil
}

// CheckCallbackTime refuses a callback sent at sentAt when now is more
// than CallbackWindow away from it: Unauthorized TIMESTAMP_STALE.
func CheckCallbackTime(sentAt, now time.Time) error {
	if sentAt.IsZero() {
		return fault.Errorf(fault.Unauthorized, ReasonCallbackStale, "the callback carries no sent_at")
	}
	if d := now.Sub(sentAt); d > CallbackWindow || d < -CallbackWindow {
		return fault.Errorf(fault.Unauthorized, ReasonCallbackStale,
			"the callback was sent %s from now, outside the %s replay window", d.Round(time.Second), CallbackWindow)
	}
	return nil
}
