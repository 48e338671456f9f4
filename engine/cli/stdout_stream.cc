#include "engine/cli/stdout_stream.h"

#include <cerrno>
#include <cstring>

namespace pushdown::engine::cli {

std::streamsize FileStreamBuf::xsputn(const char* s, std::streamsize n) {
  if (errno_ != 0 || n <= 0) return errno_ != 0 ? 0 : n;
  errno = 0;
  const size_t written = std::fwrite(s, 1, static_cast<size_t>(n), file_);
  if (written != static_cast<size_t>(n)) {
    errno_ = errno != 0 ? errno : EIO;
    return static_cast<std::streamsize>(written);
  }
  return n;
}

FileStreamBuf::int_type FileStreamBuf::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  const char ch = traits_type::to_char_type(c);
  return xsputn(&ch, 1) == 1 ? c : traits_type::eof();
}

int FileStreamBuf::sync() {
  if (errno_ != 0) return -1;
  errno = 0;
  if (std::fflush(file_) != 0) {
    errno_ = errno != 0 ? errno : EIO;
    return -1;
  }
  return 0;
}

std::string FileOStream::error() const {
  if (buf_.error() == 0) return "";
  return std::string("write to stdout: ") + std::strerror(buf_.error());
}

}  // namespace pushdown::engine::cli
