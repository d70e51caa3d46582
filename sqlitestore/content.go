package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/stillroom/stillroom/core"
)

// Collections with documents, as named in the terms table.
const (
	collAssets    = "assets"
	collGalleries = "galleries"
	collArticles  = "articles"
)

// Term fields.
const (
	fieldSearch  = "s"
	fieldTag     = "tag"
	fieldAsset   = "asset"
	fieldGallery = "gallery"
)

// term is one value of a multi-valued field of a document.
type term struct{ field, value string }

// row is a document to write: its table columns (besides id, version and
// doc) in order, its terms and its JSON.
type row struct {
	coll    string
	id      string
	version int
	cols    []string
	vals    []any
	terms   []term
	doc     []byte
}

// insertRow inserts r and its terms in one transaction.
func (db *DB) insertRow(ctx context.Context, r row) error {
	cols := append([]string{"id", "version", "doc"}, r.cols...)
	args := append([]any{r.id, r.version, string(r.doc)}, r.vals...)
	q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", r.coll, strings.Join(cols, ", "), placeholders(len(cols)))
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
		return insertTerms(ctx, tx, r)
	})
}

// replaceVersioned replaces the row r.id whose version is still version
// with r (which carries version+1) and its terms, in one transaction.
// CONFLICT when the stored version differs, NOT_FOUND when the row is
// gone; what names it in errors, conflict is the message of a unique
// violation.
func (db *DB) replaceVersioned(ctx context.Context, r row, version int, what, conflict string) error {
	sets := make([]string, 0, len(r.cols)+2)
	sets = append(sets, "version = ?", "doc = ?")
	args := append([]any{r.version, string(r.doc)}, r.vals...)
	for _, c := range r.cols {
		sets = append(sets, c+" = ?")
	}
	args = append(args, r.id, version)
	q := fmt.Sprintf("UPDATE %s SET %s WHERE id = ? AND version = ?", r.coll, strings.Join(sets, ", "))
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			var stored int
			err := tx.QueryRowContext(ctx, "SELECT version FROM "+r.coll+" WHERE id = ?", r.id).Scan(&stored)
			if err != nil {
				return err // sql.ErrNoRows: gone
			}
			return core.Errorf(core.CodeConflict, "%s was changed by someone else: version %d is stale", what, version)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM terms WHERE coll = ? AND id = ?", r.coll, r.id); err != nil {
			return err
		}
		return insertTerms(ctx, tx, r)
	})
	return translate(err, "update", what, conflict)
}

// deleteRow removes the row id of coll and its terms; NOT_FOUND when
// there is none.
func (db *DB) deleteRow(ctx context.Context, coll, id, what string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM "+coll+" WHERE id = ?", id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return sql.ErrNoRows
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM terms WHERE coll = ? AND id = ?", coll, id)
		return err
	})
	return translate(err, "delete", what, "")
}

