package series

import (
	"fmt"
	"strings"
	"time"

	"github.com/allot-io/allot/domain/fault"
)

// Type tells physical series (pre-printed labels) from virtual ones.
type Type string

// The series types.
const (
	Physical Type = "physical"
	Virtual  Type = "virtual"
)

// ParseType parses a series type; the empty string means Virtual, as the
// contract says.
func ParseType(s string) (Type, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", string(Virtual):
		return Virtual, true
	case string(Physical):
		return Physical, true
	}
	return "", false
}

// ParseTypeFilter reads the type a listing filters by: "" (absent, after
// trimming) filters nothing and returns "", unlike ParseType, whose "" is
// virtual and as a filter would hide physical series; otherwise a type in
// either case. Invalid INVALID_TYPE names the allowed values.
func ParseTypeFilter(s string) (Type, error) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	t, ok := ParseType(s)
	if !ok {
		return "", fault.InvalidField("type", "enum", ReasonInvalidType,
			fmt.Sprintf("type %q is not allowed; allowed values are physical, virtual", strings.TrimSpace(s)))
	}
	return t, nil
}

// OwnerKind tells whether a series is allotted to a customer or a hub.
type OwnerKind string

// The owner kinds.
const (
	Customer OwnerKind = "customer"
	Hub      OwnerKind = "hub"
	// Global is the organisation's own pool, held for no one customer:
	// customers flagged to use it draw from it once their own stock of an
	// item is exhausted (the logistics platform's "global virtual series").
	Global OwnerKind = "global"
)

// GlobalPool is the owner of an organisation's global series. It has no
// code: an organisation has one global pool, split by item code and
// service type like any owner's stock.
var GlobalPool = Owner{Kind: Global}

// Owner is the customer or hub a series is allotted to.
type Owner struct {
	Kind OwnerKind
	Code string
}

// String returns "customer SL1981", "hub BF074" or "the global pool".
func (o Owner) String() string {
	if o.Kind == Global {
		return "the global pool"
	}
	return string(o.Kind) + " " + o.Code
}

// DrawPools returns the owners whose series a draw for own takes numbers
// from, in order: own's series, and then, when own may use the global pool
// (a customer flagged so), the organisation's global series. A draw
// exhausts each pool, oldest series first, before it moves to the next.
func DrawPools(own Owner, useGlobal bool) []Owner {
	if useGlobal && own.Kind == Customer {
		return []Owner{own, GlobalPool}
	}
	return []Owner{own}
}

// ResolveOwner picks the owner from a request's client and hub codes: the
// client code wins when both are given. ok is false when neither is.
func ResolveOwner(clientCode, hubCode string) (Owner, bool) {
	if c := strings.TrimSpace(clientCode); c != "" {
		return Owner{Kind: Customer, Code: c}, true
	}
	if h := strings.TrimSpace(hubCode); h != "" {
		return Owner{Kind: Hub, Code: h}, true
	}
	return Owner{}, false
}

// DefaultMaxSize is the default largest series, in numbers.
const DefaultMaxSize = 1_000_000

// MaxItemCode is the longest item code accepted.
const MaxItemCode = 64

// Limits are an organisation's configurable bounds on series.
type Limits struct {
	// MaxSize is the most numbers one series may hold; 0 means DefaultMaxSize.
	MaxSize uint64
}

func (l Limits) maxSize() uint64 {
	if l.MaxSize == 0 {
		return DefaultMaxSize
	}
	return l.MaxSize
}

// Spec is a request to allot a series, as a client sends it.
type Spec struct {
	Start, End   string
	ClientCode   string
	HubCode      string
	Type         string
	ItemCode     string
	CreatorHub   string
	ServiceTypes []string
	// CheckDigit names the series' check-digit scheme; "" means none.
	CheckDigit string
	// Global allots the series to the organisation's global pool; then
	// neither ClientCode nor HubCode may be given.
	Global bool
}

