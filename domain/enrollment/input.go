package enrollment

import (
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
)

// LineInput is one element of a request's "lines" array exactly as the
// client sent it: every value is raw text, not yet trimmed. The HTTP adapter
// decodes JSON null, an absent key and "" all as "", and numbers as their
// decimal text. Use Set to fill it by JSON name.
type LineInput struct {
	EnrollmentID, Password, ModelID, FirstName, MiddleInitial, LastName      string
	AlternatePhoneNumber, Email                                              string
	ServiceAddressOne, ServiceAddressTwo, ServiceCity, ServiceState          string
	ServiceZip, PlanID, NotifyBillViaText, NotifyBillViaEmail                string
	PhoneType, PartNumber, EquipmentID, EquipmentChildID, DeviceID, UICCID   string
	BrandCode, SKUType, ESN, Carrier, ActivationType, EnrollmentType         string
	HandoverType, PortCurrentCarrier, PortFirstName, PortLastName            string
	PortAddressOne, PortAddressTwo, PortCity, PortState, PortZipCode         string
	PortAccountNumber, PortAccountPassword, PortSSN, PortNumber              string
	BillingAddressOne, BillingAddressTwo, BillingCity, BillingState          string
	BillingZip, DeviceType, CouponCode, CouponTransactionID, ActivationLater string
	// The fields create_prepaid_postpaid_customer_v2 added to the line.
	ParentEnrollmentID, OrderID, SIM, IsESIM, PIN, ChildInvoiceNumber, NoOfAdvanceMonth string
	// Names v2 clients send for fields of the table (see lineAliases):
	// middle_name for middle_initial, is_portin (Y/N) for activation_type.
	MiddleName, IsPortin string
}

// RequestInput is a create_customer_prepaid_multiline request exactly as the
// client sent it, with the same conventions as LineInput. Use Set to fill
// its string fields by JSON name; the array named LinesField fills Lines.
type RequestInput struct {
	Action                string
	Lines                 []LineInput
	ParentEnrollmentID    string
	AgentID               string
	AgentPassword         string
	Source                string
	SubSource             string
	InvoiceNumber         string
	ExternalTransactionID string
}

// LinesField is the JSON name of the array of lines.
const LinesField = "lines"

// FieldSpec describes one JSON field of a request or of a line.
type FieldSpec struct {
	// JSON is the field's name in the request body.
	JSON string
	// Label is how messages name the field, for example "Service zip".
	Label string
	// Secret is true for fields that are never printed nor logged.
	Secret bool
}

// norm is how a field is normalised after trimming.
type norm uint8

const (
	asIs  norm = iota
	upper      // codes compared case-insensitively, stored canonical
	lower      // handover_type, whose only value is "cbe"
	name       // person names: typographic apostrophes become ASCII
)

// requirement tells when a field must be present.
type requirement uint8

const (
	optional requirement = iota
	always
	ifPortIn
	ifHandover
	if4G
)

// lineField is one row of the line table. The table is the only place that
// lists the JSON names of a line; its order is the vendor document's field
// order, which is also the order violations are reported in.
type lineField struct {
	json, label string
	ptr         func(*LineInput) *string
	norm        norm
	secret      bool
	req         requirement
	// missing overrides the "<Label> is required" message where the vendor
	// document gives its own wording.
	missing string
	check   check
	// v2Default is the value create_prepaid_postpaid_customer_v2 gives
	// the field when the client sends none ("" means no default).
	v2Default string
}

// lineFieldID indexes lineFields and the values of a Line.
type lineFieldID int

