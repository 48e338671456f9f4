#include "bpfgen/lang/lexer.h"

#include <gtest/gtest.h>

#include <string>

namespace pushdown::bpfgen {
namespace {

std::string FirstLine(const Status& s) { return s.message().substr(0, s.message().find('\n')); }

std::vector<TokenKind> Kinds(std::string_view text) {
  Result<std::vector<Token>> tokens = Lex(text);
  EXPECT_TRUE(tokens.ok()) << tokens.status().message();
  std::vector<TokenKind> kinds;
  if (tokens.ok()) {
    for (const Token& t : *tokens) kinds.push_back(t.kind);
  }
  return kinds;
}

TEST(Lexer, OperatorsAndKeywordsCaseInsensitive) {
  using K = TokenKind;
  EXPECT_EQ(Kinds("a <= b <> c != d >= e < f > g = h"),
            (std::vector<K>{K::kIdent, K::kLe, K::kIdent, K::kNe, K::kIdent, K::kNe, K::kIdent,
                            K::kGe, K::kIdent, K::kLt, K::kIdent, K::kGt, K::kIdent, K::kEq,
                            K::kIdent, K::kEnd}));
  EXPECT_EQ(Kinds("and Or nOT is NULL between In LIKE true False date"),
            (std::vector<K>{K::kAnd, K::kOr, K::kNot, K::kIs, K::kNull, K::kBetween, K::kIn,
                            K::kLike, K::kTrue, K::kFalse, K::kDate, K::kEnd}));
  EXPECT_EQ(Kinds("(1+2.5)*-3/4%5,"),
            (std::vector<K>{K::kLParen, K::kInteger, K::kPlus, K::kDecimal, K::kRParen, K::kStar,
                            K::kMinus, K::kInteger, K::kSlash, K::kInteger, K::kPercent,
                            K::kInteger, K::kComma, K::kEnd}));
}

TEST(Lexer, TokenRangesAreByteOffsets) {
  Result<std::vector<Token>> tokens = Lex("  ab\n <= 'x'");
  ASSERT_TRUE(tokens.ok());
  ASSERT_EQ(tokens->size(), 4u);
  EXPECT_EQ((*tokens)[0].range.begin, 2u);
  EXPECT_EQ((*tokens)[0].range.end, 4u);
  EXPECT_EQ((*tokens)[1].range.begin, 6u);
  EXPECT_EQ((*tokens)[1].range.end, 8u);
  EXPECT_EQ((*tokens)[2].range.begin, 9u);
  EXPECT_EQ((*tokens)[2].range.end, 12u);
  // The end token sits right after the last token.
  EXPECT_EQ((*tokens)[3].range.begin, 12u);
}

TEST(Lexer, StringEscapesAndBytes) {
  Result<std::vector<Token>> tokens = Lex("'it''s' '' '''' 'a\nb'");
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ((*tokens)[0].value, "it's");
  EXPECT_EQ((*tokens)[1].value, "");
  EXPECT_EQ((*tokens)[2].value, "'");
  EXPECT_EQ((*tokens)[3].value, "a\nb");
  std::string with_nul("'a\0b'", 5);
  tokens = Lex(with_nul);
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ((*tokens)[0].value, std::string("a\0b", 3));
}

TEST(Lexer, Errors) {
  EXPECT_EQ(FirstLine(Lex("'abc").status()), "1:1: unterminated string literal");
  EXPECT_EQ(FirstLine(Lex("a 'it''s").status()), "1:3: unterminated string literal");
  EXPECT_EQ(FirstLine(Lex("a @ b").status()), "1:3: unexpected character '@'");
  EXPECT_EQ(FirstLine(Lex(std::string("a \x01", 3)).status()), "1:3: unexpected character '\\x01'");
  EXPECT_EQ(FirstLine(Lex("a \xff").status()), "1:3: unexpected character '\\xff'");
  EXPECT_TRUE(Lex("1.").status().IsInvalidArgument());
  EXPECT_TRUE(Lex("1.2.3").status().IsInvalidArgument());
  EXPECT_TRUE(Lex("7days").status().IsInvalidArgument());
}

TEST(Lexer, Limits) {
  std::string long_literal = "'" + std::string(4096, 'x') + "'";
  EXPECT_TRUE(Lex(long_literal).ok());
  Status s = Lex("'" + std::string(4097, 'x') + "'").status();
  EXPECT_NE(s.message().find("4096 bytes"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().substr(0, 4), "1:1:");

  std::string text(64 * 1024, ' ');
  text[0] = 'a';
  EXPECT_TRUE(Lex(text).ok());
  text += ' ';
  s = Lex(text).status();
  EXPECT_NE(s.message().find("64 KiB"), std::string::npos) << s.message().substr(0, 100);
}

}  // namespace
}  // namespace pushdown::bpfgen
