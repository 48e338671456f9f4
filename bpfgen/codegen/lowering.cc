#include "bpfgen/codegen/lowering.h"

namespace pushdown::bpfgen::codegen {

Val Lowering::Unsupported(const std::string& why) {
  if (status_.ok()) status_ = Status::NotSupported(why);
  return Int(I64(0), True());
}

llvm::Value* Lowering::Conjuncts(const std::vector<const Expr*>& conjuncts,
                                 const EntryView& entry) {
  entry_ = &entry;
  if (conjuncts.empty()) return True();
  llvm::BasicBlock* done = llvm::BasicBlock::Create(b_.getContext(), "pred.done",
                                                    b_.GetInsertBlock()->getParent());
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

Val Lowering::Lower(const Expr& e) { return Unsupported("not yet"); }

}  // namespace pushdown::bpfgen::codegen
