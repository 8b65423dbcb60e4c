package bunstore

import (
	"context"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

var _ ports.StockReader = (*Store)(nil)

// stockRow is one owner and item pair of LowestStock, with the count of all
// pairs (the same on every row).
type stockRow struct {
	OrgID     int64  `bun:"org_id"`
	OwnerKind string `bun:"owner_kind"`
	OwnerCode string `bun:"owner_code"`
	ItemCode  string `bun:"item_code"`
	Remaining int64  `bun:"remaining"`
	Pairs     int    `bun:"pairs"`
}

// LowestStock implements ports.StockReader. The grouping follows
// series_owner_idx, and the window count is taken after grouping and
// before the limit, so one statement gives both the page and the total.
func (s *Store) LowestStock(ctx context.Context, limit int) ([]ports.StockLevel, int, error) {
	if limit <= 0 {
		return nil, 0, fault.InvalidField("limit", "positive", "INVALID_LIMIT", "limit must be positive")
	}
	var rows []stockRow
	err := s.ro.NewRaw(`SELECT org_id, owner_kind, owner_code, item_code,
			SUM(size - drawn) AS remaining, COUNT(*) OVER () AS pairs
		FROM series WHERE deleted_at IS NULL
		GROUP BY org_id, owner_kind, owner_code, item_code
		ORDER BY remaining, org_id, owner_kind, owner_code, item_code
		LIMIT ?`, limit).Scan(ctx, &rows)
	if err != nil && !errNoRows(err) {
		return nil, 0, s.dbError(err, "read stock levels")
	}
	out := make([]ports.StockLevel, len(rows))
	total := 0
	for i, r := range rows {
		out[i] = ports.StockLevel{
			Org:       tenant.OrgID(r.OrgID),
			Owner:     series.Owner{Kind: series.OwnerKind(r.OwnerKind), Code: r.OwnerCode},
			ItemCode:  r.ItemCode,
			Remaining: uint64(max(r.Remaining, 0)),
		}
		total = r.Pairs
	}
	return out, total, nil
}
