package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/demo"
	"github.com/stillroom/stillroom/importer"
)

const mainUsage = `usage: stillroom [command] [flags]

Commands:
  serve        run the server (the default when no command is given)
  user create  add an account to the configured database
  user set-password | disable | enable
               change an account; its sessions end everywhere
  import       upload a folder of stills, optionally building an article
  reprocess    queue every asset's renditions to be made again
  gc           reconcile objects and records (with --dry-run to look first)
  version      print the version (also --version)
  help         show this, or "help <command>" for one command

Settings are flags or STILLROOM_* environment variables (the flag wins);
the README has the table.
`

const serveUsage = `usage: stillroom [serve] [--demo] [settings]

Runs the GraphQL API, media delivery and processing workers until stopped.

  --demo   on a database without articles, first add a published demo
           article with a gallery of generated stills

Settings, each a flag or a STILLROOM_* variable (the flag wins; the README
has the table):
`

const userUsage = `usage: stillroom user create --email EMAIL --name NAME --role ROLE [--password PASSWORD] [settings]
       stillroom user set-password --email EMAIL [--password PASSWORD] [settings]
       stillroom user disable --email EMAIL [settings]
       stillroom user enable --email EMAIL [settings]

set-password, disable and enable change an existing account; every session
of that account ends (tokens, cookies; a running server closes its
websockets within seconds). set-password without --password or
STILLROOM_USER_PASSWORD generates one and prints it once.

Adds an account directly to the configured database (the same settings as
serve: --data-dir, --mongodb-uri, ... or STILLROOM_* variables). This works
while servers run, on MongoDB and on the embedded database alike, and the
account can sign in at once.

  --email EMAIL        sign-in address
  --name NAME          display name
  --role ROLE          PHOTOGRAPHER, EDITOR or ADMIN
  --password PASSWORD  10 characters to 72 bytes, not a common password; else STILLROOM_USER_PASSWORD (which,
                       unlike a flag, other local users cannot see in the
                       process list); else one is generated and printed once
`

const reprocessUsage = `usage: stillroom reprocess [settings]

Queues every asset to have its renditions made again with the current
pipeline. The running servers' workers do the work at once (on MongoDB and
on the embedded database alike), or the next server started does it
(assets made by an older pipeline version are queued by the servers at
start anyway). One asset at a time: the reprocessAsset mutation.
`

const gcUsage = `usage: stillroom gc [--dry-run] [--grace DURATION [--force]] [settings]

Reconciles the object store with the records: removes objects no asset
refers to (older than --grace, default 1h, since an upload stores its
original a moment before its record, and processing stores renditions
before it records them) and direct uploads never completed, marks assets
whose original is missing FAILED, queues assets whose renditions are
missing, and takes references to deleted assets and galleries out of
galleries and articles. Servers do this every hour by themselves, and gc
is safe beside running servers with a grace of at least 10m: a shorter
one is refused unless --force (then no server may be running on this
data), except with --dry-run, which changes nothing.

  --dry-run         report what would change, change nothing
  --grace DURATION  spare unreferenced objects younger than this (1h; at least 10m)
  --force           take a --grace below 10m (no server may be running)
`

// minGCGrace is the shortest --grace gc takes without --force: a server
// writes an upload's original before its record and a job's renditions
// before it records them, so objects younger than this may be in use.
const minGCGrace = 10 * time.Minute

// usages is each command's help text.
var usages = map[string]string{
	"serve":     serveUsage,
	"user":      userUsage,
	"import":    importer.Usage,
	"reprocess": reprocessUsage,
	"gc":        gcUsage,
	"help":      mainUsage,
}

// runCommand dispatches the subcommands of the binary: the first argument
// names the command, and when it is absent or a flag the command is serve.
// Help (help, -h, --help) goes to stdout and returns nil; an unknown
// command, bad flags or a failed command return an error (exit status 1).
func runCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	err := dispatch(ctx, args, getenv, stdout, stderr)
	if errors.Is(err, errHelpShown) {
		return nil
	}
	return err
}

