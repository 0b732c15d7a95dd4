/*
 * hcabi.c — the hypercall structures in their wire form (little-endian,
 * fixed offsets; see include/mvm_hypercall.h), whatever the host.
 */
#include "vm/vm_int.h"

#include <string.h>

#include "host/host.h"

void hc_put_exit(uint8_t o[MVM_HC_EXIT_SIZE], const struct mvm_exit *ex)
{
    memset(o, 0, MVM_HC_EXIT_SIZE);
    st32(o, (uint32_t)ex->reason);
    st32(o + 4, (uint32_t)ex->status);
    st32(o + 8, (uint32_t)ex->signal);
    st32(o + 12, ex->cause);
    st64(o + 16, ex->addr);
    st64(o + 24, ex->pc);
    st64(o + 32, ex->instructions);
}

void hc_get_exit(const uint8_t in[MVM_HC_EXIT_SIZE], struct mvm_exit *ex)
{
    memset(ex, 0, sizeof *ex);
    ex->reason = (int)ld32(in);
    ex->status = (int)ld32(in + 4);
    ex->signal = (int)ld32(in + 8);
    ex->cause = ld32(in + 12);
    ex->addr = ld64(in + 16);
    ex->pc = ld64(in + 24);
    ex->instructions = ld64(in + 32);
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
