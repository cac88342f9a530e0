// N-API surface of the native tree update (state/native-tree.ts is its only caller).
//   new NativeTree(keyPrefix, valuePrefix, leafPrefix, innerPrefix, cacheLimit)
//   setHead(entry | null)        the head's root entry (node.ts encodeEntry bytes), no node in memory
//   begin(version, keys, keyEnds, values, valueEnds) -> job id, or -(index + 1) of a repeated key
//   missing(job) -> Uint8Array | null        requests for the nodes the next level needs
//   supply(job, nodes)                       those nodes, read and checked by the caller
//   finish(job) -> [version id, root entry, records, record count, stale list | null, writes]
//   adopt(version id)    the version becomes the head (every other prepared version is released)
//   headPath(keyHash) -> the head's nodes in memory on that key's path, root first:
//                        [version u64][hash 32][length u32][node bytes] each
//   abort(job), nodes() -> internal nodes in memory
//   sha256(bytes, portable) -> digest (tests)
#include <node_api.h>

#include <string>
#include <unordered_map>

#include "job.h"

using namespace sov;

namespace {

struct Binding {
  Tree tree;
  std::unordered_map<uint32_t, Job*> jobs;
  std::unordered_map<uint32_t, Root> versions;
  uint32_t nextId = 1;
  ~Binding() {
    for (auto& j : jobs) delete j.second;
    for (auto& v : versions) tree.clearRoot(v.second);
    tree.clearRoot(tree.head);
  }
};

#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, "SOV_NATIVE", "native call failed: " #call); \
      return nullptr;                                                 \
    }                                                                 \
  } while (0)

napi_value fail(napi_env env, const std::string& msg) {
  napi_throw_error(env, "SOV_NATIVE", msg.c_str());
  return nullptr;
}

bool bytesOf(napi_env env, napi_value v, const uint8_t** data, size_t* len) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
  napi_typedarray_type type;
  void* d;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, len, &d, &ab, &off) != napi_ok) return false;
  *data = static_cast<const uint8_t*>(d);
  if (type == napi_uint32_array || type == napi_int32_array) *len *= 4;
  else if (type != napi_uint8_array) return false;
  return true;
}

napi_value newBytes(napi_env env, const uint8_t* p, size_t n) {
  napi_value ab, out;
  void* d;
  if (napi_create_arraybuffer(env, n, &d, &ab) != napi_ok) return nullptr;
  if (n) memcpy(d, p, n);
  if (napi_create_typedarray(env, napi_uint8_array, n, ab, 0, &out) != napi_ok) return nullptr;
  return out;
}

struct Call {
  Binding* b = nullptr;
  size_t argc = 8;
  napi_value argv[8];
  bool ok(napi_env env, napi_callback_info info) {
    napi_value self;
    if (napi_get_cb_info(env, info, &argc, argv, &self, nullptr) != napi_ok) return false;
    return napi_unwrap(env, self, reinterpret_cast<void**>(&b)) == napi_ok;
  }
  uint32_t u32(napi_env env, size_t i) {
    uint32_t v = 0;
    napi_get_value_uint32(env, argv[i], &v);
    return v;
  }
};

void fromEntry(Root& r, const uint8_t* p, size_t n, bool& ok) {
  ok = true;
  r = Root();
  if (n == 1 && p[0] == 0) return;
  if (n == 73 && p[0] == 1) { r.kind = 1; r.version = int64_t(readU64(p + 1)); memcpy(r.hash, p + 9, 32); memcpy(r.leafKey, p + 41, 32); return; }
  if (n == 41 && p[0] == 2) { r.kind = 2; r.version = int64_t(readU64(p + 1)); memcpy(r.hash, p + 9, 32); return; }
  ok = false;
}

