// A minimal program that honours bpfgen/codegen/program_abi.h for kernel-device
// tests that must not depend on the code generator: it reports every staged
// block as OK with no output and counts its bytes into ctx->entries.
// Built with -DPD_REJECT it does an unbounded store the verifier rejects.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct run_context {
  __u32 num_blocks, blocks_done, out_count, key_bytes;
  __u64 entries, matched;
};
struct block_desc {
  __u32 offset, size, flags, status, out_begin, out_end, entries, error_offset;
};

#define MAX_BLOCKS 16
#define MEM_SIZE 65536
unsigned char pd_test_memory[MEM_SIZE] __attribute__((aligned(64)));

SEC("syscall")
int pd_count_blocks(struct run_context *ctx) {
  __u32 n = ctx->num_blocks;
  __u64 bytes = 0;
  for (__u32 i = 0; i < MAX_BLOCKS; i++) {
    if (i >= n) break;
    struct block_desc *d = (struct block_desc *)&pd_test_memory[i * sizeof(struct block_desc)];
    d->status = 0;
    d->out_begin = 0;
    d->out_end = 0;
    d->entries = 1;
    bytes += d->size;
  }
#ifdef PD_REJECT
  // Unbounded variable offset into map memory: the verifier must reject this.
  pd_test_memory[ctx->num_blocks * 4096] = 1;
#endif
  ctx->blocks_done = n;
  ctx->out_count = 0;
  ctx->key_bytes = 0;
  ctx->entries = bytes;
  ctx->matched = 0;
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
