// Runs the cases of predicates.txt (format documented at its top).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bpfgen/lang/predicate.h"
#include "bpfgen/schema/schema.h"
#include "bpfgen/schema/tpch.h"

namespace pushdown::bpfgen {
namespace {

struct Case {
  int line = 0;
  std::string schema_spec;
  bool ok = false;
  std::string text;
  std::string expected;
};

std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      char n = s[i + 1];
      if (n == 'n' || n == 't' || n == '\\') {
        out += n == 'n' ? '\n' : n == 't' ? '\t' : '\\';
        ++i;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::vector<Case> LoadCases() {
  std::ifstream in(PD_SOURCE_DIR "/tests/bpfgen/lang/predicates.txt");
  EXPECT_TRUE(in.good()) << "cannot open predicates.txt";
  std::vector<Case> cases;
  std::string line, schema = "raw";
  int number = 0;
  Case* pending = nullptr;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("schema ", 0) == 0) {
      schema = line.substr(7);
    } else if (line.rfind("ok ", 0) == 0 || line.rfind("err ", 0) == 0) {
      EXPECT_EQ(pending, nullptr) << "line " << number << ": previous case has no '=>' line";
      Case c;
      c.line = number;
      c.schema_spec = schema;
      c.ok = line[0] == 'o';
      c.text = Unescape(line.substr(c.ok ? 3 : 4));
      cases.push_back(c);
      pending = &cases.back();
    } else if (line.rfind("=> ", 0) == 0) {
      EXPECT_NE(pending, nullptr) << "line " << number << ": '=>' without a case";
      if (pending != nullptr) pending->expected = line.substr(3);
      pending = nullptr;
    } else {
      ADD_FAILURE() << "predicates.txt line " << number << ": cannot parse: " << line;
    }
  }
  EXPECT_EQ(pending, nullptr) << "last case has no '=>' line";
  return cases;
}

Schema SchemaFor(const std::string& spec) {
  Result<Schema> s = ParseSchema(spec == "lineitem" ? std::string(kLineitemDdl) : spec);
  EXPECT_TRUE(s.ok()) << spec << ": " << s.status().ToString();
  return s.ok() ? *s : Schema::Raw();
}

// Checks that the caret line puts '^' under "line:column" (ASCII lines).
void CheckCaret(const std::string& text, const std::string& diagnostic, int case_line) {
  std::istringstream in(diagnostic);
  std::string first, source, caret;
  std::getline(in, first);
  std::getline(in, source);
  std::getline(in, caret);
  int line = 0, column = 0;
  ASSERT_EQ(std::sscanf(first.c_str(), "%d:%d:", &line, &column), 2) << first;
  // The source line shown is that line of the text.
  std::istringstream lines(text);
  std::string l;
  for (int i = 0; i < line; ++i) std::getline(lines, l);
  EXPECT_EQ(source, l) << "case at line " << case_line;
  size_t caret_pos = caret.find('^');
  ASSERT_NE(caret_pos, std::string::npos) << diagnostic;
  EXPECT_EQ(static_cast<int>(caret_pos) + 1, column) << "case at line " << case_line << ":\n"
                                                     << diagnostic;
  EXPECT_EQ(caret.find_first_not_of(" \t"), caret_pos) << diagnostic;
}

TEST(PredicatesFile, HasEnoughCases) {
  std::vector<Case> cases = LoadCases();
  int good = 0, bad = 0;
  for (const Case& c : cases) (c.ok ? good : bad)++;
  EXPECT_GE(good, 60);
  EXPECT_GE(bad, 60);
}

TEST(PredicatesFile, GoodPredicatesCompileToExpectedCanonicalForm) {
  for (const Case& c : LoadCases()) {
    if (!c.ok) continue;
    SCOPED_TRACE("predicates.txt line " + std::to_string(c.line) + ": " + c.text);
    Schema schema = SchemaFor(c.schema_spec);
    Result<Predicate> p = CompilePredicate(c.text, schema);
    ASSERT_TRUE(p.ok()) << p.status().message();
    std::string canonical = ToString(*p, schema);
    EXPECT_EQ(canonical, c.expected);
    EXPECT_EQ(p->text, c.text);
    // Round trip: the canonical form is a fixed point.
    Result<Predicate> again = CompilePredicate(canonical, schema);
    ASSERT_TRUE(again.ok()) << again.status().message();
    EXPECT_EQ(ToString(*again, schema), canonical);
    EXPECT_EQ(ToString(p->Clone(), schema), canonical);
    // Normalised: no conjunct is an AND; every conjunct is BOOL.
    for (const ExprPtr& conjunct : p->conjuncts) {
      EXPECT_FALSE(conjunct->kind == ExprKind::kBinary && conjunct->binary_op == BinaryOp::kAnd);
      EXPECT_EQ(conjunct->type, Type::Bool());
    }
  }
}

TEST(PredicatesFile, BadPredicatesGiveExpectedDiagnostic) {
  for (const Case& c : LoadCases()) {
    if (c.ok) continue;
    SCOPED_TRACE("predicates.txt line " + std::to_string(c.line) + ": " + c.text);
    Schema schema = SchemaFor(c.schema_spec);
    Result<Predicate> p = CompilePredicate(c.text, schema);
    ASSERT_FALSE(p.ok()) << "compiled to " << ToString(*p, schema);
    EXPECT_TRUE(p.status().IsInvalidArgument());
    std::string msg = p.status().message();
    EXPECT_EQ(msg.substr(0, msg.find('\n')), c.expected);
    EXPECT_EQ(std::count(msg.begin(), msg.end(), '\n'), 2) << msg;
    CheckCaret(c.text, msg, c.line);
  }
}

}  // namespace
}  // namespace pushdown::bpfgen