const (
	fEnrollmentID lineFieldID = iota
	fPassword
	fModelID
	fFirstName
	fMiddleInitial
	fLastName
	fAlternatePhoneNumber
	fEmail
	fServiceAddressOne
	fServiceAddressTwo
	fServiceCity
	fServiceState
	fServiceZip
	fPlanID
	fNotifyBillViaText
	fNotifyBillViaEmail
	fPhoneType
	fPartNumber
	fEquipmentID
	fEquipmentChildID
	fDeviceID
	fUICCID
	fBrandCode
	fSKUType
	fESN
	fCarrier
	fActivationType
	fEnrollmentType
	fHandoverType
	fPortCurrentCarrier
	fPortFirstName
	fPortLastName
	fPortAddressOne
	fPortAddressTwo
	fPortCity
	fPortState
	fPortZipCode
	fPortAccountNumber
	fPortAccountPassword
	fPortSSN
	fPortNumber
	fBillingAddressOne
	fBillingAddressTwo
	fBillingCity
	fBillingState
	fBillingZip
	fDeviceType
	fCouponCode
	fCouponTransactionID
	fActivationLater
	fParentEnrollmentID
	fOrderID
	fSIM
	fIsESIM
	fPIN
	fChildInvoiceNumber
	fNoOfAdvanceMonth
	numLineFields
)

