package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"golang.org/x/sync/semaphore"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
)

// Defaults of the upload settings.
const (
	// DefaultUploadBytesInFlight is STILLROOM_UPLOAD_BYTES_IN_FLIGHT: the
	// multipart bytes all requests of the process may hold at once.
	DefaultUploadBytesInFlight = 512 << 20
	// uploadBudgetWait is how long a request waits for its share before
	// it is answered 503.
	uploadBudgetWait = 30 * time.Second
	// maxMultipartPreamble bounds the operations and map parts of a
	// multipart request, which are read before any file: the same bound
	// as a JSON request body.
	maxMultipartPreamble = MaxJSONBodyBytes
)

// uploadBudget bounds the bytes of multipart requests in flight: each
// reserves its declared length (or the largest body when it declares none)
// before any file byte is read, and gives it back when it ends, its temp
// files removed. The reserved bytes cover both the temp files and the copy
// an upload holds in memory while it is checked and stored.
type uploadBudget struct {
	sem   *semaphore.Weighted
	total int64
	wait  time.Duration
}

func newUploadBudget(total int64) *uploadBudget {
	if total <= 0 {
		total = DefaultUploadBytesInFlight
	}
	return &uploadBudget{sem: semaphore.NewWeighted(total), total: total, wait: uploadBudgetWait}
}

// reserve takes n bytes (at most the whole budget), waiting up to b.wait.
func (b *uploadBudget) reserve(ctx context.Context, n int64) (func(), error) {
	n = min(max(n, 1), b.total)
	ctx, cancel := context.WithTimeout(ctx, b.wait)
	defer cancel()
	if err := b.sem.Acquire(ctx, n); err != nil {
		return nil, errOverloaded
	}
	return func() { b.sem.Release(n) }, nil
}

// multipartUploads is the GraphQL multipart request transport
// (operations, map, then the files), written for a hostile network:
//
//   - the operations and map parts are read first (at most
//     maxMultipartPreamble bytes each); too many files or paths per file
//     are refused before a file byte is read;
//   - a request that maps files must come from a signed-in user: anyone
//     else gets UNAUTHENTICATED at once, its files unread;
//   - the request reserves its bytes in the process's upload budget;
//   - files go to temp files (never whole into the heap while they
//     arrive), which are removed however the request ends; a file over
//     the upload limit is refused (413) as soon as it is;
//   - the operation then runs under admission, like a JSON request.
//
// The body's pace is bounded by paceBodies and its size by limitBody.
type multipartUploads struct {
	MaxFiles        int
	MaxPathsPerFile int
	MaxFileBytes    int64
	MaxBodyBytes    int64
	Budget          *uploadBudget
}

var _ graphql.Transport = multipartUploads{}

func (m multipartUploads) Supports(r *http.Request) bool {
	if r.Header.Get("Upgrade") != "" || r.Method != http.MethodPost {
		return false
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

// uploadError is an answer refusing a multipart request.
type uploadError struct {
	status int
	code   core.Code
	msg    string
}

func (m multipartUploads) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	w.Header().Set("Content-Type", contentTypeJSON)
	start := graphql.Now()
	var files []*os.File
	defer func() {
		for _, f := range files {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	params, release, uerr := m.read(r, &files)
	if release != nil {
		defer release()
	}
	if uerr != nil {
		if uerr.code == core.CodeUnavailable {
			w.Header().Set("Retry-After", strconv.Itoa(overloadedRetryAfterSecs))
		}
		writeJSONError(w, uerr.status, uerr.code, uerr.msg)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	run := func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		rc, opErr := exec.CreateOperationContext(ctx, params)
		if opErr != nil {
			status := http.StatusOK
			if errcode.GetErrorKind(opErr) == errcode.KindProtocol {
				status = http.StatusUnprocessableEntity
			}
			w.WriteHeader(status)
			writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, rc), opErr))
			return
		}
		responses, ctx := exec.DispatchOperation(ctx, rc)
		writeResponse(w, responses(ctx))
	}
	if a := admissionFrom(r.Context()); a != nil {
		a.run(w, r, run)
		return
	}
	run(w, r)
}

