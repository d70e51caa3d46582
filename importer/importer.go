// Package importer is `stillroom import`: it uploads a folder of stills to
// a Stillroom server and, given an article text, builds the article from
// them. It is a pure client of the GraphQL API over HTTP, so it runs from
// any machine that can reach the server.
//
// Resuming: running the same import again uploads nothing new. The schema
// has no query for "an asset with this SHA-256", so the importer cannot ask
// before sending; it relies on the server's dedupe instead (the same bytes
// answer with the existing asset and its id) and reports a file as
// "skipped (already on the server)" when the asset it gets back was created
// before this run started. The run's start is read from the local clock,
// corrected by the server's Date header when the two disagree by more than
// two seconds, so a skewed client clock does not mislabel files. The
// labels only affect the report; what is stored is the same either way.
package importer

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Usage is the help text of `stillroom import`.
const Usage = `usage: stillroom import --server URL --token TOKEN [--article FILE [--key KEY]] [--credit TEXT] [--copyright TEXT] [--jobs N] DIR

Uploads the images in DIR (.jpg .jpeg .png .gif .webp; the server checks
the bytes) to a Stillroom server, N at a time, and prints a summary:
uploaded, skipped (already on the server) and refused (with the error code
and message of each file). Running it again uploads nothing twice.

With --article FILE, FILE is an article copied as text: the first line is
the title, the next short line the section, every other line a paragraph,
and a line that is exactly the name of a file in DIR an image block (stills
on adjacent lines share one block). A gallery of the article's stills in
timecode order is added at the end, and the article is created as a DRAFT;
its id and slug are printed. A still named in FILE but missing from DIR is
reported before anything is uploaded. Running it again for the same
article (the same --key, by default one made from the title) updates that
draft article and its gallery in place instead of making new ones; if the
article is no longer a draft, it is left as it is and the run says so.

  --server URL    server address, e.g. http://127.0.0.1:8080 (or STILLROOM_SERVER)
  --token TOKEN   bearer token from the login mutation (or STILLROOM_TOKEN);
                  uploading needs PHOTOGRAPHER, --article needs EDITOR
  --article FILE  article text to build from the stills
  --key KEY       what finds the article on a later run (default: made from
                  the article's title)
  --credit TEXT   credit line set on the stills (fills only assets that have
                  none: the server never overwrites on a duplicate)
  --copyright TEXT  copyright notice set on the stills, the same way
  --jobs N        uploads at a time (default 4)

The progress line is redrawn in place on a terminal; otherwise each file
gets a line of its own. Ctrl-C stops after the uploads in flight and prints
what was done ("interrupted: N uploaded, M left; run again to resume"),
exit status 130. Exit status is 1 when any file was refused or the article
could not be made.
`

// DefaultJobs is how many uploads run at once unless --jobs says.
const DefaultJobs = 4

// maxJobs bounds --jobs: more parallel uploads only queue on the server.
const maxJobs = 64

// skewTolerance is how far the local clock may be from the server's Date
// header before the run's start is taken from the server's clock.
const skewTolerance = 2 * time.Second

// options are the parsed command line.
type options struct {
	server, token, article, dir string
	key, credit, copyright      string
	jobs                        int
}

// Interrupted is Run's error when its context ended (Ctrl-C) before every
// file was sent: ExitCode is 130, as for a shell's interrupted command.
type Interrupted struct {
	Done, Left int
}

func (e *Interrupted) Error() string {
	return fmt.Sprintf("interrupted: %d uploaded, %d left; run again to resume", e.Done, e.Left)
}

// ExitCode is the process's exit status for e.
func (e *Interrupted) ExitCode() int { return 130 }

// uploadInput is the AssetInput sent with every file (nil when none).
func (o options) uploadInput() map[string]any {
	in := map[string]any{}
	if o.credit != "" {
		in["credit"] = o.credit
	}
	if o.copyright != "" {
		in["copyright"] = o.copyright
	}
	if len(in) == 0 {
		return nil
	}
	return in
}

