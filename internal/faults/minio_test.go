package faults

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stillroom/stillroom/internal/servertest"
	"github.com/stillroom/stillroom/internal/testenv"
)

const (
	clusterNodes = 4
	shootSize    = 24 // photos in the shoot
	uploaders    = 3  // files the photographer's client sends at once
	killAfter    = 4  // uploads answered before a node is killed
	// killedNode is not the node the server talks to: erasure coding is
	// about losing a drive behind the endpoint, not the endpoint itself.
	killedNode = clusterNodes - 1
	// secondNode is killed later, and lateShots photos sent without write
	// quorum.
	secondNode = clusterNodes - 2
	lateShots  = 3
	// retries is how often a client sends a refused file again, a second
	// apart.
	retries = 30
)

// TestShootSurvivesMinIONodeLoss runs the real server on a distributed
// MinIO of 4 nodes (one drive each, erasure-coded: reads need 2 drives,
// writes 3) and kills one node with SIGKILL while a photographer uploads a
// shoot. Every upload either succeeds, and its original then downloads
// with the same SHA-256, or fails with an error code a client can act on
// and succeeds when sent again once the node is back. Then a second node
// dies: below write quorum, uploads must fail with UNAVAILABLE (not
// INTERNAL) while stored photos still read back. Once both nodes are back
// every refused upload goes through when sent again, every asset is READY,
// every original intact. Last the node the server talks to dies: an upload
// is refused with UNAVAILABLE and goes through once the node is back. Then
// `stillroom gc --dry-run --grace 0s` finds no object missing and none
// orphaned.
func TestShootSurvivesMinIONodeLoss(t *testing.T) {
	cluster := testenv.StartCluster(t, clusterNodes)
	s3 := cluster.Config(0)
	env := map[string]string{
		"S3_ENDPOINT": s3.Endpoint, "S3_ACCESS_KEY": s3.AccessKey, "S3_SECRET_KEY": s3.SecretKey,
		"S3_BUCKET": "shoot",
	}
	srvEnv := map[string]string{"UPLOAD_WAIT": "2s"}
	for k, v := range env {
		srvEnv[k] = v
	}
	srv := servertest.Start(t, servertest.Options{Admin: "admin@example.com", Env: srvEnv})
	env["DATA_DIR"] = srv.DataDir
	admin := srv.Login(t, "admin@example.com", servertest.Password)
	photog := srv.CreateUser(t, admin, "lan@example.com", "Lan", "PHOTOGRAPHER")

	photos := make([][]byte, shootSize+lateShots+1)
	endpointShot := len(photos) - 1 // sent while the server's own node is down
	for i := range photos {
		photos[i] = shootPhoto(t, i)
	}

	// The shoot: uploaders at a time; the node dies once killAfter answers
	// came back, so later uploads and processing run without it.
	type outcome struct {
		id, code, msg string
	}
	outcomes := make([]outcome, len(photos))
	var (
		mu       sync.Mutex
		answered int
		killed   = make(chan struct{})
		killOnce sync.Once
	)
	next := make(chan int)
	var wg sync.WaitGroup
	for range uploaders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				id, code, msg := upload(srv, photog, fmt.Sprintf("DSC_%04d.jpg", i), photos[i])
				mu.Lock()
				outcomes[i] = outcome{id, code, msg}
				answered++
				if answered == killAfter {
					killOnce.Do(func() {
						cluster.Kill(killedNode)
						close(killed)
					})
				}
				mu.Unlock()
			}
		}()
	}
	for i := range shootSize {
		next <- i
	}
	close(next)
	wg.Wait()
	<-killed

	// While the node is down, the originals stored so far read back whole
	// (2 of 4 drives suffice to read).
	failed := 0
	for i, o := range outcomes[:shootSize] {
		switch {
		case o.id != "":
			checkOriginal(t, srv, photog, o.id, photos[i])
		case o.code == "UNAVAILABLE":
			failed++
			t.Logf("upload %d failed while a node was down: %s: %s", i, o.code, o.msg)
		default:
			t.Errorf("upload %d: failed without a code a client can retry on: code %q, %s", i, o.code, o.msg)
		}
	}
	t.Logf("%d of %d uploads succeeded with node %d down, %d answered UNAVAILABLE", shootSize-failed, shootSize, killedNode, failed)
	var stored []string
	for _, o := range outcomes {
		if o.id != "" {
			stored = append(stored, o.id)
		}
	}
	// Their renditions are made and stored with the node still down.
	waitReady(t, srv, photog, stored)

	// A second node goes: 2 drives of 4 are below MinIO's write quorum.
	// The last photos of the shoot are refused with UNAVAILABLE, stored
	// photos still read back whole.
	cluster.Kill(secondNode)
	var wg2 sync.WaitGroup
	for i := shootSize; i < endpointShot; i++ {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			id, code, msg := upload(srv, photog, fmt.Sprintf("DSC_%04d.jpg", i), photos[i])
			outcomes[i] = outcome{id, code, msg}
		}()
	}
	wg2.Wait()
	for i := shootSize; i < endpointShot; i++ {
		if o := outcomes[i]; o.id != "" || o.code != "UNAVAILABLE" {
			t.Errorf("upload %d without write quorum: id %q, code %q, %s; want UNAVAILABLE", i, o.id, o.code, o.msg)
		} else {
			t.Logf("upload %d without write quorum: %s: %s", i, o.code, o.msg)
		}
	}
	checkOriginal(t, srv, photog, outcomes[0].id, photos[0])

	cluster.Restart(secondNode)
	cluster.Restart(killedNode)
	cluster.WaitNode(0)

	// The client sends each refused file again, as it is told to on
	// UNAVAILABLE (after a moment, a few times: the returned nodes take
	// seconds to be reconnected by the others): it goes through.
	for i, o := range outcomes[:endpointShot] {
		for tries := 1; o.id == ""; tries++ {
			if o.code != "UNAVAILABLE" || tries > retries {
				t.Fatalf("upload %d sent again after the nodes returned (try %d): %s: %s", i, tries, o.code, o.msg)
			}
			time.Sleep(time.Second)
			o.id, o.code, o.msg = upload(srv, photog, fmt.Sprintf("DSC_%04d.jpg", i), photos[i])
		}
		outcomes[i] = o
	}

	// Every asset is processed (jobs that failed while the node was down
	// are retried with backoff), every original is intact.
	ids := make([]string, endpointShot)
	for i, o := range outcomes[:endpointShot] {
		ids[i] = o.id
	}
	waitReady(t, srv, photog, ids)
	for i, id := range ids {
		checkOriginal(t, srv, photog, id, photos[i])
	}

	// The node the server talks to goes (no load balancer in front):
	// nothing answers at the endpoint. An upload is refused with
	// UNAVAILABLE while the library still lists what it holds; once the
	// node is back, the file sent again goes through.
	cluster.Kill(0)
	if id, code, msg := upload(srv, photog, "DSC_9999.jpg", photos[endpointShot]); id != "" || code != "UNAVAILABLE" {
		t.Errorf("upload with the server's node down: id %q, code %q, %s; want UNAVAILABLE", id, code, msg)
	} else {
		t.Logf("upload with the server's node down: %s: %s", code, msg)
	}
	var lib struct {
		Assets struct{ TotalCount int } `json:"assets"`
	}
	srv.GraphQL(t, photog, `{ assets { totalCount } }`, nil).Decode(t, &lib)
	if lib.Assets.TotalCount != len(ids) {
		t.Errorf("with the server's node down the library lists %d assets, want %d", lib.Assets.TotalCount, len(ids))
	}
	cluster.Restart(0)
	cluster.WaitNode(0)
	o := outcome{code: "UNAVAILABLE"}
	for tries := 1; o.id == ""; tries++ {
		if o.code != "UNAVAILABLE" || tries > retries {
			t.Fatalf("upload sent again after the server's node returned (try %d): %s: %s", tries, o.code, o.msg)
		}
		o.id, o.code, o.msg = upload(srv, photog, "DSC_9999.jpg", photos[endpointShot])
		if o.id == "" {
			time.Sleep(time.Second)
		}
	}
	ids = append(ids, o.id)
	waitReady(t, srv, photog, ids[len(ids)-1:])
	checkOriginal(t, srv, photog, o.id, photos[endpointShot])

	// Records and objects agree: nothing missing, nothing orphaned (no
	// grace: every object older than now counts).
	out, err := servertest.Run(t, env, "gc", "--dry-run", "--grace", "0s")
	if err != nil {
		t.Fatalf("gc --dry-run: %v\n%s", err, out)
	}
	for _, want := range []string{"would remove 0 unreferenced objects", "missing original (FAILED): 0", "missing renditions (queued): 0", "left processing (queued again): 0"} {
		if !strings.Contains(out, want) {
			t.Errorf("gc --dry-run output lacks %q:\n%s", want, out)
		}
	}
	t.Logf("gc --dry-run --grace 0s:\n%s", out)
}

