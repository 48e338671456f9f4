#include "bpfgen/codegen/ir_builder.h"

#include <mutex>

#include "llvm/BinaryFormat/Dwarf.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/InlineAsm.h"
#include "llvm/IR/Intrinsics.h"

extern "C" void LLVMInitializeBPFAsmParser();

namespace pushdown::bpfgen::codegen {

inline constexpr char kMemoryVariable[] = "pd_memory";
inline constexpr char kDebugFileName[] = "pd_filter.gen";  // virtual: never opened

IRBuilderPD::IRBuilderPD(llvm::Module* module, Target target, const MemoryPlan& plan)
    : llvm::IRBuilder<>(module->getContext()), module_(module), target_(target), plan_(plan) {
  if (bpf()) {
    // CanLoop's inline `may_goto` is parsed when the object is emitted.
    static std::once_flag asm_parser;
    std::call_once(asm_parser, [] { LLVMInitializeBPFAsmParser(); });
    dib_ = std::make_unique<llvm::DIBuilder>(*module_);
    // A fixed virtual file with embedded (empty) source: the BPF backend's
    // BTF line info reads the source of every DIFile that has none embedded
    // (it used to open ./pd_filter.gen in the working directory, so a FIFO
    // there hung codegen and a file's bytes ended up in the program's BTF).
    file_ = dib_->createFile(kDebugFileName, "", std::nullopt, llvm::StringRef(""));
    cu_ = dib_->createCompileUnit(llvm::dwarf::DW_LANG_C, file_, "rocksdb-pushdown bpfgen", true,
                                  "", 0);
    module_->addModuleFlag(llvm::Module::Warning, "Dwarf Version", 4);
    module_->addModuleFlag(llvm::Module::Warning, "Debug Info Version",
                           llvm::DEBUG_METADATA_VERSION);
  }
}

IRBuilderPD::~IRBuilderPD() = default;

llvm::DIType* IRBuilderPD::DiType(char kind) {
  switch (kind) {
    case 'p':
      return dib_->createPointerType(nullptr, 64);
    case 'u':
      return dib_->createBasicType("unsigned long long", 64, llvm::dwarf::DW_ATE_unsigned);
    case 'l':
      return dib_->createBasicType("long", 64, llvm::dwarf::DW_ATE_signed);
    default:
      return dib_->createBasicType("int", 32, llvm::dwarf::DW_ATE_signed);
  }
}

llvm::Function* IRBuilderPD::CreateFunction(const std::string& name, llvm::FunctionType* type,
                                            bool internal, const std::string& section,
                                            const std::string& arg_kinds, char ret_kind) {
  auto* fn = llvm::Function::Create(
      type, internal ? llvm::Function::InternalLinkage : llvm::Function::ExternalLinkage, name,
      module_);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  fn->addFnAttr("no-builtins");  // no memcpy/memset idioms: the BPF backend cannot lower them
  if (!section.empty()) fn->setSection(section);
  if (bpf()) {
    std::vector<llvm::Metadata*> types;
    types.push_back(DiType(ret_kind));
    for (char k : arg_kinds) types.push_back(DiType(k));
    auto* sub_type = dib_->createSubroutineType(dib_->getOrCreateTypeArray(types));
    unsigned line = next_line_++;
    auto* sp = dib_->createFunction(
        file_, name, name, file_, line, sub_type, line, llvm::DINode::FlagPrototyped,
        llvm::DISubprogram::SPFlagDefinition |
            (internal ? llvm::DISubprogram::SPFlagLocalToUnit : llvm::DISubprogram::SPFlagZero));
    fn->setSubprogram(sp);
    unsigned arg_no = 1;
    for (size_t i = 0; i < arg_kinds.size(); ++i) {
      dib_->createParameterVariable(sp, "arg" + std::to_string(i), arg_no++, file_, line,
                                    DiType(arg_kinds[i]), /*AlwaysPreserve=*/true);
    }
  }
  return fn;
}

void IRBuilderPD::EnterFunction(llvm::Function* fn, llvm::BasicBlock* bb) {
  SetInsertPoint(bb);
  if (bpf() && fn->getSubprogram()) {
    SetCurrentDebugLocation(llvm::DILocation::get(getContext(), fn->getSubprogram()->getLine(), 0,
                                                  fn->getSubprogram()));
  }
}

llvm::GlobalVariable* IRBuilderPD::MemoryGlobal() {
  if (memory_global_) return memory_global_;
  auto* arr = llvm::ArrayType::get(getInt8Ty(), plan_.layout.mem_size);
  memory_global_ =
      new llvm::GlobalVariable(*module_, arr, false, llvm::GlobalValue::ExternalLinkage,
                               llvm::ConstantAggregateZero::get(arr), kMemoryVariable);
  memory_global_->setSection(".bss");
  memory_global_->setAlignment(llvm::Align(8));
  if (bpf()) {
    auto* u8 = dib_->createBasicType("unsigned char", 8, llvm::dwarf::DW_ATE_unsigned_char);
    auto* range = dib_->getOrCreateSubrange(0, static_cast<int64_t>(plan_.layout.mem_size));
    auto* at = dib_->createArrayType(uint64_t{plan_.layout.mem_size} * 8, 8, u8,
                                     dib_->getOrCreateArray({range}));
    auto* gve = dib_->createGlobalVariableExpression(cu_, kMemoryVariable, kMemoryVariable, file_,
                                                     1, at, false);
    memory_global_->addDebugInfo(gve);
  }
  return memory_global_;
}

void IRBuilderPD::EmitLicense() {
  auto* init = llvm::ConstantDataArray::getString(getContext(), "GPL", true);
  auto* gv = new llvm::GlobalVariable(*module_, init->getType(), true,
                                      llvm::GlobalValue::ExternalLinkage, init, "_license");
  gv->setSection("license");
}

llvm::Value* IRBuilderPD::Addr(llvm::Value* off) {
  if (off->getType() != getInt64Ty()) off = CreateZExt(off, getInt64Ty());
  llvm::Value* masked = CreateAnd(off, I64(plan_.mask));
  return CreateGEP(getInt8Ty(), mem_, masked);
}

llvm::Value* IRBuilderPD::AddrConst(uint64_t off) {
  return CreateConstGEP1_64(getInt8Ty(), mem_, off);
}

llvm::Align IRBuilderPD::DataAlign(unsigned bytes) const {
  // BPF: the verifier does not enforce alignment of map-value accesses where
  // the CPU handles unaligned ones (x86-64, arm64), and the JIT emits plain
  // moves; declaring natural alignment keeps the backend from splitting every
  // access into byte loads. Native: x86 unaligned loads are free anyway.
  return llvm::Align(bpf() ? bytes : 1);
}

llvm::Value* IRBuilderPD::LoadLE(llvm::Value* off, unsigned bytes, bool sign) {
  auto* ty = getIntNTy(bytes * 8);
  llvm::Value* v = CreateAlignedLoad(ty, Addr(off), DataAlign(bytes));
  if (bytes == 8) return v;
  return sign ? CreateSExt(v, getInt64Ty()) : CreateZExt(v, getInt64Ty());
}

llvm::Value* IRBuilderPD::LoadBE(llvm::Value* off, unsigned bytes, bool sign) {
  auto* ty = getIntNTy(bytes * 8);
  llvm::Value* v = CreateAlignedLoad(ty, Addr(off), DataAlign(bytes));
  if (bytes > 1) v = CreateUnaryIntrinsic(llvm::Intrinsic::bswap, v);
  if (bytes == 8) return v;
  return sign ? CreateSExt(v, getInt64Ty()) : CreateZExt(v, getInt64Ty());
}

void IRBuilderPD::StoreLE(llvm::Value* off, llvm::Value* v, unsigned bytes) {
  CreateAlignedStore(CreateTrunc(v, getIntNTy(bytes * 8)), Addr(off), DataAlign(bytes));
}

llvm::Value* IRBuilderPD::LoadLEInBounds(llvm::Value* off, unsigned bytes) {
  if (bpf()) return LoadLE(off, bytes);
  auto* ty = getIntNTy(bytes * 8);
  llvm::Value* v = CreateAlignedLoad(ty, CreateGEP(getInt8Ty(), mem_, off), DataAlign(bytes));
  return bytes == 8 ? v : CreateZExt(v, getInt64Ty());
}

void IRBuilderPD::StoreLEInBounds(llvm::Value* off, llvm::Value* v, unsigned bytes) {
  if (bpf()) return StoreLE(off, v, bytes);
  CreateAlignedStore(CreateTrunc(v, getIntNTy(bytes * 8)), CreateGEP(getInt8Ty(), mem_, off),
                     DataAlign(bytes));
}

llvm::Value* IRBuilderPD::Window(llvm::Value* off) { return Addr(off); }

llvm::Value* IRBuilderPD::WindowInBounds(llvm::Value* off) {
  if (bpf()) return Addr(off);
  if (off->getType() != getInt64Ty()) off = CreateZExt(off, getInt64Ty());
  return CreateGEP(getInt8Ty(), mem_, off);
}

llvm::Value* IRBuilderPD::LoadWindow(llvm::Value* window, uint32_t c, unsigned bytes, bool sign) {
  auto* ty = getIntNTy(bytes * 8);
  if (uint64_t{c} + bytes > kMemoryPad && status_.ok()) {
    status_ = Status::Internal("window access at +" + std::to_string(c) + " past the padding");
  }
  llvm::Value* v =
      CreateAlignedLoad(ty, CreateConstGEP1_64(getInt8Ty(), window, c), DataAlign(bytes));
  if (bytes == 8) return v;
  return sign ? CreateSExt(v, getInt64Ty()) : CreateZExt(v, getInt64Ty());
}

void IRBuilderPD::StoreWindow(llvm::Value* window, uint32_t c, llvm::Value* v, unsigned bytes) {
  if (uint64_t{c} + bytes > kMemoryPad && status_.ok()) {
    status_ = Status::Internal("window access at +" + std::to_string(c) + " past the padding");
  }
  CreateAlignedStore(CreateTrunc(v, getIntNTy(bytes * 8)),
                     CreateConstGEP1_64(getInt8Ty(), window, c), DataAlign(bytes));
}

llvm::Value* IRBuilderPD::LoadLEInBoundsAt(llvm::Value* base, uint32_t c, unsigned bytes,
                                           bool sign) {
  uint32_t start = c / kWindowStride * kWindowStride;
  llvm::Value* off = start == 0 ? base : CreateAdd(base, I64(start));
  return LoadWindow(WindowInBounds(off), c - start, bytes, sign);
}

llvm::Value* IRBuilderPD::LoadAt(uint64_t off, unsigned bytes) {
  llvm::Value* v = CreateAlignedLoad(getIntNTy(bytes * 8), AddrConst(off), llvm::Align(bytes));
  return bytes == 8 ? v : CreateZExt(v, getInt64Ty());
}

void IRBuilderPD::StoreAt(uint64_t off, llvm::Value* v, unsigned bytes) {
  CreateAlignedStore(CreateTrunc(v, getIntNTy(bytes * 8)), AddrConst(off), llvm::Align(bytes));
}

llvm::Value* IRBuilderPD::LoadField(llvm::Value* base, uint64_t field, unsigned bytes) {
  llvm::Value* p = CreateConstGEP1_64(getInt8Ty(), Addr(base), field);
  llvm::Value* v = CreateAlignedLoad(getIntNTy(bytes * 8), p, llvm::Align(bytes));
  return bytes == 8 ? v : CreateZExt(v, getInt64Ty());
}

void IRBuilderPD::StoreField(llvm::Value* base, uint64_t field, llvm::Value* v, unsigned bytes) {
  llvm::Value* p = CreateConstGEP1_64(getInt8Ty(), Addr(base), field);
  CreateAlignedStore(CreateTrunc(v, getIntNTy(bytes * 8)), p, llvm::Align(bytes));
}

llvm::Value* IRBuilderPD::LoadState(StateSlot s) {
  auto* load = CreateAlignedLoad(getInt64Ty(), AddrConst(plan_.StateAt(s)), llvm::Align(8));
  load->setVolatile(bpf());
  return load;
}

void IRBuilderPD::StoreState(StateSlot s, llvm::Value* v) {
  auto* store = CreateAlignedStore(v, AddrConst(plan_.StateAt(s)), llvm::Align(8));
  store->setVolatile(bpf());
}

llvm::Value* IRBuilderPD::LoadStateVolatile(StateSlot s) {
  auto* load = CreateAlignedLoad(getInt64Ty(), AddrConst(plan_.StateAt(s)), llvm::Align(8));
  load->setVolatile(true);
  return load;
}

void IRBuilderPD::StoreStateVolatile(StateSlot s, llvm::Value* v) {
  auto* store = CreateAlignedStore(v, AddrConst(plan_.StateAt(s)), llvm::Align(8));
  store->setVolatile(true);
}

std::vector<llvm::Value*> IRBuilderPD::Checkpoint(const std::vector<llvm::Value*>& values) {
  if (values.size() > kNumCheckpointSlots) {
    if (status_.ok()) {
      status_ = Status::Internal("Checkpoint of " + std::to_string(values.size()) +
                                 " values, only " + std::to_string(kNumCheckpointSlots) + " slots");
    }
    return values;
  }
  if (!bpf()) return values;
  std::vector<llvm::Value*> out;
  for (size_t i = 0; i < values.size(); ++i) {
    StoreState(static_cast<StateSlot>(kStCheckpoint0 + i), CreateZExt(values[i], getInt64Ty()));
  }
  for (size_t i = 0; i < values.size(); ++i) {
    llvm::Value* v = LoadState(static_cast<StateSlot>(kStCheckpoint0 + i));
    if (values[i]->getType() != getInt64Ty()) v = CreateTrunc(v, values[i]->getType());
    out.push_back(v);
  }
  return out;
}

llvm::Value* IRBuilderPD::CallBpfLoop(llvm::Value* nr_loops, llvm::Function* callback) {
  auto* ptr = getPtrTy();
  auto* fty = llvm::FunctionType::get(getInt64Ty(), {getInt32Ty(), ptr, ptr, getInt64Ty()}, false);
  auto* helper = CreateIntToPtr(I64(181), ptr);  // BPF_FUNC_loop
  return CreateCall(fty, helper, {nr_loops, callback, llvm::ConstantPointerNull::get(ptr), I64(0)});
}

void IRBuilderPD::CanLoop(llvm::BasicBlock* brk) {
  if (!bpf()) return;
  llvm::BasicBlock* cont = NewBlock("can_loop");
  auto* fty = llvm::FunctionType::get(getVoidTy(), false);
  auto* may_goto = llvm::InlineAsm::get(fty, "may_goto ${0:l}", "!i", /*hasSideEffects=*/true);
  CreateCallBr(fty, may_goto, cont, {brk}, {});
  SetInsertPoint(cont);
}

llvm::BasicBlock* IRBuilderPD::NewBlock(const std::string& name) {
  return llvm::BasicBlock::Create(getContext(), name, GetInsertBlock()->getParent());
}

void IRBuilderPD::BoundedLoop(uint64_t max_iters,
                              const std::function<void(llvm::Value*, llvm::BasicBlock*)>& body) {
  llvm::BasicBlock* pre = GetInsertBlock();
  llvm::BasicBlock* head = NewBlock("loop");
  llvm::BasicBlock* exit = NewBlock("loop.exit");
  llvm::BasicBlock* b = NewBlock("loop.body");
  CreateBr(head);
  SetInsertPoint(head);
  llvm::PHINode* i = CreatePHI(getInt64Ty(), 2);
  i->addIncoming(I64(0), pre);
  CreateCondBr(CreateICmpULT(i, I64(max_iters)), b, exit);
  SetInsertPoint(b);
  body(i, exit);
  if (!GetInsertBlock()->getTerminator()) {
    llvm::Value* next = CreateAdd(i, I64(1));
    i->addIncoming(next, GetInsertBlock());
    CreateBr(head);
  }
  SetInsertPoint(exit);
}

void IRBuilderPD::Finalize() {
  if (dib_) dib_->finalize();
}

}  // namespace pushdown::bpfgen::codegen
