// A small command-line flag parser for the pushdown CLI subcommands:
// "--name value" and "--name=value" (both spellings for every flag that takes a
// value, as ldb's "--name=value"); "--flag" for booleans. A flag may have
// aliases ("--cf" for "--column_family"): an alias is stored under the
// flag's name. Unknown flags and missing values are usage errors (exit 2).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "util/status.h"

namespace pushdown::engine {

struct FlagSpec {
  std::string name;  // without "--"
  bool takes_value = true;
  std::vector<std::string> aliases = {};  // other spellings, without "--"
};

struct ParsedFlags {
  std::map<std::string, std::string> values;  // flag name -> value ("" for booleans)
  std::vector<std::string> positional;

  bool Has(const std::string& name) const { return values.count(name) != 0; }
  std::string Get(const std::string& name, const std::string& fallback = "") const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second;
  }
};

// Parses args (the subcommand's arguments, without the program and subcommand
// names). A flag given twice (under its name or an alias) is an error. InvalidArgument on bad
// usage.
Result<ParsedFlags> ParseFlags(const std::vector<std::string>& args,
                               const std::vector<FlagSpec>& specs);

}  // namespace pushdown::engine
