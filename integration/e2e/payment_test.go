package e2e

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// bssReply is the BSS envelope, data kept raw.
type bssReply struct {
	Msg     string          `json:"msg"`
	MsgCode string          `json:"msg_code"`
	Token   string          `json:"token"`
	Errors  []string        `json:"errors"`
	Data    json.RawMessage `json:"data"`
}

// bssCall POSTs body to base+path with tok in the token header.
func bssCall(t *testing.T, c *http.Client, base, path, tok, body string) bssReply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("token", tok)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return bssReply{}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r bssReply
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &r) != nil || leaks(raw) {
		t.Errorf("%s: HTTP %d %s", path, resp.StatusCode, raw)
	}
	return r
}

const (
	e2eVendorPassword = "e2e-vendor-pass-41"
	e2eVendorPin      = "2017"
	bssAgent          = `"agent_id":"web","source":"API"`
)

// setupBSS configures, through the CLI, organisation ACME for the prepaid
// flow with payment: a vendor, an agent, a plan, a zip, a shipping method,
// fees for the zip's state and a coupon.
func setupBSS(t *testing.T, dsn string) {
	t.Helper()
	for _, args := range [][]string{
		{"org", "create", "--db", dsn, "ACME"},
		{"vendor", "add", "--db", dsn, "--org", "ACME", "--vendor-id", "ACMEVENDOR", "--username", "acmeapi", "--password", e2eVendorPassword, "--pin", e2eVendorPin},
		{"agent", "add", "--db", dsn, "--org", "ACME", "--id", "web"},
		{"plan", "add", "--db", dsn, "--org", "ACME", "--id", "1828", "--name", "Unlimited 30", "--price", "25.00"},
		{"zip", "add", "--db", dsn, "--org", "ACME", "--zip", "98103", "--city", "SEATTLE", "--state", "WA"},
		{"source", "allow", "--db", dsn, "--org", "ACME", "API"},
		{"shipping", "add", "--db", dsn, "--org", "ACME", "--name", "USPS Priority", "--amount", "5.00"},
		{"fees", "set", "--db", dsn, "--org", "ACME", "--activation-fee", "10.00", "--processing-fee", "1.50"},
		{"fees", "state", "--db", dsn, "--org", "ACME", "--state", "WA", "--tax-rate", "6.5", "--regulatory-rate", "2.25"},
		{"coupon", "add", "--db", dsn, "--org", "ACME", "--code", "SAVE10", "--percent", "10"},
	} {
		allot(t, args...)
	}
}

func authenticate(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	r := bssCall(t, c, base, "/authenticate", "", fmt.Sprintf(`{"vendor_id":"ACMEVENDOR","username":"acmeapi","password":%q,"pin":%q}`, e2eVendorPassword, e2eVendorPin))
	if r.MsgCode != "RESTAPI000" || r.Token == "" {
		t.Fatalf("authenticate: %+v", r)
	}
	return r.Token
}

type paidOrder struct {
	OrderID       json.Number `json:"order_id"`
	InvoiceNumber string      `json:"invoice_number"`
	PaymentStatus string      `json:"payment_status"`
	TotalAmount   string      `json:"total_amount"`
}

