// Package page holds the paging rule every listing shares, whatever reads
// it (the HTTP API's query string, the CLI's flags, the dashboard) and
// whatever serves it (either store): how many rows a page holds by default
// and at most, and how a limit and an offset are checked.
package page

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/allot-io/allot/domain/fault"
)

const (
	// Default is the rows of a page whose limit is not given.
	Default = 50
	// Max is the most rows one page returns. An interface rejects a larger
	// limit rather than silently return fewer rows than asked.
	Max = 1000
)

// Reasons of the paging violations.
const (
	ReasonInvalidLimit  = "INVALID_LIMIT"
	ReasonInvalidOffset = "INVALID_OFFSET"
)

// Query is one page of a listing: Limit rows from Offset. A Limit of 0
// means Default.
type Query struct {
	Limit  int
	Offset int
}

// Check returns the violations of q as a use case receives it: a Limit
// from 0 (the default) to Max and an Offset of 0 or more.
func (q Query) Check() error {
	var vs fault.Violations
	if q.Limit < 0 || q.Limit > Max {
		vs.Add(fault.Violation{Field: "limit", Rule: "range", Reason: ReasonInvalidLimit,
			Message: fmt.Sprintf("limit must be between 0 and %d", Max)})
	}
	if q.Offset < 0 {
		vs.Add(fault.Violation{Field: "offset", Rule: "range", Reason: ReasonInvalidOffset, Message: "offset must not be negative"})
	}
	return vs.Err()
}

// Bounds returns the LIMIT and OFFSET a store applies for q: Default for a
// Limit of 0 or less, never more than Max, and an Offset of 0 or more.
func (q Query) Bounds() (limit, offset int) {
	limit = q.Limit
	if limit <= 0 {
		limit = Default
	}
	return min(limit, Max), max(q.Offset, 0)
}

// ParseLimit reads a limit given as text, as a query string carries it: a
// whole number from 1 to Max. A bad one adds its violation to vs; q.Limit
// is set either way, so later checks see what was asked.
func (q *Query) ParseLimit(raw string, vs *fault.Violations) {
	n, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil || n < 1 || n > Max {
		vs.Add(fault.Violation{Field: "limit", Rule: "range", Reason: ReasonInvalidLimit,
			Message: fmt.Sprintf("limit must be an integer between 1 and %d", Max)})
	}
	q.Limit = n
}

// ParseOffset reads an offset given as text: a whole number of 0 or more.
func (q *Query) ParseOffset(raw string, vs *fault.Violations) {
	n, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil || n < 0 {
		vs.Add(fault.Violation{Field: "offset", Rule: "range", Reason: ReasonInvalidOffset,
			Message: "offset must be an integer of 0 or more"})
	}
	q.Offset = n
}
