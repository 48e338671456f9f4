#include "bpfgen/schema/schema.h"

#include <cctype>
#include <cstdint>
#include <string>

#include "util/source_diagnostic.h"

namespace pushdown::bpfgen {

namespace {

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

// Keywords of the predicate language (docs/LANGUAGE.md): a column with such a
// name could never be referenced.
constexpr std::string_view kReservedWords[] = {"and", "or",   "not",  "is",    "null", "between",
                                               "in",  "like", "true", "false", "date"};

enum class Tok { kIdent, kNumber, kLParen, kRParen, kComma, kEnd, kBad };

struct Token {
  Tok kind = Tok::kEnd;
  std::string_view text;
  size_t pos = 0;
};

// A tiny tokenizer over the DDL; positions are byte offsets for diagnostics.
class DdlParser {
 public:
  explicit DdlParser(std::string_view ddl) : ddl_(ddl) { Advance(); }

  Result<Schema> Parse() {
    Schema schema;
    if (tok_.kind == Tok::kIdent && EqualsIgnoreCase(tok_.text, "raw")) {
      Token raw = tok_;
      Advance();
      if (tok_.kind == Tok::kEnd) return Schema::Raw();
      tok_ = raw;
      pos_ = raw.pos;
      Advance();
    }
    while (true) {
      PD_RETURN_IF_ERROR(ParseColumn(&schema));
      if (tok_.kind == Tok::kComma) {
        Advance();
        continue;
      }
      if (tok_.kind == Tok::kEnd) break;
      return Error(tok_, "expected ',' or end of schema, got " + Describe(tok_));
    }
    if (schema.key_columns.empty()) {
      return Error(Token{Tok::kEnd, {}, 0}, "schema has no KEY column");
    }
    return schema;
  }

 private:
  Status ParseColumn(Schema* schema) {
    if (tok_.kind != Tok::kIdent) {
      return Error(tok_, "expected a column name, got " + Describe(tok_));
    }
    Column column;
    Token name = tok_;
    column.name = std::string(name.text);
    for (std::string_view reserved : kReservedWords) {
      if (EqualsIgnoreCase(column.name, reserved)) {
        return Error(
            name, "column name '" + column.name + "' is a reserved word of the predicate language");
      }
    }
    if (schema->FindColumn(column.name) >= 0) {
      return Error(name, "duplicate column '" + column.name + "'");
    }
    if (static_cast<int>(schema->columns.size()) >= kMaxColumns) {
      return Error(name, "too many columns (limit " + std::to_string(kMaxColumns) + ")");
    }
    Advance();
    PD_RETURN_IF_ERROR(ParseType(&column.type));
    bool saw_key = false, saw_not_null = false;
    while (tok_.kind == Tok::kIdent) {
      Token kw = tok_;
      if (EqualsIgnoreCase(kw.text, "key")) {
        if (saw_key) return Error(kw, "duplicate KEY");
        saw_key = true;
        Advance();
      } else if (EqualsIgnoreCase(kw.text, "not")) {
        Advance();
        if (tok_.kind != Tok::kIdent || !EqualsIgnoreCase(tok_.text, "null")) {
          return Error(tok_, "expected NULL after NOT, got " + Describe(tok_));
        }
        if (saw_not_null) return Error(kw, "duplicate NOT NULL");
        saw_not_null = true;
        Advance();
      } else {
        return Error(kw, "unexpected '" + std::string(kw.text) + "' (expected KEY, NOT NULL, ',')");
      }
    }
    column.nullable = !(saw_key || saw_not_null);
    if (saw_key) {
      column.key_position = static_cast<int>(schema->key_columns.size());
      schema->key_columns.push_back(static_cast<int>(schema->columns.size()));
    }
    schema->columns.push_back(std::move(column));
    return Status::OK();
  }

