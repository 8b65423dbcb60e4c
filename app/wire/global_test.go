package wire_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/allot-io/allot/domain/tenant"
)

// TestGlobalPoolOverHTTP: a global virtual series is created with
// is_global, listed with ?is_global=true, and drawn by a customer flagged
// to use it once that customer's own series is exhausted.
func TestGlobalPoolOverHTTP(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.svc.Customers.Create(ctx, f.org, tenant.Customer{Code: "GL438", Name: "Global user", UseGlobal: true}); err != nil {
		t.Fatal(err)
	}
	status, body := f.post(t, "/create", `{"start":"V10000051","end":"V10000052","client_code":"GL438","item_code":"P7WJEJANkt"}`)
	if status != 200 {
		t.Fatalf("own series: %d %v", status, body)
	}
	status, body = f.post(t, "/create", `{"start":"G10000001","end":"G10000010","is_global":true,"item_code":"P7WJEJANkt"}`)
	if d := data(body); status != 200 || d["is_global"] != true || d["client_code"] != nil {
		t.Fatalf("global series: %d %v", status, body)
	}
	if status, body = f.post(t, "/create", `{"start":"G20000001","end":"G20000010","is_global":true,"client_code":"SL1981","item_code":"P7WJEJANkt"}`); status != 400 || errReason(body) != "GLOBAL_WITH_OWNER" {
		t.Fatalf("global with a client: %d %v", status, body)
	}
	if status, body = f.post(t, "/create", `{"start":"G20000001","end":"G20000010","is_global":"yes","item_code":"P7WJEJANkt"}`); status != 400 {
		t.Fatalf("is_global as a string: %d %v", status, body)
	}

	status, body = f.call(t, http.MethodPost, "/next", `{"client_code":"GL438","item_code":"P7WJEJANkt","count":3}`)
	if nums, _ := data(body)["numbers"].([]any); status != 200 || len(nums) != 3 || nums[0] != "V10000051" || nums[1] != "V10000052" || nums[2] != "G10000001" {
		t.Fatalf("next: %d %v", status, body)
	}
	// SL1981 is not flagged: its empty stock stays empty.
	if status, body = f.call(t, http.MethodPost, "/next", `{"client_code":"SL1981","item_code":"P7WJEJANkt"}`); status == 200 {
		t.Fatalf("unflagged customer drew from the global pool: %v", body)
	}

	status, body = f.call(t, http.MethodGet, "?is_global=true", "")
	list, _ := data(body)["series"].([]any)
	if status != 200 || len(list) != 1 || list[0].(map[string]any)["available"] != 9.0 {
		t.Fatalf("global list: %d %v", status, body)
	}
	if status, body = f.call(t, http.MethodGet, "?is_global=maybe", ""); status != 400 || errReason(body) != "INVALID_IS_GLOBAL" {
		t.Fatalf("bad is_global: %d %v", status, body)
	}
	if status, body = f.call(t, http.MethodPost, "/void", `{"numbers":["G10000005"],"is_global":true,"reference":"torn"}`); status != 200 {
		t.Fatalf("void a global number: %d %v", status, body)
	}
}
