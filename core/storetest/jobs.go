package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
)

func newJob(assetID string, runAt time.Time) *core.Job {
	return &core.Job{ID: core.NewID(), Kind: "process", AssetID: assetID, RunAt: runAt, CreatedAt: at(0)}
}

func testEnqueueJobOnce(t *testing.T, db core.Store) {
	ctx := t.Context()
	first := newJob("asset-1", at(0))
	mustNil(t, db.EnqueueJob(ctx, first))
	mustNil(t, db.EnqueueJob(ctx, newJob("asset-1", at(time.Hour))))
	mustNil(t, db.EnqueueJob(ctx, &core.Job{Kind: "other", AssetID: "asset-1", RunAt: at(time.Hour)}))
	n, err := db.CountJobs(ctx)
	mustNil(t, err)
	if n != 2 {
		t.Fatalf("CountJobs = %d, want 2", n)
	}
	// The queued job is the first, untouched.
	j, err := db.ClaimJob(ctx, "w1", at(0), time.Minute)
	mustNil(t, err)
	want := *first
	want.Attempts, want.LeaseOwner, want.LeaseUntil = 1, "w1", at(time.Minute)
	wantEqual(t, j, &want)
}

func testConcurrentEnqueue(t *testing.T, db core.Store) {
	ctx := t.Context()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := db.EnqueueJob(ctx, newJob("asset-1", at(0))); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	n, err := db.CountJobs(ctx)
	mustNil(t, err)
	if n != 1 {
		t.Fatalf("CountJobs = %d, want 1", n)
	}
}

func testClaimJobLease(t *testing.T, db core.Store) {
	ctx := t.Context()
	lease := time.Minute
	later := newJob("asset-2", at(time.Second))
	mustNil(t, db.EnqueueJob(ctx, later))
	j := newJob("asset-1", at(0))
	mustNil(t, db.EnqueueJob(ctx, j))
	future := newJob("asset-3", at(time.Hour))
	mustNil(t, db.EnqueueJob(ctx, future))

	// Not due yet.
	_, err := db.ClaimJob(ctx, "w1", at(-time.Second), lease)
	wantCode(t, err, core.CodeNotFound)

	now := at(2 * time.Second)
	got, err := db.ClaimJob(ctx, "w1", now, lease)
	mustNil(t, err)
	if got.ID != j.ID || got.Attempts != 1 || got.LeaseOwner != "w1" || !got.LeaseUntil.Equal(now.Add(lease)) {
		t.Fatalf("first claim: %+v, want job %s (earliest RunAt) leased to w1 until %v", got, j.ID, now.Add(lease))
	}
	got, err = db.ClaimJob(ctx, "w2", now, lease)
	mustNil(t, err)
	if got.ID != later.ID {
		t.Fatalf("second claim took %s, want %s", got.ID, later.ID)
	}
	// Both due jobs are leased; the third is not due.
	_, err = db.ClaimJob(ctx, "w3", now.Add(lease-time.Millisecond), lease)
	wantCode(t, err, core.CodeNotFound)

	// After the lease expires the job is claimed again, counting the attempt.
	expired := now.Add(lease)
	got, err = db.ClaimJob(ctx, "w3", expired, lease)
	mustNil(t, err)
	if got.ID != j.ID || got.Attempts != 2 || got.LeaseOwner != "w3" {
		t.Fatalf("claim after expiry: %+v", got)
	}

	// w1 lost it.
	wantCode(t, db.CompleteJob(ctx, j.ID, "w1"), core.CodeConflict)
	wantCode(t, db.RetryJob(ctx, j.ID, "w1", expired, "boom"), core.CodeConflict)
	wantCode(t, db.CompleteJob(ctx, "missing", "w1"), core.CodeNotFound)

	// w3 fails and retries it later.
	retryAt := expired.Add(10 * time.Minute)
	mustNil(t, db.RetryJob(ctx, j.ID, "w3", retryAt, "decode: unexpected EOF"))
	// Before then, only w2's expired lease on later is up for grabs.
	got, err = db.ClaimJob(ctx, "w4", retryAt.Add(-time.Millisecond), lease)
	mustNil(t, err)
	if got.ID != later.ID || got.Attempts != 2 {
		t.Fatalf("claim before retry time: %+v, want %s at attempt 2", got, later.ID)
	}
	got, err = db.ClaimJob(ctx, "w4", retryAt, lease)
	mustNil(t, err)
	if got.ID != j.ID || got.Attempts != 3 || got.LastError != "decode: unexpected EOF" {
		t.Fatalf("claim at retry time: %+v", got)
	}

	// Completing removes the job.
	mustNil(t, db.CompleteJob(ctx, got.ID, "w4"))
	wantCode(t, db.CompleteJob(ctx, got.ID, "w4"), core.CodeNotFound)
	n, err := db.CountJobs(ctx)
	mustNil(t, err)
	if n != 2 {
		t.Fatalf("CountJobs = %d, want 2", n)
	}
	_, err = db.ClaimJob(ctx, "w5", now, 0)
	wantCode(t, err, core.CodeBadUserInput)
}

