package bunstore

import (
	"time"

	"github.com/uptrace/bun"
)

// The row structs below mirror the tables of the migrations. They stay in
// this package: the domain never sees a bun tag.

type orgRow struct {
	bun.BaseModel `bun:"table:organisations,alias:o"`

	ID        int64     `bun:"id,pk,autoincrement"`
	Code      string    `bun:"code,notnull"`
	Name      string    `bun:"name,notnull"`
	Disabled  bool      `bun:"disabled,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

type apiKeyRow struct {
	bun.BaseModel `bun:"table:api_keys,alias:k"`

	ID        int64      `bun:"id,pk,autoincrement"`
	OrgID     int64      `bun:"org_id,notnull"`
	Prefix    string     `bun:"prefix,notnull"`
	Hash      []byte     `bun:"hash,notnull"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
	RevokedAt *time.Time `bun:"revoked_at"`
}

// codeRow is the shape shared by customers, hubs and service types.
type codeRow struct {
	ID        int64     `bun:"id,pk,autoincrement"`
	OrgID     int64     `bun:"org_id,notnull"`
	Code      string    `bun:"code,notnull"`
	Name      string    `bun:"name,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

type seriesRow struct {
	bun.BaseModel `bun:"table:series,alias:s"`

	ID          int64      `bun:"id,pk,autoincrement"`
	OrgID       int64      `bun:"org_id,notnull"`
	Prefix      string     `bun:"prefix,notnull"`
	Width       int        `bun:"width,notnull"`
	FirstDigits string     `bun:"first_digits,notnull"`
	LastDigits  string     `bun:"last_digits,notnull"`
	Size        int64      `bun:"size,notnull"`
	Drawn       int64      `bun:"drawn,notnull"`
	OwnerKind   string     `bun:"owner_kind,notnull"`
	OwnerCode   string     `bun:"owner_code,notnull"`
	Type        string     `bun:"type,notnull"`
	ItemCode    string     `bun:"item_code,notnull"`
	CreatorHub  string     `bun:"creator_hub,notnull"`
	CreatedAt   time.Time  `bun:"created_at,notnull"`
	DeletedAt   *time.Time `bun:"deleted_at"`
}

type seriesServiceTypeRow struct {
	bun.BaseModel `bun:"table:series_service_types,alias:sst"`

	SeriesID int64  `bun:"series_id,pk"`
	Code     string `bun:"code,pk"`
	Pos      int    `bun:"pos,notnull"`
}

type idempotencyRow struct {
	bun.BaseModel `bun:"table:idempotency_keys,alias:i"`

	OrgID       int64     `bun:"org_id,pk"`
	Key         string    `bun:"key,pk"`
	Fingerprint []byte    `bun:"fingerprint,notnull"`
	Done        bool      `bun:"done,notnull"`
	Status      int       `bun:"status,notnull"`
	Body        []byte    `bun:"body"`
	CreatedAt   time.Time `bun:"created_at,notnull"`
}
