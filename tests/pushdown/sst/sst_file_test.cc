#include "pushdown/sst/sst_file.h"

#include <gtest/gtest.h>

#include "tests/pushdown/sst/test_util.h"
#include "tests/support/temp_dir.h"

namespace pushdown::exec {
namespace {

using pushdown::testing::Checksum;
using pushdown::testing::Compression;
using pushdown::testing::EntryKind;
using pushdown::testing::SstSpec;
using pushdown::testing::TempDir;
using testing::MakeOps;
using testing::ReadAllEntries;

TEST(SstFileTest, WriterFileRoundTrip) {
  TempDir dir;
  const std::string path = dir.File("a.sst");
  auto ops = MakeOps(1000);
  ASSERT_TRUE(pushdown::testing::WriteSstWithWriter(path, SstSpec{}, ops).ok());
  auto sst = SstFile::Open(path);
  ASSERT_TRUE(sst.ok()) << sst.status().ToString();
  const TableInfo& info = (*sst)->info();
  EXPECT_EQ(info.format_version, 5u);
  EXPECT_EQ(info.checksum, ChecksumType::kXxh3);
  EXPECT_GT(info.num_data_blocks, 1u);
  EXPECT_TRUE(info.supported()) << info.unsupported.front();
  EXPECT_FALSE(info.global_seqno.has_value());
  EXPECT_EQ(info.properties.num_entries, 1000u);

  auto entries = ReadAllEntries(path);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    EXPECT_EQ((*entries)[i].user_key, ops[i].key);
    EXPECT_EQ((*entries)[i].seq, 0u);
    EXPECT_EQ((*entries)[i].type, ops[i].kind == EntryKind::kDelete ? 0 : 1);
    if (ops[i].kind == EntryKind::kPut) EXPECT_EQ((*entries)[i].value, ops[i].value);
  }
}

}  // namespace
}  // namespace pushdown::exec
