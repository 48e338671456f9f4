#include "pushdown/sst/compression.h"

#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <memory>

#include "pushdown/sst/format.h"
#include "util/coding.h"

namespace pushdown::exec {
namespace {

// Reads the varint32 decompressed size that format_version >= 2 puts first.
Status TakeSizePrefix(std::string_view* payload, size_t max_output, size_t* size) {
  uint32_t n = 0;
  if (!GetVarint32(payload, &n)) {
    return Status::Corruption("bad decompressed size prefix");
  }
  if (n > max_output) {
    return Status::Corruption("decompressed size " + std::to_string(n) + " over limit");
  }
  *size = n;
  return Status::OK();
}

Status Snappy(std::string_view in, size_t max_output, std::string* out) {
  size_t n = 0;
  if (snappy_uncompressed_length(in.data(), in.size(), &n) != SNAPPY_OK) {
    return Status::Corruption("bad snappy length");
  }
  if (n > max_output) return Status::Corruption("snappy size over limit");
  out->resize(n);
  size_t got = n;
  if (snappy_uncompress(in.data(), in.size(), out->data(), &got) != SNAPPY_OK || got != n) {
    return Status::Corruption("bad snappy data");
  }
  return Status::OK();
}

struct InflateEnd {
  void operator()(z_stream* s) const {
    inflateEnd(s);
    delete s;
  }
};

Status Zlib(std::string_view in, const DecompressOptions& o, std::string* out) {
  size_t expected = 0;
  const bool sized = o.format_version >= 2;
  if (sized) PD_RETURN_IF_ERROR(TakeSizePrefix(&in, o.max_output, &expected));
  auto* raw = new z_stream{};
  if (inflateInit2(raw, -15) != Z_OK) {  // raw deflate, any window
    delete raw;
    return Status::Internal("inflateInit2 failed");
  }
  std::unique_ptr<z_stream, InflateEnd> zs(raw);
  if (!o.dictionary.empty() &&
      inflateSetDictionary(zs.get(), reinterpret_cast<const Bytef*>(o.dictionary.data()),
                           static_cast<uInt>(o.dictionary.size())) != Z_OK) {
    return Status::Corruption("zlib dictionary rejected");
  }
  zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs->avail_in = static_cast<uInt>(in.size());
  out->resize(sized ? expected : std::max<size_t>(in.size() * 4, 256));
  size_t produced = 0;
  for (;;) {
    if (produced == out->size()) {
      if (sized || out->size() >= o.max_output) {
        // No room left: the stream must have ended exactly here.
        char probe;
        zs->next_out = reinterpret_cast<Bytef*>(&probe);
        zs->avail_out = 1;
        int r = inflate(zs.get(), Z_FINISH);
        if (r == Z_STREAM_END && zs->avail_out == 1) break;
        return Status::Corruption("zlib output larger than declared");
      }
      out->resize(std::min(out->size() * 2, o.max_output));
    }
    zs->next_out = reinterpret_cast<Bytef*>(out->data() + produced);
    zs->avail_out = static_cast<uInt>(out->size() - produced);
    int r = inflate(zs.get(), Z_FINISH);
    produced = out->size() - zs->avail_out;
    if (r == Z_STREAM_END) break;
    if (r == Z_BUF_ERROR && zs->avail_out == 0) continue;
    if (r != Z_OK) return Status::Corruption("bad zlib data");
  }
  if (sized && produced != expected) {
    return Status::Corruption("zlib size mismatch");
  }
  out->resize(produced);
  return Status::OK();
}

Status Lz4(std::string_view in, const DecompressOptions& o, std::string* out) {
  size_t n = 0;
  if (o.format_version >= 2) {
    PD_RETURN_IF_ERROR(TakeSizePrefix(&in, o.max_output, &n));
  } else {
    if (in.size() < 8) return Status::Corruption("bad lz4 header");
    n = DecodeFixed32(in.data());
    if (n > o.max_output) return Status::Corruption("lz4 size over limit");
    in.remove_prefix(8);
  }
  if (in.size() > static_cast<size_t>(INT32_MAX) || n > INT32_MAX) {
    return Status::Corruption("lz4 block too large");
  }
  out->resize(n);
  int got;
  if (o.dictionary.empty()) {
    got = LZ4_decompress_safe(in.data(), out->data(), static_cast<int>(in.size()),
                              static_cast<int>(n));
  } else {
    got = LZ4_decompress_safe_usingDict(in.data(), out->data(), static_cast<int>(in.size()),
                                        static_cast<int>(n), o.dictionary.data(),
                                        static_cast<int>(o.dictionary.size()));
  }
  if (got < 0 || static_cast<size_t>(got) != n) {
    return Status::Corruption("bad lz4 data");
  }
  return Status::OK();
}

Status Zstd(std::string_view in, const DecompressOptions& o, std::string* out) {
  size_t n = 0;
  PD_RETURN_IF_ERROR(TakeSizePrefix(&in, o.max_output, &n));
  out->resize(n);
  // One decompression context per thread, reused across blocks (creating one
  // per block costs more than decompressing a 4 KiB block).
  thread_local std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(),
                                                                      ZSTD_freeDCtx);
  if (!ctx) return Status::Internal("ZSTD_createDCtx failed");
  size_t got;
  if (o.dictionary.empty()) {
    got = ZSTD_decompressDCtx(ctx.get(), out->data(), n, in.data(), in.size());
  } else {
    got = ZSTD_decompress_usingDict(ctx.get(), out->data(), n, in.data(), in.size(),
                                    o.dictionary.data(), o.dictionary.size());
  }
  if (ZSTD_isError(got) || got != n) return Status::Corruption("bad zstd data");
  return Status::OK();
}

}  // namespace

Status DecompressBlock(uint8_t type, std::string_view payload, const DecompressOptions& options,
                       std::string* out) {
  switch (static_cast<CompressionType>(type)) {
    case CompressionType::kNone:
      out->assign(payload.data(), payload.size());
      return Status::OK();
    case CompressionType::kSnappy:
      return Snappy(payload, options.max_output, out);
    case CompressionType::kZlib:
      return Zlib(payload, options, out);
    case CompressionType::kLz4:
    case CompressionType::kLz4hc:
      return Lz4(payload, options, out);
    case CompressionType::kZstd:
    case CompressionType::kZstdNotFinal:
      return Zstd(payload, options, out);
    case CompressionType::kBZip2:
    case CompressionType::kXpress:
      return Status::NotSupported(std::string(CompressionTypeName(type)) +
                                  " compression not supported");
  }
  return Status::Corruption("unknown compression type " + std::to_string(type));
}

}  // namespace pushdown::exec
