// Pass 1: text -> tokens. Keywords are recognised case-insensitively; string
// literals are unescaped ('' -> '); numbers keep their digits as text (the
// parser converts them, so that "-9223372036854775808" is one literal).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bpfgen/lang/ast.h"
#include "util/status.h"

namespace pushdown::bpfgen {

enum class TokenKind : uint8_t {
  kEnd,
  kIdent,
  kInteger,  // digits
  kDecimal,  // digits '.' digits
  kString,   // 'text' (value unescaped)
  kLParen,
  kRParen,
  kComma,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kEq,
  kNe,  // <> or !=
  kLt,
  kLe,
  kGt,
  kGe,
  // Keywords.
  kAnd,
  kOr,
  kNot,
  kIs,
  kNull,
  kBetween,
  kIn,
  kLike,
  kTrue,
  kFalse,
  kDate,
  // Only with LexOptions::sql (the SELECT statement layer, bpfgen/sql).
  kDot,        // '.'  (raw.<cf>)
  kSemicolon,  // ';'  (an optional statement terminator)
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  SourceRange range;
  std::string_view text;  // the source bytes of the token
  std::string value;      // kString: the unescaped contents
};

// Tokenises `text`; the last token is kEnd, positioned just after the last
// non-blank byte. Errors (unexpected character, unterminated or too long
// string, malformed number, text over the size limit) are diagnostics.
Result<std::vector<Token>> Lex(std::string_view text);

// SQL statement mode (bpfgen/sql): additionally '.' and ';' are tokens, a
// decimal may start with '.' (".06"), "double quoted" text is an identifier
// (its value holds the unescaped name, "" -> "), and '--' starts a comment up
// to the end of the line. The predicate language (sql = false) has none of
// these.
struct LexOptions {
  bool sql = false;
};
Result<std::vector<Token>> Lex(std::string_view text, const LexOptions& options);

// "'foo'", "end of input", "string 'abc'" -- for "unexpected ..." messages.
std::string DescribeToken(const Token& token);

}  // namespace pushdown::bpfgen
