// The native tree update: the same algorithm, node layout, record encoding and stale lists
// as state/tree.ts, node.ts and record.ts (the reference; state/test/native.test.ts compares
// every byte each produces). Nodes are immutable and reference-counted; the head's tree and
// every prepared version share unchanged subtrees, as the JavaScript objects do.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "sha256.h"

namespace sov {

inline int popcount16(uint32_t x) { return __builtin_popcount(x & 0xffff); }
inline int nibbleOf(const uint8_t* h, int i) { return i & 1 ? h[i >> 1] & 0x0f : h[i >> 1] >> 4; }
inline int varintSize(uint64_t v) {
  int n = 1;
  while (v >= 0x80) { v >>= 7; n++; }
  return n;
}
inline size_t writeVarint(uint8_t* b, size_t at, uint64_t v) {
  while (v >= 0x80) { b[at++] = uint8_t((v & 0x7f) | 0x80); v >>= 7; }
  b[at++] = uint8_t(v);
  return at;
}
inline uint64_t readVarint(const uint8_t* b, size_t& at) {
  uint64_t v = 0;
  int shift = 0;
  uint8_t c;
  do { c = b[at++]; v |= uint64_t(c & 0x7f) << shift; shift += 7; } while (c & 0x80);
  return v;
}
inline void writeU64(uint8_t* b, uint64_t v) { for (int i = 0; i < 8; i++) b[i] = uint8_t(v >> (56 - 8 * i)); }
inline uint64_t readU64(const uint8_t* b) { uint64_t v = 0; for (int i = 0; i < 8; i++) v = (v << 8) | b[i]; return v; }

struct Tree;

/** An internal node: node.ts's bytes (leafMask, bitmap, hashes, leaf key hashes, version gaps). */
struct Node {
  int32_t refs;
  uint8_t depth;
  uint16_t bitmap, leafMask, delta;
  int64_t version, base;
  uint8_t hash[32];
  Node* kids[16];
  uint32_t len;
  uint8_t* bytes() { return reinterpret_cast<uint8_t*>(this + 1); }
  const uint8_t* bytes() const { return reinterpret_cast<const uint8_t*>(this + 1); }
  int count() const { return popcount16(bitmap); }
  const uint8_t* childHash(int n) const { return bytes() + 4 + popcount16(bitmap & ((1u << n) - 1)) * 32; }
  const uint8_t* leafKeyOf(int n) const { return bytes() + 4 + (count() + popcount16(leafMask & ((1u << n) - 1))) * 32; }
  bool isLeafOf(int n, const uint8_t* kh) const { return ((leafMask >> n) & 1) && memcmp(leafKeyOf(n), kh, 32) == 0; }
  void versionsInto(int64_t out[16]) const {
    size_t at = 4 + (count() + popcount16(leafMask)) * 32;
    for (int n = 0; n < 16; n++) if ((bitmap >> n) & 1) out[n] = version - int64_t(readVarint(bytes(), at));
  }
  int64_t childVersionAt(int n) const {
    size_t at = 4 + (count() + popcount16(leafMask)) * 32;
    const int r = popcount16(bitmap & ((1u << n) - 1));
    for (int i = 0; i < r; i++) while (bytes()[at++] & 0x80) {}
    return version - int64_t(readVarint(bytes(), at));
  }
};

/** What a parent knows of a child (or a root): kind 0 absent, 1 leaf, 2 internal. */
struct Ref {
  uint8_t kind = 0;
  int64_t version = 0;
  const uint8_t* hash = nullptr;
  const uint8_t* leafKey = nullptr;
  Node* node = nullptr;  // kind 2: the node when in memory (a borrowed pointer)
};

/** A root held across calls: owns its hash bytes and one reference to its node. */
struct Root {
  uint8_t kind = 0;
  int64_t version = 0;
  uint8_t hash[32] = {0};
  uint8_t leafKey[32] = {0};
  Node* node = nullptr;
};

struct Tree {
  CompressFn compress;
  std::vector<uint8_t> pKey, pValue, pLeaf, pInner;  // domain prefixes ("sov/" d 0x00)
  int64_t perDepth[65] = {0};
  int64_t total = 0;
  int64_t limit;
  Root head;

