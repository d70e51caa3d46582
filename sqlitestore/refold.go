package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/core/sortkey"
	"github.com/stillroom/stillroom/fold"
)

// foldSetting names the settings row holding the fold.Version that the
// stored sort keys and search terms were folded with (no row: 1, or a new
// file).
const foldSetting = "sqlitestore.foldVersion"

// refoldBatch is how many documents refold reads at a time.
const refoldBatch = 500

// refold brings what an older fold.Version folded up to date when the
// store opens: every title and file name sort key, and every document's
// search tokens (old tokens refold to the new ones: a change of folding
// maps letters, it never moves a word boundary). Only documents whose
// keys or tokens change are written, each by a versioned replace (so
// other processes' caches see it); one changed meanwhile by someone else
// got its keys and tokens from that write. Then it records fold.Version,
// so later opens cost one read.
func (db *DB) refold(ctx context.Context) error {
	var stored string
	err := db.queryRow(ctx, "SELECT value FROM settings WHERE name = ?", foldSetting).Scan(&stored)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlitestore: read %s: %w", foldSetting, err)
	}
	if v, _ := strconv.Atoi(stored); v >= fold.Version {
		return nil
	}
	if err := db.Refold(ctx); err != nil {
		return err
	}
	_, err = db.exec(ctx, `INSERT INTO settings (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value WHERE CAST(value AS INTEGER) < CAST(excluded.value AS INTEGER)`,
		foldSetting, strconv.Itoa(fold.Version))
	if err != nil {
		return fmt.Errorf("sqlitestore: write %s: %w", foldSetting, err)
	}
	return nil
}

// Refold refolds every stored sort key and search token with this
// version's folding, whatever the file records. Opening does it when the
// file was folded by an older version; data copied in from another store
// (internal/tools/migrateembedded) needs it too, since it carries the
// folding of the version that wrote it.
func (db *DB) Refold(ctx context.Context) error {
	err := refoldColl(ctx, db, collArticles, "title_key",
		func(a *core.Article) (string, *[]string) { return sortkey.Text(a.Title, a.ID), &a.SearchTokens }, db.UpdateArticle)
	if err == nil {
		err = refoldColl(ctx, db, collGalleries, "title_key",
			func(g *core.Gallery) (string, *[]string) { return sortkey.Text(g.Title, g.ID), &g.SearchTokens }, db.UpdateGallery)
	}
	if err == nil {
		err = refoldColl(ctx, db, collAssets, "filename_key",
			func(a *core.Asset) (string, *[]string) {
				return sortkey.Asset(a, core.SortFilename, false), &a.SearchTokens
			}, db.UpdateAsset)
	}
	if err != nil {
		return fmt.Errorf("sqlitestore: refold %s: %w", db.path, err)
	}
	return nil
}

// refoldColl rewrites, through update, every document of coll whose key
// (compared with column keyCol) or refolded search tokens differ from
// what is stored.
func refoldColl[T any](ctx context.Context, db *DB, coll, keyCol string, keys func(*T) (string, *[]string), update func(context.Context, *T) error) error {
	after := ""
	for {
		var changed []*T
		rows, err := db.query(ctx, "SELECT id, doc, "+keyCol+" FROM "+coll+" WHERE id > ? ORDER BY id LIMIT ?", after, refoldBatch)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			var doc []byte
			var key string
			if err := rows.Scan(&after, &doc, &key); err != nil {
				rows.Close()
				return err
			}
			n++
			v := new(T)
			if err := json.Unmarshal(doc, v); err != nil {
				rows.Close()
				return fmt.Errorf("decode %s %s: %w", coll, after, err)
			}
			newKey, tokens := keys(v)
			refolded := fold.Tokens(*tokens...)
			if newKey != key || !slices.Equal(refolded, *tokens) {
				*tokens = refolded
				changed = append(changed, v)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, v := range changed {
			if err := update(ctx, v); err != nil && !core.IsCode(err, core.CodeConflict) && !core.IsCode(err, core.CodeNotFound) {
				return err
			}
		}
		if n < refoldBatch {
			return nil
		}
	}
}
