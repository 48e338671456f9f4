#include "bpfgen/lang/lexer.h"

#include <cctype>
#include <cstdio>

#include "bpfgen/lang/diagnostic.h"
#include "bpfgen/lang/limits.h"

namespace pushdown::bpfgen {
namespace {

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsBlank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

struct Keyword {
  std::string_view name;
  TokenKind kind;
};
constexpr Keyword kKeywords[] = {
    {"AND", TokenKind::kAnd},     {"OR", TokenKind::kOr},     {"NOT", TokenKind::kNot},
    {"IS", TokenKind::kIs},       {"NULL", TokenKind::kNull}, {"BETWEEN", TokenKind::kBetween},
    {"IN", TokenKind::kIn},       {"LIKE", TokenKind::kLike}, {"TRUE", TokenKind::kTrue},
    {"FALSE", TokenKind::kFalse}, {"DATE", TokenKind::kDate},
};

SourceRange Range(size_t b, size_t e) {
  return {static_cast<uint32_t>(b), static_cast<uint32_t>(e)};
}

}  // namespace

Result<std::vector<Token>> Lex(std::string_view text) { return Lex(text, LexOptions()); }

Result<std::vector<Token>> Lex(std::string_view text, const LexOptions& options) {
  if (text.size() > kMaxPredicateBytes) {
    return Diagnostic(
        text, Range(0, 0),
        "predicate text is " + std::to_string(text.size()) + " bytes; the limit is 65536 (64 KiB)");
  }
  std::vector<Token> tokens;
  size_t last_end = 0;
  size_t i = 0;
  const size_t n = text.size();
  while (true) {
    while (true) {
      while (i < n && IsBlank(text[i])) ++i;
      if (!options.sql || i + 1 >= n || text[i] != '-' || text[i + 1] != '-') break;
      while (i < n && text[i] != '\n') ++i;  // SQL comment
    }
    if (i >= n) break;
    Token tok;
    size_t start = i;
    char c = text[i];
    if (IsIdentStart(c)) {
      while (i < n && IsIdentChar(text[i])) ++i;
      tok.kind = TokenKind::kIdent;
      std::string_view word = text.substr(start, i - start);
      for (const Keyword& k : kKeywords) {
        if (EqualsIgnoreCase(word, k.name)) tok.kind = k.kind;
      }
    } else if (IsDigit(c) || (options.sql && c == '.' && i + 1 < n && IsDigit(text[i + 1]))) {
      // SQL mode also reads ".06" (TPC-H's qgen writes it) as a decimal.
      while (i < n && IsDigit(text[i])) ++i;
      tok.kind = TokenKind::kInteger;
      if (i < n && text[i] == '.') {
        ++i;
        if (i >= n || !IsDigit(text[i])) {
          return Diagnostic(text, Range(start, i),
                            "malformed number '" + std::string(text.substr(start, i - start)) +
                                "': expected digits after '.'");
        }
        while (i < n && IsDigit(text[i])) ++i;
        tok.kind = TokenKind::kDecimal;
      }
      if (i < n && (IsIdentChar(text[i]) || text[i] == '.')) {
        size_t e = i;
        while (e < n && (IsIdentChar(text[e]) || text[e] == '.')) ++e;
        return Diagnostic(text, Range(start, e),
                          "malformed number '" + std::string(text.substr(start, e - start)) + "'");
      }
    } else if (options.sql && c == '"') {
      ++i;
      std::string name;
      bool closed = false;
      while (i < n) {
        if (text[i] == '"') {
          if (i + 1 < n && text[i + 1] == '"') {
            name += '"';
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        name += text[i++];
        if (name.size() > kMaxLiteralBytes) {
          return Diagnostic(text, Range(start, start + 1),
                            "quoted identifier longer than the limit of 4096 bytes");
        }
      }
      if (!closed) {
        return Diagnostic(text, Range(start, start + 1), "unterminated quoted identifier");
      }
      if (name.empty()) return Diagnostic(text, Range(start, i), "empty quoted identifier");
      tok.kind = TokenKind::kIdent;
      tok.value = std::move(name);
    } else if (c == '\'') {
      ++i;
      std::string value;
      bool closed = false;
      while (i < n) {
        if (text[i] == '\'') {
          if (i + 1 < n && text[i + 1] == '\'') {
            value += '\'';
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        value += text[i++];
        if (value.size() > kMaxLiteralBytes) {
          return Diagnostic(text, Range(start, start + 1),
                            "string literal longer than the limit of 4096 bytes");
        }
      }
      if (!closed) return Diagnostic(text, Range(start, start + 1), "unterminated string literal");
      tok.kind = TokenKind::kString;
      tok.value = std::move(value);
    } else {
      ++i;
      char next = i < n ? text[i] : '\0';
      switch (c) {
        case '(':
          tok.kind = TokenKind::kLParen;
          break;
        case ')':
          tok.kind = TokenKind::kRParen;
          break;
        case ',':
          tok.kind = TokenKind::kComma;
          break;
        case '+':
          tok.kind = TokenKind::kPlus;
          break;
        case '-':
          tok.kind = TokenKind::kMinus;
          break;
        case '*':
          tok.kind = TokenKind::kStar;
          break;
        case '/':
          tok.kind = TokenKind::kSlash;
          break;
        case '%':
          tok.kind = TokenKind::kPercent;
          break;
        case '=':
          tok.kind = TokenKind::kEq;
          break;
        case '<':
          if (next == '=') {
            tok.kind = TokenKind::kLe;
            ++i;
          } else if (next == '>') {
            tok.kind = TokenKind::kNe;
            ++i;
          } else {
            tok.kind = TokenKind::kLt;
          }
          break;
        case '>':
          if (next == '=') {
            tok.kind = TokenKind::kGe;
            ++i;
          } else {
            tok.kind = TokenKind::kGt;
          }
          break;
        case '.':
        case ';':
          if (!options.sql) goto unexpected;
          tok.kind = c == '.' ? TokenKind::kDot : TokenKind::kSemicolon;
          break;
        case '!':
          if (next == '=') {
            tok.kind = TokenKind::kNe;
            ++i;
            break;
          }
          [[fallthrough]];
        default:
        unexpected : {
          // One UTF-8 character (or one stray byte) for the message.
          size_t e = start + 1;
          while (e < n && (static_cast<unsigned char>(text[e]) & 0xC0) == 0x80 && e - start < 4)
            ++e;
          std::string shown;
          unsigned char uc = static_cast<unsigned char>(c);
          if (uc < 0x20 || uc == 0x7f || (uc >= 0x80 && e == start + 1)) {
            char buf[8];
            std::snprintf(buf, sizeof(buf), "\\x%02x", uc);
            shown = buf;
          } else {
            shown = std::string(text.substr(start, e - start));
          }
          return Diagnostic(text, Range(start, e), "unexpected character '" + shown + "'");
        }
      }
    }
    tok.range = Range(start, i);
    tok.text = text.substr(start, i - start);
    last_end = i;
    tokens.push_back(std::move(tok));
  }
  Token end;
  end.kind = TokenKind::kEnd;
  end.range = Range(last_end, last_end);
  tokens.push_back(std::move(end));
  return tokens;
}

std::string DescribeToken(const Token& token) {
  switch (token.kind) {
    case TokenKind::kEnd:
      return "end of input";
    case TokenKind::kString: {
      std::string v = token.value.size() > 32 ? token.value.substr(0, 32) + "..." : token.value;
      return "string '" + v + "'";
    }
    default: {
      std::string_view t = token.text.size() > 32 ? token.text.substr(0, 32) : token.text;
      return "'" + std::string(t) + "'";
    }
  }
}

}  // namespace pushdown::bpfgen
