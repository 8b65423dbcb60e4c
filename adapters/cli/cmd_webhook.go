package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/domain/webhook"
	"github.com/allot-io/allot/ports"
)

// webhookCommand is `allot webhook add|list|remove|deliveries`.
func (s *state) webhookCommand() *ucli.Command {
	evs := make([]string, len(webhook.EventTypes))
	for i, e := range webhook.EventTypes {
		evs[i] = string(e)
	}
	deliveries := append([]ucli.Flag{dbFlag(), orgFlag(), &ucli.Int64Flag{Name: "webhook", Usage: "only the deliveries of webhook `ID`"}}, pageFlags()...)
	deliveries = append(deliveries, jsonFlag())
	return group("webhook", "signed webhooks to the organisation's own systems ("+strings.Join(evs, ", ")+")",
		leaf("add", "subscribe a URL to events; prints the signing secret, shown only this once", "",
			[]ucli.Flag{dbFlag(), orgFlag(),
				stringFlag("url", "deliver to `URL` (http:// or https://; required)"),
				stringFlag("events", "comma-separated `EVENTS` ("+strings.Join(evs, ",")+"; required)"),
				&ucli.BoolFlag{Name: "allow-private", Usage: "allow a private, loopback or link-local receiver (your own network)", DisableDefaultText: true},
				jsonFlag()},
			s.webhookAdd),
		leaf("list", "list the organisation's webhooks", "", []ucli.Flag{dbFlag(), orgFlag(), jsonFlag()}, func(c *ucli.Context) error {
			if _, err := args(c); err != nil {
				return err
			}
			return s.withWebhooks(c, func(ctx context.Context, svc ports.WebhookService, org tenant.OrgID) error {
				l, err := svc.List(ctx, org)
				if err != nil {
					return err
				}
				return printList(c, l, toWebhookJSON, []string{"ID", "URL", "EVENTS", "ALLOW-PRIVATE", "CREATED"}, func(t *table, w webhook.Webhook) {
					j := toWebhookJSON(w)
					t.row(fmt.Sprint(w.ID), w.URL, strings.Join(j.Events, ","), yesNo(w.AllowPrivate), j.CreatedAt)
				})
			})
		}),
		leaf("remove", "remove a webhook and its delivery log", "ID", []ucli.Flag{dbFlag(), orgFlag()}, func(c *ucli.Context) error {
			a, err := args(c, "ID")
			if err != nil {
				return err
			}
			id, err := strconv.ParseInt(a[0], 10, 64)
			if err != nil || id <= 0 {
				return usagef(c, "ID %q is not a positive integer", a[0])
			}
			return s.withWebhooks(c, func(ctx context.Context, svc ports.WebhookService, org tenant.OrgID) error {
				if err := svc.Remove(ctx, org, id); err != nil {
					return err
				}
				return printf(c, "webhook %d removed\n", id)
			})
		}),
		leaf("deliveries", "show the delivery log, newest first: status, attempts, last error, response code", "", deliveries, s.webhookDeliveries),
	)
}

func (s *state) withWebhooks(c *ucli.Context, fn func(ctx context.Context, svc ports.WebhookService, org tenant.OrgID) error) error {
	code, err := orgCode(c)
	if err != nil {
		return err
	}
	return withService(s, c, code, func(v ports.Services) ports.WebhookService { return v.Webhooks }, "this build has no webhook service",
		func(ctx context.Context, svc ports.WebhookService, org tenant.Organisation) error {
			return fn(ctx, svc, org.ID)
		})
}

func (s *state) webhookAdd(c *ucli.Context) error {
	if _, err := args(c); err != nil {
		return err
	}
	if _, err := required(c, "url", "events"); err != nil {
		return err
	}
	in := ports.WebhookInput{URL: c.String("url"), Events: c.String("events"), AllowPrivate: c.Bool("allow-private")}
	return s.withWebhooks(c, func(ctx context.Context, svc ports.WebhookService, org tenant.OrgID) error {
		w, secret, err := svc.Add(ctx, org, in)
		if err != nil {
			return err
		}
		if c.Bool("json") {
			j := toWebhookJSON(w)
			j.Secret = secret
			return writeJSON(c.App.Writer, j)
		}
		fmt.Fprintf(c.App.ErrWriter, "allot: webhook %d added for %s; its signing secret follows, shown only this once\n", w.ID, w.URL)
		// Only the secret on stdout, so that SECRET=$(allot webhook add ...) works.
		return printf(c, "%s\n", secret)
	})
}

func (s *state) webhookDeliveries(c *ucli.Context) error {
	if _, err := args(c); err != nil {
		return err
	}
	q, err := pageQuery(c)
	if err != nil {
		return err
	}
	dq := ports.DeliveryQuery{WebhookID: c.Int64("webhook")}
	if dq.WebhookID < 0 {
		return usagef(c, "--webhook must be a positive id")
	}
	return s.withWebhooks(c, func(ctx context.Context, svc ports.WebhookService, org tenant.OrgID) error {
		fetch := func(q ports.Query) ([]webhook.Delivery, int, error) {
			dq.Query = q
			l, err := svc.Deliveries(ctx, org, dq)
			return l, -1, err
		}
		return listPages(c, q, "deliveries", fetch, toDeliveryJSON,
			[]string{"ID", "WEBHOOK", "EVENT", "STATUS", "ATTEMPTS", "CODE", "LAST-ERROR", "UPDATED"},
			func(t *table, d webhook.Delivery) {
				code := ""
				if d.ResponseCode > 0 {
					code = fmt.Sprint(d.ResponseCode)
				}
				t.row(fmt.Sprint(d.ID), fmt.Sprint(d.WebhookID), string(d.Event), string(d.Status), fmt.Sprint(d.Attempts), code, d.LastError, timestamp(d.UpdatedAt))
			})
	})
}

type webhookJSON struct {
	ID           int64    `json:"id"`
	URL          string   `json:"url"`
	Events       []string `json:"events"`
	AllowPrivate bool     `json:"allow_private"`
	CreatedAt    string   `json:"created_at"`
	// Secret is set only in the answer of add.
	Secret string `json:"secret,omitempty"`
}

func toWebhookJSON(w webhook.Webhook) webhookJSON {
	evs := make([]string, len(w.Events))
	for i, e := range w.Events {
		evs[i] = string(e)
	}
	return webhookJSON{ID: w.ID, URL: w.URL, Events: evs, AllowPrivate: w.AllowPrivate, CreatedAt: timestamp(w.CreatedAt)}
}

type deliveryJSON struct {
	ID           int64  `json:"id"`
	WebhookID    int64  `json:"webhook_id"`
	Event        string `json:"event"`
	Status       string `json:"status"`
	Attempts     int    `json:"attempts"`
	LastError    string `json:"last_error,omitempty"`
	ResponseCode int    `json:"response_code,omitempty"`
	CreatedAt    string `json:"created_at"`
	UpdatedAt    string `json:"updated_at"`
}

func toDeliveryJSON(d webhook.Delivery) deliveryJSON {
	return deliveryJSON{ID: d.ID, WebhookID: d.WebhookID, Event: string(d.Event), Status: string(d.Status), Attempts: d.Attempts,
		LastError: d.LastError, ResponseCode: d.ResponseCode, CreatedAt: timestamp(d.CreatedAt), UpdatedAt: timestamp(d.UpdatedAt)}
}
