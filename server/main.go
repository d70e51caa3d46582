// Command server runs Stillroom: the GraphQL API, media delivery and the
// processing workers. With no configuration it serves everything from one
// machine: an embedded Mongo-wire database and objects on local disk, both
// under ./data. See the README for every setting.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first Ctrl-C asks the command to finish what is in flight (an
	// import's uploads, a server's requests); a second one ends the
	// process at once.
	go func() {
		<-ctx.Done()
		stop()
	}()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "stillroom:", err)
		// An interrupted import says how it should end (130, like a
		// shell's interrupted command).
		var coded interface{ ExitCode() int }
		if errors.As(err, &coded) {
			os.Exit(coded.ExitCode())
		}
		os.Exit(1)
	}
}

// run runs the command named by args (serve when none; see cli.go) until
// it is done or ctx ends. Progress lines of long commands go to stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	return runCommand(ctx, args, getenv, stdout, os.Stderr)
}
