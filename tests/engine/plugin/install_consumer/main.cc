// An embedder of the pushdown FileSystem plugin, compiled against the
// installed headers only: registers it, creates it from a string, casts it,
// reads its `device=` option, round-trips ToString(), and opens a DB with it.
// Prints "plugin_consumer: OK device=<name>" and exits 0, or names the failure
// and exits 1.
#include <cstdio>
#include <memory>
#include <string>

#include "engine/plugin/pushdown_fs.h"
#include "engine/plugin/registration.h"
#include "pushdown/device/device_request.h"
#include "rocksdb/convenience.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"

namespace {

int Fail(const std::string& what) {
  std::fprintf(stderr, "plugin_consumer: FAILED: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return Fail("usage: plugin_consumer DBDIR");
  using pushdown::engine::PushdownFileSystem;
  pushdown::engine::RegisterPushdownPlugin(*rocksdb::ObjectLibrary::Default());

  rocksdb::ConfigOptions config;
  std::shared_ptr<rocksdb::FileSystem> fs;
  rocksdb::Status s =
      rocksdb::FileSystem::CreateFromString(config, "id=pushdown;device=host;queue_depth=8", &fs);
  if (!s.ok()) return Fail("CreateFromString: " + s.ToString());
  auto* pd = fs->CheckedCast<PushdownFileSystem>();
  if (pd == nullptr) return Fail("CheckedCast<PushdownFileSystem> is null");
  if (pd->options().device != pushdown::exec::DeviceRequest::kHost) return Fail("device != host");

  const std::string text = fs->ToString(config);
  std::shared_ptr<rocksdb::FileSystem> again;
  s = rocksdb::FileSystem::CreateFromString(config, text, &again);
  if (!s.ok()) return Fail("round trip of '" + text + "': " + s.ToString());
  auto* pd2 = again == nullptr ? nullptr : again->CheckedCast<PushdownFileSystem>();
  if (pd2 == nullptr) return Fail("round trip of '" + text + "' gave no PushdownFileSystem");
  if (pd2->options().device != pd->options().device ||
      pd2->options().queue_depth != pd->options().queue_depth) {
    return Fail("round trip of '" + text + "' changed the options");
  }

  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  rocksdb::Options options;
  options.create_if_missing = true;
  options.env = env.get();
  rocksdb::DB* raw = nullptr;
  s = rocksdb::DB::Open(options, argv[1], &raw);
  if (!s.ok()) return Fail("DB::Open: " + s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  s = db->Put(rocksdb::WriteOptions(), "k", "v");
  if (s.ok()) s = db->Flush(rocksdb::FlushOptions());
  std::string v;
  if (s.ok()) s = db->Get(rocksdb::ReadOptions(), "k", &v);
  if (!s.ok() || v != "v") return Fail("put/flush/get: " + s.ToString());
  if (pd->sst_files().size() == 0) return Fail("the plugin saw no SST file");
  db.reset();

  std::printf("plugin_consumer: OK device=%s\n",
              std::string(pushdown::exec::DeviceRequestName(pd->options().device)).c_str());
  return 0;
}
