package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/fold"
	"github.com/stillroom/stillroom/media"
)

// Text limits for asset metadata set by people.
const (
	MaxFilenameLen = 255
	MaxCaptionLen  = 2000
	MaxShortText   = 300
	MaxTags        = 50
)

// AssetPatch changes asset metadata; nil fields are left as they are.
type AssetPatch struct {
	Caption    *string
	AltText    *string
	Credit     *string
	Copyright  *string
	Tags       []string // nil = unchanged
	FocalPoint *core.FocalPoint
}

// UploadAsset stores a new original and queues its processing. It reads
// at most MaxUploadBytes from r. It waits up to UploadWait for the
// renditions; the asset comes back READY, FAILED or still PROCESSING.
// The same bytes uploaded again return the existing asset.
// UNAUTHENTICATED/FORBIDDEN (photographers and up), PAYLOAD_TOO_LARGE,
// UNSUPPORTED_MEDIA_TYPE, TOO_MANY_PIXELS, BAD_USER_INPUT.
func (s *Service) UploadAsset(ctx context.Context, r io.Reader, filename string, patch *AssetPatch) (*core.Asset, error) {
	u, err := require(ctx, core.RolePhotographer)
	if err != nil {
		return nil, err
	}
	if err := checkAssetPatch(patch); err != nil {
		return nil, err
	}
	data, err := readLimited(r, s.cfg.MaxUploadBytes)
	if err != nil {
		return nil, err
	}
	a, err := s.storeOriginal(ctx, u, data, filename, patch)
	if err != nil {
		return nil, err
	}
	return s.waitProcessed(ctx, a), nil
}

// readLimited reads all of r, refusing more than limit bytes while it
// streams: PAYLOAD_TOO_LARGE.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	// A seekable body (an upload gqlgen buffered, a stored object) says
	// its size, so the buffer is allocated once instead of doubling.
	if sk, ok := r.(io.Seeker); ok {
		if end, err := sk.Seek(0, io.SeekEnd); err == nil {
			if _, err := sk.Seek(0, io.SeekStart); err == nil && end <= limit {
				buf.Grow(int(end) + 1)
			}
		}
	}
	n, err := io.Copy(&buf, io.LimitReader(r, limit+1))
	if err != nil {
		var ce *core.Error
		if errors.As(err, &ce) {
			return nil, err
		}
		return nil, core.WrapError(core.CodeBadUserInput, err, "could not read the upload")
	}
	if n > limit {
		return nil, core.Errorf(core.CodePayloadTooLarge, "file is larger than %d bytes", limit)
	}
	return buf.Bytes(), nil
}

// storeOriginal checks the bytes are an acceptable image, stores them under
// their content hash and records the asset, or returns the asset that
// already has these bytes, its empty fields filled from patch (see
// duplicateOf).
func (s *Service) storeOriginal(ctx context.Context, u *core.User, data []byte, filename string, patch *AssetPatch) (*core.Asset, error) {
	probe, err := s.checkImage(data)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	if existing, err := s.store.AssetBySHA256(ctx, sha); err == nil {
		if err := s.reviveDuplicate(ctx, existing, data, probe.MimeType); err != nil {
			return nil, err
		}
		return s.duplicateOf(ctx, u, existing, filename, patch)
	} else if !core.IsCode(err, core.CodeNotFound) {
		return nil, err
	}
	now := s.now()
	name := sanitizeFilename(filename)
	a := &core.Asset{
		ID:          core.NewID(),
		Status:      core.AssetProcessing,
		Filename:    name,
		MimeType:    probe.MimeType,
		ByteSize:    int64(len(data)),
		SHA256:      sha,
		OriginalKey: OriginalKey(sha),
		Tags:        []string{},
		Timecode:    core.ParseTimecode(name),
		UploadedBy:  u.ID,
		CreatedAt:   now,
		UpdatedAt:   now,
	}
	if patch != nil {
		if err := applyAssetPatch(a, *patch); err != nil {
			return nil, err
		}
	}
	a.SearchTokens = assetTokens(a)
	// From here on the steps belong together: a client that goes away
	// must not leave an original without a record, or a record without
	// its processing job.
	ctx = context.WithoutCancel(ctx)
	if err := s.objects.Put(ctx, a.OriginalKey, bytes.NewReader(data), int64(len(data)), probe.MimeType); err != nil {
		return nil, fmt.Errorf("app: store original %s: %w", sha, err)
	}
	if err := s.store.InsertAsset(ctx, a); err != nil {
		if core.IsCode(err, core.CodeConflict) {
			// Same bytes uploaded at the same moment: the other upload
			// won and owns the (identical) original object.
			existing, err := s.store.AssetBySHA256(ctx, sha)
			if err != nil {
				return nil, err
			}
			if err := s.reviveDuplicate(ctx, existing, data, probe.MimeType); err != nil {
				return nil, err
			}
			return s.duplicateOf(ctx, u, existing, filename, patch)
		}
		// No record points at the object: remove it now (unless another
		// upload of the same bytes has recorded it meanwhile).
		if derr := s.deleteUnowned(ctx, sha, a.OriginalKey); derr != nil {
			s.log.Warn("remove unreferenced original", "key", a.OriginalKey, "err", derr)
		}
		return nil, err
	}
	// A delete of an earlier asset with these bytes may have removed the
	// original between our Put and our record (see deleteUnowned).
	s.restoreOriginal(ctx, a, data, probe.MimeType)
	if err := s.enqueueProcessing(ctx, a.ID); err != nil {
		return nil, err
	}
	return a, nil
}