// Draft is a validated Spec: every field parsed, ready for the checks that
// need the store (owner and catalogue existence, overlap).
type Draft struct {
	Owner        Owner
	Type         Type
	Range        Range
	ItemCode     string
	CreatorHub   string
	ServiceTypes []string
	CheckDigit   Scheme
}

// Reasons reported by Validate and by the series use cases.
const (
	ReasonOwnerMissing       = "CLIENT_HUB_CODE_NOT_PRESENT"
	ReasonStartMissing       = "START_NOT_PRESENT"
	ReasonEndMissing         = "END_NOT_PRESENT"
	ReasonInvalidStart       = "INVALID_START"
	ReasonInvalidEnd         = "INVALID_END"
	ReasonPrefixMismatch     = "PREFIX_MISMATCH"
	ReasonWidthMismatch      = "WIDTH_MISMATCH"
	ReasonStartAfterEnd      = "START_GREATER_THAN_END"
	ReasonTooLarge           = "SERIES_TOO_LARGE"
	ReasonItemCodeMissing    = "ITEM_CODE_NOT_PRESENT"
	ReasonInvalidItemCode    = "INVALID_ITEM_CODE"
	ReasonInvalidType        = "INVALID_TYPE"
	ReasonInvalidServiceType = "INVALID_SERVICE_TYPE"
	ReasonClientNotFound     = "CLIENT_NOT_FOUND"
	ReasonHubNotFound        = "HUB_NOT_FOUND"
	ReasonCreatorHubNotFound = "CREATOR_HUB_NOT_FOUND"
	ReasonServiceTypeUnknown = "SERVICE_TYPE_NOT_FOUND"
	ReasonOverlap            = "SERIES_OVERLAP"
	ReasonNotFound           = "SERIES_NOT_FOUND"
	ReasonNumberFree         = "NUMBER_NOT_ALLOTTED"
	ReasonHasDrawn           = "SERIES_HAS_DRAWN_NUMBERS"
	ReasonExhausted          = "SERIES_EXHAUSTED"
	ReasonInvalidCount       = "INVALID_COUNT"
	ReasonInvalidNumber      = "INVALID_NUMBER"
	ReasonGlobalWithOwner    = "GLOBAL_WITH_OWNER"
)

// OwnerMissingMessage is the contract's exact message for a request with
// neither client_code nor hub_code.
const OwnerMissingMessage = "Either client code or hubCode should be present"

// MaxServiceTypes is the most service types one series may carry; a
// request naming more is refused before its entries are looked at, so that
// no request can make validation report one violation per element.
const MaxServiceTypes = 100

// MaxDelete is the most series one bulk delete may name.
const MaxDelete = 1000

// MaxImportRows is the most rows one import file may hold; a larger one
// is refused whole with ReasonTooManyRows.
const MaxImportRows = 1_000_000

// ReasonTooManyRows: an import file holds more than MaxImportRows rows.
const ReasonTooManyRows = "TOO_MANY_ROWS"

