#include "bpfgen/lang/parser.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "bpfgen/lang/diagnostic.h"
#include "bpfgen/lang/functions.h"
#include "bpfgen/lang/interval.h"
#include "bpfgen/lang/limits.h"
#include "bpfgen/schema/date.h"

namespace pushdown::bpfgen {
namespace {

const Expr* TooDeep(const Expr& e, int level);

class Parser {
 public:
  Parser(std::string_view text, const std::vector<Token>& tokens) : text_(text), tokens_(tokens) {}

  // ParseExpressionPrefix: one expression from `pos`, stopping before the
  // first token that cannot continue it.
  Result<ExprPtr> ParsePrefix(size_t* pos, const AggregateHook* hook) {
    pos_ = std::min(*pos, tokens_.size() - 1);
    hook_ = hook;
    if (Peek().kind == TokenKind::kEnd) return Unexpected(Peek(), "expected an expression");
    PD_ASSIGN_OR_RETURN(ExprPtr e, ParseOr());
    *pos = pos_;
    return e;
  }

  Result<ExprPtr> ParsePredicate() {
    if (Peek().kind == TokenKind::kEnd) {
      return Diagnostic(text_, Peek().range, "empty predicate");
    }
    PD_ASSIGN_OR_RETURN(ExprPtr e, ParseOr());
    if (Peek().kind == TokenKind::kRParen) {
      return Diagnostic(text_, Peek().range, "unmatched ')'");
    }
    if (Peek().kind != TokenKind::kEnd) {
      return Unexpected(Peek(), "expected AND, OR or end of input");
    }
    return e;
  }

 private:
  // Recursion guard: one level per '(' group, call, NOT or unary minus.
  class Nest {
   public:
    explicit Nest(Parser* p) : p_(p) { ++p_->depth_; }
    ~Nest() { --p_->depth_; }
    bool TooDeep() const { return p_->depth_ > kMaxSyntaxNesting; }

   private:
    Parser* p_;
  };

  const Token& Peek(size_t ahead = 0) const {
    size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[i];
  }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool Accept(TokenKind k) {
    if (Peek().kind != k) return false;
    Next();
    return true;
  }

  Status Unexpected(const Token& t, std::string_view expected) {
    return Diagnostic(text_, t.range,
                      "unexpected " + DescribeToken(t) + "; " + std::string(expected));
  }
  Status Expect(TokenKind k, std::string_view what) {
    if (Accept(k)) return Status::OK();
    return Unexpected(Peek(), "expected " + std::string(what));
  }
  Status DepthError(const Token& t) {
    return Diagnostic(
        text_, t.range,
        "parentheses, calls and prefix operators nested too deeply (the limit is 256 levels)");
  }

  Result<ExprPtr> NewNode(ExprKind kind, SourceRange range, SourceRange op_range) {
    if (++nodes_ > kMaxNodes) {
      return Diagnostic(text_, op_range, "predicate has too many nodes (the limit is 4096)");
    }
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->range = range;
    e->op_range = op_range;
    return e;
  }
  static SourceRange Span(const Expr& a, const Expr& b) { return {a.range.begin, b.range.end}; }
  static SourceRange Span(SourceRange a, SourceRange b) { return {a.begin, b.end}; }

  Result<ExprPtr> Binary(BinaryOp op, SourceRange op_range, ExprPtr l, ExprPtr r) {
    PD_ASSIGN_OR_RETURN(ExprPtr e, NewNode(ExprKind::kBinary, Span(*l, *r), op_range));
    e->binary_op = op;
    e->children.push_back(std::move(l));
    e->children.push_back(std::move(r));
    return e;
  }

  Result<ExprPtr> ParseOr() {
    PD_ASSIGN_OR_RETURN(ExprPtr left, ParseAnd());
    while (Peek().kind == TokenKind::kOr) {
      SourceRange op = Next().range;
      PD_ASSIGN_OR_RETURN(ExprPtr right, ParseAnd());
      PD_ASSIGN_OR_RETURN(left, Binary(BinaryOp::kOr, op, std::move(left), std::move(right)));
    }
    return left;
  }

  Result<ExprPtr> ParseAnd() {
    PD_ASSIGN_OR_RETURN(ExprPtr left, ParseNot());
    while (Peek().kind == TokenKind::kAnd) {
      SourceRange op = Next().range;
      PD_ASSIGN_OR_RETURN(ExprPtr right, ParseNot());
      PD_ASSIGN_OR_RETURN(left, Binary(BinaryOp::kAnd, op, std::move(left), std::move(right)));
    }
    return left;
  }