std::vector<uint8_t> toEntry(const Root& r) {
  if (r.kind == 0) return {0};
  std::vector<uint8_t> e(r.kind == 1 ? 73 : 41);
  e[0] = r.kind;
  writeU64(e.data() + 1, uint64_t(r.version));
  memcpy(e.data() + 9, r.hash, 32);
  if (r.kind == 1) memcpy(e.data() + 41, r.leafKey, 32);
  return e;
}

napi_value Construct(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], self;
  CHECK(napi_get_cb_info(env, info, &argc, argv, &self, nullptr));
  if (argc < 5) return fail(env, "NativeTree: 5 arguments expected");
  Binding* b = new Binding();
  std::vector<uint8_t>* prefixes[4] = {&b->tree.pKey, &b->tree.pValue, &b->tree.pLeaf, &b->tree.pInner};
  for (int i = 0; i < 4; i++) {
    const uint8_t* d;
    size_t n;
    if (!bytesOf(env, argv[i], &d, &n)) { delete b; return fail(env, "NativeTree: prefixes are Uint8Arrays"); }
    prefixes[i]->assign(d, d + n);
  }
  double limit = 0;
  napi_get_value_double(env, argv[4], &limit);
  b->tree.limit = int64_t(limit);
  b->tree.compress = pickCompress(true);
  napi_status s = napi_wrap(env, self, b, [](napi_env, void* data, void*) { delete static_cast<Binding*>(data); }, nullptr, nullptr);
  if (s != napi_ok) { delete b; return fail(env, "NativeTree: wrap failed"); }
  return self;
}

napi_value SetHead(napi_env env, napi_callback_info info) {
  Call c;
  if (!c.ok(env, info)) return fail(env, "setHead: bad call");
  Root r;
  napi_valuetype t;
  napi_typeof(env, c.argv[0], &t);
  if (t != napi_null) {
    const uint8_t* d;
    size_t n;
    bool ok = false;
    if (bytesOf(env, c.argv[0], &d, &n)) fromEntry(r, d, n, ok);
    if (!ok) return fail(env, "setHead: a malformed root entry");
  }
  for (auto& v : c.b->versions) c.b->tree.clearRoot(v.second);
  c.b->versions.clear();
  c.b->tree.setRoot(c.b->tree.head, r);
  return nullptr;
}

napi_value Begin(napi_env env, napi_callback_info info) {
  Call c;
  if (!c.ok(env, info) || c.argc < 5) return fail(env, "begin: bad call");
  double version = 0;
  napi_get_value_double(env, c.argv[0], &version);
  const uint8_t *keys, *keyEnds, *vals, *valEnds;
  size_t nk, nke, nv, nve;
  if (!bytesOf(env, c.argv[1], &keys, &nk) || !bytesOf(env, c.argv[2], &keyEnds, &nke) || !bytesOf(env, c.argv[3], &vals, &nv) || !bytesOf(env, c.argv[4], &valEnds, &nve) || nke != nve) {
    return fail(env, "begin: bad arguments");
  }
  const size_t n = nke / 4;
  Job* job = new Job(&c.b->tree, int64_t(version));
  job->keys.assign(keys, keys + nk);
  job->vals.assign(vals, vals + nv);
  const uint32_t* ke = reinterpret_cast<const uint32_t*>(keyEnds);
  const int32_t* ve = reinterpret_cast<const int32_t*>(valEnds);
  uint32_t lastK = 0;
  int64_t lastV = 0;
  for (size_t i = 0; i < n; i++) {
    if (ke[i] < lastK || ke[i] > nk || (ve[i] >= 0 && (ve[i] < lastV || size_t(ve[i]) > nv))) { delete job; return fail(env, "begin: bad offsets"); }
    lastK = ke[i];
    if (ve[i] >= 0) lastV = ve[i];
  }
  c.b->tree.setRoot(job->base, c.b->tree.head);
  const int32_t dup = job->prepareOps(ke, ve, n);
  napi_value out;
  if (dup >= 0) {
    delete job;
    CHECK(napi_create_int32(env, -(dup + 1), &out));
    return out;
  }
  const uint32_t id = c.b->nextId++;
  c.b->jobs[id] = job;
  CHECK(napi_create_uint32(env, id, &out));
  return out;
}