// upload sends one file as the desk does (uploadAsset, multipart) and
// returns the asset's ID, or the error's code and message.
func upload(srv *servertest.Server, token, name string, data []byte) (id, code, msg string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	ops, _ := json.Marshal(map[string]any{
		"query":     "mutation($f: Upload!) { uploadAsset(file: $f) { id sha256 } }",
		"variables": map[string]any{"f": nil},
	})
	mw.WriteField("operations", string(ops))
	mw.WriteField("map", `{"0": ["variables.f"]}`)
	fw, _ := mw.CreateFormFile("0", name)
	fw.Write(data)
	mw.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/graphql", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("GraphQL-Preflight", "1")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", "", "transport: " + err.Error()
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var r struct {
		servertest.Result
		Data struct {
			UploadAsset struct{ ID, SHA256 string }
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return "", "", fmt.Sprintf("HTTP %d, not JSON: %.200s", res.StatusCode, raw)
	}
	if len(r.Errors) > 0 {
		return "", r.Code(), fmt.Sprintf("HTTP %d: %s", res.StatusCode, r.Errors[0].Message)
	}
	sum := sha256.Sum256(data)
	if got := r.Data.UploadAsset.SHA256; got != hex.EncodeToString(sum[:]) {
		return "", "", fmt.Sprintf("answered sha256 %q, want %x", got, sum)
	}
	return r.Data.UploadAsset.ID, "", ""
}

// checkOriginal downloads the asset's original through its signed link
// and compares its SHA-256 with what was sent.
func checkOriginal(t *testing.T, srv *servertest.Server, token, id string, want []byte) {
	t.Helper()
	var d struct {
		Asset struct{ OriginalURL string } `json:"asset"`
	}
	srv.GraphQL(t, token, `query($id: ID!) { asset(id: $id) { originalUrl } }`, map[string]any{"id": id}).Decode(t, &d)
	if d.Asset.OriginalURL == "" {
		t.Fatalf("asset %s: no originalUrl", id)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, d.Asset.OriginalURL, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("asset %s: GET original: %v", id, err)
	}
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("asset %s: GET original: HTTP %d, %v", id, res.StatusCode, err)
	}
	if sha256.Sum256(got) != sha256.Sum256(want) {
		t.Errorf("asset %s: original downloads as %d bytes with another SHA-256 than the %d sent", id, len(got), len(want))
	}
}