  Result<ExprPtr> ParseNot() {
    if (Peek().kind != TokenKind::kNot) return ParseAtom();
    const Token& not_tok = Next();
    Nest nest(this);
    if (nest.TooDeep()) return DepthError(not_tok);
    PD_ASSIGN_OR_RETURN(ExprPtr operand, ParseNot());
    PD_ASSIGN_OR_RETURN(
        ExprPtr e, NewNode(ExprKind::kUnary, Span(not_tok.range, operand->range), not_tok.range));
    e->unary_op = UnaryOp::kNot;
    e->children.push_back(std::move(operand));
    return e;
  }

  Result<ExprPtr> ParseAtom() {
    PD_ASSIGN_OR_RETURN(ExprPtr left, ParseSum());
    const Token& t = Peek();
    BinaryOp cmp;
    switch (t.kind) {
      case TokenKind::kEq:
        cmp = BinaryOp::kEq;
        break;
      case TokenKind::kNe:
        cmp = BinaryOp::kNe;
        break;
      case TokenKind::kLt:
        cmp = BinaryOp::kLt;
        break;
      case TokenKind::kLe:
        cmp = BinaryOp::kLe;
        break;
      case TokenKind::kGt:
        cmp = BinaryOp::kGt;
        break;
      case TokenKind::kGe:
        cmp = BinaryOp::kGe;
        break;
      case TokenKind::kIs:
        return ParseIsNull(std::move(left));
      case TokenKind::kNot:
      case TokenKind::kBetween:
      case TokenKind::kIn:
      case TokenKind::kLike:
        return ParseNegatable(std::move(left));
      default:
        return left;
    }
    SourceRange op = Next().range;
    PD_ASSIGN_OR_RETURN(ExprPtr right, ParseSum());
    return Binary(cmp, op, std::move(left), std::move(right));
  }

  Result<ExprPtr> ParseIsNull(ExprPtr operand) {
    SourceRange is = Next().range;
    bool negated = Accept(TokenKind::kNot);
    const Token& null_tok = Peek();
    PD_RETURN_IF_ERROR(Expect(TokenKind::kNull, negated ? "NULL" : "NULL or NOT NULL"));
    PD_ASSIGN_OR_RETURN(ExprPtr e,
                        NewNode(ExprKind::kIsNull, Span(operand->range, null_tok.range), is));
    e->negated = negated;
    e->children.push_back(std::move(operand));
    return e;
  }

  Result<ExprPtr> ParseNegatable(ExprPtr operand) {
    SourceRange first = Peek().range;
    bool negated = Accept(TokenKind::kNot);
    const Token& kw = Peek();
    SourceRange op = Span(first, kw.range);
    switch (kw.kind) {
      case TokenKind::kBetween: {
        Next();
        PD_ASSIGN_OR_RETURN(ExprPtr lo, ParseSum());
        PD_RETURN_IF_ERROR(Expect(TokenKind::kAnd, "AND in BETWEEN"));
        PD_ASSIGN_OR_RETURN(ExprPtr hi, ParseSum());
        PD_ASSIGN_OR_RETURN(ExprPtr e, NewNode(ExprKind::kBetween, Span(*operand, *hi), op));
        e->negated = negated;
        e->children.push_back(std::move(operand));
        e->children.push_back(std::move(lo));
        e->children.push_back(std::move(hi));
        return e;
      }
      case TokenKind::kIn: {
        Next();
        PD_ASSIGN_OR_RETURN(ExprPtr e, NewNode(ExprKind::kIn, operand->range, op));
        e->negated = negated;
        e->children.push_back(std::move(operand));
        PD_RETURN_IF_ERROR(Expect(TokenKind::kLParen, "'(' after IN"));
        while (true) {
          if (e->children.size() > kMaxInList) {
            return Diagnostic(text_, Peek().range,
                              "IN list has more than 1024 elements (the limit)");
          }
          PD_ASSIGN_OR_RETURN(ExprPtr item, ParseSum());
          e->children.push_back(std::move(item));
          if (Accept(TokenKind::kComma)) continue;
          const Token& close = Peek();
          PD_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "',' or ')' in IN list"));
          e->range.end = close.range.end;
          break;
        }
        return e;
      }
      case TokenKind::kLike: {
        Next();
        const Token& pat = Peek();
        if (pat.kind != TokenKind::kString) {
          return Diagnostic(text_, pat.range, "LIKE pattern must be a string literal");
        }
        Next();
        PD_ASSIGN_OR_RETURN(ExprPtr p, StringLiteral(pat));
        PD_ASSIGN_OR_RETURN(ExprPtr e,
                            NewNode(ExprKind::kLike, Span(operand->range, pat.range), op));
        e->negated = negated;
        e->children.push_back(std::move(operand));
        e->children.push_back(std::move(p));
        return e;
      }
      default:
        return Unexpected(kw, "expected BETWEEN, IN or LIKE after NOT");
    }
  }

