package demo

import (
	"image/color"

	"github.com/stillroom/stillroom/core"
)

// The demo article, written for Stillroom: a ward's cycling day.
const (
	title   = "Hơn 3.000 người dân cùng đạp xe trong Ngày hội “Phố xanh, sông sạch”"
	section = "Tin tức - Sự kiện"
	summary = "Sáng Chủ nhật, đoàn xe đạp dài gần hai cây số đi dọc bờ sông, kêu gọi người dân giữ gìn cảnh quan và bớt dùng đồ nhựa một lần."

	galleryTitle = "Ảnh: Ngày hội đạp xe “Phố xanh, sông sạch”"
	credit       = "Ảnh minh hoạ: Stillroom"
)

var tags = []string{"đạp xe", "môi trường", "ngày hội"}

var paragraphs = []string{
	"Sáng Chủ nhật 15/9, Ủy ban nhân dân quận phối hợp với Đoàn Thanh niên tổ chức Ngày hội đạp xe “Phố xanh, sông sạch” lần thứ nhất. Từ 6 giờ sáng, hơn 3.000 người dân, học sinh và đoàn viên đã có mặt tại quảng trường trung tâm, mang theo xe đạp được trang trí bằng cờ, hoa và khẩu hiệu bảo vệ môi trường.",
	"Phát biểu khai mạc, bà Lê Thị Thu Hà – Phó Chủ tịch UBND quận cho biết ngày hội nhằm lan toả lối sống xanh, khuyến khích người dân đi xe đạp hoặc đi bộ cho những quãng đường ngắn và chung tay giữ sạch các tuyến kênh, rạch trên địa bàn.",
	"Đoàn xe xuất phát theo từng khối, đi qua bảy tuyến phố chính và hai cây cầu ven sông. Dọc đường, các đội tình nguyện viên phát túi vải, bình nước dùng nhiều lần và hướng dẫn bà con phân loại rác ngay tại nhà.",
	"Kết thúc hành trình, ban tổ chức trao giải cho các đội có xe trang trí đẹp và sáng tạo nhất, đồng thời ra mắt mô hình “Tuyến phố không rác thải nhựa” tại ba phường. Theo kế hoạch, ngày hội sẽ được tổ chức mỗi năm một lần.",
}

// still is one generated still: its file name (which carries the
// timecode), the text set on its asset, and how it is drawn.
type still struct {
	name, caption, alt string
	scene              scene
}

// stills in the order of the story; their timecodes put the gallery in a
// different order, which sorting by timecode restores.
var stills = []still{
	{"Sequence 01.00_00_02_14.Still201.jpg",
		"Người dân tập trung tại quảng trường trung tâm từ sáng sớm.",
		"Hình minh hoạ: vài người cạnh xe đạp trước dãy nhà, mặt trời vừa lên trên nền trời hồng.",
		scene{rgb(250, 170, 140), rgb(255, 228, 190), rgb(255, 240, 200), 78, 30, 9, rgb(120, 90, 110), rgb(90, 85, 95), rgb(40, 35, 60), 1}},
	{"Sequence 01.00_00_05_21.Still203.jpg",
		"Đoàn xe xuất phát, đi qua tuyến phố chính.",
		"Hình minh hoạ: nhiều người đạp xe trên đường phố, phía sau là các toà nhà cao thấp.",
		scene{rgb(120, 180, 235), rgb(210, 235, 250), rgb(255, 250, 220), 20, 18, 8, rgb(70, 100, 140), rgb(80, 80, 85), rgb(200, 40, 50), 2}},
	{"Sequence 01.00_00_03_05.Still202.jpg",
		"Học sinh mang theo khẩu hiệu bảo vệ môi trường.",
		"Hình minh hoạ: nhóm người đạp xe nối đuôi nhau dưới bầu trời xanh.",
		scene{rgb(90, 160, 230), rgb(190, 225, 245), rgb(255, 245, 210), 60, 14, 7, rgb(60, 120, 100), rgb(75, 78, 80), rgb(30, 90, 200), 3}},
	{"Sequence 01.00_00_08_17.Still205.jpg",
		"Đoàn xe đi qua cầu ven sông.",
		"Hình minh hoạ: người đạp xe trên mặt cầu, dãy nhà thấp in bóng phía xa.",
		scene{rgb(100, 140, 200), rgb(230, 210, 170), rgb(255, 230, 160), 85, 40, 10, rgb(90, 90, 120), rgb(60, 90, 110), rgb(250, 200, 40), 4}},
	{"Sequence 01.00_00_06_09.Still204.jpg",
		"Tình nguyện viên phát túi vải cho người dân dọc đường.",
		"Hình minh hoạ: vài người dừng xe bên đường, nắng trưa chiếu trên các mái nhà.",
		scene{rgb(70, 150, 225), rgb(175, 215, 240), rgb(255, 255, 235), 45, 10, 6, rgb(150, 110, 80), rgb(85, 85, 80), rgb(20, 150, 90), 5}},
	{"Sequence 01.00_00_09_02.Still206.jpg",
		"Ban tổ chức trao giải cho các đội có xe trang trí đẹp nhất.",
		"Hình minh hoạ: người đứng cạnh xe đạp trước dãy nhà lúc hoàng hôn.",
		scene{rgb(80, 60, 130), rgb(245, 150, 90), rgb(255, 200, 120), 30, 45, 11, rgb(60, 45, 70), rgb(70, 60, 70), rgb(250, 240, 230), 6}},
}

// articleBlocks lays out the article: the first paragraph, the first still,
// the rest of the text, then the gallery.
func articleBlocks(assetIDs []string, galleryID string) []core.Block {
	blocks := []core.Block{
		{Kind: core.BlockParagraph, Text: paragraphs[0]},
		{Kind: core.BlockImage, AssetIDs: []string{assetIDs[0]}, Caption: stills[0].caption},
	}
	for _, p := range paragraphs[1:] {
		blocks = append(blocks, core.Block{Kind: core.BlockParagraph, Text: p})
	}
	return append(blocks, core.Block{Kind: core.BlockGallery, GalleryID: galleryID})
}

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{r, g, b, 255} }