Job* jobOf(napi_env env, Call& c) {
  auto it = c.b->jobs.find(c.u32(env, 0));
  if (it == c.b->jobs.end()) { napi_throw_error(env, "SOV_NATIVE", "no such update job"); return nullptr; }
  return it->second;
}

napi_value Missing(napi_env env, napi_callback_info info) {
  Call c;
  if (!c.ok(env, info)) return fail(env, "missing: bad call");
  Job* job = jobOf(env, c);
  if (!job) return nullptr;
  std::vector<uint8_t> req;
  job->missing(req);
  napi_value out;
  if (req.empty()) { CHECK(napi_get_null(env, &out)); return out; }
  return newBytes(env, req.data(), req.size());
}

napi_value Supply(napi_env env, napi_callback_info info) {
  Call c;
  if (!c.ok(env, info)) return fail(env, "supply: bad call");
  Job* job = jobOf(env, c);
  if (!job) return nullptr;
  const uint8_t* d;
  size_t n;
  if (!bytesOf(env, c.argv[1], &d, &n)) return fail(env, "supply: nodes are a Uint8Array");
  std::string err;
  if (!job->supply(d, n, err)) return fail(env, err);
  return nullptr;
}

napi_value Finish(napi_env env, napi_callback_info info) {
  Call c;
  if (!c.ok(env, info)) return fail(env, "finish: bad call");
  const uint32_t jid = c.u32(env, 0);
  Job* job = jobOf(env, c);
  if (!job) return nullptr;
  c.b->jobs.erase(jid);
  std::string err;
  if (!job->rebuild(err)) { delete job; return fail(env, err); }
  const uint32_t vid = c.b->nextId++;
  Root& held = c.b->versions[vid];
  c.b->tree.setRoot(held, job->result);
  const std::vector<uint8_t> entry = toEntry(job->result);
  const std::vector<uint8_t> stale = job->staleList();
  napi_value arr, v;
  CHECK(napi_create_array_with_length(env, 6, &arr));
  CHECK(napi_create_uint32(env, vid, &v)); CHECK(napi_set_element(env, arr, 0, v));
  CHECK(napi_set_element(env, arr, 1, newBytes(env, entry.data(), entry.size())));
  {
    // The records buffer goes to JavaScript as it is (freed when collected).
    const size_t size = job->out.size;
    size_t mapped = 0;
    uint8_t* data = job->out.release(&mapped);
    napi_value ab, view;
    if (data == nullptr) {
      CHECK(napi_create_arraybuffer(env, 0, nullptr, &ab));
    } else if (napi_create_external_arraybuffer(env, data, size, [](napi_env, void* d, void* hint) { munmap(d, reinterpret_cast<size_t>(hint)); }, reinterpret_cast<void*>(mapped), &ab) != napi_ok) {
      munmap(data, mapped);
      delete job;
      return fail(env, "finish: cannot hand the records over");
    }
    CHECK(napi_create_typedarray(env, napi_uint8_array, size, ab, 0, &view));
    CHECK(napi_set_element(env, arr, 2, view));
  }
  CHECK(napi_create_uint32(env, job->out.count, &v)); CHECK(napi_set_element(env, arr, 3, v));
  if (stale.empty()) CHECK(napi_get_null(env, &v));
  else v = newBytes(env, stale.data(), stale.size());
  CHECK(napi_set_element(env, arr, 4, v));
  CHECK(napi_create_uint32(env, job->writes, &v)); CHECK(napi_set_element(env, arr, 5, v));
  delete job;
  return arr;
}

napi_value Adopt(napi_env env, napi_callback_info info) {
  Call c;
  if (!c.ok(env, info)) return fail(env, "adopt: bad call");
  auto it = c.b->versions.find(c.u32(env, 0));
  if (it == c.b->versions.end()) return fail(env, "adopt: no such prepared version");
  c.b->tree.setRoot(c.b->tree.head, it->second);
  for (auto& v : c.b->versions) c.b->tree.clearRoot(v.second);
  c.b->versions.clear();
  c.b->tree.trim();
  return nullptr;
}