  Status ParseType(Type* type) {
    if (tok_.kind != Tok::kIdent) return Error(tok_, "expected a type, got " + Describe(tok_));
    Token name = tok_;
    Advance();
    std::string_view t = name.text;
    if (EqualsIgnoreCase(t, "bool")) {
      *type = Type::Bool();
    } else if (EqualsIgnoreCase(t, "int32")) {
      *type = Type::Int32();
    } else if (EqualsIgnoreCase(t, "int64")) {
      *type = Type::Int64();
    } else if (EqualsIgnoreCase(t, "date")) {
      *type = Type::Date();
    } else if (EqualsIgnoreCase(t, "double")) {
      *type = Type::Double();
    } else if (EqualsIgnoreCase(t, "decimal")) {
      PD_RETURN_IF_ERROR(Expect(Tok::kLParen, "'('"));
      Token ptok = tok_;
      uint64_t p, s;
      PD_RETURN_IF_ERROR(ParseNumber(&p));
      PD_RETURN_IF_ERROR(Expect(Tok::kComma, "','"));
      Token stok = tok_;
      PD_RETURN_IF_ERROR(ParseNumber(&s));
      PD_RETURN_IF_ERROR(Expect(Tok::kRParen, "')'"));
      if (p < 1 || p > 18) return Error(ptok, "DECIMAL precision must be in 1..18");
      if (s > p) return Error(stok, "DECIMAL scale must be in 0..precision");
      *type = Type::Decimal(static_cast<int>(p), static_cast<int>(s));
    } else if (EqualsIgnoreCase(t, "char") || EqualsIgnoreCase(t, "varchar")) {
      PD_RETURN_IF_ERROR(Expect(Tok::kLParen, "'('"));
      Token ntok = tok_;
      uint64_t n;
      PD_RETURN_IF_ERROR(ParseNumber(&n));
      PD_RETURN_IF_ERROR(Expect(Tok::kRParen, "')'"));
      if (n < 1 || n > kMaxStringLength) {
        return Error(ntok, "string length must be in 1.." + std::to_string(kMaxStringLength));
      }
      *type = EqualsIgnoreCase(t, "char") ? Type::Char(static_cast<uint32_t>(n))
                                          : Type::Varchar(static_cast<uint32_t>(n));
    } else {
      return Error(name, "unknown type '" + std::string(t) + "'");
    }
    return Status::OK();
  }

  Status ParseNumber(uint64_t* out) {
    if (tok_.kind != Tok::kNumber) return Error(tok_, "expected a number, got " + Describe(tok_));
    if (tok_.text.size() > 9) return Error(tok_, "number too large");
    uint64_t v = 0;
    for (char c : tok_.text) v = v * 10 + static_cast<uint64_t>(c - '0');
    *out = v;
    Advance();
    return Status::OK();
  }

  Status Expect(Tok kind, const char* what) {
    if (tok_.kind != kind)
      return Error(tok_, std::string("expected ") + what + ", got " + Describe(tok_));
    Advance();
    return Status::OK();
  }

  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case Tok::kEnd:
        return "end of schema";
      case Tok::kBad:
        return "unexpected character '" + std::string(t.text) + "'";
      default:
        return "'" + std::string(t.text) + "'";
    }
  }

  // "line:col: message", the DDL line and a caret under token t (the
  // predicates' renderer, util/source_diagnostic.h).
  Status Error(const Token& t, const std::string& message) const {
    return Status::InvalidArgument(
        FormatSourceDiagnostic(ddl_, t.pos, t.pos + t.text.size(), message));
  }

  void Advance() {
    while (pos_ < ddl_.size() && std::isspace(static_cast<unsigned char>(ddl_[pos_]))) ++pos_;
    tok_.pos = pos_;
    if (pos_ >= ddl_.size()) {
      tok_.kind = Tok::kEnd;
      tok_.text = {};
      return;
    }
    const size_t start = pos_;
    const unsigned char c = static_cast<unsigned char>(ddl_[pos_]);
    if (std::isalpha(c) || c == '_') {
      while (pos_ < ddl_.size() &&
             (std::isalnum(static_cast<unsigned char>(ddl_[pos_])) || ddl_[pos_] == '_')) {
        ++pos_;
      }
      tok_.kind = Tok::kIdent;
    } else if (std::isdigit(c)) {
      while (pos_ < ddl_.size() && std::isdigit(static_cast<unsigned char>(ddl_[pos_]))) ++pos_;
      tok_.kind = Tok::kNumber;
    } else {
      ++pos_;
      tok_.kind = c == '('   ? Tok::kLParen
                  : c == ')' ? Tok::kRParen
                  : c == ',' ? Tok::kComma
                             : Tok::kBad;
    }
    tok_.text = ddl_.substr(start, pos_ - start);
  }

  std::string_view ddl_;
  size_t pos_ = 0;
  Token tok_;
};

}  // namespace

Schema Schema::Raw() {
  Schema s;
  s.raw = true;
  s.columns.push_back(Column{"key", Type::Bytes(), false, 0});
  s.columns.push_back(Column{"value", Type::Bytes(), false, -1});
  s.key_columns = {0};
  return s;
}

int Schema::FindColumn(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (EqualsIgnoreCase(columns[i].name, name)) return static_cast<int>(i);
  }
  return -1;
}

std::string Schema::ToDdl() const {
  if (raw) return "RAW";
  std::string out;
  for (const Column& c : columns) {
    if (!out.empty()) out += ", ";
    out += c.name;
    out += ' ';
    out += c.type.ToString();
    if (c.key_position >= 0) {
      out += " KEY";
    } else if (!c.nullable) {
      out += " NOT NULL";
    }
  }
  return out;
}

Result<Schema> ParseSchema(std::string_view ddl) { return DdlParser(ddl).Parse(); }

}  // namespace pushdown::bpfgen