func testRetryJobRecordsError(t *testing.T, db core.Store) {
	ctx := t.Context()
	j := newJob("asset-1", at(0))
	mustNil(t, db.EnqueueJob(ctx, j))
	_, err := db.ClaimJob(ctx, "w1", at(0), time.Minute)
	mustNil(t, err)
	mustNil(t, db.RetryJob(ctx, j.ID, "w1", at(time.Hour), "boom"))
	got, err := db.ClaimJob(ctx, "w2", at(time.Hour), time.Minute)
	mustNil(t, err)
	want := *j
	want.Attempts, want.RunAt, want.LeaseOwner, want.LeaseUntil, want.LastError = 2, at(time.Hour), "w2", at(time.Hour+time.Minute), "boom"
	wantEqual(t, got, &want)
}

// A released job is claimable at once and its interrupted attempt is not
// counted; QueueStats sees it.
func testReleaseJobAndQueueStats(t *testing.T, db core.Store) {
	ctx := t.Context()
	n, oldest, err := db.QueueStats(ctx, at(0))
	mustNil(t, err)
	if n != 0 || oldest != nil {
		t.Fatalf("empty queue: %d %v", n, oldest)
	}
	j := newJob("asset-1", at(0))
	mustNil(t, db.EnqueueJob(ctx, j))
	mustNil(t, db.EnqueueJob(ctx, newJob("asset-2", at(time.Hour))))
	_, err = db.ClaimJob(ctx, "w1", at(0), time.Hour)
	mustNil(t, err)
	wantCode(t, db.ReleaseJob(ctx, j.ID, "w2"), core.CodeConflict)
	mustNil(t, db.ReleaseJob(ctx, j.ID, "w1"))
	got, err := db.ClaimJob(ctx, "w2", at(time.Second), time.Minute)
	mustNil(t, err)
	if got.ID != j.ID || got.Attempts != 1 {
		t.Errorf("after release: %+v, want attempts 1", got)
	}
	n, oldest, err = db.QueueStats(ctx, at(time.Minute))
	mustNil(t, err)
	if n != 2 || oldest == nil || !oldest.Equal(at(0)) {
		t.Errorf("QueueStats = %d, %v", n, oldest)
	}
}

