// Strings: (offset in local memory, length) pairs. Comparisons are memcmp
// order with a proper prefix first; CHAR values were trimmed when loaded
// (TrimChar), so every operation sees them without trailing spaces. Loops are
// bounded by a constant (the string's maximum length) for the verifier.
// LIKE: the pattern is split at '%'; the first and last segments are anchored
// and the middle ones are found leftmost-first (greedy is exact for this
// pattern class); '_' matches any one byte.
#include <string_view>

#include "bpfgen/codegen/lowering.h"
#include "bpfgen/schema/scalar.h"

namespace pushdown::bpfgen::codegen {
namespace {
constexpr size_t kMaxUnrolledLiteral = 512;     // BPF: literal bytes compared inline
constexpr uint64_t kPositionsPerCallback = 32;  // BPF: string positions per bpf_loop callback
// Native: a LIKE with more '%' segments or pattern bytes than this calls
// pd_like_match (below) instead of being unrolled: unrolled code costs
// compile time superlinear in the segments (a search loop per segment; 400
// segments took 4.8 s), the call costs a constant.
constexpr size_t kMaxInlineLikeSegments = 8;
constexpr size_t kMaxInlineLikeBytes = 128;
}  // namespace

extern "C" uint64_t pd_like_match(const uint8_t* s, uint64_t len, const uint8_t* pattern,
                                  uint64_t pattern_len) {
  return LikeMatch(std::string_view(reinterpret_cast<const char*>(s), len),
                   std::string_view(reinterpret_cast<const char*>(pattern), pattern_len))
             ? 1
             : 0;
}

Val Lowering::LikeByCall(const Val& s, const std::string& pat) {
  if (s.lit) return Bool(LikeMatch(*s.lit, pat) ? True() : False(), s.null);
  llvm::Module* m = b_.module();
  auto* init = llvm::ConstantDataArray::getString(b_.getContext(), pat, /*AddNull=*/false);
  auto* gv = new llvm::GlobalVariable(*m, init->getType(), /*isConstant=*/true,
                                      llvm::GlobalValue::PrivateLinkage, init, "pd_like_pattern");
  auto* i64 = b_.getInt64Ty();
  auto* ptr = b_.getPtrTy();
  llvm::FunctionCallee fn = m->getOrInsertFunction(
      kLikeMatchSymbol, llvm::FunctionType::get(i64, {ptr, i64, ptr, i64}, false));
  // The string stays inside local memory: the (masked) offset as Addr()
  // computes it and at most the bytes up to the end of local memory.
  llvm::Value* off = b_.CreateAnd(s.v, I64(b_.plan().mask));
  llvm::Value* avail = b_.CreateSub(I64(b_.plan().layout.mem_size), off);
  llvm::Value* len = b_.CreateSelect(b_.CreateICmpULT(s.len, avail), s.len, avail);
  llvm::Value* r =
      b_.CreateCall(fn, {b_.Addr(s.v), len, gv, I64(static_cast<uint64_t>(pat.size()))});
  return Bool(b_.CreateICmpNE(r, I64(0)), s.null);
}

llvm::Value* Lowering::BytesEqualConst(llvm::Value* off, const std::string& lit, size_t from,
                                       size_t n, bool like) {
  // Whole 8-byte words first (one load and compare each, wildcards masked
  // out), then single bytes: few branches for the verifier's jump history.
  llvm::Value* eq = True();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t value = 0, mask = 0;
    for (size_t k = 0; k < 8; ++k) {
      const unsigned char c = static_cast<unsigned char>(lit[from + i + k]);
      if (like && c == '_') continue;
      value |= uint64_t{c} << (8 * k);
      mask |= uint64_t{0xff} << (8 * k);
    }
    if (mask == 0) continue;
    llvm::Value* word = b_.LoadLE(b_.CreateAdd(off, I64(i)), 8);
    if (mask != ~uint64_t{0}) word = b_.CreateAnd(word, I64(mask));
    eq = b_.CreateAnd(eq, b_.CreateICmpEQ(word, I64(value)));
  }
  for (; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(lit[from + i]);
    if (like && c == '_') continue;
    llvm::Value* byte = b_.LoadLE(b_.CreateAdd(off, I64(i)), 1);
    eq = b_.CreateAnd(eq, b_.CreateICmpEQ(byte, I64(c)));
  }
  return eq;
}

