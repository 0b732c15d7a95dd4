/*
 * interp.c — the interpreter: runs decoded blocks until an exit.
 *
 * One source, two dispatch methods (as Lua does): computed goto where the
 * compiler has it ("labels as values"), a switch otherwise
 * (-DMVM_NO_COMPUTED_GOTO). Each handler ends with NEXT (the next op of
 * the block) or leaves the block through a terminator.
 *
 * Accounting invariant: entering a block charges all its instructions to
 * instret and budget up front; leaving it early (fault, code modified)
 * refunds the ones that did not retire. So instret is exact at every exit.
 *
 * Memory accesses hit the per-hart TLB: an entry matches when
 *     tag == va & (page mask | (size - 1))
 * so a misaligned access misses and takes the slow path, which performs it
 * byte by byte (Linux user space sees misaligned accesses succeed).
 */
#include "rv/rv.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "rv/cache.h"
#include "rv/decode.h"
#include "rv/fpu.h"
#include "rv/jit.h"
#include "rv/region.h"

#if defined(__GNUC__) && !defined(MVM_NO_COMPUTED_GOTO)
#define USE_COMPUTED_GOTO 1
#else
#define USE_COMPUTED_GOTO 0
#endif

#define SIGN64 0x8000000000000000ull

static inline uint64_t sext32(uint64_t v) { return ((v & 0xffffffffu) ^ 0x80000000u) - 0x80000000u; }
static inline uint64_t sext16(uint64_t v) { return ((v & 0xffffu) ^ 0x8000u) - 0x8000u; }
static inline uint64_t sext8(uint64_t v) { return ((v & 0xffu) ^ 0x80u) - 0x80u; }
static inline uint64_t sra64(uint64_t a, unsigned s) { return a >> 63 ? ~(~a >> s) : a >> s; }
static inline int lt_s(uint64_t a, uint64_t b) { return (a ^ SIGN64) < (b ^ SIGN64); }
static inline uint64_t neg(uint64_t a) { return 0 - a; }

/* High 64 bits of the 128-bit unsigned product. */
static inline uint64_t mulhu64(uint64_t a, uint64_t b)
{
#if defined(__SIZEOF_INT128__)
    return (uint64_t)(((unsigned __int128)a * b) >> 64);
#else
    uint64_t al = a & 0xffffffffu, ah = a >> 32, bl = b & 0xffffffffu, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
    return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
#endif
}

static inline uint64_t mulh64(uint64_t a, uint64_t b)
{
    uint64_t r = mulhu64(a, b);
    if (a >> 63) r -= b;
    if (b >> 63) r -= a;
    return r;
}

static inline uint64_t mulhsu64(uint64_t a, uint64_t b)
{
    uint64_t r = mulhu64(a, b);
    if (a >> 63) r -= b;
    return r;
}

static inline uint64_t div64(uint64_t a, uint64_t b)
{
    if (b == 0) return ~0ull;
    if (a == SIGN64 && b == ~0ull) return a;
    uint64_t q = (a >> 63 ? neg(a) : a) / (b >> 63 ? neg(b) : b);
    return (a >> 63) != (b >> 63) ? neg(q) : q;
}

static inline uint64_t rem64(uint64_t a, uint64_t b)
{
    if (b == 0) return a;
    if (a == SIGN64 && b == ~0ull) return 0;
    uint64_t r = (a >> 63 ? neg(a) : a) % (b >> 63 ? neg(b) : b);
    return a >> 63 ? neg(r) : r;
}

static inline uint64_t clz64(uint64_t v)
{
    if (!v) return 64;
#if defined(__GNUC__)
    return (uint64_t)__builtin_clzll(v);
#else
    uint64_t n = 0;
    while (!(v >> 63)) { v <<= 1; n++; }
    return n;
#endif
}

static inline uint64_t ctz64(uint64_t v)
{
    if (!v) return 64;
#if defined(__GNUC__)
    return (uint64_t)__builtin_ctzll(v);
#else
    uint64_t n = 0;
    while (!(v & 1)) { v >>= 1; n++; }
    return n;
#endif
}

static inline uint64_t cpop64(uint64_t v)
{
#if defined(__GNUC__)
    return (uint64_t)__builtin_popcountll(v);
#else
    uint64_t n = 0;
    for (; v; v &= v - 1) n++;
    return n;
#endif
}

static inline uint64_t rol64(uint64_t a, unsigned s) { s &= 63; return s ? a << s | a >> (64 - s) : a; }
static inline uint64_t ror64(uint64_t a, unsigned s) { s &= 63; return s ? a >> s | a << (64 - s) : a; }
static inline uint32_t ror32(uint32_t a, unsigned s) { s &= 31; return s ? a >> s | a << (32 - s) : a; }

/* NaN boxing of single-precision values in 64-bit F registers. */
static inline uint32_t unbox(uint64_t v) { return (v >> 32) == 0xffffffffu ? (uint32_t)v : 0x7fc00000u; }
static inline uint64_t box(uint32_t v) { return 0xffffffff00000000ull | v; }

/*
 * Guest memory as the other harts of the process see it: an aligned access
 * of 1, 2, 4 or 8 bytes is one relaxed atomic access (a plain load or store
 * on every host, and no data race in C's memory model: the guest's own
 * races are RVWMO's business, not undefined behaviour of the monitor).
 * Little-endian, as every guest byte.
 */
#define G_ATOM(T, p) ((_Atomic T *)(void *)(p))
static inline uint8_t gld8(const void *p) { return atomic_load_explicit(G_ATOM(uint8_t, p), memory_order_relaxed); }
static inline uint16_t gld16(const void *p) { return HOST_LE16(atomic_load_explicit(G_ATOM(uint16_t, p), memory_order_relaxed)); }
static inline uint32_t gld32(const void *p) { return HOST_LE32(atomic_load_explicit(G_ATOM(uint32_t, p), memory_order_relaxed)); }
static inline uint64_t gld64(const void *p) { return HOST_LE64(atomic_load_explicit(G_ATOM(uint64_t, p), memory_order_relaxed)); }
static inline void gst8(void *p, uint8_t v) { atomic_store_explicit(G_ATOM(uint8_t, p), v, memory_order_relaxed); }
static inline void gst16(void *p, uint16_t v) { atomic_store_explicit(G_ATOM(uint16_t, p), HOST_LE16(v), memory_order_relaxed); }
static inline void gst32(void *p, uint32_t v) { atomic_store_explicit(G_ATOM(uint32_t, p), HOST_LE32(v), memory_order_relaxed); }
static inline void gst64(void *p, uint64_t v) { atomic_store_explicit(G_ATOM(uint64_t, p), HOST_LE64(v), memory_order_relaxed); }