  // A sum is also where INTERVAL literals may appear: as the right operand of
  // + or - (DATE '...' - INTERVAL '90' DAY) or as the first operand of +
  // (INTERVAL '1' YEAR + DATE '...'). Either way the other operand must be a
  // DATE literal, and the two fold into one DATE literal here.
  Result<ExprPtr> ParseSum() {
    ExprPtr left;
    if (AtInterval()) {
      PD_ASSIGN_OR_RETURN(IntervalLiteral iv, ParseInterval());
      const Token& t = Peek();
      if (t.kind == TokenKind::kMinus) {
        return Diagnostic(text_, t.range,
                          "INTERVAL - DATE is not supported (write DATE 'YYYY-MM-DD' - "
                          "INTERVAL ...)");
      }
      if (t.kind != TokenKind::kPlus) {
        return Diagnostic(text_, iv.range,
                          "an INTERVAL must be added to or subtracted from a DATE literal, "
                          "e.g. DATE '1998-12-01' - INTERVAL '90' DAY");
      }
      Next();
      if (AtInterval()) {
        return Diagnostic(text_, Peek().range, "INTERVAL + INTERVAL is not supported");
      }
      PD_ASSIGN_OR_RETURN(ExprPtr date, ParseProduct());
      PD_ASSIGN_OR_RETURN(left, FoldInterval(std::move(date), iv, /*subtract=*/false,
                                             /*interval_first=*/true));
      PD_RETURN_IF_ERROR(NoProductAfterInterval());
    } else {
      PD_ASSIGN_OR_RETURN(left, ParseProduct());
    }
    while (Peek().kind == TokenKind::kPlus || Peek().kind == TokenKind::kMinus) {
      const Token& t = Next();
      BinaryOp op = t.kind == TokenKind::kPlus ? BinaryOp::kAdd : BinaryOp::kSub;
      if (AtInterval()) {
        PD_ASSIGN_OR_RETURN(IntervalLiteral iv, ParseInterval());
        PD_ASSIGN_OR_RETURN(left, FoldInterval(std::move(left), iv, op == BinaryOp::kSub,
                                               /*interval_first=*/false));
        PD_RETURN_IF_ERROR(NoProductAfterInterval());
        continue;
      }
      PD_ASSIGN_OR_RETURN(ExprPtr right, ParseProduct());
      PD_ASSIGN_OR_RETURN(left, Binary(op, t.range, std::move(left), std::move(right)));
    }
    return left;
  }

  // INTERVAL is not reserved: it is the identifier INTERVAL followed by a
  // string or integer literal (no other grammar rule puts a literal right
  // after an identifier), so columns named interval, day or year still work.
  bool AtInterval() const {
    const Token& t = Peek();
    return t.kind == TokenKind::kIdent && t.text.size() == 8 &&
           EditDistance(t.text, "INTERVAL") == 0 &&
           (Peek(1).kind == TokenKind::kString || Peek(1).kind == TokenKind::kInteger);
  }

  struct IntervalLiteral {
    Interval interval;
    SourceRange range;  // INTERVAL ... unit
  };