// A renewed lease keeps the job from other workers past its first term;
// only its holder may renew it, and the job is claimable once the renewed
// term ends.
func testRenewJobKeepsLease(t *testing.T, db core.Store) {
	ctx := t.Context()
	j := newJob("asset-1", at(0))
	mustNil(t, db.EnqueueJob(ctx, j))
	_, err := db.ClaimJob(ctx, "w1", at(0), time.Minute)
	mustNil(t, err)
	mustNil(t, db.RenewJob(ctx, j.ID, "w1", at(3*time.Minute)))
	wantCode(t, db.RenewJob(ctx, j.ID, "w2", at(time.Hour)), core.CodeConflict)
	wantCode(t, db.RenewJob(ctx, "no-such-job", "w1", at(time.Hour)), core.CodeNotFound)
	_, err = db.ClaimJob(ctx, "w2", at(2*time.Minute), time.Minute)
	wantCode(t, err, core.CodeNotFound)
	got, err := db.ClaimJob(ctx, "w2", at(3*time.Minute), time.Minute)
	mustNil(t, err)
	if got.ID != j.ID || got.LeaseOwner != "w2" || got.Attempts != 2 {
		t.Errorf("after the renewed lease ended: %+v, want w2's second attempt", got)
	}
	// The lease is w2's now: w1 can neither renew nor complete it.
	wantCode(t, db.RenewJob(ctx, j.ID, "w1", at(time.Hour)), core.CodeConflict)
	wantCode(t, db.CompleteJob(ctx, j.ID, "w1"), core.CodeConflict)
}