var lineFields = [numLineFields]lineField{
	fEnrollmentID:         {json: "enrollment_id", label: "Enrollment Id", ptr: func(l *LineInput) *string { return &l.EnrollmentID }, norm: upper, req: always, missing: MsgEnrollmentIDMissing, check: alnum(MaxEnrollmentID)},
	fPassword:             {json: "password", label: "Password", ptr: func(l *LineInput) *string { return &l.Password }, secret: true, check: secretText(MaxPassword)},
	fModelID:              {json: "model_id", label: "Model Id", ptr: func(l *LineInput) *string { return &l.ModelID }, check: code(MaxCode)},
	fFirstName:            {json: "first_name", label: "First name", ptr: func(l *LineInput) *string { return &l.FirstName }, norm: name, req: always, check: personName(1)},
	fMiddleInitial:        {json: "middle_initial", label: "Middle initial", ptr: func(l *LineInput) *string { return &l.MiddleInitial }, norm: name, check: personName(1)},
	fLastName:             {json: "last_name", label: "Last name", ptr: func(l *LineInput) *string { return &l.LastName }, norm: name, req: always, check: personName(2)},
	fAlternatePhoneNumber: {json: "alternate_phone_number", label: "Alternate phone number", ptr: func(l *LineInput) *string { return &l.AlternatePhoneNumber }, check: digits(10)},
	fEmail:                {json: "email", label: "Email", ptr: func(l *LineInput) *string { return &l.Email }, req: always, check: email},
	fServiceAddressOne:    {json: "service_address_one", label: "Service address one", ptr: func(l *LineInput) *string { return &l.ServiceAddressOne }, req: always, check: address},
	fServiceAddressTwo:    {json: "service_address_two", label: "Service address two", ptr: func(l *LineInput) *string { return &l.ServiceAddressTwo }, check: address},
	fServiceCity:          {json: "service_city", label: "Service city", ptr: func(l *LineInput) *string { return &l.ServiceCity }, req: always, check: city},
	fServiceState:         {json: "service_state", label: "Service state", ptr: func(l *LineInput) *string { return &l.ServiceState }, norm: upper, req: always, check: state},
	fServiceZip:           {json: "service_zip", label: "Service zip", ptr: func(l *LineInput) *string { return &l.ServiceZip }, req: always, check: digits(5)},
	fPlanID:               {json: "plan_id", label: "Plan Id", ptr: func(l *LineInput) *string { return &l.PlanID }, req: always, check: numeric(MaxPlanIDLength)},
	fNotifyBillViaText:    {json: "notify_bill_via_text", label: "Notify bill via text", ptr: func(l *LineInput) *string { return &l.NotifyBillViaText }, norm: upper, check: oneOf("Y", "N")},
	fNotifyBillViaEmail:   {json: "notify_bill_via_email", label: "Notify bill via email", ptr: func(l *LineInput) *string { return &l.NotifyBillViaEmail }, norm: upper, check: oneOf("Y", "N")},
	fPhoneType:            {json: "phone_type", label: "Phone type", ptr: func(l *LineInput) *string { return &l.PhoneType }, norm: upper, check: oneOf(string(Phone4G), string(Phone3G), string(Phone4GLTE))},
	fPartNumber:           {json: "part_number", label: "Part number", ptr: func(l *LineInput) *string { return &l.PartNumber }, check: code(MaxCode)},
	fEquipmentID:          {json: "equipment_id", label: "Equipment Id", ptr: func(l *LineInput) *string { return &l.EquipmentID }, check: code(MaxCode)},
	fEquipmentChildID:     {json: "equipment_child_id", label: "Equipment child Id", ptr: func(l *LineInput) *string { return &l.EquipmentChildID }, check: code(MaxCode)},
	fDeviceID:             {json: "device_id", label: "Device Id", ptr: func(l *LineInput) *string { return &l.DeviceID }, check: code(MaxCode)},
	fUICCID:               {json: "uiccid", label: "Uiccid", ptr: func(l *LineInput) *string { return &l.UICCID }, req: if4G, check: digitsBetween(MinUICCID, MaxUICCID)},
	fBrandCode:            {json: "brand_code", label: "Brand code", ptr: func(l *LineInput) *string { return &l.BrandCode }, norm: upper, check: oneOf(string(BrandASW), string(BrandBST), string(BrandSPP), string(BrandVMU), string(BrandSPR), string(BrandPLD))},
	fSKUType:              {json: "sku_type", label: "SKU type", ptr: func(l *LineInput) *string { return &l.SKUType }, norm: upper, check: oneOf(string(SKUIntl), string(SKUBYO), string(SKUNew))},
	fESN:                  {json: "esn", label: "ESN", ptr: func(l *LineInput) *string { return &l.ESN }, norm: upper, req: ifHandover, check: alnumBetween(MinESN, MaxESN)},
	fCarrier:              {json: "carrier", label: "Carrier", ptr: func(l *LineInput) *string { return &l.Carrier }, norm: upper, req: ifHandover, check: carrierCode},
	fActivationType:       {json: "activation_type", label: "Activation type", ptr: func(l *LineInput) *string { return &l.ActivationType }, norm: upper, req: always, check: oneOf(string(NewActivation), string(PortIn)), v2Default: string(NewActivation)},
	fEnrollmentType:       {json: "enrollment_type", label: "Enrollment type", ptr: func(l *LineInput) *string { return &l.EnrollmentType }, norm: upper, req: always, check: oneOf(string(Shipment), string(Handover))},
	fHandoverType:         {json: "handover_type", label: "Handover type", ptr: func(l *LineInput) *string { return &l.HandoverType }, norm: lower, req: ifHandover, check: oneOf(string(HandoverCBE))},
	fPortCurrentCarrier:   {json: "port_current_carrier", label: "Port current carrier", ptr: func(l *LineInput) *string { return &l.PortCurrentCarrier }, req: ifPortIn, check: carrierName},
	fPortFirstName:        {json: "port_first_name", label: "Port first name", ptr: func(l *LineInput) *string { return &l.PortFirstName }, norm: name, req: ifPortIn, check: personName(1)},
	fPortLastName:         {json: "port_last_name", label: "Port last name", ptr: func(l *LineInput) *string { return &l.PortLastName }, norm: name, req: ifPortIn, check: personName(2)},
	fPortAddressOne:       {json: "port_address_one", label: "Port address one", ptr: func(l *LineInput) *string { return &l.PortAddressOne }, req: ifPortIn, check: address},
	fPortAddressTwo:       {json: "port_address_two", label: "Port address two", ptr: func(l *LineInput) *string { return &l.PortAddressTwo }, check: address},
	fPortCity:             {json: "port_city", label: "Port city", ptr: func(l *LineInput) *string { return &l.PortCity }, req: ifPortIn, check: city},
	fPortState:            {json: "port_state", label: "Port state", ptr: func(l *LineInput) *string { return &l.PortState }, norm: upper, req: ifPortIn, check: state},
	fPortZipCode:          {json: "port_zip_code", label: "Port zip code", ptr: func(l *LineInput) *string { return &l.PortZipCode }, req: ifPortIn, check: digits(5)},
	fPortAccountNumber:    {json: "port_account_number", label: "Port account number", ptr: func(l *LineInput) *string { return &l.PortAccountNumber }, req: ifPortIn, check: code(MaxCode)},
	fPortAccountPassword:  {json: "port_account_password", label: "Port account password", ptr: func(l *LineInput) *string { return &l.PortAccountPassword }, secret: true, req: ifPortIn, check: secretText(MaxPassword)},
	fPortSSN:              {json: "port_ssn", label: "Port SSN", ptr: func(l *LineInput) *string { return &l.PortSSN }, secret: true, check: ssn},
	fPortNumber:           {json: "port_number", label: "Port number", ptr: func(l *LineInput) *string { return &l.PortNumber }, req: ifPortIn, check: digits(10)},
	fBillingAddressOne:    {json: "billing_address_one", label: "Billing address one", ptr: func(l *LineInput) *string { return &l.BillingAddressOne }, check: address},
	fBillingAddressTwo:    {json: "billing_address_two", label: "Billing address two", ptr: func(l *LineInput) *string { return &l.BillingAddressTwo }, check: address},
	fBillingCity:          {json: "billing_city", label: "Billing city", ptr: func(l *LineInput) *string { return &l.BillingCity }, check: city},
	fBillingState:         {json: "billing_state", label: "Billing state", ptr: func(l *LineInput) *string { return &l.BillingState }, norm: upper, check: state},
	fBillingZip:           {json: "billing_zip", label: "Billing zip", ptr: func(l *LineInput) *string { return &l.BillingZip }, check: digits(5)},
	fDeviceType:           {json: "device_type", label: "Device type", ptr: func(l *LineInput) *string { return &l.DeviceType }, norm: upper, check: oneOf(string(CDMA), string(GSM))},
	fCouponCode:           {json: "coupon_code", label: "Coupon code", ptr: func(l *LineInput) *string { return &l.CouponCode }, check: code(MaxCode)},
	fCouponTransactionID:  {json: "coupon_transaction_id", label: "Coupon transaction Id", ptr: func(l *LineInput) *string { return &l.CouponTransactionID }, check: code(MaxCode)},
	fActivationLater:      {json: "activation_later", label: "Activation later", ptr: func(l *LineInput) *string { return &l.ActivationLater }, norm: upper, check: oneOf("Y", "N")},
	// The fields of create_prepaid_postpaid_customer_v2's lines. A line's
	// parent_enrollment_id names its account; "" means the line opens it.
	fParentEnrollmentID: {json: "parent_enrollment_id", label: "Parent enrollment Id", ptr: func(l *LineInput) *string { return &l.ParentEnrollmentID }, norm: upper, check: alnum(MaxEnrollmentID)},
	// order_id is make_payment's order (a JSON number); the use case
	// checks it against the organisation's orders (order.LinkLines).
	fOrderID:            {json: "order_id", label: "Order Id", ptr: func(l *LineInput) *string { return &l.OrderID }, check: positiveInt(MaxOrderIDDigits)},
	fSIM:                {json: "sim", label: "SIM", ptr: func(l *LineInput) *string { return &l.SIM }, check: digitsBetween(MinUICCID, MaxUICCID)},
	fIsESIM:             {json: "is_esim", label: "Is eSIM", ptr: func(l *LineInput) *string { return &l.IsESIM }, norm: upper, check: oneOf("Y", "N"), v2Default: "N"},
	fPIN:                {json: "pin", label: "PIN", ptr: func(l *LineInput) *string { return &l.PIN }, secret: true, check: secretText(MaxPIN)},
	fChildInvoiceNumber: {json: "child_invoice_number", label: "Child invoice number", ptr: func(l *LineInput) *string { return &l.ChildInvoiceNumber }, check: invoice},
	fNoOfAdvanceMonth:   {json: "no_of_advance_month", label: "Number of advance months", ptr: func(l *LineInput) *string { return &l.NoOfAdvanceMonth }, check: numeric(MaxAdvanceMonthDigits)},
}

