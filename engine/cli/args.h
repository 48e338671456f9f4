// A small command-line flag parser for the pushdown CLI subcommands:
// "--name value" and "--name=value"; "--flag" for booleans. Unknown flags and
// missing values are usage errors (exit status 2).
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
// names). A flag given twice is an error. InvalidArgument on bad usage.
Result<ParsedFlags> ParseFlags(const std::vector<std::string>& args,
                               const std::vector<FlagSpec>& specs);

}  // namespace pushdown::engine