func testConcurrentClaims(t *testing.T, db core.Store) {
	needsAtomic(t, db)
	ctx := t.Context()
	const jobs, workers = 20, 8
	for i := range jobs {
		mustNil(t, db.EnqueueJob(ctx, newJob(fmt.Sprint("asset-", i), at(time.Duration(i)*time.Millisecond))))
	}
	var mu sync.Mutex
	claims := map[string]int{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for {
				j, err := db.ClaimJob(ctx, fmt.Sprint("w", w), at(time.Second), time.Minute)
				if core.IsCode(err, core.CodeNotFound) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				claims[j.ID]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(claims) != jobs {
		t.Errorf("%d jobs claimed, want %d", len(claims), jobs)
	}
	for id, n := range claims {
		if n != 1 {
			t.Errorf("job %s claimed %d times", id, n)
		}
	}
}

// testEnqueueWhileClaimedRunsAgain guards against losing a change made
// while a worker processes the asset (a new focal point): enqueueing the
// held job marks it, and completing it then gives it back, due at once
// with its attempts and error cleared, instead of removing it. A job
// enqueued again while merely queued runs once: the claim clears the mark.
func testEnqueueWhileClaimedRunsAgain(t *testing.T, db core.Store) {
	ctx := t.Context()
	j := newJob("asset-1", at(0))
	mustNil(t, db.EnqueueJob(ctx, j))
	_, err := db.ClaimJob(ctx, "w1", at(0), time.Minute)
	mustNil(t, err)
	mustNil(t, db.RetryJob(ctx, j.ID, "w1", at(time.Second), "boom"))
	_, err = db.ClaimJob(ctx, "w1", at(time.Second), time.Minute)
	mustNil(t, err)

	// Asked for again while w1 holds it.
	mustNil(t, db.EnqueueJob(ctx, newJob("asset-1", at(2*time.Second))))
	mustNil(t, db.CompleteJob(ctx, j.ID, "w1"))
	got, err := db.ClaimJob(ctx, "w2", at(2*time.Second), time.Minute)
	mustNil(t, err)
	want := *j
	want.Attempts, want.RunAt, want.LeaseOwner, want.LeaseUntil = 1, at(time.Second), "w2", at(2*time.Second+time.Minute)
	wantEqual(t, got, &want)

	// The mark went with the claim: completing now removes it.
	mustNil(t, db.CompleteJob(ctx, j.ID, "w2"))
	n, err := db.CountJobs(ctx)
	mustNil(t, err)
	if n != 0 {
		t.Fatalf("CountJobs = %d after the second run, want 0", n)
	}

	// Enqueued twice before anyone claims it: one run.
	k := newJob("asset-2", at(0))
	mustNil(t, db.EnqueueJob(ctx, k))
	mustNil(t, db.EnqueueJob(ctx, newJob("asset-2", at(0))))
	_, err = db.ClaimJob(ctx, "w3", at(0), time.Minute)
	mustNil(t, err)
	mustNil(t, db.CompleteJob(ctx, k.ID, "w3"))
	n, err = db.CountJobs(ctx)
	mustNil(t, err)
	if n != 0 {
		t.Fatalf("CountJobs = %d, want 0: a job enqueued twice while queued ran twice", n)
	}

	// A worker that lost its lease cannot complete, marked or not.
	mustNil(t, db.EnqueueJob(ctx, newJob("asset-3", at(0))))
	l, err := db.ClaimJob(ctx, "w4", at(0), time.Minute)
	mustNil(t, err)
	mustNil(t, db.EnqueueJob(ctx, newJob("asset-3", at(0))))
	_, err = db.ClaimJob(ctx, "w5", at(time.Minute), time.Minute)
	mustNil(t, err)
	wantCode(t, db.CompleteJob(ctx, l.ID, "w4"), core.CodeConflict)
}

// testEnqueueWhileWaitingRunsSoon guards a person's explicit request (a
// reprocessAsset, a new focal point) against a job waiting out a retry's
// backoff: enqueueing a job no worker holds makes it due no later than the
// new job's RunAt, with its attempts restarted and its error cleared, so
// the request neither waits the backoff nor counts the failures before it.
// A held job is only marked (no second claim while its lease lasts), and
// retrying a marked job gives it back due at once, attempts restarted.
func testEnqueueWhileWaitingRunsSoon(t *testing.T, db core.Store) {
	ctx := t.Context()
	j := newJob("asset-1", at(0))
	mustNil(t, db.EnqueueJob(ctx, j))
	_, err := db.ClaimJob(ctx, "w1", at(0), time.Minute)
	mustNil(t, err)
	mustNil(t, db.RetryJob(ctx, j.ID, "w1", at(256*time.Second), "storage unavailable"))

	// Asked for again at 10 s, while the job waits to retry at 256 s.
	mustNil(t, db.EnqueueJob(ctx, newJob("asset-1", at(10*time.Second))))
	got, err := db.ClaimJob(ctx, "w2", at(10*time.Second), time.Minute)
	mustNil(t, err)
	if got.ID != j.ID || got.Attempts != 1 || got.LastError != "" || got.RunAt.After(at(10*time.Second)) {
		t.Fatalf("claim after enqueueing a waiting job again: %+v, want job %s due by %v at attempt 1 without its error", got, j.ID, at(10*time.Second))
	}

	// Asked for again while w2 holds it: marked, not claimable a second time.
	mustNil(t, db.EnqueueJob(ctx, newJob("asset-1", at(11*time.Second))))
	_, err = db.ClaimJob(ctx, "w3", at(11*time.Second), time.Minute)
	wantCode(t, err, core.CodeNotFound)
	// w2's run fails: the mark makes the job due at once, attempts restarted.
	mustNil(t, db.RetryJob(ctx, j.ID, "w2", at(12*time.Second+256*time.Second), "storage unavailable again"))
	got, err = db.ClaimJob(ctx, "w3", at(12*time.Second), time.Minute)
	mustNil(t, err)
	if got.ID != j.ID || got.Attempts != 1 || got.LeaseOwner != "w3" || got.LastError != "storage unavailable again" {
		t.Fatalf("claim after a marked job failed: %+v, want job %s at attempt 1 with the run's error", got, j.ID)
	}

	// The claim took the mark: a failure now backs off.
	mustNil(t, db.RetryJob(ctx, j.ID, "w3", at(time.Hour), "boom"))
	_, err = db.ClaimJob(ctx, "w4", at(13*time.Second), time.Minute)
	wantCode(t, err, core.CodeNotFound)
	got, err = db.ClaimJob(ctx, "w4", at(time.Hour), time.Minute)
	mustNil(t, err)
	if got.ID != j.ID || got.Attempts != 2 || got.LastError != "boom" {
		t.Fatalf("claim after an unmarked failure: %+v, want job %s at attempt 2", got, j.ID)
	}
}
