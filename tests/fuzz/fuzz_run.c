/*
 * fuzz_run.c — libFuzzer target for the whole synthetic CPU: decoder,
 * block cache, interpreter, TLB and address space (rv/, mem/).
 *
 * Input: byte 0 picks a step size k (1..8), the rest is guest code, placed
 * at CODE_BASE in pages that are readable, writable (self-modifying code
 * is fair game) and executable. Registers point into a data area and a
 * stack. The code runs for at most BUDGET instructions on a fresh hart; an
 * ecall is served by a tiny runtime (exit, and map/unmap/protect of up to
 * 1 MiB, so the code can pull pages from under its own feet); a trap ends
 * the run. It must never crash or hang the host, only end as a guest.
 *
 * Oracle: the same code runs twice, on two fresh harts — once with the
 * whole budget and the block compiler on (where the host has one), once
 * interpreted only (no_jit) in slices of k instructions (a budget exit
 * after every slice). Compiled code must have the interpreter's exact
 * semantics (jit.h), instret is exact at every exit and a budget exit is
 * only a pause (rv.h, interp.c), so both runs must end identically:
 * same exit, cause, trap value, pc, registers, FP state, instret, and the
 * same permissions and bytes in every page of the three areas. The time CSR is the one host-dependent input; the
 * build wraps host_time_monotonic_ns (-Wl,--wrap) to a fixed clock.
 * Also checked at every exit: x0 is zero and instret never exceeds what
 * was granted. Any violation aborts, which libFuzzer reports with the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem/mem.h"
#include "rv/rv.h"

#define CODE_BASE 0x10000ull
#define CODE_MAX (16u * MEM_PAGE_SIZE)
#define DATA_BASE 0x100000ull
#define DATA_SIZE (16u * MEM_PAGE_SIZE)
#define STACK_BASE 0x200000ull
#define STACK_SIZE (4u * MEM_PAGE_SIZE)
#define BUDGET 4096
#define MAX_EXITS 256
#define MAX_MAP (1u << 20)
#define FUZZ_MEM_LIMIT (8u << 20)

/* The fixed clock the time CSR reads (see the header). */
uint64_t __wrap_host_time_monotonic_ns(void);
uint64_t __wrap_host_time_monotonic_ns(void) { return 1000000000ull; }

struct vm {
    struct mem_pool *pool;
    struct mem_space *as;
    struct rv_hart *h;
    int last_exit;
};

static void violated(const char *what)
{
    fprintf(stderr, "fuzz_run: %s\n", what);
    abort();
}

static void vm_free(struct vm *v)
{
    rv_hart_free(v->h);
    mem_space_free(v->as);
    mem_pool_free(v->pool);
}

static int vm_init(struct vm *v, const uint8_t *code, size_t len)
{
    memset(v, 0, sizeof *v);
    v->pool = mem_pool_new(FUZZ_MEM_LIMIT);
    v->as = v->pool ? mem_space_new(v->pool) : NULL;
    v->h = v->as ? rv_hart_new(v->as) : NULL;
    if (!v->h)
        return -1;
    uint64_t code_len = (len + MEM_PAGE_SIZE - 1) & MEM_PAGE_MASK;
    if (!code_len)
        code_len = MEM_PAGE_SIZE;
    if (mem_map(v->as, CODE_BASE, code_len, MEM_R | MEM_W | MEM_X) != 0 ||
        mem_map(v->as, DATA_BASE, DATA_SIZE, MEM_R | MEM_W) != 0 ||
        mem_map(v->as, STACK_BASE, STACK_SIZE, MEM_R | MEM_W) != 0 ||
        (len && mem_poke(v->as, CODE_BASE, code, len) != 0))
        return -1;
    for (int i = 1; i < 32; i++)
        v->h->x[i] = DATA_BASE + 0x200 * (uint64_t)i;
    v->h->x[2] = STACK_BASE + STACK_SIZE;
    v->h->pc = CODE_BASE;
    return 0;
}

/* Serves an ecall; false when the guest asked to exit. */
static bool serve_ecall(struct vm *v)
{
    uint64_t *x = v->h->x;
    uint64_t a0 = x[10] & MEM_PAGE_MASK, len = x[11] & MEM_PAGE_MASK;
    int64_t r = -38;   /* ENOSYS */
    if (len > MAX_MAP)
        len = MAX_MAP;
    switch (x[17]) {
    case 93: case 94:
        return false;
    case 215: r = mem_unmap(v->as, a0, len); break;
    case 222: r = mem_map(v->as, a0, len, (int)(x[12] & 7)); break;
    case 226: r = mem_protect(v->as, a0, len, (int)(x[12] & 7)); break;
    }
    x[10] = (uint64_t)r;
    v->h->pc += 4;
    return true;
}

