// The rows a query reads: the scan's matching entries, as the user key and
// the encoded value (row format v1, or raw bytes in raw mode). The engine
// adapts its scan cursor to it; tests can feed rows directly.
#pragma once

#include <string_view>

#include "util/status.h"

namespace pushdown::query {

class RowSource {
 public:
  virtual ~RowSource() = default;
  // OK + Valid(): key()/value() are the next row. OK + !Valid(): done. Else
  // the error (sticky).
  virtual Status Next() = 0;
  virtual bool Valid() const = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
};

}  // namespace pushdown::query