func dispatch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd, rest := "serve", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, rest = args[0], args[1:]
	}
	if len(args) > 0 && isHelp(args[0]) {
		cmd, rest = "help", nil
	}
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version" || args[0] == "-v") {
		cmd = "version"
	}
	switch cmd {
	case "serve":
		return serveCommand(ctx, rest, getenv, stdout)
	case "user":
		return userCommand(ctx, rest, getenv, stdout, stderr)
	case "import":
		return importer.Run(ctx, rest, getenv, stdout, stderr)
	case "reprocess":
		return reprocessCommand(ctx, rest, getenv, stdout, stderr)
	case "gc":
		return gcCommand(ctx, rest, getenv, stdout, stderr)
	case "help":
		return helpCommand(rest, stdout)
	case "version":
		fmt.Fprintln(stdout, version())
		return nil
	}
	return fmt.Errorf("unknown command %q (see stillroom help)", cmd)
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help"
}

func helpCommand(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, mainUsage)
		return nil
	}
	if args[0] == "serve" {
		fmt.Fprint(stdout, serveHelp())
		return nil
	}
	u, ok := usages[args[0]]
	if !ok {
		return fmt.Errorf("help: unknown command %q (see stillroom help)", args[0])
	}
	fmt.Fprint(stdout, u)
	return nil
}

// serveCommand is `stillroom serve`: the settings as before, plus --demo.
func serveCommand(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("serve", serveHelp(), stdout)
	withDemo := fs.Bool("demo", false, "seed demo content on an empty database")
	cfg, err := parseWith(fs, args, getenv)
	if err != nil {
		return err
	}
	// Seeded by serve once its port is bound (nothing is created before).
	cfg.demo = *withDemo
	cfg.tuneRuntime = true
	return serve(ctx, cfg, stdout, nil)
}

// demoActor seeds the demo content. It is no stored account, so the demo
// article shows no author.
var demoActor = &core.User{ID: "demo", Role: core.RoleAdmin}

// seedDemo opens the stores, runs workers while demo.Seed makes the demo
// content (it needs its stills processed to publish them), and closes
// everything before serve opens the stores for good.
func seedDemo(ctx context.Context, cfg config, log *slog.Logger) error {
	st, err := openStores(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.close()
	svc := app.New(st.meta, st.objects, log, cfg.appConfig())
	workCtx, stopWork := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { svc.RunWorkers(workCtx) })
	err = seedDemoWith(ctx, svc, cfg.publicURL(cfg.Addr), log)
	stopWork()
	wg.Wait()
	return err
}

// seedDemoWith seeds the demo content with svc (whose workers must run)
// and logs where to read the demo article.
func seedDemoWith(ctx context.Context, svc *app.Service, publicURL string, log *slog.Logger) error {
	slug, err := demo.Seed(ctx, svc, demoActor)
	if err != nil {
		return fmt.Errorf("serve --demo: %w", err)
	}
	if slug == "" {
		log.Info("demo: the database has articles already; nothing added")
		return nil
	}
	log.Info("demo article published", "slug", slug, "url", demoArticleURL(publicURL, slug))
	return nil
}

// demoArticleURL is a URL that reads the demo article as a frontend would
// (an anonymous GraphQL GET), to open in a browser or curl.
func demoArticleURL(publicURL, slug string) string {
	q := `{ article(slug: "` + slug + `") { title section publishedAt cover { srcset } blocks { __typename ... on ParagraphBlock { text } ... on ImageBlock { items { caption altText credit asset { srcset } } } ... on GalleryBlock { gallery { title items { caption asset { srcset } } } } } } }`
	return publicURL + "/graphql?query=" + url.QueryEscape(q)
}

