package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
)

// Paths of the API the benchmark calls.
const (
	createPath       = "/api/client/integration/virtualseries/create"
	nextPath         = "/api/client/integration/virtualseries/next"
	authenticatePath = "/authenticate"
	enrollmentPath   = "/enrollment"
	customerPath     = "/customer"
)

// linesPerRequest is the lines of one enrollment request.
const linesPerRequest = 10

// caller sends requests to one server over one keep-alive connection; one
// per client goroutine.
type caller struct {
	conn *httpConn
}

func newCaller(base string) caller {
	c, err := newHTTPConn(base)
	if err != nil {
		// base comes from the server's own announcement.
		panic(err)
	}
	return caller{conn: c}
}

// post sends body to path with headers and returns the status and the
// response body, valid until the next call.
func (c caller) post(_ context.Context, path string, body []byte, headers ...string) (int, []byte, error) {
	return c.conn.post(path, body, headers...)
}

// short returns the start of a response body for an error message.
func short(b []byte) string {
	if len(b) > 300 {
		b = b[:300]
	}
	return string(b)
}

// createWorkers returns workers that each allot a new 10-number series of
// prefix B, width 12, to the benchmark customer; slots hands out the
// series, so that no two requests overlap.
func createWorkers(base, key string, slots *atomic.Int64) func(int) worker {
	auth := "Basic " + key
	return func(int) worker {
		c := newCaller(base)
		var body []byte
		return func(ctx context.Context, _ int) error {
			first := slots.Add(1) * 10
			body = fmt.Appendf(body[:0], `{"start":"B%012d","end":"B%012d","client_code":%q,"item_code":%q}`,
				first, first+9, benchCustomer, benchItem)
			status, resp, err := c.post(ctx, createPath, body, "Authorization", auth)
			if err != nil {
				return err
			}
			if status != http.StatusOK || !bytes.HasPrefix(resp, []byte(`{"status":"OK"`)) {
				return fmt.Errorf("create: HTTP %d: %s", status, short(resp))
			}
			return nil
		}
	}
}

// drawWorkers returns workers that each draw the next number of item for
// the owner owner(client) returns; when rec is set, every number handed out
// (in or out of the measured window) is recorded for the check after the
// phase.
func drawWorkers(base, key, item string, owner func(client int) string, rec *drawRecorder) func(int) worker {
	auth := "Basic " + key
	return func(client int) worker {
		c := newCaller(base)
		body := []byte(fmt.Sprintf(`{"client_code":%q,"item_code":%q,"count":1}`, owner(client), item))
		var mine []string
		if rec != nil {
			mine = make([]string, 0, 4096)
		}
		return func(ctx context.Context, _ int) error {
			status, resp, err := c.post(ctx, nextPath, body, "Authorization", auth)
			if err != nil {
				return err
			}
			if status != http.StatusOK || !bytes.HasPrefix(resp, []byte(`{"status":"OK"`)) {
				return fmt.Errorf("next: HTTP %d: %s", status, short(resp))
			}
			if rec != nil {
				var r struct {
					Data struct {
						Numbers []string `json:"numbers"`
					} `json:"data"`
				}
				if err := json.Unmarshal(resp, &r); err != nil || len(r.Data.Numbers) != 1 {
					return fmt.Errorf("next: not one number: %s", short(resp))
				}
				mine = append(mine, r.Data.Numbers[0])
				rec.keep(client, mine)
			}
			return nil
		}
	}
}

// drawRecorder keeps, per client, the numbers its draws were handed.
type drawRecorder struct {
	mu  sync.Mutex
	per map[int][]string
}

func newDrawRecorder() *drawRecorder { return &drawRecorder{per: map[int][]string{}} }

// keep stores the client's numbers so far (the slice is the client's own,
// only appended to).
func (r *drawRecorder) keep(client int, mine []string) {
	r.mu.Lock()
	r.per[client] = mine
	r.mu.Unlock()
}

// all returns every number handed out.
func (r *drawRecorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, ns := range r.per {
		out = append(out, ns...)
	}
	return out
}

// bssReply is the part of a BSS response the benchmark reads.
type bssReply struct {
	Msg     string          `json:"msg"`
	MsgCode string          `json:"msg_code"`
	Errors  []string        `json:"errors"`
	Token   string          `json:"token"`
	Data    json.RawMessage `json:"data"`
}

// bssClient is one chain of BSS calls: every response's token is the next
// call's.
type bssClient struct {
	caller
	token string
}

// call sends body to path with the current token and moves to the
// response's token. A reply other than RESTAPI000 is an error.
func (b *bssClient) call(ctx context.Context, path string, body []byte) (bssReply, error) {
	var headers []string
	if b.token != "" {
		headers = []string{"token", b.token}
	}
	status, resp, err := b.post(ctx, path, body, headers...)
	if err != nil {
		return bssReply{}, err
	}
	var r bssReply
	if err := json.Unmarshal(resp, &r); err != nil {
		return r, fmt.Errorf("%s: HTTP %d, not a BSS reply: %s", path, status, short(resp))
	}
	if r.Token != "" {
		b.token = r.Token
	}
	if status != http.StatusOK || r.MsgCode != "RESTAPI000" {
		return r, fmt.Errorf("%s: HTTP %d %s %s %v", path, status, r.MsgCode, r.Msg, r.Errors)
	}
	return r, nil
}

