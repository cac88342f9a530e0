// One version's update (state/tree.ts's prepareUpdate): the writes hashed and sorted, the
// touched paths loaded level by level (the caller reads the missing nodes from the store),
// then the synchronous rebuild, which emits the version's records and stale list.
#pragma once
#include "update.h"

namespace sov {

struct Job {
  Tree* t;
  int64_t version;
  std::vector<uint8_t> keys, vals;
  std::vector<Op> ops;
  Root base;  // holds a reference to the base root's node
  // Phase 1.
  struct Frontier { Node* node; int depth; size_t lo, hi; };
  struct Waiting { Node* parent; int n; int depth; size_t lo, hi; int64_t version; uint8_t hash[32]; };
  std::vector<Frontier> frontier, next;
  std::vector<Waiting> waiting;
  bool started = false;
  // Phase 2.
  struct StaleNode { int64_t ver; int depth; uint8_t kh[32]; };
  struct StaleLeaf { uint8_t kh[32]; int64_t ver; };
  std::vector<StaleNode> staleNodes;
  std::vector<StaleLeaf> staleLeaves;
  Out out;
  Ref changes[65][16];
  Root result;
  uint32_t writes = 0;

  Job(Tree* tree, int64_t v) : t(tree), version(v) {}
  ~Job() { t->clearRoot(base); t->clearRoot(result); }

  /** Hash the writes and sort them by key hash; returns the index of a repeated key, or -1. */
  int32_t prepareOps(const uint32_t* keyEnds, const int32_t* valEnds, size_t n) {
    ops.resize(n);
    uint32_t ko = 0, vo = 0;
    uint8_t vh[32];
    for (size_t i = 0; i < n; i++) {
      Op& op = ops[i];
      op.index = int32_t(i);
      op.koff = ko; op.klen = keyEnds[i] - ko; ko = keyEnds[i];
      op.del = valEnds[i] < 0;
      op.voff = vo; op.vlen = op.del ? 0 : uint32_t(valEnds[i]) - vo;
      if (!op.del) vo = uint32_t(valEnds[i]);
      op.noop = false;
      t->hashParts(t->pKey, keys.data() + op.koff, op.klen, nullptr, 0, op.kh);
      if (!op.del) {
        t->hashParts(t->pValue, vals.data() + op.voff, op.vlen, nullptr, 0, vh);
        t->hashParts(t->pLeaf, op.kh, 32, vh, 32, op.lh);
      }
    }
    std::sort(ops.begin(), ops.end(), [](const Op& a, const Op& b) {
      const int c = memcmp(a.kh, b.kh, 32);
      return c != 0 ? c < 0 : a.index < b.index;
    });
    int32_t dup = -1;
    for (size_t i = 1; i < n; i++) {
      if (memcmp(ops[i - 1].kh, ops[i].kh, 32) == 0 && (dup < 0 || ops[i].index < dup)) dup = ops[i].index;
    }
    return dup;
  }

  size_t groupEnd(size_t lo, size_t hi, int depth) const {
    const int n = nibbleOf(ops[lo].kh, depth);
    size_t b = lo + 1;
    while (b < hi && nibbleOf(ops[b].kh, depth) == n) b++;
    return b;
  }

  /**
   * Phase 1: the next level's missing nodes as requests (appended to `req`, 73 bytes each:
   * depth, version u64, a key hash on the path, the expected hash); none when all are in memory.
   */
  void missing(std::vector<uint8_t>& req) {
    waiting.clear();
    if (!started) {
      started = true;
      if (base.kind == 2 && !ops.empty()) {
        if (base.node != nullptr) frontier.push_back({base.node, 0, 0, ops.size()});
        else {
          Waiting w{nullptr, 0, 0, 0, ops.size(), base.version, {0}};
          memcpy(w.hash, base.hash, 32);
          waiting.push_back(w);
        }
      }
    }
    while (waiting.empty() && !frontier.empty()) {
      next.clear();
      for (const Frontier& f : frontier) {
        Node* node = f.node;
        const uint32_t internal = node->bitmap & ~node->leafMask;
        for (size_t a = f.lo; a < f.hi;) {
          const size_t b = groupEnd(a, f.hi, f.depth);
          const int n = nibbleOf(ops[a].kh, f.depth);
          if ((internal >> n) & 1) {
            if (node->kids[n] != nullptr) next.push_back({node->kids[n], f.depth + 1, a, b});
            else {
              Waiting w{node, n, f.depth + 1, a, b, node->childVersionAt(n), {0}};
              memcpy(w.hash, node->childHash(n), 32);
              waiting.push_back(w);
            }
          }
          a = b;
        }
      }
      frontier.swap(next);
      if (!waiting.empty()) break;
    }
    for (const Waiting& w : waiting) {
      const size_t at = req.size();
      req.resize(at + 73);
      uint8_t* p = req.data() + at;
      p[0] = uint8_t(w.depth);
      writeU64(p + 1, uint64_t(w.version));
      memcpy(p + 9, ops[w.lo].kh, 32);
      memcpy(p + 41, w.hash, 32);
    }
  }