llvm::Value* Lowering::StringCompareConst(const Val& a, const std::string& lit) {
  if (b_.bpf() && lit.size() > kMaxUnrolledLiteral) {
    Unsupported("string literal longer than " + std::to_string(kMaxUnrolledLiteral) +
                " bytes in a BPF comparison");
    return I64(0);
  }
  llvm::BasicBlock* done = b_.NewBlock("strcmp.done");
  std::vector<std::pair<llvm::Value*, llvm::BasicBlock*>> in;
  for (size_t i = 0; i < lit.size(); ++i) {
    llvm::BasicBlock* has = b_.NewBlock("strcmp.byte");
    in.push_back({I64(static_cast<uint64_t>(-1)), b_.GetInsertBlock()});
    b_.CreateCondBr(b_.CreateICmpULE(a.len, I64(i)), done, has);
    b_.SetInsertPoint(has);
    const unsigned char c = static_cast<unsigned char>(lit[i]);
    llvm::Value* byte = b_.LoadLE(b_.CreateAdd(a.v, I64(i)), 1);
    llvm::BasicBlock* same = b_.NewBlock("strcmp.same");
    in.push_back(
        {b_.CreateSelect(b_.CreateICmpULT(byte, I64(c)), I64(static_cast<uint64_t>(-1)), I64(1)),
         b_.GetInsertBlock()});
    b_.CreateCondBr(b_.CreateICmpNE(byte, I64(c)), done, same);
    b_.SetInsertPoint(same);
  }
  in.push_back({b_.CreateZExt(b_.CreateICmpUGT(a.len, I64(lit.size())), b_.getInt64Ty()),
                b_.GetInsertBlock()});
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  llvm::PHINode* phi = b_.CreatePHI(b_.getInt64Ty(), in.size());
  for (auto& [v, bb] : in) phi->addIncoming(v, bb);
  return phi;
}

llvm::Value* Lowering::StringCompare(const Val& a, const Val& b) {
  if (a.lit && b.lit) {
    int c = a.lit->compare(*b.lit);  // std::string::compare is memcmp order, prefix first
    return I64(c < 0 ? static_cast<uint64_t>(-1) : c > 0 ? 1 : 0);
  }
  if (b.lit) return StringCompareConst(a, *b.lit);
  if (a.lit) return b_.CreateNeg(StringCompareConst(b, *a.lit));
  const uint64_t bound = std::min(a.max_len, b.max_len) + 1;
  // ~4 jumps per position: past StringBound()/8 positions the verifier's
  // jump history (8192 per path) needs the loop in a callback.
  if (b_.bpf() && bound > StringBound() / 8) return CompareWithBpfLoop(a, b, bound);
  llvm::Value* res = Alloca();
  b_.CreateStore(I64(0), res);
  b_.BoundedLoop(bound, [&](llvm::Value* i, llvm::BasicBlock* exit) {
    llvm::Value* a_end = b_.CreateICmpUGE(i, a.len);
    llvm::Value* b_end = b_.CreateICmpUGE(i, b.len);
    llvm::BasicBlock* ends = b_.NewBlock("strcmp.end");
    llvm::BasicBlock* bytes = b_.NewBlock("strcmp.bytes");
    b_.CreateCondBr(b_.CreateOr(a_end, b_end), ends, bytes);
    b_.SetInsertPoint(ends);
    b_.CreateStore(b_.CreateSelect(b_.CreateAnd(a_end, b_end), I64(0),
                                   b_.CreateSelect(a_end, I64(static_cast<uint64_t>(-1)), I64(1))),
                   res);
    b_.CreateBr(exit);
    b_.SetInsertPoint(bytes);
    llvm::Value* ca = b_.LoadLE(b_.CreateAdd(a.v, i), 1);
    llvm::Value* cb = b_.LoadLE(b_.CreateAdd(b.v, i), 1);
    llvm::BasicBlock* diff = b_.NewBlock("strcmp.diff");
    llvm::BasicBlock* same = b_.NewBlock("strcmp.same");
    b_.CreateCondBr(b_.CreateICmpNE(ca, cb), diff, same);
    b_.SetInsertPoint(diff);
    b_.CreateStore(
        b_.CreateSelect(b_.CreateICmpULT(ca, cb), I64(static_cast<uint64_t>(-1)), I64(1)), res);
    b_.CreateBr(exit);
    b_.SetInsertPoint(same);
  });
  llvm::Value* r = b_.CreateLoad(b_.getInt64Ty(), res);
  Release(res);
  return r;
}