// checkImage refuses bytes that are not an acceptable image, reading only
// headers: UNSUPPORTED_MEDIA_TYPE, TOO_MANY_PIXELS or BAD_USER_INPUT.
func (s *Service) checkImage(data []byte) (media.Probe, error) {
	if len(data) == 0 {
		return media.Probe{}, core.Errorf(core.CodeUnsupportedMediaType, "the file is empty")
	}
	if _, _, err := media.Sniff(data); err != nil {
		return media.Probe{}, err
	}
	p, err := media.ProbeImage(data, s.cfg.ImageLimits)
	if err != nil {
		return p, err
	}
	return p, media.CheckComplete(data, p.Format)
}

// MaxFilesPerUpload bounds the files of one uploadAssets request.
const MaxFilesPerUpload = 100

// UploadFile is one file of a multi-file upload.
type UploadFile struct {
	Name string
	Body io.Reader
}

// UploadAssets takes a whole shoot in one request. Every file is read and
// checked before any is stored: if one is refused, nothing is stored and
// the error names each refused file with its reason (the code is that of
// the first refusal). Then all are stored and processed as UploadAsset
// does, and the assets come back in the order of files.
func (s *Service) UploadAssets(ctx context.Context, files []UploadFile, patch *AssetPatch) ([]*core.Asset, error) {
	u, err := require(ctx, core.RolePhotographer)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 || len(files) > MaxFilesPerUpload {
		return nil, core.Errorf(core.CodeBadUserInput, "send 1 to %d files", MaxFilesPerUpload)
	}
	if err := checkAssetPatch(patch); err != nil {
		return nil, err
	}
	datas := make([][]byte, len(files))
	var refused []string
	var first error
	for i, f := range files {
		data, err := readLimited(f.Body, s.cfg.MaxUploadBytes)
		if err == nil {
			_, err = s.checkImage(data)
		}
		if err != nil {
			if first == nil {
				first = err
			}
			refused = append(refused, fmt.Sprintf("%s: %s", sanitizeFilename(f.Name), core.ErrorMessage(err)))
			continue
		}
		datas[i] = data
	}
	if first != nil {
		return nil, core.WrapError(core.ErrorCode(first), first, "%d of %d files refused, nothing stored: %s",
			len(refused), len(files), strings.Join(refused, "; "))
	}
	assets := make([]*core.Asset, len(files))
	for i, f := range files {
		if assets[i], err = s.storeOriginal(ctx, u, datas[i], f.Name, patch); err != nil {
			return nil, err
		}
	}
	// One wait for the whole shoot, not one per file.
	wctx, cancel := context.WithTimeout(ctx, s.cfg.UploadWait)
	defer cancel()
	for i, a := range assets {
		assets[i] = s.waitProcessed(wctx, a)
	}
	return assets, nil
}

