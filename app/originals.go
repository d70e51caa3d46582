package app

import (
	"context"
	"mime"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/media"
)

// OriginalURL is a short-lived link to an asset's private original, for
// signed-in users (PHOTOGRAPHER and up); nil for anyone else. On S3 it is a
// presigned GET; on the local disk store, a URL this server signs
// (GET /originals/{assetId}). Either answers with the original's file name
// (Content-Disposition, OriginalDisposition); with download, as a file to
// save (attachment) rather than to show (inline), which a browser honours
// on a link to another origin too (S3), where it ignores <a download>.
func (s *Service) OriginalURL(ctx context.Context, a *core.Asset, download bool) (*string, error) {
	if !CanSeePrivate(ctx) {
		return nil, nil
	}
	if p, ok := s.objects.(media.Presigner); ok {
		u, err := p.PresignGet(ctx, a.OriginalKey, s.cfg.OriginalURLTTL, OriginalDisposition(a, download))
		if err != nil {
			return nil, err
		}
		return &u, nil
	}
	u, _, err := s.signedURL(ctx, "original", "/originals/"+a.ID, a.ID, s.cfg.OriginalURLTTL)
	if err != nil {
		return nil, err
	}
	if download {
		// Not signed: it changes only how the same bytes are offered.
		u += "&download=1"
	}
	return &u, nil
}

// OriginalDisposition is the Content-Disposition of a's original:
// attachment when it is to be saved, else inline, with its file name
// (RFC 2231-encoded when it is not plain ASCII, as Vietnamese names are).
func OriginalDisposition(a *core.Asset, download bool) string {
	kind := "inline"
	if download {
		kind = "attachment"
	}
	if a.Filename == "" {
		return kind
	}
	if d := mime.FormatMediaType(kind, map[string]string{"filename": a.Filename}); d != "" {
		return d
	}
	return kind
}

// OpenOriginal opens an original through a link made by OriginalURL.
// FORBIDDEN for a bad or expired signature, NOT_FOUND for an unknown asset.
func (s *Service) OpenOriginal(ctx context.Context, assetID, exp, sig string) (media.Object, *core.Asset, error) {
	if err := s.checkSignature(ctx, "original", assetID, exp, sig); err != nil {
		return nil, nil, err
	}
	a, err := s.store.AssetByID(ctx, assetID)
	if err != nil {
		return nil, nil, err
	}
	obj, err := s.objects.Open(ctx, a.OriginalKey)
	if err != nil {
		return nil, nil, err
	}
	return obj, a, nil
}
