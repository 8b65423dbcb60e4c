package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/order"
	"github.com/allot-io/allot/ports"
)

// linkOrders makes the fake service refuse lines as the use case does,
// with the domain's rule over these orders: 3 for WN116 (paid), 4 for
// WN999 (paid), 5 for WN116 (payment skipped).
func linkOrders(h *harness, requirePaid bool) {
	orders := map[int64]order.Order{
		3: {ID: 3, EnrollmentID: "WN116", InvoiceNumber: "2026-12-0003", Status: order.Paid},
		4: {ID: 4, EnrollmentID: "WN999", InvoiceNumber: "2026-12-0004", Status: order.Paid},
		5: {ID: 5, EnrollmentID: "WN116", InvoiceNumber: "2026-12-0005", Status: order.Skipped},
	}
	h.enr.createFn = func(in enrollment.RequestInput) ([]ports.CreatedLine, error) {
		r, err := enrollment.Validate(in, enrollment.Limits{})
		if err != nil {
			return nil, err
		}
		links, vs := order.LinkLines(r, orders, requirePaid)
		if err := vs.Err(); err != nil {
			return nil, err
		}
		out := make([]ports.CreatedLine, r.NumLines())
		for i, l := range r.Lines() {
			out[i] = ports.CreatedLine{CustomerID: int64(3188 + i), EnrollmentID: l.EnrollmentID(), EnrollmentType: l.EnrollmentType(), InvoiceNumber: links[i].InvoiceNumber}
		}
		return out, nil
	}
}

func refusedLine(msgs ...string) map[string]any {
	return map[string]any{"msg_code": "RESTAPI110", "msg": "Error occurred", "data": map[string]any{}, "errors": list(msgs...)}
}

// TestOrderIDErrors: each refusal of a line's order_id, in both creation
// actions' envelopes: v2 marks the top level "Fail" and puts each line's
// message in data[i]; the multiline action lists them at the top level
// with their lines. One message is RESTAPI110, several RESTAPI010.
func TestOrderIDErrors(t *testing.T) {
	v2 := func(orderID string) string {
		return strings.Replace(v2Body(""), `"order_id":3`, `"order_id":`+orderID, 1)
	}
	v2Two := func(first, second string) string {
		child := strings.Replace(strings.Replace(v2Line, `"WN116","parent_enrollment_id":""`, `"WN118","parent_enrollment_id":"WN116"`, 1), `"order_id":3`, `"order_id":`+second, 1)
		return strings.Replace(v2Body(""), v2Line+`]`, strings.Replace(v2Line, `"order_id":3`, `"order_id":`+first, 1)+`,`+child+`]`, 1)
	}
	noOrder := strings.Replace(v2Body(""), `"order_id":3,`, ``, 1)
	multi := strings.Replace(createBody(""), `"enrollment_type":"SHIPMENT"}`, `"enrollment_type":"SHIPMENT","order_id":4}`, 1)
	const (
		notCompany = "Order 123 is not an order of this company"
		notEnr     = "Order 4 is not an order of this enrollment"
		notPaid    = "Order 5 is not paid: this company requires payment before a customer is created"
	)
	for _, tc := range []struct {
		name        string
		requirePaid bool
		body        string
		code        string
		errors      []any
		lines       []any
	}{
		{"unknown order", false, v2("123"), "RESTAPI110", list("Fail"), []any{refusedLine(notCompany)}},
		{"another enrollment's order", false, v2("4"), "RESTAPI110", list("Fail"), []any{refusedLine(notEnr)}},
		{"both lines refused", false, v2Two("123", "4"), "RESTAPI010", list("Fail"), []any{refusedLine(notCompany), refusedLine(notEnr)}},
		{"one of two lines refused", false, v2Two("3", "123"), "RESTAPI110", list("Fail"),
			[]any{refusedLine(enrollment.MsgLineNotCreated), refusedLine(notCompany)}},
		{"payment required, no order", true, noOrder, "RESTAPI110", list("Fail"), []any{refusedLine(order.MsgOrderIDRequired)}},
		{"payment required, skipped", true, v2("5"), "RESTAPI110", list("Fail"), []any{refusedLine(notPaid)}},
		{"multiline: another enrollment's order", false, multi, "RESTAPI110", list(notEnr), []any{refusedLine(notEnr)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			linkOrders(h, tc.requirePaid)
			w := h.bss(CustomerPath, tc.body, h.enr.token())
			wantBSS(t, w, http.StatusOK, bssBody("Error occurred", tc.code, tokenN(2), "errors", tc.errors, "data", tc.lines))
		})
	}
}

// TestOrderInvoiceNumberAnswered: a line created with its order answers
// the order's invoice number.
func TestOrderInvoiceNumberAnswered(t *testing.T) {
	h := newHarness(t)
	linkOrders(h, true)
	w := h.bss(CustomerPath, v2Body(""), h.enr.token())
	if got := w.Body.String(); !strings.Contains(got, `"invoice_number":"2026-12-0003"`) || !strings.Contains(got, `"msg_code":"RESTAPI000"`) {
		t.Errorf("body = %s", got)
	}
}
