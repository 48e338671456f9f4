// memtable_program_test.cc's cases on the kernel device: the memtable's
// values staged into synthetic blocks and classified by the verified eBPF
// program (BPF_PROG_TEST_RUN). Needs CAP_BPF; skips with the reason otherwise.
#include <gtest/gtest.h>

#include "tests/pushdown/scan/memtable_program_check.h"

namespace pushdown::exec {
namespace {

TEST(MemtableProgramBpfTest, RawValuesMatchTheEvaluatorAcrossWindows) {
  memtable_check::RawValuesCase("kernel");
}

TEST(MemtableProgramBpfTest, EmptyAndDeletionOnlyMemtables) {
  memtable_check::EmptyAndDeletionOnlyCase("kernel");
}

TEST(MemtableProgramBpfTest, InvalidRowsAreDecidedByTheHostFilter) {
  memtable_check::InvalidRowsCase("kernel");
}

}  // namespace
}  // namespace pushdown::exec
