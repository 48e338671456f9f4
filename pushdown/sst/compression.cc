#include "pushdown/sst/compression.h"

#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
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

// The uncompressed size `payload` declares and, in *body, what follows the
// declaration. NotSupported for a type that declares none.
Status DeclaredSize(uint8_t type, std::string_view payload, const DecompressOptions& o,
                    size_t* size, std::string_view* body) {
  *body = payload;
  switch (static_cast<CompressionType>(type)) {
    case CompressionType::kNone:
      *size = payload.size();
      return Status::OK();
    case CompressionType::kSnappy:
      if (snappy_uncompressed_length(payload.data(), payload.size(), size) != SNAPPY_OK) {
        return Status::Corruption("bad snappy length");
      }
      if (*size > o.max_output) return Status::Corruption("snappy size over limit");
      return Status::OK();
    case CompressionType::kLz4:
    case CompressionType::kLz4hc:
      if (o.format_version < 2) {
        if (payload.size() < 8) return Status::Corruption("bad lz4 header");
        *size = DecodeFixed32(payload.data());
        if (*size > o.max_output) return Status::Corruption("lz4 size over limit");
        body->remove_prefix(8);
        return Status::OK();
      }
      return TakeSizePrefix(body, o.max_output, size);
    case CompressionType::kZlib:
      if (o.format_version < 2) return Status::NotSupported("zlib block declares no size");
      return TakeSizePrefix(body, o.max_output, size);
    case CompressionType::kZstd:
    case CompressionType::kZstdNotFinal:
      return TakeSizePrefix(body, o.max_output, size);
    case CompressionType::kBZip2:
    case CompressionType::kXpress:
      return Status::NotSupported(std::string(CompressionTypeName(type)) +
                                  " compression not supported");
  }
  return Status::Corruption("unknown compression type " + std::to_string(type));
}