  // INTERVAL 'n' unit | INTERVAL n unit | INTERVAL 'n unit'.
  // REQUIRES: AtInterval().
  Result<IntervalLiteral> ParseInterval() {
    const Token& kw = Next();
    const Token& count_tok = Next();
    IntervalLiteral out;
    std::optional<IntervalUnit> unit;
    std::string_view count_text =
        count_tok.kind == TokenKind::kString ? std::string_view(count_tok.value) : count_tok.text;
    switch (ParseIntervalCount(count_text, &out.interval.count, &unit)) {
      case IntervalCountError::kNone:
        break;
      case IntervalCountError::kNotInteger:
        return Diagnostic(text_, count_tok.range,
                          "interval count must be an integer, e.g. INTERVAL '90' DAY");
      case IntervalCountError::kOutOfRange:
        return Diagnostic(text_, count_tok.range, "interval count is out of range");
      case IntervalCountError::kBadUnit:
        return Diagnostic(text_, count_tok.range,
                          "unknown interval unit in " + DescribeToken(count_tok) +
                              " (expected DAY, MONTH or YEAR)");
    }
    SourceRange end = count_tok.range;
    if (!unit) {
      const Token& u = Peek();
      if (u.kind != TokenKind::kIdent) {
        return Unexpected(u, "expected an interval unit: DAY, MONTH or YEAR");
      }
      unit = ParseIntervalUnit(u.text);
      if (!unit) {
        return Diagnostic(text_, u.range,
                          "unknown interval unit " + DescribeToken(u) +
                              " (expected DAY, MONTH or YEAR, or DAYS, MONTHS, YEARS)");
      }
      end = Next().range;
      if (Peek().kind == TokenKind::kLParen) {
        PD_ASSIGN_OR_RETURN(end, ParseIntervalPrecision(count_tok, out.interval.count, u));
      }
    } else if (Peek().kind == TokenKind::kIdent && ParseIntervalUnit(Peek().text)) {
      return Diagnostic(text_, Peek().range, "interval unit given twice");
    }
    out.interval.unit = *unit;
    out.range = Span(kw.range, end);
    return out;
  }

  // SQL's leading field precision after the unit, as TPC-H writes Q1:
  // INTERVAL '90' DAY (3). The count may have at most that many digits
  // (leading zeros and the sign not counted). Returns the ')' range.
  Result<SourceRange> ParseIntervalPrecision(const Token& count_tok, int64_t count,
                                             const Token& unit_tok) {
    Next();  // '('
    const Token& p = Peek();
    if (p.kind != TokenKind::kInteger || p.text.size() != 1 || p.text[0] == '0') {
      return Diagnostic(text_, p.range,
                        "interval precision must be a digit 1..9, e.g. INTERVAL '90' DAY (3)");
    }
    Next();
    const Token& close = Peek();
    PD_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')' after the interval precision"));
    const int precision = p.text[0] - '0';
    int digits = 1;
    for (int64_t v = count < 0 ? -count : count; v >= 10; v /= 10) ++digits;
    if (digits > precision) {
      return Diagnostic(text_, count_tok.range,
                        "interval count has " + std::to_string(digits) + " digits; " +
                            std::string(unit_tok.text) + " (" + p.text[0] + ") allows at most " +
                            std::to_string(precision));
    }
    return close.range;
  }

  // Folds `date` +/- `iv` into a DATE literal (reusing date's node).
  Result<ExprPtr> FoldInterval(ExprPtr date, const IntervalLiteral& iv, bool subtract,
                               bool interval_first) {
    SourceRange whole = interval_first ? Span(iv.range, date->range) : Span(date->range, iv.range);
    if (date->kind != ExprKind::kLiteral || date->literal_null || date->type.id != TypeId::kDate) {
      return Diagnostic(text_, date->range,
                        "INTERVAL arithmetic is folded at compile time and needs a DATE "
                        "literal here (a column or expression +/- INTERVAL is not supported)");
    }
    int32_t days = 0;
    if (!AddInterval(static_cast<int32_t>(date->literal_int), iv.interval, subtract, &days)) {
      return Diagnostic(
          text_, whole,
          "DATE '" + FormatDate(static_cast<int32_t>(date->literal_int)) + "' " +
              (subtract ? "-" : "+") + " " +
              std::string(text_.substr(iv.range.begin,
                                       std::min<size_t>(64, iv.range.end - iv.range.begin))) +
              " is outside the DATE range 0001-01-01..9999-12-31");
    }
    date->literal_int = days;
    date->range = whole;
    return date;
  }

  // `DATE 'x' - INTERVAL '1' DAY * 2` would otherwise fail later with a
  // confusing message: an INTERVAL is never an operand of * / %.
  Status NoProductAfterInterval() {
    TokenKind k = Peek().kind;
    if (k == TokenKind::kStar || k == TokenKind::kSlash || k == TokenKind::kPercent) {
      return Diagnostic(text_, Peek().range,
                        "an INTERVAL cannot be an operand of " + DescribeToken(Peek()) +
                            " (only DATE +/- INTERVAL literals are supported)");
    }
    return Status::OK();
  }

