#include <cctype>
#include <string>

#include "bpfgen/lang/diagnostic.h"
#include "bpfgen/lang/lexer.h"
#include "bpfgen/sql/select.h"

namespace pushdown::bpfgen::sql {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// An unquoted identifier spelling `word` (case-insensitive).
bool IsWord(const Token& t, std::string_view word) {
  return t.kind == TokenKind::kIdent && t.value.empty() && EqualsIgnoreCase(t.text, word);
}

// Words that end an expression or an alias: never an implicit alias.
constexpr std::string_view kClauseWords[] = {
    "select", "from",  "where",   "group", "having",    "order",  "limit", "offset", "asc",
    "desc",   "nulls", "by",      "as",    "join",      "inner",  "left",  "right",  "full",
    "cross",  "outer", "natural", "union", "intersect", "except", "on",    "using",  "window"};

bool IsClauseWord(const Token& t) {
  for (std::string_view w : kClauseWords) {
    if (IsWord(t, w)) return true;
  }
  return false;
}

bool IsPlainName(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

class SelectParser {
 public:
  SelectParser(std::string_view text, std::vector<Token> tokens)
      : text_(text), tokens_(std::move(tokens)) {}

  Result<SelectStatement> Parse() {
    PD_RETURN_IF_ERROR(RejectUnsupported());
    SelectStatement st;
    st.text = std::string(text_);
    if (!IsWord(Peek(), "select")) {
      return Error(Peek(), Peek().kind == TokenKind::kEnd
                               ? "empty statement; expected SELECT"
                               : "expected SELECT (only SELECT statements are supported)");
    }
    Next();
    if (IsWord(Peek(), "distinct")) {
      Next();
      st.distinct = true;
    } else if (IsWord(Peek(), "all")) {
      Next();
    }
    PD_RETURN_IF_ERROR(ParseItems(&st));
    PD_RETURN_IF_ERROR(ParseFrom(&st));
    if (IsWord(Peek(), "where")) {
      Next();
      const size_t begin = pos_;
      PD_ASSIGN_OR_RETURN(st.where, Expression(Context::kWhere, &st));
      PD_ASSIGN_OR_RETURN(st.where_text, JoinTokens(begin, pos_));
    }
    if (IsWord(Peek(), "group")) {
      Next();
      PD_RETURN_IF_ERROR(ExpectWord("by", "BY after GROUP"));
      st.has_group_by = true;
      while (true) {
        PD_ASSIGN_OR_RETURN(ExprPtr e, Expression(Context::kGroupBy, &st));
        st.group_by.push_back(std::move(e));
        if (Peek().kind != TokenKind::kComma) break;
        Next();
      }
    }
    if (IsWord(Peek(), "having")) {
      Next();
      PD_ASSIGN_OR_RETURN(st.having, Expression(Context::kAggregates, &st));
    }
    if (IsWord(Peek(), "order")) {
      Next();
      PD_RETURN_IF_ERROR(ExpectWord("by", "BY after ORDER"));
      while (true) {
        OrderKey key;
        const uint32_t begin = Peek().range.begin;
        PD_ASSIGN_OR_RETURN(key.expr, Expression(Context::kAggregates, &st));
        if (IsWord(Peek(), "asc")) {
          Next();
        } else if (IsWord(Peek(), "desc")) {
          Next();
          key.desc = true;
        }
        if (IsWord(Peek(), "nulls")) {
          Next();
          if (IsWord(Peek(), "first")) {
            key.nulls_first = true;
          } else if (IsWord(Peek(), "last")) {
            key.nulls_first = false;
          } else {
            return Unexpected(Peek(), "expected FIRST or LAST after NULLS");
          }
          Next();
        }
        key.range = {begin, Prev().range.end};
        st.order_by.push_back(std::move(key));
        if (Peek().kind != TokenKind::kComma) break;
        Next();
      }
    }
    if (IsWord(Peek(), "limit")) {
      Next();
      PD_ASSIGN_OR_RETURN(uint64_t n, Count("LIMIT"));
      st.limit = n;
      if (Peek().kind == TokenKind::kComma) {
        return Error(Peek(), "LIMIT n, m is not supported; write LIMIT m OFFSET n");
      }
    }
    if (IsWord(Peek(), "offset")) {
      Next();
      PD_ASSIGN_OR_RETURN(st.offset, Count("OFFSET"));
    }
    if (Peek().kind == TokenKind::kSemicolon) Next();
    if (Peek().kind != TokenKind::kEnd) {
      if (Prev().kind == TokenKind::kSemicolon) {
        return Error(Peek(), "only one statement is supported");
      }
      return Unexpected(Peek(), ExpectedAfterClause());
    }
    st.aggregates = std::move(aggregates_);
    st.aggregate_texts = std::move(aggregate_texts_);
    return st;
  }

 private:
  enum class Context { kSelect, kWhere, kGroupBy, kAggregates };

  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& Prev() const { return tokens_[pos_ == 0 ? 0 : pos_ - 1]; }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  Status Error(const Token& t, std::string_view message) const {
    return Diagnostic(text_, t.range, message);
  }
  Status Unexpected(const Token& t, std::string_view expected) const {
    return Error(t, "unexpected " + DescribeToken(t) + "; " + std::string(expected));
  }
  Status ExpectWord(std::string_view word, std::string_view what) {
    if (IsWord(Peek(), word)) {
      Next();
      return Status::OK();
    }
    return Unexpected(Peek(), "expected " + std::string(what));
  }
  std::string ExpectedAfterClause() const {
    return "expected WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET or end of statement";
  }

  // The constructs of SQL this layer does not have, found by their keyword
  // wherever they are, so that the error names the construct.
  Status RejectUnsupported() const {
    for (size_t i = 0; i < tokens_.size(); ++i) {
      const Token& t = tokens_[i];
      if (t.kind == TokenKind::kIdent && !t.value.empty() && t.value[0] == '$') {
        // "$a0", "$g0" name aggregates and group keys inside the binder.
        return Error(t, "identifiers starting with '$' are reserved");
      }
      if (i == 0) {
        if (IsWord(t, "with")) return Error(t, "WITH (common table expressions) is not supported");
        for (std::string_view w : {"insert", "update", "delete", "create", "drop", "alter",
                                   "replace", "pragma", "attach", "explain", "values"}) {
          if (IsWord(t, w)) return Error(t, "only SELECT statements are supported");
        }
        continue;
      }
      if (IsWord(t, "select") || IsWord(t, "exists")) {
        return Error(t, "subqueries are not supported");
      }
      for (std::string_view w : {"join", "natural", "cross"}) {
        if (IsWord(t, w)) return Error(t, "joins are not supported (one table per query)");
      }
      if ((IsWord(t, "inner") || IsWord(t, "left") || IsWord(t, "right") || IsWord(t, "full")) &&
          (IsWord(Peek2(i + 1), "join") || IsWord(Peek2(i + 1), "outer"))) {
        return Error(t, "joins are not supported (one table per query)");
      }
      if (IsWord(t, "over") || IsWord(t, "window") || IsWord(t, "partition")) {
        return Error(t, "window functions are not supported");
      }
      for (std::string_view w : {"union", "intersect", "except"}) {
        if (IsWord(t, w)) {
          return Error(t, "set operations (UNION, INTERSECT, EXCEPT) are not supported");
        }
      }
      if (IsWord(t, "case")) return Error(t, "CASE expressions are not supported");
      if (IsWord(t, "cast") && Peek2(i + 1).kind == TokenKind::kLParen) {
        return Error(t, "CAST is not supported (the language converts numeric types itself)");
      }
    }
    return Status::OK();
  }
  const Token& Peek2(size_t i) const { return tokens_[std::min(i, tokens_.size() - 1)]; }

  Result<ExprPtr> Expression(Context ctx, SelectStatement* st) {
    (void)st;
    AggregateHook hook = [this, ctx](AggregateCall call) -> Result<std::string> {
      switch (ctx) {
        case Context::kWhere:
          return Diagnostic(text_, call.name_range,
                            "aggregate functions are not allowed in WHERE (use HAVING)");
        case Context::kGroupBy:
          return Diagnostic(text_, call.name_range,
                            "aggregate functions are not allowed in GROUP BY");
        default:
          break;
      }
      const std::string name = AggregateColumn(aggregates_.size());
      aggregate_texts_.push_back(
          std::string(text_.substr(call.range.begin, call.range.end - call.range.begin)));
      aggregates_.push_back(std::move(call));
      return name;
    };
    const Token& first = Peek();
    if (IsClauseWord(first) || first.kind == TokenKind::kEnd) {
      return Unexpected(first, "expected an expression");
    }
    auto e = ParseExpressionPrefix(text_, tokens_, &pos_, &hook);
    if (!e.ok()) return e.status();
    const Token& t = Peek();
    if (t.kind == TokenKind::kDot) {
      return Error(t, "qualified names (table.column) are not supported; name the column alone");
    }
    return std::move(e).value();
  }

  Status ParseItems(SelectStatement* st) {
    while (true) {
      SelectItem item;
      const Token& first = Peek();
      if (first.kind == TokenKind::kStar) {
        Next();
        item.star = true;
        item.text = "*";
        item.range = first.range;
      } else {
        PD_ASSIGN_OR_RETURN(item.expr, Expression(Context::kSelect, st));
        item.range = {first.range.begin, Prev().range.end};
        item.text = std::string(text_.substr(item.range.begin, item.range.end - item.range.begin));
        if (IsWord(Peek(), "as")) {
          Next();
          const Token& a = Peek();
          if (a.kind != TokenKind::kIdent) return Unexpected(a, "expected an alias after AS");
          item.alias = a.value.empty() ? std::string(a.text) : a.value;
          Next();
        } else if (Peek().kind == TokenKind::kIdent && !IsClauseWord(Peek())) {
          item.alias = Peek().value.empty() ? std::string(Peek().text) : Peek().value;
          Next();
        }
      }
      st->items.push_back(std::move(item));
      if (Peek().kind != TokenKind::kComma) break;
      Next();
    }
    if (!IsWord(Peek(), "from")) {
      if (Peek().kind == TokenKind::kEnd) {
        return Error(Peek(), "expected FROM (a query reads one table)");
      }
      return Unexpected(Peek(), "expected ',', AS, an alias or FROM");
    }
    return Status::OK();
  }

  Status ParseFrom(SelectStatement* st) {
    Next();  // FROM
    const Token& t = Peek();
    if (t.kind == TokenKind::kLParen) return Error(t, "subqueries are not supported");
    if (t.kind != TokenKind::kIdent || IsClauseWord(t)) {
      return Unexpected(t, "expected a table name or raw.<column family>");
    }
    Next();
    std::string name = t.value.empty() ? std::string(t.text) : t.value;
    SourceRange range = t.range;
    if (IsWord(t, "raw") && Peek().kind != TokenKind::kDot) {
      st->from_raw = true;  // bare `raw`: the caller's default column family
      name.clear();
    } else if (Peek().kind == TokenKind::kDot) {
      if (!IsWord(t, "raw")) {
        return Error(t,
                     "'" + name + ".' is not a schema; FROM names a table or raw.<column family>");
      }
      Next();
      const Token& cf = Peek();
      if (cf.kind != TokenKind::kIdent && cf.kind != TokenKind::kString) {
        return Unexpected(cf, "expected a column family name after 'raw.'");
      }
      Next();
      st->from_raw = true;
      name = cf.kind == TokenKind::kString || !cf.value.empty() ? cf.value : std::string(cf.text);
      range = {t.range.begin, cf.range.end};
    }
    st->from = std::move(name);
    st->from_range = range;
    // A table alias (FROM lineitem l / AS l) is accepted and ignored: there is
    // one table.
    if (IsWord(Peek(), "as")) {
      Next();
      if (Peek().kind != TokenKind::kIdent) return Unexpected(Peek(), "expected an alias after AS");
      Next();
    } else if (Peek().kind == TokenKind::kIdent && !IsClauseWord(Peek())) {
      Next();
    }
    if (Peek().kind == TokenKind::kComma) {
      return Error(Peek(), "joins are not supported (one table per query)");
    }
    return Status::OK();
  }

  Result<uint64_t> Count(std::string_view clause) {
    const Token& t = Peek();
    if (t.kind == TokenKind::kMinus) {
      return Error(t, std::string(clause) + " must be a non-negative integer");
    }
    if (t.kind != TokenKind::kInteger) {
      return Unexpected(t, "expected a non-negative integer after " + std::string(clause));
    }
    uint64_t v = 0;
    for (char c : t.text) {
      const uint64_t d = static_cast<uint64_t>(c - '0');
      if (v > (UINT64_MAX - d) / 10) {
        return Error(t, std::string(clause) + " is larger than 18446744073709551615");
      }
      v = v * 10 + d;
    }
    Next();
    return v;
  }

  // The tokens [begin, end) as predicate-language text (comments dropped,
  // quoted identifiers unquoted).
  Result<std::string> JoinTokens(size_t begin, size_t end) const {
    std::string out;
    for (size_t i = begin; i < end; ++i) {
      const Token& t = tokens_[i];
      if (!out.empty()) out += ' ';
      if (t.kind == TokenKind::kIdent && !t.value.empty()) {
        if (!IsPlainName(t.value)) {
          return Error(t, "a quoted identifier in WHERE must be a plain column name");
        }
        out += t.value;
      } else if (t.kind == TokenKind::kDecimal && t.text[0] == '.') {
        out += "0";  // ".06": the predicate language writes 0.06
        out += t.text;
      } else {
        out += t.text;
      }
    }
    return out;
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  std::vector<AggregateCall> aggregates_;
  std::vector<std::string> aggregate_texts_;
};

}  // namespace

std::string AggregateColumn(size_t i) { return "$a" + std::to_string(i); }

int AggregateIndex(std::string_view name) {
  if (name.size() < 3 || name[0] != '$' || name[1] != 'a') return -1;
  int v = 0;
  for (char c : name.substr(2)) {
    if (c < '0' || c > '9' || v > 100000000) return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

Result<SelectStatement> ParseSelect(std::string_view text) {
  LexOptions options;
  options.sql = true;
  PD_ASSIGN_OR_RETURN(std::vector<Token> tokens, Lex(text, options));
  SelectParser parser(text, std::move(tokens));
  return parser.Parse();
}

}  // namespace pushdown::bpfgen::sql
