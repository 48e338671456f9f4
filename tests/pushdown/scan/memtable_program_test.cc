// MemtableStream with the scan's loaded program (the host device's generated
// native code): the memtable's values are staged into synthetic data blocks
// and classified by the program. Every entry must come out exactly as the
// reference evaluator alone classifies it -- same keys, sequence numbers,
// types, classes, values, stats, errors -- including entries the program
// cannot take (keys longer than max_key_size, values larger than a staged
// block, values that are not valid rows), which the host filter classifies.
#include <gtest/gtest.h>

#include "tests/pushdown/scan/memtable_program_check.h"

namespace pushdown::exec {
namespace {

TEST(MemtableProgramTest, RawValuesMatchTheEvaluatorAcrossWindows) {
  memtable_check::RawValuesCase("host");
}

TEST(MemtableProgramTest, EmptyAndDeletionOnlyMemtables) {
  memtable_check::EmptyAndDeletionOnlyCase("host");
}

TEST(MemtableProgramTest, InvalidRowsAreDecidedByTheHostFilter) {
  memtable_check::InvalidRowsCase("host");
}

}  // namespace
}  // namespace pushdown::exec
