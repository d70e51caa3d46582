package app

import (
	"encoding/base64"
	"strings"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/core/sortkey"
)

// Cursors of lists ordered by a field (core.Page.By) carry the order and
// the last item's sort key (see core/sortkey): "k1:<by>:<a|d>:<key>". A
// cursor of one order is refused by another (BAD_USER_INPUT), since its key
// means nothing there.

const keyCursorPrefix = "k1:"

func keyCursorHead(by core.SortBy, desc bool) string {
	d := "a"
	if desc {
		d = "d"
	}
	return keyCursorPrefix + string(by) + ":" + d + ":"
}

// decodeCursor returns what cursor c (as the API gave it) holds for a list
// in the order by, desc: an ID in creation order, a sort key otherwise.
// BAD_USER_INPUT for a cursor this server did not make or of another order.
func decodeCursor(c string, by core.SortBy, desc bool) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", core.Errorf(core.CodeBadUserInput, "invalid cursor")
	}
	s := string(raw)
	if by == core.SortCreated {
		id, ok := strings.CutPrefix(s, "c1:")
		if !ok || id == "" {
			if strings.HasPrefix(s, keyCursorPrefix) {
				return "", core.Errorf(core.CodeBadUserInput, "cursor of another sort: pass the sort it was made with")
			}
			return "", core.Errorf(core.CodeBadUserInput, "invalid cursor")
		}
		return id, nil
	}
	key, ok := strings.CutPrefix(s, keyCursorHead(by, desc))
	if !ok || key == "" {
		if strings.HasPrefix(s, "c1:") || strings.HasPrefix(s, keyCursorPrefix) {
			return "", core.Errorf(core.CodeBadUserInput, "cursor of another sort: pass the sort it was made with")
		}
		return "", core.Errorf(core.CodeBadUserInput, "invalid cursor")
	}
	return key, nil
}

// cursor is the cursor of the item id whose key in the window's order is
// made by key (called only for orders by a field).
func (w Window) cursor(id string, key func() string) string {
	if w.Page.By == core.SortCreated {
		return Cursor(id)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(keyCursorHead(w.Page.By, w.Page.Desc) + key()))
}

// ArticleCursor is a's cursor in the window's order.
func (w Window) ArticleCursor(a *core.Article) string {
	return w.cursor(a.ID, func() string { return sortkey.Text(a.Title, a.ID) })
}

// GalleryCursor is g's cursor in the window's order.
func (w Window) GalleryCursor(g *core.Gallery) string {
	return w.cursor(g.ID, func() string { return sortkey.Text(g.Title, g.ID) })
}

// AssetCursor is a's cursor in the window's order.
func (w Window) AssetCursor(a *core.Asset) string {
	return w.cursor(a.ID, func() string { return sortkey.Asset(a, w.Page.By, w.Page.Desc) })
}

// SortApplies reports whether list ("articles", "galleries", "assets") may
// be ordered by by.
func SortApplies(list string, by core.SortBy) bool { return sortkey.Check(list, by) == nil }
