package sqlitestore

import (
	"context"

	"github.com/stillroom/stillroom/core"
)

const conflictSHA256 = "asset with the same content exists"

// storedAsset is a as it reads back (see the package comment).
func storedAsset(a *core.Asset) *core.Asset {
	c := *a
	c.Tags = nilIfEmpty(c.Tags)
	c.Renditions = nilIfEmpty(c.Renditions)
	c.SearchTokens = nilIfEmpty(c.SearchTokens)
	c.TakenAt = storedTimePtr(c.TakenAt)
	c.CreatedAt = storedTime(c.CreatedAt)
	c.UpdatedAt = storedTime(c.UpdatedAt)
	return &c
}

func assetRow(a *core.Asset, version int) row {
	s := storedAsset(a)
	s.Version = version
	return row{
		coll: collAssets, id: a.ID, version: version,
		cols:  append([]string{"sha256", "status", "uploaded_by", "taken_at", "pipeline_version"}, assetKeyColumns...),
		vals:  append([]any{a.SHA256, string(a.Status), a.UploadedBy, msPtr(s.TakenAt), a.PipelineVersion}, assetKeys(s)...),
		terms: termsOf(nil, fieldSearch, a.SearchTokens...),
		doc:   encode(s),
	}
}

// InsertAsset stores a. CONFLICT when an asset with its SHA256 exists.
func (db *DB) InsertAsset(ctx context.Context, a *core.Asset) error {
	return translate(db.insertRow(ctx, assetRow(a, a.Version)), "insert", "asset "+a.ID, conflictSHA256)
}

// AssetByID returns the asset with id; NOT_FOUND when there is none.
func (db *DB) AssetByID(ctx context.Context, id string) (*core.Asset, error) {
	return docByKey[core.Asset](ctx, db, collAssets, "id", id, "asset "+id)
}

// AssetBySHA256 returns the asset whose original has the hex SHA-256;
// NOT_FOUND when there is none.
func (db *DB) AssetBySHA256(ctx context.Context, sha256 string) (*core.Asset, error) {
	return docByKey[core.Asset](ctx, db, collAssets, "sha256", sha256, "asset with SHA-256 "+sha256)
}

// AssetsByIDs returns the assets that exist among ids, newest first.
func (db *DB) AssetsByIDs(ctx context.Context, ids []string) ([]*core.Asset, error) {
	return docsByIDs[core.Asset](ctx, db, collAssets, ids, "assets by id")
}

// UpdateAsset replaces the stored asset if its version is still a.Version,
// then increments a.Version. CONFLICT when stale or when another asset has
// the new SHA256, NOT_FOUND when gone.
func (db *DB) UpdateAsset(ctx context.Context, a *core.Asset) error {
	if err := db.replaceVersioned(ctx, assetRow(a, a.Version+1), a.Version, "asset "+a.ID, conflictSHA256); err != nil {
		return err
	}
	a.Version++
	return nil
}

// DeleteAsset removes the asset's metadata; NOT_FOUND when there is none.
func (db *DB) DeleteAsset(ctx context.Context, id string) error {
	return db.deleteRow(ctx, collAssets, id, "asset "+id)
}

// ListAssets returns a page of the assets matching q, newest first.
// TakenAfter is inclusive and TakenBefore exclusive; assets without TakenAt
// match neither. A non-nil empty IDs matches nothing. BAD_USER_INPUT when
// the limit is out of range.
func (db *DB) ListAssets(ctx context.Context, q core.AssetQuery) (core.PageOf[*core.Asset], error) {
	var w where
	if q.Status != "" {
		w.add("status = ?", string(q.Status))
	}
	if q.UploadedBy != "" {
		w.add("uploaded_by = ?", q.UploadedBy)
	}
	if q.IDs != nil {
		w.add("id IN (SELECT value FROM json_each(?))", idsJSON(q.IDs))
	}
	if len(q.ExcludeIDs) > 0 {
		w.add("id NOT IN (SELECT value FROM json_each(?))", idsJSON(q.ExcludeIDs))
	}
	if q.TakenAfter != nil {
		w.add("taken_at >= ?", ms(*q.TakenAfter))
	}
	if q.TakenBefore != nil {
		w.add("taken_at < ?", ms(*q.TakenBefore))
	}
	if q.PipelineBelow > 0 {
		w.add("pipeline_version < ?", q.PipelineBelow)
	}
	w.search(collAssets, q.Search)
	return listPage[core.Asset](ctx, db, collAssets, w, q.Page)
}

// AssetIDsInUse returns the IDs of every asset some gallery (item or
// cover) or article (cover or image block) uses, each once.
func (db *DB) AssetIDsInUse(ctx context.Context) ([]string, error) {
	rows, err := db.query(ctx,
		"SELECT DISTINCT value FROM terms WHERE coll IN (?, ?) AND field = ?", collGalleries, collArticles, fieldAsset)
	if err != nil {
		return nil, translate(err, "find", "assets in use", "")
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, translate(err, "find", "assets in use", "")
		}
		out = append(out, id)
	}
	return out, translate(rows.Err(), "find", "assets in use", "")
}
