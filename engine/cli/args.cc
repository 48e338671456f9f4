#include "engine/cli/args.h"

namespace pushdown::engine {

Result<ParsedFlags> ParseFlags(const std::vector<std::string>& args,
                               const std::vector<FlagSpec>& specs) {
  ParsedFlags out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() < 2 || arg.compare(0, 2, "--") != 0 || arg == "--") {
      out.positional.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::string value;
    bool has_inline_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_inline_value = true;
    }
    const FlagSpec* spec = nullptr;
    for (const FlagSpec& s : specs) {
      if (s.name == name) spec = &s;
      for (const std::string& alias : s.aliases) {
        if (alias == name) spec = &s;
      }
    }
    if (spec == nullptr) return Status::InvalidArgument("unknown flag '--" + name + "'");
    if (out.values.count(spec->name)) {
      return Status::InvalidArgument("flag '--" + spec->name + "' given twice" +
                                     (spec->aliases.empty() ? "" : " (or through an alias)"));
    }
    if (spec->takes_value && !has_inline_value) {
      if (i + 1 >= args.size())
        return Status::InvalidArgument("flag '--" + name + "' needs a value");
      value = args[++i];
    } else if (!spec->takes_value && has_inline_value) {
      return Status::InvalidArgument("flag '--" + name + "' takes no value");
    }
    out.values[spec->name] = value;
  }
  return out;
}

}  // namespace pushdown::engine
