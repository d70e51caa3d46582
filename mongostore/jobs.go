package mongostore

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/stillroom/stillroom/core"
)

// jobDoc is a core.Job as stored in the jobs collection. A free lease is
// leaseUntil at the zero time rather than a missing field, so "free or
// expired" is one comparison, leaseUntil <= now.
type jobDoc struct {
	ID         string    `bson:"_id"`
	Kind       string    `bson:"kind"`
	AssetID    string    `bson:"assetId"`
	Attempts   int       `bson:"attempts"`
	RunAt      time.Time `bson:"runAt"`
	LeaseOwner string    `bson:"leaseOwner"`
	LeaseUntil time.Time `bson:"leaseUntil"`
	LastError  string    `bson:"lastError"`
	CreatedAt  time.Time `bson:"createdAt"`
}

func (d *jobDoc) toCore() *core.Job {
	return &core.Job{
		ID:         d.ID,
		Kind:       d.Kind,
		AssetID:    d.AssetID,
		Attempts:   d.Attempts,
		RunAt:      d.RunAt,
		LeaseOwner: d.LeaseOwner,
		LeaseUntil: d.LeaseUntil,
		LastError:  d.LastError,
		CreatedAt:  d.CreatedAt,
	}
}

// EnqueueJob adds j unless a job of the same kind for the same asset is
// queued; then it leaves j unchanged, returns nil and asks that job to run
// again. A job no worker holds (queued, or waiting out a retry's
// backoff) is made due no later than j.RunAt, with its attempts restarted
// and its error cleared: a new request neither waits the backoff of
// failures before it nor counts them. Every job is also marked to run
// again (again: true), which is all a held job gets (it keeps its lease,
// even an expired one, until someone claims it): ClaimJob clears the mark,
// since the claimer reads the asset afresh, and CompleteJob and RetryJob
// give a marked job back due at once with its attempts restarted, so a
// change made during a run is never lost. An empty j.ID is set to a new ID
// first.
func (db *DB) EnqueueJob(ctx context.Context, j *core.Job) error {
	if j.ID == "" {
		j.ID = core.NewID()
	}
	// One upsert: it inserts, or sets the mark on the job there; the
	// unique (kind, assetId) index settles a race between two enqueuers,
	// the loser seeing a duplicate key and then marking the winner's job.
	filter := bson.D{{Key: "kind", Value: j.Kind}, {Key: "assetId", Value: j.AssetID}}
	mark := bson.D{{Key: "$set", Value: bson.D{{Key: "again", Value: true}}}}
	update := append(bson.D{{Key: "$setOnInsert", Value: bson.D{
		{Key: "_id", Value: j.ID},
		{Key: "attempts", Value: j.Attempts},
		{Key: "runAt", Value: storedTime(j.RunAt)},
		{Key: "leaseOwner", Value: j.LeaseOwner},
		{Key: "leaseUntil", Value: storedTime(j.LeaseUntil)},
		{Key: "lastError", Value: j.LastError},
		{Key: "createdAt", Value: storedTime(j.CreatedAt)},
	}}}, mark...)
	res, err := db.jobs.UpdateOne(ctx, filter, update, options.UpdateOne().SetUpsert(true))
	if isDuplicateKey(err) {
		res, err = db.jobs.UpdateOne(ctx, filter, mark)
	}
	if err != nil || res.UpsertedCount == 1 {
		return translate(err, "enqueue", "job "+j.ID, "")
	}
	// Then, if no worker holds the job, a second write makes it due and
	// restarts it. Marking first makes the pair safe without a
	// transaction: a worker that gives the job back between the two
	// writes either saw the mark (RetryJob, CompleteJob: due at once) or
	// left it free for this write; one that claims it reads the asset
	// afresh.
	_, err = db.jobs.UpdateOne(ctx, append(filter, bson.E{Key: "leaseOwner", Value: ""}), bson.D{
		{Key: "$min", Value: bson.D{{Key: "runAt", Value: storedTime(j.RunAt)}}},
		{Key: "$set", Value: bson.D{{Key: "attempts", Value: 0}, {Key: "lastError", Value: ""}}},
	})
	return translate(err, "enqueue", "job "+j.ID, "")
}

