/* pushdown/c.h alone compiles as pedantic C99 (see CMakeLists.txt). */
#include "pushdown/c.h"

int pd_capi_header_c99_check(void);
int pd_capi_header_c99_check(void) { return PUSHDOWN_TYPE_DECIMAL; }
