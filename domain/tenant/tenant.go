// Package tenant holds organisations (tenants) and what belongs directly to
// them: API keys, customers, hubs and the service-type catalogue, with the
// rules for their codes and names.
package tenant

import (
	"fmt"
	"strings"
	"time"

	"github.com/allot-io/allot/domain/fault"
)

// OrgID identifies an organisation inside one store.
type OrgID int64

// Organisation is a tenant: everything else belongs to exactly one.
type Organisation struct {
	ID        OrgID
	Code      string
	Name      string
	Disabled  bool
	CreatedAt time.Time
	// Settings are the organisation's compatibility settings.
	Settings Settings
}

// Customer is a client of an organisation to whom series are allotted.
type Customer struct {
	Code      string
	Name      string
	CreatedAt time.Time
	// UseGlobal lets the customer draw from the organisation's global pool
	// once its own stock of an item is exhausted.
	UseGlobal bool
}

// Hub is a site of an organisation; series may be allotted to it and it may
// be recorded as a series' creator.
type Hub struct {
	Code      string
	Name      string
	CreatedAt time.Time
}

// ServiceType is an entry of an organisation's catalogue of carrier services.
type ServiceType struct {
	Code      string
	Name      string
	CreatedAt time.Time
}

// APIKey is the stored part of an API key: an identifying prefix and a hash
// of the whole key. The key itself is shown once, at creation.
type APIKey struct {
	Prefix    string
	Hash      []byte
	CreatedAt time.Time
	RevokedAt *time.Time
}

// Revoked reports whether the key has been revoked.
func (k APIKey) Revoked() bool { return k.RevokedAt != nil }

// Limits of codes and names.
const (
	MaxCode = 32
	MaxName = 200
)

// Reasons reported for tenant fields.
const (
	ReasonInvalidCode = "INVALID_CODE"
	ReasonInvalidName = "INVALID_NAME"
	ReasonDuplicate   = "ALREADY_EXISTS"
	ReasonOrgNotFound = "ORG_NOT_FOUND"
	ReasonNotFound    = "NOT_FOUND"
	ReasonNoAPIKey    = "NO_API_KEY"
	ReasonWrongAPIKey = "WRONG_API_KEY"
	ReasonOrgDisabled = "ORG_DISABLED"
)

// ParseCode checks a code given in field: 1 to 32 letters, digits, '-' or
// '_', surrounding spaces trimmed. Codes are case-sensitive, as the
// platforms that issue them treat them.
func ParseCode(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fault.InvalidField(field, "required", ReasonInvalidCode, field+" is required")
	}
	if len(s) > MaxCode {
		return "", fault.InvalidField(field, "max_length", ReasonInvalidCode, fmt.Sprintf("%s must be at most %d characters", field, MaxCode))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
			return "", fault.InvalidField(field, "pattern", ReasonInvalidCode, field+" may contain only letters, digits, '-' and '_'")
		}
	}
	return s, nil
}

// ParseName checks a display name given in field: trimmed, at most 200
// characters, no control characters. An empty name is allowed when
// required is false.
func ParseName(field, s string, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" && required {
		return "", fault.InvalidField(field, "required", ReasonInvalidName, field+" is required")
	}
	if len([]rune(s)) > MaxName {
		return "", fault.InvalidField(field, "max_length", ReasonInvalidName, fmt.Sprintf("%s must be at most %d characters", field, MaxName))
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return "", fault.InvalidField(field, "pattern", ReasonInvalidName, field+" must not contain control characters")
		}
	}
	return s, nil
}
