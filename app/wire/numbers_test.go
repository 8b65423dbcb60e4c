package wire_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
)

// call sends a request to the series API with the fixture's key and the
// given extra headers (name, value pairs) and decodes the JSON answer.
func (f *fixture) call(t *testing.T, method, path, body string, headers ...string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, f.srv.URL+"/api/client/integration/virtualseries"+path, bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Basic "+f.key)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return resp.StatusCode, m
}

func data(m map[string]any) map[string]any { d, _ := m["data"].(map[string]any); return d }

func errReason(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	r, _ := e["reason"].(string)
	return r
}

// TestNumberInventoryOverHTTP drives consume, void, release, lookup, the
// series report, /next and history through the real stack.
func TestNumberInventoryOverHTTP(t *testing.T) {
	f := newFixture(t)
	status, body := f.post(t, "/create", `{"start":"V10000071","end":"V10000080","client_code":"SL1981","item_code":"P7WJEJANkt","type":"physical"}`)
	if status != 200 {
		t.Fatalf("create: %d %v", status, body)
	}
	id := data(body)["id"].(float64)

	status, body = f.call(t, http.MethodPost, "/consume", `{"numbers":["V10000075","V10000071"],"reference":"AWB-1","client_code":"SL1981"}`, "Idempotency-Key", "k1")
	if status != 200 || len(data(body)["changes"].([]any)) != 2 {
		t.Fatalf("consume: %d %v", status, body)
	}
	// A retry with the same key is the first answer again, not "already used".
	status2, body2 := f.call(t, http.MethodPost, "/consume", `{"numbers":["V10000075","V10000071"],"reference":"AWB-1","client_code":"SL1981"}`, "Idempotency-Key", "k1")
	if status2 != 200 || !jsonEqual(body, body2) {
		t.Fatalf("replay: %d %v", status2, body2)
	}
	status, body = f.call(t, http.MethodPost, "/consume", `{"numbers":["V10000072","V10000075","V10000099"],"client_code":"SL1981"}`)
	details, _ := body["error"].(map[string]any)["details"].([]any)
	if status != 400 || errReason(body) != "NUMBER_ALREADY_USED" || len(details) != 2 {
		t.Fatalf("refused consume: %d %v", status, body)
	}
	if status, body = f.call(t, http.MethodPost, "/void", `{"start":"V10000072","end":"V10000073","reference":"torn","client_code":"SL1981"}`); status != 200 {
		t.Fatalf("void: %d %v", status, body)
	}
	if status, body = f.call(t, http.MethodPost, "/release", `{"numbers":["V10000071"],"client_code":"SL1981"}`); status != 200 {
		t.Fatalf("release: %d %v", status, body)
	}
	if status, body = f.call(t, http.MethodPost, "/release", `{"numbers":["V10000074"],"client_code":"SL1981"}`); status != 400 || errReason(body) != "NUMBER_NOT_USED" {
		t.Fatalf("release of an available number: %d %v", status, body)
	}
	if status, body = f.call(t, http.MethodPost, "/consume", `{"numbers":["V10000074"],"client_code":"NOPE"}`); status != 400 || errReason(body) != "CLIENT_NOT_FOUND" {
		t.Fatalf("unknown client: %d %v", status, body)
	}
	if status, body = f.call(t, http.MethodPost, "/consume", `{"numbers":["V10000074"]}`); status != 400 || errReason(body) != "CLIENT_HUB_CODE_NOT_PRESENT" {
		t.Fatalf("no owner: %d %v", status, body)
	}

	status, body = f.call(t, http.MethodGet, "/lookup?number=V10000075", "")
	if d := data(body); status != 200 || d["state"] != "used" || d["reference"] != "AWB-1" || d["updated_at"] == nil {
		t.Fatalf("lookup: %d %v", status, body)
	}
	if status, body = f.call(t, http.MethodGet, "/lookup?number=V10000072", ""); data(body)["state"] != "void" {
		t.Fatalf("lookup void: %d %v", status, body)
	}

	// /next skips V10000072-73 (void) and V10000075 (used).
	status, body = f.call(t, http.MethodPost, "/next", `{"client_code":"SL1981","item_code":"P7WJEJANkt","count":3}`)
	if nums, _ := data(body)["numbers"].([]any); status != 200 || len(nums) != 3 || nums[0] != "V10000071" || nums[1] != "V10000074" || nums[2] != "V10000076" {
		t.Fatalf("next: %d %v", status, body)
	}

	status, body = f.call(t, http.MethodGet, "/"+jsonNum(id), "")
	d := data(body)
	if status != 200 || d["used"] != 4.0 || d["void"] != 2.0 || d["available"] != 4.0 || d["next_available"] != "V10000077" || d["low_stock"] != false {
		t.Fatalf("series: %d %v", status, body)
	}
	status, body = f.call(t, http.MethodGet, "", "")
	list, _ := data(body)["series"].([]any)
	if status != 200 || len(list) != 1 || list[0].(map[string]any)["available"] != 4.0 {
		t.Fatalf("list: %d %v", status, body)
	}
	if status, body = f.call(t, http.MethodGet, "/999", ""); status != 404 || errReason(body) != "SERIES_NOT_FOUND" {
		t.Fatalf("unknown series: %d %v", status, body)
	}

	status, body = f.call(t, http.MethodGet, "/history?series_id="+jsonNum(id), "")
	entries, _ := data(body)["entries"].([]any)
	if status != 200 || len(entries) != 8 || data(body)["total"] != 8.0 {
		t.Fatalf("history: %d %v", status, body)
	}
	// The create is recorded as the API key's, and the draw of /next too,
	// one entry per run it took.
	if created := firstOf(entries); created["action"] != "create" || created["count"] != 10.0 || created["after"] != "available" {
		t.Fatalf("create entry: %v", created)
	}
	if last := entries[7].(map[string]any); last["action"] != "draw" || last["start"] != "V10000076" || last["actor"] != firstOf(entries)["actor"] {
		t.Fatalf("last entry: %v", last)
	}
	first := entries[1].(map[string]any)
	if first["action"] != "consume" || first["actor"] == "" || first["reference"] != "AWB-1" || first["before"] != "available" || first["after"] != "used" {
		t.Fatalf("first entry: %v", first)
	}
	if status, body = f.call(t, http.MethodGet, "/history?since=yesterday", ""); status != 400 || errReason(body) != "INVALID_SINCE" {
		t.Fatalf("bad since: %d %v", status, body)
	}
}