// Validate checks every field of spec and returns a Draft, or an Invalid
// fault.Error carrying every violation (the first decides its reason).
func Validate(spec Spec, lim Limits) (Draft, error) {
	var vs fault.Violations
	bad := func(field, rule, reason, msg string) {
		vs.Add(fault.Violation{Field: field, Rule: rule, Reason: reason, Message: msg})
	}
	var d Draft

	owner, ok := ResolveOwner(spec.ClientCode, spec.HubCode)
	switch {
	case spec.Global && ok:
		bad("is_global", "exclusive", ReasonGlobalWithOwner, "a global series belongs to no customer or hub: give is_global, or client_code or hub_code, not both")
	case spec.Global:
		owner = GlobalPool
	case !ok:
		bad("client_code", "required", ReasonOwnerMissing, OwnerMissingMessage)
	}
	d.Owner = owner

	d.Range = checkRange(spec.Start, spec.End, lim, bad)

	d.ItemCode = strings.TrimSpace(spec.ItemCode)
	switch {
	case d.ItemCode == "":
		bad("item_code", "required", ReasonItemCodeMissing, "item_code should be present")
	case !validCode(d.ItemCode, MaxItemCode):
		bad("item_code", "pattern", ReasonInvalidItemCode, fmt.Sprintf("item_code must be 1 to %d letters, digits, '-', '_' or '.'", MaxItemCode))
	}

	t, ok := ParseType(spec.Type)
	if !ok {
		bad("type", "enum", ReasonInvalidType, fmt.Sprintf("type %q is not allowed; allowed values are physical, virtual", spec.Type))
	}
	d.Type = t

	sc, ok := ParseScheme(spec.CheckDigit)
	switch {
	case !ok:
		bad("check_digit", "enum", ReasonInvalidScheme, fmt.Sprintf("check_digit %q is not allowed; allowed values are none, mod7, luhn", spec.CheckDigit))
	case !d.Range.IsZero():
		if err := sc.CheckSerials(d.Range); err != nil {
			fe, _ := fault.As(err)
			vs = append(vs, fe.Violations...)
		}
	}
	d.CheckDigit = sc

	d.CreatorHub = strings.TrimSpace(spec.CreatorHub)
	seen := map[string]bool{}
	if len(spec.ServiceTypes) > MaxServiceTypes {
		bad("service_types", "max_items", ReasonInvalidServiceType, fmt.Sprintf("service_types may hold at most %d entries", MaxServiceTypes))
		spec.ServiceTypes = nil
	}
	for i, st := range spec.ServiceTypes {
		st = strings.TrimSpace(st)
		if st == "" {
			bad(fmt.Sprintf("service_types[%d]", i), "required", ReasonInvalidServiceType, "service_types must not contain empty values")
			continue
		}
		if !seen[st] {
			seen[st] = true
			d.ServiceTypes = append(d.ServiceTypes, st)
		}
	}
	if err := vs.Err(); err != nil {
		return Draft{}, err
	}
	return d, nil
}

// ValidateRange checks the start and end of a series by the rules of
// Validate (numbers, same prefix and width, order, size limit) and returns
// their range, or an Invalid fault.Error carrying every violation of the
// fields start and end. It lets a form show a series' count before the rest
// of the request is complete, with the rules that will judge the request.
func ValidateRange(start, end string, lim Limits) (Range, error) {
	var vs fault.Violations
	r := checkRange(start, end, lim, func(field, rule, reason, msg string) {
		vs.Add(fault.Violation{Field: field, Rule: rule, Reason: reason, Message: msg})
	})
	if err := vs.Err(); err != nil {
		return Range{}, err
	}
	return r, nil
}

// checkRange reports every violation of start and end to bad and returns
// their range, or the zero Range when there is a violation.
func checkRange(startText, endText string, lim Limits, bad func(field, rule, reason, msg string)) Range {
	start, startOK := parseField("start", startText, ReasonStartMissing, ReasonInvalidStart, bad)
	end, endOK := parseField("end", endText, ReasonEndMissing, ReasonInvalidEnd, bad)
	if !startOK || !endOK {
		return Range{}
	}
	r, err := NewRange(start, end)
	if err != nil {
		switch err.(*RangeError).Rule {
		case "prefix":
			bad("end", "same_prefix", ReasonPrefixMismatch, fmt.Sprintf("start %s and end %s must have the same prefix", start, end))
		case "width":
			bad("end", "same_width", ReasonWidthMismatch, fmt.Sprintf("start %s and end %s must have the same number of digits", start, end))
		default:
			bad("end", "order", ReasonStartAfterEnd, fmt.Sprintf("start %s must not be greater than end %s", start, end))
		}
		return Range{}
	}
	if c := r.Count(); c.Exceeds(lim.maxSize()) {
		bad("end", "max_size", ReasonTooLarge, fmt.Sprintf("series %s holds %s numbers; at most %d are allowed", r, c, lim.maxSize()))
		return Range{}
	}
	return r
}

