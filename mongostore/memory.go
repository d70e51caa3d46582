package mongostore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// memColl is an in-memory copy of one collection, kept for Config.Memory:
// every document as the BSON bytes this store wrote (or read at start),
// with the IDs in order. Writes go to the database first and, once it has
// them, here; reads are answered from here. It is only correct while this
// store is the database's one writer, which the embedded server guarantees
// (one process per data folder, one store per process).
//
// Why: FerretDB v1's SQLite backend answers every query but a single-_id
// lookup by decoding the whole collection (about 0.4 ms per document on
// these machines), so a page of 20 articles with their galleries and
// photos took tens of milliseconds whatever the indexes. In memory the same
// reads cost microseconds a document, and the database stays the record.
//
// A stored document is never modified in place (a write replaces its
// bytes), so readers can decode what they took without holding the lock.
type memColl struct {
	name string

	mu   sync.RWMutex
	docs map[string]*memDoc
	ids  []string // ascending: IDs are time-ordered, so this is creation order
	// stale is set when a write's outcome is unknown and reading it back
	// failed too: reads go to the database until the store is reopened.
	stale bool
}

// memDoc is one stored document: its bytes, and once read, its decoded
// form, which readers get copies of (see decodeAll).
type memDoc struct {
	raw     bson.Raw
	decoded atomic.Pointer[decodedDoc]
}

// decodedDoc holds a *D for the collection's document type D.
type decodedDoc struct{ v any }

// loadMem reads every document of coll.
func loadMem(ctx context.Context, coll *mongo.Collection) (*memColl, error) {
	m := &memColl{name: coll.Name(), docs: map[string]*memDoc{}}
	cur, err := coll.Find(ctx, bson.D{})
	if err != nil {
		return nil, err
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		raw := slices.Clone(cur.Current)
		id, ok := raw.Lookup("_id").StringValueOK()
		if !ok {
			return nil, fmt.Errorf("%s: a document without a string _id", m.name)
		}
		m.docs[id] = &memDoc{raw: raw}
		m.ids = append(m.ids, id)
	}
	if err := cur.Err(); err != nil {
		return nil, err
	}
	slices.Sort(m.ids)
	return m, nil
}

// usable reports whether reads may be answered from memory.
func (m *memColl) usable() bool {
	if m == nil {
		return false
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return !m.stale
}

// put stores (or replaces) the document id.
func (m *memColl) put(id string, raw bson.Raw) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.docs[id]; !ok {
		i, _ := slices.BinarySearch(m.ids, id)
		m.ids = slices.Insert(m.ids, i, id)
	}
	m.docs[id] = &memDoc{raw: raw}
}

// remove forgets the document id.
func (m *memColl) remove(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.docs[id]; !ok {
		return
	}
	delete(m.docs, id)
	if i, found := slices.BinarySearch(m.ids, id); found {
		m.ids = slices.Delete(m.ids, i, i+1)
	}
}

// resync reads document id back from the database after a write whose
// outcome is unknown (the connection broke, the context ended): whatever
// the database holds is what memory holds. If even that fails, the
// collection is marked stale and every later read goes to the database.
func (m *memColl) resync(coll *mongo.Collection, id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	raw, err := coll.FindOne(ctx, eq("_id", id)).Raw()
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		m.remove(id)
	case err != nil:
		m.mu.Lock()
		m.stale = true
		m.mu.Unlock()
	default:
		m.put(id, slices.Clone(raw))
	}
}

// byID returns the document id, or nil.
func (m *memColl) byID(id string) *memDoc {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.docs[id]
}

// byIDs returns the documents among ids that exist, newest first.
func (m *memColl) byIDs(ids []string) []*memDoc {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]*memDoc, 0, len(sorted))
	for i := len(sorted) - 1; i >= 0; i-- {
		if d, ok := m.docs[sorted[i]]; ok {
			out = append(out, d)
		}
	}
	return out
}

// findCheckEvery is how many documents find looks at between checks of
// its context.
const findCheckEvery = 64

// find returns, newest first, up to limit (0: all) documents matching
// filter whose ID is below before ("" for no bound), and, when count is
// set, how many documents match filter regardless of before and limit.
// It stops with ctx's error when ctx ends (checked every
// findCheckEvery documents), so an operation's timeout stops a long scan.
func (m *memColl) find(ctx context.Context, filter bson.D, before string, limit int, count bool) ([]*memDoc, int64, error) {
	mt, err := newMatcher(filter)
	if err != nil {
		return nil, 0, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	start := len(m.ids)
	if before != "" {
		start = sort.SearchStrings(m.ids, before)
	}
	hi := len(m.ids) // without a count, documents at or above start are not looked at
	if !count {
		hi = start
	}
	var out []*memDoc
	var total int64
	for i := hi - 1; i >= 0; i-- {
		if !count && limit > 0 && len(out) == limit {
			break
		}
		if (hi-i)%findCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, 0, err
			}
		}
		d := m.docs[m.ids[i]]
		if !mt.match(d.raw) {
			continue
		}
		total++
		if i < start && (limit == 0 || len(out) < limit) {
			out = append(out, d)
		}
	}
	return out, total, nil
}

// decodeAll returns copies of the documents decoded as D. The first read
// of a document as its collection's type decodes its bytes and keeps the
// result; later reads get a deep copy of it (copyDoc), several times
// cheaper than decoding again. Nothing read is shared with the kept form,
// so callers may change what they get.
func decodeAll[D any](docs []*memDoc) ([]D, error) {
	out := make([]D, len(docs))
	for i, d := range docs {
		if err := decodeMem(d, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func decodeMem[D any](d *memDoc, out *D) error {
	if c := d.decoded.Load(); c != nil {
		if kept, ok := c.v.(*D); ok {
			*out = copyDoc(kept)
			return nil
		}
		// Read as another type (a projection): decode, keep nothing.
		return bson.Unmarshal(d.raw, out)
	}
	kept := new(D)
	if err := bson.Unmarshal(d.raw, kept); err != nil {
		return err
	}
	d.decoded.CompareAndSwap(nil, &decodedDoc{v: kept})
	*out = copyDoc(kept)
	return nil
}