/* ---- slow paths --------------------------------------------------------- */

static uint32_t fault_cause(int err, int access)
{
    if (err != MEM_EFAULT)   /* the host failed (no memory, a lazy page lost), not the guest */
        return 0xffffffffu;
    return access == MEM_W ? RV_CAUSE_STORE_PAGE : RV_CAUSE_LOAD_PAGE;
}

static uint32_t load_slow(struct rv_hart *h, uint64_t va, unsigned size, uint64_t *out);
static uint32_t store_slow(struct rv_hart *h, uint64_t va, unsigned size, uint64_t val);

/* Host bytes of the page of va for access, filling the TLB; NULL: *cause. */
static uint8_t *tlb_fill(struct rv_hart *h, uint64_t va, int access, uint32_t *cause)
{
    int err = 0;
    uint64_t page = va & MEM_PAGE_MASK;
    struct mem_fill_gen g;
    uint8_t *host = mem_translate_fill(h->as, page, access, &err, &g);
    h->stat_tlb_misses++;
    rv_tlb_miss(h);
    if (!host) {
        *cause = fault_cause(err, access);
        return NULL;
    }
    rv_tlb_filled(h, page, &g);
    if (!rv_tlb_ready(h))
        return host;
    /* (After any flush: it may have made the tables smaller.) */
    uint64_t i = (va >> MEM_PAGE_SHIFT) & h->tlb_mask;
    struct rv_tlb_entry *e = access == MEM_W ? &h->tlb_w[i] : &h->tlb_r[i];
    e->tag = page;
    e->addend = (uintptr_t)host - (uintptr_t)page;
    if (access == MEM_W) {
        /* A write made the page private: readers must see the same copy. */
        h->tlb_r[i].tag = page;
        h->tlb_r[i].addend = e->addend;
    }
    return host;
}

/* Loads size bytes at va (any alignment); 0 or a cause. */
uint32_t rv_load_slow(struct rv_hart *h, uint64_t va, unsigned size, uint64_t *out)
{
    uint32_t cause = load_slow(h, va, size, out);
    if (cause)
        h->cause = cause;
    return cause;
}

static uint32_t load_slow(struct rv_hart *h, uint64_t va, unsigned size, uint64_t *out)
{
    uint32_t cause = 0;
    uint64_t off = va & (MEM_PAGE_SIZE - 1);
    if (off + size <= MEM_PAGE_SIZE) {
        uint8_t *p = tlb_fill(h, va, MEM_R, &cause);
        if (!p)
            goto fail;
        p += off;
        if (va & (size - 1))   /* misaligned within the page: no single access */
            *out = size == 2 ? ld16(p) : size == 4 ? ld32(p) : ld64(p);
        else
            *out = size == 1 ? gld8(p) : size == 2 ? gld16(p) : size == 4 ? gld32(p) : gld64(p);
        return 0;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint8_t *p = tlb_fill(h, va + i, MEM_R, &cause);
        if (!p) {
            va += i;
            goto fail;
        }
        v |= (uint64_t)gld8(p + ((va + i) & (MEM_PAGE_SIZE - 1))) << (8 * i);
    }
    *out = v;
    return 0;
fail:
    h->tval = va;
    return cause;
}

/* Stores size bytes at va; 0, a cause, or 1 if code was written. */
uint32_t rv_store_slow(struct rv_hart *h, uint64_t va, unsigned size, uint64_t val)
{
    uint32_t cause = store_slow(h, va, size, val);
    if (cause > 1)
        h->cause = cause;
    return cause;
}

static uint32_t store_slow(struct rv_hart *h, uint64_t va, unsigned size, uint64_t val)
{
    uint32_t cause = 0;
    uint64_t code_gen = mem_space_code_gen(h->as);
    uint64_t off = va & (MEM_PAGE_SIZE - 1);
    if (off + size <= MEM_PAGE_SIZE) {
        uint8_t *p = tlb_fill(h, va, MEM_W, &cause);
        if (!p)
            goto fail;
        p += off;
        if (va & (size - 1)) {   /* misaligned within the page */
            if (size == 2) st16(p, (uint16_t)val);
            else if (size == 4) st32(p, (uint32_t)val);
            else st64(p, val);
        } else if (size == 1) gst8(p, (uint8_t)val);
        else if (size == 2) gst16(p, (uint16_t)val);
        else if (size == 4) gst32(p, (uint32_t)val);
        else gst64(p, val);
    } else {
        /* Check both pages before writing any byte: a store is all or nothing. */
        if (!tlb_fill(h, va, MEM_W, &cause))
            goto fail;
        if (!tlb_fill(h, va + size - 1, MEM_W, &cause)) {
            va += size - 1;
            goto fail;
        }
        for (unsigned i = 0; i < size; i++) {
            uint8_t *p = tlb_fill(h, va + i, MEM_W, &cause);
            gst8(p + ((va + i) & (MEM_PAGE_SIZE - 1)), (uint8_t)(val >> (8 * i)));
        }
    }
    return mem_space_code_gen(h->as) != code_gen ? 1 : 0;
fail:
    h->tval = va;
    return cause;
}

/* A host pointer for an atomic read-modify-write of size bytes at va. */
static uint8_t *amo_ptr(struct rv_hart *h, uint64_t va, unsigned size, uint32_t *cause, int *code)
{
    if (va & (size - 1)) {
        *cause = RV_CAUSE_STORE_MISALIGNED;
        h->tval = va;
        return NULL;
    }
    struct rv_tlb_entry *e = RV_TLB_DATA(h, tlb_w, va);
    if (HOST_LIKELY(e->tag == (va & MEM_PAGE_MASK)))
        return (uint8_t *)(uintptr_t)(va + e->addend);
    uint64_t code_gen = mem_space_code_gen(h->as);
    uint8_t *p = tlb_fill(h, va, MEM_W, cause);
    if (!p) {
        h->tval = va;
        return NULL;
    }
    *code = mem_space_code_gen(h->as) != code_gen;
    return p + (va & (MEM_PAGE_SIZE - 1));
}

static int csr_read(struct rv_hart *h, unsigned csr, uint64_t instret, uint64_t *v)
{
    switch (csr) {
    case 0x001: *v = h->fflags; return 0;
    case 0x002: *v = h->frm; return 0;
    case 0x003: *v = h->frm << 5 | h->fflags; return 0;
    case 0xc00: case 0xc02: *v = instret; return 0;
    case 0xc01: *v = (host_time_monotonic_ns() - h->time_base_ns) / 100; return 0;  /* 10 MHz */
    }
    return -1;
}

