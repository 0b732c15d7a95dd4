/*
 * proc.c — a process-mode guest from creation to exit: the address space,
 * the ELF image, the Linux initial stack, and the run loop that serves the
 * hart's exits.
 *
 * Initial stack (System V psABI, Linux), growing down from PROC_STACK_TOP:
 *
 *   [ strings: execfn, argv[], envp[] ]  [ AT_RANDOM bytes ]  (padding)
 *   [ auxv pairs ... AT_NULL ]
 *   [ envp pointers ... NULL ]
 *   [ argv pointers ... NULL ]
 *   [ argc ]  <- sp, 16-byte aligned
 */
#include "user/proc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "user/elf.h"
#include "user/fs.h"
#include "user/lx.h"

#define DEFAULT_MEM_LIMIT (2ull << 30)

/* AT_HWCAP: one bit per single-letter extension, 'a' = bit 0. */
#define HWCAP_IMAFDC ((1u << ('i' - 'a')) | (1u << ('m' - 'a')) | (1u << ('a' - 'a')) | \
                      (1u << ('f' - 'a')) | (1u << ('d' - 'a')) | (1u << ('c' - 'a')))

enum {
    AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7,
    AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14,
    AT_HWCAP = 16, AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_HWCAP2 = 26,
    AT_EXECFN = 31,
};

/* What a process costs the monitor beyond its hart and pages. */
#define PROC_FIXED_PAGES MEM_PAGES_OF(sizeof(struct proc) + fs_table_bytes())

struct proc *proc_new(const struct proc_options *opt)
{
    struct proc *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->shared_pool = opt->pool != NULL;
    p->forked = opt->forked;
    p->pool = opt->pool ? opt->pool
                        : mem_pool_new_child(opt->parent_pool, opt->mem_limit ? opt->mem_limit : DEFAULT_MEM_LIMIT);
    if (!p->pool || !mem_pool_charge(p->pool, (int64_t)PROC_FIXED_PAGES))
        goto fail_pool;
    p->as = mem_space_new(p->pool);
    if (!p->as || (opt->backing && mem_space_set_backing(p->as, opt->backing) != 0))
        goto fail;
    p->hart = rv_hart_new(p->as);
    if (!p->hart || proc_threads_init(p) != 0)
        goto fail;
    p->areas = mm_areas_new();
    if (!p->areas)
        goto fail;
    if (!opt->no_fs && !(p->fs = fs_new()))
        goto fail;
    p->pid = p->pgid = p->sid = PROC_PID;
    if (!opt->forked && proc_tree_new(p) != 0)   /* a forked one joins its parent's */
        goto fail;
    p->budget = opt->budget > 0 ? opt->budget : INT64_MAX;
    p->hart->trace_insns = opt->trace_insns;
    p->hart->no_jit = opt->no_jit;
    p->trace_syscalls = opt->trace_syscalls;
    if (p->fs)
        fs_set_stream_meta(p->fs, opt->stream_meta);
    return p;
fail:
    proc_free(p);
    return NULL;
fail_pool:
    if (!p->shared_pool)
        mem_pool_free(p->pool);
    free(p);
    return NULL;
}

void proc_free(struct proc *p)
{
    if (!p)
        return;
    /* The first process of a VM: the others end first (they may still
     * signal it), then its threads, then the others are freed. */
    if (!p->forked)
        proc_tree_end(p);
    proc_threads_free(p);   /* stops and joins the other threads */
    if (!p->forked)
        proc_tree_free(p);
    if (p->fs)
        fs_free(p->fs);
    mm_areas_free(p->areas);
    mem_space_free(p->as);
    mem_pool_charge(p->pool, -(int64_t)PROC_FIXED_PAGES);
    if (!p->shared_pool)
        mem_pool_free(p->pool);
    free(p);
}

/* A cursor writing the initial stack downwards. */
struct stack {
    struct proc *p;
    uint64_t sp;
    int err;
};

static uint64_t push_bytes(struct stack *s, const void *data, size_t len)
{
    s->sp -= len;
    if (!s->err && mem_poke(s->p->as, s->sp, data, len) != 0)
        s->err = 1;
    return s->sp;
}

static void put64(struct stack *s, uint64_t addr, uint64_t v)
{
    uint8_t b[8];
    st64(b, v);
    if (!s->err && mem_poke(s->p->as, addr, b, 8) != 0)
        s->err = 1;
}

