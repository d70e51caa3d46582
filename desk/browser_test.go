package desk_test

import (
	"testing"

	"github.com/stillroom/stillroom/internal/browsertest"
	"github.com/stillroom/stillroom/internal/servertest"
)

// TestSignInPageSpeaksBothLanguages opens the desk signed out, in English
// and in Vietnamese, and switches between them.
func TestSignInPageSpeaksBothLanguages(t *testing.T) {
	srv := servertest.Start(t, servertest.Options{})

	en := browsertest.Start(t, browsertest.Options{Allow: []string{srv.URL}})
	en.Navigate(srv.URL + "/desk/")
	en.WaitFor("textbox", "Email")
	en.WaitFor("textbox", "Password")
	en.WaitFor("button", "Sign in")
	if lang := browsertest.Eval[string](en, "document.documentElement.lang"); lang != "en" {
		t.Errorf("<html lang> = %q, want en", lang)
	}
	en.AssertAccessible("sign-in page (en)")
	en.Screenshot("sign-in-en")

	en.Select("Language", "Tiếng Việt")
	en.WaitFor("button", "Đăng nhập")
	en.WaitFor("textbox", "Mật khẩu")
	if lang := browsertest.Eval[string](en, "document.documentElement.lang"); lang != "vi" {
		t.Errorf("<html lang> after switching = %q, want vi", lang)
	}
	en.Navigate(srv.URL + "/desk/")
	en.WaitFor("button", "Đăng nhập") // remembered
	en.Screenshot("sign-in-switched-to-vi")

	vi := browsertest.Start(t, browsertest.Options{Allow: []string{srv.URL}, Lang: "vi-VN"})
	vi.Navigate(srv.URL + "/desk/")
	vi.WaitFor("button", "Đăng nhập")
	vi.WaitFor("combobox", "Ngôn ngữ")
	vi.AssertAccessible("sign-in page (vi)")
	vi.Screenshot("sign-in-vi")
}