// lineAlias is another name clients send for a field of the line table,
// with how its value maps to the field's (ok false for a value the alias
// does not allow, reported as the alias's own violation).
type lineAlias struct {
	json, label string
	ptr         func(*LineInput) *string
	norm        norm
	field       lineFieldID
	mapValue    func(string) (string, bool)
	// allowed describes the alias's values for its message.
	allowed string
}

// lineAliases are the names create_prepaid_postpaid_customer_v2 uses for
// fields of the table. An alias fills its field when the field itself is
// absent; when both are sent they must agree.
var lineAliases = []lineAlias{
	{json: "middle_name", label: "Middle name", ptr: func(l *LineInput) *string { return &l.MiddleName }, norm: name, field: fMiddleInitial,
		mapValue: func(v string) (string, bool) { return v, true }},
	{json: "is_portin", label: "Is portin", ptr: func(l *LineInput) *string { return &l.IsPortin }, norm: upper, field: fActivationType,
		mapValue: func(v string) (string, bool) {
			switch v {
			case "Y":
				return string(PortIn), true
			case "N":
				return string(NewActivation), true
			}
			return "", false
		}, allowed: "Y or N"},
}

// lineGroup is a nested object of a line (v2 clients send addresses so):
// each member names a field of the table.
type lineGroup struct {
	json    string
	members map[string]lineFieldID
}