func parseField(field, s, missing, invalid string, bad func(field, rule, reason, msg string)) (Number, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		bad(field, "required", missing, field+" should be present")
		return Number{}, false
	}
	n, err := ParseNumber(s)
	if err != nil {
		bad(field, "pattern", invalid, fmt.Sprintf("%s %q is not a series number: %v (for example V10000051)", field, s, err))
		return Number{}, false
	}
	return n, true
}

// validCode reports whether s is 1..max letters, digits, '-', '_' or '.'.
func validCode(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isLetter(c) || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// Series is a range allotted to an owner, from which numbers are drawn in
// order. Drawn counts the numbers already drawn, so the next available
// number is First + Drawn.
type Series struct {
	ID           int64
	Owner        Owner
	Type         Type
	Range        Range
	ItemCode     string
	ServiceTypes []string
	CreatorHub   string
	Drawn        uint64
	CreatedAt    time.Time
	// CheckDigit is the series' check-digit scheme; "" means NoCheck.
	CheckDigit Scheme
	// Stock is the state of the series' numbers when the store reported it.
	Stock *Stock
}

// Size returns how many numbers the series holds. Stored series never exceed
// the size limit, so the count fits in a uint64.
func (s Series) Size() uint64 {
	c, _ := s.Range.Count().Uint64()
	return c
}

// Deletable reports whether s may be deleted, as CheckDeletable decides
// from what s holds; a series read without its stock is judged by its
// pointer alone (the store decides again with the marks).
func (s Series) Deletable() bool {
	var consumed uint64
	if s.Stock != nil && s.Drawn == 0 {
		consumed = s.Stock.Used
	}
	return CheckDeletable(s.ID, "", "", s.Drawn, consumed) == nil
}

// CheckDeletable is the rule of deleting a series: only while none of its
// numbers was handed out, by a draw (drawn, the pointer) or a consume
// (consumed, numbers marked used), so that every number ever used stays
// traceable to its series. Void numbers were never handed out and do not
// hold a series. first and last name the range in the refusal.
func CheckDeletable(id int64, first, last string, drawn, consumed uint64) error {
	if drawn == 0 && consumed == 0 {
		return nil
	}
	return fault.Errorf(fault.Conflict, ReasonHasDrawn,
		"series %d (%s-%s) has %d numbers drawn and cannot be deleted", id, first, last, drawn+consumed)
}

// Remaining returns how many numbers are still available.
func (s Series) Remaining() uint64 {
	if s.Stock != nil {
		return s.Stock.Available
	}
	return s.Size() - s.Drawn
}

// Next returns the serial of the next number a draw hands out, and false
// when the series is exhausted. Used and void numbers are skipped when the
// store reported Stock.
func (s Series) Next() (Number, bool) {
	next := s.Drawn
	if s.Stock != nil {
		next = s.Stock.NextFree
	}
	if next >= s.Size() {
		return Number{}, false
	}
	return s.Range.First().Add(next)
}

// Drawn is a run of numbers drawn from one series. Range holds serials:
// with a CheckDigit scheme each number is handed out as CheckDigit.Full.
type Drawn struct {
	SeriesID   int64
	Range      Range
	CheckDigit Scheme
}

// MaxDraw is the most numbers one draw may return.
const MaxDraw = 10_000

// ValidateDrawCount checks the N of a "draw the next N numbers" request.
func ValidateDrawCount(n int64) error {
	if n < 1 || n > MaxDraw {
		return fault.InvalidField("count", "range", ReasonInvalidCount, fmt.Sprintf("count must be between 1 and %d", MaxDraw))
	}
	return nil
}

// OverlapError builds the conflict reported when r overlaps existing, a
// series of the same organisation.
func OverlapError(r, existing Range) error {
	return &fault.Error{
		Code:    fault.Conflict,
		Reason:  ReasonOverlap,
		Message: fmt.Sprintf("series %s overlaps existing series %s", r, existing),
	}
}
