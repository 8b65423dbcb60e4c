package wire

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

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
	// simulator (carrier.Sim), which by default activates every line at
	// once and leaves the MDN to the organisation's MDN stock. The secret
	// signs the requests of, and checks the callbacks for, organisations
	// without a carrier secret of their own (`allot carrier secret`).
	EnvCarrierURL    = "ALLOT_CARRIER_URL"
	EnvCarrierSecret = "ALLOT_CARRIER_SECRET"
	// EnvCarrierSimFailureRate, EnvCarrierSimResolutionRate,
	// EnvCarrierSimSeed and EnvCarrierSimDelay configure the in-process
	// simulator (carrier.SimConfig): the share of requests it rejects and
	// of port-ins it answers "resolution required" (0 to 1, default 0),
	// the seed of its answers (an unsigned integer, default 0) and how
	// long it works on a request (a Go duration such as 5s, default 0).
	EnvCarrierSimFailureRate    = "ALLOT_CARRIER_SIM_FAILURE_RATE"
	EnvCarrierSimResolutionRate = "ALLOT_CARRIER_SIM_RESOLUTION_RATE"
	EnvCarrierSimSeed           = "ALLOT_CARRIER_SIM_SEED"
	EnvCarrierSimDelay          = "ALLOT_CARRIER_SIM_DELAY"
)

// LoadEnv is the one place the program's configuration is read from its
// environment (getenv is os.Getenv in the program, a map in tests): the
// secret key, the carrier gateway, the dashboard's cookies and the log
// level, onto base. The error is that of a bad ALLOT_SECURE_COOKIES, which
// only serving (the one command that sets cookies) refuses, joined with
// that of bad simulator settings, which the Config also keeps so that
// every command building the carrier (Program.Open) refuses them; the
// Config is whole either way.
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
	cfg.carrierSimErr = loadSim(getenv, &cfg)
	return cfg, errors.Join(err, cfg.carrierSimErr)
}

// loadSim reads the simulator's settings onto cfg, and returns every bad
// one's violation.
func loadSim(getenv func(string) string, cfg *Config) error {
	var vs fault.Violations
	bad := func(name, rule, msg string) {
		vs.Add(fault.Violation{Field: name, Rule: rule, Reason: "CARRIER_SIM", Message: msg})
	}
	rate := func(name string, into *float64) {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			bad(name, "rate", fmt.Sprintf("%s must be a number from 0 to 1, not %q", name, v))
			return
		}
		*into = f
	}
	rate(EnvCarrierSimFailureRate, &cfg.CarrierSimFailureRate)
	rate(EnvCarrierSimResolutionRate, &cfg.CarrierSimResolutionRate)
	if v := strings.TrimSpace(getenv(EnvCarrierSimSeed)); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			bad(EnvCarrierSimSeed, "uint", fmt.Sprintf("%s must be an unsigned integer, not %q", EnvCarrierSimSeed, v))
		}
		cfg.CarrierSimSeed = n
	}
	if v := strings.TrimSpace(getenv(EnvCarrierSimDelay)); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			bad(EnvCarrierSimDelay, "duration", fmt.Sprintf("%s must be a duration such as 5s or 1m, not %q", EnvCarrierSimDelay, v))
		}
		cfg.CarrierSimDelay = d
	}
	for _, v := range simViolations(*cfg) {
		vs.Add(v)
	}
	return vs.Err()
}

// simViolations checks the simulator's settings of cfg, however they were
// set: rates are probabilities, the delay is not negative.
func simViolations(cfg Config) fault.Violations {
	var vs fault.Violations
	for _, r := range []struct {
		name string
		v    float64
	}{{EnvCarrierSimFailureRate, cfg.CarrierSimFailureRate}, {EnvCarrierSimResolutionRate, cfg.CarrierSimResolutionRate}} {
		// Written so that NaN fails too.
		if !(r.v >= 0 && r.v <= 1) {
			vs.Add(fault.Violation{Field: r.name, Rule: "rate", Reason: "CARRIER_SIM",
				Message: fmt.Sprintf("%s must be from 0 to 1, not %v", r.name, r.v)})
		}
	}
	if cfg.CarrierSimDelay < 0 {
		vs.Add(fault.Violation{Field: EnvCarrierSimDelay, Rule: "duration", Reason: "CARRIER_SIM",
			Message: fmt.Sprintf("%s must not be negative, not %s", EnvCarrierSimDelay, cfg.CarrierSimDelay)})
	}
	return vs
}
