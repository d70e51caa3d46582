// Command server runs Stillroom: the GraphQL API, media delivery and the
// processing workers. With no configuration it serves everything from one
// machine: an embedded Mongo-wire database and objects on local disk, both
// under ./data. See the README for every setting.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "stillroom:", err)
		os.Exit(1)
	}
}

// run parses the configuration and serves until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := parseConfig(args, getenv)
	if err != nil {
		return err
	}
	return serve(ctx, cfg, stdout, nil)
}
