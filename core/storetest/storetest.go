// Package storetest is the contract every core.Store meets, as a test suite
// that each adapter's tests run against a real database (mongostore on
// MongoDB or FerretDB, sqlitestore on SQLite).
//
// Beyond the interface's doc comments, the suite fixes what callers may rely
// on: times read back in UTC rounded down to the millisecond (fixtures use
// whole milliseconds), empty slices read back as nil, lists are newest
// first (ID descending) unless a method says otherwise, error codes and the
// messages clients see (CONFLICT "slug already taken", "email already
// registered", "asset with the same content exists"; NOT_FOUND "<what> not
// found"), and search on folded tokens: every word must equal a token, the
// last may be a prefix of one, regular expression characters are literal.
package storetest

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
)

// Run runs the contract against stores from newStore, which gives each
// subtest a fresh, empty store and cleans it up with t.Cleanup. Subtests
// run one after another (FerretDB, which tests mongostore, serializes its
// SQLite writes anyway).
func Run(t *testing.T, newStore func(t *testing.T) core.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db core.Store)
	}{
		{"Users", testUsers},
		{"Sessions", testSessions},
		{"UserAccounts", testUserAccounts},
		{"UpdateUserVersioned", testUpdateUserVersioned},
		{"ConcurrentUserUpdatesOneWins", testConcurrentUserUpdatesOneWins},
		{"Assets", testAssets},
		{"UpdateAsset", testUpdateAsset},
		{"ConcurrentUpdatesOneWins", testConcurrentUpdatesOneWins},
		{"Galleries", testGalleries},
		{"UpdateGallery", testUpdateGallery},
		{"Articles", testArticles},
		{"UpdateArticle", testUpdateArticle},
		{"AssetIDsInUse", testAssetIDsInUse},
		{"UsesFollowUpdates", testUsesFollowUpdates},
		{"SlugFreedByDelete", testSlugFreedByDelete},
		{"EnqueueJobOnce", testEnqueueJobOnce},
		{"EnqueueJobSetsID", testEnqueueJobSetsID},
		{"ConcurrentEnqueue", testConcurrentEnqueue},
		{"ClaimJobLease", testClaimJobLease},
		{"RetryJobRecordsError", testRetryJobRecordsError},
		{"ReleaseJobAndQueueStats", testReleaseJobAndQueueStats},
		{"RenewJobKeepsLease", testRenewJobKeepsLease},
		{"EnqueueWhileClaimedRunsAgain", testEnqueueWhileClaimedRunsAgain},
		{"EnqueueWhileWaitingRunsSoon", testEnqueueWhileWaitingRunsSoon},
		{"ConcurrentClaims", testConcurrentClaims},
		{"ListArticlesPagination", testListArticlesPagination},
		{"OldestFirstAndImportKey", testOldestFirstAndImportKey},
		{"SortByTitle", testSortByTitle},
		{"SortAssets", testSortAssets},
		{"PublicationFilter", testPublicationFilter},
		{"SearchArticles", testSearchArticles},
		{"SearchVietnamese", testSearchVietnamese},
		{"SearchGalleries", testSearchGalleries},
		{"ListAssets", testListAssets},
		{"ListFollowsUpdates", testListFollowsUpdates},
		{"UploadTickets", testUploadTickets},
		{"ConcurrentTicketUses", testConcurrentTicketUses},
		{"SettingOrInit", testSettingOrInit},
		{"CancelledContext", testCancelledContext},
		{"Ping", testPing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newStore(t))
		})
	}
}

// atomicity is implemented by stores whose conditional writes are not
// atomic across connections everywhere: mongostore, on FerretDB v1.
type atomicity interface{ AtomicConditionalWrites() bool }

// needsAtomic skips a race test on a store whose conditional writes are
// not atomic across connections. The guarantee holds on SQLite (one
// statement or one IMMEDIATE transaction) and MongoDB (single-document
// operations); FerretDB v1 runs a filtered update as a read and a write,
// and serves only as a test stand-in for MongoDB.
func needsAtomic(t *testing.T, db core.Store) {
	t.Helper()
	if a, ok := db.(atomicity); ok && !a.AtomicConditionalWrites() {
		t.Skip("needs conditional writes atomic across connections: they are on MongoDB and SQLite, not on FerretDB v1")
	}
}

// base is a fixed instant; fixtures are offsets from it, in whole
// milliseconds, as stored times read back.
var base = time.Date(2026, 3, 14, 15, 9, 26, 535_000_000, time.UTC)

func at(d time.Duration) time.Time { return base.Add(d) }

func ptr[T any](v T) *T { return &v }

// wantCode fails the test unless err carries code.
func wantCode(tb testing.TB, err error, code core.Code) {
	tb.Helper()
	if got := core.ErrorCode(err); got != code {
		tb.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

// mustNil fails the test on err.
func mustNil(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// wantEqual fails the test unless got and want are deeply equal, showing
// both as JSON.
func wantEqual(tb testing.TB, got, want any) {
	tb.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		tb.Fatalf("got:\n%s\nwant:\n%s", g, w)
	}
}

// ids returns the IDs of items, in order.
func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}