static int csr_write(struct rv_hart *h, unsigned csr, uint64_t v)
{
    switch (csr) {
    case 0x001: h->fflags = (uint32_t)v & 0x1f; return 0;
    case 0x002: h->frm = (uint32_t)v & 7; return 0;
    case 0x003: h->fflags = (uint32_t)v & 0x1f; h->frm = (uint32_t)(v >> 5) & 7; return 0;
    }
    return -1;
}

/* Zicsr: 0, or -1 for an illegal instruction. */
static int csr_op(struct rv_hart *h, const struct rv_op *op, uint64_t instret)
{
    unsigned csr = (unsigned)op->imm & 0xfff;
    uint64_t src = op->opc >= RV_OP_CSRRWI ? op->rs1 : h->x[op->rs1];
    uint64_t old = 0;
    bool is_rw = op->opc == RV_OP_CSRRW || op->opc == RV_OP_CSRRWI;
    bool writes = is_rw || op->rs1 != 0;
    bool reads = !is_rw || op->rd != RV_XSINK;
    if ((reads || !writes) && csr_read(h, csr, instret, &old) != 0)
        return -1;
    if (writes) {
        uint64_t nv = is_rw ? src : (op->opc == RV_OP_CSRRS || op->opc == RV_OP_CSRRSI) ? old | src : old & ~src;
        if ((csr >> 10) == 3 || csr_write(h, csr, nv) != 0)
            return -1;
    }
    h->x[op->rd] = old;
    return 0;
}

/* ---- the interpreter ---------------------------------------------------- */

static int run(struct rv_hart *h);

int rv_run(struct rv_hart *h)
{
    if (!h)
        return run(h);
    mem_view_enter(&h->view);
    int r = run(h);
    mem_view_leave(&h->view);
    return r;
}

static int run(struct rv_hart *h)
{
#if USE_COMPUTED_GOTO
    static const void *const labels[RV_OP_COUNT] = {
#define RV_OP_LABEL(name, term) [RV_OP_##name] = &&L_##name,
        RV_OPS(RV_OP_LABEL)
#undef RV_OP_LABEL
    };
#define DISPATCH() goto *op->handler
#define CASE(name) L_##name:
#define SWITCH_BEGIN {
#define SWITCH_END }
#else
#define DISPATCH() goto dispatch
#define CASE(name) case RV_OP_##name:
#define SWITCH_BEGIN dispatch: switch (op->opc) {
#define SWITCH_END default: goto illegal; }
#endif
#define NEXT() do { op++; DISPATCH(); } while (0)
/* Leaving a block through a direct jump or branch: follow the chain. */
#define CHAIN(k) do { \
        struct rv_block *nb_ = b->succ[k]; \
        if (HOST_LIKELY(nb_ != NULL)) { b = nb_; goto enter; } \
        prev = b; which = k; goto link; \
    } while (0)
#define X(r) x[r]
#define OPPC (b->pc + op->pcoff)
#define RD X(op->rd)
#define RS1 X(op->rs1)
#define RS2 X(op->rs2)
#define IMM ((uint64_t)(int64_t)op->imm)
#define RETIRED_BEFORE_OP ((uint32_t)(op - b->ops))

#if USE_COMPUTED_GOTO
    if (HOST_UNLIKELY(!rv_handler_table))
        rv_handler_table = labels;
#endif
    if (!h)
        return 0;   /* rv_hart_new's call: the handler table is set */
    uint64_t *const x = h->x;
    uint64_t *const f = h->f;
    struct rv_block *b, *prev = NULL;
    const struct rv_op *op;
    uint64_t pc = h->pc, epoch;
    unsigned which = 0;
    uint32_t cause;

    rv_sync(h);

lookup:
    if (HOST_UNLIKELY(h->trace_insns))
        goto single;
    b = rv_cache_enter(h, pc);
    if (HOST_UNLIKELY(!b))
        goto fetch_fault;
enter:
    if (HOST_UNLIKELY(h->budget < (int64_t)b->n_insns)) {
        if (h->budget <= 0) {
            h->pc = b->pc;
            return RV_EXIT_BUDGET;
        }
        b = rv_cache_build_tmp(h, b->pc, (uint32_t)h->budget);
        if (!b)
            goto fetch_fault;
    }
    h->budget -= b->n_insns;
    op = b->ops;
    if (b->jit) {
        uint64_t r = ((rv_jit_fn)b->jit)(h);
        switch (RV_JIT_KIND(r)) {
        case RV_JIT_SUCC0: pc = h->pc; CHAIN(0);
        case RV_JIT_SUCC1: pc = h->pc; CHAIN(1);
        case RV_JIT_INDIRECT: pc = h->pc; goto indirect;
        case RV_JIT_TRAP: op = b->ops + RV_JIT_INDEX(r); cause = h->cause; goto trap;
        case RV_JIT_CODE_WRITTEN: op = b->ops + RV_JIT_INDEX(r); goto code_written;
        default: op = b->ops + RV_JIT_INDEX(r); DISPATCH();
        }
    }
    if (HOST_UNLIKELY(((++b->heat - RV_JIT_HEAT) & ~(RV_JIT_HEAT_LATE - RV_JIT_HEAT)) == 0) && h->cache->jit &&
        !h->no_jit && !rv_block_is_tmp(h, b)) {
        /* With the loop it is in, if any (rv/region.h). */
        struct rv_block *region[RV_REGION_MAX] = { b };
        uint64_t t0 = host_time_monotonic_ns();
        size_t used = rv_jit_used(h->cache->jit);
        unsigned n = h->no_regions || !rv_jit_regions()
                         ? 1
                         : rv_region_form(h->cache, h->cache->jit, b, region, b->heat == RV_JIT_HEAT_LATE);
        if (n && rv_cache_meter(h->cache, rv_jit_need_region(region, n)))
            b->jit = rv_jit_compile_region(h->cache->jit, region, n);
        h->stat_jit_ns += host_time_monotonic_ns() - t0;
        if (b->jit) {
            h->stat_jit_blocks++;
            h->stat_jit_regions += n > 1;
            h->stat_jit_bytes += rv_jit_used(h->cache->jit) - used;
            rv_jit_announce(b->jit, rv_jit_last_size(h->cache->jit), b->pc, n);
            h->budget += b->n_insns;
            goto enter;
        }
    }
    DISPATCH();

