// Command benchuploads sends N concurrent large uploads to a running
// Stillroom, through the GraphQL multipart spec and through direct-upload
// tickets, and checks every returned asset's sha256 against the bytes sent.
// Each file is a small JPEG padded with comment segments to the requested
// size, so the run measures transport and storage, not pixel work. See
// scripts/bench-uploads.sh.
package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"time"
)

func main() {
	server := flag.String("server", "http://127.0.0.1:8080", "Stillroom base URL")
	email := flag.String("email", "", "admin email")
	password := flag.String("password", "", "admin password")
	n := flag.Int("n", 50, "uploads at once")
	size := flag.Int("size", 10<<20, "bytes per file")
	flag.Parse()
	log.SetFlags(0)
	tok := login(*server, *email, *password)
	for _, mode := range []string{"multipart", "direct"} {
		files := make([][]byte, *n)
		for i := range files {
			files[i] = paddedJPEG(*size, i)
		}
		start := time.Now()
		var wg sync.WaitGroup
		errs := make(chan error, *n)
		for i, f := range files {
			wg.Add(1)
			go func() {
				defer wg.Done()
				name := fmt.Sprintf("%s-%02d.jpg", mode, i)
				var sha string
				var err error
				if mode == "multipart" {
					sha, err = uploadMultipart(*server, tok, name, f)
				} else {
					sha, err = uploadDirect(*server, tok, name, f)
				}
				sum := sha256.Sum256(f)
				if err == nil && sha != hex.EncodeToString(sum[:]) {
					err = fmt.Errorf("%s: sha256 %s, sent %x", name, sha, sum)
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		failed := 0
		for err := range errs {
			if err != nil {
				failed++
				log.Print(err)
			}
		}
		el := time.Since(start)
		fmt.Printf("%-9s %d × %d MiB: %d intact, %d failed, %.1f s, %.0f MiB/s\n", mode, *n, *size>>20, *n-failed, failed,
			el.Seconds(), float64(*n**size)/(1<<20)/el.Seconds())
	}
	// Wait for processing to end, so that every object has its record.
	for {
		d, err := gql(*server, tok, `{ assets(filter: {status: PROCESSING}) { totalCount } all: assets { totalCount } }`, nil)
		if err != nil {
			log.Fatal(err)
		}
		if d["assets"].(map[string]any)["totalCount"].(float64) == 0 {
			fmt.Printf("assets: %.0f, none processing\n", d["all"].(map[string]any)["totalCount"].(float64))
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// paddedJPEG is a 320×240 JPEG of its own colour with COM segments after
// SOI making it size bytes long.
func paddedJPEG(size, seed int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for i := range img.Pix {
		img.Pix[i] = byte(seed*7 + i%251)
	}
	img.Set(0, 0, color.RGBA{byte(seed), byte(seed >> 8), 1, 255})
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, nil)
	j := buf.Bytes()
	out := append([]byte{}, j[:2]...)
	pad := size - len(j)
	for pad > 4 {
		n := min(pad-4, 65533)
		seg := make([]byte, 4+n)
		seg[0], seg[1] = 0xFF, 0xFE
		binary.BigEndian.PutUint16(seg[2:], uint16(n+2))
		rand.Read(seg[4:])
		out = append(out, seg...)
		pad -= len(seg)
	}
	return append(out, j[2:]...)
}

func gql(server, token, query string, vars map[string]any) (map[string]any, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", server+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return decode(req)
}

func decode(req *http.Request) (map[string]any, error) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out struct {
		Data   map[string]any
		Errors []any
	}
	if err := json.Unmarshal(raw, &out); err != nil || len(out.Errors) > 0 {
		return nil, fmt.Errorf("HTTP %d: %.300s", resp.StatusCode, raw)
	}
	return out.Data, nil
}

func login(server, email, password string) string {
	d, err := gql(server, "", `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, map[string]any{"e": email, "p": password})
	if err != nil {
		log.Fatal("benchuploads: sign-in: ", err)
	}
	return d["login"].(map[string]any)["token"].(string)
}

func uploadMultipart(server, token, name string, data []byte) (string, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		mw.WriteField("operations", `{"query":"mutation($f: Upload!) { uploadAsset(file: $f) { sha256 } }","variables":{"f":null}}`)
		mw.WriteField("map", `{"0":["variables.f"]}`)
		fw, _ := mw.CreateFormFile("0", name)
		fw.Write(data)
		pw.CloseWithError(mw.Close())
	}()
	req, _ := http.NewRequest("POST", server+"/graphql", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("GraphQL-Preflight", "1")
	req.Header.Set("Authorization", "Bearer "+token)
	d, err := decode(req)
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return d["uploadAsset"].(map[string]any)["sha256"].(string), nil
}

func uploadDirect(server, token, name string, data []byte) (string, error) {
	d, err := gql(server, token, `mutation($in: RequestUploadInput!) { requestUpload(input: $in) { id url method fields { name value } } }`,
		map[string]any{"in": map[string]any{"filename": name, "contentType": "image/jpeg", "byteSize": len(data)}})
	if err != nil {
		return "", fmt.Errorf("%s: requestUpload: %w", name, err)
	}
	t := d["requestUpload"].(map[string]any)
	url := t["url"].(string)
	if strings.HasPrefix(url, "/") {
		url = server + url
	}
	var req *http.Request
	if t["method"] == "PUT" {
		req, _ = http.NewRequest("PUT", url, bytes.NewReader(data))
	} else {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for _, f := range t["fields"].([]any) {
			f := f.(map[string]any)
			mw.WriteField(f["name"].(string), f["value"].(string))
		}
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(data)
		mw.Close()
		req, _ = http.NewRequest("POST", url, &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("%s: send: %w", name, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return "", fmt.Errorf("%s: send: HTTP %d", name, resp.StatusCode)
	}
	d, err = gql(server, token, `mutation($t: ID!) { completeUpload(ticketId: $t) { sha256 } }`, map[string]any{"t": t["id"]})
	if err != nil {
		return "", fmt.Errorf("%s: completeUpload: %w", name, err)
	}
	return d["completeUpload"].(map[string]any)["sha256"].(string), nil
}
