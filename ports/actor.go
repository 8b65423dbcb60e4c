package ports

import (
	"context"

	"github.com/allot-io/allot/domain/series"
)

// actorKey keys the actor of a request in its context.
type actorKey struct{}

// WithActor returns ctx carrying actor: who the changes made with ctx are
// recorded as in the history (series create and delete; the number
// operations and draws name their actor in their requests). Each driving
// adapter sets it once, where it learns who is calling: the HTTP API from
// the API key, the CLI from the operating-system user, the dashboard from
// the operator's session.
func WithActor(ctx context.Context, actor series.Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// ActorFrom returns the actor ctx carries, or series.UnknownActor.
func ActorFrom(ctx context.Context) series.Actor {
	if a, ok := ctx.Value(actorKey{}).(series.Actor); ok && a != "" {
		return a
	}
	return series.UnknownActor
}
