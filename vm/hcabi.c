/*
 * hcabi.c — the hypercall structures in their wire form (little-endian,
 * fixed offsets; see include/mvm_hypercall.h), whatever the host.
 */
#include "vm/vm_int.h"

#include <string.h>

#include "host/host.h"

/* The exit record is made and read once per exit of a trusted VM: as
 * words (the caller's buffer is one), so that a RISC-V build loads and
 * stores them whole instead of byte by byte. */
void hc_put_exit(uint64_t o[MVM_HC_EXIT_SIZE / 8], const struct mvm_exit *ex)
{
    o[0] = HOST_LE64((uint64_t)(uint32_t)ex->reason | (uint64_t)(uint32_t)ex->status << 32);
    o[1] = HOST_LE64((uint64_t)(uint32_t)ex->signal | (uint64_t)ex->cause << 32);
    o[2] = HOST_LE64(ex->addr);
    o[3] = HOST_LE64(ex->pc);
    o[4] = HOST_LE64(ex->instructions);
}

void hc_get_exit(const uint64_t in[MVM_HC_EXIT_SIZE / 8], struct mvm_exit *ex)
{
    uint64_t w0 = HOST_LE64(in[0]), w1 = HOST_LE64(in[1]);
    *ex = (struct mvm_exit){
        .reason = (int)(uint32_t)w0,
        .status = (int)(uint32_t)(w0 >> 32),
        .signal = (int)(uint32_t)w1,
        .cause = (uint32_t)(w1 >> 32),
        .addr = HOST_LE64(in[2]),
        .pc = HOST_LE64(in[3]),
        .instructions = HOST_LE64(in[4]),
    };
}

void hc_put_regs(uint8_t o[MVM_HC_REGS_SIZE], const struct mvm_regs *r)
{
    memset(o, 0, MVM_HC_REGS_SIZE);
    st64(o, r->pc);
    for (int i = 0; i < 32; i++) {
        st64(o + 8 + 8 * i, r->x[i]);
        st64(o + 264 + 8 * i, r->f[i]);
    }
    st32(o + 520, r->fcsr);
}

void hc_get_regs(const uint8_t in[MVM_HC_REGS_SIZE], struct mvm_regs *r)
{
    r->pc = ld64(in);
    for (int i = 0; i < 32; i++) {
        r->x[i] = ld64(in + 8 + 8 * i);
        r->f[i] = ld64(in + 264 + 8 * i);
    }
    r->fcsr = ld32(in + 520);
}

void hc_put_stats(uint8_t o[MVM_HC_STATS_SIZE], const struct mvm_stats *st)
{
    const uint64_t v[12] = { st->instructions, st->syscalls, st->blocks_decoded, st->blocks_compiled,
                             st->code_flushes, st->tlb_misses, st->resident_bytes, st->peak_bytes,
                             st->zero_fills, st->cow_copies, st->shared_bytes, st->children_instructions };
    for (int i = 0; i < 12; i++)
        st64(o + 8 * i, v[i]);
}

void hc_get_stats(const uint8_t in[MVM_HC_STATS_SIZE], struct mvm_stats *st)
{
    uint64_t *v[12] = { &st->instructions, &st->syscalls, &st->blocks_decoded, &st->blocks_compiled,
                        &st->code_flushes, &st->tlb_misses, &st->resident_bytes, &st->peak_bytes,
                        &st->zero_fills, &st->cow_copies, &st->shared_bytes, &st->children_instructions };
    for (int i = 0; i < 12; i++)
        *v[i] = ld64(in + 8 * i);
}

void hc_put_config(uint8_t o[MVM_HC_CONFIG_SIZE], const struct mvm_config *c)
{
    memset(o, 0, MVM_HC_CONFIG_SIZE);
    st64(o, c->mem_limit);
    st64(o + 8, (uint64_t)c->budget);
    st32(o + 16, c->flags);
}

void hc_get_config(const uint8_t in[MVM_HC_CONFIG_SIZE], struct mvm_config *c)
{
    memset(c, 0, sizeof *c);
    c->mem_limit = ld64(in);
    c->budget = (int64_t)ld64(in + 8);
    c->flags = ld32(in + 16);
}

void hc_put_board(uint8_t o[MVM_HC_BOARD_SIZE], const struct mvm_board_config *c)
{
    memset(o, 0, MVM_HC_BOARD_SIZE);
    st64(o, c->ram_bytes);
    st64(o + 8, c->mem_limit);
    st64(o + 16, (uint64_t)c->budget);
    st32(o + 24, c->harts);
    st32(o + 28, (uint32_t)c->icount);
    st32(o + 32, c->flags);
}

void hc_get_board(const uint8_t in[MVM_HC_BOARD_SIZE], struct mvm_board_config *c)
{
    memset(c, 0, sizeof *c);
    c->ram_bytes = ld64(in);
    c->mem_limit = ld64(in + 8);
    c->budget = (int64_t)ld64(in + 16);
    c->harts = ld32(in + 24);
    c->icount = (int32_t)ld32(in + 28);
    c->flags = ld32(in + 32);
}