  /** The nodes for the last requests, in order: [base u64][delta u16][len u32][bytes] each. */
  bool supply(const uint8_t* p, size_t len, std::string& err) {
    size_t at = 0;
    for (const Waiting& w : waiting) {
      if (at + 14 > len) { err = "supply: truncated"; return false; }
      const int64_t baseVer = int64_t(readU64(p + at));
      const uint16_t delta = uint16_t((p[at + 8] << 8) | p[at + 9]);
      const uint32_t n = (uint32_t(p[at + 10]) << 24) | (uint32_t(p[at + 11]) << 16) | (uint32_t(p[at + 12]) << 8) | p[at + 13];
      at += 14;
      if (n < 4 || at + n > len) { err = "supply: bad node length"; return false; }
      Node* node = t->alloc(uint8_t(w.depth), w.version, n);
      memcpy(node->bytes(), p + at, n);
      at += n;
      node->base = baseVer;
      node->delta = delta;
      node->leafMask = uint16_t((node->bytes()[0] << 8) | node->bytes()[1]);
      node->bitmap = uint16_t((node->bytes()[2] << 8) | node->bytes()[3]);
      memcpy(node->hash, w.hash, 32);
      if (w.parent == nullptr) {
        Tree::ref(node);
        base.node = node;
        // The head's root read for this update stays in memory as the head's.
        if (t->head.kind == 2 && t->head.node == nullptr && t->head.version == base.version && memcmp(t->head.hash, base.hash, 32) == 0) {
          Tree::ref(node);
          t->head.node = node;
        }
      } else if (w.parent->kids[w.n] == nullptr) {
        Tree::ref(node);
        w.parent->kids[w.n] = node;
      } else {
        // Attached meanwhile (by another update): keep that one.
        Tree::ref(node);
        t->unref(node);
        node = w.parent->kids[w.n];
      }
      frontier.push_back({node, w.depth, w.lo, w.hi});
    }
    if (at != len) { err = "supply: trailing bytes"; return false; }
    waiting.clear();
    return true;
  }

  // ---- phase 2 ----------------------------------------------------------------------------

  Ref leafRef(const Op& op) const { Ref r; r.kind = 1; r.version = version; r.hash = op.lh; r.leafKey = op.kh; return r; }
  static Ref nodeRef(Node* n) { Ref r; r.kind = 2; r.version = n->version; r.hash = n->hash; r.node = n; return r; }