// waitReady waits until every asset is READY; a FAILED one fails the test.
func waitReady(t *testing.T, srv *servertest.Server, token string, ids []string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var d struct {
			Assets struct {
				Edges []struct {
					Node struct{ ID, Status, Error string }
				}
			} `json:"assets"`
		}
		srv.GraphQL(t, token, `{ assets(first: 100) { edges { node { id status error } } } }`, nil).Decode(t, &d)
		status := map[string]string{}
		for _, e := range d.Assets.Edges {
			a := e.Node
			status[a.ID] = a.Status
			if a.Status == "FAILED" {
				t.Fatalf("asset %s FAILED: %s", a.ID, a.Error)
			}
		}
		pending := 0
		for _, id := range ids {
			if status[id] != "READY" {
				pending++
			}
		}
		if pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d assets not READY after 3 minutes", pending, len(ids))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// shootPhoto is photo i of the shoot: a distinct 1200×800 JPEG with enough
// detail to weigh a few hundred kilobytes, as a camera's would.
func shootPhoto(t *testing.T, i int) []byte {
	t.Helper()
	const w, h = 1200, 800
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	seed := uint32(i*7919 + 1)
	for y := range h {
		for x := range w {
			seed = seed*1664525 + 1013904223
			n := uint8(seed >> 27) // a little noise
			img.SetRGBA(x, y, color.RGBA{uint8(x*255/w) ^ n, uint8(y*255/h) + n, uint8(i * 10), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 88}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