napi_value Abort(napi_env env, napi_callback_info info) {
  Call c;
  if (!c.ok(env, info)) return fail(env, "abort: bad call");
  auto it = c.b->jobs.find(c.u32(env, 0));
  if (it != c.b->jobs.end()) {
    delete it->second;
    c.b->jobs.erase(it);
  }
  return nullptr;
}

napi_value Nodes(napi_env env, napi_callback_info info) {
  Call c;
  if (!c.ok(env, info)) return fail(env, "nodes: bad call");
  napi_value out;
  CHECK(napi_create_double(env, double(c.b->tree.total), &out));
  return out;
}

napi_value HeadPath(napi_env env, napi_callback_info info) {
  Call c;
  if (!c.ok(env, info)) return fail(env, "headPath: bad call");
  const uint8_t* kh;
  size_t n;
  if (!bytesOf(env, c.argv[0], &kh, &n) || n != 32) return fail(env, "headPath: a 32-byte key hash expected");
  std::vector<uint8_t> out;
  int depth = 0;
  for (Node* node = c.b->tree.head.node; node != nullptr; depth++) {
    const size_t at = out.size();
    out.resize(at + 44 + node->len);
    uint8_t* p = out.data() + at;
    writeU64(p, uint64_t(node->version));
    memcpy(p + 8, node->hash, 32);
    p[40] = uint8_t(node->len >> 24); p[41] = uint8_t(node->len >> 16); p[42] = uint8_t(node->len >> 8); p[43] = uint8_t(node->len);
    memcpy(p + 44, node->bytes(), node->len);
    if (depth >= 63) break;
    node = node->kids[nibbleOf(kh, depth)];
  }
  return newBytes(env, out.data(), out.size());
}

napi_value Sha(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  const uint8_t* d;
  size_t n;
  if (argc < 2 || !bytesOf(env, argv[0], &d, &n)) return fail(env, "sha256: bytes expected");
  bool portable = false;
  napi_get_value_bool(env, argv[1], &portable);
  Sha256 h(pickCompress(!portable));
  // Fed in uneven pieces, so the buffering paths are exercised too.
  size_t at = 0, step = 1;
  while (at < n) {
    const size_t take = step < n - at ? step : n - at;
    h.update(d + at, take);
    at += take;
    step = step * 3 + 1;
  }
  uint8_t out[32];
  h.final(out);
  return newBytes(env, out, 32);
}

napi_value ShaNi(napi_env env, napi_callback_info) {
  napi_value out;
  CHECK(napi_get_boolean(env, pickCompress(true) != pickCompress(false), &out));
  return out;
}

}  // namespace

NAPI_MODULE_INIT() {
  napi_property_descriptor methods[] = {
      {"setHead", nullptr, SetHead, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"begin", nullptr, Begin, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"missing", nullptr, Missing, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"supply", nullptr, Supply, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"finish", nullptr, Finish, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adopt", nullptr, Adopt, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"abort", nullptr, Abort, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"headPath", nullptr, HeadPath, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"nodes", nullptr, Nodes, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_value cls, f;
  if (napi_define_class(env, "NativeTree", NAPI_AUTO_LENGTH, Construct, nullptr, sizeof methods / sizeof methods[0], methods, &cls) != napi_ok) return nullptr;
  napi_set_named_property(env, exports, "NativeTree", cls);
  napi_create_function(env, "sha256", NAPI_AUTO_LENGTH, Sha, nullptr, &f);
  napi_set_named_property(env, exports, "sha256", f);
  napi_create_function(env, "hasShaNi", NAPI_AUTO_LENGTH, ShaNi, nullptr, &f);
  napi_set_named_property(env, exports, "hasShaNi", f);
  return exports;
}