  Result<ExprPtr> ParseProduct() {
    PD_ASSIGN_OR_RETURN(ExprPtr left, ParseUnary());
    while (true) {
      BinaryOp op;
      switch (Peek().kind) {
        case TokenKind::kStar:
          op = BinaryOp::kMul;
          break;
        case TokenKind::kSlash:
          op = BinaryOp::kDiv;
          break;
        case TokenKind::kPercent:
          op = BinaryOp::kMod;
          break;
        default:
          return left;
      }
      SourceRange r = Next().range;
      PD_ASSIGN_OR_RETURN(ExprPtr right, ParseUnary());
      PD_ASSIGN_OR_RETURN(left, Binary(op, r, std::move(left), std::move(right)));
    }
  }

  Result<ExprPtr> ParseUnary() {
    if (Peek().kind != TokenKind::kMinus) return ParsePrimary();
    const Token& minus = Next();
    const Token& next = Peek();
    if (next.kind == TokenKind::kInteger || next.kind == TokenKind::kDecimal) {
      Next();
      return NumberLiteral(next, &minus);
    }
    Nest nest(this);
    if (nest.TooDeep()) return DepthError(minus);
    PD_ASSIGN_OR_RETURN(ExprPtr operand, ParseUnary());
    PD_ASSIGN_OR_RETURN(ExprPtr e,
                        NewNode(ExprKind::kUnary, Span(minus.range, operand->range), minus.range));
    e->unary_op = UnaryOp::kNegate;
    e->children.push_back(std::move(operand));
    return e;
  }

  Result<ExprPtr> ParsePrimary() {
    const Token& t = Peek();
    switch (t.kind) {
      case TokenKind::kInteger:
      case TokenKind::kDecimal:
        Next();
        return NumberLiteral(t, nullptr);
      case TokenKind::kString:
        Next();
        return StringLiteral(t);
      case TokenKind::kTrue:
      case TokenKind::kFalse: {
        Next();
        PD_ASSIGN_OR_RETURN(ExprPtr e, NewNode(ExprKind::kLiteral, t.range, t.range));
        e->type = Type::Bool();
        e->literal_int = t.kind == TokenKind::kTrue ? 1 : 0;
        return e;
      }
      case TokenKind::kNull: {
        Next();
        PD_ASSIGN_OR_RETURN(ExprPtr e, NewNode(ExprKind::kLiteral, t.range, t.range));
        e->type = Type::Null();
        e->literal_null = true;
        return e;
      }
      case TokenKind::kDate: {
        Next();
        const Token& s = Peek();
        if (s.kind != TokenKind::kString) {
          return Unexpected(s, "expected a 'YYYY-MM-DD' string after DATE");
        }
        Next();
        int32_t days = 0;
        if (!ParseDate(s.value, &days)) {
          return Diagnostic(
              text_, s.range,
              "invalid date '" + s.value.substr(0, 32) +
                  "' (expected a valid 'YYYY-MM-DD' between 0001-01-01 and 9999-12-31)");
        }
        PD_ASSIGN_OR_RETURN(ExprPtr e,
                            NewNode(ExprKind::kLiteral, Span(t.range, s.range), t.range));
        e->type = Type::Date();
        e->literal_int = days;
        return e;
      }
      case TokenKind::kIdent:
        if (AtInterval()) {
          // Not directly after + or - (ParseSum handles those): e.g.
          // `l_quantity < INTERVAL '3' DAY` or `-INTERVAL '1' DAY`.
          return Diagnostic(text_, Span(t.range, Peek(1).range),
                            "an INTERVAL must be added to or subtracted from a DATE literal, "
                            "e.g. DATE '1998-12-01' - INTERVAL '90' DAY");
        }
        Next();
        if (Peek().kind == TokenKind::kLParen) return ParseCall(t);
        {
          PD_ASSIGN_OR_RETURN(ExprPtr e, NewNode(ExprKind::kColumn, t.range, t.range));
          e->column_name = t.value.empty() ? std::string(t.text) : t.value;
          return e;
        }
      case TokenKind::kLParen: {
        Next();
        Nest nest(this);
        if (nest.TooDeep()) return DepthError(t);
        PD_ASSIGN_OR_RETURN(ExprPtr e, ParseOr());
        PD_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')'"));
        return e;
      }
      default:
        return Unexpected(t, "expected an expression");
    }
  }

