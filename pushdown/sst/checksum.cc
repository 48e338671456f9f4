#include "pushdown/sst/checksum.h"

#include <nmmintrin.h>
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include <array>
#include <cstring>

namespace pushdown::exec {
#if PD_HAVE_XXH3_AVX2
uint64_t Xxh3Avx2(const void* data, size_t n);  // xxh3_avx2.cc, built with -mavx2
#endif

namespace {

constexpr uint32_t kCrc32cPoly = 0x82f63b78u;  // reflected Castagnoli

struct Crc32cTables {
  std::array<std::array<uint32_t, 256>, 8> t{};
  constexpr Crc32cTables() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kCrc32cPoly : c >> 1;
      t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i) {
      for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xff];
    }
  }
};
constexpr Crc32cTables kTables;

uint32_t Crc32cPortable(uint32_t crc, const unsigned char* p, size_t n) {
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    v ^= crc;
    crc = kTables.t[7][v & 0xff] ^ kTables.t[6][(v >> 8) & 0xff] ^ kTables.t[5][(v >> 16) & 0xff] ^
          kTables.t[4][(v >> 24) & 0xff] ^ kTables.t[3][(v >> 32) & 0xff] ^
          kTables.t[2][(v >> 40) & 0xff] ^ kTables.t[1][(v >> 48) & 0xff] ^ kTables.t[0][v >> 56];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) crc = (crc >> 8) ^ kTables.t[0][(crc ^ *p++) & 0xff];
  return crc;
}

__attribute__((target("sse4.2"))) uint32_t Crc32cSse42(uint32_t crc, const unsigned char* p,
                                                       size_t n) {
  uint64_t c = crc;
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    c = _mm_crc32_u64(c, v);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  while (n-- > 0) c32 = _mm_crc32_u8(c32, *p++);
  return c32;
}

uint64_t Xxh3(const void* data, size_t n) {
#if PD_HAVE_XXH3_AVX2
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) return Xxh3Avx2(data, n);
#endif
  return XXH3_64bits(data, n);
}

bool HaveSse42() {
  static const bool have = __builtin_cpu_supports("sse4.2");
  return have;
}

}  // namespace

uint32_t Crc32cExtend(uint32_t init, const char* data, size_t n) {
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  uint32_t crc = ~init;
  crc = HaveSse42() ? Crc32cSse42(crc, p, n) : Crc32cPortable(crc, p, n);
  return ~crc;
}

uint32_t Crc32cExtendPortable(uint32_t init, const char* data, size_t n) {
  return ~Crc32cPortable(~init, reinterpret_cast<const unsigned char*>(data), n);
}

uint32_t ComputeBlockChecksum(ChecksumType type, const char* payload, size_t n,
                              uint8_t compression_type) {
  const char last = static_cast<char>(compression_type);
  switch (type) {
    case ChecksumType::kCrc32c: {
      uint32_t crc = Crc32cExtend(0, payload, n);
      crc = Crc32cExtend(crc, &last, 1);
      return MaskCrc32c(crc);
    }
    case ChecksumType::kXxHash: {
      XXH32_state_t state;
      XXH32_reset(&state, 0);
      XXH32_update(&state, payload, n);
      XXH32_update(&state, &last, 1);
      return XXH32_digest(&state);
    }
    case ChecksumType::kXxHash64: {
      XXH64_state_t state;
      XXH64_reset(&state, 0);
      XXH64_update(&state, payload, n);
      XXH64_update(&state, &last, 1);
      return static_cast<uint32_t>(XXH64_digest(&state));
    }
    case ChecksumType::kXxh3: {
      const uint32_t h = static_cast<uint32_t>(Xxh3(payload, n));
      return h ^ (static_cast<uint32_t>(compression_type) * 0x6b9083d9u);
    }
    case ChecksumType::kNone:
      break;
  }
  return 0;
}

}  // namespace pushdown::exec
