// Vietnamese messages: the same keys as messages.en.ts.
import type { Messages } from './messages.en';

export const vi: Messages = {
  'app.name': 'Stillroom Desk',
  'app.skip': 'Chuyển đến nội dung',
  'app.loading': 'Đang tải…',
  'app.error': 'Đã xảy ra lỗi: {message}',
  'app.offline': 'Không kết nối được máy chủ. Hãy kiểm tra kết nối và thử lại.',
  'app.retry': 'Thử lại',

  'nav.main': 'Điều hướng chính',
  'nav.library': 'Thư viện',
  'nav.galleries': 'Bộ ảnh',
  'nav.articles': 'Bài viết',
  'nav.people': 'Người dùng',
  'nav.account': 'Tài khoản',

  'lang.label': 'Ngôn ngữ',
  'lang.en': 'English',
  'lang.vi': 'Tiếng Việt',

  'session.signedInAs': 'Đang đăng nhập: {name}',
  'session.signOut': 'Đăng xuất',
  'session.ended': 'Phiên làm việc đã kết thúc. Vui lòng đăng nhập lại.',
  'session.disabled': 'Tài khoản của bạn đã bị vô hiệu hóa. Hãy liên hệ quản trị viên.',

  'signIn.title': 'Đăng nhập vào Desk',
  'signIn.email': 'Email',
  'signIn.password': 'Mật khẩu',
  'signIn.submit': 'Đăng nhập',
  'signIn.working': 'Đang đăng nhập…',
  'signIn.wrong': 'Sai email hoặc mật khẩu.',
  'signIn.limited': 'Bạn đã thử quá nhiều lần. Vui lòng đợi một lát rồi thử lại.',

  'library.title': 'Thư viện',
  'library.empty': 'Chưa có ảnh nào. Thả cả buổi chụp vào bất kỳ đâu trên cửa sổ này, hoặc chọn tệp.',
  'library.count': '{count} ảnh',

  'notFound.title': 'Không tìm thấy trang',
  'notFound.back': 'Quay lại thư viện',
};
