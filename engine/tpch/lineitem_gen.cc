#include "engine/tpch/lineitem_gen.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>

#include "bpfgen/schema/date.h"

namespace pushdown::engine::tpch {
namespace {

using bpfgen::Datum;

constexpr std::string_view kInstructions[] = {"DELIVER IN PERSON", "COLLECT COD", "NONE",
                                              "TAKE BACK RETURN"};
constexpr std::string_view kModes[] = {"REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"};
// Words of the spec's text grammar (clause 4.2.2.10): nouns, verbs,
// adjectives, adverbs, prepositions, auxiliaries.
constexpr std::string_view kWords[] = {
    "foxes",
    "ideas",
    "theodolites",
    "pinto",
    "beans",
    "instructions",
    "dependencies",
    "excuses",
    "platelets",
    "asymptotes",
    "courts",
    "dolphins",
    "multipliers",
    "sauternes",
    "warthogs",
    "frets",
    "dinos",
    "attainments",
    "somas",
    "packages",
    "requests",
    "accounts",
    "deposits",
    "sleep",
    "wake",
    "are",
    "cajole",
    "haggle",
    "nag",
    "use",
    "boost",
    "affix",
    "detect",
    "integrate",
    "maintain",
    "nod",
    "was",
    "lose",
    "sublate",
    "solve",
    "thrash",
    "promise",
    "engage",
    "hinder",
    "print",
    "x-ray",
    "breach",
    "eat",
    "grow",
    "impress",
    "mold",
    "poach",
    "serve",
    "run",
    "dazzle",
    "snooze",
    "doze",
    "unwind",
    "kindle",
    "play",
    "hang",
    "believe",
    "doubt",
    "furious",
    "sly",
    "careful",
    "blithe",
    "quick",
    "fluffy",
    "slow",
    "quiet",
    "ruthless",
    "thin",
    "close",
    "dogged",
    "daring",
    "brave",
    "stealthy",
    "permanent",
    "enticing",
    "idle",
    "busy",
    "regular",
    "final",
    "ironic",
    "even",
    "bold",
    "silent",
    "sometimes",
    "always",
    "never",
    "furiously",
    "slyly",
    "carefully",
    "blithely",
    "quickly",
    "fluffily",
    "about",
    "above",
    "according to",
    "across",
    "after",
    "against",
    "along",
    "among",
    "around",
    "at",
    "atop",
    "before",
    "behind",
    "beneath",
    "beside",
    "between",
    "beyond",
    "by",
    "despite",
    "during",
    "except",
    "for",
    "from",
    "inside",
    "into",
    "near",
    "of",
    "on",
    "outside",
    "over",
    "past",
    "since",
    "through",
    "toward",
    "under",
    "until",
    "up",
    "upon",
    "without",
    "with",
    "within",
    "do",
    "may",
    "might",
    "shall",
    "will",
    "would",
    "can",
    "could",
    "should",
    "ought to",
    "must",
    "will have to",
    "shall have to",
    "could have to",
    "should have to",
    "must have to",
    "need to",
    "try to",
};
constexpr int kWordCount = sizeof(kWords) / sizeof(kWords[0]);

const int64_t kStartDate = bpfgen::DaysFromCivil(1992, 1, 1);
const int64_t kEndDate = bpfgen::DaysFromCivil(1998, 12, 31);
const int64_t kCurrentDate = bpfgen::DaysFromCivil(1995, 6, 17);

int64_t Scaled(double scale, double per_unit) {
  return std::max<int64_t>(1, std::llround(scale * per_unit));
}

std::string Comment(SplitMix64& rng) {
  const size_t length = static_cast<size_t>(rng.Uniform(10, 43));
  std::string s;
  while (s.size() < length) {
    if (!s.empty()) s += ' ';
    s += kWords[rng.Uniform(0, kWordCount - 1)];
  }
  s.resize(length);
  return s;
}

}  // namespace

int64_t SparseOrderKey(uint64_t order_index) {
  return static_cast<int64_t>(((order_index >> 3) << 5) | (order_index & 7));
}

int64_t RetailPriceCents(int64_t partkey) {
  return 90000 + (partkey / 10) % 20001 + 100 * (partkey % 1000);
}

int64_t SuppKeyOf(int64_t partkey, int j, int64_t suppliers) {
  return (partkey + j * (suppliers / 4 + (partkey - 1) / suppliers)) % suppliers + 1;
}

LineitemGenerator::LineitemGenerator(double scale, uint64_t seed)
    : seed_(seed),
      orders_(static_cast<uint64_t>(Scaled(scale, 1500000))),
      parts_(Scaled(scale, 200000)),
      suppliers_(Scaled(scale, 10000)) {}

void LineitemGenerator::StartOrder() {
  rng_ = SplitMix64(StreamSeed(seed_, next_order_));
  orderkey_ = SparseOrderKey(next_order_);
  orderdate_ = rng_.Uniform(kStartDate, kEndDate - 151);
  lines_ = static_cast<int>(rng_.Uniform(1, 7));
  line_ = 0;
  pending_ = lines_;
  ++next_order_;
}

bool LineitemGenerator::Next(std::vector<Datum>* row) {
  if (pending_ == 0) {
    if (next_order_ > orders_) return false;
    StartOrder();
  }
  --pending_;
  ++line_;
  ++rows_;
  SplitMix64& r = rng_;
  const int64_t partkey = r.Uniform(1, parts_);
  const int64_t suppkey = SuppKeyOf(partkey, static_cast<int>(r.Uniform(0, 3)), suppliers_);
  const int64_t quantity = r.Uniform(1, 50);
  const int64_t discount = r.Uniform(0, 10);
  const int64_t tax = r.Uniform(0, 8);
  const int64_t shipdate = orderdate_ + r.Uniform(1, 121);
  const int64_t commitdate = orderdate_ + r.Uniform(30, 90);
  const int64_t receiptdate = shipdate + r.Uniform(1, 30);
  const bool returned = r.Uniform(0, 1) == 1;
  std::string_view returnflag = receiptdate <= kCurrentDate ? (returned ? "R" : "A") : "N";
  std::string_view linestatus = shipdate > kCurrentDate ? "O" : "F";
  std::string_view instruct = kInstructions[r.Uniform(0, 3)];
  std::string_view mode = kModes[r.Uniform(0, 6)];

  row->resize(kLineitemColumns);
  std::vector<Datum>& v = *row;
  v[kOrderKey] = Datum::Int(orderkey_);
  v[kLineNumber] = Datum::Int(line_);
  v[kPartKey] = Datum::Int(partkey);
  v[kSuppKey] = Datum::Int(suppkey);
  v[kQuantity] = Datum::Int(quantity * 100);
  v[kExtendedPrice] = Datum::Int(quantity * RetailPriceCents(partkey));
  v[kDiscount] = Datum::Int(discount);
  v[kTax] = Datum::Int(tax);
  v[kReturnFlag] = Datum::String(returnflag);
  v[kLineStatus] = Datum::String(linestatus);
  v[kShipDate] = Datum::Int(shipdate);
  v[kCommitDate] = Datum::Int(commitdate);
  v[kReceiptDate] = Datum::Int(receiptdate);
  v[kShipInstruct] = Datum::String(instruct);
  v[kShipMode] = Datum::String(mode);
  v[kComment] = Datum::String(Comment(r));
  return true;
}

}  // namespace pushdown::engine::tpch
