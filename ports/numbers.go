package ports

import (
	"context"
	"time"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
)

// MarkRequest asks a store to apply Op to every number of Ranges for
// Owner, recording Actor and At in the history. The numbers are as clients
// write them: with their check digit when their series has a scheme.
type MarkRequest struct {
	Op        series.Op
	Owner     series.Owner
	Ranges    []series.Range
	Reference string
	Actor     series.Actor
	At        time.Time
}

// NumberInfo is the state of one number of a series.
type NumberInfo struct {
	// Number is the number as shown, with its check digit.
	Number    series.Number
	Series    series.Series
	State     series.State
	Reference string
	// UpdatedAt is when the number's run of marks (the consecutive
	// numbers in its state with its reference) last changed by a consume,
	// void or release; zero when it carries no mark.
	UpdatedAt time.Time
}

// HistoryQuery selects history entries of an organisation, oldest first:
// of one series when SeriesID is set, at or after Since when it is not
// zero.
type HistoryQuery struct {
	Query
	SeriesID int64
	Since    time.Time
}

// NumberStore keeps the state of single numbers of series and their
// history.
type NumberStore interface {
	// MarkNumbers applies req to every number or to none, in one
	// transaction with its history entries, which it returns. Invalid,
	// naming every failing number in its violations, with the reason of
	// the first: NUMBER_NOT_ALLOTTED, NUMBER_NOT_OWNED,
	// INVALID_CHECK_DIGIT, or a refused transition (series.Transition).
	// However many processes mark at once, no number is consumed twice.
	MarkNumbers(ctx context.Context, org tenant.OrgID, req MarkRequest) ([]series.Entry, error)
	// NumberState returns the state of n. NotFound NUMBER_NOT_ALLOTTED;
	// Invalid INVALID_CHECK_DIGIT.
	NumberState(ctx context.Context, org tenant.OrgID, n series.Number) (NumberInfo, error)
	// History returns the entries q selects, oldest first, and how many
	// match ignoring paging.
	History(ctx context.Context, org tenant.OrgID, q HistoryQuery) ([]series.Entry, int, error)
	// SetThreshold stores the low-stock threshold of an owner and item
	// code, replacing any earlier one.
	SetThreshold(ctx context.Context, org tenant.OrgID, th series.Threshold) error
	// Thresholds returns the organisation's thresholds by owner and item
	// code.
	Thresholds(ctx context.Context, org tenant.OrgID) ([]series.Threshold, error)
	// ImportSeries stores the series of rows in one transaction, each with
	// an import history entry of actor, and returns by index the rows the
	// database refused (Conflict SERIES_OVERLAP naming the existing range,
	// Invalid for a value it cannot hold). mode says what is kept.
	// progress, when not nil, is called with the number of rows done.
	ImportSeries(ctx context.Context, org tenant.OrgID, rows []series.Series, actor series.Actor, mode ImportMode, progress func(done int)) (map[int]error, error)
	// StockByOwner returns the stock of every owner and item code of the
	// organisation's live series, with the numbers drawn or consumed at or
	// after since, ordered by owner and item code.
	StockByOwner(ctx context.Context, org tenant.OrgID, since time.Time) ([]series.OwnerStock, error)
}

// ImportMode says what an import keeps.
type ImportMode int

// The import modes.
const (
	// ImportAll keeps every row, or none when one is refused.
	ImportAll ImportMode = iota
	// ImportPartial keeps the rows that are not refused.
	ImportPartial
	// ImportCheck keeps nothing: it only finds the rows that would be
	// refused.
	ImportCheck
)

// ImportRow is one row of a series import file: its line and its values
// keyed by column name (series.ImportColumns), or Err, an Invalid error,
// when the file's reader could not read the row.
type ImportRow struct {
	Line   int
	Fields map[string]string
	Err    error
}

// ImportReport is the outcome of an import: how many rows were read and
// written, and every bad row's violations, each with its Line, in line
// order.
type ImportReport struct {
	Rows, Written int
	Bad           []fault.Violation
}

// HistoryPage is one page of history entries.
type HistoryPage struct {
	Items []series.Entry
	// Total is how many entries match, ignoring paging.
	Total int
}

// ThresholdRequest sets the low-stock threshold of an owner (client code
// wins over hub code) and item code.
type ThresholdRequest struct {
	ClientCode string
	HubCode    string
	// Global sets the threshold of the organisation's global pool.
	Global   bool
	ItemCode string
	Level    int64
}

// NumberService consumes, voids and releases single numbers of series,
// reports their state and history, and keeps low-stock thresholds.
type NumberService interface {
	// Mark validates spec (series.ValidateMarks) and applies it for actor,
	// all or nothing. Invalid with the reasons of series.ValidateMarks and
	// of NumberStore.MarkNumbers, CLIENT_NOT_FOUND, HUB_NOT_FOUND.
	Mark(ctx context.Context, org tenant.OrgID, spec series.MarkSpec, actor series.Actor) ([]series.Entry, error)
	// State returns the state of number. Invalid INVALID_NUMBER,
	// INVALID_CHECK_DIGIT; NotFound NUMBER_NOT_ALLOTTED.
	State(ctx context.Context, org tenant.OrgID, number string) (NumberInfo, error)
	// Series returns one series with its stock. NotFound SERIES_NOT_FOUND.
	Series(ctx context.Context, org tenant.OrgID, id int64) (series.Series, error)
	// History returns history entries. Invalid INVALID_LIMIT,
	// INVALID_OFFSET; NotFound SERIES_NOT_FOUND for a series that does not
	// exist.
	History(ctx context.Context, org tenant.OrgID, q HistoryQuery) (HistoryPage, error)
	// SetThreshold sets a low-stock threshold. Invalid
	// CLIENT_HUB_CODE_NOT_PRESENT, ITEM_CODE_NOT_PRESENT,
	// INVALID_THRESHOLD, CLIENT_NOT_FOUND, HUB_NOT_FOUND.
	SetThreshold(ctx context.Context, org tenant.OrgID, r ThresholdRequest) (series.Threshold, error)
	// Thresholds returns the organisation's thresholds.
	Thresholds(ctx context.Context, org tenant.OrgID) ([]series.Threshold, error)
	// Import validates every row of a series import file, each by the
	// rules of series creation, and stores the good ones for actor: all of
	// them, and only when no row is bad, unless partial. Bad rows are in
	// the report, not an error; progress is as for
	// NumberStore.ImportSeries.
	Import(ctx context.Context, org tenant.OrgID, rows []ImportRow, partial bool, actor series.Actor, progress func(done int)) (ImportReport, error)
	// StockReport returns a line per owner and item code: available
	// numbers, threshold, and days of stock at the last
	// series.StockWindowDays days' rate of use.
	StockReport(ctx context.Context, org tenant.OrgID) ([]series.StockLine, error)
}