// addressMembers are the member names of a nested address object.
func addressMembers(one, two, city, state, zip lineFieldID) map[string]lineFieldID {
	return map[string]lineFieldID{"address_one": one, "address_two": two, "city": city, "state": state, "zip": zip}
}

// lineGroups are the nested objects a line may carry, flattened into the
// table's fields: service_address: {address_one, address_two, city, state,
// zip} is service_address_one, ..., service_zip.
var lineGroups = []lineGroup{
	{json: "service_address", members: addressMembers(fServiceAddressOne, fServiceAddressTwo, fServiceCity, fServiceState, fServiceZip)},
	{json: "billing_address", members: addressMembers(fBillingAddressOne, fBillingAddressTwo, fBillingCity, fBillingState, fBillingZip)},
	{json: "port_address", members: addressMembers(fPortAddressOne, fPortAddressTwo, fPortCity, fPortState, fPortZipCode)},
}

// requestField is one row of the request table, the only place that lists
// the JSON names of the top level, in the order violations are reported.
type requestField struct {
	json, label string
	// ptr is nil for LinesField, which is not a string.
	ptr     func(*RequestInput) *string
	norm    norm
	secret  bool
	req     bool
	missing string
	check   check
	// v2Optional makes a required field optional in
	// create_prepaid_postpaid_customer_v2.
	v2Optional bool
}

type requestFieldID int

const (
	rAction requestFieldID = iota
	rLines
	rParentEnrollmentID
	rInvoiceNumber
	rSource
	rSubSource
	rAgentID
	rAgentPassword
	rExternalTransactionID
	numRequestFields
)

