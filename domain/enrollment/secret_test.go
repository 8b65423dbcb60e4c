package enrollment_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/enrollment"
)

// The secret values below are chosen so that no other field contains them.
const (
	customerPassword = "CustPw-4711"
	portPassword     = "PortPw-0815"
	portSSN          = "987654321"
	agentPassword    = "AgentPw-1234"
)

func secretRequest(t *testing.T) (enrollment.RequestInput, enrollment.Request) {
	t.Helper()
	line := portInLine("WN116")
	line["password"] = customerPassword
	line["port_account_password"] = portPassword
	line["port_ssn"] = portSSN
	in := request(t, line, validLine("WN118"))
	in.AgentPassword = agentPassword
	r, err := enrollment.Validate(in, enrollment.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return in, r
}

func assertNoSecret(t *testing.T, what, out string) {
	t.Helper()
	for _, s := range []string{customerPassword, portPassword, portSSN, agentPassword} {
		if strings.Contains(out, s) {
			t.Errorf("%s leaks %q: %s", what, s, out)
		}
	}
}

func TestSecretsRedactedByFmt(t *testing.T) {
	in, r := secretRequest(t)
	l := r.Lines()[0]
	values := map[string]any{
		"Request":      r,
		"*Request":     &r,
		"Line":         l,
		"Lines":        r.Lines(),
		"Customer":     l.Customer(),
		"Port":         l.Port(),
		"Secret":       l.Port().SSN,
		"RequestInput": in,
		"LineInput":    in.Lines[0],
		"wrapped":      struct{ R enrollment.Request }{r},
	}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%T %[1]v"} {
			assertNoSecret(t, name+" "+verb, fmt.Sprintf(verb, v))
		}
	}
	if got := fmt.Sprint(l); !strings.Contains(got, `password:[REDACTED]`) || !strings.Contains(got, `enrollment_id:"WN116"`) {
		t.Errorf("Line prints %s", got)
	}
	if got := fmt.Sprintf("%#v", r); !strings.HasPrefix(got, "enrollment.Request{") {
		t.Errorf("%%#v prints %s", got)
	}
	// The values are still there for whoever asks explicitly.
	if l.Customer().Password.Reveal() != customerPassword || l.Port().AccountPassword.Reveal() != portPassword ||
		l.Port().SSN.Reveal() != portSSN || r.AgentPassword().Reveal() != agentPassword {
		t.Error("Reveal must return the values")
	}
}

func TestSecretsRedactedBySlog(t *testing.T) {
	in, r := secretRequest(t)
	l := r.Lines()[0]
	for _, h := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
	} {
		var buf bytes.Buffer
		log := slog.New(h(&buf))
		log.Info("enroll", "request", r, "line", l, "input", in, "line_input", in.Lines[0],
			"ssn", l.Port().SSN, "customer", l.Customer(), "port", l.Port())
		out := buf.String()
		assertNoSecret(t, "slog", out)
		if !strings.Contains(out, "WN116") {
			t.Errorf("log lost the enrollment id: %s", out)
		}
		// Logging a Request or a Line keeps personal data out too.
		buf.Reset()
		log.Info("enroll", "request", r, "line", l, "input", in)
		for _, pii := range []string{"john.doe@example.com", "Doe", "112 N 41ST ST", "2065550123"} {
			if strings.Contains(buf.String(), pii) {
				t.Errorf("log carries personal data %q: %s", pii, buf.String())
			}
		}
	}
}

func TestSecretJSON(t *testing.T) {
	_, r := secretRequest(t)
	l := r.Lines()[0]
	b, err := json.Marshal(map[string]any{"customer": l.Customer(), "port": l.Port(), "line": l, "request": r})
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, "json", string(b))
	if !strings.Contains(string(b), `"SSN":"[REDACTED]"`) {
		t.Errorf("json %s", b)
	}
	if txt, _ := enrollment.NewSecret("x").MarshalText(); string(txt) != enrollment.Redacted {
		t.Errorf("MarshalText %q", txt)
	}
}

// TestViolationsDoNotEchoSecrets: a message about a bad secret must not
// quote it.
func TestViolationsDoNotEchoSecrets(t *testing.T) {
	line := portInLine("WN116")
	line["port_ssn"] = "98765432"
	line["password"] = customerPassword + strings.Repeat("x", 64)
	_, err := enrollment.Validate(request(t, line), enrollment.Limits{})
	if err == nil {
		t.Fatal("want violations")
	}
	if strings.Contains(err.Error(), "98765432") || strings.Contains(fmt.Sprint(violations(t, err)), customerPassword) {
		t.Errorf("violations echo a secret: %v", violations(t, err))
	}
}