std::pair<llvm::Value*, llvm::Value*> Lowering::SearchWithBpfLoop(
    llvm::Value* sv, llvm::Value* start, llvm::Value* limit, const std::string& pat, size_t from,
    size_t n, uint64_t bound) {
  b_.StoreState(kStLoop0, sv);
  b_.StoreState(kStLoop1, start);
  b_.StoreState(kStLoop2, limit);
  b_.StoreState(kStLoop3, I64(0));
  b_.StoreState(kStLoop4, start);
  auto* i64 = b_.getInt64Ty();
  llvm::Function* cb = b_.CreateFunction("pd_search_" + std::to_string(callbacks_++),
                                         llvm::FunctionType::get(i64, {i64, b_.getPtrTy()}, false),
                                         true, ".text", "up", 'l');
  {
    llvm::IRBuilderBase::InsertPointGuard guard(b_);
    b_.EnterFunction(cb, llvm::BasicBlock::Create(b_.getContext(), "entry", cb));
    llvm::Value* base = b_.CreateAdd(b_.LoadState(kStLoop1),
                                     b_.CreateMul(cb->getArg(0), I64(kPositionsPerCallback)));
    b_.BoundedLoop(kPositionsPerCallback, [&](llvm::Value* k, llvm::BasicBlock*) {
      llvm::Value* q = b_.CreateAdd(base, k);
      llvm::BasicBlock* stop = b_.NewBlock("stop");
      llvm::BasicBlock* try_bb = b_.NewBlock("try");
      llvm::BasicBlock* hit = b_.NewBlock("hit");
      llvm::BasicBlock* miss = b_.NewBlock("miss");
      b_.CreateCondBr(b_.CreateICmpSGT(b_.CreateAdd(q, I64(n)), b_.LoadState(kStLoop2)), stop,
                      try_bb);
      b_.SetInsertPoint(stop);
      b_.CreateRet(I64(1));
      b_.SetInsertPoint(try_bb);
      b_.CreateCondBr(BytesEqualConst(b_.CreateAdd(b_.LoadState(kStLoop0), q), pat, from, n, true),
                      hit, miss);
      b_.SetInsertPoint(hit);
      b_.StoreState(kStLoop3, I64(1));
      b_.StoreState(kStLoop4, b_.CreateAdd(q, I64(n)));
      b_.CreateRet(I64(1));
      b_.SetInsertPoint(miss);
    });
    b_.CreateRet(I64(0));
  }
  b_.CallBpfLoop(b_.getInt32(static_cast<uint32_t>(
                     std::min<uint64_t>(bound / kPositionsPerCallback + 1, 1u << 23))),
                 cb);
  return {b_.CreateICmpNE(b_.LoadState(kStLoop3), I64(0)), b_.LoadState(kStLoop4)};
}

