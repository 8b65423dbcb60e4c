package wire

import (
	"strconv"
	"strings"

	"github.com/allot-io/allot/adapters/secret"
	"github.com/allot-io/allot/domain/fault"
)

// The environment variables of the program beside its flags' own
// (ALLOT_DB, ALLOT_ADDR and the others, which the CLI's flags read).
const (
	// EnvLogLevel is the log level: debug, info (the default), warn, error.
	EnvLogLevel = "ALLOT_LOG_LEVEL"
	// EnvSecureCookies, when true, makes the dashboard mark its cookies
	// Secure although the server itself speaks plain HTTP: for a
	// deployment behind a proxy that terminates TLS.
	EnvSecureCookies = "ALLOT_SECURE_COOKIES"
	// EnvCarrierURL and EnvCarrierSecret configure the HTTP carrier
	// gateway; without a URL lines are provisioned at the in-process
	// simulator (carrier.Fake), which activates every line at once and
	// leaves the MDN to the organisation's MDN stock.
	EnvCarrierURL    = "ALLOT_CARRIER_URL"
	EnvCarrierSecret = "ALLOT_CARRIER_SECRET"
)

// LoadEnv is the one place the program's configuration is read from its
// environment (getenv is os.Getenv in the program, a map in tests): the
// secret key, the carrier gateway, the dashboard's cookies and the log
// level, onto base. The error is that of a bad ALLOT_SECURE_COOKIES, which
// only serving (the one command that sets cookies) refuses; the Config is
// whole either way.
func LoadEnv(getenv func(string) string, base Config) (Config, error) {
	cfg := base
	cfg.SecretKey = getenv(secret.EnvKey)
	cfg.CarrierURL, cfg.CarrierSecret = getenv(EnvCarrierURL), getenv(EnvCarrierSecret)
	cfg.LogLevel = getenv(EnvLogLevel)
	var err error
	if v := strings.TrimSpace(getenv(EnvSecureCookies)); v != "" {
		b, perr := strconv.ParseBool(v)
		if perr != nil {
			err = fault.InvalidField(EnvSecureCookies, "enum", "SECURE_COOKIES", EnvSecureCookies+" must be true or false")
		}
		cfg.SecureCookies = b
	}
	return cfg, err
}
