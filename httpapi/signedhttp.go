package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/stillroom/stillroom/app"
)

// originalHandler serves a private original through a link signed by the
// server (GET /originals/{asset}?exp=…&sig=…); on S3 originalUrl is a
// presigned GET instead and this route is not used.
func originalHandler(svc *app.Service, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		obj, a, err := svc.OpenOriginal(r.Context(), r.PathValue("asset"), q.Get("exp"), q.Get("sig"))
		if err != nil {
			writeError(w, log, err)
			return
		}
		defer obj.Close()
		h := w.Header()
		h.Set("Content-Type", a.MimeType)
		h.Set("Content-Disposition", app.OriginalDisposition(a, q.Get("download") == "1"))
		h.Set("Cache-Control", "private, no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, "", obj.Info().ModTime, obj)
	})
}

// uploadHandler receives a direct upload on the local disk store
// (PUT /uploads/{ticket}?exp=…&sig=…): 204 when stored.
func uploadHandler(svc *app.Service, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if err := svc.ReceiveUpload(r.Context(), r.PathValue("ticket"), q.Get("exp"), q.Get("sig"), r.Body); err != nil {
			writeError(w, log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