  /** InternalNode.build: a node at `version` from `baseNode`'s children with those in `mask` replaced. */
  Node* build(int depth, Node* baseNode, uint32_t mask, const Ref* ch) {
    const uint32_t bBitmap = baseNode ? baseNode->bitmap : 0, bLeaves = baseNode ? baseNode->leafMask : 0;
    uint32_t bitmap = bBitmap & ~mask, leafMask = bLeaves & ~mask;
    for (int n = 0; n < 16; n++) {
      if (!((mask >> n) & 1) || ch[n].kind == 0) continue;
      bitmap |= 1u << n;
      if (ch[n].kind == 1) leafMask |= 1u << n;
    }
    int64_t baseVersions[16] = {0};
    if (baseNode) baseNode->versionsInto(baseVersions);
    const int count = popcount16(bitmap), leaves = popcount16(leafMask), bCount = popcount16(bBitmap);
    size_t vbytes = 0;
    for (int n = 0; n < 16; n++) {
      if (!((bitmap >> n) & 1)) continue;
      vbytes += varintSize(uint64_t(version - ((mask >> n) & 1 ? ch[n].version : baseVersions[n])));
    }
    Node* node = t->alloc(uint8_t(depth), version, uint32_t(4 + (count + leaves) * 32 + vbytes));
    node->bitmap = uint16_t(bitmap);
    node->leafMask = uint16_t(leafMask);
    uint8_t* b = node->bytes();
    b[0] = uint8_t(leafMask >> 8); b[1] = uint8_t(leafMask); b[2] = uint8_t(bitmap >> 8); b[3] = uint8_t(bitmap);
    size_t vo = 4 + (count + leaves) * 32;
    int r = 0, lr = 0;
    const uint8_t* bb = baseNode ? baseNode->bytes() : nullptr;
    for (int n = 0; n < 16; n++) {
      if (!((bitmap >> n) & 1)) continue;
      if ((mask >> n) & 1) {
        memcpy(b + 4 + r * 32, ch[n].hash, 32);
        if (ch[n].kind == 1) memcpy(b + 4 + (count + lr++) * 32, ch[n].leafKey, 32);
        vo = writeVarint(b, vo, uint64_t(version - ch[n].version));
      } else {
        const uint32_t below = (1u << n) - 1;
        memcpy(b + 4 + r * 32, bb + 4 + popcount16(bBitmap & below) * 32, 32);
        if ((bLeaves >> n) & 1) memcpy(b + 4 + (count + lr++) * 32, bb + 4 + (bCount + popcount16(bLeaves & below)) * 32, 32);
        vo = writeVarint(b, vo, uint64_t(version - baseVersions[n]));
      }
      r++;
    }
    t->hashInner(node);
    // kidsAfter: the base's in-memory children, with the changed ones replaced.
    for (int n = 0; n < 16; n++) {
      Node* k = (mask >> n) & 1 ? (ch[n].kind == 2 ? ch[n].node : nullptr) : (baseNode ? baseNode->kids[n] : nullptr);
      if (k) { Tree::ref(k); node->kids[n] = k; }
    }
    return node;
  }

  /** record.ts's encodeRecord, emitted with the node's key; sets node->base and node->delta. */
  void emitNode(Node* node, Node* prev, uint32_t mask, const uint8_t* kh) {
    const size_t klen = nodeKeyLength(node->depth);
    uint8_t* v;
    const uint32_t cum = prev == nullptr ? 0 : (prev->delta | mask);
    if (prev == nullptr || prev->version == node->version || popcount16(cum) * 2 > node->count()) {
      uint8_t* k = out.put(klen, 1 + node->len, &v);
      writeNodeKey(k, version, node->depth, kh);
      v[0] = 0;
      memcpy(v + 1, node->bytes(), node->len);
      node->base = node->version;
      node->delta = 0;
      return;
    }
    const uint8_t* b = node->bytes();
    const uint32_t bitmap = node->bitmap, leafMask = node->leafMask;
    const int count = node->count();
    const uint32_t pBitmap = bitmap & cum, pLeaves = leafMask & cum;
    const int pCount = popcount16(pBitmap), pLeafCount = popcount16(pLeaves);
    uint64_t gaps[16];
    size_t at = 4 + (count + popcount16(leafMask)) * 32;
    for (int r = 0; r < count; r++) gaps[r] = readVarint(b, at);
    size_t vbytes = 0;
    for (int n = 0; n < 16; n++) if ((pBitmap >> n) & 1) vbytes += varintSize(gaps[popcount16(bitmap & ((1u << n) - 1))]);
    const uint64_t gap = uint64_t(node->version - prev->base);
    const size_t head = 1 + varintSize(gap) + 2;
    uint8_t* k = out.put(klen, head + 4 + (pCount + pLeafCount) * 32 + vbytes, &v);
    writeNodeKey(k, version, node->depth, kh);
    v[0] = 1;
    size_t o = writeVarint(v, 1, gap);
    v[o++] = uint8_t(cum >> 8);
    v[o++] = uint8_t(cum);
    const size_t p = o;
    v[p] = uint8_t(pLeaves >> 8); v[p + 1] = uint8_t(pLeaves); v[p + 2] = uint8_t(pBitmap >> 8); v[p + 3] = uint8_t(pBitmap);
    int r = 0, lr = 0;
    size_t vo = p + 4 + (pCount + pLeafCount) * 32;
    for (int n = 0; n < 16; n++) {
      if (!((pBitmap >> n) & 1)) continue;
      const uint32_t below = (1u << n) - 1;
      const int rank = popcount16(bitmap & below);
      memcpy(v + p + 4 + r * 32, b + 4 + rank * 32, 32);
      if ((pLeaves >> n) & 1) memcpy(v + p + 4 + (pCount + lr++) * 32, b + 4 + (count + popcount16(leafMask & below)) * 32, 32);
      vo = writeVarint(v, vo, gaps[rank]);
      r++;
    }
    node->base = prev->base;
    node->delta = uint16_t(cum);
  }

