package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// table writes rows aligned in columns under an upper-case header.
type table struct {
	tw *tabwriter.Writer
}

func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	t.row(header...)
	return t
}

// row writes one row; an empty cell is shown as "-" so that every row has
// as many words as the header and `awk '{print $3}'` keeps working.
func (t *table) row(cells ...string) {
	for i, c := range cells {
		if c == "" {
			c = "-"
		}
		if i > 0 {
			_, _ = io.WriteString(t.tw, "\t")
		}
		_, _ = io.WriteString(t.tw, c)
	}
	_, _ = io.WriteString(t.tw, "\n")
}

// flush writes the table; tabwriter buffers every row until then, so this
// is where a write error surfaces.
func (t *table) flush() error { return writeErr(t.tw.Flush()) }

// printList prints items: under --json as one JSON array of toJSON of each,
// otherwise as a table under header with the rows rows writes for each.
func printList[T, J any](c *ucli.Context, items []T, toJSON func(T) J, header []string, rows func(*table, T)) error {
	if c.Bool("json") {
		return writeJSON(c.App.Writer, mapped(items, toJSON))
	}
	t := newTable(c.App.Writer, header...)
	for _, x := range items {
		rows(t, x)
	}
	return t.flush()
}

// listPages prints a paged listing the same way for every list command:
// one page (q, from page) as printList does, then, on stderr so that
// stdout keeps only rows, a note when the page is only part of the list,
// naming the rows shown and how to see the rest. With --all it reads page
// after page of maxPage rows from q.Offset and streams them (a JSON array,
// or a table flushed per page) until the last. fetch returns one page;
// total, when the store counts (total >= 0), is the number of rows of the
// whole list; noun names the rows.
func listPages[T, J any](c *ucli.Context, q ports.Query, noun string, fetch func(q ports.Query) (items []T, total int, err error),
	toJSON func(T) J, header []string, rows func(*table, T)) error {
	if c.Bool("all") {
		return streamPages(c, q, fetch, toJSON, header, rows)
	}
	items, total, err := fetch(q)
	if err != nil {
		return err
	}
	more := total > q.Offset+len(items)
	if total < 0 && len(items) == q.Limit {
		// The store does not count: ask for the row after the page.
		next, _, err := fetch(ports.Query{Limit: 1, Offset: q.Offset + len(items)})
		if err != nil {
			return err
		}
		more = len(next) > 0
	}
	if err := printList(c, items, toJSON, header, rows); err != nil {
		return err
	}
	if more {
		of := " of more"
		if total >= 0 {
			of = fmt.Sprintf(" of %d", total)
		}
		fmt.Fprintf(c.App.ErrWriter, "allot: showing %d-%d%s %s; use --offset %d for more, or --all\n",
			q.Offset+1, q.Offset+len(items), of, noun, q.Offset+len(items))
	}
	return nil
}

// streamPages is listPages' --all.
func streamPages[T, J any](c *ucli.Context, q ports.Query, fetch func(q ports.Query) ([]T, int, error),
	toJSON func(T) J, header []string, rows func(*table, T)) error {
	q.Limit = maxPage
	asJSON := c.Bool("json")
	w := c.App.Writer
	first := true
	if asJSON {
		if _, err := io.WriteString(w, "["); err != nil {
			return writeErr(err)
		}
	}
	var t *table
	for {
		items, _, err := fetch(q)
		if err != nil {
			return err
		}
		if !asJSON && t == nil {
			t = newTable(w, header...)
		}
		for _, x := range items {
			if asJSON {
				b, err := json.MarshalIndent(toJSON(x), "  ", "  ")
				if err != nil {
					return fault.Wrap(err, "encode row")
				}
				sep := ",\n  "
				if first {
					sep = "\n  "
				}
				first = false
				if _, err := io.WriteString(w, sep+string(b)); err != nil {
					return writeErr(err)
				}
			} else {
				rows(t, x)
			}
		}
		if !asJSON {
			if err := t.flush(); err != nil {
				return err
			}
		}
		if len(items) < q.Limit {
			break
		}
		q.Offset += len(items)
	}
	if asJSON {
		end := "\n]\n"
		if first {
			end = "]\n"
		}
		if _, err := io.WriteString(w, end); err != nil {
			return writeErr(err)
		}
	}
	return nil
}

