// Package webhookhttp sends webhook deliveries over HTTP(S): a POST per
// attempt, no redirect followed, no proxy, and every connection's address
// checked after name resolution, at connect time (webhook.CheckDial), so
// that a name that resolves to a private address, first or after a
// change of its DNS answer, is refused unless the webhook allows it.
package webhookhttp

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/allot-io/allot/domain/webhook"
	"github.com/allot-io/allot/ports"
)

var _ ports.WebhookSender = (*Sender)(nil)

// DefaultTimeout bounds one attempt when NewSender is given none.
const DefaultTimeout = 10 * time.Second

// maxResponse is how much of a receiver's answer is read (and dropped),
// so that the connection can be reused.
const maxResponse = 64 << 10

// Sender is ports.WebhookSender. It keeps two clients, one refusing
// private addresses and one allowing them, so that each webhook's setting
// is enforced by the dialler itself.
type Sender struct {
	public, private *http.Client
}

// NewSender returns a sender bounding each attempt by timeout (default
// DefaultTimeout).
func NewSender(timeout time.Duration) *Sender {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Sender{public: newClient(timeout, false), private: newClient(timeout, true)}
}

func newClient(timeout time.Duration, allowPrivate bool) *http.Client {
	d := &net.Dialer{
		Timeout: timeout,
		// Control runs for every address the dialler tries, after the
		// name is resolved: the check sees the address actually used.
		Control: func(_, address string, _ syscall.RawConn) error {
			return webhook.CheckDial(address, allowPrivate)
		},
	}
	return &http.Client{
		Timeout: timeout,
		// A delivery goes only where it was configured to: a redirect
		// would let a receiver point it anywhere, a private address
		// included.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{
			// No proxy: through one, the dialler would check the proxy's
			// address, not the receiver's.
			Proxy:                 nil,
			DialContext:           d.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          16,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   timeout,
			ResponseHeaderTimeout: timeout,
		},
	}
}

// Post implements ports.WebhookSender.
func (s *Sender) Post(ctx context.Context, p ports.WebhookPost) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL, bytes.NewReader(p.Body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Allot-Webhook/1")
	for k, v := range p.Header {
		req.Header.Set(k, v)
	}
	c := s.public
	if p.AllowPrivate {
		c = s.private
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
	return resp.StatusCode, nil
}