single:
    if (h->budget <= 0) {   /* trace only what will run */
        h->pc = pc;
        return RV_EXIT_BUDGET;
    }
    b = rv_cache_build_tmp(h, pc, 1);
    if (!b)
        goto fetch_fault;
    {
        uint32_t raw = 0;
        uint8_t bytes[4] = { 0 };
        if (mem_read(h->as, pc, bytes, b->ops[0].len) == 0)
            raw = ld32(bytes);
        fprintf(stderr, "[mvm] %016llx: %0*lx %s\n", (unsigned long long)pc, b->ops[0].len * 2,
                (unsigned long)raw, rv_op_name(b->ops[0].opc));
    }
    goto enter;


link:
    epoch = rv_cache_epoch(h->cache);
    {
        struct rv_block *nb = h->trace_insns ? NULL : rv_cache_enter(h, pc);
        if (!nb) {
            if (h->trace_insns)
                goto single;
            goto fetch_fault;
        }
        if (rv_cache_epoch(h->cache) == epoch && !rv_block_is_tmp(h, prev) && !rv_block_is_tmp(h, nb))
            prev->succ[which] = nb;
        b = nb;
    }
    goto enter;

fetch_fault:
    h->pc = pc;
    return h->cause == RV_CAUSE_FETCH_ACCESS ? RV_EXIT_NOMEM : RV_EXIT_TRAP;

    /* Memory access helpers; va computed by the handler. */
#define LOAD(conv, size, ldfn) do { \
        uint64_t va_ = RS1 + IMM; \
        const struct rv_tlb_entry *e_ = RV_TLB_DATA(h, tlb_r, va_); \
        uint64_t v_; \
        if (HOST_LIKELY(e_->tag == (va_ & (MEM_PAGE_MASK | (size - 1))))) \
            v_ = ldfn((const void *)(uintptr_t)(va_ + e_->addend)); \
        else if ((cause = load_slow(h, va_, size, &v_)) != 0) \
            goto trap; \
        RD = conv(v_); \
    } while (0)

#define STORE_VAL(va_expr, size, stfn, val_expr) do { \
        uint64_t va_ = (va_expr); \
        const struct rv_tlb_entry *e_ = RV_TLB_DATA(h, tlb_w, va_); \
        if (HOST_LIKELY(e_->tag == (va_ & (MEM_PAGE_MASK | (size - 1))))) \
            stfn((void *)(uintptr_t)(va_ + e_->addend), val_expr); \
        else if ((cause = store_slow(h, va_, size, (uint64_t)(val_expr))) != 0) { \
            if (cause == 1) goto code_written; \
            goto trap; \
        } \
    } while (0)
#define STORE(size, stfn, val_expr) STORE_VAL(RS1 + IMM, size, stfn, val_expr)

#define ID(v) (v)
#define S8(v) sext8(v)
#define S16(v) sext16(v)
#define S32(v) sext32(v)

    /* Rounding mode of an FP op: static, or dynamic from frm. */
#define RM() (op->rm == 7 ? h->frm : op->rm)
#define CHECK_RM() do { if (HOST_UNLIKELY(RM() > 4)) goto illegal; } while (0)
#define FS1 unbox(f[op->rs1])
#define FS2 unbox(f[op->rs2])
#define FS3 unbox(f[op->rs3])

    SWITCH_BEGIN

    CASE(ILLEGAL) goto illegal;
    CASE(FALLTHRU) pc = OPPC; CHAIN(1);

    CASE(LI) RD = IMM; NEXT();
    CASE(MV) RD = RS1; NEXT();
    CASE(LUI) RD = IMM; NEXT();
    CASE(AUIPC) RD = OPPC + IMM; NEXT();

    CASE(JAL) RD = OPPC + op->len; pc = OPPC + IMM; CHAIN(0);
    CASE(JALR) {
        uint64_t t = (RS1 + IMM) & ~1ull;
        RD = OPPC + op->len;
        pc = t;
    indirect:
        b = h->cache->jc[RV_JC_INDEX(pc)];
        if (HOST_LIKELY(b && b->pc == pc && !h->trace_insns))
            goto enter;
        goto lookup;
    }
