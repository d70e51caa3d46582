package app

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/fold"
)

// Text limits for galleries and articles.
const (
	MaxTitleLen   = 300
	MaxSummaryLen = 2000
	MaxTextLen    = 20000
	MaxBlocks     = 500
	MaxImagesPer  = 12
	MaxItems      = 1000
)

// maxSlugTries bounds the "-2", "-3", ... suffixes tried on a collision.
const maxSlugTries = 100

// slugCandidates returns the slug to try first: the requested one (made
// ASCII) or the title's. BAD_USER_INPUT when neither gives one.
func slugBase(requested *string, title string) (string, error) {
	if requested != nil && strings.TrimSpace(*requested) != "" {
		s := fold.Slug(*requested)
		if s == "" {
			return "", core.Errorf(core.CodeBadUserInput, "slug %q has no letters or digits", *requested)
		}
		return s, nil
	}
	s := fold.Slug(title)
	if s == "" {
		s = "untitled"
	}
	return s, nil
}

// insertWithSlug tries base, base-2, base-3, ... until insert does not
// answer CONFLICT. An explicitly requested slug is not suffixed.
func insertWithSlug(base string, explicit bool, setSlug func(string), insert func() error) error {
	for i := 1; i <= maxSlugTries; i++ {
		slug := base
		if i > 1 {
			slug = fmt.Sprintf("%s-%d", base, i)
		}
		setSlug(slug)
		err := insert()
		if !core.IsCode(err, core.CodeConflict) {
			return err
		}
		if explicit {
			return core.Errorf(core.CodeConflict, "slug %q is already taken", base)
		}
	}
	return core.Errorf(core.CodeConflict, "no free slug for %q", base)
}

func checkText(field, v string, max int, required bool) (string, error) {
	v = strings.TrimSpace(v)
	if required && v == "" {
		return "", core.Errorf(core.CodeBadUserInput, "%s must not be empty", field)
	}
	if utf8.RuneCountInString(v) > max {
		return "", core.Errorf(core.CodeBadUserInput, "%s is longer than %d characters", field, max)
	}
	return v, nil
}

// publication returns the state after publishing at (nil = now).
func publishAt(p core.Publication, at *time.Time, now time.Time) core.Publication {
	when := now
	if at != nil {
		when = at.UTC().Truncate(time.Millisecond)
	}
	p.Status = core.StatusPublished
	p.PublishAt = &when
	// publishedAt is when readers first saw it: the earliest publication
	// that has happened. One still in the future was never seen, so a new
	// time replaces it (rescheduling later, or unpublishing a scheduled
	// piece and publishing it at another time).
	if p.PublishedAt == nil || p.PublishedAt.After(now) || when.Before(*p.PublishedAt) {
		p.PublishedAt = &when
	}
	return p
}

// mutateVersioned loads, changes and saves a gallery or an article as one
// versioned write. With a client version, a stale one is CONFLICT; without,
// a concurrent change is retried on the fresh copy, so no change is lost.
func mutateVersioned[T any](s *Service, ctx context.Context, kind, id string, version *int,
	load func(context.Context, string) (T, error), save func(context.Context, T) error,
	versionOf func(T) int, fn func(T) error) (T, error) {
	retries := maxRetries
	if version != nil {
		retries = 0
	}
	v, err := updateVersioned(ctx, id, retries, load, save, func(v T) error {
		if err := checkVersion(kind, id, version, versionOf(v)); err != nil {
			return err
		}
		return fn(v)
	})
	if err == nil {
		s.contentChanged()
	}
	return v, err
}

// updateVersioned loads id, applies fn and saves it over the version it
// read (the store's save is conditional on it). When another change came
// in between (a stale version), it loads it again and applies fn again, up
// to retries times, so neither change is lost and fn's checks always see
// what it is written over.
func updateVersioned[T any](ctx context.Context, id string, retries int,
	load func(context.Context, string) (T, error), save func(context.Context, T) error, fn func(T) error) (T, error) {
	var zero T
	for attempt := 0; ; attempt++ {
		v, err := load(ctx, id)
		if err != nil {
			return zero, err
		}
		if err := fn(v); err != nil {
			return zero, err
		}
		err = save(ctx, v)
		if err == nil {
			return v, nil
		}
		if !core.IsCode(err, core.CodeConflict) || attempt >= retries || !isStale(err) {
			return zero, err
		}
	}
}

// checkVersion answers CONFLICT when the client's version is stale.
func checkVersion(kind, id string, want *int, have int) error {
	if want != nil && *want != have {
		return core.Errorf(core.CodeConflict, "%s %s is at version %d, not %d: reload and try again", kind, id, have, *want)
	}
	return nil
}