int proc_load(struct proc *p, const char *path, const struct elf_src *src,
              int argc, char *const argv[], int envc, char *const envp[], char *err, size_t errlen)
{
    struct elf_image img;
    int r = elf_load_src(p->as, src, PROC_PIE_BASE, PROC_MMAP_TOP, &img, err, errlen);
    if (r == MEM_ENOMEM) {
        snprintf(err, errlen, "out of memory loading the program (raise --mem)");
        return -2;
    }
    if (r == MEM_EFAULT)
        return -3;
    if (r == MEM_EIO)
        return -4;
    if (r != 0)
        return -1;
    uint64_t lo = img.lo & MEM_PAGE_MASK, hi = (img.hi + MEM_PAGE_SIZE - 1) & MEM_PAGE_MASK;
    /* The areas list learns the image, so mmap never lands on it. */
    mm_areas_note(p, lo, hi);
    p->entry = img.entry;
    p->phdr_addr = img.phdr_addr;
    p->phent = img.phent;
    p->phnum = img.phnum;
    p->load_bias = img.load_bias;
    p->brk_start = p->brk_cur = p->brk_mapped = hi;

    /* The signal return trampoline (user/signal.c), as Linux's vDSO. */
    if (sig_map_trampoline(p) != 0) {
        snprintf(err, errlen, "out of memory for the signal trampoline (raise --mem)");
        return -2;
    }

    /* Stack. */
    uint64_t stack_lo = PROC_STACK_TOP - PROC_STACK_SIZE;
    if (mm_map_fixed(p, stack_lo, PROC_STACK_SIZE, MEM_R | MEM_W) != 0) {
        snprintf(err, errlen, "out of memory for the stack (raise --mem)");
        return -2;
    }
    size_t strings = strlen(path) + 1;
    for (int i = 0; i < argc; i++)
        strings += strlen(argv[i]) + 1;
    for (int i = 0; i < envc; i++)
        strings += strlen(envp[i]) + 1;
    size_t words = 1 + (size_t)argc + 1 + (size_t)envc + 1 + 2 * 18;
    if (strings + words * 8 + 64 > PROC_STACK_SIZE / 4) {
        snprintf(err, errlen, "arguments and environment too large (%zu bytes)", strings);
        return -1;
    }

    struct stack s = { p, PROC_STACK_TOP, 0 };
    static const uint8_t end_marker[8];
    push_bytes(&s, end_marker, sizeof end_marker);
    uint64_t execfn = push_bytes(&s, path, strlen(path) + 1);
    uint64_t *argv_at = calloc((size_t)argc + (size_t)envc + 1, sizeof *argv_at);
    if (!argv_at) {
        snprintf(err, errlen, "out of host memory");
        return -2;
    }
    for (int i = envc - 1; i >= 0; i--)
        argv_at[argc + i] = push_bytes(&s, envp[i], strlen(envp[i]) + 1);
    for (int i = argc - 1; i >= 0; i--)
        argv_at[i] = push_bytes(&s, argv[i], strlen(argv[i]) + 1);
    uint8_t rnd[16];
    host_random(rnd, sizeof rnd);
    s.sp &= ~15ull;
    uint64_t random_at = push_bytes(&s, rnd, sizeof rnd);
    p->at_random = random_at;

    const uint64_t aux[][2] = {
        { AT_PHDR, img.phdr_addr }, { AT_PHENT, img.phent }, { AT_PHNUM, img.phnum },
        { AT_PAGESZ, MEM_PAGE_SIZE }, { AT_BASE, 0 }, { AT_FLAGS, 0 }, { AT_ENTRY, img.entry },
        { AT_UID, PROC_UID }, { AT_EUID, PROC_UID }, { AT_GID, PROC_GID }, { AT_EGID, PROC_GID },
        { AT_HWCAP, HWCAP_IMAFDC }, { AT_CLKTCK, 100 }, { AT_SECURE, 0 }, { AT_RANDOM, random_at },
        { AT_HWCAP2, 0 }, { AT_EXECFN, execfn }, { AT_NULL, 0 },
    };
    size_t naux = sizeof aux / sizeof aux[0];
    size_t nwords = 1 + (size_t)argc + 1 + (size_t)envc + 1 + 2 * naux;
    s.sp = (s.sp - nwords * 8) & ~15ull;
    uint64_t w = s.sp;
    put64(&s, w, (uint64_t)argc), w += 8;
    for (int i = 0; i < argc; i++)
        put64(&s, w, argv_at[i]), w += 8;
    put64(&s, w, 0), w += 8;
    for (int i = 0; i < envc; i++)
        put64(&s, w, argv_at[argc + i]), w += 8;
    put64(&s, w, 0), w += 8;
    for (size_t i = 0; i < naux; i++) {
        put64(&s, w, aux[i][0]), w += 8;
        put64(&s, w, aux[i][1]), w += 8;
    }
    free(argv_at);
    if (s.err) {
        snprintf(err, errlen, "out of memory building the stack (raise --mem)");
        return -2;
    }
    /* As execve leaves them: every register zero but sp (and pc). */
    memset(p->hart->x, 0, sizeof p->hart->x);
    memset(p->hart->f, 0, sizeof p->hart->f);
    p->hart->fflags = p->hart->frm = 0;
    p->hart->x[2] = s.sp;
    p->hart->pc = img.entry;
    return 0;
}

