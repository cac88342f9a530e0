// SHA-256 for the native tree update: the x86 SHA extensions when the CPU has them (checked
// at load), else a portable implementation. Both are compared with node:crypto by
// state/test/native.test.ts on inputs of every length up to a few blocks.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define SOV_X86 1
#endif

namespace sov {

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static inline uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void compressPortable(uint32_t s[8], const uint8_t* p, size_t blocks) {
  uint32_t w[64];
  while (blocks--) {
    for (int i = 0; i < 16; i++) w[i] = (uint32_t(p[4 * i]) << 24) | (uint32_t(p[4 * i + 1]) << 16) | (uint32_t(p[4 * i + 2]) << 8) | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
      uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
    for (int i = 0; i < 64; i++) {
      uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i];
      uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    s[0] += a; s[1] += b; s[2] += c; s[3] += d; s[4] += e; s[5] += f; s[6] += g; s[7] += h;
    p += 64;
  }
}

#ifdef SOV_X86
__attribute__((target("sha,sse4.1,ssse3"))) static void compressShaNi(uint32_t s[8], const uint8_t* p, size_t blocks) {
  const __m128i MASK = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i tmp = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&s[0]));
  __m128i st1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&s[4]));
  tmp = _mm_shuffle_epi32(tmp, 0xB1);           // CDAB
  st1 = _mm_shuffle_epi32(st1, 0x1B);           // EFGH
  __m128i st0 = _mm_alignr_epi8(tmp, st1, 8);   // ABEF
  st1 = _mm_blend_epi16(st1, tmp, 0xF0);        // CDGH
  while (blocks--) {
    const __m128i save0 = st0, save1 = st1;
    __m128i m[4];
    for (int i = 0; i < 4; i++) m[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i)), MASK);
    for (int i = 0; i < 16; i++) {
      __m128i w;
      if (i < 4) {
        w = m[i];
      } else {
        // W[t..t+3] from W[t-16..t-1]: the four vectors in m, oldest at (i & 3).
        const __m128i x0 = m[i & 3], x1 = m[(i + 1) & 3], x2 = m[(i + 2) & 3], x3 = m[(i + 3) & 3];
        w = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32(x0, x1), _mm_alignr_epi8(x3, x2, 4)), x3);
        m[i & 3] = w;
      }
      const __m128i k = _mm_add_epi32(w, _mm_loadu_si128(reinterpret_cast<const __m128i*>(&K256[4 * i])));
      st1 = _mm_sha256rnds2_epu32(st1, st0, k);
      st0 = _mm_sha256rnds2_epu32(st0, st1, _mm_shuffle_epi32(k, 0x0E));
    }
    st0 = _mm_add_epi32(st0, save0);
    st1 = _mm_add_epi32(st1, save1);
    p += 64;
  }
  tmp = _mm_shuffle_epi32(st0, 0x1B);           // FEBA
  st1 = _mm_shuffle_epi32(st1, 0xB1);           // DCHG
  st0 = _mm_blend_epi16(tmp, st1, 0xF0);        // DCBA
  st1 = _mm_alignr_epi8(st1, tmp, 8);           // ABEF
  _mm_storeu_si128(reinterpret_cast<__m128i*>(&s[0]), st0);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(&s[4]), st1);
}

static bool cpuHasShaNi() {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  if (!(c & (1u << 19)) || !(c & (1u << 9))) return false;  // SSE4.1, SSSE3
  if (__get_cpuid_max(0, nullptr) < 7) return false;
  __cpuid_count(7, 0, a, b, c, d);
  return (b & (1u << 29)) != 0;  // SHA
}
#endif

typedef void (*CompressFn)(uint32_t*, const uint8_t*, size_t);

inline CompressFn pickCompress(bool allowNi) {
#ifdef SOV_X86
  if (allowNi && cpuHasShaNi()) return compressShaNi;
#endif
  (void)allowNi;
  return compressPortable;
}

/** One SHA-256 computation: update with parts, then final. */
struct Sha256 {
  uint32_t s[8];
  uint8_t buf[64];
  size_t n = 0;
  uint64_t total = 0;
  CompressFn compress;

  explicit Sha256(CompressFn f) : compress(f) {
    static const uint32_t H0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s, H0, sizeof s);
  }

  void update(const uint8_t* p, size_t len) {
    total += len;
    if (n > 0) {
      size_t take = 64 - n < len ? 64 - n : len;
      memcpy(buf + n, p, take);
      n += take; p += take; len -= take;
      if (n < 64) return;
      compress(s, buf, 1);
      n = 0;
    }
    if (len >= 64) {
      compress(s, p, len / 64);
      p += len & ~size_t(63);
      len &= 63;
    }
    if (len > 0) { memcpy(buf, p, len); n = len; }
  }

  void final(uint8_t out[32]) {
    const uint64_t bits = total * 8;
    buf[n++] = 0x80;
    if (n > 56) {
      memset(buf + n, 0, 64 - n);
      compress(s, buf, 1);
      n = 0;
    }
    memset(buf + n, 0, 56 - n);
    for (int i = 0; i < 8; i++) buf[56 + i] = uint8_t(bits >> (56 - 8 * i));
    compress(s, buf, 1);
    for (int i = 0; i < 8; i++) {
      out[4 * i] = uint8_t(s[i] >> 24); out[4 * i + 1] = uint8_t(s[i] >> 16);
      out[4 * i + 2] = uint8_t(s[i] >> 8); out[4 * i + 3] = uint8_t(s[i]);
    }
  }
};

}  // namespace sov