Status Snappy(std::string_view in, char* out, size_t n) {
  size_t got = n;
  if (snappy_uncompress(in.data(), in.size(), out, &got) != SNAPPY_OK || got != n) {
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
using Inflater = std::unique_ptr<z_stream, InflateEnd>;

Result<Inflater> NewInflater(std::string_view in, const DecompressOptions& o) {
  auto* raw = new z_stream{};
  if (inflateInit2(raw, -15) != Z_OK) {  // raw deflate, any window
    delete raw;
    return Status::Internal("inflateInit2 failed");
  }
  Inflater zs(raw);
  if (!o.dictionary.empty() &&
      inflateSetDictionary(zs.get(), reinterpret_cast<const Bytef*>(o.dictionary.data()),
                           static_cast<uInt>(o.dictionary.size())) != Z_OK) {
    return Status::Corruption("zlib dictionary rejected");
  }
  zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs->avail_in = static_cast<uInt>(in.size());
  return zs;
}

// No room left after `zs` filled its output: the stream must end exactly here.
Status ZlibEndsHere(z_stream* zs) {
  char probe;
  zs->next_out = reinterpret_cast<Bytef*>(&probe);
  zs->avail_out = 1;
  int r = inflate(zs, Z_FINISH);
  if (r == Z_STREAM_END && zs->avail_out == 1) return Status::OK();
  return Status::Corruption("zlib output larger than declared");
}

// A zlib stream of declared size n into out[0, n).
Status ZlibSized(std::string_view in, const DecompressOptions& o, char* out, size_t n) {
  PD_ASSIGN_OR_RETURN(Inflater zs, NewInflater(in, o));
  zs->next_out = reinterpret_cast<Bytef*>(out);
  zs->avail_out = static_cast<uInt>(n);
  int r = inflate(zs.get(), Z_FINISH);
  if (r != Z_STREAM_END && r != Z_OK && !(r == Z_BUF_ERROR && zs->avail_out == 0)) {
    return Status::Corruption("bad zlib data");
  }
  if (zs->avail_out != 0) return Status::Corruption("zlib size mismatch");
  if (r != Z_STREAM_END) return ZlibEndsHere(zs.get());
  return Status::OK();
}

// A zlib stream of undeclared size (format_version < 2): *out grows.
Status ZlibUnsized(std::string_view in, const DecompressOptions& o, std::string* out) {
  PD_ASSIGN_OR_RETURN(Inflater zs, NewInflater(in, o));
  out->resize(std::max<size_t>(in.size() * 4, 256));
  size_t produced = 0;
  for (;;) {
    if (produced == out->size()) {
      if (out->size() >= o.max_output) {
        PD_RETURN_IF_ERROR(ZlibEndsHere(zs.get()));
        break;
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
  out->resize(produced);
  return Status::OK();
}

Status Lz4(std::string_view in, const DecompressOptions& o, char* out, size_t n) {
  if (in.size() > static_cast<size_t>(INT32_MAX) || n > INT32_MAX) {
    return Status::Corruption("lz4 block too large");
  }
  int got;
  if (o.dictionary.empty()) {
    got = LZ4_decompress_safe(in.data(), out, static_cast<int>(in.size()), static_cast<int>(n));
  } else {
    got = LZ4_decompress_safe_usingDict(in.data(), out, static_cast<int>(in.size()),
                                        static_cast<int>(n), o.dictionary.data(),
                                        static_cast<int>(o.dictionary.size()));
  }
  if (got < 0 || static_cast<size_t>(got) != n) {
    return Status::Corruption("bad lz4 data");
  }
  return Status::OK();
}

Status Zstd(std::string_view in, const DecompressOptions& o, char* out, size_t n) {
  // One decompression context per thread, reused across blocks (creating one
  // per block costs more than decompressing a 4 KiB block).
  thread_local std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(),
                                                                      ZSTD_freeDCtx);
  if (!ctx) return Status::Internal("ZSTD_createDCtx failed");
  size_t got;
  if (o.dictionary.empty()) {
    got = ZSTD_decompressDCtx(ctx.get(), out, n, in.data(), in.size());
  } else {
    got = ZSTD_decompress_usingDict(ctx.get(), out, n, in.data(), in.size(), o.dictionary.data(),
                                    o.dictionary.size());
  }
  if (ZSTD_isError(got) || got != n) return Status::Corruption("bad zstd data");
  return Status::OK();
}

// `body` (after its size declaration) of a type that declared size n, into out[0, n).
Status DecompressSized(uint8_t type, std::string_view body, const DecompressOptions& o, char* out,
                       size_t n) {
  switch (static_cast<CompressionType>(type)) {
    case CompressionType::kNone:
      if (n != 0) std::memcpy(out, body.data(), n);
      return Status::OK();
    case CompressionType::kSnappy:
      return Snappy(body, out, n);
    case CompressionType::kZlib:
      return ZlibSized(body, o, out, n);
    case CompressionType::kLz4:
    case CompressionType::kLz4hc:
      return Lz4(body, o, out, n);
    case CompressionType::kZstd:
    case CompressionType::kZstdNotFinal:
      return Zstd(body, o, out, n);
    default:
      break;
  }
  return Status::Internal("no sized decompression for type " + std::to_string(type));
}

}  // namespace

Status DecompressBlock(uint8_t type, std::string_view payload, const DecompressOptions& options,
                       std::string* out) {
  if (static_cast<CompressionType>(type) == CompressionType::kZlib && options.format_version < 2) {
    return ZlibUnsized(payload, options, out);
  }
  size_t n = 0;
  std::string_view body;
  PD_RETURN_IF_ERROR(DeclaredSize(type, payload, options, &n, &body));
  out->resize(n);
  return DecompressSized(type, body, options, out->data(), n);
}

Result<size_t> DecompressedSize(uint8_t type, std::string_view payload,
                                const DecompressOptions& options) {
  size_t n = 0;
  std::string_view body;
  PD_RETURN_IF_ERROR(DeclaredSize(type, payload, options, &n, &body));
  return n;
}

Status DecompressBlockInto(uint8_t type, std::string_view payload, const DecompressOptions& options,
                           std::span<char> out) {
  size_t n = 0;
  std::string_view body;
  PD_RETURN_IF_ERROR(DeclaredSize(type, payload, options, &n, &body));
  if (n != out.size()) {
    return Status::InvalidArgument("decompressed size " + std::to_string(n) +
                                   " differs from the output's " + std::to_string(out.size()));
  }
  return DecompressSized(type, body, options, out.data(), n);
}

}  // namespace pushdown::exec