// Run is `stillroom import`: args are the arguments after "import";
// getenv supplies STILLROOM_SERVER and STILLROOM_TOKEN; the summary goes to
// stdout and the progress line to stderr. It returns an error for bad
// arguments, an article that does not parse or names missing stills
// (before anything is uploaded), a token that is not valid, any refused
// file, or an article that could not be created. -h prints Usage and
// returns nil.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	opt, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	names, err := listImages(opt.dir)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return fmt.Errorf("no images (.jpg .jpeg .png .gif .webp) in %s", opt.dir)
	}
	var art *Article
	if opt.article != "" {
		if art, err = readArticle(opt.article, names); err != nil {
			return err
		}
	}

	c := newClient(opt.server, opt.token)
	runStart, role, err := connect(ctx, c)
	if err != nil {
		return err
	}
	if art != nil && role != "EDITOR" && role != "ADMIN" {
		return fmt.Errorf("creating an article needs an EDITOR or ADMIN token; this one is %s", role)
	}

	bar := newProgress(stderr, len(names), isTerminal(stderr))
	results, err := uploadAll(ctx, c, opt.dir, names, opt.jobs, runStart, opt.uploadInput(), bar.add)
	bar.finish()
	nRefused := printSummary(stdout, results)
	if err != nil {
		if ctx.Err() != nil {
			in := &Interrupted{}
			for _, r := range results {
				switch r.status {
				case uploaded, skipped:
					in.Done++
				case notAttempted:
					in.Left++
				}
			}
			fmt.Fprintln(stdout, in.Error())
			return in
		}
		return err
	}
	if art != nil {
		key := opt.key
		if key == "" {
			key = defaultKey(art.Title)
		}
		if err := upsertArticle(ctx, c, art, key, results, stdout); err != nil {
			if ctx.Err() != nil {
				fmt.Fprintln(stdout, "interrupted while building the article; run again to finish it")
				return &Interrupted{Done: len(results) - nRefused}
			}
			return err
		}
	}
	if nRefused > 0 {
		return fmt.Errorf("%d of %d files refused", nRefused, len(results))
	}
	return nil
}

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	opt := options{jobs: DefaultJobs}
	fs := flag.NewFlagSet("stillroom import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, Usage) }
	fs.StringVar(&opt.server, "server", getenv("STILLROOM_SERVER"), "server address")
	fs.StringVar(&opt.token, "token", getenv("STILLROOM_TOKEN"), "bearer token")
	fs.StringVar(&opt.article, "article", "", "article text file")
	fs.IntVar(&opt.jobs, "jobs", DefaultJobs, "uploads at a time")
	fs.StringVar(&opt.key, "key", "", "what finds the article again")
	fs.StringVar(&opt.credit, "credit", "", "credit line of the stills")
	fs.StringVar(&opt.copyright, "copyright", "", "copyright of the stills")
	// Flags may come after DIR too.
	var dirs []string
	for {
		if err := fs.Parse(args); err != nil {
			return opt, err
		}
		if fs.NArg() == 0 {
			break
		}
		dirs = append(dirs, fs.Arg(0))
		args = fs.Args()[1:]
	}
	var errs []error
	if len(dirs) != 1 {
		errs = append(errs, fmt.Errorf("give exactly one folder, not %d", len(dirs)))
	} else {
		opt.dir = dirs[0]
	}
	if opt.server == "" {
		errs = append(errs, errors.New("--server (or STILLROOM_SERVER) is required"))
	} else if !strings.HasPrefix(opt.server, "http://") && !strings.HasPrefix(opt.server, "https://") {
		errs = append(errs, fmt.Errorf("--server %q must start with http:// or https://", opt.server))
	}
	if opt.token == "" {
		errs = append(errs, errors.New("--token (or STILLROOM_TOKEN) is required"))
	}
	if opt.key != "" && opt.article == "" {
		errs = append(errs, errors.New("--key needs --article"))
	}
	if opt.jobs < 1 || opt.jobs > maxJobs {
		errs = append(errs, fmt.Errorf("--jobs must be 1 to %d, not %d", maxJobs, opt.jobs))
	}
	if len(errs) > 0 {
		return opt, fmt.Errorf("%w\n(see stillroom help import)", errors.Join(errs...))
	}
	return opt, nil
}

// readArticle parses the article file against the images of the folder.
func readArticle(path string, names []string) (*Article, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	have := make(map[string]bool, len(names))
	for _, n := range names {
		have[nameKey(n)] = true
	}
	art, err := ParseArticle(string(text), func(name string) bool { return have[nameKey(name)] })
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return art, nil
}

// nameKey is a file name as the article and the folder are matched by:
// composed (NFC), since macOS may hand out decomposed Vietnamese names
// ("Ả" as A and a hook above) while an editor's text has them composed.
func nameKey(name string) string { return norm.NFC.String(name) }

// connect checks the token and returns the run's start in the server's
// clock and the token's role. UNAUTHENTICATED for a token that is not
// valid.
func connect(ctx context.Context, c *client) (time.Time, string, error) {
	start := time.Now()
	var me struct {
		Me *struct {
			Email string `json:"email"`
			Role  string `json:"role"`
		} `json:"me"`
	}
	header, err := c.do(ctx, `{ me { email role } }`, nil, &me)
	if err != nil {
		return time.Time{}, "", fmt.Errorf("%s: %w", c.endpoint, err)
	}
	if me.Me == nil {
		return time.Time{}, "", fmt.Errorf("%s: the token is not signed in", c.endpoint)
	}
	if date, err := http.ParseTime(header.Get("Date")); err == nil {
		if skew := time.Until(date); skew > skewTolerance || skew < -skewTolerance {
			start = start.Add(skew)
		}
	}
	// The server keeps times to the millisecond, truncating.
	return start.Truncate(time.Millisecond), me.Me.Role, nil
}

// printSummary writes the counts and every refused file; it returns how
// many were refused.
func printSummary(w io.Writer, results []fileResult) int {
	var counts [4]int
	for _, r := range results {
		counts[r.status]++
	}
	pending := counts[notAttempted]
	fmt.Fprintf(w, "uploaded %d, skipped %d (already on the server), refused %d", counts[uploaded], counts[skipped], counts[refused])
	if pending > 0 {
		fmt.Fprintf(w, ", not attempted %d", pending)
	}
	fmt.Fprintln(w)
	for _, r := range results {
		switch {
		case r.status == refused && r.err != nil:
			fmt.Fprintf(w, "refused %s: %s: %s\n", strconv.Quote(r.name), r.err.Code, r.err.Message)
		case r.sameAs != "":
			fmt.Fprintf(w, "skipped %s: the same file as %s (one asset, named after that one)\n", strconv.Quote(r.name), strconv.Quote(r.sameAs))
		}
	}
	return counts[refused]
}