#define BRANCH(cond) do { \
        if (cond) { pc = OPPC + IMM; CHAIN(0); } \
        pc = OPPC + op->len; CHAIN(1); \
    } while (0)
    CASE(BEQ) BRANCH(RS1 == RS2);
    CASE(BNE) BRANCH(RS1 != RS2);
    CASE(BLT) BRANCH(lt_s(RS1, RS2));
    CASE(BGE) BRANCH(!lt_s(RS1, RS2));
    CASE(BLTU) BRANCH(RS1 < RS2);
    CASE(BGEU) BRANCH(RS1 >= RS2);

    CASE(LB) LOAD(S8, 1, gld8); NEXT();
    CASE(LH) LOAD(S16, 2, gld16); NEXT();
    CASE(LW) LOAD(S32, 4, gld32); NEXT();
    CASE(LD) LOAD(ID, 8, gld64); NEXT();
    CASE(LBU) LOAD(ID, 1, gld8); NEXT();
    CASE(LHU) LOAD(ID, 2, gld16); NEXT();
    CASE(LWU) LOAD(ID, 4, gld32); NEXT();
    CASE(SB) STORE(1, gst8, (uint8_t)RS2); NEXT();
    CASE(SH) STORE(2, gst16, (uint16_t)RS2); NEXT();
    CASE(SW) STORE(4, gst32, (uint32_t)RS2); NEXT();
    CASE(SD) STORE(8, gst64, RS2); NEXT();

    CASE(ADDI) RD = RS1 + IMM; NEXT();
    CASE(SLTI) RD = lt_s(RS1, IMM); NEXT();
    CASE(SLTIU) RD = RS1 < IMM; NEXT();
    CASE(XORI) RD = RS1 ^ IMM; NEXT();
    CASE(ORI) RD = RS1 | IMM; NEXT();
    CASE(ANDI) RD = RS1 & IMM; NEXT();
    CASE(SLLI) RD = RS1 << (IMM & 63); NEXT();
    CASE(SRLI) RD = RS1 >> (IMM & 63); NEXT();
    CASE(SRAI) RD = sra64(RS1, (unsigned)IMM & 63); NEXT();
    CASE(ADD) RD = RS1 + RS2; NEXT();
    CASE(SUB) RD = RS1 - RS2; NEXT();
    CASE(SLL) RD = RS1 << (RS2 & 63); NEXT();
    CASE(SLT) RD = lt_s(RS1, RS2); NEXT();
    CASE(SLTU) RD = RS1 < RS2; NEXT();
    CASE(XOR) RD = RS1 ^ RS2; NEXT();
    CASE(SRL) RD = RS1 >> (RS2 & 63); NEXT();
    CASE(SRA) RD = sra64(RS1, (unsigned)RS2 & 63); NEXT();
    CASE(OR) RD = RS1 | RS2; NEXT();
    CASE(AND) RD = RS1 & RS2; NEXT();
    CASE(ADDIW) RD = sext32(RS1 + IMM); NEXT();
    CASE(SLLIW) RD = sext32(RS1 << (IMM & 31)); NEXT();
    CASE(SRLIW) RD = sext32((RS1 & 0xffffffffu) >> (IMM & 31)); NEXT();
    CASE(SRAIW) RD = sra64(sext32(RS1), (unsigned)IMM & 31); NEXT();
    CASE(ADDW) RD = sext32(RS1 + RS2); NEXT();
    CASE(SUBW) RD = sext32(RS1 - RS2); NEXT();
    CASE(SLLW) RD = sext32(RS1 << (RS2 & 31)); NEXT();
    CASE(SRLW) RD = sext32((RS1 & 0xffffffffu) >> (RS2 & 31)); NEXT();
    CASE(SRAW) RD = sra64(sext32(RS1), (unsigned)RS2 & 31); NEXT();

    CASE(FENCE)
        /* Other harts run on other host threads: a full host barrier
         * (mfence on x86-64, dmb ish on AArch64, bcr 15 on s390x) gives
         * every order a RISC-V fence can ask for. */
        atomic_thread_fence(memory_order_seq_cst);
        NEXT();
    CASE(FENCE_I)
        pc = OPPC + op->len;
        rv_flush_code(h);
        goto lookup;
    CASE(ECALL)
        h->pc = OPPC;
        return RV_EXIT_ECALL;
    CASE(EBREAK)
        cause = RV_CAUSE_BREAKPOINT;
        h->tval = OPPC;
        goto trap;

    CASE(MUL) RD = RS1 * RS2; NEXT();
    CASE(MULH) RD = mulh64(RS1, RS2); NEXT();
    CASE(MULHSU) RD = mulhsu64(RS1, RS2); NEXT();
    CASE(MULHU) RD = mulhu64(RS1, RS2); NEXT();
    CASE(DIV) RD = div64(RS1, RS2); NEXT();
    CASE(DIVU) RD = RS2 ? RS1 / RS2 : ~0ull; NEXT();
    CASE(REM) RD = rem64(RS1, RS2); NEXT();
    CASE(REMU) RD = RS2 ? RS1 % RS2 : RS1; NEXT();
    CASE(MULW) RD = sext32(RS1 * RS2); NEXT();
    CASE(DIVW) RD = sext32(div64(sext32(RS1), sext32(RS2))); NEXT();
    CASE(DIVUW) {
        uint32_t a = (uint32_t)RS1, d = (uint32_t)RS2;
        RD = sext32(d ? a / d : 0xffffffffu);
        NEXT();
    }
    CASE(REMW) RD = sext32(rem64(sext32(RS1), sext32(RS2))); NEXT();
    CASE(REMUW) {
        uint32_t a = (uint32_t)RS1, d = (uint32_t)RS2;
        RD = sext32(d ? a % d : a);
        NEXT();
    }

    /* A: LR/SC compare the reserved value (as a CAS would), so an SC fails
     * if the word changed since the LR, and any SC ends the reservation. */
    CASE(LR_W) {
        uint64_t va = RS1, v;
        if (va & 3) { cause = RV_CAUSE_LOAD_MISALIGNED; h->tval = va; goto trap; }
        if ((cause = load_slow(h, va, 4, &v)) != 0) goto trap;
        h->resv_valid = true; h->resv_addr = va; h->resv_value = v;
        RD = sext32(v);
        NEXT();
    }
    CASE(LR_D) {
        uint64_t va = RS1, v;
        if (va & 7) { cause = RV_CAUSE_LOAD_MISALIGNED; h->tval = va; goto trap; }
        if ((cause = load_slow(h, va, 8, &v)) != 0) goto trap;
        h->resv_valid = true; h->resv_addr = va; h->resv_value = v;
        RD = v;
        NEXT();
    }
    /* SC is a compare-and-swap of the reserved value, and an AMO a
     * compare-and-swap loop, on the host's atomics: harts on other host
     * threads see each as one indivisible access (sequentially consistent,
     * which covers every aq/rl). Guest bytes are little-endian; the loop
     * works on any host byte order. */
#define SC(size, T, le, mask) do { \
        uint64_t va = RS1; int code = 0; \
        uint8_t *p = amo_ptr(h, va, size, &cause, &code); \
        if (!p) goto trap; \
        T expect_ = le((T)(h->resv_value & mask)); \
        bool ok = h->resv_valid && h->resv_addr == va && \
                  atomic_compare_exchange_strong((_Atomic T *)(void *)p, &expect_, le((T)RS2)); \
        h->resv_valid = false; \
        RD = !ok; \
        if (code) goto code_written; \
    } while (0)
    CASE(SC_W) SC(4, uint32_t, HOST_LE32, 0xffffffffull); NEXT();
    CASE(SC_D) SC(8, uint64_t, HOST_LE64, ~0ull); NEXT();

#define AMO(size, T, le, conv, expr) do { \
        uint64_t va = RS1, b_ = RS2, a_; int code = 0; \
        uint8_t *p = amo_ptr(h, va, size, &cause, &code); \
        if (!p) goto trap; \
        _Atomic T *q_ = (_Atomic T *)(void *)p; \
        T old_ = atomic_load_explicit(q_, memory_order_relaxed); \
        do \
            a_ = conv(le(old_)); \
        while (!atomic_compare_exchange_weak(q_, &old_, le((T)(expr)))); \
        RD = a_; \
        if (code) goto code_written; \
    } while (0)
