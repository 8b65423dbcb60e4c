package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
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

// orgJSON is an organisation as --json prints it.
type orgJSON struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Disabled  bool   `json:"disabled"`
	CreatedAt string `json:"created_at"`
}

func toOrgJSON(o tenant.Organisation) orgJSON {
	return orgJSON{Code: o.Code, Name: o.Name, Disabled: o.Disabled, CreatedAt: timestamp(o.CreatedAt)}
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