  static bool IsAggregateName(std::string_view name, std::string* lower) {
    lower->clear();
    for (char c : name)
      lower->push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    return *lower == "count" || *lower == "sum" || *lower == "avg" || *lower == "min" ||
           *lower == "max";
  }

  // name '(' [DISTINCT] (expr | '*') ')', handed to hook_.
  Result<ExprPtr> ParseAggregate(const Token& name, std::string lower) {
    if (in_aggregate_) {
      return Diagnostic(text_, name.range, "aggregate functions cannot be nested");
    }
    const Token& open = Next();  // '('
    Nest nest(this);
    if (nest.TooDeep()) return DepthError(open);
    AggregateCall call;
    call.name = std::move(lower);
    call.name_range = name.range;
    if (Peek().kind == TokenKind::kIdent && Peek().value.empty() &&
        EqualsIgnoreCaseAscii(Peek().text, "distinct")) {
      Next();
      call.distinct = true;
    }
    if (Peek().kind == TokenKind::kStar && !call.distinct) {
      if (call.name != "count") {
        return Diagnostic(text_, Peek().range, "'*' is only an argument of count(*)");
      }
      Next();
      call.star = true;
    } else {
      in_aggregate_ = true;
      auto arg = ParseOr();
      in_aggregate_ = false;
      if (!arg.ok()) return arg.status();
      call.arg = std::move(arg).value();
      if (const Expr* deep = TooDeep(*call.arg, 2)) {
        return Diagnostic(text_, deep->op_range,
                          "expression nested too deeply (the limit is 64 levels)");
      }
    }
    const Token& close = Peek();
    if (close.kind == TokenKind::kComma) {
      return Diagnostic(text_, close.range, call.name + "() takes one argument");
    }
    PD_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')' after the aggregate's argument"));
    call.range = Span(name.range, close.range);
    const SourceRange range = call.range;
    PD_ASSIGN_OR_RETURN(std::string column, (*hook_)(std::move(call)));
    PD_ASSIGN_OR_RETURN(ExprPtr e, NewNode(ExprKind::kColumn, range, name.range));
    e->column_name = std::move(column);
    return e;
  }

  static bool EqualsIgnoreCaseAscii(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(a[i])) !=
          std::tolower(static_cast<unsigned char>(b[i])))
        return false;
    }
    return true;
  }

  Result<ExprPtr> ParseCall(const Token& name) {
    if (std::string lower;
        hook_ != nullptr && name.value.empty() && IsAggregateName(name.text, &lower)) {
      return ParseAggregate(name, std::move(lower));
    }
    const FunctionInfo* info = FindFunction(name.text);
    if (info == nullptr) {
      std::string msg = "unknown function '" + std::string(name.text) + "'";
      std::string_view hint = SuggestFunction(name.text);
      if (!hint.empty()) msg += " (did you mean '" + std::string(hint) + "'?)";
      return Diagnostic(text_, name.range, msg);
    }
    const Token& open = Next();  // '('
    Nest nest(this);
    if (nest.TooDeep()) return DepthError(open);
    PD_ASSIGN_OR_RETURN(ExprPtr e, NewNode(ExprKind::kCall, name.range, name.range));
    e->function = info->function;
    if (Peek().kind != TokenKind::kRParen) {
      while (true) {
        if (e->children.size() >= 8) {
          return Diagnostic(text_, Peek().range,
                            "too many arguments to " + std::string(info->name));
        }
        PD_ASSIGN_OR_RETURN(ExprPtr arg, ParseSum());
        e->children.push_back(std::move(arg));
        if (!Accept(TokenKind::kComma)) break;
      }
    }
    const Token& close = Peek();
    PD_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "',' or ')' in argument list"));
    e->range.end = close.range.end;
    return e;
  }

  Result<ExprPtr> StringLiteral(const Token& t) {
    PD_ASSIGN_OR_RETURN(ExprPtr e, NewNode(ExprKind::kLiteral, t.range, t.range));
    e->type = Type::Varchar(static_cast<uint32_t>(t.value.size()));
    e->literal_string = t.value;
    return e;
  }

  // `minus`, if not null, is a '-' directly before the number.
  Result<ExprPtr> NumberLiteral(const Token& t, const Token* minus) {
    SourceRange range = minus ? Span(minus->range, t.range) : t.range;
    std::string_view digits = t.text;
    int scale = 0;
    if (t.kind == TokenKind::kDecimal) {
      size_t dot = digits.find('.');
      scale = static_cast<int>(digits.size() - dot - 1);
    }
    // Accumulate as a negative number so INT64_MIN fits.
    // Precision: the digits after any leading zeros of the integer part
    // (0.05 is DECIMAL(2,2), 24.00 is DECIMAL(4,2)).
    int64_t v = 0;
    int precision = 0;
    {
      size_t i = 0;
      while (i + 1 < digits.size() && digits[i] == '0' && digits[i + 1] != '.') ++i;
      if (i < digits.size() && digits[i] == '0' && i + 1 < digits.size() && digits[i + 1] == '.')
        ++i;
      for (; i < digits.size(); ++i) precision += digits[i] != '.';
      precision = std::max(precision, 1);
    }
    bool overflow = false;
    for (char c : digits) {
      if (c == '.') continue;
      int d = c - '0';
      if (v < (INT64_MIN + d) / 10) {
        overflow = true;
        break;
      }
      v = v * 10 - d;
    }
    if (t.kind == TokenKind::kDecimal && precision > kMaxDecimalDigits) {
      return Diagnostic(text_, range,
                        "decimal literal has " + std::to_string(precision) +
                            " digits; the DECIMAL precision limit is 18");
    }
    if (!minus && !overflow) {
      if (v == INT64_MIN) {
        overflow = true;
      } else {
        v = -v;
      }
    }
    if (overflow) {
      return Diagnostic(text_, range, "integer literal out of range for INT64");
    }
    PD_ASSIGN_OR_RETURN(ExprPtr e, NewNode(ExprKind::kLiteral, range, range));
    e->literal_int = v;
    e->type = t.kind == TokenKind::kDecimal ? Type::Decimal(precision, scale) : Type::Int64();
    return e;
  }

  std::string_view text_;
  const std::vector<Token>& tokens_;
  size_t pos_ = 0;
  int depth_ = 1;
  int nodes_ = 0;
  const AggregateHook* hook_ = nullptr;  // ParsePrefix only
  bool in_aggregate_ = false;            // inside an aggregate's argument
};

}  // namespace

