package app

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/media"
)

// JobProcess makes an asset's renditions from its original.
const JobProcess = "process"

// idlePoll is how often an idle worker looks for jobs queued by other
// processes; jobs queued by this process wake it at once.
const idlePoll = 2 * time.Second

func (s *Service) enqueueProcessing(ctx context.Context, assetID string) error {
	now := s.now()
	j := &core.Job{ID: core.NewID(), Kind: JobProcess, AssetID: assetID, RunAt: now, CreatedAt: now}
	if err := s.store.EnqueueJob(ctx, j); err != nil {
		return fmt.Errorf("app: enqueue %s: %w", assetID, err)
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

// RunWorkers processes queued jobs until ctx ends, with Config.Workers
// jobs at a time, and runs the maintenance loop (regenerate assets of an
// older pipeline in the background, reconcile objects and records). Several processes may run workers on one queue: a job is
// leased to one worker, and a crashed worker's job is taken again when its
// lease expires.
func (s *Service) RunWorkers(ctx context.Context) {
	var wg sync.WaitGroup
	// The WebP encoder's WebAssembly is compiled once per process (about
	// a second of one core): now, rather than in the first upload.
	wg.Go(func() {
		start := time.Now()
		media.WarmWebP()
		s.log.Info("WebP encoder ready", "encoder", media.WebPEncoder(), "duration_ms", time.Since(start).Milliseconds())
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.runMaintenance(ctx)
	}()
	for i := 0; i < s.cfg.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.workLoop(ctx)
		}()
	}
	wg.Wait()
}

func (s *Service) workLoop(ctx context.Context) {
	for ctx.Err() == nil {
		job, err := s.store.ClaimJob(ctx, s.owner, s.now(), s.cfg.JobLease)
		if err != nil {
			if !core.IsCode(err, core.CodeNotFound) && ctx.Err() == nil {
				s.log.Error("claim job", "err", err)
			}
			select {
			case <-ctx.Done():
			case <-s.wake:
			case <-time.After(idlePoll):
			}
			continue
		}
		s.runJob(ctx, job)
		// More work may be queued: let another idle worker look too.
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// runJob processes one claimed job and completes, retries or fails it.
func (s *Service) runJob(ctx context.Context, job *core.Job) {
	log := s.log.With("job", job.ID, "asset", job.AssetID, "attempt", job.Attempts)
	log.Info("processing")
	start := time.Now()
	jobCtx, stop := context.WithCancel(ctx)
	var lost bool // read after Wait
	var renewing sync.WaitGroup
	renewing.Go(func() {
		if lost = s.keepLease(jobCtx, job, log); lost {
			stop()
		}
	})
	err := s.processAsset(jobCtx, job.AssetID)
	stop()
	renewing.Wait()
	if lost {
		// Another worker holds the job now and makes the renditions; ours
		// (same keys, same bytes) may be half written, theirs replace them.
		log.Warn("lost the job's lease; another worker has it", "err", err)
		return
	}
	if o := s.cfg.Observer; o != nil {
		o.RenditionsMade(time.Since(start), err)
	}
	if err == nil {
		log.Info("processed", "duration_ms", time.Since(start).Milliseconds())
	}
	// Finishing the job must happen even when ctx is being cancelled.
	bg := context.WithoutCancel(ctx)
	if err == nil || permanent(err) || core.IsCode(err, core.CodeNotFound) {
		if err != nil && !core.IsCode(err, core.CodeNotFound) {
			s.failProcessing(bg, job.AssetID, core.ErrorMessage(err))
			log.Info("processing failed", "reason", err)
		}
		if cerr := s.store.CompleteJob(bg, job.ID, s.owner); cerr != nil {
			log.Warn("complete job", "err", cerr)
		}
		return
	}
	if ctx.Err() != nil {
		// Shutting down: give the job back at once, and do not count the
		// interrupted attempt against the asset.
		if rerr := s.store.ReleaseJob(bg, job.ID, s.owner); rerr != nil {
			log.Warn("release job", "err", rerr)
		}
		return
	}
	if job.Attempts >= s.cfg.MaxJobAttempts {
		s.failProcessing(bg, job.AssetID, fmt.Sprintf("processing failed after %d attempts", job.Attempts))
		log.Error("asset failed after retries", "err", err)
		if cerr := s.store.CompleteJob(bg, job.ID, s.owner); cerr != nil {
			log.Warn("complete job", "err", cerr)
		}
		return
	}
	backoff := time.Duration(1<<min(job.Attempts, 8)) * time.Second
	log.Warn("processing failed, will retry", "err", err, "in", backoff)
	if rerr := s.store.RetryJob(bg, job.ID, s.owner, s.now().Add(backoff), err.Error()); rerr != nil {
		log.Warn("retry job", "err", rerr)
	}
}

// keepLease renews the lease on job every third of its term until ctx
// ends, so a long job (a huge image on a busy machine) is not taken by
// another worker meanwhile. It reports true when the lease was lost
// (another worker claimed the job after a renewal came too late, or the
// job is gone); a failed renewal is tried again at the next tick.
func (s *Service) keepLease(ctx context.Context, job *core.Job, log *slog.Logger) bool {
	// A third of the lease, at least a millisecond: any positive lease is
	// a valid setting, and a ticker refuses a zero interval.
	t := time.NewTicker(max(s.cfg.JobLease/3, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
		err := s.store.RenewJob(ctx, job.ID, s.owner, s.now().Add(s.cfg.JobLease))
		switch {
		case err == nil || ctx.Err() != nil:
		case core.IsCode(err, core.CodeConflict), core.IsCode(err, core.CodeNotFound):
			return true
		default:
			log.Warn("renew job lease", "err", err)
		}
	}
}

// permanent reports whether retrying cannot help: the bytes themselves are
// the problem.
func permanent(err error) bool {
	switch core.ErrorCode(err) {
	case core.CodeBadUserInput, core.CodeUnsupportedMediaType, core.CodeTooManyPixels, core.CodePayloadTooLarge:
		return true
	}
	return false
}

// failProcessing marks an asset FAILED after its processing failed,
// unless it is READY with renditions (being regenerated: after an upgrade,
// a focal point change): it keeps those, whose objects the failed run did
// not touch (new bytes have new keys), and the failure is logged.
func (s *Service) failProcessing(ctx context.Context, id, reason string) {
	if a, err := s.store.AssetByID(ctx, id); err == nil && a.Status == core.AssetReady && len(a.Renditions) > 0 {
		s.log.Warn("regenerating renditions failed; the asset keeps the ones it had", "asset", id, "reason", reason)
		return
	}
	s.failAsset(ctx, id, reason)
}

func (s *Service) failAsset(ctx context.Context, id, reason string) {
	_, err := s.mutateAsset(ctx, id, func(a *core.Asset) error {
		a.Status = core.AssetFailed
		a.Error = reason
		return nil
	})
	if err != nil && !core.IsCode(err, core.CodeNotFound) {
		s.log.Error("mark asset failed", "asset", id, "err", err)
	}
}

// processAsset makes and stores every rendition of an asset, then records
// them in one write. Rendition keys derive from the original's hash and the
// rendition's own (RenditionKey): a repeated run writes the same objects,
// and new bytes never overwrite the ones the record names. The objects of
// renditions a regeneration replaced are left to reconcile (which keeps
// only what records list, past its grace), so a reader that got the old
// record a moment before still finds its object.
func (s *Service) processAsset(ctx context.Context, id string) error {
	a, err := s.store.AssetByID(ctx, id)
	if err != nil {
		return err
	}
	data, err := s.readOriginal(ctx, a)
	if err != nil {
		return err
	}
	opt := media.Options{Limits: s.cfg.ImageLimits, Budget: s.budget}
	if a.FocalPoint != nil {
		opt.FocalX, opt.FocalY, opt.FocalSet = a.FocalPoint.X, a.FocalPoint.Y, true
	}
	res, err := media.Process(ctx, data, opt)
	if err != nil {
		return err
	}
	rends := make([]core.Rendition, 0, len(res.Renditions))
	for _, r := range res.Renditions {
		sum := sha256.Sum256(r.Data)
		etag := hex.EncodeToString(sum[:])
		rend := core.Rendition{
			Name: r.Name, Width: r.Width, Height: r.Height, Format: string(r.Format),
			ByteSize: int64(len(r.Data)), Key: RenditionKey(a.SHA256, r.Name, string(r.Format), etag),
			ETag: etag,
		}
		if err := s.objects.Put(ctx, rend.Key, bytes.NewReader(r.Data), rend.ByteSize, r.MimeType); err != nil {
			return fmt.Errorf("app: store rendition %s of %s: %w", r.Name, id, err)
		}
		rends = append(rends, rend)
	}
	_, err = s.mutateAsset(ctx, id, func(a *core.Asset) error {
		if a.PipelineVersion < metadataSince {
			prefillMetadata(a, res)
		}
		a.Status = core.AssetReady
		a.Error = ""
		a.Width, a.Height = res.Width, res.Height
		a.Renditions = rends
		a.Blurhash, a.DominantColor = res.Blurhash, res.DominantColor
		a.PipelineVersion = media.PipelineVersion
		a.SearchTokens = assetTokens(a)
		return nil
	})
	return err
}

// metadataSince is the first pipeline version that read photo metadata:
// assets made before it get their metadata filled once, when regenerated.
const metadataSince = 2

// prefillMetadata fills what the file says (EXIF, XMP, IPTC) into fields a
// person has not set, once per asset (its first processing with a
// metadata-reading pipeline), so a value someone later clears is not
// brought back. The text was already cleaned
// and bounded by media.ReadMetadata.
func prefillMetadata(a *core.Asset, res *media.Result) {
	m := res.Metadata
	if a.TakenAt == nil && m.TakenAt != nil {
		t := m.TakenAt.UTC()
		a.TakenAt = &t
	}
	if a.Camera == nil && (m.Make != "" || m.Model != "" || m.Lens != "" || m.ISO != 0 || m.FocalLength != 0) {
		a.Camera = &core.Camera{Make: m.Make, Model: m.Model, Lens: m.Lens, FocalLength: m.FocalLength,
			Aperture: m.Aperture, ExposureTime: m.ExposureTime, ISO: m.ISO}
	}
	if a.Location == nil && m.Lat != nil && m.Lng != nil {
		a.Location = &core.GeoPoint{Lat: *m.Lat, Lng: *m.Lng}
	}
	if a.Caption == "" {
		a.Caption = m.Caption
	}
	if a.Credit == "" {
		a.Credit = cmp.Or(m.Credit, m.Creator) // the credit line, else the photographer
	}
	if a.Copyright == "" {
		a.Copyright = m.Copyright
	}
	if a.FocalPoint == nil {
		a.FocalPoint = &core.FocalPoint{X: res.FocalX, Y: res.FocalY}
	}
}

func (s *Service) readOriginal(ctx context.Context, a *core.Asset) ([]byte, error) {
	obj, err := s.objects.Open(ctx, a.OriginalKey)
	if core.IsCode(err, core.CodeNotFound) {
		return nil, core.Errorf(core.CodeBadUserInput, "the original file is missing from storage")
	}
	if err != nil {
		return nil, err
	}
	defer obj.Close()
	// An original was within the limit when it was accepted; a lower limit
	// set since must not cut it short (its renditions could never be made
	// again). Anything beyond its recorded size is not the file we stored.
	limit := max(s.cfg.MaxUploadBytes, a.ByteSize)
	data, err := io.ReadAll(io.LimitReader(obj, limit+1))
	if err != nil {
		return nil, fmt.Errorf("app: read original of %s: %w", a.ID, err)
	}
	if int64(len(data)) > limit {
		return nil, core.Errorf(core.CodeBadUserInput, "the stored original is larger than the %d bytes it had when it was uploaded", a.ByteSize)
	}
	return data, nil
}

// subscriptionPoll is how often a subscription to named assets also reads
// them from the database, to see changes made by other processes.
const subscriptionPoll = 2 * time.Second

// AssetUpdates streams changes to the given assets (all when ids is
// empty) until ctx ends. Changes made by this process arrive at once; with
// ids, the assets are also re-read every subscriptionPoll, so changes made
// by other server processes arrive too (an unfiltered subscription sees
// this process's changes only). Each version is sent once. Signed-in users
// only.
func (s *Service) AssetUpdates(ctx context.Context, ids []string) (<-chan *core.Asset, error) {
	if _, err := require(ctx, core.RolePhotographer); err != nil {
		return nil, err
	}
	if len(ids) > MaxFilesPerUpload {
		return nil, core.Errorf(core.CodeBadUserInput, "subscribe to at most %d assets", MaxFilesPerUpload)
	}
	in, cancel := s.events.subscribe(ids)
	out := make(chan *core.Asset)
	go func() {
		defer close(out)
		defer cancel()
		// Asset ID → last version sent, for the IDs asked for (an
		// unfiltered subscription gets each change once from the event
		// feed, in order, and must not remember every asset it ever saw).
		sent := map[string]int{}
		var poll <-chan time.Time
		if len(ids) > 0 {
			t := time.NewTicker(subscriptionPoll)
			defer t.Stop()
			poll = t.C
			for _, a := range s.freshAssets(ctx, ids) {
				sent[a.ID] = a.Version // the starting point is no update
			}
		}
		emit := func(a *core.Asset) bool {
			if v, ok := sent[a.ID]; ok && v >= a.Version {
				return true
			}
			if len(ids) > 0 {
				sent[a.ID] = a.Version
			}
			select {
			case out <- a:
				return true
			case <-ctx.Done():
				return false
			}
		}
		for {
			select {
			case <-ctx.Done():
				return
			case a := <-in:
				if !emit(a) {
					return
				}
			case <-poll:
				for _, a := range s.freshAssets(ctx, ids) {
					if !emit(a) {
						return
					}
				}
			}
		}
	}()
	return out, nil
}

// freshAssets reads assets straight from the store, ignoring errors (a
// subscription retries at its next poll).
func (s *Service) freshAssets(ctx context.Context, ids []string) []*core.Asset {
	list, err := s.store.AssetsByIDs(ctx, ids)
	if err != nil && ctx.Err() == nil {
		s.log.Warn("subscription poll", "err", err)
	}
	return list
}

// QueueStats reports the processing queue for metrics: how many jobs there
// are, and how long the oldest due job has waited (0 when none is due).
func (s *Service) QueueStats(ctx context.Context) (int64, time.Duration, error) {
	now := s.now()
	n, oldest, err := s.store.QueueStats(ctx, now)
	if err != nil || oldest == nil {
		return n, 0, err
	}
	return n, now.Sub(*oldest), nil
}
