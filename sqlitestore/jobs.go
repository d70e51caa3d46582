package sqlitestore

import (
	"context"
	"database/sql"
	"time"

	"github.com/stillroom/stillroom/core"
)

// A free lease is lease_until at the zero time's milliseconds rather than
// NULL, so "free or expired" is one comparison, lease_until <= now.

const jobColumns = "id, kind, asset_id, attempts, run_at, lease_owner, lease_until, last_error, created_at"

func scanJob(r interface{ Scan(...any) error }) (*core.Job, error) {
	var j core.Job
	var runAt, leaseUntil, created int64
	if err := r.Scan(&j.ID, &j.Kind, &j.AssetID, &j.Attempts, &runAt, &j.LeaseOwner, &leaseUntil, &j.LastError, &created); err != nil {
		return nil, err
	}
	j.RunAt, j.LeaseUntil, j.CreatedAt = fromMS(runAt), fromMS(leaseUntil), fromMS(created)
	return &j, nil
}

// EnqueueJob adds j unless a job of the same kind for the same asset is
// queued; then it leaves j unchanged, returns nil and asks that job to run
// again, in one statement. A job no worker holds (queued, or waiting out a
// retry's backoff) is made due no later than j.RunAt, with its attempts
// restarted and its error cleared: a new request neither waits the backoff of
// failures before it nor counts them. Every job is also marked to run
// again (jobs.again), which is all a held job gets (it keeps its lease,
// even an expired one, until someone claims it): ClaimJob clears the mark,
// since the claimer reads the asset afresh, and CompleteJob and RetryJob
// give a marked job back due at once with its attempts restarted, so a
// change made during a run is never lost. An empty j.ID is set to a new ID
// first.
func (db *DB) EnqueueJob(ctx context.Context, j *core.Job) error {
	if j.ID == "" {
		j.ID = core.NewID()
	}
	// In the update, bare columns are the stored job's, and every
	// expression reads them as they were before it.
	_, err := db.exec(ctx, "INSERT INTO jobs ("+jobColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, asset_id) DO UPDATE SET again = 1, "+
		"run_at = CASE WHEN lease_owner = '' THEN min(run_at, excluded.run_at) ELSE run_at END, "+
		"attempts = CASE WHEN lease_owner = '' THEN 0 ELSE attempts END, "+
		"last_error = CASE WHEN lease_owner = '' THEN '' ELSE last_error END",
		j.ID, j.Kind, j.AssetID, j.Attempts, ms(j.RunAt), j.LeaseOwner, ms(j.LeaseUntil), j.LastError, ms(j.CreatedAt))
	return translate(err, "enqueue", "job "+j.ID, "job exists")
}

// ClaimJob takes the job with the earliest RunAt that is due at now and
// whose lease is free or expired, leases it to owner until now+lease and
// counts the attempt, in one statement (atomic across processes).
// NOT_FOUND when no job is due, BAD_USER_INPUT when lease is not positive.
func (db *DB) ClaimJob(ctx context.Context, owner string, now time.Time, lease time.Duration) (*core.Job, error) {
	if lease <= 0 {
		return nil, core.Errorf(core.CodeBadUserInput, "lease must be positive")
	}
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	j, err := scanJob(db.queryRow(ctx, `UPDATE jobs SET lease_owner = ?, lease_until = ?, attempts = attempts + 1, again = 0
		WHERE id = (SELECT id FROM jobs WHERE run_at <= ? AND lease_until <= ? ORDER BY run_at, id LIMIT 1)
		RETURNING `+jobColumns, owner, ms(now.Add(lease)), ms(now), ms(now)))
	if err != nil {
		return nil, translate(err, "claim", "due job", "")
	}
	return j, nil
}

