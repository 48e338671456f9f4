// The JSON forms of a scan's plan and statistics: the one writer behind the
// CLI's `--stats` line and the C API's stats / explain strings (pushdown/c.h).
// The keys are a shared interface: fields may be added, never renamed or
// removed.
#pragma once

#include <string>
#include <string_view>

#include "engine/api/scan_options.h"
#include "pushdown/scan/scan_stats.h"

namespace pushdown::engine {

// `s` as a JSON string literal, always valid JSON (invalid UTF-8 bytes become
// \ufffd; util/json.h).
std::string JsonString(std::string_view s);

// One JSON object (one line) with exactly the keys path, device,
// fallback_reason, pushed, residual, files, blocks_read, blocks_skipped,
// blocks_skipped_by_range, blocks_skipped_by_zone_map, files_skipped,
// bytes_read, bytes_to_host, rows_scanned, rows_matched, memtable_entries,
// workers, range_tombstones, keys_hidden_by_range_deletion, compile_ms,
// elapsed_ms, files_skipped_by_zone_map, blocks_aggregated_on_device,
// rows_aggregated_on_device, per_file (an array of
// {file, level, blocks, skipped_by_range, skipped_by_zone_map, skipped_whole,
// zone_map}, one per SST file of the scan; empty on the iterator path),
// program_cached, program_pinned, program_pin, pin_note, host_decode,
// placement, placement_decision, cost_pushdown_ms, cost_iterator_ms (null
// when no estimate was made), aggregation (ScanInfo), blocks_read_twice.
std::string StatsJson(const ScanInfo& info, const exec::ScanStats& stats, double elapsed_ms);

// One JSON object (one line) for a plan: path, requested_device, device,
// fallback_reason, io, predicate, pushed, residual ([{conjunct, reason}]),
// pushdown_kind, program_cached, compile_ms, files, memtable_entries,
// lower_bound_hex, upper_bound_hex (lowercase hex; null when that side is
// unbounded), key_range_conjuncts, schema, text, program_pinned, program_pin,
// pin_note (added by issue 13), host_decode, placement, placement_decision,
// cost_pushdown_ms, cost_iterator_ms (issue 13 item 7; ScanInfo).
std::string ExplainJson(const ExplainResult& plan);

}  // namespace pushdown::engine