llvm::Value* Lowering::CompareWithBpfLoop(const Val& a, const Val& b, uint64_t bound) {
  b_.StoreState(kStLoop0, a.v);
  b_.StoreState(kStLoop1, b.v);
  b_.StoreState(kStLoop2, a.len);
  b_.StoreState(kStLoop3, b.len);
  b_.StoreState(kStLoop4, I64(0));
  auto* i64 = b_.getInt64Ty();
  llvm::Function* cb = b_.CreateFunction("pd_compare_" + std::to_string(callbacks_++),
                                         llvm::FunctionType::get(i64, {i64, b_.getPtrTy()}, false),
                                         true, ".text", "up", 'l');
  {
    llvm::IRBuilderBase::InsertPointGuard guard(b_);
    b_.EnterFunction(cb, llvm::BasicBlock::Create(b_.getContext(), "entry", cb));
    llvm::Value* base = b_.CreateMul(cb->getArg(0), I64(kPositionsPerCallback));
    b_.BoundedLoop(kPositionsPerCallback, [&](llvm::Value* k, llvm::BasicBlock*) {
      llvm::Value* i = b_.CreateAdd(base, k);
      llvm::Value* a_end = b_.CreateICmpUGE(i, b_.LoadState(kStLoop2));
      llvm::Value* b_end = b_.CreateICmpUGE(i, b_.LoadState(kStLoop3));
      llvm::BasicBlock* ends = b_.NewBlock("ends");
      llvm::BasicBlock* bytes = b_.NewBlock("bytes");
      b_.CreateCondBr(b_.CreateOr(a_end, b_end), ends, bytes);
      b_.SetInsertPoint(ends);
      b_.StoreState(kStLoop4, b_.CreateSelect(
                                  b_.CreateAnd(a_end, b_end), I64(0),
                                  b_.CreateSelect(a_end, I64(static_cast<uint64_t>(-1)), I64(1))));
      b_.CreateRet(I64(1));
      b_.SetInsertPoint(bytes);
      llvm::Value* ca = b_.LoadLE(b_.CreateAdd(b_.LoadState(kStLoop0), i), 1);
      llvm::Value* cb_byte = b_.LoadLE(b_.CreateAdd(b_.LoadState(kStLoop1), i), 1);
      llvm::BasicBlock* diff = b_.NewBlock("diff");
      llvm::BasicBlock* same = b_.NewBlock("same");
      b_.CreateCondBr(b_.CreateICmpNE(ca, cb_byte), diff, same);
      b_.SetInsertPoint(diff);
      b_.StoreState(kStLoop4, b_.CreateSelect(b_.CreateICmpULT(ca, cb_byte),
                                              I64(static_cast<uint64_t>(-1)), I64(1)));
      b_.CreateRet(I64(1));
      b_.SetInsertPoint(same);
    });
    b_.CreateRet(I64(0));
  }
  b_.CallBpfLoop(b_.getInt32(static_cast<uint32_t>(
                     std::min<uint64_t>(bound / kPositionsPerCallback + 1, 1u << 23))),
                 cb);
  return b_.LoadState(kStLoop4);
}

Val Lowering::TrimChar(const Val& s) {
  const uint64_t n = s.max_len;
  if (n == 0) return s;
  llvm::Value* len = Alloca();
  b_.CreateStore(s.len, len);
  b_.BoundedLoop(n, [&](llvm::Value*, llvm::BasicBlock* exit) {
    llvm::Value* l = b_.CreateLoad(b_.getInt64Ty(), len);
    llvm::BasicBlock* check = b_.NewBlock("trim.check");
    llvm::BasicBlock* drop = b_.NewBlock("trim.drop");
    b_.CreateCondBr(b_.CreateICmpEQ(l, I64(0)), exit, check);
    b_.SetInsertPoint(check);
    llvm::Value* c = b_.LoadLE(b_.CreateAdd(s.v, b_.CreateSub(l, I64(1))), 1);
    b_.CreateCondBr(b_.CreateICmpNE(c, I64(' ')), exit, drop);
    b_.SetInsertPoint(drop);
    b_.CreateStore(b_.CreateSub(l, I64(1)), len);
  });
  Val r = s;
  r.len = b_.CreateLoad(b_.getInt64Ty(), len);
  Release(len);
  return r;
}

