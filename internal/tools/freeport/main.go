// Command freeport prints free TCP ports on the loopback interface, one per
// line, for scripts/test.sh to start servers on.
//
// Usage: go run ./internal/tools/freeport [count]
//
// The ports are free when printed; another process could take one before the
// caller binds it, which a test script can afford.
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "freeport:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	count := 1
	if len(args) > 1 {
		return fmt.Errorf("usage: freeport [count]")
	}
	if len(args) == 1 {
		n, err := strconv.Atoi(args[0])
		if err != nil || n < 1 {
			return fmt.Errorf("count %q is not a positive number", args[0])
		}
		count = n
	}
	// Hold every listener until all are chosen, so the ports differ.
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range count {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		ls = append(ls, l)
		fmt.Println(l.Addr().(*net.TCPAddr).Port)
	}
	return nil
}