var requestFields = [numRequestFields]requestField{
	// The action is not checked here: the dispatcher has already chosen this
	// operation by it (create_customer_prepaid_multiline or its alias).
	rAction: {json: "action", label: "Action", ptr: func(r *RequestInput) *string { return &r.Action }},
	rLines:  {json: LinesField, label: "Lines"},
	// v2 lines name their parent themselves, so the top-level one is
	// optional there (see Validate).
	rParentEnrollmentID:    {json: "parent_enrollment_id", label: "Parent enrollment Id", ptr: func(r *RequestInput) *string { return &r.ParentEnrollmentID }, norm: upper, req: true, v2Optional: true, check: alnum(MaxEnrollmentID)},
	rInvoiceNumber:         {json: "invoice_number", label: "Invoice number", ptr: func(r *RequestInput) *string { return &r.InvoiceNumber }, check: invoice},
	rSource:                {json: "source", label: "Source", ptr: func(r *RequestInput) *string { return &r.Source }, norm: upper, req: true, check: sourceCode},
	rSubSource:             {json: "sub_source", label: "Sub source", ptr: func(r *RequestInput) *string { return &r.SubSource }, check: subSource},
	rAgentID:               {json: "agent_id", label: "Agent Id", ptr: func(r *RequestInput) *string { return &r.AgentID }, req: true, missing: MsgAgentIDBlank, check: agentID},
	rAgentPassword:         {json: "agent_password", label: "Agent password", ptr: func(r *RequestInput) *string { return &r.AgentPassword }, secret: true, check: secretText(MaxAgentPassword)},
	rExternalTransactionID: {json: "external_transaction_id", label: "External transaction Id", ptr: func(r *RequestInput) *string { return &r.ExternalTransactionID }, check: alnum(MaxExternalTransactionID)},
}

// Lookups by JSON name, derived from the tables so the names are listed once.
var (
	lineFieldByName = func() map[string]lineFieldID {
		m := make(map[string]lineFieldID, len(lineFields))
		for i := range lineFields {
			m[lineFields[i].json] = lineFieldID(i)
		}
		return m
	}()
	lineAliasByName = func() map[string]int {
		m := make(map[string]int, len(lineAliases))
		for i := range lineAliases {
			m[lineAliases[i].json] = i
		}
		return m
	}()
	requestFieldByName = func() map[string]requestFieldID {
		m := make(map[string]requestFieldID, len(requestFields))
		for i := range requestFields {
			if requestFields[i].ptr != nil {
				m[requestFields[i].json] = requestFieldID(i)
			}
		}
		return m
	}()
)

// LineFields returns the JSON fields of a line in the vendor document's
// order, then the fields v2 added, then the other names v2 clients send for
// fields (middle_name, is_portin): every name LineInput.Set accepts. The
// slice is a fresh copy.
func LineFields() []FieldSpec {
	out := make([]FieldSpec, 0, len(lineFields)+len(lineAliases))
	for _, f := range lineFields {
		out = append(out, FieldSpec{JSON: f.json, Label: f.label, Secret: f.secret})
	}
	for _, a := range lineAliases {
		out = append(out, FieldSpec{JSON: a.json, Label: a.label})
	}
	return out
}

// GroupSpec describes a nested object of a line: its JSON name and the
// names of its members, which LineInput.SetMember accepts.
type GroupSpec struct {
	JSON    string
	Members []string
}

// LineGroups returns the nested objects a line may carry, such as
// service_address: {address_one, address_two, city, state, zip}.
func LineGroups() []GroupSpec {
	out := make([]GroupSpec, len(lineGroups))
	for i, g := range lineGroups {
		ms := make([]string, 0, len(g.members))
		for m := range g.members {
			ms = append(ms, m)
		}
		slices.Sort(ms)
		out[i] = GroupSpec{JSON: g.json, Members: ms}
	}
	return out
}

// SetMember stores value in the field that member of the nested object
// group stands for (service_address.zip is service_zip), unless the flat
// field was already given, which wins; it reports whether group has such a
// member.
func (l *LineInput) SetMember(group, member, value string) bool {
	for _, g := range lineGroups {
		if g.json != group {
			continue
		}
		id, ok := g.members[member]
		if ok {
			if p := lineFields[id].ptr(l); *p == "" {
				*p = value
			}
		}
		return ok
	}
	return false
}

// RequestFields returns the top-level string fields of a request, those
// RequestInput.Set accepts; the array of lines is named by LinesField.
func RequestFields() []FieldSpec {
	out := make([]FieldSpec, 0, len(requestFields))
	for _, f := range requestFields {
		if f.ptr != nil {
			out = append(out, FieldSpec{JSON: f.json, Label: f.label, Secret: f.secret})
		}
	}
	return out
}