// CompleteJob removes the job if owner still holds its lease (an expired
// lease still counts until someone else claims the job); when EnqueueJob
// marked it meanwhile, it releases it instead, due at once with its
// attempts and error cleared, so the asset is processed again. CONFLICT
// when another worker has claimed it, NOT_FOUND when it is gone. Two
// statements suffice: the mark is set only by EnqueueJob and cleared only
// with a new lease, so once the delete finds it set, the update finds it
// too unless the lease was lost.
func (db *DB) CompleteJob(ctx context.Context, id, owner string) error {
	n, err := db.exec(ctx, "DELETE FROM jobs WHERE id = ? AND lease_owner = ? AND again = 0", id, owner)
	if err == nil && n == 0 {
		n, err = db.exec(ctx, "UPDATE jobs SET again = 0, attempts = 0, last_error = '', lease_owner = '', lease_until = ? WHERE id = ? AND lease_owner = ? AND again = 1",
			ms(time.Time{}), id, owner)
	}
	return db.leaseResult(ctx, id, n, err)
}

// RetryJob releases the job held by owner, to run again at runAt, and
// records lastErr; when EnqueueJob marked it meanwhile, it releases it due
// at once (its RunAt is no later than its claim) with its attempts
// restarted instead, since someone asked for it during the failed run.
// CONFLICT when another worker has claimed it, NOT_FOUND when it is gone.
func (db *DB) RetryJob(ctx context.Context, id, owner string, runAt time.Time, lastErr string) error {
	n, err := db.exec(ctx, `UPDATE jobs SET run_at = CASE WHEN again = 1 THEN run_at ELSE ? END,
		attempts = CASE WHEN again = 1 THEN 0 ELSE attempts END, again = 0,
		last_error = ?, lease_owner = '', lease_until = ? WHERE id = ? AND lease_owner = ?`,
		ms(runAt), lastErr, ms(time.Time{}), id, owner)
	return db.leaseResult(ctx, id, n, err)
}

// RenewJob extends the lease owner holds on the job to until.
func (db *DB) RenewJob(ctx context.Context, id, owner string, until time.Time) error {
	n, err := db.exec(ctx, "UPDATE jobs SET lease_until = ? WHERE id = ? AND lease_owner = ?", ms(until), id, owner)
	return db.leaseResult(ctx, id, n, err)
}

// ReleaseJob gives a job leased by owner back at once without counting
// the attempt (its worker is stopping, the job did not fail).
func (db *DB) ReleaseJob(ctx context.Context, id, owner string) error {
	n, err := db.exec(ctx, "UPDATE jobs SET lease_owner = '', lease_until = ?, attempts = attempts - 1 WHERE id = ? AND lease_owner = ?",
		ms(time.Time{}), id, owner)
	return db.leaseResult(ctx, id, n, err)
}

// leaseResult explains a write filtered on the lease owner: nil when it
// changed the job, NOT_FOUND if the job is gone, else CONFLICT.
func (db *DB) leaseResult(ctx context.Context, id string, n int64, err error) error {
	if err != nil {
		return translate(err, "update", "job "+id, "")
	}
	if n == 1 {
		return nil
	}
	var one int
	err = db.queryRow(ctx, "SELECT 1 FROM jobs WHERE id = ?", id).Scan(&one)
	if err == nil {
		return core.Errorf(core.CodeConflict, "job %s is leased by another worker", id)
	}
	return translate(err, "find", "job "+id, "")
}

// CountJobs returns how many jobs are queued, leased or not.
func (db *DB) CountJobs(ctx context.Context) (int64, error) {
	return db.count(ctx, "jobs", "")
}

// QueueStats returns how many jobs there are and the runAt of the oldest
// one due at now (nil when none is due).
func (db *DB) QueueStats(ctx context.Context, now time.Time) (int64, *time.Time, error) {
	var n int64
	var oldest sql.NullInt64
	err := db.queryRow(ctx, "SELECT count(*), (SELECT min(run_at) FROM jobs WHERE run_at <= ?) FROM jobs", ms(now)).Scan(&n, &oldest)
	if err != nil {
		return 0, nil, translate(err, "count", "jobs", "")
	}
	if !oldest.Valid {
		return n, nil, nil
	}
	t := fromMS(oldest.Int64)
	return n, &t, nil
}