// userCommand is `stillroom user create`.
func userCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || isHelp(args[0]) {
		fmt.Fprint(stdout, userUsage)
		if len(args) == 0 {
			return errors.New("user: give a subcommand: create")
		}
		return nil
	}
	switch args[0] {
	case "set-password", "disable", "enable":
		return userChangeCommand(ctx, args[0], args[1:], getenv, stdout, stderr)
	case "create":
	default:
		return fmt.Errorf("user: unknown subcommand %q (see stillroom help user)", args[0])
	}
	fs := newFlagSet("user create", userUsage, stdout)
	email := fs.String("email", "", "sign-in address")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "", "PHOTOGRAPHER, EDITOR or ADMIN")
	password := fs.String("password", "", "password")
	cfg, err := parseWith(fs, args[1:], getenv)
	if err != nil {
		return err
	}
	var missing []string
	for _, f := range []struct{ name, v string }{{"--email", *email}, {"--name", *name}, {"--role", *role}} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("user create: %s required (see stillroom help user)", strings.Join(missing, ", "))
	}
	r := core.Role(strings.ToUpper(*role))
	if !r.Valid() {
		return fmt.Errorf("user create: --role must be PHOTOGRAPHER, EDITOR or ADMIN, not %q", *role)
	}
	pw, generated := *password, false
	if pw == "" {
		pw = getenv("STILLROOM_USER_PASSWORD")
	}
	if pw == "" {
		pw, generated = generatePassword(), true
	}

	log := cliLogger(cfg, stderr)
	st, err := openStores(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.close()
	svc := app.New(st.meta, st.objects, log, cfg.appConfig())
	// The command line is trusted like the admin bootstrap: it acts as an
	// internal admin that is no stored account.
	actx := app.WithUser(ctx, &core.User{Role: core.RoleAdmin, ID: "cli"}, "")
	u, err := svc.CreateUser(actx, app.NewUser{Email: *email, Name: *name, Password: pw, Role: r})
	if code := core.ErrorCode(err); code != "" && code != core.CodeInternal {
		// The person at the terminal gets the message, not the driver's cause.
		return fmt.Errorf("user create: %s: %s", code, core.ErrorMessage(err))
	} else if err != nil {
		return fmt.Errorf("user create: %w", err)
	}
	fmt.Fprintf(stdout, "created %s %s (%s), id %s\n", u.Role, u.Email, u.Name, u.ID)
	if generated {
		fmt.Fprintf(stdout, "password: %s\n(generated; it is shown only this once)\n", pw)
	}
	return nil
}

// userChangeCommand is `stillroom user set-password|disable|enable
// --email EMAIL`: the account's sessions end (a running server closes its
// websockets within app.SessionRecheck).
func userChangeCommand(ctx context.Context, sub string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("user "+sub, userUsage, stdout)
	email := fs.String("email", "", "sign-in address")
	password := fs.String("password", "", "the new password (set-password)")
	cfg, err := parseWith(fs, args, getenv)
	if err != nil {
		return err
	}
	if *email == "" {
		return fmt.Errorf("user %s: --email required (see stillroom help user)", sub)
	}
	log := cliLogger(cfg, stderr)
	st, err := openStores(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.close()
	svc := app.New(st.meta, st.objects, log, cfg.appConfig())
	switch sub {
	case "set-password":
		pw, generated := *password, false
		if pw == "" {
			pw = getenv("STILLROOM_USER_PASSWORD")
		}
		if pw == "" {
			pw, generated = generatePassword(), true
		}
		if err = svc.SetPasswordByEmail(ctx, *email, pw); err == nil {
			fmt.Fprintf(stdout, "password of %s set; its sessions ended\n", *email)
			if generated {
				fmt.Fprintf(stdout, "password: %s\n(generated; it is shown only this once)\n", pw)
			}
		}
	default:
		var u *core.User
		if u, err = st.meta.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(*email))); err == nil {
			// The command line acts as an internal admin that is no stored
			// account, as user create does.
			actx := app.WithUser(ctx, &core.User{Role: core.RoleAdmin, ID: "cli"}, "")
			disabled := sub == "disable"
			u, err = svc.UpdateUser(actx, u.ID, app.UserPatch{Disabled: &disabled})
		}
		if err == nil {
			fmt.Fprintf(stdout, "%s %sd", u.Email, sub)
			if u.Disabled {
				fmt.Fprint(stdout, "; its sessions ended")
			}
			fmt.Fprintln(stdout)
		}
	}
	if code := core.ErrorCode(err); code != "" && code != core.CodeInternal {
		return fmt.Errorf("user %s: %s: %s", sub, code, core.ErrorMessage(err))
	} else if err != nil {
		return fmt.Errorf("user %s: %w", sub, err)
	}
	return nil
}

// cliLogger logs warnings and errors only: a one-shot command's output is
// its result, not the stores' start-up notes.
func cliLogger(cfg config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelWarn}
	if cfg.Env == "production" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// generatePassword returns 24 random URL-safe characters.
