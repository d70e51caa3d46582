package desk_test

import (
	"strings"
	"testing"

	"github.com/stillroom/stillroom/internal/browsertest"
)

// TestErrorsInTheDesksLanguage: what the desk says when a save fails is
// its own text in its language, never the server's English: an article
// with an image block left without photos (said before sending, the block
// marked and its Add photos button focused), and a password change the
// server refuses (BAD_USER_INPUT: the desk's message for the code; the
// English desk adds the server's detail).
func TestErrorsInTheDesksLanguage(t *testing.T) {
	for _, l := range []struct {
		lang, addPhotos, cancel, addParagraph, paragraph, save, empty, addStills, account, current, newPw, again, change, refused string
		serverEnglish                                                                                                             bool
	}{
		{"en-US", "Add photos", "Cancel", "Add paragraph", "Paragraph 2", "Save article", "Not saved: Block 1 has no photos: add photos to it or remove it",
			"Add photos to block 1", "Account", "Current password", "New password", "New password again", "Change password",
			"The server did not accept what was entered. Check the fields and try again (the current password is not right).", true},
		{"vi-VN", "Thêm ảnh", "Hủy", "Thêm đoạn văn", "Đoạn 2", "Lưu bài viết", "Chưa lưu được: Khối 1 chưa có ảnh: hãy thêm ảnh hoặc gỡ khối này",
			"Thêm ảnh vào khối 1", "Tài khoản", "Mật khẩu hiện tại", "Mật khẩu mới", "Nhập lại mật khẩu mới", "Đổi mật khẩu",
			"Máy chủ không nhận nội dung vừa nhập. Hãy kiểm tra các trường rồi thử lại.", false},
	} {
		t.Run(l.lang, func(t *testing.T) {
			srv, admin, b := editSetup(t, l.lang)
			id, _ := createArticle(t, srv, admin, "Phố đi bộ Nguyễn Huệ đón Tết")
			b.Navigate(srv.URL + "/desk/articles/" + id)
			b.Click("button", l.addPhotos)
			b.Click("button", l.cancel)
			b.Click("button", l.addParagraph)
			b.Fill(l.paragraph, "Đường hoa mở cửa từ chiều 28 Tết.")
			b.Click("button", l.save)
			b.WaitText(l.empty)
			alert := browsertest.Eval[string](b, `document.querySelector('[role=alert]').textContent`)
			if strings.Contains(alert, "image block") || strings.Contains(alert, "assets") {
				t.Errorf("the alert shows the server's English: %q", alert)
			}
			if focused := browsertest.Eval[string](b, `document.activeElement.textContent`); focused != l.addStills {
				t.Errorf("focus is on %q, want %q", focused, l.addStills)
			}
			if !browsertest.Eval[bool](b, `document.querySelector('.block.problem') !== null`) {
				t.Errorf("the empty image block is not marked")
			}
			if a := articleByID(t, srv, admin, id); len(a.Blocks) != 0 {
				t.Errorf("the article was saved: %+v", a)
			}
			b.Screenshot("empty-image-block")
			b.AssertAccessible("empty image block refused")

			// Leaving the unsaved article asks first: leave.
			answerDialogs(t, b).answer(true)
			b.Navigate(srv.URL + "/desk/account")
			b.Fill(l.current, "not the password at all")
			b.Fill(l.newPw, "ba từ mới dài hơn")
			b.Fill(l.again, "ba từ mới dài hơn")
			b.Click("button", l.change)
			b.WaitText(l.refused)
			page := browsertest.Eval[string](b, `document.body.innerText`)
			if has := strings.Contains(page, "the current password is not right"); has != l.serverEnglish {
				t.Errorf("the server's English shown: %v, want %v; page: %q", has, l.serverEnglish, page)
			}
			b.Screenshot("password-refused")
		})
	}
}
