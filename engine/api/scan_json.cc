#include "engine/api/scan_json.h"

#include <cstdio>

#include "util/hex.h"
#include "util/json.h"

namespace pushdown::engine {

namespace {

std::string JsonStringArray(const std::vector<std::string>& items) {
  std::string j = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) j += ',';
    j += JsonString(items[i]);
  }
  return j + "]";
}

std::string JsonResiduals(const std::vector<ScanInfo::Residual>& residual) {
  std::string j = "[";
  for (size_t i = 0; i < residual.size(); ++i) {
    if (i) j += ',';
    j += "{\"conjunct\":" + JsonString(residual[i].conjunct) +
         ",\"reason\":" + JsonString(residual[i].reason) + "}";
  }
  return j + "]";
}

std::string HexOrNull(bool has, const std::string& bytes) {
  if (!has) return "null";
  return "\"" + HexEncode(bytes) + "\"";
}

// A placement estimate in ms, null when none was made.
std::string CostMs(const ScanInfo& info, double ms) {
  if (!info.cost_estimated) return "null";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f", ms);
  return buf;
}

}  // namespace

std::string JsonString(std::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

std::string StatsJson(const ScanInfo& info, const exec::ScanStats& stats, double elapsed_ms) {
  std::string j = "{";
  j += "\"path\":" + JsonString(info.path);
  j += ",\"device\":" + JsonString(info.device);
  j += ",\"fallback_reason\":" + JsonString(info.fallback_reason);
  j += ",\"pushed\":" + JsonStringArray(info.pushed);
  j += ",\"residual\":" + JsonResiduals(info.residual);
  auto num = [&](const char* key, uint64_t v) {
    j += ",\"";
    j += key;
    j += "\":" + std::to_string(v);
  };
  num("files", stats.files);
  num("blocks_read", stats.blocks_read);
  num("blocks_skipped", stats.blocks_skipped);
  // Parts of blocks_skipped, and files never opened (not in `files`).
  num("blocks_skipped_by_range", stats.blocks_skipped_by_range);
  num("blocks_skipped_by_zone_map", stats.blocks_skipped_by_zone_map);
  num("files_skipped", stats.files_skipped);
  num("bytes_read", stats.bytes_read);
  num("bytes_to_host", stats.bytes_to_host);
  num("rows_scanned", stats.entries_scanned);
  num("rows_matched", stats.rows_matched);
  num("memtable_entries", info.memtable_entries_merged);
  num("workers", info.workers);
  num("range_tombstones", stats.range_tombstones);
  num("keys_hidden_by_range_deletion", stats.keys_hidden_by_range_deletion);
  char buf[64];
  std::snprintf(buf, sizeof(buf), ",\"compile_ms\":%.3f,\"elapsed_ms\":%.3f", info.compile_ms,
                elapsed_ms);
  j += buf;
  // Added after the original keys (issue 14).
  num("files_skipped_by_zone_map", stats.files_skipped_by_zone_map);
  j += ",\"workers_reason\":" + JsonString(info.workers_reason);
  // Added after those (issue 13, aggregation on the device).
  num("blocks_aggregated_on_device", stats.blocks_aggregated_on_device);
  num("rows_aggregated_on_device", stats.rows_aggregated_on_device);
  // Per file of the scan (pushdown path): blocks, skipped by key range,
  // skipped by zone map, skipped whole.
  j += ",\"per_file\":[";
  for (size_t i = 0; i < stats.per_file.size(); ++i) {
    const exec::FileScanStats& f = stats.per_file[i];
    if (i) j += ',';
    j += "{\"file\":" + JsonString(f.file) + ",\"level\":" + std::to_string(f.level) +
         ",\"blocks\":" + std::to_string(f.blocks) +
         ",\"skipped_by_range\":" + std::to_string(f.skipped_by_range) +
         ",\"skipped_by_zone_map\":" + std::to_string(f.skipped_by_zone_map) +
         ",\"skipped_whole\":" + (f.skipped_whole ? "true" : "false") +
         ",\"zone_map\":" + JsonString(f.zone_map) + "}";
  }
  j += "]";
  // Added by issue 13 (pinning): see ScanInfo::program_pinned.
  j += std::string(",\"program_cached\":") + (info.program_cached ? "true" : "false");
  j += std::string(",\"program_pinned\":") + (info.program_pinned ? "true" : "false");
  j += ",\"program_pin\":" + JsonString(info.program_pin);
  j += ",\"pin_note\":" + JsonString(info.pin_note);
  // Added by issue 13 item 7: see ScanInfo::host_decode and placement.
  j += std::string(",\"host_decode\":") + (info.host_decode ? "true" : "false");
  j += ",\"placement\":" + JsonString(info.placement);
  j += ",\"placement_decision\":" + JsonString(info.placement_decision);
  j += ",\"cost_pushdown_ms\":" + CostMs(info, info.cost_pushdown_ms);
  j += ",\"cost_iterator_ms\":" + CostMs(info, info.cost_iterator_ms);
  // Added by issue 13 item 4 (SQL aggregates): ScanInfo::aggregation.
  j += ",\"aggregation\":" + JsonString(info.aggregation);
  // Added by issue 13 (every core): a split scan's boundary blocks read by
  // two workers (blocks_read counts each block once).
  num("blocks_read_twice", stats.blocks_read_twice);
  j += "}";
  return j;
}

std::string ExplainJson(const ExplainResult& plan) {
  const ScanInfo& info = plan.info;
  std::string j = "{";
  j += "\"path\":" + JsonString(info.path);
  j += ",\"requested_device\":" + JsonString(info.requested_device);
  j += ",\"device\":" + JsonString(info.device);
  j += ",\"fallback_reason\":" + JsonString(info.fallback_reason);
  j += ",\"io\":" + JsonString(info.io);
  j += ",\"predicate\":" + JsonString(info.predicate);
  j += ",\"pushed\":" + JsonStringArray(info.pushed);
  j += ",\"residual\":" + JsonResiduals(info.residual);
  j += ",\"pushdown_kind\":" + JsonString(info.pushdown_kind);
  j += std::string(",\"program_cached\":") + (info.program_cached ? "true" : "false");
  char buf[64];
  std::snprintf(buf, sizeof(buf), ",\"compile_ms\":%.3f", info.compile_ms);
  j += buf;
  j += ",\"files\":" + std::to_string(info.files);
  j += ",\"memtable_entries\":" + std::to_string(info.memtable_entries);
  j += ",\"lower_bound_hex\":" + HexOrNull(info.has_lower_bound, info.lower_bound);
  j += ",\"upper_bound_hex\":" + HexOrNull(info.has_upper_bound, info.upper_bound);
  j += ",\"key_range_conjuncts\":" + JsonStringArray(info.key_range_conjuncts);
  j += ",\"workers\":" + std::to_string(info.workers);
  j += ",\"workers_reason\":" + JsonString(info.workers_reason);
  j += ",\"schema\":" + JsonString(plan.schema);
  j += ",\"text\":" + JsonString(plan.text);
  // Added by issue 13 (pinning): see ScanInfo::program_pinned.
  j += std::string(",\"program_pinned\":") + (info.program_pinned ? "true" : "false");
  j += ",\"program_pin\":" + JsonString(info.program_pin);
  j += ",\"pin_note\":" + JsonString(info.pin_note);
  // Added by issue 13 item 7: see ScanInfo::host_decode and placement.
  j += std::string(",\"host_decode\":") + (info.host_decode ? "true" : "false");
  j += ",\"placement\":" + JsonString(info.placement);
  j += ",\"placement_decision\":" + JsonString(info.placement_decision);
  j += ",\"cost_pushdown_ms\":" + CostMs(info, info.cost_pushdown_ms);
  j += ",\"cost_iterator_ms\":" + CostMs(info, info.cost_iterator_ms);
  return j + "}";
}

}  // namespace pushdown::engine
