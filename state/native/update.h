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

#include <sys/mman.h>

#include "sha256.h"

namespace sov {

inline int popcount16(uint32_t x) {
  // Without -mpopcnt, __builtin_popcount is a library call.
  x &= 0xffff;
  x = x - ((x >> 1) & 0x5555);
  x = (x & 0x3333) + ((x >> 2) & 0x3333);
  x = (x + (x >> 4)) & 0x0f0f;
  return int((x + (x >> 8)) & 0x1f);
}
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

/**
 * Node memory: size classes of 64 bytes with free lists, carved from 1 MiB chunks (a block
 * frees and allocates some 11,000 nodes; malloc's bookkeeping was a fifth of the update).
 * Chunks go back to the system only with the tree.
 */
class NodePool {
  static constexpr size_t CLASSES = 64;
  static constexpr size_t CHUNK = 1 << 20;
  // Free blocks by class, as arrays (a list linked through the freed blocks themselves costs a
  // cache miss per allocation: they are cold by the time they are reused).
  std::vector<void*> free_[CLASSES];
  std::vector<void*> chunks_;
  uint8_t* bump_ = nullptr;
  size_t left_ = 0;

 public:
  NodePool() = default;
  NodePool(const NodePool&) = delete;
  NodePool& operator=(const NodePool&) = delete;
  ~NodePool() { for (void* c : chunks_) free(c); }
  void* take(size_t size) {
    const size_t c = (size + 63) >> 6;
    if (c >= CLASSES) {
      void* p = malloc(size);
      if (p == nullptr) throw std::bad_alloc();
      return p;
    }
    if (!free_[c].empty()) {
      void* p = free_[c].back();
      free_[c].pop_back();
      return p;
    }
    const size_t bytes = c << 6;
    if (left_ < bytes) {
      bump_ = static_cast<uint8_t*>(malloc(CHUNK));
      if (bump_ == nullptr) throw std::bad_alloc();
      chunks_.push_back(bump_);
      left_ = CHUNK;
    }
    void* p = bump_;
    bump_ += bytes;
    left_ -= bytes;
    return p;
  }
  void give(void* p, size_t size) {
    const size_t c = (size + 63) >> 6;
    if (c >= CLASSES) { free(p); return; }
    free_[c].push_back(p);
  }
};

struct Tree {
  NodePool pool;
  CompressFn compress;
  std::vector<uint8_t> pKey, pValue, pLeaf, pInner;  // domain prefixes ("sov/" d 0x00)
  int64_t perDepth[65] = {0};
  int64_t total = 0;
  int64_t limit;
  Root head;

  Node* alloc(uint8_t depth, int64_t version, uint32_t len) {
    Node* n = static_cast<Node*>(pool.take(sizeof(Node) + len));
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
    pool.give(n, sizeof(Node) + n->len);
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
   * Past the limit, trim the head's tree to half the limit: keep the levels that fit whole, and
   * of the next level as many nodes as still fit (the first in nibble order, their children
   * cut off); the rest of that level and everything deeper go (state/store.ts's trimNodes).
   * Keeping only whole levels dropped a cache a little smaller than its tree to a few of its
   * top levels (1M nodes over a tree of 10M keys fell to 70k).
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
    int64_t room = target - sum;
    std::vector<Node*> level{head.node}, next;
    for (int depth = 0; depth < keep - 1 && !level.empty(); depth++) {
      next.clear();
      for (Node* n : level) for (Node* k : n->kids) if (k != nullptr) next.push_back(k);
      level.swap(next);
    }
    for (Node* n : level) {
      for (auto& k : n->kids) {
        if (k == nullptr) continue;
        if (room > 0) {
          room--;
          for (auto& g : k->kids) if (g != nullptr) { unref(g); g = nullptr; }
        } else {
          unref(k);
          k = nullptr;
        }
      }
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

/**
 * Output of an update: KV records as [u8 key length][key][u32 value length][value], in a
 * buffer of its own pages (mmap: a few MB freed through malloc made it merge its free lists
 * each time, a tenth of a commit), grown without zero-filling and handed to JavaScript as it is.
 */
struct Out {
  uint8_t* data = nullptr;
  size_t size = 0, cap = 0;
  uint32_t count = 0;
  Out() = default;
  Out(const Out&) = delete;
  Out& operator=(const Out&) = delete;
  ~Out() { if (data) munmap(data, cap); }
  void reserve(size_t n) {
    if (n <= cap) return;
    n = (n + 4095) & ~size_t(4095);
    void* p = data == nullptr ? mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) : mremap(data, cap, n, MREMAP_MAYMOVE);
    if (p == MAP_FAILED) throw std::bad_alloc();
    data = static_cast<uint8_t*>(p);
    cap = n;
  }
  /** Give up the buffer: the caller unmaps `cap` bytes at the result. */
  uint8_t* release(size_t* mapped) { uint8_t* p = data; *mapped = cap; data = nullptr; size = cap = 0; return p; }
  uint8_t* put(size_t klen, size_t vlen, uint8_t** value) {
    const size_t at = size;
    const size_t need = at + 1 + klen + 4 + vlen;
    if (need > cap) reserve(need > 2 * cap ? need : 2 * cap);
    size = need;
    uint8_t* p = data + at;
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