/* Runs until the guest ends or BUDGET instructions retired; slice 0 means
 * the whole budget at once, else at most slice instructions per rv_run. */
/* The causes a user-mode hart can trap with (privileged spec, mcause). */
static bool user_cause(uint32_t c)
{
    return c <= RV_CAUSE_STORE_ACCESS || c == RV_CAUSE_FETCH_PAGE || c == RV_CAUSE_LOAD_PAGE ||
           c == RV_CAUSE_STORE_PAGE;
}

static void vm_run(struct vm *v, unsigned slice)
{
    struct rv_hart *h = v->h;
    for (int ecalls = 0; ecalls < MAX_EXITS;) {
        uint64_t done = rv_instret(h);
        if (done > BUDGET)
            violated("more instructions retired than granted");
        uint64_t left = BUDGET - done;
        rv_set_budget(h, (int64_t)(slice && slice < left ? slice : left));
        int e = rv_run(h);
        v->last_exit = e;
        if (h->x[0] != 0)
            violated("x0 is not zero");
        if (rv_instret(h) > BUDGET)
            violated("more instructions retired than granted");
        switch (e) {
        case RV_EXIT_ECALL:
            ecalls++;
            if (!serve_ecall(v))
                return;
            break;
        case RV_EXIT_BUDGET:
            if (rv_instret(h) == BUDGET)
                return;
            if (!slice)
                violated("budget exit before the budget ran out");
            if (rv_instret(h) == done)
                violated("budget exit without retiring an instruction");
            break;
        case RV_EXIT_TRAP:
            if (!user_cause(h->cause))
                violated("trap with a cause user mode cannot have");
            return;
        case RV_EXIT_NOMEM:
            return;
        default:
            violated("rv_run returned no exit reason");
        }
    }
}

static void compare_area(struct vm *a, struct vm *b, uint64_t base, uint64_t size)
{
    static uint8_t pa[MEM_PAGE_SIZE], pb[MEM_PAGE_SIZE];
    for (uint64_t va = base; va < base + size; va += MEM_PAGE_SIZE) {
        int prot = mem_prot_at(a->as, va);
        if (prot != mem_prot_at(b->as, va))
            violated("page permissions differ between the two runs");
        if (prot < 0 || !(prot & MEM_R))
            continue;
        if (mem_read(a->as, va, pa, sizeof pa) != 0 || mem_read(b->as, va, pb, sizeof pb) != 0)
            violated("readable page cannot be read");
        if (memcmp(pa, pb, sizeof pa) != 0)
            violated("memory differs between the two runs");
    }
}

static void compare(struct vm *a, struct vm *b)
{
    struct rv_hart *x = a->h, *y = b->h;
    if (a->last_exit != b->last_exit)
        violated("the two runs ended differently");
    if (rv_instret(x) != rv_instret(y))
        violated("instret differs between the two runs");
    if (x->pc != y->pc)
        violated("pc differs between the two runs");
    if (a->last_exit == RV_EXIT_TRAP && (x->cause != y->cause || x->tval != y->tval))
        violated("trap cause or value differs between the two runs");
    if (memcmp(x->x, y->x, 32 * sizeof x->x[0]) != 0)
        violated("integer registers differ between the two runs");
    if (memcmp(x->f, y->f, sizeof x->f) != 0 || x->fflags != y->fflags || x->frm != y->frm)
        violated("FP state differs between the two runs");
    compare_area(a, b, CODE_BASE, CODE_MAX);
    compare_area(a, b, DATA_BASE, DATA_SIZE);
    compare_area(a, b, STACK_BASE, STACK_SIZE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size - 1 > CODE_MAX)
        return 0;
    unsigned slice = 1 + data[0] % 8;
    struct vm whole = { 0 }, sliced = { 0 };
    if (vm_init(&whole, data + 1, size - 1) == 0 && vm_init(&sliced, data + 1, size - 1) == 0) {
        vm_run(&whole, 0);
        sliced.h->no_jit = true;
        vm_run(&sliced, slice);
        compare(&whole, &sliced);
    }
    vm_free(&whole);
    vm_free(&sliced);
    return 0;
}
