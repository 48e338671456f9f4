#include "bpfgen/codegen/lowering.h"

#include "bpfgen/schema/scalar.h"

namespace pushdown::bpfgen::codegen {

Val Lowering::Unsupported(const std::string& why) {
  if (status_.ok()) status_ = Status::NotSupported(why);
  return Int(I64(0), True());
}

Val Lowering::Malformed(const std::string& why) {
  if (status_.ok() || status_.IsNotSupported()) {
    status_ = Status::Internal("malformed expression reached lowering: " + why);
  }
  return Int(I64(0), True());
}

Val Lowering::Bool(llvm::Value* i1, llvm::Value* null) {
  return Int(b_.CreateZExt(i1, b_.getInt64Ty()), null);
}

Val Lowering::NullOf(const Type& t) {
  if (t.IsString()) {
    Val v{Val::Kind::kString, I64(0), I64(0), True()};
    return v;
  }
  if (t.id == TypeId::kDouble) return {Val::Kind::kDouble, DoubleConst(0).v, nullptr, True()};
  return Int(I64(0), True());
}

uint64_t Lowering::StringBound() const { return 4096; }

llvm::Value* Lowering::Alloca() {
  llvm::Function* fn = b_.GetInsertBlock()->getParent();
  std::vector<llvm::Value*>& free = free_slots_[fn];
  if (!free.empty()) {
    llvm::Value* slot = free.back();
    free.pop_back();
    return slot;
  }
  llvm::IRBuilder<> entry(&fn->getEntryBlock(), fn->getEntryBlock().begin());
  return entry.CreateAlloca(b_.getInt64Ty());
}

void Lowering::Release(llvm::Value* slot) {
  auto* alloca = llvm::cast<llvm::AllocaInst>(slot);
  free_slots_[alloca->getFunction()].push_back(slot);
}

llvm::Value* Lowering::Conjuncts(const std::vector<const Expr*>& conjuncts,
                                 const EntryView& entry) {
  entry_ = &entry;
  if (conjuncts.empty()) return True();
  llvm::BasicBlock* done =
      llvm::BasicBlock::Create(b_.getContext(), "pred.done", b_.GetInsertBlock()->getParent());
  std::vector<std::pair<llvm::Value*, llvm::BasicBlock*>> incoming;
  for (size_t i = 0; i < conjuncts.size(); ++i) {
    Val v = Lower(*conjuncts[i]);
    llvm::Value* is_true = b_.CreateAnd(b_.CreateNot(v.null), b_.CreateICmpNE(v.v, I64(0)));
    if (i + 1 == conjuncts.size()) {
      incoming.push_back({is_true, b_.GetInsertBlock()});
      b_.CreateBr(done);
    } else {
      llvm::BasicBlock* next = b_.NewBlock("pred.next");
      incoming.push_back({False(), b_.GetInsertBlock()});
      b_.CreateCondBr(is_true, next, done);
      b_.SetInsertPoint(next);
    }
  }
  b_.SetInsertPoint(done);
  llvm::PHINode* phi = b_.CreatePHI(b_.getInt1Ty(), incoming.size());
  for (auto& [v, bb] : incoming) phi->addIncoming(v, bb);
  return phi;
}

bool Lowering::Fold(const Expr& e, Datum* out) const {
  if (e.kind == ExprKind::kLiteral) {
    if (e.literal_null || e.type.id == TypeId::kNull) {
      *out = Datum::Null();
    } else if (e.type.id == TypeId::kDouble) {
      *out = Datum::Double(e.literal_double);
    } else if (e.type.IsString()) {
      *out = Datum::String(e.literal_string);
    } else {
      *out = Datum::Int(e.literal_int);
    }
    return true;
  }
  if (e.kind == ExprKind::kCast && e.children.size() == 1) {
    Datum in;
    if (!Fold(*e.children[0], &in)) return false;
    *out = bpfgen::Cast(in, e.children[0]->type, e.type);
    return true;
  }
  return false;
}

Val Lowering::FromDatum(const Datum& d, const Type& t) {
  if (d.null) return NullOf(t);
  if (t.id == TypeId::kDouble) return DoubleConst(d.d);
  if (t.IsString()) {
    // The constant string lives in the Expr tree or here; keep a stable copy.
    strings_.push_back(std::make_unique<std::string>(StringView(d, t)));
    Val v{Val::Kind::kString, I64(0), I64(strings_.back()->size()), False()};
    v.lit = strings_.back().get();
    v.max_len = strings_.back()->size();
    return v;
  }
  return Int(I64(static_cast<uint64_t>(d.i)), False());
}

Val Lowering::Literal(const Expr& e) {
  Datum d;
  Fold(e, &d);
  return FromDatum(d, e.type);
}

Val Lowering::Column(const Expr& e) {
  const EntryView& en = *entry_;
  if (schema_.raw) {
    Val v{Val::Kind::kString, nullptr, nullptr, False()};
    if (e.column == 0) {
      v.v = en.key_off, v.len = en.key_len, v.max_len = options_.max_key_size;
    } else if (e.column == 1) {
      v.v = en.value_off, v.len = en.value_len, v.max_len = options_.max_block_size;
    } else {
      return Malformed("raw mode has only columns key and value");
    }
    return v;
  }
  if (e.column < 0 || e.column >= static_cast<int>(schema_.columns.size())) {
    return Malformed("column index out of range");
  }
  const bpfgen::Column& col = schema_.columns[e.column];
  const ColumnLayout& c = row_->columns[e.column];
  llvm::Value* vp = en.value_off;
  // A load at vp + off of the row's fixed part (null bitmap, fixed fields,
  // var table: all below min_value_size): after the walker's row check
  // through a window (one mask for nearby fields on BPF, none on the host).
  auto row_load = [&](uint32_t off, unsigned bytes, bool sign = false) {
    if (en.row_checked && uint64_t{off} + bytes <= row_->min_value_size) {
      return b_.LoadLEInBoundsAt(vp, off, bytes, sign);
    }
    return b_.LoadLE(b_.CreateAdd(vp, I64(off)), bytes, sign);
  };
  llvm::Value* null = False();
  if (col.nullable) {
    llvm::Value* bits = row_load(c.null_byte, 1);
    null = b_.CreateICmpNE(b_.CreateAnd(bits, I64(c.null_mask)), I64(0));
  }
  llvm::Value* at = b_.CreateAdd(vp, I64(c.offset));
  switch (col.type.id) {
    case TypeId::kBool:
      return Bool(b_.CreateICmpNE(row_load(c.offset, 1), I64(0)), null);
    case TypeId::kInt32:
    case TypeId::kDate:
      return Int(row_load(c.offset, 4, true), null);
    case TypeId::kInt64:
    case TypeId::kDecimal:
      return Int(row_load(c.offset, 8), null);
    case TypeId::kDouble: {
      llvm::Value* bits = row_load(c.offset, 8);
      if (!b_.bpf()) bits = b_.CreateBitCast(bits, b_.getDoubleTy());
      return {Val::Kind::kDouble, bits, nullptr, null};
    }
    case TypeId::kChar: {
      Val v{Val::Kind::kString, at, I64(col.type.length), null};
      v.max_len = col.type.length;
      return TrimChar(v);
    }
    case TypeId::kVarchar: {
      llvm::Value* end = row_load(c.offset, 4);
      llvm::Value* start = c.var_index == 0 ? static_cast<llvm::Value*>(I64(row_->var_data_offset))
                                            : row_load(c.offset - 4, 4);
      Val v{Val::Kind::kString, b_.CreateAdd(vp, start), b_.CreateSub(end, start), null};
      v.max_len = col.type.length ? col.type.length : options_.max_block_size;
      return v;
    }
    default:
      return Unsupported("column type " + col.type.ToString() + " cannot be read");
  }
}

namespace {
// Nodes in a subtree above which BPF lowering spills (see lowering.h). Small
// predicates (Q6's conjuncts) stay entirely in registers.
constexpr int kSpillThreshold = 16;
constexpr uint32_t kSlotsPerValue = 3;  // value, length, NULL flag
}  // namespace

int Lowering::Size(const Expr& e) {
  auto it = sizes_.find(&e);
  if (it != sizes_.end()) return it->second;
  int n = 1;
  for (const auto& c : e.children) n += Size(*c);
  sizes_[&e] = n;
  return n;
}

bool Lowering::WantSpill(const Expr& e) {
  return Size(e) > kSpillThreshold && spill_top_ + kSlotsPerValue <= kNumSpillSlots;
}

void Lowering::SpillStore(const Val& v, uint32_t at) {
  auto slot = [&](uint32_t k) { return static_cast<StateSlot>(kStSpill0 + at + k); };
  if (!v.lit && !llvm::isa<llvm::Constant>(v.v)) b_.StoreStateVolatile(slot(0), v.v);
  if (v.len != nullptr && !v.lit && !llvm::isa<llvm::Constant>(v.len)) {
    b_.StoreStateVolatile(slot(1), v.len);
  }
  if (!llvm::isa<llvm::Constant>(v.null)) {
    b_.StoreStateVolatile(slot(2), b_.CreateZExt(v.null, b_.getInt64Ty()));
  }
}

Val Lowering::SpillLoad(const Val& v, uint32_t at) {
  auto slot = [&](uint32_t k) { return static_cast<StateSlot>(kStSpill0 + at + k); };
  Val r = v;
  if (!v.lit && !llvm::isa<llvm::Constant>(v.v)) r.v = b_.LoadStateVolatile(slot(0));
  if (v.len != nullptr && !v.lit && !llvm::isa<llvm::Constant>(v.len)) {
    r.len = b_.LoadStateVolatile(slot(1));
  }
  if (!llvm::isa<llvm::Constant>(v.null)) {
    r.null = b_.CreateICmpNE(b_.LoadStateVolatile(slot(2)), I64(0));
  }
  return r;
}

std::pair<Val, Val> Lowering::LowerPair(const Expr& left, const Expr& right) {
  Val a = Lower(left);
  if (!b_.bpf() || !WantSpill(right)) {
    Val b = Lower(right);
    return {a, b};
  }
  const uint32_t at = spill_top_;
  spill_top_ += kSlotsPerValue;
  SpillStore(a, at);
  Val b = Lower(right);
  spill_top_ -= kSlotsPerValue;
  return {SpillLoad(a, at), b};
}

Val Lowering::Settle(const Val& v, const Expr& e) {
  if (!status_.ok() || !WantSpill(e)) return v;
  SpillStore(v, spill_top_);
  return SpillLoad(v, spill_top_);
}

Val Lowering::Lower(const Expr& e) {
  if (!status_.ok()) return Int(I64(0), True());
  Val v = LowerNode(e);
  // Booleans are not settled: a chain of ORed comparisons that feeds a branch
  // becomes a chain of branches in the backend (no live values); stored to
  // memory, every comparison would be materialised at once (a 256-element IN
  // list then needed 2 KB of stack).
  // AND/OR nodes are settled: each settles one value (a wide OR of
  // arithmetic comparisons otherwise kept every operand's value and NULL flag
  // live to the end of the chain).
  const bool connective = e.kind == ExprKind::kBinary &&
                          (e.binary_op == BinaryOp::kAnd || e.binary_op == BinaryOp::kOr);
  if (e.kind == ExprKind::kLiteral || e.kind == ExprKind::kColumn ||
      (e.type.id == TypeId::kBool && !connective)) {
    return v;
  }
  return Settle(v, e);
}

Val Lowering::LowerNode(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kLiteral:
      return Literal(e);
    case ExprKind::kColumn:
      return Column(e);
    case ExprKind::kCast:
      return Cast(e);
    case ExprKind::kUnary:
      if (e.children.size() != 1) return Malformed("malformed unary expression");
      if (e.unary_op == UnaryOp::kNot) return Not(Lower(*e.children[0]));
      return Negate(Lower(*e.children[0]), e.children[0]->type);
    case ExprKind::kBinary: {
      if (e.children.size() != 2) return Malformed("malformed binary expression");
      switch (e.binary_op) {
        case BinaryOp::kAnd: {
          auto [a, b] = LowerPair(*e.children[0], *e.children[1]);
          return And(a, b);
        }
        case BinaryOp::kOr: {
          auto [a, b] = LowerPair(*e.children[0], *e.children[1]);
          return Or(a, b);
        }
        case BinaryOp::kEq:
        case BinaryOp::kNe:
        case BinaryOp::kLt:
        case BinaryOp::kLe:
        case BinaryOp::kGt:
        case BinaryOp::kGe: {
          auto [a, b] = LowerPair(*e.children[0], *e.children[1]);
          return Compare(e.binary_op, a, b, e.children[0]->type, e.children[1]->type);
        }
        default:
          return Arith(e);
      }
    }
    case ExprKind::kBetween:
      return Between(e);
    case ExprKind::kIn:
      return In(e);
    case ExprKind::kLike:
      return Like(e);
    case ExprKind::kIsNull: {
      if (e.children.size() != 1) return Malformed("malformed IS NULL");
      Val a = Lower(*e.children[0]);
      return Bool(e.negated ? b_.CreateNot(a.null) : a.null, False());
    }
    case ExprKind::kCall:
      return Call(e);
  }
  return Malformed("unknown expression kind");
}

}  // namespace pushdown::bpfgen::codegen