func insertTerms(ctx context.Context, tx *sql.Tx, r row) error {
	if len(r.terms) == 0 {
		return nil
	}
	// Duplicates (a word twice, an asset used twice) are one row.
	const batch = 200
	for start := 0; start < len(r.terms); start += batch {
		ts := r.terms[start:min(start+batch, len(r.terms))]
		var b strings.Builder
		b.WriteString("INSERT OR IGNORE INTO terms (coll, field, value, id) VALUES ")
		args := make([]any, 0, 4*len(ts))
		for i, t := range ts {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?)")
			args = append(args, r.coll, t.field, t.value, r.id)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// termsOf lists values as terms of field, skipping empty ones.
func termsOf(ts []term, field string, values ...string) []term {
	for _, v := range values {
		if v != "" {
			ts = append(ts, term{field, v})
		}
	}
	return ts
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// where is a conjunction of SQL conditions with their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// idsJSON is ids as a JSON array, for "id IN (SELECT value FROM
// json_each(?))": one argument however many IDs.
func idsJSON(ids []string) string {
	b, _ := json.Marshal(ids)
	return string(b)
}

// hasTerm adds the condition that the document of coll has a term field
// equal to value.
func (w *where) hasTerm(coll, field, value string) {
	w.add("id IN (SELECT id FROM terms WHERE coll = ? AND field = ? AND value = ?)", coll, field, value)
}

// search adds the conditions of a search (see core.ArticleQuery.Search):
// every word must be a search token, the last may be a prefix of one.
// Empty words are ignored.
func (w *where) search(coll string, words []string) {
	var ws []string
	for _, s := range words {
		if s != "" {
			ws = append(ws, s)
		}
	}
	if len(ws) == 0 {
		return
	}
	for _, s := range ws[:len(ws)-1] {
		w.hasTerm(coll, fieldSearch, s)
	}
	// A prefix is a range: tokens are valid UTF-8, which never holds the
	// byte 0xFF, so every token starting with p sorts in [p, p+"\xff").
	p := ws[len(ws)-1]
	w.add("id IN (SELECT id FROM terms WHERE coll = ? AND field = ? AND value >= ? AND value < ?)",
		coll, fieldSearch, p, p+"\xff")
}

// publication adds the conditions of a publication filter (see
// core.Publication.EffectiveStatus). A zero Now means the current time.
func (w *where) publication(f core.PublicationFilter) error {
	now := f.Now
	if now.IsZero() {
		now = timeNow()
	}
	switch f.Status {
	case "":
	case core.StatusDraft:
		w.add("status = ?", string(core.StatusDraft))
	case core.StatusScheduled:
		w.add("status = ? AND publish_at > ?", string(core.StatusPublished), ms(now))
	case core.StatusPublished:
		w.add("status = ? AND publish_at <= ?", string(core.StatusPublished), ms(now))
	default:
		return core.Errorf(core.CodeBadUserInput, "unknown publication status %q", f.Status)
	}
	return nil
}

// checkPage returns BAD_USER_INPUT unless the limit is 1..core.MaxPageSize.
func checkPage(p core.Page) error {
	if p.Limit < 1 || p.Limit > core.MaxPageSize {
		return core.Errorf(core.CodeBadUserInput, "limit must be between 1 and %d", core.MaxPageSize)
	}
	return nil
}

// listPage returns one page of the documents of coll matching w, in the
// page's order (newest first by default; see core.Page), decoded into T. It reads one more than the page to learn whether
// more follow and counts the matches (without the cursor) only when the
// page does not already show them all.
func listPage[T any](ctx context.Context, db *DB, coll string, w where, page core.Page) (core.PageOf[*T], error) {
	var out core.PageOf[*T]
	if err := checkPage(page); err != nil {
		return out, err
	}
	col, err := sortColumn(coll, page.By, page.Desc)
	if err != nil {
		return out, err
	}
	paged := where{conds: slices.Clone(w.conds), args: slices.Clone(w.args)}
	bound, order := col+" < ?", " ORDER BY "+col+" DESC LIMIT ?"
	if page.Oldest {
		bound, order = col+" > ?", " ORDER BY "+col+" ASC LIMIT ?"
	}
	if page.After != "" {
		paged.add(bound, page.After)
	}
	items, err := queryDocs[T](ctx, db, coll, paged.sql()+order, append(paged.args, page.Limit+1)...)
	if err != nil {
		return out, translate(err, "list", coll, "")
	}
	if len(items) > page.Limit {
		out.HasNext = true
		items = items[:page.Limit]
	}
	out.Items = items
	if out.Items == nil {
		out.Items = []*T{} // as on MongoDB: an empty page, not none
	}
	out.Total = int64(len(items))
	if page.After != "" || out.HasNext {
		if err := db.queryRow(ctx, "SELECT count(*) FROM "+coll+w.sql(), w.args...).Scan(&out.Total); err != nil {
			return out, translate(err, "count", coll, "")
		}
	}
	return out, nil
}

// queryDocs reads the documents of coll selected by rest (the query after
// "SELECT … FROM coll": conditions and order). The answer is always what
// one statement would return at one moment. With a cache of decoded
// documents (see docCache) it first reads only IDs and versions, takes
// what the cache holds at those versions, and reads the rest by ID in one
// more query, keeping each only at the version the first query saw. A
// document changed or deleted between the two queries (it may no longer
// match rest: an article unpublished meanwhile, in a list of published
// ones) makes it read the whole selection again in one statement: so a
// list never shows a document its filter did not match, and never has a
// row less than it matched (listPage learns HasNext from the length).
// Writes between the two queries are rare, so this costs nothing on the
// usual path.
func queryDocs[T any](ctx context.Context, db *DB, coll, rest string, args ...any) ([]*T, error) {
	c, _ := db.caches[coll].(*docCache[T])
	if c == nil {
		return decodeRows[T](ctx, db, "SELECT doc FROM "+coll+rest, args...)
	}
	rows, err := db.query(ctx, "SELECT id, version FROM "+coll+rest, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*T
	missing := map[string]int{} // ID → version the first query saw
	var missingAt []int         // where in out, in order
	var missingIDs []string
	for rows.Next() {
		var id string
		var version int
		if err := rows.Scan(&id, &version); err != nil {
			return nil, err
		}
		v := c.get(id, version)
		if v == nil {
			missing[id] = version
			missingAt = append(missingAt, len(out))
			missingIDs = append(missingIDs, id)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(missing) == 0 {
		return out, nil
	}
	found, err := readDocs(ctx, db, c, "SELECT id, version, doc FROM "+coll+" WHERE id IN (SELECT value FROM json_each(?))", idsJSON(missingIDs))
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*T, len(found))
	for _, d := range found {
		if d.version == missing[d.id] {
			byID[d.id] = d.v
		}
	}
	for j, i := range missingAt {
		v := byID[missingIDs[j]]
		if v == nil { // changed or deleted since the first query
			return readAll(ctx, db, c, coll, rest, args...)
		}
		out[i] = v
	}
	return out, nil
}

// readAll reads the documents of coll selected by rest in one statement
// (so as of one moment), keeping each in c.
func readAll[T any](ctx context.Context, db *DB, c *docCache[T], coll, rest string, args ...any) ([]*T, error) {
	found, err := readDocs(ctx, db, c, "SELECT id, version, doc FROM "+coll+rest, args...)
	if err != nil {
		return nil, err
	}
	out := make([]*T, len(found))
	for i, d := range found {
		out[i] = d.v
	}
	return out, nil
}

// readDoc is a document as read: its row's ID and version and its
// decoded JSON.
type readDoc[T any] struct {
	id      string
	version int
	v       *T
}

// readDocs runs q, which selects id, version and doc, and decodes every
// row, keeping each document in c.
func readDocs[T any](ctx context.Context, db *DB, c *docCache[T], q string, args ...any) ([]readDoc[T], error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []readDoc[T]
	for rows.Next() {
		d := readDoc[T]{v: new(T)}
		var doc sql.RawBytes
		if err := rows.Scan(&d.id, &d.version, &doc); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(doc, d.v); err != nil {
			return nil, fmt.Errorf("decode document %s: %w", d.id, err)
		}
		c.put(d.id, d.version, d.v)
		out = append(out, d)
	}
	return out, rows.Err()
}

// decodeRows runs q, which selects one doc column, and decodes every row.
func decodeRows[T any](ctx context.Context, db *DB, q string, args ...any) ([]*T, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		var doc sql.RawBytes
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		v := new(T)
		if err := json.Unmarshal(doc, v); err != nil {
			return nil, fmt.Errorf("decode document: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// docByKey returns the document of coll whose column key equals value;
// NOT_FOUND (what) when there is none.
func docByKey[T any](ctx context.Context, db *DB, coll, key, value, what string) (*T, error) {
	docs, err := queryDocs[T](ctx, db, coll, " WHERE "+key+" = ?", value)
	if err == nil && len(docs) == 0 {
		err = sql.ErrNoRows
	}
	if err != nil {
		return nil, translate(err, "find", what, "")
	}
	return docs[0], nil
}

// docsByIDs returns the documents of coll among ids, newest first.
func docsByIDs[T any](ctx context.Context, db *DB, coll string, ids []string, what string) ([]*T, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	docs, err := queryDocs[T](ctx, db, coll,
		" WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id DESC", idsJSON(ids))
	return docs, translate(err, "find", what, "")
}

// docsWithTerm returns the documents of coll having any of the terms
// (field, value), newest first.
func docsWithTerm[T any](ctx context.Context, db *DB, coll string, fields []string, value, what string) ([]*T, error) {
	docs, err := queryDocs[T](ctx, db, coll,
		" WHERE id IN (SELECT id FROM terms WHERE coll = ? AND field IN (SELECT value FROM json_each(?)) AND value = ?) ORDER BY id DESC",
		coll, idsJSON(fields), value)
	return docs, translate(err, "find", what, "")
}

// timeNow is the clock of publication filters without Now.
var timeNow = time.Now

// encode is v as JSON.
func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("sqlitestore: encode %T: %v", v, err)) // core types always encode
	}
	return b
}