namespace {

// Operators that chain left-associatively at one precedence level.
int ChainGroup(const Expr& e) {
  if (e.kind != ExprKind::kBinary) return -1;
  switch (e.binary_op) {
    case BinaryOp::kAnd:
      return 0;
    case BinaryOp::kOr:
      return 1;
    case BinaryOp::kAdd:
    case BinaryOp::kSub:
      return 2;
    case BinaryOp::kMul:
    case BinaryOp::kDiv:
    case BinaryOp::kMod:
      return 3;
    default:
      return -1;
  }
}

// The first node (pre-order) deeper than kMaxDepth, or null.
const Expr* TooDeep(const Expr& e, int level) {
  if (level > kMaxDepth) return &e;
  for (size_t i = 0; i < e.children.size(); ++i) {
    const Expr& child = *e.children[i];
    bool same_chain = i == 0 && ChainGroup(e) >= 0 && ChainGroup(child) == ChainGroup(e);
    if (const Expr* deep = TooDeep(child, same_chain ? level : level + 1)) return deep;
  }
  return nullptr;
}

}  // namespace

bool IsSameChain(const Expr& parent, const Expr& left_child) {
  return ChainGroup(parent) >= 0 && ChainGroup(parent) == ChainGroup(left_child);
}

Result<ExprPtr> Parse(std::string_view text, const std::vector<Token>& tokens) {
  Parser parser(text, tokens);
  PD_ASSIGN_OR_RETURN(ExprPtr root, parser.ParsePredicate());
  if (const Expr* deep = TooDeep(*root, 1)) {
    return Diagnostic(text, deep->op_range,
                      "expression nested too deeply (the limit is 64 levels)");
  }
  return root;
}

Result<ExprPtr> ParseExpressionPrefix(std::string_view text, const std::vector<Token>& tokens,
                                      size_t* pos, const AggregateHook* hook) {
  Parser parser(text, tokens);
  PD_ASSIGN_OR_RETURN(ExprPtr root, parser.ParsePrefix(pos, hook));
  if (const Expr* deep = TooDeep(*root, 1)) {
    return Diagnostic(text, deep->op_range,
                      "expression nested too deeply (the limit is 64 levels)");
  }
  return root;
}

}  // namespace pushdown::bpfgen