// ClaimJob takes the job with the earliest RunAt that is due at now and
// whose lease is free or expired, leases it to owner until now+lease and
// counts the attempt, all in one write. NOT_FOUND when no job is due,
// BAD_USER_INPUT when lease is not positive.
func (db *DB) ClaimJob(ctx context.Context, owner string, now time.Time, lease time.Duration) (*core.Job, error) {
	if lease <= 0 {
		return nil, core.Errorf(core.CodeBadUserInput, "lease must be positive")
	}
	filter := bson.D{
		{Key: "runAt", Value: bson.D{{Key: "$lte", Value: now}}},
		{Key: "leaseUntil", Value: bson.D{{Key: "$lte", Value: now}}},
	}
	update := bson.D{
		{Key: "$set", Value: bson.D{
			{Key: "leaseOwner", Value: owner},
			{Key: "leaseUntil", Value: storedTime(now.Add(lease))},
			{Key: "again", Value: false},
		}},
		{Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}},
	}
	opts := options.FindOneAndUpdate().
		SetSort(bson.D{{Key: "runAt", Value: 1}, {Key: "_id", Value: 1}}).
		SetReturnDocument(options.After)
	var d jobDoc
	err := db.jobs.FindOneAndUpdate(ctx, filter, update, opts).Decode(&d)
	if err != nil {
		return nil, translate(err, "claim", "due job", "")
	}
	return d.toCore(), nil
}

// CompleteJob removes the job if owner still holds its lease (an expired
// lease still counts until someone else claims the job); when EnqueueJob
// marked it meanwhile, it releases it instead, due at once with its
// attempts and error cleared, so the asset is processed again. CONFLICT
// when another worker has claimed it, NOT_FOUND when it is gone. Two
// single-document writes suffice: the mark is set only by EnqueueJob and
// cleared only with a new lease, so once the delete finds it set, the
// update finds it too unless the lease was lost.
func (db *DB) CompleteJob(ctx context.Context, id, owner string) error {
	res, err := db.jobs.DeleteOne(ctx, heldJob(id, owner, false))
	if err != nil {
		return translate(err, "complete", "job "+id, "")
	}
	if res.DeletedCount == 1 {
		return nil
	}
	return db.releaseMarked(ctx, id, owner, "")
}

// heldJob filters on job id while owner holds it, marked to run again
// (EnqueueJob during the run) or not.
func heldJob(id, owner string, marked bool) bson.D {
	var again any = true
	if !marked {
		again = bson.D{{Key: "$ne", Value: true}}
	}
	return bson.D{{Key: "_id", Value: id}, {Key: "leaseOwner", Value: owner}, {Key: "again", Value: again}}
}

// releaseMarked gives back a job owner holds that was marked to run again
// during its run (CompleteJob, RetryJob): due at once, its mark cleared,
// its attempts restarted and lastErr recorded. CONFLICT or NOT_FOUND as
// updateHeldJob.
func (db *DB) releaseMarked(ctx context.Context, id, owner, lastErr string) error {
	return db.updateHeldJob(ctx, id, owner, heldJob(id, owner, true), bson.D{{Key: "$set", Value: bson.D{
		{Key: "again", Value: false},
		{Key: "attempts", Value: 0},
		{Key: "lastError", Value: lastErr},
		{Key: "leaseOwner", Value: ""},
		{Key: "leaseUntil", Value: time.Time{}},
	}}})
}

