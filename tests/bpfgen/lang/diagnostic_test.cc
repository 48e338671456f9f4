#include "bpfgen/lang/diagnostic.h"

#include <gtest/gtest.h>

#include "bpfgen/lang/predicate.h"
#include "bpfgen/schema/tpch.h"

namespace pushdown::bpfgen {
namespace {

TEST(Diagnostic, CaretSpansToken) {
  EXPECT_EQ(FormatDiagnostic("abc = 'x'", {6, 9}, "bad"), "1:7: bad\nabc = 'x'\n      ^~~");
  EXPECT_EQ(FormatDiagnostic("abc", {3, 3}, "end"), "1:4: end\nabc\n   ^");
}

TEST(Diagnostic, MultiLineTabsAndUtf8) {
  EXPECT_EQ(FormatDiagnostic("a = 1 AND\n\tb = 'x'\n", {11, 12}, "bad"),
            "2:2: bad\n\tb = 'x'\n\t^");
  // Columns count characters: 'é' is 2 bytes, one column.
  EXPECT_EQ(FormatDiagnostic("'é' = x", {7, 8}, "bad"), "1:7: bad\n'é' = x\n      ^");
  EXPECT_EQ(FormatDiagnostic("a\r\nb", {3, 4}, "bad"), "2:1: bad\nb\n^");
}

TEST(Diagnostic, LongLinesAreWindowed) {
  std::string text = std::string(1000, ' ') + "zz" + std::string(1000, ' ');
  std::string d = FormatDiagnostic(text, {1000, 1002}, "bad");
  EXPECT_EQ(d.substr(0, d.find('\n')), "1:1001: bad");
  std::string source = d.substr(d.find('\n') + 1);
  std::string caret = source.substr(source.find('\n') + 1);
  source = source.substr(0, source.find('\n'));
  EXPECT_LT(source.size(), 200u);
  EXPECT_EQ(source.substr(caret.find('^'), 2), "zz");
}

TEST(Diagnostic, EditDistance) {
  EXPECT_EQ(EditDistance("l_shipdat", "l_shipdate"), 1u);
  EXPECT_EQ(EditDistance("KEY", "key"), 0u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
}

TEST(Diagnostic, ExampleFromLanguageDoc) {
  Result<Schema> lineitem = ParseSchema(kLineitemDdl);
  ASSERT_TRUE(lineitem.ok());
  Result<Predicate> p = CompilePredicate("l_shipdat >= DATE '1994-01-01'", *lineitem);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(),
            "1:1: unknown column 'l_shipdat' (did you mean 'l_shipdate'?)\n"
            "l_shipdat >= DATE '1994-01-01'\n"
            "^~~~~~~~~");
}

TEST(Diagnostic, NeverCrashesOnHostileInput) {
  Result<Schema> lineitem = ParseSchema(kLineitemDdl);
  ASSERT_TRUE(lineitem.ok());
  for (std::string text : {std::string("\0", 1), std::string("'\xff\xfe"), std::string(5000, ')'),
                           std::string(70000, 'a'), std::string("x IN (") + std::string(3000, ','),
                           std::string("\xe2\x82")}) {
    Result<Predicate> p = CompilePredicate(text, *lineitem);
    EXPECT_FALSE(p.ok());
    EXPECT_TRUE(p.status().IsInvalidArgument());
  }
}

}  // namespace
}  // namespace pushdown::bpfgen
