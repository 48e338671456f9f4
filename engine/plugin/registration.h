// Registration of the pushdown file system in RocksDB's object registry.
//
// Factories registered (type FileSystem):
//   "pushdown"           for FileSystem::CreateFromString(cfg, "id=pushdown;device=auto", &fs)
//   "pushdown://[opts]"  for --fs_uri=pushdown://device=kernel&queue_depth=32
//   "PushdownFileSystem" the id ToString() serializes, so that
//                        CreateFromString(cfg, fs->ToString(cfg), &fs2) round-trips
//
// Installed with the package (include/rocksdb_pushdown/engine/plugin/): an
// embedder registers, creates and casts the file system with
//   #include "engine/plugin/pushdown_fs.h"      // PushdownFileSystem
//   #include "engine/plugin/registration.h"     // RegisterPushdownPlugin
//
// How the registration happens:
//  - build/lib/librocksdb_pushdown.so registers into ObjectLibrary::Default()
//    from a static initializer when it is loaded (LD_PRELOAD into stock
//    db_bench/ldb/sst_dump, dlopen, or linked with -Wl,--no-as-needed);
//  - a program that links the static library pd_engine_plugin must call
//    RegisterPushdownPlugin(*ObjectLibrary::Default()) itself (static archives
//    contribute only the objects that are referenced, and Debian's linker uses
//    --as-needed, so nothing registers behind the program's back);
//  - RocksDB's plugin convention: register_PushdownObjects can be handed to
//    ObjectRegistry::Default()->AddLibrary("pushdown", register_PushdownObjects, "").
#pragma once

#include <string>

#include "rocksdb/utilities/object_registry.h"

namespace pushdown::engine {

// Registers both factories into library, once per library (later calls on the
// same library register nothing). Returns the number of FileSystem factories
// the library holds afterwards (RocksDB's registrar convention).
int RegisterPushdownPlugin(rocksdb::ObjectLibrary& library);

}  // namespace pushdown::engine

// RocksDB plugin entry point (RegistrarFunc); `arg` is unused.
extern "C" int register_PushdownObjects(rocksdb::ObjectLibrary& library, const std::string& arg);
