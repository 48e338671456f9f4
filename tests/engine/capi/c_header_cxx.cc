// pushdown/c.h compiles as C++11 (pedantic; see CMakeLists.txt), with C
// linkage for every function.
#include "pushdown/c.h"

extern "C" int pd_capi_header_cxx_check() {
  void (*close_fn)(pushdown_db_t*) = &pushdown_close;
  return close_fn != nullptr ? PUSHDOWN_TYPE_BYTES : 0;
}