  void staleNode(int64_t ver, int depth, const uint8_t* kh) {
    StaleNode s{ver, depth, {0}};
    memcpy(s.kh, kh, 32);
    staleNodes.push_back(s);
  }
  void staleLeaf(const uint8_t* kh, int64_t ver) {
    StaleLeaf s{{0}, ver};
    memcpy(s.kh, kh, 32);
    staleLeaves.push_back(s);
  }

  struct Item { const uint8_t* kh; Ref entry; };

  /** A new subtree holding items[lo..hi). */
  Ref buildNew(int depth, const std::vector<Item>& items, size_t lo, size_t hi) {
    if (hi == lo) return Ref();
    if (hi - lo == 1) return items[lo].entry;
    Ref* ch = changes[depth];
    uint32_t mask = 0;
    for (size_t a = lo; a < hi;) {
      const int n = nibbleOf(items[a].kh, depth);
      size_t b = a + 1;
      while (b < hi && nibbleOf(items[b].kh, depth) == n) b++;
      ch[n] = buildNew(depth + 1, items, a, b);
      mask |= 1u << n;
      a = b;
    }
    Node* node = build(depth, nullptr, mask, ch);
    emitNode(node, nullptr, 0, items[lo].kh);
    return nodeRef(node);
  }

  /** The new entry for a leaf or an absent child after ops[lo..hi); `same` when unchanged. */
  Ref updateLeaf(const Ref& existing, int depth, size_t lo, size_t hi, bool& same) {
    std::vector<Item> items;
    same = false;
    if (existing.kind == 0) {
      for (size_t i = lo; i < hi; i++) if (!ops[i].del) items.push_back({ops[i].kh, leafRef(ops[i])});
      return buildNew(depth, items, 0, items.size());
    }
    const uint8_t* lk = existing.leafKey;
    bool found = false;
    long insertAt = -1;
    for (size_t i = lo; i < hi; i++) {
      Op& op = ops[i];
      if (!found && insertAt < 0 && memcmp(op.kh, lk, 32) > 0) insertAt = long(items.size());
      if (memcmp(op.kh, lk, 32) == 0) {
        found = true;
        if (!op.del && memcmp(op.lh, existing.hash, 32) == 0) {
          op.noop = true;
          items.push_back({op.kh, existing});
          continue;
        }
        staleLeaf(lk, existing.version);
      }
      if (!op.del) items.push_back({op.kh, leafRef(op)});
    }
    if (!found) items.insert(insertAt < 0 ? items.end() : items.begin() + insertAt, Item{lk, existing});
    if (items.size() == 1 && items[0].entry.kind == 1 && items[0].entry.hash == existing.hash && items[0].entry.leafKey == existing.leafKey) {
      same = true;
      return existing;
    }
    return buildNew(depth, items, 0, items.size());
  }

  Ref childRef(Node* node, int n) const {
    Ref r;
    r.kind = (node->leafMask >> n) & 1 ? 1 : 2;
    r.hash = node->childHash(n);
    r.version = node->childVersionAt(n);
    if (r.kind == 1) r.leafKey = node->leafKeyOf(n);
    return r;
  }

