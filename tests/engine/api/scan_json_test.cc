// engine/api/scan_json.h: the plan object of ExplainJson (the stats object
// is tested with the CLI, tests/engine/cli/cli_common_test.cc).
#include "engine/api/scan_json.h"

#include <gtest/gtest.h>

namespace pushdown::engine {
namespace {

TEST(ExplainJsonTest, HasTheKeysInOrderWithBoundsInHexAndTextEscaped) {
  ExplainResult plan;
  plan.info.path = "pushdown";
  plan.info.requested_device = "kernel";
  plan.info.device = "host";
  plan.info.fallback_reason = "no BPF privilege: \"EPERM\"";
  plan.info.io = "direct";
  plan.info.predicate = "(a < 3)";
  plan.info.pushed = {"(a < 3)"};
  plan.info.residual = {{"(b LIKE '%x')", "string op"}};
  plan.info.pushdown_kind = "PARTIAL";
  plan.info.compile_ms = 1.5;
  plan.info.files = 2;
  plan.info.memtable_entries = 7;
  plan.info.has_lower_bound = true;
  plan.info.lower_bound = std::string("\x00\xff", 2);
  plan.info.key_range_conjuncts = {"(a < 3)"};
  plan.info.placement = "auto";
  plan.info.placement_decision = "cost";
  plan.info.cost_estimated = true;
  plan.info.cost_pushdown_ms = 20.25;
  plan.info.cost_iterator_ms = 0.5;
  plan.schema = "a INT64 KEY";
  plan.text = "line 1\nline 2";
  EXPECT_EQ(ExplainJson(plan),
            "{\"path\":\"pushdown\",\"requested_device\":\"kernel\",\"device\":\"host\","
            "\"fallback_reason\":\"no BPF privilege: \\\"EPERM\\\"\",\"io\":\"direct\","
            "\"predicate\":\"(a < 3)\",\"pushed\":[\"(a < 3)\"],"
            "\"residual\":[{\"conjunct\":\"(b LIKE '%x')\",\"reason\":\"string op\"}],"
            "\"pushdown_kind\":\"PARTIAL\",\"program_cached\":false,\"compile_ms\":1.500,"
            "\"files\":2,\"memtable_entries\":7,\"lower_bound_hex\":\"00ff\","
            "\"upper_bound_hex\":null,\"key_range_conjuncts\":[\"(a < 3)\"],\"workers\":1,"
            "\"workers_reason\":\"\","
            "\"schema\":\"a INT64 KEY\",\"text\":\"line 1\\nline 2\",\"program_pinned\":false,"
            "\"program_pin\":\"\",\"pin_note\":\"\",\"host_decode\":false,"
            "\"placement\":\"auto\",\"placement_decision\":\"cost\","
            "\"cost_pushdown_ms\":20.250,\"cost_iterator_ms\":0.500}");
}

}  // namespace
}  // namespace pushdown::engine