func TestCheckDigitSeriesOverHTTP(t *testing.T) {
	f := newFixture(t)
	status, body := f.post(t, "/create", `{"start":"1234567","end":"1234576","client_code":"SL1981","item_code":"AWB","type":"physical","check_digit":"mod7"}`)
	if status != 200 || data(body)["check_digit"] != "mod7" || data(body)["next_available"] != "12345675" {
		t.Fatalf("create: %d %v", status, body)
	}
	status, body = f.call(t, http.MethodPost, "/next", `{"client_code":"SL1981","item_code":"AWB","count":2}`)
	if nums, _ := data(body)["numbers"].([]any); status != 200 || len(nums) != 2 || nums[0] != "12345675" || nums[1] != "12345686" {
		t.Fatalf("next: %d %v", status, body)
	}
	if status, body = f.call(t, http.MethodPost, "/consume", `{"numbers":["12345691"],"client_code":"SL1981"}`); status != 400 || errReason(body) != "INVALID_CHECK_DIGIT" {
		t.Fatalf("wrong check digit: %d %v", status, body)
	}
	// 1234569 = 7 × 176367 + 0.
	if status, body = f.call(t, http.MethodPost, "/consume", `{"numbers":["12345690"],"client_code":"SL1981"}`); status != 200 {
		t.Fatalf("consume 1234569 with its digit 0: %d %v", status, body)
	}
	if status, body = f.call(t, http.MethodGet, "/lookup?number=12345690", ""); data(body)["state"] != "used" || data(body)["number"] != "12345690" {
		t.Fatalf("lookup: %d %v", status, body)
	}
	if status, body = f.post(t, "/create", `{"start":"V1","end":"V2","client_code":"SL1981","item_code":"AWB","check_digit":"mod10"}`); status != 400 || errReason(body) != "INVALID_CHECK_DIGIT_SCHEME" {
		t.Fatalf("bad scheme: %d %v", status, body)
	}
}

func firstOf(xs []any) map[string]any { return xs[0].(map[string]any) }

func jsonEqual(a, b map[string]any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func jsonNum(f float64) string { b, _ := json.Marshal(f); return string(b) }