// mapped returns f of each of xs, never nil, so that JSON shows [] for none.
func mapped[T, J any](xs []T, f func(T) J) []J {
	out := make([]J, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

// writeJSON writes v indented, for people reading it and jq alike.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return writeErr(enc.Encode(v))
}

// timestamp renders t as RFC 3339 in UTC, or "" for the zero time.
func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// orgJSON is an organisation as --json prints it; settings are keyed by
// their names (tenant.SettingSpecs).
type orgJSON struct {
	Code      string            `json:"code"`
	Name      string            `json:"name"`
	Disabled  bool              `json:"disabled"`
	CreatedAt string            `json:"created_at"`
	Settings  map[string]string `json:"settings"`
}

func toOrgJSON(o tenant.Organisation) orgJSON {
	st := map[string]string{}
	for _, sp := range tenant.SettingSpecs() {
		st[sp.Name], _ = o.Settings.Get(sp.Name)
	}
	return orgJSON{Code: o.Code, Name: o.Name, Disabled: o.Disabled, CreatedAt: timestamp(o.CreatedAt), Settings: st}
}

// settingsText renders every setting as name=value, in the table's order.
func settingsText(s tenant.Settings) string {
	specs := tenant.SettingSpecs()
	parts := make([]string, len(specs))
	for i, sp := range specs {
		v, _ := s.Get(sp.Name)
		parts[i] = sp.Name + "=" + v
	}
	return strings.Join(parts, " ")
}

func orgStatus(o tenant.Organisation) string {
	if o.Disabled {
		return "disabled"
	}
	return "active"
}

// apiKeyJSON is an API key as --json prints it: never its hash.
type apiKeyJSON struct {
	Prefix    string  `json:"prefix"`
	CreatedAt string  `json:"created_at"`
	Revoked   bool    `json:"revoked"`
	RevokedAt *string `json:"revoked_at"`
}

func toAPIKeyJSON(k tenant.APIKey) apiKeyJSON {
	j := apiKeyJSON{Prefix: k.Prefix, CreatedAt: timestamp(k.CreatedAt), Revoked: k.Revoked()}
	if k.RevokedAt != nil {
		at := timestamp(*k.RevokedAt)
		j.RevokedAt = &at
	}
	return j
}

func revokedAt(k tenant.APIKey) string {
	if k.RevokedAt == nil {
		return ""
	}
	return timestamp(*k.RevokedAt)
}

// entryJSON is a customer, hub or service type as --json prints it.
type entryJSON struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	CreatedAt string `json:"created_at"`
	// UseGlobal is a customer's flag, shown only when set.
	UseGlobal *bool `json:"use_global,omitempty"`
}

// seriesJSON is a series as --json prints it.
type seriesJSON struct {
	ID            int64    `json:"id"`
	OwnerKind     string   `json:"owner_kind"`
	OwnerCode     string   `json:"owner_code"`
	Type          string   `json:"type"`
	Start         string   `json:"start"`
	End           string   `json:"end"`
	Count         uint64   `json:"count"`
	Drawn         uint64   `json:"drawn"`
	Remaining     uint64   `json:"remaining"`
	NextAvailable *string  `json:"next_available"`
	ItemCode      string   `json:"item_code"`
	ServiceTypes  []string `json:"service_types"`
	CreatorHub    string   `json:"creator_hub"`
	CreatedAt     string   `json:"created_at"`
}

