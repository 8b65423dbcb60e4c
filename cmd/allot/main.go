// Command allot is the Allot server and operator CLI. See the README for
// its commands and configuration.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/allot-io/allot/adapters/cli"
	"github.com/allot-io/allot/app/wire"
	"github.com/allot-io/allot/cmd/allot/command"
)

func main() {
	if addr := os.Getenv(envPprofAddr); addr != "" {
		if err := startPprof(addr); err != nil {
			fmt.Fprintln(os.Stderr, "allot:", err)
			os.Exit(2)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, command.Deps(os.Getenv, wire.Config{}), os.Args)
	stop()
	os.Exit(code)
}
