package main

import "testing"

// TestUploadWaitZero: --upload-wait 0 means "do not wait": the upload
// answers PROCESSING at once (it used to mean the 10 s default).
func TestUploadWaitZero(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword, "UPLOAD_WAIT": "0"}, false)
	tok := login(t, s, adminEmail, adminPassword)
	r := s.upload(t, tok, "a.jpg", photoJPEG(t, 64, 48, 1), "status")
	if st := dig(r.Data, "uploadAsset", "status"); st != "PROCESSING" {
		t.Errorf("upload with no wait: %v %+v", st, r.Errors)
	}
	cfg, err := parseConfig([]string{"-upload-wait", "0"}, func(string) string { return "" })
	if err != nil || cfg.appConfig().UploadWait >= 0 {
		t.Errorf("-upload-wait 0 gives the app %v (%v), want no wait", cfg.appConfig().UploadWait, err)
	}
}