// waitProcessed waits up to UploadWait for the asset to leave PROCESSING
// and returns its latest state.
func (s *Service) waitProcessed(ctx context.Context, a *core.Asset) *core.Asset {
	if a.Status != core.AssetProcessing || s.cfg.UploadWait == 0 {
		return a
	}
	// The wait needs no CPU: the caller's execution slot is given back.
	yieldSlot(ctx)
	ch, cancel := s.events.subscribe([]string{a.ID})
	defer cancel()
	timeout := time.NewTimer(s.cfg.UploadWait)
	defer timeout.Stop()
	// Another process may do the work: look at the record now and then.
	poll := time.NewTicker(500 * time.Millisecond)
	defer poll.Stop()
	for {
		select {
		case got := <-ch:
			if got.Status != core.AssetProcessing {
				return got
			}
		case <-poll.C:
			if got, err := s.store.AssetByID(ctx, a.ID); err == nil && got.Status != core.AssetProcessing {
				return got
			}
		case <-timeout.C:
			return s.latest(ctx, a)
		case <-ctx.Done():
			return s.latest(ctx, a)
		}
	}
}

// latest re-reads a, or returns it as it is when that fails.
func (s *Service) latest(ctx context.Context, a *core.Asset) *core.Asset {
	if got, err := s.store.AssetByID(context.WithoutCancel(ctx), a.ID); err == nil {
		return got
	}
	return a
}

// OriginalKey is where an original with that SHA-256 is stored.
func OriginalKey(sha string) string {
	return "originals/" + sha[:2] + "/" + sha[2:4] + "/" + sha
}

// RenditionKey is where a rendition of the original with that SHA-256 is
// stored: renditions/<sha>/<name>.<v>.jpg, .png or .webp, v being the
// first 16 hex digits of the rendition's own SHA-256 (etag), as in its URL.
// New bytes get a new key, so a regeneration never writes over the objects
// the record names: one that fails part-way leaves the record and its
// objects as they were, and one that succeeds switches the record over in
// one write; what is then unreferenced (a failed run's objects, replaced
// ones) reconcile removes past its grace. The same bytes made again (a
// job run twice) get the same key.
func RenditionKey(sha, name, format, etag string) string {
	ext := "jpg"
	switch format {
	case "png":
		ext = "png"
	case core.FormatWebP:
		ext = "webp"
	}
	return "renditions/" + sha + "/" + name + "." + etag[:min(16, len(etag))] + "." + ext
}

