package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/enrollment"
)

// TestDefect13ListsSayWhenTheyShowAPart: `allot enrollment list` stopped at
// 50 rows without saying so. Every paged list now says on stderr when it
// showed a part, and --all streams everything, in text and in JSON.
func TestDefect13ListsSayWhenTheyShowAPart(t *testing.T) {
	cleanEnv(t)
	h := newHarness()
	accounts := make([]enrollment.Account, 1234)
	for i := range accounts {
		accounts[i] = enrollment.Account{ID: int64(i + 1), AgentID: "AG1"}
	}
	h.w.enroll.accounts[1] = accounts

	r := h.run(t, "enrollment", "list", "--org", "ACME")
	if r.code != 0 || strings.Count(r.stdout, "\n") != 51 {
		t.Fatalf("default page: code %d, %d lines", r.code, strings.Count(r.stdout, "\n"))
	}
	if r.stderr != "allot: showing 1-50 of more accounts; use --offset 50 for more, or --all\n" {
		t.Errorf("stderr = %q", r.stderr)
	}

	r = h.run(t, "enrollment", "list", "--org", "ACME", "--all")
	if r.code != 0 || strings.Count(r.stdout, "\n") != 1235 || r.stderr != "" {
		t.Fatalf("--all: code %d, %d lines, stderr %q", r.code, strings.Count(r.stdout, "\n"), r.stderr)
	}
	r = h.run(t, "enrollment", "list", "--org", "ACME", "--all", "--json", "--offset", "4")
	var got []accountJSON
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) != 1230 || got[0].ID != 5 {
		t.Fatalf("--all --json: %d rows, %v", len(got), err)
	}
	// The last page says nothing.
	r = h.run(t, "enrollment", "list", "--org", "ACME", "--offset", "1200")
	if r.code != 0 || r.stderr != "" {
		t.Errorf("last page: %+v", r.stderr)
	}
	if r := h.run(t, "enrollment", "list", "--org", "ACME", "--all", "--limit", "5"); r.code != 2 {
		t.Errorf("--all with --limit: %+v", r)
	}
}

// TestDefect14OrgDisableEnable: no command disabled an organisation; `org
// disable` and `org enable` now do, and `org list` shows the state.
func TestDefect14OrgDisableEnable(t *testing.T) {
	cleanEnv(t)
	h := newHarness()
	if r := h.run(t, "org", "disable", "ACME"); r.code != 0 || r.stdout != "organisation ACME is disabled\n" {
		t.Fatalf("disable: %+v", r)
	}
	if r := h.run(t, "org", "list"); !strings.Contains(r.stdout, "disabled") {
		t.Errorf("list after disable:\n%s", r.stdout)
	}
	if r := h.run(t, "org", "enable", "ACME"); r.code != 0 || r.stdout != "organisation ACME is active\n" {
		t.Fatalf("enable: %+v", r)
	}
	if r := h.run(t, "org", "disable", "NOPE"); r.code == 0 {
		t.Errorf("an unknown organisation: %+v", r)
	}
}
