package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/stillroom/stillroom/app"
)

// mediaHandler serves rendition bytes: GET/HEAD /media/{asset}/{rendition}
// with Range, strong ETag and 304 on If-None-Match (http.ServeContent).
// Public renditions are cacheable forever (their URL changes with their
// bytes); renditions of unpublished assets are readable only with a token
// and are never stored by shared caches.
func mediaHandler(svc *app.Service, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		obj, rend, err := svc.OpenRendition(r.Context(), r.PathValue("asset"), r.PathValue("rendition"))
		if err != nil {
			writeError(w, log, err)
			return
		}
		defer obj.Close()
		h := w.Header()
		h.Set("Content-Type", "image/"+rend.Format)
		h.Set("ETag", `"`+rend.ETag+`"`)
		h.Set("X-Content-Type-Options", "nosniff")
		if app.UserFrom(r.Context()) == nil {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "private, max-age=300")
		}
		http.ServeContent(w, r, "", obj.Info().ModTime, obj)
	})
}