  /** The new entry for internal node `node` (loaded for ops[lo..hi)); `same` when unchanged. */
  Ref updateNode(Node* node, int depth, size_t lo, size_t hi, bool& same, std::string& err) {
    const uint32_t bitmap = node->bitmap, leafMask = node->leafMask;
    Ref* ch = changes[depth];
    uint32_t mask = 0, present = 0;
    same = false;
    // What a rebuild of this node reads once its children are done, fetched now: its bytes
    // and its in-memory children's headers (their reference counts). Both are cold here.
    for (uint32_t o = 0; o < node->len; o += 64) __builtin_prefetch(node->bytes() + o);
    for (Node* k : node->kids) if (k != nullptr) __builtin_prefetch(k, 1);
    for (size_t a = lo; a < hi;) {
      const size_t b = groupEnd(a, hi, depth);
      Op& op = ops[a];
      const int n = nibbleOf(op.kh, depth);
      Ref now;
      bool unchanged = false;
      if (!((bitmap >> n) & 1)) {
        bool s;
        now = updateLeaf(Ref(), depth + 1, a, b, s);
        unchanged = now.kind == 0;
      } else if (!((leafMask >> n) & 1)) {
        Node* child = node->kids[n];
        if (child == nullptr) { err = "tree update: node at depth " + std::to_string(depth + 1) + " was not loaded"; return Ref(); }
        now = updateNode(child, depth + 1, a, b, unchanged, err);
        if (!err.empty()) return Ref();
      } else if (b - a == 1 && node->isLeafOf(n, op.kh)) {
        if (!op.del && memcmp(node->childHash(n), op.lh, 32) == 0) {
          op.noop = true;
          unchanged = true;
        } else {
          staleLeaf(op.kh, node->childVersionAt(n));
          now = op.del ? Ref() : leafRef(op);
        }
      } else {
        now = updateLeaf(childRef(node, n), depth + 1, a, b, unchanged);
      }
      if (!unchanged) {
        ch[n] = now;
        mask |= 1u << n;
        if (now.kind != 0) present |= 1u << n;
      }
      a = b;
    }
    if (mask == 0) { same = true; return Ref(); }
    const uint8_t* kh = ops[lo].kh;
    const uint32_t children = (bitmap & ~mask) | present;
    Ref result;
    bool haveResult = false;
    Node* rebuilt = nullptr;
    if (popcount16(children) == 1) {
      const int n = 31 - __builtin_clz(children);
      const Ref only = (mask >> n) & 1 ? ch[n] : childRef(node, n);
      if (only.kind == 1) { result = only; haveResult = true; }
    }
    if (children != 0 && !haveResult) {
      rebuilt = build(depth, node, mask, ch);
      emitNode(rebuilt, node, mask, kh);
      result = nodeRef(rebuilt);
    }
    // (Always tracked: snapshot import, which writes every node at one version and replaces
    // nothing, runs tree.ts.)
    const bool keepsBase = rebuilt != nullptr && rebuilt->base == node->base;
    if (!(keepsBase && node->base == node->version)) staleNode(node->version, depth, kh);
    if (node->base != node->version && !keepsBase) staleNode(node->base, depth, kh);
    return result;  // kind 0 when the node lost every child
  }

  /** Phase 2: rebuild, emit the records (nodes, then leaves) and the stale list; sets `result`. */
  bool rebuild(std::string& err) {
    // About 600 bytes a write at 1M keys (nodes, deltas, leaves): one allocation, rarely two.
    out.reserve(4096 + ops.size() * 640);
    Ref now;
    bool same = false;
    if (ops.empty()) same = true;
    else if (base.kind == 2) {
      if (base.node == nullptr) { err = "tree update: the base root was not loaded"; return false; }
      now = updateNode(base.node, 0, 0, ops.size(), same, err);
      if (!err.empty()) return false;
    } else {
      Ref existing;
      if (base.kind == 1) { existing.kind = 1; existing.version = base.version; existing.hash = base.hash; existing.leafKey = base.leafKey; }
      now = updateLeaf(existing, 0, 0, ops.size(), same);
    }
    Root r;
    if (same) r = base;
    else if (now.kind != 0) {
      r.kind = now.kind;
      r.version = now.version;
      memcpy(r.hash, now.hash, 32);
      if (now.kind == 1) memcpy(r.leafKey, now.leafKey, 32);
      r.node = now.node;
    }
    t->setRoot(result, r);
    for (const Op& op : ops) {
      if (op.del || op.noop) continue;
      uint8_t* v;
      uint8_t* k = out.put(41, 2 + op.klen + op.vlen, &v);
      writeLeafKey(k, op.kh, version);
      v[0] = uint8_t(op.klen >> 8);
      v[1] = uint8_t(op.klen);
      memcpy(v + 2, keys.data() + op.koff, op.klen);
      if (op.vlen) memcpy(v + 2 + op.klen, vals.data() + op.voff, op.vlen);
      writes++;
    }
    return true;
  }

  /** The stale list record (node.ts order: nodes, then leaves), empty when nothing was replaced. */
  std::vector<uint8_t> staleList() const {
    std::vector<uint8_t> s;
    for (const StaleNode& n : staleNodes) {
      const size_t l = nodeKeyLength(n.depth);
      const size_t at = s.size();
      s.resize(at + 1 + l);
      s[at] = uint8_t(l);
      writeNodeKey(s.data() + at + 1, n.ver, n.depth, n.kh);
    }
    for (const StaleLeaf& l : staleLeaves) {
      const size_t at = s.size();
      s.resize(at + 42);
      s[at] = 41;
      writeLeafKey(s.data() + at + 1, l.kh, l.ver);
    }
    return s;
  }
};

}  // namespace sov
