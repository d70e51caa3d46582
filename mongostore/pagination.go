package mongostore

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/stillroom/stillroom/core"
)

// conds is a conjunction of query conditions. Keeping each condition its
// own document lets several of them constrain the same field (_id by a
// cursor, a list of IDs and a list of excluded IDs).
type conds []bson.D

// filter returns the query document that requires every condition.
func (c conds) filter() bson.D {
	switch len(c) {
	case 0:
		return bson.D{}
	case 1:
		return c[0]
	}
	all := make(bson.A, len(c))
	for i, d := range c {
		all[i] = d
	}
	return bson.D{{Key: "$and", Value: all}}
}

// eq is the condition field == value.
func eq(field string, value any) bson.D { return bson.D{{Key: field, Value: value}} }

// op is the condition {field: {operator: value}}.
func op(field, operator string, value any) bson.D {
	return bson.D{{Key: field, Value: bson.D{{Key: operator, Value: value}}}}
}

// newestFirst orders a list by _id descending, which is creation order
// reversed because IDs are time-ordered (see core.NewID).
var newestFirst = bson.D{{Key: "_id", Value: -1}}

// checkPage returns BAD_USER_INPUT unless the limit is 1..core.MaxPageSize.
func checkPage(p core.Page) error {
	if p.Limit < 1 || p.Limit > core.MaxPageSize {
		return core.Errorf(core.CodeBadUserInput, "limit must be between 1 and %d", core.MaxPageSize)
	}
	return nil
}

// listPage returns one page of the documents of coll matching cs, newest
// first (oldest first with page.Oldest), converted by conv. It fetches one
// document more than the page to learn whether more follow, and counts the matches without the cursor for
// the total; when the first page already holds every match, it skips the
// count (one round trip instead of two).
func listPage[D any, T any](ctx context.Context, db *DB, coll *mongo.Collection, cs conds, page core.Page, conv func(*D) T) (core.PageOf[T], error) {
	var out core.PageOf[T]
	if err := checkPage(page); err != nil {
		return out, err
	}
	docs, total, err := findPage[D](ctx, db, coll, cs, page)
	if err != nil {
		return out, err
	}
	if len(docs) > page.Limit {
		out.HasNext = true
		docs = docs[:page.Limit]
	}
	out.Items = make([]T, len(docs))
	for i := range docs {
		out.Items[i] = conv(&docs[i])
	}
	out.Total = total
	return out, nil
}

// findPage returns up to page.Limit+1 documents matching cs after the
// cursor, in the page's order (see core.Page), and the number of matches without the cursor.
func findPage[D any](ctx context.Context, db *DB, coll *mongo.Collection, cs conds, page core.Page) ([]D, int64, error) {
	needCount := func(n int) bool { return page.After != "" || n > page.Limit }
	field, err := sortField(coll.Name(), page.By, page.Desc)
	if err != nil {
		return nil, 0, err
	}
	paged := cs
	order, bound := bson.D{{Key: field, Value: -1}}, "$lt"
	if page.Oldest {
		order, bound = bson.D{{Key: field, Value: 1}}, "$gt"
	}
	if page.After != "" {
		paged = append(cs[:len(cs):len(cs)], op(field, bound, page.After))
	}
	opts := options.Find().SetSort(order).SetLimit(int64(page.Limit) + 1)
	cur, err := coll.Find(ctx, paged.filter(), opts)
	if err != nil {
		return nil, 0, translate(err, "list", coll.Name(), "")
	}
	var docs []D
	if err := cur.All(ctx, &docs); err != nil {
		return nil, 0, translate(err, "list", coll.Name(), "")
	}
	if !needCount(len(docs)) {
		return docs, int64(len(docs)), nil
	}
	total, err := coll.CountDocuments(ctx, cs.filter())
	if err != nil {
		return nil, 0, translate(err, "count", coll.Name(), "")
	}
	return docs, total, nil
}

// findAll returns the documents of coll matching filter, newest first.
func findAll[D any](ctx context.Context, db *DB, coll *mongo.Collection, filter bson.D) ([]D, error) {
	cur, err := coll.Find(ctx, filter, options.Find().SetSort(newestFirst))
	if err != nil {
		return nil, err
	}
	var docs []D
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	return docs, nil
}

// findByIDs returns the documents of coll whose _id is among ids, newest
// first, without a round trip when there are none.
func findByIDs[D any](ctx context.Context, db *DB, coll *mongo.Collection, ids []string) ([]D, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return findAll[D](ctx, db, coll, op("_id", "$in", ids))
}

// findOne decodes into out the document of coll matching filter (one of a
// unique field's values); mongo.ErrNoDocuments when there is none.
func findOne[D any](ctx context.Context, db *DB, coll *mongo.Collection, filter bson.D, out *D) error {
	return coll.FindOne(ctx, filter).Decode(out)
}