#define AMO_W(expr) AMO(4, uint32_t, HOST_LE32, sext32, (uint32_t)(expr))
#define AMO_D(expr) AMO(8, uint64_t, HOST_LE64, ID, (expr))
    CASE(AMOSWAP_W) AMO_W(b_); NEXT();
    CASE(AMOADD_W) AMO_W(a_ + b_); NEXT();
    CASE(AMOXOR_W) AMO_W(a_ ^ b_); NEXT();
    CASE(AMOAND_W) AMO_W(a_ & b_); NEXT();
    CASE(AMOOR_W) AMO_W(a_ | b_); NEXT();
    CASE(AMOMIN_W) AMO_W(lt_s(a_, sext32(b_)) ? a_ : b_); NEXT();
    CASE(AMOMAX_W) AMO_W(lt_s(a_, sext32(b_)) ? b_ : a_); NEXT();
    CASE(AMOMINU_W) AMO_W((uint32_t)a_ < (uint32_t)b_ ? a_ : b_); NEXT();
    CASE(AMOMAXU_W) AMO_W((uint32_t)a_ < (uint32_t)b_ ? b_ : a_); NEXT();
    CASE(AMOSWAP_D) AMO_D(b_); NEXT();
    CASE(AMOADD_D) AMO_D(a_ + b_); NEXT();
    CASE(AMOXOR_D) AMO_D(a_ ^ b_); NEXT();
    CASE(AMOAND_D) AMO_D(a_ & b_); NEXT();
    CASE(AMOOR_D) AMO_D(a_ | b_); NEXT();
    CASE(AMOMIN_D) AMO_D(lt_s(a_, b_) ? a_ : b_); NEXT();
    CASE(AMOMAX_D) AMO_D(lt_s(a_, b_) ? b_ : a_); NEXT();
    CASE(AMOMINU_D) AMO_D(a_ < b_ ? a_ : b_); NEXT();
    CASE(AMOMAXU_D) AMO_D(a_ < b_ ? b_ : a_); NEXT();

    CASE(CSRRW) CASE(CSRRS) CASE(CSRRC) CASE(CSRRWI) CASE(CSRRSI) CASE(CSRRCI)
        if (csr_op(h, op, rv_instret(h) - b->n_insns + RETIRED_BEFORE_OP) != 0)
            goto illegal;
        NEXT();

    /* F and D. */
    CASE(FLW) {
        uint64_t va_ = RS1 + IMM, v_;
        const struct rv_tlb_entry *e_ = RV_TLB_DATA(h, tlb_r, va_);
        if (HOST_LIKELY(e_->tag == (va_ & (MEM_PAGE_MASK | 3))))
            v_ = gld32((const void *)(uintptr_t)(va_ + e_->addend));
        else if ((cause = load_slow(h, va_, 4, &v_)) != 0)
            goto trap;
        f[op->rd] = box((uint32_t)v_);
        NEXT();
    }
    CASE(FLD) {
        uint64_t va_ = RS1 + IMM, v_;
        const struct rv_tlb_entry *e_ = RV_TLB_DATA(h, tlb_r, va_);
        if (HOST_LIKELY(e_->tag == (va_ & (MEM_PAGE_MASK | 7))))
            v_ = gld64((const void *)(uintptr_t)(va_ + e_->addend));
        else if ((cause = load_slow(h, va_, 8, &v_)) != 0)
            goto trap;
        f[op->rd] = v_;
        NEXT();
    }
    CASE(FSW) STORE(4, gst32, (uint32_t)f[op->rs2]); NEXT();
    CASE(FSD) STORE(8, gst64, f[op->rs2]); NEXT();

