// The static initializer of librocksdb_pushdown.so: loading the library
// (LD_PRELOAD, dlopen, or linking it with -Wl,--no-as-needed) registers the
// pushdown file system into the process's ObjectLibrary::Default(), i.e. the
// one of the librocksdb.so it links against.
#include "engine/plugin/registration.h"

namespace {

const int kPushdownFactories =
    pushdown::engine::RegisterPushdownPlugin(*rocksdb::ObjectLibrary::Default());

}  // namespace

// How many FileSystem factories ObjectLibrary::Default() held right after
// this library registered (> 0 once loaded). A referenced symbol also keeps
// the library under --as-needed.
extern "C" int pushdown_plugin_registered() { return kPushdownFactories; }
