#include "util/source_diagnostic.h"

#include <gtest/gtest.h>

#include <string>

namespace pushdown {
namespace {

TEST(EscapeText, ControlBytesAndInvalidUtf8AreEscaped) {
  EXPECT_EQ(EscapeText(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(EscapeText("\xff"), "\\xff");
  EXPECT_EQ(EscapeText("\x1b[31m"), "\\x1b[31m");  // no terminal escapes
  EXPECT_EQ(EscapeText("\x7f"), "\\x7f");
  EXPECT_EQ(EscapeText("\xc3"), "\\xc3");                    // truncated sequence
  EXPECT_EQ(EscapeText("\xc0\xaf"), "\\xc0\\xaf");           // overlong '/'
  EXPECT_EQ(EscapeText("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate
  EXPECT_EQ(EscapeText("\xc2\x85"), "\\xc2\\x85");           // C1 control (NEL)
}

TEST(EscapeText, PrintableUtf8PassesAndEscapingIsIdempotent) {
  const std::string ok = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 a\\x00\tb\nc";
  EXPECT_EQ(EscapeText(ok), ok);
  const std::string bad("\0\xff\xc3", 3);
  EXPECT_EQ(EscapeText(EscapeText(bad)), EscapeText(bad));
}

TEST(FormatSourceDiagnostic, CaretUnderTheRangeAndUnderEscapedBytes) {
  EXPECT_EQ(FormatSourceDiagnostic("a INT32 KEY, b FLOAT", 15, 20, "unknown type 'FLOAT'"),
            "1:16: unknown type 'FLOAT'\na INT32 KEY, b FLOAT\n               ^~~~~");
  // A NUL before the range widens the line by 3: the caret follows.
  const std::string text("x\0 = 1", 6);
  EXPECT_EQ(FormatSourceDiagnostic(text, 3, 4, "here"), "1:4: here\nx\\x00 = 1\n      ^");
  // The offending byte itself escaped: caret and tildes span its \xHH.
  EXPECT_EQ(FormatSourceDiagnostic("a \xff b", 2, 3, "bad byte '\xff'"),
            "1:3: bad byte '\\xff'\na \\xff b\n  ^~~~");
  // Second line, empty range at the end.
  EXPECT_EQ(FormatSourceDiagnostic("ab\ncd", 5, 5, "end"), "2:3: end\ncd\n  ^");
}

}  // namespace
}  // namespace pushdown