#define FOP_S2(fn) do { CHECK_RM(); f[op->rd] = box(fn(FS1, FS2, RM(), &h->fflags)); } while (0)
#define FOP_D2(fn) do { CHECK_RM(); f[op->rd] = fn(f[op->rs1], f[op->rs2], RM(), &h->fflags); } while (0)
#define FOP_S3(fn) do { CHECK_RM(); f[op->rd] = box(fn(FS1, FS2, FS3, RM(), &h->fflags)); } while (0)
#define FOP_D3(fn) do { CHECK_RM(); f[op->rd] = fn(f[op->rs1], f[op->rs2], f[op->rs3], RM(), &h->fflags); } while (0)
    CASE(FADD_S) FOP_S2(fpu_add_s); NEXT();
    CASE(FSUB_S) FOP_S2(fpu_sub_s); NEXT();
    CASE(FMUL_S) FOP_S2(fpu_mul_s); NEXT();
    CASE(FDIV_S) FOP_S2(fpu_div_s); NEXT();
    CASE(FSQRT_S) CHECK_RM(); f[op->rd] = box(fpu_sqrt_s(FS1, RM(), &h->fflags)); NEXT();
    CASE(FSGNJ_S) f[op->rd] = box((FS1 & 0x7fffffffu) | (FS2 & 0x80000000u)); NEXT();
    CASE(FSGNJN_S) f[op->rd] = box((FS1 & 0x7fffffffu) | (~FS2 & 0x80000000u)); NEXT();
    CASE(FSGNJX_S) f[op->rd] = box(FS1 ^ (FS2 & 0x80000000u)); NEXT();
    CASE(FMIN_S) f[op->rd] = box(fpu_min_s(FS1, FS2, &h->fflags)); NEXT();
    CASE(FMAX_S) f[op->rd] = box(fpu_max_s(FS1, FS2, &h->fflags)); NEXT();
    CASE(FCVT_W_S) CHECK_RM(); RD = (uint64_t)fpu_cvt_w_s(FS1, RM(), &h->fflags); NEXT();
    CASE(FCVT_WU_S) CHECK_RM(); RD = (uint64_t)fpu_cvt_wu_s(FS1, RM(), &h->fflags); NEXT();
    CASE(FCVT_L_S) CHECK_RM(); RD = (uint64_t)fpu_cvt_l_s(FS1, RM(), &h->fflags); NEXT();
    CASE(FCVT_LU_S) CHECK_RM(); RD = (uint64_t)fpu_cvt_lu_s(FS1, RM(), &h->fflags); NEXT();
    CASE(FMV_X_W) RD = sext32(f[op->rs1]); NEXT();
    CASE(FCLASS_S) RD = fpu_class_s(FS1); NEXT();
    CASE(FEQ_S) RD = (uint64_t)fpu_eq_s(FS1, FS2, &h->fflags); NEXT();
    CASE(FLT_S) RD = (uint64_t)fpu_lt_s(FS1, FS2, &h->fflags); NEXT();
    CASE(FLE_S) RD = (uint64_t)fpu_le_s(FS1, FS2, &h->fflags); NEXT();
    CASE(FCVT_S_W) CHECK_RM(); f[op->rd] = box(fpu_cvt_s_w((int32_t)(uint32_t)RS1, RM(), &h->fflags)); NEXT();
    CASE(FCVT_S_WU) CHECK_RM(); f[op->rd] = box(fpu_cvt_s_wu((uint32_t)RS1, RM(), &h->fflags)); NEXT();
    CASE(FCVT_S_L) CHECK_RM(); f[op->rd] = box(fpu_cvt_s_l((int64_t)RS1, RM(), &h->fflags)); NEXT();
    CASE(FCVT_S_LU) CHECK_RM(); f[op->rd] = box(fpu_cvt_s_lu(RS1, RM(), &h->fflags)); NEXT();
    CASE(FMV_W_X) f[op->rd] = box((uint32_t)RS1); NEXT();
    CASE(FMADD_S) FOP_S3(fpu_fmadd_s); NEXT();
    CASE(FMSUB_S) FOP_S3(fpu_fmsub_s); NEXT();
    CASE(FNMSUB_S) FOP_S3(fpu_fnmsub_s); NEXT();
    CASE(FNMADD_S) FOP_S3(fpu_fnmadd_s); NEXT();

    CASE(FADD_D) FOP_D2(fpu_add_d); NEXT();
    CASE(FSUB_D) FOP_D2(fpu_sub_d); NEXT();
    CASE(FMUL_D) FOP_D2(fpu_mul_d); NEXT();
    CASE(FDIV_D) FOP_D2(fpu_div_d); NEXT();
    CASE(FSQRT_D) CHECK_RM(); f[op->rd] = fpu_sqrt_d(f[op->rs1], RM(), &h->fflags); NEXT();
    CASE(FSGNJ_D) f[op->rd] = (f[op->rs1] & ~SIGN64) | (f[op->rs2] & SIGN64); NEXT();
    CASE(FSGNJN_D) f[op->rd] = (f[op->rs1] & ~SIGN64) | (~f[op->rs2] & SIGN64); NEXT();
    CASE(FSGNJX_D) f[op->rd] = f[op->rs1] ^ (f[op->rs2] & SIGN64); NEXT();
    CASE(FMIN_D) f[op->rd] = fpu_min_d(f[op->rs1], f[op->rs2], &h->fflags); NEXT();
    CASE(FMAX_D) f[op->rd] = fpu_max_d(f[op->rs1], f[op->rs2], &h->fflags); NEXT();
    CASE(FCVT_S_D) CHECK_RM(); f[op->rd] = box(fpu_cvt_s_d(f[op->rs1], RM(), &h->fflags)); NEXT();
    CASE(FCVT_D_S) CHECK_RM(); f[op->rd] = fpu_cvt_d_s(FS1, &h->fflags); NEXT();
    CASE(FCVT_W_D) CHECK_RM(); RD = (uint64_t)fpu_cvt_w_d(f[op->rs1], RM(), &h->fflags); NEXT();
    CASE(FCVT_WU_D) CHECK_RM(); RD = (uint64_t)fpu_cvt_wu_d(f[op->rs1], RM(), &h->fflags); NEXT();
    CASE(FCVT_L_D) CHECK_RM(); RD = (uint64_t)fpu_cvt_l_d(f[op->rs1], RM(), &h->fflags); NEXT();
    CASE(FCVT_LU_D) CHECK_RM(); RD = (uint64_t)fpu_cvt_lu_d(f[op->rs1], RM(), &h->fflags); NEXT();
    CASE(FMV_X_D) RD = f[op->rs1]; NEXT();
    CASE(FCLASS_D) RD = fpu_class_d(f[op->rs1]); NEXT();
    CASE(FEQ_D) RD = (uint64_t)fpu_eq_d(f[op->rs1], f[op->rs2], &h->fflags); NEXT();
    CASE(FLT_D) RD = (uint64_t)fpu_lt_d(f[op->rs1], f[op->rs2], &h->fflags); NEXT();
    CASE(FLE_D) RD = (uint64_t)fpu_le_d(f[op->rs1], f[op->rs2], &h->fflags); NEXT();
    CASE(FCVT_D_W) CHECK_RM(); f[op->rd] = fpu_cvt_d_w((int32_t)(uint32_t)RS1, RM(), &h->fflags); NEXT();
    CASE(FCVT_D_WU) CHECK_RM(); f[op->rd] = fpu_cvt_d_wu((uint32_t)RS1, RM(), &h->fflags); NEXT();
    CASE(FCVT_D_L) CHECK_RM(); f[op->rd] = fpu_cvt_d_l((int64_t)RS1, RM(), &h->fflags); NEXT();
    CASE(FCVT_D_LU) CHECK_RM(); f[op->rd] = fpu_cvt_d_lu(RS1, RM(), &h->fflags); NEXT();
    CASE(FMV_D_X) f[op->rd] = RS1; NEXT();
    CASE(FMADD_D) FOP_D3(fpu_fmadd_d); NEXT();
    CASE(FMSUB_D) FOP_D3(fpu_fmsub_d); NEXT();
    CASE(FNMSUB_D) FOP_D3(fpu_fnmsub_d); NEXT();
    CASE(FNMADD_D) FOP_D3(fpu_fnmadd_d); NEXT();

    /* Zba, Zbb, Zbs. */
    CASE(SH1ADD) RD = (RS1 << 1) + RS2; NEXT();
    CASE(SH2ADD) RD = (RS1 << 2) + RS2; NEXT();
    CASE(SH3ADD) RD = (RS1 << 3) + RS2; NEXT();
    CASE(ADD_UW) RD = (RS1 & 0xffffffffu) + RS2; NEXT();
    CASE(SH1ADD_UW) RD = ((RS1 & 0xffffffffu) << 1) + RS2; NEXT();
    CASE(SH2ADD_UW) RD = ((RS1 & 0xffffffffu) << 2) + RS2; NEXT();
    CASE(SH3ADD_UW) RD = ((RS1 & 0xffffffffu) << 3) + RS2; NEXT();
    CASE(SLLI_UW) RD = (RS1 & 0xffffffffu) << (IMM & 63); NEXT();
    CASE(ANDN) RD = RS1 & ~RS2; NEXT();
    CASE(ORN) RD = RS1 | ~RS2; NEXT();
    CASE(XNOR) RD = ~(RS1 ^ RS2); NEXT();
    CASE(CLZ) RD = clz64(RS1); NEXT();
    CASE(CLZW) RD = clz64(RS1 << 32 | 0xffffffffu); NEXT();   /* 32 when the word is 0 */
    CASE(CTZ) RD = ctz64(RS1); NEXT();
    CASE(CTZW) RD = ctz64(RS1 | 0x100000000ull); NEXT();
    CASE(CPOP) RD = cpop64(RS1); NEXT();
    CASE(CPOPW) RD = cpop64(RS1 & 0xffffffffu); NEXT();
    CASE(MAX) RD = lt_s(RS1, RS2) ? RS2 : RS1; NEXT();
    CASE(MAXU) RD = RS1 < RS2 ? RS2 : RS1; NEXT();
    CASE(MIN) RD = lt_s(RS1, RS2) ? RS1 : RS2; NEXT();
    CASE(MINU) RD = RS1 < RS2 ? RS1 : RS2; NEXT();
    CASE(SEXT_B) RD = sext8(RS1); NEXT();
    CASE(SEXT_H) RD = sext16(RS1); NEXT();
    CASE(ZEXT_H) RD = RS1 & 0xffffu; NEXT();
    CASE(ROL) RD = rol64(RS1, (unsigned)RS2); NEXT();
    CASE(ROR) RD = ror64(RS1, (unsigned)RS2); NEXT();
    CASE(RORI) RD = ror64(RS1, (unsigned)IMM); NEXT();
    CASE(ROLW) RD = sext32(ror32((uint32_t)RS1, 32 - ((unsigned)RS2 & 31))); NEXT();
    CASE(RORW) RD = sext32(ror32((uint32_t)RS1, (unsigned)RS2)); NEXT();
    CASE(RORIW) RD = sext32(ror32((uint32_t)RS1, (unsigned)IMM)); NEXT();
    CASE(ORC_B) {
        uint64_t v = RS1, r = 0;
        for (int i = 0; i < 64; i += 8)
            if ((v >> i) & 0xff) r |= 0xffull << i;
        RD = r;
        NEXT();
    }
    CASE(REV8) RD = host_bswap64(RS1); NEXT();
    CASE(BCLR) RD = RS1 & ~(1ull << (RS2 & 63)); NEXT();
    CASE(BCLRI) RD = RS1 & ~(1ull << (IMM & 63)); NEXT();
    CASE(BEXT) RD = (RS1 >> (RS2 & 63)) & 1; NEXT();
    CASE(BEXTI) RD = (RS1 >> (IMM & 63)) & 1; NEXT();
    CASE(BINV) RD = RS1 ^ (1ull << (RS2 & 63)); NEXT();
    CASE(BINVI) RD = RS1 ^ (1ull << (IMM & 63)); NEXT();
    CASE(BSET) RD = RS1 | (1ull << (RS2 & 63)); NEXT();
    CASE(BSETI) RD = RS1 | (1ull << (IMM & 63)); NEXT();

    SWITCH_END