/*
 * execve's last step. The new image is built in a new address space with
 * a new hart, so that a program that fails to load leaves the caller as
 * it was; then the old ones go. Only a single-threaded process execs
 * (user/process.c checks), so no other hart uses the old space.
 */
long proc_exec(struct proc *p, const char *path, const uint8_t *file, size_t size,
               int argc, char *const argv[], int envc, char *const envp[])
{
    struct mem_space *as = mem_space_new(p->pool);
    struct mm_areas *areas = mm_areas_new();
    struct rv_hart *h = as ? rv_hart_new(as) : NULL;
    if (!as || !areas || !h) {
        rv_hart_free(h);
        mm_areas_free(areas);
        mem_space_free(as);
        return -LX_ENOMEM;
    }
    struct rv_hart *oh = p->hart;
    h->trace_insns = oh->trace_insns;
    h->no_jit = oh->no_jit;
    h->time_base_ns = oh->time_base_ns;
    rv_set_budget(h, 0);
    struct {
        struct mem_space *as;
        struct mm_areas *areas;
        uint64_t mmap_hint, entry, phdr_addr, phent, phnum, load_bias, brk_start, brk_cur, brk_mapped;
    } old = { p->as, p->areas, p->mmap_hint, p->entry, p->phdr_addr, p->phent, p->phnum, p->load_bias,
              p->brk_start, p->brk_cur, p->brk_mapped };
    p->as = as;
    p->areas = areas;
    p->hart = h;
    p->mmap_hint = 0;
    char err[256];
    struct elf_src src = elf_src_bytes(file, size);
    int r = proc_load(p, path, &src, argc, argv, envc, envp, err, sizeof err);
    if (r != 0) {
        p->as = old.as;
        p->areas = old.areas;
        p->hart = oh;
        p->mmap_hint = old.mmap_hint;
        p->entry = old.entry;
        p->phdr_addr = old.phdr_addr;
        p->phent = old.phent;
        p->phnum = old.phnum;
        p->load_bias = old.load_bias;
        p->brk_start = old.brk_start;
        p->brk_cur = old.brk_cur;
        p->brk_mapped = old.brk_mapped;
        rv_hart_free(h);
        mm_areas_free(areas);
        mem_space_free(as);
        if (p->trace_syscalls)
            fprintf(stderr, "[mvm] execve %s: %s\n", path, err);
        return r == -2 ? -LX_ENOMEM : -LX_ENOEXEC;
    }
    p->main->hart = h;
    p->reaped_instret += rv_instret(oh);
    rv_hart_free(oh);
    mm_areas_free(old.areas);
    mem_space_free(old.as);
    fs_exec(p->fs);
    sig_exec(p);
    p->main->robust_list = p->main->robust_len = 0;
    p->main->clear_child_tid = 0;
    return 0;
}

int proc_signal_of(uint32_t cause)
{
    switch (cause) {
    case RV_CAUSE_ILLEGAL: return LX_SIGILL;
    case RV_CAUSE_BREAKPOINT: return LX_SIGTRAP;
    case RV_CAUSE_LOAD_MISALIGNED: case RV_CAUSE_STORE_MISALIGNED: return LX_SIGBUS;
    }
    return LX_SIGSEGV;
}