Val Lowering::Like(const Expr& e) {
  if (e.children.size() != 2) return Malformed("malformed LIKE");
  Datum pd;
  // The parser takes a string literal pattern only (and folding keeps it one).
  if (!Fold(*e.children[1], &pd) || !e.children[1]->type.IsString()) {
    return Malformed("LIKE pattern is not a string literal");
  }
  Val s = Lower(*e.children[0]);
  if (s.kind != Val::Kind::kString) return Malformed("LIKE on a non-string");
  if (pd.null) return Bool(False(), True());
  const std::string pat = pd.s;
  if (b_.bpf() && pat.size() > options_.max_like_pattern) {
    return Unsupported("LIKE pattern longer than " + std::to_string(options_.max_like_pattern) +
                       " bytes");
  }
  std::vector<std::pair<size_t, size_t>> segs;  // [begin, size) in pat
  size_t begin = 0;
  for (size_t i = 0; i <= pat.size(); ++i) {
    if (i == pat.size() || pat[i] == '%') {
      segs.push_back({begin, i - begin});
      begin = i + 1;
    }
  }
  if (!b_.bpf() && (segs.size() > kMaxInlineLikeSegments || pat.size() > kMaxInlineLikeBytes)) {
    Val r = LikeByCall(s, pat);
    return e.negated ? Not(r) : r;
  }
  llvm::Value* ok;
  if (segs.size() == 1) {
    ok = b_.CreateAnd(b_.CreateICmpEQ(s.len, I64(pat.size())),
                      BytesEqualConst(s.v, pat, 0, pat.size(), true));
  } else {
    const auto first = segs.front();
    const auto last = segs.back();
    llvm::Value* len = s.len;
    ok = b_.CreateICmpUGE(len, I64(first.second + last.second));
    ok = b_.CreateAnd(ok, BytesEqualConst(s.v, pat, first.first, first.second, true));
    llvm::Value* last_at = b_.CreateSub(len, I64(last.second));
    ok = b_.CreateAnd(
        ok, BytesEqualConst(b_.CreateAdd(s.v, last_at), pat, last.first, last.second, true));
    llvm::Value* limit = last_at;  // signed: may be negative when ok is false
    llvm::Value* pos = Alloca();
    b_.CreateStore(I64(first.second), pos);
    for (size_t k = 1; k + 1 < segs.size(); ++k) {
      const auto m = segs[k];
      if (m.second == 0) continue;
      const uint64_t bound = s.max_len + 1;
      // Jumps per inline search position: the segment's words and bytes + 3.
      const uint64_t jumps = m.second / 8 + m.second % 8 + 3;
      if (b_.bpf() && bound * jumps > StringBound()) {
        auto [hit, next] = SearchWithBpfLoop(s.v, b_.CreateLoad(b_.getInt64Ty(), pos), limit, pat,
                                             m.first, m.second, bound);
        ok = b_.CreateAnd(ok, hit);
        auto v = b_.Checkpoint({ok, next, s.v, limit});
        ok = v[0];
        b_.CreateStore(v[1], pos);
        s.v = v[2];
        limit = v[3];
        continue;
      }
      llvm::Value* found = Alloca();
      b_.CreateStore(I64(0), found);
      llvm::Value* start = b_.CreateLoad(b_.getInt64Ty(), pos);
      b_.BoundedLoop(bound, [&](llvm::Value* i, llvm::BasicBlock* exit) {
        llvm::Value* q = b_.CreateAdd(start, i);
        llvm::BasicBlock* try_bb = b_.NewBlock("like.try");
        llvm::BasicBlock* hit = b_.NewBlock("like.hit");
        llvm::BasicBlock* miss = b_.NewBlock("like.miss");
        b_.CreateCondBr(b_.CreateICmpSGT(b_.CreateAdd(q, I64(m.second)), limit), exit, try_bb);
        b_.SetInsertPoint(try_bb);
        b_.CreateCondBr(BytesEqualConst(b_.CreateAdd(s.v, q), pat, m.first, m.second, true), hit,
                        miss);
        b_.SetInsertPoint(hit);
        b_.CreateStore(I64(1), found);
        b_.CreateStore(b_.CreateAdd(q, I64(m.second)), pos);
        b_.CreateBr(exit);
        b_.SetInsertPoint(miss);
      });
      ok = b_.CreateAnd(ok, b_.CreateICmpNE(b_.CreateLoad(b_.getInt64Ty(), found), I64(0)));
      Release(found);
      // Each exit of the search loop reaches here with other constants: let
      // the verifier's states converge before the next segment.
      auto v = b_.Checkpoint({ok, b_.CreateLoad(b_.getInt64Ty(), pos), s.v, limit});
      ok = v[0];
      b_.CreateStore(v[1], pos);
      s.v = v[2];
      limit = v[3];
    }
    Release(pos);
  }
  Val r = Bool(ok, s.null);
  return e.negated ? Not(r) : r;
}

}  // namespace pushdown::bpfgen::codegen
