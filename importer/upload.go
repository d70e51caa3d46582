package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// outcome is what happened to one file.
type outcome int

// Outcomes of a file's upload.
const (
	// notAttempted: the run stopped (its context ended) before this file
	// was sent or answered.
	notAttempted outcome = iota
	// uploaded: the server stored a new asset.
	uploaded
	// skipped: the server already had these bytes and answered with the
	// existing asset (created before this run started).
	skipped
	// refused: the server refused the file, processing failed, or it
	// could not be sent; fileResult.err says why.
	refused
)

// fileResult is one file's upload.
type fileResult struct {
	name    string // file name in the folder
	sha256  string // of the local bytes
	status  outcome
	assetID string
	err     *APIError // set when refused
	// sameAs names another file of this run with the same bytes, which
	// the server stored first: this one is skipped, one asset for both.
	sameAs string
}

// listImages returns the names of the image files directly in dir, by
// extension (the server sniffs the bytes anyway), sorted.
func listImages(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && isImageName(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// uploadAll uploads the files, jobs at a time, calling done after each.
// runStart is when this run started, in the server's clock: an answer with
// an asset created before it is a file the server already had.
// When ctx ends it sends no further file, gives the uploads in flight
// finishGrace to finish (a file the server is storing is then counted as
// uploaded, not left; one still unanswered is stopped and left), and
// returns ctx's error.
func uploadAll(ctx context.Context, c *client, dir string, names []string, jobs int, runStart time.Time, input map[string]any, done func(fileResult)) ([]fileResult, error) {
	inFlight, stopInFlight := context.WithCancel(context.WithoutCancel(ctx))
	defer stopInFlight()
	defer context.AfterFunc(ctx, func() { time.AfterFunc(finishGrace, stopInFlight) })()
	results := make([]fileResult, len(names))
	next := make(chan int)
	var wg sync.WaitGroup
	// Two files of the folder with the same bytes make one asset: the
	// first answer counts as uploaded, the others as skipped (sameAs).
	var mu sync.Mutex
	firstName := map[string]string{}
	for range min(jobs, len(names)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r := uploadOne(inFlight, c, filepath.Join(dir, names[i]), runStart, input)
				if r.status == uploaded {
					mu.Lock()
					if first, ok := firstName[r.assetID]; ok {
						r.status, r.sameAs = skipped, first
					} else {
						firstName[r.assetID] = r.name
					}
					mu.Unlock()
				}
				results[i] = r
				done(results[i])
			}
		}()
	}
feed:
	for i := range names {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return results, ctx.Err()
}

// finishGrace is how long uploads in flight may take to finish once the
// run is stopped (Ctrl-C); a second Ctrl-C ends the process at once.
var finishGrace = 30 * time.Second

// uploadOne hashes and uploads one file and classifies the answer.
//
// The schema has no "asset by SHA-256" query, so the file's hash cannot be
// looked up before sending it. Instead the importer relies on the server's
// dedupe: the same bytes uploaded again answer with the existing asset,
// whose createdAt is older than this run. The local hash is compared with
// the server's so a file changed while being read is not taken as
// imported.
func uploadOne(ctx context.Context, c *client, path string, runStart time.Time, input map[string]any) fileResult {
	r := fileResult{name: filepath.Base(path), status: refused}
	sum, err := hashFile(path)
	if err != nil {
		r.err = &APIError{Code: "READ", Message: err.Error()}
		return r
	}
	r.sha256 = sum
	a, err := c.upload(ctx, path, input)
	if err != nil && ctx.Err() != nil {
		// Stopped, not refused: the next run sends it.
		return fileResult{name: r.name, sha256: sum, status: notAttempted}
	}
	if err != nil {
		var ae *APIError
		if !errors.As(err, &ae) {
			ae = &APIError{Code: "HTTP", Message: err.Error()}
		}
		r.err = ae
		return r
	}
	r.assetID = a.ID
	switch {
	case a.SHA256 != sum:
		r.err = &APIError{Code: "CHECKSUM", Message: fmt.Sprintf("the server stored SHA-256 %s, the file has %s (changed while uploading?)", a.SHA256, sum)}
	case a.Status == "FAILED":
		msg := "processing failed"
		if a.Error != nil {
			msg = *a.Error
		}
		r.err = &APIError{Code: "FAILED", Message: msg}
	case a.CreatedAt.Before(runStart):
		r.status = skipped
	default:
		r.status = uploaded
	}
	return r
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