  Node* alloc(uint8_t depth, int64_t version, uint32_t len) {
    void* mem = malloc(sizeof(Node) + len);
    if (mem == nullptr) throw std::bad_alloc();
    Node* n = static_cast<Node*>(mem);
    n->refs = 0; n->depth = depth; n->version = version; n->base = version; n->delta = 0; n->len = len;
    for (auto& k : n->kids) k = nullptr;
    perDepth[depth]++;
    total++;
    return n;
  }
  static void ref(Node* n) { if (n) n->refs++; }
  void unref(Node* n) {
    if (n == nullptr || --n->refs > 0) return;
    for (Node* k : n->kids) unref(k);
    perDepth[n->depth]--;
    total--;
    free(n);
  }
  void setRoot(Root& r, const Root& from) {
    ref(from.node);
    Node* old = r.node;
    r = from;
    unref(old);
  }
  void clearRoot(Root& r) { unref(r.node); r = Root(); }

  void hashParts(const std::vector<uint8_t>& prefix, const uint8_t* a, size_t alen, const uint8_t* b, size_t blen, uint8_t out[32]) const {
    Sha256 h(compress);
    h.update(prefix.data(), prefix.size());
    h.update(a, alen);
    if (blen) h.update(b, blen);
    h.final(out);
  }
  void hashInner(Node* n) const { hashParts(pInner, n->bytes() + 2, 2 + size_t(n->count()) * 32, nullptr, 0, n->hash); }

  /**
   * Past the limit, drop the deepest levels of the head's tree: keep the levels above the first
   * depth at which the count would exceed half the limit (state/store.ts's trimNodes).
   */
  void trim() {
    if (total <= limit) return;
    const int64_t target = limit >> 1;
    int keep = 0;
    int64_t sum = 0;
    while (keep < 65 && sum + perDepth[keep] <= target) sum += perDepth[keep++];
    if (head.node == nullptr) return;
    if (keep == 0) {
      unref(head.node);
      head.node = nullptr;
      return;
    }
    std::vector<Node*> level{head.node}, next;
    for (int depth = 0; !level.empty(); depth++) {
      next.clear();
      for (Node* n : level) {
        for (auto& k : n->kids) {
          if (k == nullptr) continue;
          if (depth == keep - 1) { unref(k); k = nullptr; } else next.push_back(k);
        }
      }
      if (depth == keep - 1) break;
      level.swap(next);
    }
  }
};

/** One write: its key hash, leaf hash, and where its key and value are. */
struct Op {
  uint8_t kh[32];
  uint8_t lh[32];
  int32_t index;
  bool del;
  bool noop;
  uint32_t koff, klen, voff, vlen;
};

/** Output of an update: KV records as [u8 key length][key][u32 value length][value]. */
struct Out {
  std::vector<uint8_t> records;
  uint32_t count = 0;
  uint8_t* put(size_t klen, size_t vlen, uint8_t** value) {
    const size_t at = records.size();
    records.resize(at + 1 + klen + 4 + vlen);
    uint8_t* p = records.data() + at;
    p[0] = uint8_t(klen);
    p[1 + klen] = uint8_t(vlen >> 24); p[2 + klen] = uint8_t(vlen >> 16); p[3 + klen] = uint8_t(vlen >> 8); p[4 + klen] = uint8_t(vlen);
    *value = p + 5 + klen;
    count++;
    return p + 1;
  }
};

inline size_t nodeKeyLength(int depth) { return 10 + ((depth + 1) >> 1); }
inline void writeNodeKey(uint8_t* k, int64_t ver, int depth, const uint8_t* kh) {
  const int n = (depth + 1) >> 1;
  k[0] = 0x4e;  // 'N'
  writeU64(k + 1, uint64_t(ver));
  k[9] = uint8_t(depth);
  for (int i = 0; i < n; i++) k[10 + i] = kh[i];
  if (depth & 1) k[9 + n] &= 0xf0;
}
inline void writeLeafKey(uint8_t* k, const uint8_t* kh, int64_t ver) {
  k[0] = 0x4c;  // 'L'
  memcpy(k + 1, kh, 32);
  writeU64(k + 33, uint64_t(ver));
}

}  // namespace sov