func toSeriesJSON(s series.Series) seriesJSON {
	j := seriesJSON{
		ID:           s.ID,
		OwnerKind:    string(s.Owner.Kind),
		OwnerCode:    s.Owner.Code,
		Type:         string(s.Type),
		Start:        s.Range.First().String(),
		End:          s.Range.Last().String(),
		Count:        s.Size(),
		Drawn:        s.Drawn,
		Remaining:    s.Remaining(),
		ItemCode:     s.ItemCode,
		ServiceTypes: append([]string{}, s.ServiceTypes...),
		CreatorHub:   s.CreatorHub,
		CreatedAt:    timestamp(s.CreatedAt),
	}
	if n, ok := s.Next(); ok {
		next := n.String()
		j.NextAvailable = &next
	}
	return j
}

var seriesHeader = []string{"ID", "OWNER", "TYPE", "START", "END", "COUNT", "DRAWN", "NEXT", "ITEM", "SERVICE-TYPES", "CREATOR-HUB", "CREATED"}

func seriesRow(t *table, s series.Series) {
	next := ""
	if n, ok := s.Next(); ok {
		next = n.String()
	}
	t.row(
		fmt.Sprint(s.ID),
		string(s.Owner.Kind)+":"+s.Owner.Code,
		string(s.Type),
		s.Range.First().String(),
		s.Range.Last().String(),
		fmt.Sprint(s.Size()),
		fmt.Sprint(s.Drawn),
		next,
		s.ItemCode,
		strings.Join(s.ServiceTypes, ","),
		s.CreatorHub,
		timestamp(s.CreatedAt),
	)
}

// describeSeries returns "series 3 V10000071-V10000080 (customer SL1981,
// item P7WJEJANkt, virtual)".
func describeSeries(s series.Series) string {
	return fmt.Sprintf("series %d %s (%s, item %s, %s)", s.ID, s.Range, s.Owner, s.ItemCode, s.Type)
}

// vendorJSON is what `vendor add --json` prints: the generated secrets
// only, never one the operator gave.
type vendorJSON struct {
	VendorID string `json:"vendor_id"`
	Username string `json:"username"`
	Password string `json:"password,omitempty"`
	Pin      string `json:"pin,omitempty"`
}

// agentJSON is an agent as --json prints it: never its password hash.
// Actions lists what the agent may call, every action when it is not
// restricted.
type agentJSON struct {
	ID               string   `json:"id"`
	PasswordRequired bool     `json:"password_required"`
	Actions          []string `json:"actions"`
	CreatedAt        string   `json:"created_at"`
}

func toAgentJSON(a enrollment.Agent) agentJSON {
	actions := a.Actions
	if len(actions) == 0 {
		actions = enrollment.Actions
	}
	return agentJSON{ID: a.ID, PasswordRequired: a.NeedsPassword(), Actions: append([]string{}, actions...), CreatedAt: timestamp(a.CreatedAt)}
}

// agentActions is the ACTIONS cell of an agent: "all" when unrestricted.
func agentActions(a enrollment.Agent) string {
	if len(a.Actions) == 0 {
		return "all"
	}
	return strings.Join(a.Actions, ",")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// planJSON is a plan as --json prints it: the keys it always had, the
// price a decimal string, and every field of the vendor's export under
// "fields", as plan_list shows them.
type planJSON struct {
	ID        string         `json:"id"`
	Name      string         `json:"name"`
	Price     string         `json:"price"`
	Active    bool           `json:"active"`
	CreatedAt string         `json:"created_at"`
	Fields    map[string]any `json:"fields"`
}

func toPlanJSON(p enrollment.Plan) planJSON {
	fields := map[string]any{}
	for _, f := range p.Fields() {
		if f.IsList {
			fields[f.Name] = f.List
			continue
		}
		fields[f.Name] = f.Text
	}
	return planJSON{ID: p.ID, Name: p.Name, Price: p.Price.String(), Active: p.Active, CreatedAt: timestamp(p.CreatedAt), Fields: fields}
}

// carrierJSON is a carrier as --json prints it.
type carrierJSON struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	CreatedAt string `json:"created_at"`
}

