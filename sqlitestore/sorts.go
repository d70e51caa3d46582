package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/core/sortkey"
)

// Sort keys (see package core/sortkey) are columns beside each document,
// written with it, each indexed: title_key on articles and galleries, and
// on assets the columns of assetKeyColumns.

// assetKeyColumns are the asset's sort key columns, in the order of
// assetKeys.
var assetKeyColumns = []string{"filename_key", "taken_asc", "taken_desc", "timecode_asc", "timecode_desc"}

// assetKeys are a's sort keys, as stored.
func assetKeys(a *core.Asset) []any {
	return []any{
		sortkey.Asset(a, core.SortFilename, false),
		sortkey.Asset(a, core.SortTakenAt, false), sortkey.Asset(a, core.SortTakenAt, true),
		sortkey.Asset(a, core.SortTimecode, false), sortkey.Asset(a, core.SortTimecode, true),
	}
}

// sortColumn is the column holding the key of the order by, desc of coll;
// BAD_USER_INPUT for an order coll lacks.
func sortColumn(coll string, by core.SortBy, desc bool) (string, error) {
	if err := sortkey.Check(coll, by); err != nil {
		return "", err
	}
	dir := "_asc"
	if desc {
		dir = "_desc"
	}
	switch by {
	case core.SortTitle:
		return "title_key", nil
	case core.SortFilename:
		return "filename_key", nil
	case core.SortTakenAt:
		return "taken" + dir, nil
	case core.SortTimecode:
		return "timecode" + dir, nil
	}
	return "id", nil
}

// migrateSortKeys (schema version 1 to 2) adds the sort key columns and
// their indexes, and fills them from every stored document, in tx.
func migrateSortKeys(ctx context.Context, tx *sql.Tx) error {
	stmts := []string{
		"ALTER TABLE articles ADD COLUMN title_key TEXT NOT NULL DEFAULT ''",
		"ALTER TABLE galleries ADD COLUMN title_key TEXT NOT NULL DEFAULT ''",
	}
	for _, c := range assetKeyColumns {
		stmts = append(stmts, "ALTER TABLE assets ADD COLUMN "+c+" TEXT NOT NULL DEFAULT ''")
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	if err := backfill(ctx, tx, collArticles, func(a *core.Article) []any { return []any{sortkey.Text(a.Title, a.ID)} }, "title_key"); err != nil {
		return err
	}
	if err := backfill(ctx, tx, collGalleries, func(g *core.Gallery) []any { return []any{sortkey.Text(g.Title, g.ID)} }, "title_key"); err != nil {
		return err
	}
	if err := backfill(ctx, tx, collAssets, assetKeys, assetKeyColumns...); err != nil {
		return err
	}
	idx := []string{
		"CREATE INDEX articles_title_key ON articles(title_key)",
		"CREATE INDEX galleries_title_key ON galleries(title_key)",
	}
	for _, c := range assetKeyColumns {
		idx = append(idx, fmt.Sprintf("CREATE INDEX assets_%s ON assets(%s)", c, c))
	}
	for _, s := range idx {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// backfill sets cols of every row of coll to what keys makes of its
// document.
func backfill[T any](ctx context.Context, tx *sql.Tx, coll string, keys func(*T) []any, cols ...string) error {
	rows, err := tx.QueryContext(ctx, "SELECT id, doc FROM "+coll)
	if err != nil {
		return err
	}
	type update struct {
		id   string
		vals []any
	}
	var ups []update
	for rows.Next() {
		var id string
		var doc []byte
		if err := rows.Scan(&id, &doc); err != nil {
			rows.Close()
			return err
		}
		v := new(T)
		if err := json.Unmarshal(doc, v); err != nil {
			rows.Close()
			return fmt.Errorf("decode %s %s: %w", coll, id, err)
		}
		ups = append(ups, update{id, keys(v)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	set := ""
	for i, c := range cols {
		if i > 0 {
			set += ", "
		}
		set += c + " = ?"
	}
	stmt, err := tx.PrepareContext(ctx, "UPDATE "+coll+" SET "+set+" WHERE id = ?")
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, u := range ups {
		if _, err := stmt.ExecContext(ctx, append(u.vals, u.id)...); err != nil {
			return err
		}
	}
	return nil
}
