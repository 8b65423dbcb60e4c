package main

import (
	"context"
	"encoding/json"
	"fmt"
)

// availabilityBody is the check_service_availability request the auth
// phase's call sends: a real BSS call, one that chains the token.
func availabilityBody() []byte {
	body, _ := json.Marshal(map[string]string{
		"action": "check_service_availability", "zip_code": benchZip, "enrollment_type": "NON_LIFELINE",
		"is_enrollment": "Y", "agent_id": benchAgent, "source": benchSource,
	})
	return body
}

// chainedCallWorkers return workers that each authenticate once, then send
// check_service_availability on the chained token: the call alone, as a
// client that keeps its chain makes it.
func chainedCallWorkers(base string) func(int) worker {
	body := availabilityBody()
	return func(int) worker {
		c := &bssClient{caller: newCaller(base)}
		authErr := c.authenticate(context.Background())
		return func(ctx context.Context, _ int) error {
			if authErr != nil {
				return authErr
			}
			_, err := c.call(ctx, enrollmentPath, body)
			return err
		}
	}
}

// authThenCallWorkers return workers that authenticate before every call,
// as the BSS clients found in the wild do: POST /authenticate with the
// vendor's credentials, then check_service_availability on its token.
func authThenCallWorkers(base string) func(int) worker {
	body := availabilityBody()
	return func(int) worker {
		c := &bssClient{caller: newCaller(base)}
		return func(ctx context.Context, _ int) error {
			if err := c.authenticate(ctx); err != nil {
				return err
			}
			_, err := c.call(ctx, enrollmentPath, body)
			return err
		}
	}
}

// authPhase measures the chained call alone, then authenticate-then-call,
// at the same concurrency on the same server; the chained call is the
// latter's floor and the ratio is the share of the call's throughput a
// client that authenticates every time keeps.
func (b *bench) authPhase(ctx context.Context, srv *server) error {
	n := b.cfg.authClients
	alone, st := b.measure(ctx, srv, opChainedCall, n, b.cfg.warmup, chainedCallWorkers(srv.base))
	b.res.add(opChainedCall, alone, nil, st)
	r, st := b.measure(ctx, srv, opAuthThenCall, n, b.cfg.warmup, authThenCallWorkers(srv.base))
	b.res.add(opAuthThenCall, r, nil, st)
	if alone.ops == 0 {
		return fmt.Errorf("%s: no call succeeded", opChainedCall)
	}
	b.res.againstPhase(opAuthThenCall, opChainedCall)
	return nil
}

// againstPhase makes operation floor, measured by the service too, the
// floor of operation name: its throughput and the ratio.
func (r *results) againstPhase(name, floor string) {
	o, f := r.Operations[name], r.Operations[floor]
	if o == nil || f == nil || f.OpsPerS <= 0 {
		return
	}
	o.FloorOpsPerS = ptr(f.OpsPerS)
	o.Ratio = ptr(o.OpsPerS / f.OpsPerS)
}