// read reads the whole form: params with the uploads in place, the
// budget's release (nil when nothing was reserved), and the temp files
// made (appended to files, for the caller to remove).
func (m multipartUploads) read(r *http.Request, files *[]*os.File) (*graphql.RawParams, func(), *uploadError) {
	bad := func(format string, args ...any) *uploadError {
		return &uploadError{http.StatusUnprocessableEntity, core.CodeBadUserInput, fmt.Sprintf(format, args...)}
	}
	_, mp, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mp["boundary"] == "" {
		return nil, nil, bad("failed to parse multipart form: no boundary")
	}
	mr := multipart.NewReader(r.Body, mp["boundary"])
	part, err := mr.NextPart()
	if err != nil || part.FormName() != "operations" {
		return nil, nil, bad("first part must be operations")
	}
	params := &graphql.RawParams{}
	if err := decodePreamble(part, params); err != nil {
		return nil, nil, preambleError(err, "operations")
	}
	if part, err = mr.NextPart(); err != nil || part.FormName() != "map" {
		return nil, nil, bad("second part must be map")
	}
	uploads := map[string][]string{}
	if err := decodePreamble(part, &uploads); err != nil {
		return nil, nil, preambleError(err, "map")
	}
	if msg := m.check(uploads); msg != "" {
		return nil, nil, &uploadError{http.StatusBadRequest, core.CodeBadUserInput, msg}
	}
	var release func()
	if len(uploads) > 0 {
		if app.UserFrom(r.Context()) == nil {
			return nil, nil, &uploadError{http.StatusUnauthorized, core.CodeUnauthenticated, "sign in to upload files"}
		}
		n := r.ContentLength
		if n <= 0 {
			n = m.MaxBodyBytes
		}
		if release, err = m.Budget.reserve(r.Context(), n); err != nil {
			return nil, nil, &uploadError{http.StatusServiceUnavailable, core.CodeUnavailable, "too many uploads in flight; retry in a moment"}
		}
	}
	fail := func(e *uploadError) (*graphql.RawParams, func(), *uploadError) { return nil, release, e }
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fail(readError(err, "failed to parse part"))
		}
		key := part.FormName()
		paths := uploads[key]
		if len(paths) == 0 {
			return fail(bad("invalid empty operations paths list for key %s", key))
		}
		delete(uploads, key)
		f, err := os.CreateTemp("", "stillroom-upload-")
		if err != nil {
			return fail(&uploadError{http.StatusInternalServerError, core.CodeInternal, "internal error"})
		}
		*files = append(*files, f)
		n, err := io.Copy(f, io.LimitReader(part, m.MaxFileBytes+1))
		if err != nil {
			return fail(readError(err, "failed to read file "+key))
		}
		if n > m.MaxFileBytes {
			return fail(&uploadError{http.StatusRequestEntityTooLarge, core.CodePayloadTooLarge,
				fmt.Sprintf("file %s is larger than %d bytes", key, m.MaxFileBytes)})
		}
		for _, path := range paths {
			// Each path reads the file from its start.
			rd := io.NewSectionReader(f, 0, n)
			up := graphql.Upload{File: rd, Size: n, Filename: part.FileName(), ContentType: part.Header.Get("Content-Type")}
			if gerr := params.AddUpload(up, key, path); gerr != nil {
				return fail(bad("%s", gerr.Message))
			}
		}
	}
	for key := range uploads {
		return fail(bad("failed to get key %s from form", key))
	}
	// Read to the end: a body read whole clears its read deadline.
	io.Copy(io.Discard, io.LimitReader(r.Body, 4<<10))
	return params, release, nil
}

func (m multipartUploads) check(uploads map[string][]string) string {
	if len(uploads) > m.MaxFiles {
		return fmt.Sprintf("the request maps %d files; send at most %d per request", len(uploads), m.MaxFiles)
	}
	for key, paths := range uploads {
		if len(paths) > m.MaxPathsPerFile {
			return fmt.Sprintf("file %q is mapped to %d variables; at most %d", key, len(paths), m.MaxPathsPerFile)
		}
	}
	return ""
}

// errPreambleTooLarge: the operations or map part is over its limit.
var errPreambleTooLarge = errors.New("part too large")

// decodePreamble decodes a JSON part of at most maxMultipartPreamble bytes.
func decodePreamble(part io.Reader, v any) error {
	lr := &io.LimitedReader{R: part, N: maxMultipartPreamble + 1}
	dec := json.NewDecoder(lr)
	dec.UseNumber()
	err := dec.Decode(v)
	if lr.N <= 0 {
		return errPreambleTooLarge
	}
	return err
}

func preambleError(err error, name string) *uploadError {
	if errors.Is(err, errPreambleTooLarge) {
		return &uploadError{http.StatusRequestEntityTooLarge, core.CodePayloadTooLarge,
			fmt.Sprintf("the operations and map parts must fit in %d bytes", maxMultipartPreamble)}
	}
	if ce := (*core.Error)(nil); errors.As(err, &ce) {
		return &uploadError{httpStatus(ce.Code), ce.Code, ce.Message}
	}
	return &uploadError{http.StatusUnprocessableEntity, core.CodeBadUserInput, name + " form field could not be decoded"}
}

// readError answers a body that failed while its files were read: too
// large (limitBody), too slow (paceBodies) or broken.
func readError(err error, msg string) *uploadError {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &uploadError{http.StatusRequestEntityTooLarge, core.CodePayloadTooLarge, "request body is too large"}
	}
	if ce := (*core.Error)(nil); errors.As(err, &ce) {
		return &uploadError{httpStatus(ce.Code), ce.Code, ce.Message}
	}
	return &uploadError{http.StatusUnprocessableEntity, core.CodeBadUserInput, msg}
}
