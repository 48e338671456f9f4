// Raw-mode and string functions (docs/LANGUAGE.md): length, starts_with,
// substr and the fixed-width readers. A read past the end (off < 0, len < 0,
// off + width > length) is NULL; the load itself always stays in local memory.
#include "bpfgen/codegen/lowering.h"

namespace pushdown::bpfgen::codegen {

Val Lowering::Call(const Expr& e) {
  auto arg = [&](size_t i) -> const Expr& { return *e.children[i]; };
  auto need = [&](size_t n) { return e.children.size() == n; };
  switch (e.function) {
    case Function::kLength: {
      if (!need(1)) return Malformed("length takes 1 argument");
      Val s = Lower(arg(0));
      if (s.kind != Val::Kind::kString) return Malformed("length of a non-string");
      return Int(s.len, s.null);
    }
    case Function::kStartsWith: {
      if (!need(2)) return Malformed("starts_with takes 2 arguments");
      Val s = Lower(arg(0));
      Datum prefix;
      if (!Fold(arg(1), &prefix)) return Unsupported("starts_with needs a literal prefix");
      if (s.kind != Val::Kind::kString) return Malformed("starts_with on a non-string");
      if (prefix.null) return Bool(False(), True());
      if (b_.bpf() && prefix.s.size() > 512) return Unsupported("starts_with prefix too long");
      llvm::Value* ok = b_.CreateAnd(b_.CreateICmpUGE(s.len, I64(prefix.s.size())),
                                     BytesEqualConst(s.v, prefix.s, 0, prefix.s.size(), false));
      return Bool(ok, s.null);
    }
    case Function::kSubstr: {
      if (!need(3)) return Malformed("substr takes 3 arguments");
      Val s = Lower(arg(0));
      Val off = Lower(arg(1));
      Val len = Lower(arg(2));
      if (s.kind != Val::Kind::kString) return Malformed("substr of a non-string");
      llvm::Value* bad =
          b_.CreateOr(b_.CreateICmpSLT(off.v, I64(0)), b_.CreateICmpSLT(len.v, I64(0)));
      // off + len > length, without overflow: off > length - len (length - len may be < 0).
      bad = b_.CreateOr(bad, b_.CreateICmpSGT(off.v, b_.CreateSub(s.len, len.v)));
      llvm::Value* null = b_.CreateOr(b_.CreateOr(s.null, off.null), b_.CreateOr(len.null, bad));
      Val r{Val::Kind::kString, b_.CreateAdd(s.v, b_.CreateSelect(null, I64(0), off.v)),
            b_.CreateSelect(null, I64(0), len.v), null};
      r.max_len = s.max_len;
      if (s.lit) {
        r.v = I64(0);
        r.lit = nullptr;  // a constant substr of a literal was folded by the normaliser
        return Unsupported("substr of a literal");
      }
      return r;
    }
    default:
      break;
  }
  unsigned width = 0;
  bool big = false, sign = false;
  switch (e.function) {
    case Function::kU8:
      width = 1;
      break;
    case Function::kU16Le:
      width = 2;
      break;
    case Function::kU16Be:
      width = 2, big = true;
      break;
    case Function::kU32Le:
      width = 4;
      break;
    case Function::kU32Be:
      width = 4, big = true;
      break;
    case Function::kU64Le:
      width = 8;
      break;
    case Function::kU64Be:
      width = 8, big = true;
      break;
    case Function::kI32Le:
      width = 4, sign = true;
      break;
    case Function::kI32Be:
      width = 4, big = true, sign = true;
      break;
    case Function::kI64Le:
      width = 8, sign = true;
      break;
    case Function::kI64Be:
      width = 8, big = true, sign = true;
      break;
    default:
      return Malformed("unknown function");
  }
  if (!need(2)) return Malformed("byte readers take 2 arguments");
  Val s = Lower(arg(0));
  Val off = Lower(arg(1));
  if (s.kind != Val::Kind::kString || s.lit) return Unsupported("byte read of a non-column string");
  llvm::Value* bad = b_.CreateOr(b_.CreateICmpSLT(off.v, I64(0)),
                                 b_.CreateICmpSGT(off.v, b_.CreateSub(s.len, I64(width))));
  llvm::Value* null = b_.CreateOr(b_.CreateOr(s.null, off.null), bad);
  llvm::Value* at = b_.CreateAdd(s.v, b_.CreateSelect(null, I64(0), off.v));
  llvm::Value* v = big ? b_.LoadBE(at, width, sign) : b_.LoadLE(at, width, sign);
  return Int(v, null);
}

}  // namespace pushdown::bpfgen::codegen
