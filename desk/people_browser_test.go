package desk_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stillroom/stillroom/internal/browsertest"
	"github.com/stillroom/stillroom/internal/servertest"
)

type peopleLabels struct {
	lang, email, password, signIn, people, name, role, photographer, create, done, account, current, newPw, again,
	change, changed, disableOf, library, selectAll, search, disabled string
}

var peopleEnglish = peopleLabels{
	lang: "en-US", email: "Email", password: "Password", signIn: "Sign in", people: "People", name: "Name", role: "Role",
	photographer: "Photographer", create: "Create account", done: "Done", account: "Account", current: "Current password",
	newPw: "New password", again: "New password again", change: "Change password", changed: "Your password was changed.",
	disableOf: "Disable Nguyễn Minh Trí", library: "Library", selectAll: "Select all", search: "Search",
	disabled: "Your account has been disabled. Ask an administrator.",
}

var peopleVietnamese = peopleLabels{
	lang: "vi-VN", email: "Email", password: "Mật khẩu", signIn: "Đăng nhập", people: "Người dùng", name: "Họ tên", role: "Vai trò",
	photographer: "Phóng viên ảnh", create: "Tạo tài khoản", done: "Xong", account: "Tài khoản", current: "Mật khẩu hiện tại",
	newPw: "Mật khẩu mới", again: "Nhập lại mật khẩu mới", change: "Đổi mật khẩu", changed: "Đã đổi mật khẩu.",
	disableOf: "Vô hiệu hóa Nguyễn Minh Trí", library: "Thư viện", selectAll: "Chọn tất cả", search: "Tìm kiếm",
	disabled: "Tài khoản của bạn đã bị vô hiệu hóa. Hãy liên hệ quản trị viên.",
}

// TestAdminManagesPeople: an admin creates a photographer's account (its
// password shown once), the photographer signs in with it and changes it,
// then the admin disables the account and the photographer's open desk
// stops at its next action with a message saying why. In both languages.
func TestAdminManagesPeople(t *testing.T) {
	for _, l := range []peopleLabels{peopleEnglish, peopleVietnamese} {
		t.Run(l.lang, func(t *testing.T) { managePeople(t, l) })
	}
}

func managePeople(t *testing.T, l peopleLabels) {
	srv := servertest.Start(t, servertest.Options{Admin: "admin@example.com"})
	admin := browsertest.Start(t, browsertest.Options{Allow: []string{srv.URL}, Lang: l.lang, Width: 1280, Height: 900, Timeout: time.Minute})
	signIn(admin, srv, l.email, l.password, l.signIn, "admin@example.com")
	admin.Click("link", l.people)
	admin.Fill(l.email, "minh@example.com")
	admin.Fill(l.name, "Nguyễn Minh Trí")
	admin.Select(l.role, l.photographer)
	admin.Click("button", l.create)
	admin.WaitFor("button", l.done)
	given := strings.TrimSpace(browsertest.Eval[string](admin, `document.querySelector('code.password').textContent`))
	if len(given) < 16 {
		t.Fatalf("the shown password: %q", given)
	}
	admin.Screenshot("account-created")
	admin.AssertAccessible("people")
	admin.Click("button", l.done)

	photo := browsertest.Start(t, browsertest.Options{Allow: []string{srv.URL}, Lang: l.lang, Width: 1280, Height: 900, Timeout: time.Minute})
	photo.Navigate(srv.URL + "/desk/")
	photo.Fill(l.email, "minh@example.com")
	photo.Fill(l.password, given)
	photo.Click("button", l.signIn)
	photo.Click("link", l.account)
	photo.Fill(l.current, given)
	photo.Fill(l.newPw, "ảnh đẹp phố cổ Hà Nội")
	photo.Fill(l.again, "ảnh đẹp phố cổ Hà Nội")
	photo.Click("button", l.change)
	photo.WaitText(l.changed)
	photo.AssertAccessible("account")
	photo.Click("link", l.library)
	photo.WaitFor("button", l.selectAll)

	admin.Click("button", l.disableOf)
	admin.WaitText("minh@example.com")
	admin.Screenshot("account-disabled")

	// The desk signs the photographer out and says why: at once when its
	// live connection is closed by the server, else at the next action (a
	// search, typed here if the page is still the library).
	photo.ExpectConsoleError("401")
	browsertest.Eval[bool](photo, `(() => {
		const s = document.querySelector('input[type=search]');
		if (s) { s.value = 'Hội An'; s.dispatchEvent(new Event('input', { bubbles: true })); }
		return true;
	})()`)
	photo.WaitText(l.disabled)
	photo.WaitFor("button", l.signIn)
	photo.Screenshot("signed-out-disabled")

	tok := srv.Login(t, "admin@example.com", servertest.Password)
	var d struct {
		Users []struct {
			Email    string
			Disabled bool
		}
	}
	srv.GraphQL(t, tok, `{ users { email disabled } }`, nil).Decode(t, &d)
	for _, u := range d.Users {
		if u.Email == "minh@example.com" && !u.Disabled {
			t.Errorf("the photographer is not disabled: %+v", d.Users)
		}
	}
}

// TestTakenEmailIsSaid: creating an account with an email another account
// has says so in the desk's language (the server answers CONFLICT), and
// creates nothing.
func TestTakenEmailIsSaid(t *testing.T) {
	for _, l := range []struct {
		labels peopleLabels
		taken  string
	}{
		{peopleEnglish, "An account with this email already exists."},
		{peopleVietnamese, "Đã có tài khoản dùng email này."},
	} {
		t.Run(l.labels.lang, func(t *testing.T) {
			srv := servertest.Start(t, servertest.Options{Admin: "admin@example.com"})
			admin := srv.Login(t, "admin@example.com", servertest.Password)
			srv.CreateUser(t, admin, "lan@example.com", "Trần Thị Lan", "EDITOR")
			b := browsertest.Start(t, browsertest.Options{Allow: []string{srv.URL}, Lang: l.labels.lang, Width: 1280, Height: 900})
			signIn(b, srv, l.labels.email, l.labels.password, l.labels.signIn, "admin@example.com")
			b.Click("link", l.labels.people)
			b.Fill(l.labels.email, "lan@example.com")
			b.Fill(l.labels.name, "Trần Thị Lan")
			b.Click("button", l.labels.create)
			b.WaitText(l.taken)
			if n := b.Count("button", l.labels.done); n != 0 {
				t.Errorf("a password was shown for a taken email")
			}
			b.Screenshot("email-taken")
		})
	}
}
