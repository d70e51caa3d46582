package desk_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"
	"github.com/stillroom/stillroom/internal/browsertest"
	"github.com/stillroom/stillroom/internal/servertest"
)

// TestPublishAtInTheDesksLanguage: the publish time of a gallery is typed
// in the desk's language, whatever the browser's (Chromium draws its own
// datetime field in its UI locale): a date field and a time field found
// by their labels, in the order and clock of the language (vi: dd/mm/yyyy,
// 24-hour; en-US: mm/dd/yyyy, 12-hour), read back in words, stepped with
// the arrow keys, rewritten when the language changes, scheduled for the
// moment typed in the browser's time zone, and shown again when the
// scheduled gallery is opened.
func TestPublishAtInTheDesksLanguage(t *testing.T) {
	for _, l := range []struct {
		lang, email, password, signIn, date, time, dateHint, timeHint, typedDate, typedTime, stepped, readBack, schedule, scheduledFor string
		switchTo, switchedDate, switchedTime, badDate, badSaid                                                                         string
	}{
		{"en-US", "Email", "Password", "Sign in", "Date", "Time", "mm/dd/yyyy", "h:mm AM or PM", "12/15/2026", "2:25 pm", "2:30 PM",
			"Tuesday, December 15, 2026 · 2:30 PM", "Schedule", "Scheduled for", "Tiếng Việt", "15/12/2026", "14:30",
			"02/31/2026", "Enter the date as mm/dd/yyyy and the time as h:mm AM or PM."},
		{"vi-VN", "Email", "Mật khẩu", "Đăng nhập", "Ngày", "Giờ", "dd/mm/yyyy", "hh:mm, 24 giờ", "15/12/2026", "14g25", "14:30",
			"Thứ Ba, 15 tháng 12, 2026 · 14:30", "Lên lịch", "Đã lên lịch lúc", "English", "12/15/2026", "2:30 PM",
			"31/02/2026", "Hãy nhập ngày theo dạng dd/mm/yyyy và giờ theo dạng hh:mm, 24 giờ."},
	} {
		t.Run(l.lang, func(t *testing.T) {
			srv := servertest.Start(t, servertest.Options{Admin: "admin@example.com"})
			admin := srv.Login(t, "admin@example.com", servertest.Password)
			srv.CreateUser(t, admin, "lan@example.com", "Trần Thị Lan", "EDITOR")
			var g struct{ CreateGallery struct{ ID string } }
			srv.GraphQL(t, admin, `mutation { createGallery(input: {title: "Đêm giao thừa ở phố đi bộ"}) { id } }`, nil).Decode(t, &g)
			gid := g.CreateGallery.ID

			b := browsertest.Start(t, browsertest.Options{Allow: []string{srv.URL}, Lang: l.lang, Timezone: "Asia/Ho_Chi_Minh", Width: 1280, Height: 900})
			signIn(b, srv, l.email, l.password, l.signIn, "lan@example.com")
			b.Navigate(srv.URL + "/desk/galleries/" + gid)
			b.WaitText(l.dateHint)
			b.WaitText(l.timeHint)
			if n := browsertest.Eval[int](b, `document.querySelectorAll('input[type=datetime-local], input[type=date], input[type=time]').length`); n != 0 {
				t.Errorf("%d of the browser's own date fields on the page", n)
			}
			// A day the month lacks is said, and nothing can be scheduled.
			b.Fill(l.date, l.badDate)
			b.Fill(l.time, l.typedTime)
			b.WaitText(l.badSaid)
			if !browsertest.Eval[bool](b, `document.getElementById('g-at-date').getAttribute('aria-invalid') === 'true' && [...document.querySelectorAll('button')].find((x) => x.textContent === `+jsString(l.schedule)+`).disabled`) {
				t.Errorf("%s: the date field is not marked invalid, or Schedule is enabled", l.badDate)
			}
			b.Screenshot("publish-at-invalid")
			b.AssertAccessible("publish time invalid")
			b.Fill(l.date, l.typedDate)
			b.Fill(l.time, l.typedTime)
			b.Press(kb.ArrowUp) // five minutes later
			if got := value(b, l.time); got != l.stepped {
				t.Errorf("the time after ArrowUp: %q, want %q", got, l.stepped)
			}
			b.WaitTrue("read back in words", `document.body.innerText.replace(/[\u202f\u00a0]/g, ' ').includes(`+jsString(l.readBack)+`)`)
			b.AssertAccessible("publish time typed")
			b.Screenshot("publish-at-typed")

			b.Click("button", l.schedule)
			b.WaitText(l.scheduledFor)
			var d struct {
				Gallery struct{ Status, PublishAt string }
			}
			srv.GraphQL(t, admin, `query($id: ID!) { gallery(id: $id) { status publishAt } }`, map[string]any{"id": gid}).Decode(t, &d)
			at, err := time.Parse(time.RFC3339, d.Gallery.PublishAt)
			if want := time.Date(2026, 12, 15, 7, 30, 0, 0, time.UTC); err != nil || !at.Equal(want) || d.Gallery.Status != "SCHEDULED" {
				t.Errorf("stored: %+v, want SCHEDULED at %s (14:30 in Ho Chi Minh City)", d.Gallery, want)
			}
			b.Screenshot("scheduled")

			// The other language rewrites what is typed in its own order and clock.
			b.Select(map[bool]string{true: "Language", false: "Ngôn ngữ"}[strings.HasPrefix(l.lang, "en")], l.switchTo)
			b.WaitTrue("the fields rewritten", `document.getElementById('g-at-date').value === `+jsString(l.switchedDate)+
				` && document.getElementById('g-at-time').value === `+jsString(l.switchedTime))
			b.Screenshot("switched-language")

			// Opened again, the scheduled gallery shows its time in the fields.
			b.Navigate(srv.URL + "/desk/galleries/" + gid)
			b.WaitTrue("the scheduled time in the fields", `document.getElementById('g-at-date')?.value === `+jsString(l.switchedDate)+
				` && document.getElementById('g-at-time').value === `+jsString(l.switchedTime))
			b.Screenshot("reopened")
		})
	}
}