illegal:
    cause = RV_CAUSE_ILLEGAL;
    {
        uint8_t bytes[4] = { 0 };
        mem_read(h->as, OPPC, bytes, op->len);
        h->tval = op->len == 2 ? ld16(bytes) : ld32(bytes);
    }
trap:
    /* The op at `op` did not retire, nor did any after it in the block. */
    {
        uint32_t undone = b->n_insns - RETIRED_BEFORE_OP;
        h->budget += undone;
    }
    h->pc = OPPC;
    if (cause == 0xffffffffu)
        return RV_EXIT_NOMEM;
    h->cause = cause;
    return RV_EXIT_TRAP;

code_written:
    /* The store at `op` retired and changed code: leave the block (it may be
     * stale), resynchronise, go on after the store. */
    {
        uint32_t undone = b->n_insns - RETIRED_BEFORE_OP - 1;
        h->budget += undone;
        pc = OPPC + op->len;
    }
    rv_sync(h);
    goto lookup;
}

struct rv_hart *rv_hart_new(struct mem_space *as)
{
    /* Blocks decoded before the first run need the handler addresses. */
    if (!rv_handler_table)
        rv_run(NULL);
    struct mem_pool *pool = mem_space_pool(as);
    if (!mem_pool_charge(pool, (int64_t)MEM_PAGES_OF(sizeof(struct rv_hart))))
        return NULL;
    struct rv_hart *h = calloc(1, sizeof *h);
    if (h)
        h->cache = rv_cache_new(pool);
    if (!h || !h->cache) {
        free(h);
        mem_pool_charge(pool, -(int64_t)MEM_PAGES_OF(sizeof(struct rv_hart)));
        return NULL;
    }
    h->as = as;
    if (!rv_tlb_init(h)) {
        rv_cache_free(h->cache);
        free(h);
        mem_pool_charge(pool, -(int64_t)MEM_PAGES_OF(sizeof(struct rv_hart)));
        return NULL;
    }
    mem_view_attach(as, &h->view);
    h->cache->code_gen = mem_space_code_gen(as);
    h->budget = h->budget_start = INT64_MAX;
    h->time_base_ns = host_time_monotonic_ns();
    rv_flush_tlb(h);
    return h;
}

struct rv_cache *rv_hart_switch(struct rv_hart *h, struct mem_space *as, struct rv_cache *cache)
{
    struct rv_cache *old = h->cache;
    if (as != h->as) {
        mem_view_detach(&h->view);
        h->as = as;
        mem_view_attach(as, &h->view);
    }
    h->cache = cache;
    h->tlb_gen = 0;     /* no generation is 0: the next rv_sync flushes the TLB */
    h->resv_valid = false;
    return old;
}

void rv_set_budget(struct rv_hart *h, int64_t n)
{
    h->instret_base = rv_instret(h);
    h->budget = h->budget_start = n;
}

void rv_hart_free(struct rv_hart *h)
{
    if (!h)
        return;
    mem_view_detach(&h->view);
    rv_tlb_free(h);
    rv_cache_free(h->cache);
    mem_pool_charge(mem_space_pool(h->as), -(int64_t)MEM_PAGES_OF(sizeof(struct rv_hart)));
    free(h);
}

const char *rv_cause_name(uint32_t cause)
{
    switch (cause) {
    case RV_CAUSE_FETCH_MISALIGNED: return "instruction address misaligned";
    case RV_CAUSE_FETCH_ACCESS: return "instruction access";
    case RV_CAUSE_ILLEGAL: return "illegal instruction";
    case RV_CAUSE_BREAKPOINT: return "breakpoint";
    case RV_CAUSE_LOAD_MISALIGNED: return "load address misaligned";
    case RV_CAUSE_LOAD_ACCESS: case RV_CAUSE_LOAD_PAGE: return "load access";
    case RV_CAUSE_STORE_MISALIGNED: return "store address misaligned";
    case RV_CAUSE_STORE_ACCESS: case RV_CAUSE_STORE_PAGE: return "store access";
    case RV_CAUSE_FETCH_PAGE: return "instruction fetch";
    case RV_CAUSE_ECALL_U: return "environment call";
    }
    return "unknown exception";
}