// publicationFilter narrows a list to what the caller may see: anonymous
// readers and photographers only PUBLISHED content.
func (s *Service) publicationFilter(ctx context.Context, status core.PublishStatus) (core.PublicationFilter, error) {
	f := core.PublicationFilter{Status: status, Now: s.now()}
	if !CanSeeDrafts(ctx) {
		if status != "" && status != core.StatusPublished {
			return f, core.Errorf(core.CodeForbidden, "only editors may list %s content", status)
		}
		f.Status = core.StatusPublished
	}
	return f, nil
}

// Cursor encodes an item ID as an opaque pagination cursor.
func Cursor(id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("c1:" + id))
}

// Page checks first and decodes after, a cursor of creation order.
// BAD_USER_INPUT for first outside 1..100 or a cursor this server did not
// make.
func Page(first *int, after *string, def int) (core.Page, error) {
	return page(first, after, def, core.SortCreated, false)
}

// page is Page for the order by, desc.
func page(first *int, after *string, def int, by core.SortBy, desc bool) (core.Page, error) {
	p := core.Page{Limit: def, By: by, Desc: desc}
	if first != nil {
		p.Limit = *first
	}
	if p.Limit < 1 || p.Limit > core.MaxPageSize {
		return p, core.Errorf(core.CodeBadUserInput, "first must be between 1 and %d", core.MaxPageSize)
	}
	if after != nil && *after != "" {
		c, err := decodeCursor(*after, by, desc)
		if err != nil {
			return p, err
		}
		p.After = c
	}
	return p, nil
}

// ListArgs are a list's Relay arguments and its order: creation order
// (By empty; Oldest for OLDEST), or by a field (By), Desc for descending.
type ListArgs struct {
	First, Last   *int
	After, Before *string
	Oldest        bool // sort OLDEST
	By            core.SortBy
	Desc          bool
}

// ascending reports whether the order a asks for scans its key ascending.
func (a ListArgs) ascending() bool {
	if a.By == core.SortCreated {
		return a.Oldest
	}
	return !a.Desc
}

// Window is how to read a page of a list (Page) and show it: Backward
// pages (last/before) are read in the opposite order and reversed.
type Window struct {
	Page      core.Page
	Backward  bool
	HasCursor bool // after (forward) or before (backward) was given
}

// PageWindow checks a list's arguments: last/before page backward (last
// wins over first, whose default is def), first/after forward.
// BAD_USER_INPUT for a size outside 1..MaxPageSize, a bad cursor, a cursor
// of the other direction or of another order.
func PageWindow(a ListArgs, def int) (Window, error) {
	if a.Last == nil {
		if a.Before != nil && *a.Before != "" {
			return Window{}, core.Errorf(core.CodeBadUserInput, "before goes with last")
		}
		p, err := page(a.First, a.After, def, a.By, a.Desc)
		p.Oldest = a.ascending()
		return Window{Page: p, HasCursor: p.After != ""}, err
	}
	if a.After != nil && *a.After != "" {
		return Window{}, core.Errorf(core.CodeBadUserInput, "after goes with first, not last")
	}
	p, err := page(a.Last, a.Before, def, a.By, a.Desc)
	if err != nil {
		return Window{}, core.Errorf(core.CodeBadUserInput, "%s", strings.ReplaceAll(core.ErrorMessage(err), "first", "last"))
	}
	p.Oldest = !a.ascending()
	return Window{Page: p, Backward: true, HasCursor: p.After != ""}, nil
}

// Search bounds: a search is a few words typed by a person. Longer input
// is refused rather than matched (each word costs a pass over every
// candidate's tokens).
const (
	MaxSearchChars = 256
	MaxSearchWords = 32
)

// SearchWords folds a search string into the distinct words the stores
// match, in their first order (the last stays last: it matches as a
// prefix). BAD_USER_INPUT beyond MaxSearchChars characters or
// MaxSearchWords distinct words.
func SearchWords(q *string) ([]string, error) {
	if q == nil {
		return nil, nil
	}
	if n := utf8.RuneCountInString(*q); n > MaxSearchChars {
		return nil, core.Errorf(core.CodeBadUserInput, "search is %d characters long; at most %d", n, MaxSearchChars)
	}
	words := fold.Words(*q)
	if len(words) == 0 {
		return nil, nil
	}
	// Distinct words; a repeated word keeps its last place, so the
	// last word (matched as a prefix) stays last.
	last := map[string]int{}
	for i, w := range words {
		last[w] = i
	}
	out := make([]string, 0, len(last))
	for i, w := range words {
		if last[w] == i {
			out = append(out, w)
		}
	}
	if len(out) > MaxSearchWords {
		return nil, core.Errorf(core.CodeBadUserInput, "search has %d different words; at most %d", len(out), MaxSearchWords)
	}
	return out, nil
}
