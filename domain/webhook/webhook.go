package webhook

import (
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/allot-io/allot/domain/fault"
)

// EventType names what a webhook is told about.
type EventType string

// The events a webhook can subscribe to.
const (
	// LineActivated: a line became ACTIVE, with its MDN.
	LineActivated EventType = "line.activated"
	// LineFailed: a line became FAILED (the carrier refused it, or the
	// retries were spent).
	LineFailed EventType = "line.failed"
	// PortStatusChanged: a port-in line entered or left a port status
	// (PORT_PENDING, PORT_RESOLUTION_REQUIRED).
	PortStatusChanged EventType = "port.status_changed"
	// StockLow: a draw or consume took an owner's available stock of an
	// item from above its threshold to at or below it.
	StockLow EventType = "stock.low"
)

// EventTypes lists every event type.
var EventTypes = []EventType{LineActivated, LineFailed, PortStatusChanged, StockLow}

// Reasons of the webhook errors.
const (
	ReasonEventInvalid     = "WEBHOOK_EVENT_INVALID"
	ReasonURLInvalid       = "WEBHOOK_URL_INVALID"
	ReasonURLPrivate       = "WEBHOOK_URL_PRIVATE"
	ReasonNotFound         = "WEBHOOK_NOT_FOUND"
	ReasonSignatureInvalid = "SIGNATURE_INVALID"
	ReasonTimestampStale   = "TIMESTAMP_STALE"
)

func eventNames() string {
	names := make([]string, len(EventTypes))
	for i, e := range EventTypes {
		names[i] = string(e)
	}
	return strings.Join(names, ", ")
}

// ParseEvents reads a comma-separated list of event types (at least one;
// repeats collapse) and returns them in EventTypes order. Invalid
// WEBHOOK_EVENT_INVALID naming the field events otherwise.
func ParseEvents(list string) ([]EventType, error) {
	seen := map[EventType]bool{}
	for _, part := range strings.Split(list, ",") {
		p := EventType(strings.ToLower(strings.TrimSpace(part)))
		if p == "" {
			continue
		}
		if !slices.Contains(EventTypes, p) {
			return nil, fault.InvalidField("events", "one of "+eventNames(), ReasonEventInvalid,
				fmt.Sprintf("%q is not a webhook event (one of %s)", p, eventNames()))
		}
		seen[p] = true
	}
	if len(seen) == 0 {
		return nil, fault.InvalidField("events", "required", ReasonEventInvalid, "name at least one event: "+eventNames())
	}
	var out []EventType
	for _, e := range EventTypes {
		if seen[e] {
			out = append(out, e)
		}
	}
	return out, nil
}

// Webhook is an organisation's subscription: where its events go.
type Webhook struct {
	ID     int64
	URL    string
	Events []EventType
	// AllowPrivate lets deliveries reach private, loopback and
	// link-local addresses (a receiver on the organisation's own
	// network); off, such targets are refused.
	AllowPrivate bool
	CreatedAt    time.Time
}

// Subscribed reports whether w is told about e.
func (w Webhook) Subscribed(e EventType) bool { return slices.Contains(w.Events, e) }

// ParseURL checks a webhook URL: absolute http or https with a host, no
// user information (a secret in a URL would be printed by every list).
// Unless allowPrivate, a host that is a private, loopback or link-local
// address, or "localhost", is refused here; a name is checked again on
// every delivery, against the address it resolves to then (PrivateAddr),
// which is what catches a name that changes its answer. Invalid
// WEBHOOK_URL_INVALID or WEBHOOK_URL_PRIVATE naming the field url.
func ParseURL(raw string, allowPrivate bool) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return "", fault.InvalidField("url", "http(s) URL", ReasonURLInvalid,
			fmt.Sprintf("the webhook URL %q must be an absolute http:// or https:// URL with a host", raw))
	}
	if u.User != nil {
		return "", fault.InvalidField("url", "no userinfo", ReasonURLInvalid, "the webhook URL must not carry a user name or password")
	}
	if u.Fragment != "" {
		return "", fault.InvalidField("url", "no fragment", ReasonURLInvalid, "the webhook URL must not have a #fragment")
	}
	if !allowPrivate {
		host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
		if host == "localhost" || strings.HasSuffix(host, ".localhost") {
			return "", privateURL(raw)
		}
		if ip, err := netip.ParseAddr(host); err == nil && PrivateAddr(ip) {
			return "", privateURL(raw)
		}
	}
	return u.String(), nil
}

func privateURL(raw string) error {
	return fault.InvalidField("url", "public address", ReasonURLPrivate,
		fmt.Sprintf("the webhook URL %q points at a private, loopback or link-local address; add --allow-private for a receiver on your own network", raw))
}

// nonPublic are the IPv4 and IPv6 ranges besides what netip's predicates
// cover that a webhook must not reach by default: "this network", shared
// address space (carrier-grade NAT), IETF protocol assignments,
// documentation, benchmarking, reserved and the NAT64 prefix.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// PrivateAddr reports whether ip is an address a webhook must not reach
// without AllowPrivate: loopback, private (RFC 1918, fc00::/7),
// link-local (169.254/16 with the cloud metadata address, fe80::/10),
// unspecified, multicast, and the non-public ranges above. An IPv4 address
// mapped into IPv6 is judged as IPv4.
func PrivateAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return true
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// CheckDial is the connect-time check of a delivery's target: address is
// the "ip:port" about to be dialled, after name resolution. It returns an
// error naming the address when allowPrivate is off and PrivateAddr
// refuses it, or when address is not an IP and port.
func CheckDial(address string, allowPrivate bool) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook target %q is not an IP address and port", address)
	}
	ip := ap.Addr()
	if !allowPrivate && PrivateAddr(ip) {
		return fmt.Errorf("webhook target %s is a private, loopback or link-local address (refused without --allow-private)", ip)
	}
	return nil
}