func generatePassword() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b) // crypto/rand does not fail on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// newFlagSet returns a flag set for a command's own flags whose -h prints
// the command's usage to w.
func newFlagSet(name, usage string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("stillroom "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() { fmt.Fprint(w, usage) }
	return fs
}

// parseWith parses a command's own flags (those defined on own) and the
// server settings (everything else, see parseConfig) from one argument
// list. -h prints the command's usage and returns errHelpShown, which
// runCommand turns into success.
func parseWith(own *flag.FlagSet, args []string, getenv func(string) string) (config, error) {
	mine, rest := splitFlags(own, args)
	for _, a := range rest {
		if isHelp(a) {
			own.Usage()
			return config{}, errHelpShown
		}
	}
	if err := own.Parse(mine); err != nil {
		return config{}, fmt.Errorf("%s: %w", own.Name(), err)
	}
	return parseConfig(rest, getenv)
}

// errHelpShown is returned after a command printed its usage for -h.
var errHelpShown = errors.New("help shown")

// splitFlags separates the flags that own defines (with their values) from
// the rest, keeping each side's order. "-name value", "--name value",
// "-name=value" and bare boolean flags are recognised.
func splitFlags(own *flag.FlagSet, args []string) (mine, rest []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || !strings.HasPrefix(a, "-") {
			rest = append(rest, a)
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := own.Lookup(name)
		if f == nil {
			rest = append(rest, a)
			continue
		}
		mine = append(mine, a)
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); hasValue || (ok && b.IsBoolFlag()) {
			continue
		}
		if i+1 < len(args) {
			i++
			mine = append(mine, args[i])
		}
	}
	return mine, rest
}

// withService opens the configured stores and runs fn with a service over
// them, closing everything after.
func withService(ctx context.Context, cfg config, log *slog.Logger, fn func(*app.Service) error) error {
	st, err := openStores(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.close()
	return fn(app.New(st.meta, st.objects, log, cfg.appConfig()))
}

// gcCommand is `stillroom gc`.
func gcCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("gc", gcUsage, stdout)
	dry := fs.Bool("dry-run", false, "report only")
	grace := fs.Duration("grace", app.DefaultOrphanGrace, "spare younger objects")
	force := fs.Bool("force", false, "take a grace below 10m")
	cfg, err := parseWith(fs, args, getenv)
	if err != nil {
		return err
	}
	switch {
	case *grace < 0:
		return fmt.Errorf("gc: --grace %s is negative", *grace)
	case *grace < minGCGrace && !*force && !*dry:
		return fmt.Errorf("gc: --grace %s is below %s: a server running on this data may be storing objects "+
			"whose records do not exist yet; with every server stopped, add --force", *grace, minGCGrace)
	}
	return withService(ctx, cfg, cliLogger(cfg, stderr), func(svc *app.Service) error {
		rep, err := svc.Reconcile(ctx, app.ReconcileOptions{Grace: *grace, DryRun: *dry})
		if err != nil {
			return fmt.Errorf("gc: %w", err)
		}
		verb := "removed"
		if *dry {
			verb = "would remove"
		}
		fmt.Fprintf(stdout, "objects seen: %d\n%s %d unreferenced objects\n", rep.ObjectsSeen, verb, len(rep.OrphansRemoved))
		for _, k := range rep.OrphansRemoved {
			fmt.Fprintf(stdout, "  %s\n", k)
		}
		fmt.Fprintf(stdout, "assets with a missing original (FAILED): %d\nassets with missing renditions (queued): %d\n",
			len(rep.AssetsFailed), len(rep.Requeued))
		fmt.Fprintf(stdout, "assets left processing (queued again): %d\n", len(rep.Resumed))
		fmt.Fprintf(stdout, "content referring to deleted assets or galleries (%s those references): %d\n", verb, len(rep.Dangling))
		for _, d := range rep.Dangling {
			fmt.Fprintf(stdout, "  %s\n", d)
		}
		if !*dry {
			fmt.Fprintf(stdout, "expired sessions removed: %d\n", rep.SessionsRemoved)
		}
		return nil
	})
}

// reprocessCommand is `stillroom reprocess`.
func reprocessCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("reprocess", reprocessUsage, stdout)
	cfg, err := parseWith(fs, args, getenv)
	if err != nil {
		return err
	}
	return withService(ctx, cfg, cliLogger(cfg, stderr), func(svc *app.Service) error {
		n, err := svc.RequeueAll(ctx)
		if err != nil {
			return fmt.Errorf("reprocess: %w", err)
		}
		fmt.Fprintf(stdout, "queued %d assets; running servers make their renditions\n", n)
		return nil
	})
}