// sanitizeFilename keeps the base name, drops control characters and
// bounds the length; an empty result becomes "upload".
func sanitizeFilename(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(name)
	name = strings.Map(func(r rune) rune {
		// Format characters (Unicode Cf: direction overrides, zero-width
		// marks) go too: U+202E would show "x\u202egpj.exe" as "xexe.jpg".
		// Vietnamese letters are letters and combining marks, never Cf.
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	for len(name) > MaxFilenameLen {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." || name == "/" {
		return "upload"
	}
	return name
}

// checkAssetPatch refuses input an upload would refuse, before anything
// is read, stored or used up: a duplicate applies only the fields its
// asset lacks, so without this a bad field could be found only after
// other files were stored or a ticket was spent.
func checkAssetPatch(p *AssetPatch) error {
	if p == nil {
		return nil
	}
	return applyAssetPatch(&core.Asset{}, *p)
}

// assetTextFields are the asset's editable text fields, each with its
// name in the API, its longest length, and where AssetPatch and
// core.Asset keep it: the one list that applying, undoing and filling
// patches go through.
var assetTextFields = []struct {
	name  string
	max   int
	patch func(*AssetPatch) **string
	asset func(*core.Asset) *string
}{
	{"caption", MaxCaptionLen, func(p *AssetPatch) **string { return &p.Caption }, func(a *core.Asset) *string { return &a.Caption }},
	{"altText", MaxCaptionLen, func(p *AssetPatch) **string { return &p.AltText }, func(a *core.Asset) *string { return &a.AltText }},
	{"credit", MaxShortText, func(p *AssetPatch) **string { return &p.Credit }, func(a *core.Asset) *string { return &a.Credit }},
	{"copyright", MaxShortText, func(p *AssetPatch) **string { return &p.Copyright }, func(a *core.Asset) *string { return &a.Copyright }},
}

func applyAssetPatch(a *core.Asset, p AssetPatch) error {
	for _, f := range assetTextFields {
		v := *f.patch(&p)
		if v == nil {
			continue
		}
		t := strings.TrimSpace(*v)
		if utf8.RuneCountInString(t) > f.max {
			return core.Errorf(core.CodeBadUserInput, "%s is longer than %d characters", f.name, f.max)
		}
		*f.asset(a) = t
	}
	if p.Tags != nil {
		tags, err := cleanTags(p.Tags)
		if err != nil {
			return err
		}
		a.Tags = tags
	}
	if p.FocalPoint != nil {
		fp := *p.FocalPoint
		if fp.X < 0 || fp.X > 1 || fp.Y < 0 || fp.Y > 1 {
			return core.Errorf(core.CodeBadUserInput, "focalPoint x and y must be between 0 and 1")
		}
		a.FocalPoint = &fp
	}
	return nil
}

// cleanTags trims, drops empty and repeated tags (compared folded) and
// bounds their number and length.
func cleanTags(in []string) ([]string, error) {
	if len(in) > MaxTags {
		return nil, core.Errorf(core.CodeBadUserInput, "at most %d tags", MaxTags)
	}
	out := []string{}
	seen := map[string]bool{}
	for _, t := range in {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if utf8.RuneCountInString(t) > 100 {
			return nil, core.Errorf(core.CodeBadUserInput, "tag %q is longer than 100 characters", t)
		}
		if k := fold.String(t); !seen[k] {
			seen[k] = true
			out = append(out, t)
		}
	}
	return out, nil
}

func assetTokens(a *core.Asset) []string {
	texts := []string{a.Filename, a.Caption, a.AltText, a.Credit, a.Copyright}
	return fold.Tokens(append(texts, a.Tags...)...)
}

// Asset returns an asset the caller may see. Anonymous callers see only
// READY assets used in published content; others NOT_FOUND.
func (s *Service) Asset(ctx context.Context, id string) (*core.Asset, error) {
	a, err := s.store.AssetByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !CanSeePrivate(ctx) {
		ok, err := s.assetPublic(ctx, a)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, core.Errorf(core.CodeNotFound, "asset %s not found", id)
		}
	}
	return a, nil
}

// assetPublic reports whether a is READY and used by a visible article or
// gallery.
func (s *Service) assetPublic(ctx context.Context, a *core.Asset) (bool, error) {
	if a.Status != core.AssetReady {
		return false, nil
	}
	now := s.now()
	arts, err := s.store.ArticlesWithAsset(ctx, a.ID)
	if err != nil {
		return false, err
	}
	for _, art := range arts {
		if art.Publication.Visible(now) {
			return true, nil
		}
	}
	gals, err := s.store.GalleriesWithAsset(ctx, a.ID)
	if err != nil {
		return false, err
	}
	for _, g := range gals {
		if g.Publication.Visible(now) {
			return true, nil
		}
	}
	return false, nil
}

// AssetsByIDs loads assets for field resolvers, in the order of ids;
// missing ones are left out. It does no permission check: callers reach
// these assets through content they were allowed to read. Within a request
// it batches through the request's loader.
func (s *Service) AssetsByIDs(ctx context.Context, ids []string) ([]*core.Asset, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return s.loadAssets(ctx, ids)
}

// UpdateAsset changes an asset's metadata. Photographers may change their
// own assets, editors any. A new focal point re-makes the renditions.
//
// With editVersion set, the edit applies only if the asset's EditVersion
// is still that (else CONFLICT, nothing changed): a person saving a form
// learns that someone else saved first. Processing does not count.
func (s *Service) UpdateAsset(ctx context.Context, id string, patch AssetPatch, editVersion *int) (*core.Asset, error) {
	u, err := require(ctx, core.RolePhotographer)
	if err != nil {
		return nil, err
	}
	var refocus bool
	a, err := s.mutateAsset(ctx, id, func(a *core.Asset) error {
		if !u.Role.AtLeast(core.RoleEditor) && a.UploadedBy != u.ID {
			return core.Errorf(core.CodeForbidden, "photographers may edit only their own assets")
		}
		if editVersion != nil && *editVersion != a.EditVersion {
			return core.Errorf(core.CodeConflict,
				"asset %s was changed by someone else (version %d, yours %d); reload it and apply your change again",
				a.ID, a.EditVersion, *editVersion)
		}
		a.EditVersion++
		prev := *a
		if err := applyAssetPatch(a, patch); err != nil {
			return err
		}
		if err := s.keepAssetPublishable(ctx, &prev, a); err != nil {
			return err
		}
		old := prev.FocalPoint
		refocus = patch.FocalPoint != nil && (old == nil || *old != *patch.FocalPoint)
		a.SearchTokens = assetTokens(a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if refocus {
		if err := s.enqueueProcessing(ctx, a.ID); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// mutateAsset applies fn to the stored asset and saves it, retrying when
// a concurrent change (such as processing finishing) got in first.
func (s *Service) mutateAsset(ctx context.Context, id string, fn func(*core.Asset) error) (*core.Asset, error) {
	for attempt := 0; ; attempt++ {
		a, err := s.store.AssetByID(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := fn(a); err != nil {
			return nil, err
		}
		a.UpdatedAt = s.now()
		err = s.store.UpdateAsset(ctx, a)
		if err == nil {
			s.contentChanged()
			s.events.publish(a)
			return a, nil
		}
		if !core.IsCode(err, core.CodeConflict) || attempt >= maxRetries {
			return nil, err
		}
	}
}

// maxRetries bounds read-modify-write retries on version conflicts.
const maxRetries = 20

// ReprocessAsset makes the renditions again in the background. The asset
// keeps serving its current renditions until the new ones are stored.
// Photographers may reprocess their own assets, editors any.
func (s *Service) ReprocessAsset(ctx context.Context, id string) (*core.Asset, error) {
	u, err := require(ctx, core.RolePhotographer)
	if err != nil {
		return nil, err
	}
	a, err := s.mutateAsset(ctx, id, func(a *core.Asset) error {
		if !u.Role.AtLeast(core.RoleEditor) && a.UploadedBy != u.ID {
			return core.Errorf(core.CodeForbidden, "photographers may reprocess only their own assets")
		}
		retryFailed(a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, s.enqueueProcessing(ctx, a.ID)
}

// retryFailed sets a FAILED asset PROCESSING again, its error cleared,
// for processing to be queued again (reprocessAsset, an upload of the same
// bytes); other assets keep their status.
func retryFailed(a *core.Asset) {
	if a.Status == core.AssetFailed {
		a.Status = core.AssetProcessing
		a.Error = ""
	}
}

// UsedIn returns the galleries that use the asset and that the caller may
// see.
func (s *Service) UsedIn(ctx context.Context, assetID string) ([]*core.Gallery, error) {
	gals, err := s.store.GalleriesWithAsset(ctx, assetID)
	if err != nil {
		return nil, err
	}
	return s.visibleGalleries(ctx, gals), nil
}

// UsedInArticles returns the articles that use the asset (in an image
// block or as cover) and that the caller may see; nothing for anonymous
// readers, who have no use for an asset's where-used list.
func (s *Service) UsedInArticles(ctx context.Context, assetID string) ([]*core.Article, error) {
	if UserFrom(ctx) == nil {
		return nil, nil
	}
	arts, err := s.store.ArticlesWithAsset(ctx, assetID)
	if err != nil || CanSeeDrafts(ctx) {
		return arts, err
	}
	now := s.now()
	out := arts[:0:0]
	for _, a := range arts {
		if a.Publication.Visible(now) {
			out = append(out, a)
		}
	}
	return out, nil
}

// DeleteAsset removes an asset, its original and its renditions. CONFLICT
// while a gallery or article uses it, unless force, which first removes it
// from them (editors only). Photographers may delete their own unused
// assets.
func (s *Service) DeleteAsset(ctx context.Context, id string, force bool) error {
	u, err := require(ctx, core.RolePhotographer)
	if err != nil {
		return err
	}
	a, err := s.store.AssetByID(ctx, id)
	if err != nil {
		return err
	}
	if !u.Role.AtLeast(core.RoleEditor) && (a.UploadedBy != u.ID || force) {
		return core.Errorf(core.CodeForbidden, "only editors may delete others' assets or force a delete")
	}
	gals, arts, err := s.assetUses(ctx, id)
	if err != nil {
		return err
	}
	if len(gals)+len(arts) > 0 {
		if !force {
			return core.Errorf(core.CodeConflict, "asset %s is used in %d galleries and %d articles", id, len(gals), len(arts))
		}
		if err := s.detachAsset(ctx, id, gals, arts); err != nil {
			return err
		}
	}
	defer s.contentChanged()
	if err := s.store.DeleteAsset(ctx, id); err != nil {
		return err
	}
	ctx = context.WithoutCancel(ctx)
	// A gallery or article saved with the asset after the look above
	// checked that the asset existed before we deleted it: look again now
	// and take it out. (One saved after this look finds the asset gone
	// itself and drops it: see mutateGallery and mutateArticle.)
	gals, arts, err = s.assetUses(ctx, id)
	if err == nil && len(gals)+len(arts) > 0 {
		s.log.Info("removing a deleted asset from content that took it meanwhile", "asset", id, "galleries", len(gals), "articles", len(arts))
		err = s.detachAsset(ctx, id, gals, arts)
	}
	if err != nil {
		s.log.Warn("remove a deleted asset from content; reconcile will", "asset", id, "err", err)
	}
	s.deleteAssetObjects(ctx, a)
	return nil
}

// detachAsset removes every use of an asset from galleries and articles.
func (s *Service) detachAsset(ctx context.Context, id string, gals []*core.Gallery, arts []*core.Article) error {
	gone := map[string]bool{id: true}
	for _, g := range gals {
		_, err := s.mutateGallery(ctx, g.ID, nil, func(g *core.Gallery) error {
			dropGalleryAssets(g, gone)
			return nil
		})
		if err != nil && !core.IsCode(err, core.CodeNotFound) {
			return err
		}
	}
	for _, a := range arts {
		_, err := s.mutateArticle(ctx, a.ID, nil, func(a *core.Article) error {
			dropArticleRefs(a, gone, nil)
			return nil
		})
		if err != nil && !core.IsCode(err, core.CodeNotFound) {
			return err
		}
	}
	return nil
}

// assetUses finds the galleries and articles that use an asset.
func (s *Service) assetUses(ctx context.Context, id string) ([]*core.Gallery, []*core.Article, error) {
	gals, err := s.store.GalleriesWithAsset(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	arts, err := s.store.ArticlesWithAsset(ctx, id)
	return gals, arts, err
}

// goneAssets returns the ids no asset has (any more).
func (s *Service) goneAssets(ctx context.Context, ids []string) (map[string]bool, error) {
	return goneIDs(ctx, ids, s.store.AssetsByIDs, assetID)
}

// goneIDs returns the ids load finds no document for (deleted, or never
// there), straight from the store: a request's loader may hold older
// copies.
func goneIDs[T any](ctx context.Context, ids []string, load func(context.Context, []string) ([]*T, error), id func(*T) string) (map[string]bool, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	found, err := load(ctx, ids)
	if err != nil {
		return nil, err
	}
	gone := map[string]bool{}
	for _, x := range missingIDs(ids, found, id) {
		gone[x] = true
	}
	return gone, nil
}

// deleteAssetObjects removes the stored files of a deleted asset. Keys
// derive from the content, so the same file uploaded again meanwhile owns
// the very same keys: each key is deleted only while no record has the
// file's hash (deleteUnowned). Failures are logged; the reconciler removes
// what is left.
func (s *Service) deleteAssetObjects(ctx context.Context, a *core.Asset) {
	keys := []string{a.OriginalKey}
	for _, r := range a.Renditions {
		keys = append(keys, r.Key)
	}
	for _, k := range keys {
		if err := s.deleteUnowned(ctx, a.SHA256, k); errors.Is(err, errOwned) {
			return // a new asset has these bytes: the rest is its too
		} else if err != nil {
			s.log.Warn("delete object of deleted asset", "asset", a.ID, "key", k, "err", err)
		}
	}
}

// errOwned: an asset record has the hash an object key derives from.
var errOwned = errors.New("app: a record owns the object")

// deleteUnowned deletes key, an object derived from the file with hash sha,
// unless an asset with that hash exists, looked up right before: errOwned
// then. The window left between that look and the delete (an upload of the
// same file recording its asset in between) is closed on the upload's side:
// storeOriginal stores the original again when it finds it gone after
// recording the asset, and an upload that finds a record whose original is
// missing stores it again too (restoreOriginal).
func (s *Service) deleteUnowned(ctx context.Context, sha, key string) error {
	_, err := s.store.AssetBySHA256(ctx, sha)
	switch {
	case err == nil:
		return errOwned
	case !core.IsCode(err, core.CodeNotFound):
		return err
	}
	return s.objects.Delete(ctx, key)
}

// restoreOriginal stores data again as asset a's original when the object
// is missing (lost to a delete of an earlier asset with the same bytes, see
// deleteUnowned, or to storage), and says whether it did. Failures are
// logged: the upload goes on, and reconcile settles the asset.
func (s *Service) restoreOriginal(ctx context.Context, a *core.Asset, data []byte, contentType string) bool {
	_, err := s.objects.Stat(ctx, a.OriginalKey)
	if err == nil {
		return false
	}
	if core.IsCode(err, core.CodeNotFound) {
		err = s.objects.Put(ctx, a.OriginalKey, bytes.NewReader(data), int64(len(data)), contentType)
	}
	if err != nil {
		s.log.Warn("check the original of an uploaded file", "asset", a.ID, "key", a.OriginalKey, "err", err)
		return false
	}
	s.log.Info("stored a missing original again", "asset", a.ID, "key", a.OriginalKey)
	return true
}

// reviveDuplicate gives an existing asset uploaded again a second chance:
// it stores its original again when it is missing, and it queues its
// processing then, or when the asset FAILED (set back to PROCESSING, as
// reprocessAsset does). Processing may have failed for a passing reason
// (storage down through every attempt): uploading the file again, or
// running an import again, is how people retry, and a file that really
// cannot be processed just fails again. a is updated in place.
func (s *Service) reviveDuplicate(ctx context.Context, a *core.Asset, data []byte, contentType string) error {
	ctx = context.WithoutCancel(ctx)
	again := s.restoreOriginal(ctx, a, data, contentType)
	if a.Status == core.AssetFailed {
		b, err := s.mutateAsset(ctx, a.ID, func(x *core.Asset) error {
			retryFailed(x)
			return nil
		})
		if err != nil {
			return err
		}
		*a = *b
		again = true
	}
	if !again {
		return nil
	}
	return s.enqueueProcessing(ctx, a.ID)
}

// ListAssets lists the library, newest first; with unattached, only assets
// no gallery or article uses. Signed-in users only.
func (s *Service) ListAssets(ctx context.Context, q core.AssetQuery, unattached bool) (core.PageOf[*core.Asset], error) {
	if _, err := require(ctx, core.RolePhotographer); err != nil {
		return core.PageOf[*core.Asset]{}, err
	}
	if unattached {
		used, err := s.store.AssetIDsInUse(ctx)
		if err != nil {
			return core.PageOf[*core.Asset]{}, err
		}
		q.ExcludeIDs = append(q.ExcludeIDs, used...)
	}
	return s.store.ListAssets(ctx, q)
}

// OpenRendition opens a rendition's bytes for delivery: name is a
// rendition's name ("w1024": its JPEG or PNG) or its name and ".webp" (its
// WebP twin). Anonymous callers may read renditions of public assets only;
// NOT_FOUND otherwise.
func (s *Service) OpenRendition(ctx context.Context, assetID, name string) (media.Object, *core.Rendition, error) {
	a, err := s.Asset(ctx, assetID)
	if err != nil {
		return nil, nil, err
	}
	var r *core.Rendition
	if base, ok := strings.CutSuffix(name, ".webp"); ok {
		r = a.RenditionIn(base, core.FormatWebP)
	} else {
		r = a.Rendition(name)
	}
	if r == nil {
		return nil, nil, core.Errorf(core.CodeNotFound, "asset %s has no rendition %q", assetID, name)
	}
	obj, err := s.objects.Open(ctx, r.Key)
	if err != nil {
		return nil, nil, err
	}
	return obj, r, nil
}

// RenditionURL is the public URL of a rendition: content-addressed, since
// v changes whenever the bytes do.
func (s *Service) RenditionURL(assetID string, r *core.Rendition) string {
	v := r.ETag
	if len(v) > 16 {
		v = v[:16]
	}
	name := r.Name
	if r.Format == core.FormatWebP {
		name += ".webp"
	}
	return s.cfg.MediaBaseURL + "/" + assetID + "/" + name + "?v=" + v
}
