// An std::ostream over a stdio FILE (stdout) that keeps the errno of the
// first failed write, so that a command can report "write to stdout: Broken
// pipe" (main() ignores SIGPIPE). Once a write has failed the stream is bad
// and writes nothing more. Unbuffered itself: every write goes to fwrite
// (stdio buffers), so mixing it with printf on the same FILE keeps order.
#pragma once

#include <cstdio>
#include <ostream>
#include <streambuf>
#include <string>

namespace pushdown::engine::cli {

class FileStreamBuf final : public std::streambuf {
 public:
  explicit FileStreamBuf(std::FILE* file) : file_(file) {}
  // 0 while every write succeeded; else the errno of the first failure.
  int error() const { return errno_; }

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int_type overflow(int_type c) override;
  int sync() override;

 private:
  std::FILE* file_;
  int errno_ = 0;
};

class FileOStream final : public std::ostream {
 public:
  explicit FileOStream(std::FILE* file) : std::ostream(nullptr), buf_(file) { rdbuf(&buf_); }
  // "write to stdout: <strerror>" for the first failed write ("" if none).
  std::string error() const;

 private:
  FileStreamBuf buf_;
};

}  // namespace pushdown::engine::cli