func toCarrierJSON(c enrollment.Carrier) carrierJSON {
	return carrierJSON{Code: c.Code, Name: c.Name, CreatedAt: timestamp(c.CreatedAt)}
}

// zipJSON is a service-area zip as --json prints it.
type zipJSON struct {
	Zip      string `json:"zip"`
	City     string `json:"city"`
	State    string `json:"state"`
	AreaCode string `json:"area_code,omitempty"`
}

// accountJSON is an account as `enrollment list --json` prints it: with
// its lines, never a secret.
type accountJSON struct {
	ID                 int64      `json:"id"`
	ParentEnrollmentID string     `json:"parent_enrollment_id"`
	AgentID            string     `json:"agent_id"`
	Source             string     `json:"source"`
	CreatedAt          string     `json:"created_at"`
	Lines              []lineJSON `json:"lines"`
}

// lineJSON is a line of an account as --json prints it. LineRecord holds no
// secret; the fields are still copied one by one so that one added there
// later is not printed unseen.
type lineJSON struct {
	CustomerID      int64  `json:"customer_id"`
	EnrollmentID    string `json:"enrollment_id"`
	EnrollmentType  string `json:"enrollment_type"`
	ActivationType  string `json:"activation_type"`
	PlanID          string `json:"plan_id"`
	FirstName       string `json:"first_name"`
	LastName        string `json:"last_name"`
	Status          string `json:"status"`
	InvoiceNumber   string `json:"invoice_number"`
	OrderID         int64  `json:"order_id,omitempty"`
	ActivationLater bool   `json:"activation_later"`
	CreatedAt       string `json:"created_at"`
}

func toAccountJSON(a enrollment.Account) accountJSON {
	j := accountJSON{
		ID:                 a.ID,
		ParentEnrollmentID: a.ParentEnrollmentID,
		AgentID:            a.AgentID,
		Source:             a.Source,
		CreatedAt:          timestamp(a.CreatedAt),
		Lines:              make([]lineJSON, 0, len(a.Lines)),
	}
	for _, l := range a.Lines {
		j.Lines = append(j.Lines, lineJSON{
			CustomerID:      l.CustomerID,
			EnrollmentID:    l.EnrollmentID,
			EnrollmentType:  string(l.EnrollmentType),
			ActivationType:  string(l.ActivationType),
			PlanID:          l.PlanID,
			FirstName:       l.FirstName,
			LastName:        l.LastName,
			Status:          string(l.Status),
			InvoiceNumber:   l.InvoiceNumber,
			OrderID:         l.OrderID,
			ActivationLater: l.ActivationLater,
			CreatedAt:       timestamp(l.CreatedAt),
		})
	}
	return j
}

var accountHeader = []string{"ACCOUNT", "PARENT-ENROLLMENT-ID", "AGENT", "SOURCE", "CREATED",
	"CUSTOMER-ID", "ENROLLMENT-ID", "ENROLLMENT-TYPE", "ACTIVATION-TYPE", "PLAN", "FIRST-NAME", "LAST-NAME", "STATUS"}

// accountRows writes one row per line of a, each repeating the account's
// columns so that every row stands alone for grep and awk; an account
// without lines gets one row with "-" for the line's columns.
func accountRows(t *table, a enrollment.Account) {
	acct := []string{fmt.Sprint(a.ID), a.ParentEnrollmentID, a.AgentID, a.Source, timestamp(a.CreatedAt)}
	if len(a.Lines) == 0 {
		t.row(append(acct, "", "", "", "", "", "", "", "")...)
		return
	}
	for _, l := range a.Lines {
		t.row(append(slices.Clone(acct),
			fmt.Sprint(l.CustomerID), l.EnrollmentID, string(l.EnrollmentType), string(l.ActivationType),
			l.PlanID, l.FirstName, l.LastName, string(l.Status))...)
	}
}