// TestPaymentsThreeProcesses runs the prepaid flow with payment against
// three server processes on one PostgreSQL database: a client's flow
// (authenticate → check_service_availability → plan_list →
// payment_details → make_payment, chaining tokens), then, for each of many
// enrollment ids, make_payment sent to all three servers at once. Each
// enrollment id gets one order, every answer names it, and the invoice
// numbers are consecutive with none repeated or skipped.
func TestPaymentsThreeProcesses(t *testing.T) {
	const enrollments = 24
	dsn := srv.NewDatabase(t)
	setupBSS(t, dsn)
	servers := startServers(t, dsn, 3)
	c := newClient(t, 16)

	// The flow, each call on the next server, chaining tokens.
	at := func(i int) string { return servers[i%len(servers)].base }
	tok := authenticate(t, c, at(0))
	var ids []string
	for i := range enrollments {
		r := bssCall(t, c, at(i), "/enrollment", tok, `{"action":"check_service_availability","zip_code":"98103","enrollment_type":"NON_LIFELINE","is_enrollment":"Y",`+bssAgent+`}`)
		var d struct {
			EnrollmentID string `json:"enrollment_id"`
		}
		if err := json.Unmarshal(r.Data, &d); err != nil || r.MsgCode != "RESTAPI000" || d.EnrollmentID == "" {
			t.Fatalf("check_service_availability: %+v", r)
		}
		ids, tok = append(ids, d.EnrollmentID), r.Token
	}
	r := bssCall(t, c, at(1), "/plan", tok, `{"action":"plan_list",`+bssAgent+`}`)
	if r.MsgCode != "RESTAPI000" || !bytes.Contains(r.Data, []byte(`"plan_id":"1828"`)) {
		t.Fatalf("plan_list: %+v", r)
	}
	quote := func(id string) string {
		return fmt.Sprintf(`"enrollment_id":%q,"plan_id":"1828","no_of_lines":"2","shipping_id":"1","coupon_code":"SAVE10",%s`, id, bssAgent)
	}
	r = bssCall(t, c, at(2), "/payment", r.Token, `{"action":"payment_details",`+quote(ids[0])+`}`)
	var q struct {
		Total string `json:"total_amount"`
	}
	if err := json.Unmarshal(r.Data, &q); err != nil || r.MsgCode != "RESTAPI000" || q.Total != "75.44" {
		t.Fatalf("payment_details: %+v (data %s)", r, r.Data)
	}
	pay := func(id string) string {
		return `{"action":"make_payment","payment_type":"NEW_SIGNUP","payment_method":"CASH",` + quote(id) + `}`
	}

	// Every enrollment id paid on all three servers at once.
	type answer struct {
		id    string
		order paidOrder
	}
	var mu sync.Mutex
	var answers []answer
	var wg sync.WaitGroup
	for _, id := range ids {
		toks := make([]string, len(servers))
		for k := range servers {
			toks[k] = authenticate(t, c, at(k))
		}
		for k := range servers {
			wg.Go(func() {
				r := bssCall(t, c, at(k), "/payment", toks[k], pay(id))
				var o paidOrder
				if err := json.Unmarshal(r.Data, &o); err != nil || r.MsgCode != "RESTAPI000" || o.PaymentStatus != "SUCCESS" || o.TotalAmount != "75.44" {
					t.Errorf("make_payment %s on %s: %+v (data %s)", id, servers[k].name, r, r.Data)
					return
				}
				mu.Lock()
				answers = append(answers, answer{id, o})
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	byID := map[string]paidOrder{}
	for _, a := range answers {
		first, seen := byID[a.id]
		if seen && first != a.order {
			t.Errorf("enrollment %s answered two orders: %+v and %+v", a.id, first, a.order)
		}
		byID[a.id] = a.order
	}
	month := time.Now().UTC().Format("2006-01")
	var invoices []string
	orders := map[string]bool{}
	for _, o := range byID {
		invoices = append(invoices, o.InvoiceNumber)
		orders[o.OrderID.String()] = true
	}
	sort.Strings(invoices)
	if len(invoices) != enrollments || len(orders) != enrollments {
		t.Fatalf("%d invoices and %d order ids for %d enrollment ids", len(invoices), len(orders), enrollments)
	}
	for i, inv := range invoices {
		if want := fmt.Sprintf("%s-%04d", month, i+1); inv != want {
			t.Fatalf("invoice numbers %v: number %d is %s, want %s (none repeated, none skipped)", invoices, i+1, inv, want)
		}
	}

	db := openDB(t, dsn)
	// The client then creates the customers, two lines per order as each
	// was priced: the parent's enrollment id paid for both, the order_id
	// make_payment returned on both lines, each call on the next server
	// with the token the last one returned. An order of another
	// enrollment is refused first, and writes nothing.
	tok = authenticate(t, c, at(0))
	r = bssCall(t, c, at(1), "/customer", tok, v2Create(byID[ids[2]].OrderID.String(), ids[1]))
	var refused v2Created
	if err := json.Unmarshal(r.Data, &refused); err != nil || r.MsgCode != "RESTAPI110" || len(refused) != 1 || len(refused[0].Errors) != 1 ||
		refused[0].Errors[0] != "Order "+byID[ids[2]].OrderID.String()+" is not an order of this enrollment" {
		t.Fatalf("another enrollment's order: %+v (data %s)", r, r.Data)
	}
	tok = r.Token
	for p := 0; p+1 < len(ids); p += 2 {
		paid := byID[ids[p]]
		r := bssCall(t, c, at(p/2), "/customer", tok, v2Create(paid.OrderID.String(), ids[p], ids[p+1]))
		var lines v2Created
		if err := json.Unmarshal(r.Data, &lines); err != nil || r.MsgCode != "RESTAPI000" || len(lines) != 2 {
			t.Fatalf("create with order %s: %+v (data %s)", paid.OrderID, r, r.Data)
		}
		for i, l := range lines {
			if l.Data.CustID == 0 || l.Data.EnrollmentID != ids[p+i] || l.Data.InvoiceNumber != paid.InvoiceNumber {
				t.Errorf("line %s = %+v, want the order's invoice %s", ids[p+i], l, paid.InvoiceNumber)
			}
		}
		tok = r.Token
	}
	var linked int
	if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM lines l JOIN orders o ON o.org_id = l.org_id AND o.id = l.order_id
		WHERE l.invoice_number = o.invoice_number AND o.enrollment_id IN (l.enrollment_id, (SELECT a.parent_enrollment_id FROM accounts a WHERE a.id = l.account_id))`).Scan(&linked); err != nil || linked != enrollments {
		t.Errorf("lines stored with their order and its invoice number: %d, %v; want %d", linked, err, enrollments)
	}

	// A card payment on every server, refused for want of a processor;
	// its card is then looked for in every table and every server's output.
	const canaryCard, canaryCVV = "4000056655665556", "8317"
	for k := range servers {
		card := fmt.Sprintf(`{"action":"make_payment","payment_type":"NEW_SIGNUP","payment_method":"CREDIT_CARD","credit_card_number":%q,"cvv":%q,
			"expiry_month":"12","expiry_year":"2031","billing_address1":"1 Main St","billing_city":"SEATTLE","billing_state":"WA","billing_zip":"98103",%s}`,
			canaryCard, canaryCVV, quote(ids[k]))
		r := bssCall(t, c, at(k), "/payment", authenticate(t, c, at(k)), card)
		if r.MsgCode != "RESTAPI110" || len(r.Errors) != 1 || r.Errors[0] != "Card payments are not enabled for this company" {
			t.Errorf("card payment on %s: %+v", servers[k].name, r)
		}
	}

	// Whole values only, bounded by what separates values in a row's text
	// or a JSON document: a time of 12:23:30.831745 or a hash such as
	// …a8317f… does not hold the CVV (one CI run found "8317" bounded by
	// non-digits somewhere in the dump; hex hashes and UUIDs hold such runs
	// by chance). A match prints its surroundings.
	canary := regexp.MustCompile(`(^|[^0-9A-Za-z+/_.-])(` + canaryCard + `|` + canaryCVV + `)([^0-9A-Za-z+/_.-]|$)`)
	for sample, holds := range map[string]bool{
		`(7,"4000056655665556",x)`: true, `{"cvv": "8317"}`: true, `cvv=8317 `: true, "(3,8317)": true,
		"c9a8317fe0": false, "12:23:30.831745": false, "0f2c-8317-ab": false, "48317": false,
	} {
		if canary.MatchString(sample) != holds {
			t.Fatalf("canary on %q = %v, want %v", sample, !holds, holds)
		}
	}
	if dump := dumpTables(t, db); canary.MatchString(dump) {
		at := canary.FindStringIndex(dump)
		t.Errorf("a table holds the card's number or CVV: …%s…", dump[max(0, at[0]-80):min(len(dump), at[1]+80)])
	} else if !strings.Contains(dump, ids[0]) {
		t.Error("the table dump misses the orders: the canary search would prove nothing")
	}
	for _, s := range servers {
		if canary.MatchString(s.logs.String()) {
			t.Errorf("%s's output holds card data", s.name)
		}
	}
	var n int
	if err := db.QueryRowContext(t.Context(), "SELECT count(*) FROM orders").Scan(&n); err != nil || n != enrollments {
		t.Fatalf("orders in the database: %d, %v; want %d", n, err, enrollments)
	}
	var uses int
	if err := db.QueryRowContext(t.Context(), "SELECT uses FROM coupons WHERE code = 'SAVE10'").Scan(&uses); err != nil || uses != enrollments {
		t.Errorf("coupon uses: %d, %v; want %d (one per order, none per retry)", uses, err, enrollments)
	}
	recordFigures(t, "payments", fmt.Sprintf("payments: servers=3 enrollments=%d calls=%d orders=%d", enrollments, len(answers), n))
}

// v2Created is data of a create_prepaid_postpaid_customer_v2 answer: one
// result per line.
type v2Created []struct {
	Data struct {
		CustID        int64  `json:"cust_id"`
		EnrollmentID  string `json:"enrollment_id"`
		InvoiceNumber string `json:"invoice_number"`
	} `json:"data"`
	MsgCode string   `json:"msg_code"`
	Errors  []string `json:"errors"`
}

// v2Create is a create_prepaid_postpaid_customer_v2 request for the lines
// ids, the first opening the account, every line naming orderID.
func v2Create(orderID string, ids ...string) string {
	lines := make([]string, len(ids))
	for i, id := range ids {
		parent := ""
		if i > 0 {
			parent = ids[0]
		}
		lines[i] = fmt.Sprintf(`{"enrollment_id":%q,"parent_enrollment_id":%q,"first_name":"Ann","last_name":"Lee","email":"ann@example.com",
			"service_address":{"address_one":"112 N 41ST ST","city":"SEATTLE","state":"WA","zip":"98103"},"plan_id":1828,
			"is_portin":"N","enrollment_type":"SHIPMENT","order_id":%s}`, id, parent, orderID)
	}
	return `{"action":"create_prepaid_postpaid_customer_v2",` + bssAgent + `,"lines":[` + strings.Join(lines, ",") + `]}`
}

// dumpTables returns the text of every row of every table of the public
// schema, as a table dump would show them.
func dumpTables(t *testing.T, db *sql.DB) string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	var b strings.Builder
	for _, name := range tables {
		var text string
		q := "SELECT coalesce(string_agg(x::text, ' '), '') FROM " + quoteIdent(name) + " AS x"
		if err := db.QueryRowContext(t.Context(), q).Scan(&text); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		b.WriteString(text)
	}
	return b.String()
}