// authenticate starts the chain with the benchmark vendor's credentials.
func (b *bssClient) authenticate(ctx context.Context) error {
	body, _ := json.Marshal(map[string]string{
		"action": "authenticate", "vendor_id": benchVendor, "username": benchUser, "password": benchPassword, "pin": benchPin,
	})
	b.token = ""
	_, err := b.call(ctx, authenticatePath, body)
	return err
}

// issueIDs has check_service_availability issue n enrollment ids.
func (b *bssClient) issueIDs(ctx context.Context, n int) ([]string, error) {
	body, _ := json.Marshal(map[string]string{
		"action": "check_service_availability", "zip_code": benchZip, "enrollment_type": "NON_LIFELINE",
		"is_enrollment": "Y", "agent_id": benchAgent, "source": benchSource,
	})
	ids := make([]string, 0, n)
	for range n {
		r, err := b.call(ctx, enrollmentPath, body)
		if err != nil {
			return nil, err
		}
		var d struct {
			EnrollmentID string `json:"enrollment_id"`
		}
		if err := json.Unmarshal(r.Data, &d); err != nil || d.EnrollmentID == "" {
			return nil, fmt.Errorf("check_service_availability issued no enrollment id: %s", r.Data)
		}
		ids = append(ids, d.EnrollmentID)
	}
	return ids, nil
}

// enrollmentChains authenticates clients chains and has each issue
// requests*linesPerRequest enrollment ids, in parallel.
func enrollmentChains(ctx context.Context, base string, clients, requests int) ([]*bssClient, [][]string, error) {
	chains := make([]*bssClient, clients)
	ids := make([][]string, clients)
	errs := make([]error, clients)
	var wg sync.WaitGroup
	for i := range chains {
		chains[i] = &bssClient{caller: newCaller(base)}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = chains[i].authenticate(ctx); errs[i] != nil {
				return
			}
			ids[i], errs[i] = chains[i].issueIDs(ctx, requests*linesPerRequest)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	return chains, ids, nil
}

// enrollmentLine is one line after the vendor's sample request
// (domain/enrollment/sample_test.go), with its enrollment id; with
// password, it carries a customer password, as the sample's first line does.
func enrollmentLine(id string, password bool) map[string]any {
	l := map[string]any{
		"enrollment_id": id, "first_name": "test", "middle_initial": "", "last_name": "test",
		"alternate_phone_number": "1561651651", "email": "test@gmail.com",
		"service_address_one": "112 N 41ST ST", "service_address_two": "", "service_city": "SEATTLE",
		"service_state": "WA", "service_zip": benchZip, "plan_id": benchPlan,
		"notify_bill_via_text": "", "notify_bill_via_email": "", "phone_type": nil, "part_number": nil,
		"equipment_id": "", "equipment_child_id": "", "model_id": nil, "device_id": "", "uiccid": "",
		"brand_code": "", "sku_type": "", "esn": "", "carrier": "TMB",
		"activation_type": "NEWACTIVATION", "enrollment_type": "SHIPMENT", "handover_type": "", "action": nil,
		"billing_address_one": "112 N 41ST st", "billing_address_two": "", "billing_city": "seattle",
		"billing_state": "wa", "billing_zip": benchZip, "activation_later": "Y",
	}
	if password {
		l["password"] = "1599"
	}
	return l
}

// enrollmentBody is a create_customer_prepaid_multiline request for ids,
// whose first line opens the account and, with password, carries the
// customer password, as in the sample.
func enrollmentBody(ids []string, invoice int, password bool) []byte {
	lines := make([]map[string]any, len(ids))
	for i, id := range ids {
		lines[i] = enrollmentLine(id, password && i == 0)
	}
	body, _ := json.Marshal(map[string]any{
		"action": "create_customer_prepaid_multiline", "lines": lines,
		"agent_id": benchAgent, "source": benchSource, "sub_source": "plans",
		"parent_enrollment_id": ids[0], "invoice_number": fmt.Sprintf("BENCH-%d", invoice),
	})
	return body
}

// enrollmentWorkers returns workers that each send 10-line enrollments on
// their chain, with the ids issued to it, until they run out; without
// password no line carries a customer password.
func enrollmentWorkers(chains []*bssClient, ids [][]string, password bool) func(int) worker {
	return func(client int) worker {
		chain, mine := chains[client], ids[client]
		return func(ctx context.Context, i int) error {
			if (i+1)*linesPerRequest > len(mine) {
				return errExhausted
			}
			r, err := chain.call(ctx, customerPath, enrollmentBody(mine[i*linesPerRequest:(i+1)*linesPerRequest], i, password))
			if err != nil {
				return err
			}
			var lines []json.RawMessage
			if err := json.Unmarshal(r.Data, &lines); err != nil || len(lines) != linesPerRequest {
				return fmt.Errorf("create_customer_prepaid_multiline answered %d lines, want %d", len(lines), linesPerRequest)
			}
			return nil
		}
	}
}