// Set stores value in the field whose JSON name is jsonName and reports
// whether there is such a field. Unknown names are not an error for the
// caller to report: the vendor's own sample sends "action": null in a line.
func (l *LineInput) Set(jsonName, value string) bool {
	if id, ok := lineFieldByName[jsonName]; ok {
		*lineFields[id].ptr(l) = value
		return true
	}
	if i, ok := lineAliasByName[jsonName]; ok {
		*lineAliases[i].ptr(l) = value
		return true
	}
	return false
}

// Get returns the raw value of the field whose JSON name is jsonName.
func (l *LineInput) Get(jsonName string) (string, bool) {
	if id, ok := lineFieldByName[jsonName]; ok {
		return *lineFields[id].ptr(l), true
	}
	if i, ok := lineAliasByName[jsonName]; ok {
		return *lineAliases[i].ptr(l), true
	}
	return "", false
}

// Set stores value in the top-level string field whose JSON name is
// jsonName and reports whether there is such a field.
func (r *RequestInput) Set(jsonName, value string) bool {
	id, ok := requestFieldByName[jsonName]
	if ok {
		*requestFields[id].ptr(r) = value
	}
	return ok
}

// Get returns the raw value of the top-level string field whose JSON name
// is jsonName.
func (r *RequestInput) Get(jsonName string) (string, bool) {
	id, ok := requestFieldByName[jsonName]
	if !ok {
		return "", false
	}
	return *requestFields[id].ptr(r), true
}

// String renders the non-empty fields as json_name:value pairs, secrets
// redacted, so that logging a raw request by mistake leaks no secret.
func (l LineInput) String() string {
	var b strings.Builder
	b.WriteString("{")
	sep := ""
	for i := range lineFields {
		f := &lineFields[i]
		v := *f.ptr(&l)
		if v == "" {
			continue
		}
		writeField(&b, sep, f.json, v, f.secret)
		sep = " "
	}
	b.WriteString("}")
	return b.String()
}

// Format prints String for every verb, so that no verb prints the secrets
// by reflection.
func (l LineInput) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte("enrollment.LineInput"))
	}
	_, _ = f.Write([]byte(l.String()))
}

// LogValue logs only the enrollment id of a raw line: the rest is personal
// data or secret.
func (l LineInput) LogValue() slog.Value {
	return slog.GroupValue(slog.String(lineFields[fEnrollmentID].json, l.EnrollmentID))
}

// String renders the non-empty top-level fields and the lines, secrets
// redacted.
func (r RequestInput) String() string {
	var b strings.Builder
	b.WriteString("{")
	sep := ""
	for i := range requestFields {
		f := &requestFields[i]
		if f.ptr == nil {
			fmt.Fprintf(&b, "%s%s:%v", sep, f.json, r.Lines)
			sep = " "
			continue
		}
		v := *f.ptr(&r)
		if v == "" {
			continue
		}
		writeField(&b, sep, f.json, v, f.secret)
		sep = " "
	}
	b.WriteString("}")
	return b.String()
}

// Format prints String for every verb, so that no verb prints the secrets
// by reflection.
func (r RequestInput) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte("enrollment.RequestInput"))
	}
	_, _ = f.Write([]byte(r.String()))
}

// LogValue logs the top-level fields of a raw request but its secrets, and
// each line's LogValue, never the customers' personal data.
func (r RequestInput) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, len(requestFields))
	for i := range requestFields {
		f := &requestFields[i]
		switch {
		case f.secret:
		case f.ptr == nil:
			lines := make([]slog.Attr, len(r.Lines))
			for j, l := range r.Lines {
				lines[j] = slog.Attr{Key: strconv.Itoa(j + 1), Value: l.LogValue()}
			}
			attrs = append(attrs, slog.Attr{Key: f.json, Value: slog.GroupValue(lines...)})
		default:
			attrs = append(attrs, slog.String(f.json, *f.ptr(&r)))
		}
	}
	return slog.GroupValue(attrs...)
}