// RetryJob releases the job held by owner, to run again at runAt, and
// records lastErr; when EnqueueJob marked it meanwhile, it releases it due
// at once (its runAt is no later than its claim) with its attempts
// restarted instead, since someone asked for it during the failed run.
// CONFLICT when another worker has claimed it, NOT_FOUND when it is gone.
// Two single-document writes suffice, as in CompleteJob: the mark is set
// only by EnqueueJob and cleared only with a new lease, so a held job the
// first write skipped as marked is still marked for the second, unless
// the lease was lost.
func (db *DB) RetryJob(ctx context.Context, id, owner string, runAt time.Time, lastErr string) error {
	res, err := db.jobs.UpdateOne(ctx, heldJob(id, owner, false), bson.D{{Key: "$set", Value: bson.D{
		{Key: "runAt", Value: storedTime(runAt)},
		{Key: "lastError", Value: lastErr},
		{Key: "leaseOwner", Value: ""},
		{Key: "leaseUntil", Value: time.Time{}},
	}}})
	if err != nil {
		return translate(err, "retry", "job "+id, "")
	}
	if res.MatchedCount == 1 {
		return nil
	}
	return db.releaseMarked(ctx, id, owner, lastErr)
}

// RenewJob extends the lease owner holds on the job to until.
func (db *DB) RenewJob(ctx context.Context, id, owner string, until time.Time) error {
	return db.updateHeldJob(ctx, id, owner, nil, bson.D{{Key: "$set", Value: bson.D{{Key: "leaseUntil", Value: storedTime(until)}}}})
}

// ReleaseJob gives a job leased by owner back at once without counting
// the attempt (its worker is stopping, the job did not fail).
func (db *DB) ReleaseJob(ctx context.Context, id, owner string) error {
	return db.updateHeldJob(ctx, id, owner, nil, bson.D{
		{Key: "$set", Value: bson.D{{Key: "leaseOwner", Value: ""}, {Key: "leaseUntil", Value: time.Time{}}}},
		{Key: "$inc", Value: bson.D{{Key: "attempts", Value: -1}}},
	})
}

// QueueStats returns how many jobs there are and the runAt of the oldest
// one due at now (nil when none is due).
func (db *DB) QueueStats(ctx context.Context, now time.Time) (int64, *time.Time, error) {
	n, err := db.jobs.CountDocuments(ctx, bson.D{})
	if err != nil {
		return 0, nil, translate(err, "count", "jobs", "")
	}
	var d struct {
		RunAt time.Time `bson:"runAt"`
	}
	err = db.jobs.FindOne(ctx, op("runAt", "$lte", storedTime(now)),
		options.FindOne().SetSort(bson.D{{Key: "runAt", Value: 1}}).SetProjection(eq("runAt", 1))).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return n, nil, nil
	}
	if err != nil {
		return 0, nil, translate(err, "find", "oldest job", "")
	}
	return n, &d.RunAt, nil
}

// updateHeldJob applies update to the job owner holds (filter, when set,
// names it with any further condition).
func (db *DB) updateHeldJob(ctx context.Context, id, owner string, filter, update bson.D) error {
	if filter == nil {
		filter = bson.D{{Key: "_id", Value: id}, {Key: "leaseOwner", Value: owner}}
	}
	res, err := db.jobs.UpdateOne(ctx, filter, update)
	if err != nil {
		return translate(err, "update", "job "+id, "")
	}
	if res.MatchedCount == 1 {
		return nil
	}
	return db.leaseLost(ctx, id)
}

// leaseLost explains why a write filtered on the lease owner matched
// nothing: NOT_FOUND if the job is gone, else CONFLICT.
func (db *DB) leaseLost(ctx context.Context, id string) error {
	err := db.jobs.FindOne(ctx, eq("_id", id), options.FindOne().SetProjection(eq("_id", 1))).Err()
	if err == nil {
		return core.Errorf(core.CodeConflict, "job %s is leased by another worker", id)
	}
	return translate(err, "find", "job "+id, "")
}

// CountJobs returns how many jobs are queued, leased or not.
func (db *DB) CountJobs(ctx context.Context) (int64, error) {
	n, err := db.jobs.CountDocuments(ctx, bson.D{})
	return n, translate(err, "count", "jobs", "")
}
