/*
 * hcfuzz.c — a hostile guest that fuzzes SEQUENCES of hypercalls
 * (docs/hypercalls.md) and checks the monitor against a model of what it
 * did. tests/hcfuzz/run.sh runs it; see there for reproducing a failure.
 *
 *   hcfuzz SEED STEPS [--rw DIR] [--bin DIR] [--canary PATH] [--depth D]
 *                     [--slack N] [--level L] [--max-level M] [-v]
 *   hcfuzz --chain N [--bin DIR] [--depth D]
 *
 *   --rw DIR       a writable directory it sees, holding ro/ and sub/
 *   --bin DIR      a read-only directory with hcfuzz and hcfuzz-child
 *   --canary PATH  a host directory nobody granted (children try to open it)
 *   --depth D      the nesting depth of the VM it runs in (mvm run --depth)
 *   --slack N      VMs of forwarding levels in its handle table (trusted
 *                  mode at depth D: D-1)
 *   --level L, --max-level M   how deep copies of itself go (default 2)
 *   -v             every step on stderr
 *
 * From SEED a small deterministic generator makes a program of STEPS
 * random hypercalls over up to 8 live VMs of its own: VM_CREATE (random
 * configurations and flags, valid and not, NO_UNROLL with random backing
 * VMs, random charged parents), VM_MAP / VM_UNMAP (aligned or not, in the
 * child address window or wild, the backing slots above 2^40 included),
 * VM_WRITE / VM_READ (checked or not, across pages and off the window,
 * from and into bad buffers), VM_ADD_DIR and VM_REDIRECT (granted,
 * read-only, virtual and invisible paths, bad pointers), VM_SET_CWD,
 * VM_LOAD_ELF (the child program, a copy of this fuzzer, corrupted copies
 * of the child, garbage, bad sizes and argument blocks), VCPU_GET /
 * VCPU_SET, VM_SET_BUDGET, VM_RUN (serving the system-call and hypercall
 * exits of VMs created to have them), VM_STATS, VM_SYSCALL, VM_ERROR,
 * VM_DESTROY, handles it was never given, unknown call numbers, filling
 * the handle table. Two scenarios are mixed in: a VM that is not unrolled
 * loses its pages to its backing VM's (or the fuzzer's own) munmap while
 * stopped at a system call, and a VM with a finite budget runs a chain of
 * copies of the fuzzer. A copy of the fuzzer loaded into a VM runs a
 * shorter program of its own one level down, with whatever its parent
 * granted it, and fails the same way.
 *
 * The model (shadow state) is checked after every step:
 *   - handles: a fresh handle is 1..64 and not one it holds; a handle it
 *     destroyed or never got gives EBADF for every call; the table holds
 *     64 VMs (64-N with --slack N), the next VM_CREATE gives EMFILE, and
 *     at the end every handle gives EBADF and every slot is free again;
 *   - memory: VM_READ of the window returns exactly what it mapped (zero)
 *     and wrote, and what a child program stored there; reads of pages it
 *     unmapped or never mapped give EFAULT; a failed VM_WRITE leaves each
 *     byte old or new; nothing is written outside the buffer a call was
 *     given (guard bytes), and VM_RUN changes none of the fuzzer's memory
 *     but the exit record (a canary arena is compared after every run);
 *   - accounting: VM_STATS resident_bytes never exceeds a nonzero
 *     mem_limit the VM was created with; instructions change only in a
 *     VM_RUN and never decrease; the run cost an exit record reports
 *     covers what the VM retired (and is exactly that for a VM with no VMs
 *     of its own); after VM_SET_BUDGET(B) (or a config budget B) the VM
 *     retires, and its runs cost, at most B until the next VM_SET_BUDGET,
 *     and a budget exit comes after exactly B (less only when a VM above
 *     it ran out); the budgets a copy of the fuzzer was given cap what it
 *     and every VM below it retired (each copy keeps the count in
 *     `report`, which its parent reads out of its memory);
 *   - exits: reasons 1..5 (16/17 only for VMs created with the EXIT_*
 *     flags), status 124 for a budget exit, 128+signal for a death, 137
 *     for memory only under a limit; a child program that ran undisturbed
 *     exits with the status its arguments determine, its probe of the
 *     window faults exactly when the model says the page may not be read
 *     or written, its redirected stdout holds its line, and its own
 *     sandbox checks (read-only grants and the read-only mounts that come
 *     with a grant, invisible paths, foreign handles) pass; a finished VM
 *     stays finished; a VM whose backing pages were unmapped faults on its
 *     next access; a copy of the fuzzer exits 0;
 *   - every result is >= 0 or an errno the call may give per
 *     docs/hypercalls.md (with ELOOP, ENOEXEC, EBUSY for a second load,
 *     and the errors an open gives for paths), and where the arguments
 *     determine the error, that one.
 * What a VM does after the fuzzer set random registers, served a system
 * call it had not stopped at, mapped over its program or loaded a
 * corrupted program into it is not predicted, only checked for sane exits.
 *
 * A violated invariant prints "FAIL seed S step N: what" (after the last
 * 32 steps on stderr) and exits 1; a clean run prints a line of counts and
 * "ok seed S: N steps, M runs", and exits 0. A copy prefixes its lines
 * with "  [level L] ".
 *
 * --chain N: a chain of nested copies, each creating and running the
 * next, until the nesting limit: VM_CREATE must succeed below depth
 * MVM_MAX_DEPTH (32) and give ELOOP at it ("ok chain: ...").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hcfuzz.h"

#define MAXVM 8
#define W HCF_WIN
#define NPG HCF_NPG
#define PG HCF_PAGE
#define STACK_TOP 0x3ffffff000ull
#define SLOTS (1ull << 40)
#define MAX_DEPTH 32
#define MEM_MIN (1ull << 20)
#define MAXG 10

enum {
    E_PERM = 1, E_NOENT = 2, E_NOEXEC = 8, E_BADF = 9, E_NOMEM = 12, E_ACCES = 13, E_FAULT = 14,
    E_BUSY = 16, E_EXIST = 17, E_NOTDIR = 20, E_ISDIR = 21, E_INVAL = 22, E_MFILE = 24, E_ROFS = 30,
    E_NAMETOOLONG = 36, E_NOSYS = 38, E_LOOP = 40
};
#define B(e) (1ull << (e))
/* How a path the caller's own open would refuse may fail. */
#define PATH_ERRS (B(E_NOENT) | B(E_ACCES) | B(E_ROFS) | B(E_NOTDIR) | B(E_ISDIR) | B(E_LOOP) | \
                   B(E_INVAL) | B(E_PERM) | B(E_EXIST))

/* ---- the generator, the trace, failing ----------------------------------- */

static uint64_t rs;
static uint64_t rnd(void)
{
    uint64_t z = (rs += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static uint64_t below(uint64_t n) { return n ? rnd() % n : 0; }
static int pct(int p) { return (int)below(100) < p; }
#define PICK(a) ((a)[below(sizeof(a) / sizeof((a)[0]))])

static uint64_t seed;
static long nsteps, step, nruns;
static long n_child_ok, n_probe_fault, n_sub_ok, n_budget, n_wild_end, n_sys_exits, n_hc_exits;

/*
 * What this fuzzer's VMs, at any depth, retired: the sum of every VM_RUN's
 * growth of their instruction counts, plus what copies of the fuzzer among
 * them report of theirs. A parent reads it out of a copy's memory (the
 * same program: the same address) to check that a budget it gave caps
 * the copy's whole subtree.
 */
#define REPORT_MAGIC 0x5452504552464348ull   /* "HCFREPRT" */
static volatile uint64_t report[2] = { REPORT_MAGIC, 0 };
static int level, max_level = 2, slack, vmdepth = 1, verbose;
static int maxh;
static char pfx[32];
static char rw[256], bin[256], subd[300], canary[512];

static char trace[32][240];
static long ntrace;

static void note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(trace[ntrace % 32], sizeof trace[0], fmt, ap);
    va_end(ap);
    if (verbose)
        fprintf(stderr, "%s[%ld] %s\n", pfx, step, trace[ntrace % 32]);
    ntrace++;
}

static void fail(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fflush(stdout);
    long from = ntrace > 32 ? ntrace - 32 : 0;
    for (long i = from; i < ntrace; i++)
        fprintf(stderr, "%s  last steps: %s\n", pfx, trace[i % 32]);
    printf("%sFAIL seed %llu step %ld: %s\n", pfx, (unsigned long long)seed, step, msg);
    fflush(stdout);
    exit(HCF_SUB_FAIL);
}

static const char *errs_str(uint64_t set)
{
    static char bufs[2][256];
    static int which;
    char *b = bufs[which++ & 1];
    size_t n = 0;
    b[0] = 0;
    for (int e = 1; e < 64 && n < sizeof bufs[0] - 8; e++)
        if (set & B(e))
            n += (size_t)snprintf(b + n, sizeof bufs[0] - n, "%s-%d", n ? "|" : "", e);
    return n ? b : "success";
}

/*
 * Checks result r of what: with `must` nonempty it has to be one of those
 * errors (or of `may`); otherwise success or one of `may`. Returns r.
 */
static long check(const char *what, long r, uint64_t must, uint64_t may)
{
    if (r >= 0) {
        if (must)
            fail("%s succeeded (%ld), want %s", what, r, errs_str(must));
        return r;
    }
    long e = -r;
    if (e >= 64 || !((must | may) & B(e)))
        fail("%s gave %ld, want %s%s%s", what, r, must ? errs_str(must) : "success",
             may ? " or " : "", may ? errs_str(may) : "");
    return r;
}

/* ---- buffers ------------------------------------------------------------- */

#define GUARD 256
static uint8_t *ro_page, *none_page, *edge_page, *edge_end;
static uint8_t arena[65536];             /* must never change */
static uint8_t srcbuf[4 * PG + 64];
static uint8_t dstarea[GUARD + 4 * PG + 64 + GUARD];
static uint8_t exitarea[GUARD + MVM_HC_EXIT_SIZE + GUARD];
static uint8_t regsarea[GUARD + MVM_HC_REGS_SIZE + GUARD];
static uint8_t regs2[GUARD + MVM_HC_REGS_SIZE + GUARD];
static uint8_t statsarea[GUARD + MVM_HC_STATS_SIZE + GUARD];
static uint8_t errarea[GUARD + 4096 + GUARD];
static uint8_t cfgbuf[MVM_HC_CONFIG_SIZE];
static char strbuf[8][4200];
static uint8_t argsbuf[8192];
static char longstr[8192];

static uint64_t gen_state;
static uint8_t gen_byte(void)
{
    gen_state = gen_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint8_t)(gen_state >> 56);
}

static void fill_arena(uint8_t *out)
{
    gen_state = seed ^ 0xa5a5a5a55a5a5a5aull;
    for (size_t i = 0; i < sizeof arena; i++)
        out[i] = gen_byte();
}

static void check_arena(const char *after)
{
    gen_state = seed ^ 0xa5a5a5a55a5a5a5aull;
    for (size_t i = 0; i < sizeof arena; i++)
        if (arena[i] != gen_byte())
            fail("the fuzzer's own memory changed (canary arena byte %zu) after %s", i, after);
}

static void guard_fill(uint8_t *area, size_t total)
{
    for (size_t i = 0; i < total; i++)
        area[i] = (uint8_t)(0xc3 ^ i);
}

/* Bytes of area outside [GUARD, GUARD + len) must still be the pattern. */
static void guard_check(const uint8_t *area, size_t total, size_t len, const char *what)
{
    for (size_t i = 0; i < total; i++) {
        if (i >= GUARD && i < GUARD + len)
            continue;
        if (area[i] != (uint8_t)(0xc3 ^ i))
            fail("%s wrote outside the buffer it was given (offset %ld)", what, (long)i - GUARD);
    }
}

/* A pointer the caller may not read (need bytes from it). */
static uint64_t bad_ptr(size_t need)
{
    switch (below(8)) {
    case 0: return 0;
    case 1: return 0x10;
    case 2: return 0xfffffffffffff000ull;
    case 3: return (uint64_t)(uintptr_t)none_page;
    case 4: return (uint64_t)(uintptr_t)edge_end - (need > 1 ? 1 + below(need - 1) : 0);
    case 5: return 1ull << 47;
    case 6: return (uint64_t)-8;
    default: return 0x3000;
    }
}

/* A pointer the caller may not write through (need bytes). */
static uint64_t bad_dst(size_t need)
{
    return pct(25) ? (uint64_t)(uintptr_t)ro_page : bad_ptr(need);
}

static uint32_t ld32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t ld64(const uint8_t *p) { return ld32(p) | (uint64_t)ld32(p + 4) << 32; }
static void st32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }
static void st64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> 8 * i); }

/* ---- the model ------------------------------------------------------------ */

enum { PG_UNMAPPED, PG_MAPPED, PG_UNKNOWN };
enum { K_NONE, K_CHILD, K_SUB, K_WILD, K_CHAIN };   /* K_CHAIN: a copy running --chain */
enum { U_G, U_GRO, U_SUB };   /* what a grant is: rw dir (with ro/ and sub/), bin dir, sub dir */

struct grant {
    int under, ro, ro_unknown;   /* ro_unknown: writable or not, either is fine */
    char guest[256];
};

struct vm {
    int live, id;
    long h;
    unsigned cflags;
    uint64_t mem_limit;
    int backing_id, parent_id;   /* 0: the fuzzer; -1: none */
    uint8_t st[NPG], prot[NPG], lock[NPG];
    int loaded, kind, tampered, started, finished, fin_status, pending_sys, run_sys, hc_enosys, last_noexec;
    uint64_t instr;
    int64_t budget;              /* 0: unlimited */
    uint64_t spent, cost, charged;   /* since the budget was set: retired, what its runs cost (its own VMs'
                                        instructions too), what VMs charged to it ran */
    uint64_t desc;                   /* a copy of the fuzzer: what its VMs at any depth retired (it says) */
    uint64_t all_spent, budget_sum;  /* retired in its life; the sum of the budgets it was given
                                        (~0: one was unlimited) */
    /* the child program's expectations */
    uint64_t hval, cseed, probe, probe_v;
    int has_probe, exp_fault, exp_status;
    int ngrants;
    struct grant g[MAXG];
    char out[600];
    int out_ok;
};

static struct vm vms[MAXVM];
static uint8_t shadow[MAXVM][NPG][PG];
static int held[MVM_HC_MAX_CHILDREN + 1];   /* handle -> model index, -1 free */
static int nheld, next_id = 1, out_ctr;

static uint8_t *child_img, *self_img, *work_img;
static size_t child_size, self_size;

static int vidx(const struct vm *v) { return (int)(v - vms); }

static struct vm *by_id(int id)
{
    for (int i = 0; i < MAXVM; i++)
        if (vms[i].live && vms[i].id == id)
            return &vms[i];
    return NULL;
}

static int nlive(void)
{
    int n = 0;
    for (int i = 0; i < MAXVM; i++)
        n += vms[i].live;
    return n;
}

static struct vm *pick_live(void)
{
    int n = nlive();
    if (!n)
        return NULL;
    int k = (int)below((uint64_t)n);
    for (int i = 0; i < MAXVM; i++)
        if (vms[i].live && k-- == 0)
            return &vms[i];
    return NULL;
}

/* A live VM that satisfies want (tried a few times), else any live VM. */
static struct vm *pick_pref(int (*want)(const struct vm *))
{
    for (int t = 0; t < 4; t++) {
        struct vm *c = pick_live();
        if (c && want(c))
            return c;
    }
    return pick_live();
}
static int is_unloaded(const struct vm *v) { return !v->loaded; }
static int is_done(const struct vm *v) { return v->finished || v->tampered; }
static int is_runnable(const struct vm *v) { return v->loaded && !v->finished; }

/* A handle value nothing of ours holds (a destroyed one, a never-given
 * one, or out of range). */
static long bad_handle(void)
{
    static const long odd[] = { 0, 65, -1, 1L << 32 | 1, 1L << 40, 0x7fffffffffffffffL, -65 };
    if (pct(70)) {
        for (int t = 0; t < 8; t++) {
            long h = 1 + (long)below(MVM_HC_MAX_CHILDREN);
            if (held[h] < 0)
                return h;
        }
    }
    return PICK(odd);
}

/* The same, for arguments where 0 means "the caller itself". */
static long bad_handle_nz(void)
{
    long h;
    while ((h = bad_handle()) == 0)
        ;
    return h;
}

/* Errors any VM's memory may run into: its own limit, or one above. */
static int limited(const struct vm *v)
{
    if (level > 0)
        return 1;
    for (int d = 0; v && d < 16; d++) {
        if (v->mem_limit)
            return 1;
        const struct vm *b = v->backing_id > 0 ? by_id(v->backing_id) : NULL;
        if (b && limited(b))
            return 1;
        v = v->parent_id > 0 ? by_id(v->parent_id) : NULL;
    }
    return 0;
}

/* Has v, or a VM above it (charged for what it runs), used up its budget? */
static int exhausted(const struct vm *v)
{
    return v->budget > 0 && v->cost + v->charged >= (uint64_t)v->budget;
}

static int ancestor_exhausted(const struct vm *v)
{
    for (int d = 0; d < 16 && v->parent_id > 0; d++) {
        v = by_id(v->parent_id);
        if (!v)
            return 0;
        if (exhausted(v))
            return 1;
    }
    return 0;
}

/* Does a VM above v (charged for it) have a budget of its own? */
static int ancestor_budget(const struct vm *v)
{
    if (level > 0)
        return 1;
    for (int d = 0; d < 16 && v->parent_id > 0; d++) {
        v = by_id(v->parent_id);
        if (!v)
            return 0;
        if (v->budget > 0)
            return 1;
    }
    return 0;
}

static void forget(struct vm *v)
{
    held[v->h] = -1;
    nheld--;
    v->live = 0;
}

static void unknown_window(struct vm *v)
{
    for (int p = 0; p < NPG; p++) {
        v->st[p] = PG_UNKNOWN;
        v->lock[p] = 0;
    }
    v->has_probe = 0;
}

/* VMs whose pages live in `id`'s memory (and theirs) lose them. */
static void slots_gone(int id)
{
    for (int i = 0; i < MAXVM; i++) {
        struct vm *u = &vms[i];
        if (u->live && (u->cflags & MVM_HC_CREATE_NO_UNROLL) && u->backing_id == id) {
            u->tampered = 1;
            unknown_window(u);
            slots_gone(u->id);
        }
    }
}

/* After VM id went, find out which VMs that depended on it (pages in it,
 * charged to it) went with it: asking them is the only way to know. */
static void resolve_dependents(void)
{
    for (int again = 1; again;) {
        again = 0;
        for (int i = 0; i < MAXVM; i++) {
            struct vm *u = &vms[i];
            if (!u->live)
                continue;
            int dep = (u->backing_id > 0 && !by_id(u->backing_id)) || (u->parent_id > 0 && !by_id(u->parent_id));
            if (!dep)
                continue;
            long r = hc(MVM_HC_VCPU_GET, u->h, (long)(regs2 + GUARD), 0, 0, 0, 0);
            check("VCPU_GET of a VM whose backing or parent was destroyed", r, 0, B(E_BADF));
            note("  vm%d (h%ld) depended on a destroyed VM: %s", u->id, u->h, r == 0 ? "still there" : "gone");
            if (r == 0) {
                if (u->backing_id > 0 && !by_id(u->backing_id))
                    u->backing_id = -1;
                if (u->parent_id > 0 && !by_id(u->parent_id))
                    u->parent_id = -1;
            } else {
                forget(u);
                again = 1;
            }
        }
    }
}

/* ---- reading the model ---------------------------------------------------- */

static long pidx(uint64_t a)
{
    return a >= W && a < W + NPG * PG ? (long)((a - W) / PG) : -1;
}

/* 1: a child load (checked) or the owner's read (unchecked) of page p
 * works, 0: it faults, -1: cannot tell. */
static int rd_ok(const struct vm *v, long p, int checked)
{
    if (p < 0)   /* outside the window: never mapped, unless a wild program did */
        return v->tampered ? -1 : 0;
    if (v->st[p] == PG_UNKNOWN)
        return -1;
    if (v->lock[p] && v->started && !v->finished)
        return -1;
    if (v->st[p] == PG_UNMAPPED)
        return 0;
    if (checked)
        return (v->prot[p] & 3) != 0;   /* write access implies read */
    return v->prot[p] ? 1 : -1;          /* PROT_NONE: the owner may or may not */
}

static int wr_ok(const struct vm *v, long p, int checked)
{
    if (p < 0)
        return v->tampered ? -1 : 0;
    if (v->st[p] == PG_UNKNOWN)
        return -1;
    if (v->st[p] == PG_UNMAPPED)
        return 0;
    return checked ? (v->prot[p] & 2) != 0 : 1;
}

/* 1 all pages of [a, a+len) pass, 0 some page definitely fails, -1 unknown. */
static int range_ok(const struct vm *v, uint64_t a, uint64_t len, int checked, int write)
{
    if (len == 0)
        return 1;
    if (a + len < a)
        return 0;
    int unk = 0;
    for (uint64_t pa = a & ~(PG - 1); pa < a + len; pa += PG) {
        int ok = write ? wr_ok(v, pidx(pa), checked) : rd_ok(v, pidx(pa), checked);
        if (ok == 0)
            return 0;
        if (ok < 0)
            unk = 1;
    }
    return unk ? -1 : 1;
}

static int range_locked(const struct vm *v, uint64_t a, uint64_t len)
{
    for (uint64_t pa = a & ~(PG - 1); pa < a + len && pa >= (a & ~(PG - 1)); pa += PG) {
        long p = pidx(pa);
        if (p >= 0 && v->lock[p])
            return 1;
        if (pa + PG < pa)
            break;
    }
    return 0;
}

/* Does [a, a+len) (len may be huge) touch the window? */
static int hits_window(uint64_t a, uint64_t len)
{
    uint64_t end = a + len < a ? ~0ull : a + len;
    return a < W + NPG * PG && end > W;
}

static int window_locked(const struct vm *v)
{
    for (int p = 0; p < NPG; p++)
        if (v->lock[p])
            return 1;
    return 0;
}

/* ---- stats ---------------------------------------------------------------- */

struct stats {
    uint64_t instructions, syscalls, resident, peak;
};

static long get_stats(struct vm *v, struct stats *s)
{
    guard_fill(statsarea, sizeof statsarea);
    long r = hc(MVM_HC_VM_STATS, v->h, (long)(statsarea + GUARD), 0, 0, 0, 0);
    check("VM_STATS", r, 0, 0);
    guard_check(statsarea, sizeof statsarea, MVM_HC_STATS_SIZE, "VM_STATS");
    const uint8_t *w = statsarea + GUARD;
    s->instructions = ld64(w);
    s->syscalls = ld64(w + 8);
    s->resident = ld64(w + 48);
    s->peak = ld64(w + 56);
    if (v->mem_limit && s->resident > v->mem_limit)
        fail("vm%d (h%ld): resident_bytes %llu exceeds the mem_limit %llu it was created with", v->id, v->h,
             (unsigned long long)s->resident, (unsigned long long)v->mem_limit);
    return r;
}

/* ---- VM_CREATE ------------------------------------------------------------ */

/* The sum of budgets, ~0 once one of them is unlimited. */
static uint64_t add_budget(uint64_t sum, int64_t b)
{
    return sum == ~0ull || b <= 0 || sum + (uint64_t)b < sum ? ~0ull : sum + (uint64_t)b;
}

static struct vm *new_model(long h, unsigned cflags, uint64_t lim, int64_t bud, int backing_id, int parent_id)
{
    struct vm *v = NULL;
    for (int i = 0; i < MAXVM && !v; i++)
        if (!vms[i].live)
            v = &vms[i];
    memset(v, 0, sizeof *v);
    v->live = 1;
    v->id = next_id++;
    v->h = h;
    v->cflags = cflags;
    v->mem_limit = lim;
    v->budget = bud;
    v->budget_sum = add_budget(0, bud);
    v->backing_id = backing_id;
    v->parent_id = parent_id;
    memset(shadow[vidx(v)], 0, sizeof shadow[0]);
    held[h] = vidx(v);
    nheld++;
    return v;
}

static void accept_handle(long r, const char *what)
{
    if (r < 1 || r > MVM_HC_MAX_CHILDREN)
        fail("%s gave handle %ld, outside 1..%d", what, r, MVM_HC_MAX_CHILDREN);
    if (held[r] >= 0)
        fail("%s gave handle %ld, which it already holds", what, r);
}

static void op_create(void)
{
    if (nlive() >= MAXVM)
        return;
    static const uint64_t lims[] = { 0, 0, 0, 0, 0, 0, 1, 4095, 100000, 1 << 20, 4 << 20, 16 << 20, 64 << 20,
                                     1ull << 40, ~0ull };
    static const int64_t buds[] = { 0, 0, 0, 0, 0, 1, 1000, 50000, 2000000, 0x7fffffffffffffffLL, -1,
                                    (int64_t)0x8000000000000000ull };
    static const uint32_t cfs[] = { 0, 0, 0, 0, 0, 4, 8, 12, 0x10, 1, 2, 0x20, 0x80000000u };
    static const uint64_t fls[] = { 0, 0, 0, 0, 1, 2, 3, 4, 4, 4, 5, 6, 7, 8, 0x100, 1ull << 32 };
    uint64_t lim = PICK(lims);
    int64_t bud = PICK(buds);
    uint32_t cf = PICK(cfs), resv = pct(4) ? (uint32_t)rnd() | 1 : 0;
    uint64_t fl = PICK(fls);
    uint64_t must = 0, may = 0;

    long backing = 0, parent = 0;
    struct vm *bv = NULL, *pv = NULL;
    int k = (int)below(100);
    if (k < 25 && (bv = pick_live()))
        backing = bv->h;
    else if (k < 33) {
        backing = bad_handle_nz();
        must |= B(E_BADF);
    }
    k = (int)below(100);
    if (k < 12 && (pv = pick_live()))
        parent = pv->h;
    else if (k < 18) {
        parent = bad_handle_nz();
        may |= B(E_BADF);   /* a monitor that predates `parent` ignores it */
    }
    if (fl & ~7ull)
        must |= B(E_INVAL);

    uint8_t *cfg = pct(5) ? ro_page : cfgbuf;   /* a read-only config is a good one */
    uint8_t *w = cfg == ro_page ? srcbuf : cfg;
    st64(w, lim);
    st64(w + 8, (uint64_t)bud);
    st32(w + 16, cf);
    st32(w + 20, resv);
    if (cfg == ro_page) {
        mprotect(ro_page, PG, PROT_READ | PROT_WRITE);
        memcpy(ro_page, w, MVM_HC_CONFIG_SIZE);
        mprotect(ro_page, PG, PROT_READ);
    }
    uint64_t cfg_addr = (uint64_t)(uintptr_t)cfg;
    if (pct(6)) {
        cfg_addr = bad_ptr(MVM_HC_CONFIG_SIZE);
        must |= B(E_FAULT);
    } else {
        if (bud < 0 || (cf & ~(4u | 8u | 0x10u)))
            must |= B(E_INVAL);
        if (cf & 0x10)
            may |= B(E_PERM) | B(E_INVAL);
        if (lim && lim < MEM_MIN)
            may |= B(E_INVAL);
        if (resv)
            may |= B(E_INVAL);
    }
    if (nheld >= maxh) {
        if (must)
            may |= B(E_MFILE);
        else
            must |= B(E_MFILE);
    }
    if (limited(pv) || limited(bv) || level > 0)
        may |= B(E_NOMEM);
    if (vmdepth + 1 > MAX_DEPTH)
        may |= B(E_LOOP);
    note("VM_CREATE(lim=%#llx bud=%lld cf=%#x resv=%#x, fl=%#llx, backing=%ld, parent=%ld) cfg=%#llx",
         (unsigned long long)lim, (long long)bud, cf, resv, (unsigned long long)fl, backing, parent,
         (unsigned long long)cfg_addr);
    long r = hc(MVM_HC_VM_CREATE, (long)cfg_addr, (long)fl, backing, parent, 0, 0);
    note("  = %ld", r);
    check("VM_CREATE", r, must, may);
    if (r <= 0)
        return;
    accept_handle(r, "VM_CREATE");
    int backing_id = (fl & MVM_HC_CREATE_NO_UNROLL) ? (bv ? bv->id : 0) : -1;
    int parent_id = pv ? pv->id : -1;
    struct vm *v = new_model(r, (unsigned)fl, lim, bud, backing_id, parent_id);
    note("  vm%d", v->id);
}

/* ---- VM_DESTROY ----------------------------------------------------------- */

static void op_destroy(void)
{
    struct vm *v = pct(80) ? pick_pref(is_done) : NULL;
    if (!v) {
        long h = bad_handle();
        note("VM_DESTROY(%ld) never given", h);
        check("VM_DESTROY of a handle not held", hc(MVM_HC_VM_DESTROY, h, 0, 0, 0, 0, 0), B(E_BADF), 0);
        return;
    }
    note("VM_DESTROY(h%ld) vm%d", v->h, v->id);
    check("VM_DESTROY", hc(MVM_HC_VM_DESTROY, v->h, 0, 0, 0, 0, 0), 0, 0);
    long h = v->h;
    forget(v);
    resolve_dependents();
    if (pct(50)) {
        check("VM_RUN of a destroyed handle", hc(MVM_HC_VM_RUN, h, (long)(exitarea + GUARD), 0, 0, 0, 0),
              B(E_BADF), 0);
        check("VM_DESTROY twice", hc(MVM_HC_VM_DESTROY, h, 0, 0, 0, 0, 0), B(E_BADF), 0);
    }
}

/* ---- VM_MAP / VM_UNMAP ---------------------------------------------------- */

/* Pages p0..p0+n-1 of the window. */
static void window_range(long *p0, long *n)
{
    *p0 = (long)below(NPG);
    *n = 1 + (long)below(4);
    if (*p0 + *n > NPG)
        *n = NPG - *p0;
}

static void op_map(void)
{
    struct vm *v = pct(92) ? pick_live() : NULL;
    if (!v) {
        long h = bad_handle();
        note("VM_MAP(%ld) never given", h);
        check("VM_MAP of a handle not held", hc(MVM_HC_VM_MAP, h, W, PG, 3, 0, 0), B(E_BADF), 0);
        return;
    }
    uint64_t may_nomem = limited(v) ? B(E_NOMEM) : 0;
    int k = (int)below(100);
    long p0, n;
    window_range(&p0, &n);
    if (k < 78) {
        if (range_locked(v, W + (uint64_t)p0 * PG, (uint64_t)n * PG))
            return;
        int prot = (int)below(8);
        long prot_arg = prot | (pct(8) ? 0x100 : 0);
        note("VM_MAP(h%ld vm%d, page %ld+%ld, prot %#lx)", v->h, v->id, p0, n, prot_arg);
        long r = hc(MVM_HC_VM_MAP, v->h, (long)(W + (uint64_t)p0 * PG), n * (long)PG, prot_arg, 0, 0);
        note("  = %ld", r);
        check("VM_MAP of the window", r, 0, may_nomem);
        for (long p = p0; p < p0 + n; p++) {
            if (r == 0) {
                v->st[p] = PG_MAPPED;
                v->prot[p] = (uint8_t)prot;
                memset(shadow[vidx(v)][p], 0, PG);
            } else {
                v->st[p] = PG_UNKNOWN;
            }
        }
        return;
    }
    if (k < 86) {
        uint64_t a = W + (uint64_t)p0 * PG, len = (uint64_t)n * PG;
        if (pct(50))
            a += 1 + below(PG - 1);
        else
            len -= 1 + below(PG - 1);
        note("VM_MAP(h%ld vm%d, %#llx, %#llx) unaligned", v->h, v->id, (unsigned long long)a, (unsigned long long)len);
        check("VM_MAP unaligned", hc(MVM_HC_VM_MAP, v->h, (long)a, (long)len, 3, 0, 0), B(E_INVAL), 0);
        return;
    }
    if (k < 89) {
        note("VM_MAP(h%ld vm%d, len 0)", v->h, v->id);
        check("VM_MAP of length 0", hc(MVM_HC_VM_MAP, v->h, W, 0, 3, 0, 0), B(E_INVAL), 0);
        return;
    }
    static const struct { uint64_t a, len; int ok; } wild[] = {
        { 0, PG, 0 }, { 0x8000, PG, 0 }, { 0x10000, PG, 1 }, { STACK_TOP - PG, PG, 1 }, { STACK_TOP, PG, 0 },
        { 1ull << 47, PG, 0 }, { W, 1ull << 63, 0 }, { (uint64_t)-PG, PG, 0 }, { 0x10000, (uint64_t)-0x20000, 0 },
        { 1ull << 48, PG, 0 },
    };
    int i = (int)below(sizeof wild / sizeof wild[0]);
    note("VM_MAP(h%ld vm%d, %#llx, %#llx) wild", v->h, v->id, (unsigned long long)wild[i].a,
         (unsigned long long)wild[i].len);
    long r = hc(MVM_HC_VM_MAP, v->h, (long)wild[i].a, (long)wild[i].len, 3, 0, 0);
    note("  = %ld", r);
    check("VM_MAP outside the window", r, wild[i].ok ? 0 : B(E_INVAL), wild[i].ok ? may_nomem : 0);
    if (wild[i].ok && v->loaded)
        v->tampered = 1;   /* (before a load, the load maps over it) */
}

static void op_unmap(void)
{
    struct vm *v = pct(92) ? pick_live() : NULL;
    if (!v) {
        long h = bad_handle();
        note("VM_UNMAP(%ld) never given", h);
        check("VM_UNMAP of a handle not held", hc(MVM_HC_VM_UNMAP, h, W, PG, 0, 0, 0), B(E_BADF), 0);
        return;
    }
    int k = (int)below(100);
    long p0, n;
    window_range(&p0, &n);
    if (k < 75) {
        uint64_t a = W + (uint64_t)p0 * PG, len = (uint64_t)n * PG;
        int partial = pct(20);
        if (partial)
            len -= 1 + below(PG - 1);
        if (range_locked(v, a, len))
            return;
        note("VM_UNMAP(h%ld vm%d, page %ld, len %#llx)", v->h, v->id, p0, (unsigned long long)len);
        long r = hc(MVM_HC_VM_UNMAP, v->h, (long)a, (long)len, 0, 0, 0);
        note("  = %ld", r);
        check("VM_UNMAP of the window", r, 0, partial ? B(E_INVAL) : 0);
        if (r == 0)
            for (long p = p0; p < p0 + n; p++)
                v->st[p] = partial && p == p0 + n - 1 ? PG_UNKNOWN : PG_UNMAPPED;
        return;
    }
    if (k < 82) {
        uint64_t a = W + (uint64_t)p0 * PG + 1 + below(PG - 1);
        note("VM_UNMAP(h%ld vm%d, %#llx) unaligned", v->h, v->id, (unsigned long long)a);
        check("VM_UNMAP unaligned", hc(MVM_HC_VM_UNMAP, v->h, (long)a, PG, 0, 0, 0), B(E_INVAL), 0);
        return;
    }
    if (k < 85) {
        note("VM_UNMAP(h%ld vm%d, len 0)", v->h, v->id);
        check("VM_UNMAP of length 0", hc(MVM_HC_VM_UNMAP, v->h, W, 0, 0, 0, 0), 0, B(E_INVAL));
        return;
    }
    static const struct { uint64_t a, len; int ok; } wild[] = {
        { 0x10000, PG, 1 }, { 0, PG, 1 }, { 1ull << 47, PG, 1 }, { 1ull << 48, PG, 0 }, { (uint64_t)-PG, PG, 0 },
        { W, 1ull << 46, 1 }, { STACK_TOP - PG, PG, 1 }, { SLOTS, 1ull << 32, 2 }, { 0x10000, (uint64_t)-0x20000, 0 },
    };
    int i = (int)below(sizeof wild / sizeof wild[0]);
    if (wild[i].ok && hits_window(wild[i].a, wild[i].len) && window_locked(v))
        return;
    note("VM_UNMAP(h%ld vm%d, %#llx, %#llx) wild", v->h, v->id, (unsigned long long)wild[i].a,
         (unsigned long long)wild[i].len);
    long r = hc(MVM_HC_VM_UNMAP, v->h, (long)wild[i].a, (long)wild[i].len, 0, 0, 0);
    note("  = %ld", r);
    if (wild[i].ok == 2) {
        /* The slots of VMs whose pages live in this one: the monitor may
         * refuse; if not, those VMs lose their pages. */
        check("VM_UNMAP of the backing slots", r, 0, B(E_INVAL) | B(E_PERM) | B(E_BUSY) | B(E_ACCES));
        if (r == 0)
            slots_gone(v->id);
        return;
    }
    check("VM_UNMAP outside the window", r, wild[i].ok ? 0 : B(E_INVAL), 0);
    if (r == 0 && wild[i].a < (1ull << 48) && wild[i].a + wild[i].len > SLOTS)
        slots_gone(v->id);
    if (r == 0) {
        if (v->loaded)
            v->tampered = 1;
        if (hits_window(wild[i].a, wild[i].len))
            for (int p = 0; p < NPG; p++)
                v->st[p] = PG_UNMAPPED;
    }
}

/* ---- VM_WRITE / VM_READ --------------------------------------------------- */

static void window_span(uint64_t *a, uint64_t *len)
{
    int k = (int)below(100);
    uint64_t off = below(NPG * PG);
    if (k < 30)
        *len = 1 + below(24);
    else if (k < 45) {
        off &= ~(PG - 1);
        *len = PG;
    } else if (k < 70) {
        off = (off & ~(PG - 1)) + PG - 1 - below(32);   /* across a page boundary */
        *len = 2 + below(200);
    } else if (k < 92)
        *len = 1 + below(3 * PG);
    else {
        off = NPG * PG - 1 - below(64);   /* off the end of the window */
        *len = 2 + below(300);
    }
    *a = W + off;
}

/* After a failed or partly done write: every byte of the written range is
 * old or new, and the rest of the page unchanged; the model learns which. */
static void read_back(struct vm *v, uint64_t a, uint64_t len, const uint8_t *newb)
{
    for (uint64_t pa = a & ~(PG - 1); pa < a + len; pa += PG) {
        long p = pidx(pa);
        if (p < 0 || v->st[p] != PG_MAPPED || v->lock[p])
            continue;
        if (!v->prot[p]) {
            v->st[p] = PG_UNKNOWN;
            continue;
        }
        static uint8_t page[PG];
        long r = hc(MVM_HC_VM_READ, v->h, (long)pa, (long)page, PG, 0, 0);
        check("VM_READ (unchecked) of a mapped page after a failed write", r, 0, 0);
        uint8_t *old = shadow[vidx(v)][p];
        for (uint64_t i = 0; i < PG; i++) {
            uint64_t at = pa + i;
            int in = at >= a && at < a + len;
            if (page[i] != old[i] && !(in && page[i] == newb[at - a]))
                fail("vm%d: byte %#llx is %#x after a failed VM_WRITE, neither old %#x nor new %#x", v->id,
                     (unsigned long long)at, page[i], old[i], in ? newb[at - a] : old[i]);
        }
        memcpy(old, page, PG);
    }
}

static void op_write(void)
{
    struct vm *v = pct(94) ? pick_live() : NULL;
    if (!v) {
        long h = bad_handle();
        note("VM_WRITE(%ld) never given", h);
        check("VM_WRITE of a handle not held", hc(MVM_HC_VM_WRITE, h, W, (long)srcbuf, 16, 0, 0), B(E_BADF), 0);
        return;
    }
    uint64_t a, len;
    window_span(&a, &len);
    int checked = pct(35);
    int huge = pct(2);
    if (huge)
        len = pct(50) ? 1ull << 40 : (uint64_t)-1;
    if (range_locked(v, a, huge ? W + NPG * PG - a : len))
        return;
    for (uint64_t i = 0; i < sizeof srcbuf; i++)
        srcbuf[i] = (uint8_t)rnd();
    static uint8_t newb[4 * PG + 64];
    uint64_t src = (uint64_t)(uintptr_t)srcbuf;
    int bad = 0, k = (int)below(100);
    size_t n = huge ? 0 : (size_t)len;
    if (k < 6 && !huge) {
        src = bad_ptr(n);
        bad = 1;
        /* the part of a straddling buffer that is readable */
        for (size_t i = 0; i < n; i++) {
            uint64_t at = src + i;
            newb[i] = at >= (uint64_t)(uintptr_t)edge_page && at < (uint64_t)(uintptr_t)edge_end
                          ? edge_page[at - (uint64_t)(uintptr_t)edge_page] : 0;
        }
    } else if (k < 10 && !huge && n <= PG) {
        src = (uint64_t)(uintptr_t)ro_page;   /* readable, so good */
        memcpy(newb, ro_page, n);
    } else if (!huge) {
        memcpy(newb, srcbuf, n);
    }
    note("VM_WRITE(h%ld vm%d, %#llx, src %#llx, len %#llx, checked %d)", v->h, v->id, (unsigned long long)a,
         (unsigned long long)src, (unsigned long long)len, checked);
    long r = hc(MVM_HC_VM_WRITE, v->h, (long)a, (long)src, (long)len, checked, 0);
    note("  = %ld", r);
    uint64_t may_nomem = limited(v) ? B(E_NOMEM) : 0;
    if (huge) {
        check("VM_WRITE of 2^40 bytes or more", r, B(E_FAULT), may_nomem | B(E_INVAL) | B(E_NOMEM));
        for (uint64_t pa = a & ~(PG - 1); pa < W + NPG * PG; pa += PG)
            if (v->st[pidx(pa)] == PG_MAPPED)
                v->st[pidx(pa)] = PG_UNKNOWN;
        return;
    }
    int ok = range_ok(v, a, len, checked, 1);
    if (bad && len)
        check("VM_WRITE from a bad buffer", r, B(E_FAULT), 0);
    else if (ok == 1)
        check("VM_WRITE", r, 0, may_nomem);
    else if (ok == 0)
        check("VM_WRITE to pages it may not write", r, B(E_FAULT), may_nomem);
    else
        check("VM_WRITE", r, 0, B(E_FAULT) | may_nomem);
    if (r == 0) {
        for (uint64_t i = 0; i < len; i++) {
            long p = pidx(a + i);
            if (p >= 0 && v->st[p] == PG_MAPPED)
                shadow[vidx(v)][p][(a + i) % PG] = newb[i];
        }
    } else if (bad) {
        /* nothing readable was given: bytes may only be what the readable
         * part of a straddling buffer held */
        read_back(v, a, len, newb);
    } else {
        read_back(v, a, len, newb);
    }
}

static void op_read(void)
{
    struct vm *v = pct(94) ? pick_live() : NULL;
    if (!v) {
        long h = bad_handle();
        note("VM_READ(%ld) never given", h);
        check("VM_READ of a handle not held", hc(MVM_HC_VM_READ, h, W, (long)(dstarea + GUARD), 16, 0, 0), B(E_BADF), 0);
        return;
    }
    uint64_t a, len;
    window_span(&a, &len);
    int checked = pct(40);
    guard_fill(dstarea, sizeof dstarea);
    uint8_t *d = dstarea + GUARD;
    uint64_t dst = (uint64_t)(uintptr_t)d;
    int bad = 0;
    if (pct(6)) {
        dst = bad_dst((size_t)len);
        bad = 1;
    }
    note("VM_READ(h%ld vm%d, %#llx, dst %#llx, len %#llx, checked %d)", v->h, v->id, (unsigned long long)a,
         (unsigned long long)dst, (unsigned long long)len, checked);
    long r = hc(MVM_HC_VM_READ, v->h, (long)a, (long)dst, (long)len, checked, 0);
    note("  = %ld", r);
    guard_check(dstarea, sizeof dstarea, bad ? 0 : len, "VM_READ");
    int ok = range_ok(v, a, len, checked, 0);
    if (bad) {
        check("VM_READ into a bad buffer", r, len ? B(E_FAULT) : 0, len ? 0 : B(E_FAULT));
        return;
    }
    if (ok == 1)
        check("VM_READ", r, 0, 0);
    else if (ok == 0)
        check("VM_READ of pages it may not read", r, B(E_FAULT), 0);
    else
        check("VM_READ", r, 0, B(E_FAULT));
    for (uint64_t i = 0; i < len; i++) {
        long p = pidx(a + i);
        if (p < 0 || rd_ok(v, p, 0) < 0 || v->st[p] != PG_MAPPED)
            continue;
        uint8_t want = shadow[vidx(v)][p][(a + i) % PG];
        uint8_t old = (uint8_t)(0xc3 ^ (GUARD + i));
        if (r == 0 && d[i] != want)
            fail("vm%d: VM_READ byte %#llx is %#x, the model says %#x (page %s, prot %d)", v->id,
                 (unsigned long long)(a + i), d[i], want, "mapped", v->prot[p]);
        if (r != 0 && d[i] != want && d[i] != old)
            fail("vm%d: a failed VM_READ left byte %#llx = %#x in the buffer (neither old nor the model's %#x)",
                 v->id, (unsigned long long)(a + i), d[i], want);
    }
}

/* ---- grants: VM_ADD_DIR, VM_REDIRECT, VM_SET_CWD --------------------------- */

static void join(char *out, size_t size, const char *dir, const char *name)
{
    if (!strcmp(dir, "/"))
        snprintf(out, size, "/%s", name);
    else
        snprintf(out, size, "%s/%s", dir, name);
}

/* A string argument: a good one (copied into a buffer of ours), or a bad
 * pointer (EFAULT) or an unterminated one (ENAMETOOLONG) added to *must. */
static long str_arg(int slot, const char *s, int bad_pct, uint64_t *must)
{
    if (pct(bad_pct)) {
        if (pct(40)) {
            *must |= B(E_NAMETOOLONG);
            return (long)longstr;
        }
        *must |= B(E_FAULT);
        uint64_t p = bad_ptr(strlen(s) + 1);
        return (long)p;
    }
    snprintf(strbuf[slot], sizeof strbuf[slot], "%s", s);
    return (long)strbuf[slot];
}

static const char *guests[] = { "/g", "/r", "/data", "/m/n", "/w" };

/* A mount the VM got from a grant (its guest path). */
static struct grant *find_grant(struct vm *v, const char *guest)
{
    for (int i = 0; i < v->ngrants; i++)
        if (!strcmp(v->g[i].guest, guest))
            return &v->g[i];
    return NULL;
}

/*
 * VM_ADD_DIR. What a grant mounts in the child is modelled as entries
 * (guest path, which directory, read-only): the named directory, and for
 * the fuzzer's own virtual "/" the mounts beneath it. The same directory
 * granted again at the same path has the rights of both grants (a monitor
 * from before that rule says EEXIST); another directory there is EEXIST.
 */
static void op_add_dir(void)
{
    struct vm *v = pct(95) ? pick_live() : NULL;
    uint64_t must = 0, may = 0;
    long h = v ? v->h : bad_handle();
    if (!v)
        must |= B(E_BADF);
    /* the source view and the path in it */
    struct vm *src = NULL;
    long srch = 0;
    int k = (int)below(100);
    if (k < 15 && v && (src = pick_live()) && src != v && src->ngrants)
        srch = src->h;
    else {
        src = NULL;
        if (k < 19 && v) {
            srch = v->h;   /* itself: never */
            must |= B(E_BADF);
        } else if (k < 22) {
            srch = bad_handle_nz();
            must |= B(E_BADF);
        }
    }
    char path[600];
    int under = -1, src_ro = 0, fails = 0, root = 0;
    if (src) {
        struct grant *g = &src->g[below((uint64_t)src->ngrants)];
        if (pct(25) && g->under == U_G && strcmp(g->guest, "/")) {
            join(path, sizeof path, g->guest, "ro");
            under = U_GRO;
            src_ro = 1;
        } else if (pct(10)) {
            snprintf(path, sizeof path, "/etc");
            fails = 1;
        } else {
            snprintf(path, sizeof path, "%s", g->guest);
            under = g->under;
            src_ro = g->ro;
        }
    } else {
        int c = (int)below(11);
        if (c < 3 && rw[0]) {
            snprintf(path, sizeof path, "%s", rw);
            under = U_G;
        } else if (c < 5 && bin[0]) {
            snprintf(path, sizeof path, "%s", bin);
            under = U_GRO;
        } else if (c < 6 && rw[0]) {
            snprintf(path, sizeof path, "%s", subd);
            under = U_SUB;
        } else if (c < 7 && level == 0 && !strcmp(rw, "/g") && !strcmp(bin, "/g/ro")) {
            snprintf(path, sizeof path, "/");   /* virtual, with our two mounts beneath */
            root = 1;
            may |= B(E_INVAL);                  /* a monitor that grants no virtual directory */
        } else {
            static const char *outside[] = { "/etc", "/proc", "/g/../../etc", "/nonexistent-hcf" };
            int o = (int)below(6);
            if (o < 4)
                snprintf(path, sizeof path, "%s", outside[o]);
            else if (o == 4 && canary[0])
                snprintf(path, sizeof path, "%s", canary);
            else if (bin[0])
                join(path, sizeof path, bin, "hcfuzz-child");   /* a file */
            else
                snprintf(path, sizeof path, "/etc");
            fails = 1;
        }
    }
    char guest[400];
    int bad_guest = 0;
    int gk = (int)below(100);
    if (gk < 85)
        snprintf(guest, sizeof guest, "%s", PICK(guests));
    else if (gk < 88)
        snprintf(guest, sizeof guest, "/");
    else {
        static const char *badg[] = { "rel", "/a/../b", "/.", "", "/x/./y" };
        if (pct(20)) {
            memset(guest, 'n', 300);
            guest[0] = '/';
            guest[300] = 0;
            must |= B(E_NAMETOOLONG);
            may |= B(E_INVAL);
        } else {
            snprintf(guest, sizeof guest, "%s", PICK(badg));
            must |= B(E_INVAL);
            may |= B(E_NOENT);
        }
        bad_guest = 1;
    }
    long ro_arg = PICK(((const long[]){ 0, 0, 1, 2, -1 }));
    long pa = str_arg(0, path, 3, &must);
    long ga = str_arg(1, guest, 3, &must);
    /* the mounts it would make */
    struct grant ent[2];
    int nent = 0;
    memset(ent, 0, sizeof ent);
    if (root) {
        /* The mounts beneath come along "with their own flags"; a monitor
         * may also make them read-only as the virtual directory is. */
        ent[0].under = U_G;
        ent[0].ro = ro_arg != 0;
        ent[0].ro_unknown = !ent[0].ro;
        join(ent[0].guest, sizeof ent[0].guest, guest, "g");
        ent[1].under = U_GRO;
        ent[1].ro = 1;
        join(ent[1].guest, sizeof ent[1].guest, guest, "g/ro");
        nent = 2;
    } else if (under >= 0) {
        ent[0].under = under;
        ent[0].ro = ro_arg != 0 || under == U_GRO || src_ro;
        snprintf(ent[0].guest, sizeof ent[0].guest, "%s", guest);
        nent = 1;
    }
    int conflict = 0;
    for (int i = 0; v && !bad_guest && i < nent; i++) {
        struct grant *old = find_grant(v, ent[i].guest);
        if (old && old->under != ent[i].under)
            conflict = 1;
        else if (old)
            may |= B(E_EXIST);
    }
    if (fails)
        must |= PATH_ERRS & ~B(E_EXIST);
    if (fails && bad_guest)
        may |= PATH_ERRS;
    if (conflict)
        must |= B(E_EXIST);
    if (conflict && root)
        may |= B(E_INVAL);
    may |= B(E_NOMEM) & (limited(v) ? ~0ull : 0);
    note("VM_ADD_DIR(h%ld vm%d, src %ld, \"%.80s\" at %#lx, \"%.40s\" at %#lx, ro %ld)", h, v ? v->id : -1, srch, path,
         pa, guest, ga, ro_arg);
    long r = hc(MVM_HC_VM_ADD_DIR, h, srch, pa, ga, ro_arg, 0);
    note("  = %ld", r);
    check("VM_ADD_DIR", r, must, may);
    for (int i = 0; r == 0 && v && i < nent; i++) {
        struct grant *old = find_grant(v, ent[i].guest);
        if (old) {
            if (old->ro && !ent[i].ro && v->loaded && !v->finished)
                v->tampered = 1;   /* its program was told the grant is read-only */
            old->ro_unknown = (old->ro_unknown && (ent[i].ro || ent[i].ro_unknown)) ||
                              (ent[i].ro_unknown && old->ro);
            old->ro = old->ro && ent[i].ro;
        } else if (v->ngrants < MAXG)
            v->g[v->ngrants++] = ent[i];
        else
            v->g[MAXG - 1] = ent[i];   /* (the model keeps the latest) */
    }
}

/* Grants the fuzzer's bin directory (or its rw one) to v at a free guest
 * path, as a parent preparing a VM for a program would. */
static void grant_bin(struct vm *v)
{
    const char *path = pct(50) && rw[0] ? rw : bin;
    int under = path == rw ? U_G : U_GRO;
    if (!path[0])
        return;
    for (unsigned i = 0; i < sizeof guests / sizeof guests[0]; i++) {
        struct grant *old = find_grant(v, guests[i]);
        if (old && old->under != under)
            continue;
        long ro = under == U_GRO || pct(20);
        snprintf(strbuf[0], sizeof strbuf[0], "%s", path);
        snprintf(strbuf[1], sizeof strbuf[1], "%s", guests[i]);
        note("VM_ADD_DIR(h%ld vm%d, 0, \"%s\", \"%s\", ro %ld) for a program", v->h, v->id, path, guests[i], ro);
        long r = hc(MVM_HC_VM_ADD_DIR, v->h, 0, (long)strbuf[0], (long)strbuf[1], ro, 0);
        note("  = %ld", r);
        check("VM_ADD_DIR", r, 0, (old ? B(E_EXIST) : 0) | (limited(v) ? B(E_NOMEM) : 0));
        if (r == 0) {
            if (old && old->ro && !ro && v->loaded && !v->finished)
                v->tampered = 1;
            if (old)
                old->ro = old->ro && ro;
            else if (v->ngrants < MAXG) {
                struct grant *g = &v->g[v->ngrants++];
                g->under = under;
                g->ro = (int)ro;
                snprintf(g->guest, sizeof g->guest, "%s", guests[i]);
            }
        }
        return;
    }
}

static void op_redirect(void)
{
    struct vm *v = pct(95) ? pick_live() : NULL;
    uint64_t must = 0, may = 0;
    long h = v ? v->h : bad_handle();
    if (!v)
        must |= B(E_BADF);
    long fd = pct(95) ? (long)below(3) : PICK(((const long[]){ 3, -1, 1L << 32 | 1 }));
    long how = pct(95) ? (long)below(3) : PICK(((const long[]){ 3, -1 }));
    if (fd < 0 || fd > 2 || how < 0 || how > 2)
        must |= B(E_INVAL);
    char path[600];
    long srch = 0;
    struct vm *src = NULL;
    int k = (int)below(100);
    int is_out = 0;
    if (k < 10 && v && (src = pick_live()) && src != v) {
        struct grant *g = NULL;
        for (int i = 0; i < src->ngrants && !g; i++)
            if (src->g[i].under == U_G && !src->g[i].ro && !src->g[i].ro_unknown && strcmp(src->g[i].guest, "/"))
                g = &src->g[i];
        srch = src->h;
        if (g) {
            char name[64];
            snprintf(name, sizeof name, "hcf-%llu-%d.out", (unsigned long long)seed, out_ctr++);
            join(path, sizeof path, g->guest, name);
            if (how == 0)
                must |= B(E_NOENT);
        } else {
            snprintf(path, sizeof path, "/etc/passwd");
            must |= PATH_ERRS;
        }
    } else {
        if (k < 13 && v) {
            srch = v->h;
            must |= B(E_BADF);
        } else if (k < 16) {
            srch = bad_handle_nz();
            must |= B(E_BADF);
        }
        int c = (int)below(10);
        if (c < 5 && rw[0]) {
            char name[64];
            snprintf(name, sizeof name, "hcf-%llu-%d.out", (unsigned long long)seed, out_ctr++);
            join(path, sizeof path, rw, name);
            if (how == 0)
                must |= B(E_NOENT);
            is_out = 1;
        } else if (c < 7 && bin[0]) {
            join(path, sizeof path, bin, "hcfuzz-child");
            if (how != 0)
                must |= B(E_ROFS) | B(E_ACCES) | B(E_PERM);
        } else if (c < 8 && rw[0]) {
            snprintf(path, sizeof path, "%s", rw);   /* a directory */
            if (how != 0)
                must |= B(E_ISDIR);
            else
                may |= B(E_ISDIR) | B(E_INVAL);
        } else {
            static const char *outside[] = { "/etc/passwd", "/proc/self/mem", "/g/../../etc/passwd" };
            if (pct(30) && canary[0])
                join(path, sizeof path, canary, "secret");
            else
                snprintf(path, sizeof path, "%s", PICK(outside));
            must |= PATH_ERRS;
        }
    }
    long pa = str_arg(0, path, 3, &must);
    may |= limited(v) ? B(E_NOMEM) : 0;
    note("VM_REDIRECT(h%ld vm%d, src %ld, fd %ld, \"%.80s\" at %#lx, how %ld)", h, v ? v->id : -1, srch, fd, path, pa,
         how);
    long r = hc(MVM_HC_VM_REDIRECT, h, srch, fd, pa, how, 0);
    note("  = %ld", r);
    check("VM_REDIRECT", r, must, may);
    if (v && r == 0 && fd == 1) {
        v->out_ok = is_out && srch == 0 && !v->started && !must;
        snprintf(v->out, sizeof v->out, "%s", path);
    }
}

static void op_cwd(void)
{
    struct vm *v = pct(95) ? pick_live() : NULL;
    uint64_t must = 0, may = 0;
    long h = v ? v->h : bad_handle();
    if (!v)
        must |= B(E_BADF);
    char path[300];
    int c = (int)below(10);
    if (c < 5 && v && v->ngrants)
        snprintf(path, sizeof path, "%s", v->g[below((uint64_t)v->ngrants)].guest);
    else if (c < 7) {
        snprintf(path, sizeof path, "/");
        may |= PATH_ERRS;
    } else {
        snprintf(path, sizeof path, "%s", PICK(((const char *[]){ "/nonexistent-hcf", "", "/etc" })));
        must |= PATH_ERRS;
    }
    long pa = str_arg(0, path, 5, &must);
    may |= limited(v) ? B(E_NOMEM) : 0;
    note("VM_SET_CWD(h%ld vm%d, \"%s\")", h, v ? v->id : -1, path);
    long r = hc(MVM_HC_VM_SET_CWD, h, pa, 0, 0, 0, 0);
    note("  = %ld", r);
    check("VM_SET_CWD", r, must, may);
}

/* ---- VM_LOAD_ELF ---------------------------------------------------------- */

/* The args block: argc | envc | strings. Returns its length. */
static size_t pack_args(int argc, char **argv, int envc, char **envp)
{
    size_t at = 8;
    st32(argsbuf, (uint32_t)argc);
    st32(argsbuf + 4, (uint32_t)envc);
    for (int i = 0; i < argc + envc; i++) {
        const char *s = i < argc ? argv[i] : envp[i - argc];
        size_t l = strlen(s) + 1;
        if (at + l > sizeof argsbuf)
            break;
        memcpy(argsbuf + at, s, l);
        at += l;
    }
    return at;
}

/* Might a loadable segment of this (corrupted) image land in the window? */
static int image_hits_window(const uint8_t *img, size_t size)
{
    if (size < 64)
        return 0;
    uint64_t phoff = ld64(img + 32);
    unsigned phent = img[54] | img[55] << 8, phnum = img[56] | img[57] << 8;
    if (phent != 56 || phoff > size || (uint64_t)phnum * 56 > size - phoff)
        return phnum != 0;   /* cannot tell how the loader reads it */
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = img + phoff + 56ull * i;
        if (ld32(ph) != 1)
            continue;
        uint64_t va = ld64(ph + 16), memsz = ld64(ph + 40);
        if (va + memsz < va || hits_window(va & ~(PG - 1), memsz + PG))
            return 1;
    }
    return 0;
}

/* The sandbox checks a child program is given, from what was granted. */
static int child_checks(struct vm *v, char **out, char store[][600], int max)
{
    int n = 0;
    for (int i = 0; i < v->ngrants && n < max - 4; i++) {
        struct grant *g = &v->g[i];
        if (!strcmp(g->guest, "/"))
            continue;
        char name[64];
        if (g->under == U_G || g->under == U_SUB) {
            if (!g->ro_unknown) {
                if (g->ro)
                    snprintf(store[n], 600, "r:%s/hcf-breach", g->guest);
                else {
                    snprintf(name, sizeof name, "hcf-w-%llu-%d", (unsigned long long)seed, out_ctr++);
                    snprintf(store[n], 600, "w:%s/%s", g->guest, name);
                }
                out[n] = store[n];
                n++;
            }
            if (g->under == U_G) {   /* its read-only ro/ comes along read-only */
                snprintf(store[n], 600, "r:%s/ro/hcf-breach", g->guest);
                out[n] = store[n];
                n++;
            }
        } else {
            snprintf(store[n], 600, "r:%s/hcf-breach", g->guest);
            out[n] = store[n];
            n++;
        }
    }
    snprintf(store[n], 600, "n:/etc/passwd");
    out[n] = store[n];
    n++;
    if (canary[0]) {
        snprintf(store[n], 600, "n:%s/secret", canary);
        out[n] = store[n];
        n++;
    }
    if (pct(50)) {
        snprintf(store[n], 600, "h");
        out[n] = store[n];
        n++;
    }
    return n;
}

/* Paths a copy of the fuzzer gets: a writable rw grant and a bin grant. */
static void sub_paths(struct vm *v, char *srw, char *sbin)
{
    srw[0] = sbin[0] = 0;
    for (int i = 0; i < v->ngrants; i++) {
        struct grant *g = &v->g[i];
        if (!strcmp(g->guest, "/"))
            continue;
        if (g->under == U_G && !g->ro && !g->ro_unknown && !srw[0])
            snprintf(srw, 256, "%s", g->guest);
        if (g->under == U_GRO && !sbin[0])
            snprintf(sbin, 256, "%s", g->guest);
    }
    if (!sbin[0] && srw[0])
        join(sbin, 256, srw, "ro");
}

static void plan_probe(struct vm *v)
{
    v->has_probe = 0;
    v->probe = 0;
    v->exp_fault = 0;
    if (!pct(60))
        return;
    long p = (long)below(NPG);
    if (pct(70))   /* mostly a page the probe may use */
        for (int t = 0; t < 16; t++) {
            long q = (long)below(NPG);
            if (v->st[q] == PG_MAPPED && (v->prot[q] & 2)) {
                p = q;
                break;
            }
        }
    uint64_t off = (below(PG / 8)) * 8;
    long p2 = off + 8 >= PG ? p + 1 : p;
    if (p2 >= NPG || v->st[p] == PG_UNKNOWN || v->st[p2] == PG_UNKNOWN || v->lock[p] || v->lock[p2])
        return;
    v->has_probe = 1;
    v->probe = W + (uint64_t)p * PG + off;
    v->lock[p] = v->lock[p2] = 1;
    int rd = v->st[p] == PG_MAPPED && (v->prot[p] & 3);
    int wr = v->st[p2] == PG_MAPPED && (v->prot[p2] & 2);
    v->exp_fault = !(rd && wr);
    uint64_t val = 0;
    if (rd)
        for (int i = 7; i >= 0; i--) {
            uint64_t at = v->probe + (uint64_t)i;
            val = val << 8 | shadow[vidx(v)][pidx(at)][at % PG];
        }
    v->probe_v = val;
}

static void grant_bin(struct vm *v);

static void op_load(void)
{
    struct vm *v = pct(96) ? pick_pref(is_unloaded) : NULL;
    uint64_t must = 0, may = 0;
    long h = v ? v->h : bad_handle();
    if (!v)
        must |= B(E_BADF);
    int it = (int)below(100);
    enum { I_CHILD, I_SUB, I_CORRUPT, I_GARBAGE } kind = I_CHILD;
    if (it < 55)
        kind = I_CHILD;
    else if (it < 72)
        kind = self_img && level < max_level ? I_SUB : I_CHILD;
    else if (it < 90)
        kind = I_CORRUPT;
    else
        kind = I_GARBAGE;
    if ((kind == I_CHILD || kind == I_CORRUPT) && !child_img)
        kind = I_GARBAGE;
    if (kind == I_SUB && v && !v->loaded && pct(70))
        grant_bin(v);   /* so that the copy has programs to run */
    const uint8_t *img;
    size_t size;
    if (kind == I_CHILD) {
        img = child_img;
        size = child_size;
    } else if (kind == I_SUB) {
        img = self_img;
        size = self_size;
    } else if (kind == I_CORRUPT) {
        memcpy(work_img, child_img, child_size);
        size = child_size;
        int muts = 1 + (int)below(6);
        for (int m = 0; m < muts; m++) {
            int mk = (int)below(10);
            if (mk < 6)
                work_img[below(512)] = (uint8_t)rnd();
            else if (mk < 9)
                work_img[below(size)] = (uint8_t)rnd();
            else
                size = (size_t)below(size);
        }
        img = work_img;
    } else {
        size = (size_t)below(200);
        for (size_t i = 0; i < size; i++)
            work_img[i] = (uint8_t)rnd();
        if (size >= 4 && pct(50))
            memcpy(work_img, "\177ELF", 4);
        img = work_img;
    }
    /* arguments */
    char *argv[24], *envp[2] = { "HCF=1" };
    static char store[24][600];
    int argc = 0, envc = (int)below(2);
    uint64_t hval = 0, cseed = 0;
    int exp_status = 0;
    if (kind == I_SUB) {
        static char sseed[32], ssteps[16], slevel[16], smax[16], sdepth[16];
        static char srw[256], sbin[256];
        snprintf(sseed, sizeof sseed, "%llu", (unsigned long long)rnd());
        snprintf(ssteps, sizeof ssteps, "%d", level == 0 ? 16 + (int)below(24) : 6 + (int)below(10));
        snprintf(slevel, sizeof slevel, "%d", level + 1);
        snprintf(smax, sizeof smax, "%d", max_level);
        snprintf(sdepth, sizeof sdepth, "%d", vmdepth + 1);
        argv[argc++] = "hcfuzz";
        argv[argc++] = sseed;
        argv[argc++] = ssteps;
        argv[argc++] = "--level";
        argv[argc++] = slevel;
        argv[argc++] = "--max-level";
        argv[argc++] = smax;
        argv[argc++] = "--depth";
        argv[argc++] = sdepth;
        if (v) {
            sub_paths(v, srw, sbin);
            if (srw[0]) {
                argv[argc++] = "--rw";
                argv[argc++] = srw;
            }
            if (sbin[0]) {
                argv[argc++] = "--bin";
                argv[argc++] = sbin;
            }
        }
        if (canary[0]) {
            argv[argc++] = "--canary";
            argv[argc++] = canary;
        }
        if (verbose)
            argv[argc++] = "-v";
    } else {
        static char sseed[32], siters[16], sprobe[32];
        uint64_t cs = cseed = below(1000000);
        unsigned long iters = 100 + below(20000);
        snprintf(sseed, sizeof sseed, "%llu", (unsigned long long)cs);
        snprintf(siters, sizeof siters, "%lu", iters);
        hval = hcf_work(cs, iters);
        exp_status = (int)(hval % 100);
        argv[argc++] = "hcfuzz-child";
        argv[argc++] = sseed;
        argv[argc++] = siters;
        argv[argc++] = sprobe;
        snprintf(sprobe, sizeof sprobe, "0");
        if (v)
            argc += child_checks(v, argv + argc, store, 16);
    }
    int will_load = v && !v->loaded && !must;
    /* the probe is planned only if this load may succeed (it locks pages) */
    if (kind == I_CHILD && will_load) {
        plan_probe(v);
        snprintf(argv[3], 32, "%llx", (unsigned long long)v->probe);
    }
    size_t alen = pack_args(argc, argv, envc, envp);
    long args_ptr = (long)argsbuf, args_len = (long)alen, img_ptr = (long)img, size_arg = (long)size;
    int ak = (int)below(100);
    if (ak < 2) {
        args_len = (long)below(8);
        must |= B(E_INVAL);
    } else if (ak < 4) {
        args_len = 3 << 20;
        must |= B(E_INVAL);
    } else if (ak < 6) {
        st32(argsbuf, pct(50) ? 0xffffffffu : (uint32_t)argc + 5);
        must |= B(E_INVAL);
    } else if (ak < 8) {
        args_ptr = (long)bad_ptr(alen);
        must |= B(E_FAULT);
    } else if (ak < 10) {
        img_ptr = (long)bad_ptr(size);
        if (size)
            must |= B(E_FAULT);
    } else if (ak < 11) {
        size_arg = (long)(257u << 20);
        must |= B(E_INVAL);
    }
    uint64_t nmust = 0;
    long name = str_arg(2, kind == I_SUB ? "hcfuzz" : "hcfuzz-child", 3, &nmust);
    must |= nmust;
    if (!must && v && v->loaded)
        must |= B(E_BUSY) | B(E_INVAL);   /* a second load */
    if (v && v->loaded)
        may |= B(E_BUSY);
    if (!must) {
        if (kind == I_GARBAGE)
            must |= B(E_NOEXEC);
        else if (kind == I_CORRUPT)
            may |= B(E_NOEXEC) | B(E_INVAL) | B(E_NOMEM);
    }
    if (limited(v))
        may |= B(E_NOMEM);
    if (v && v->tampered)   /* e.g. the pages of a half-done load taken away */
        may |= B(E_NOEXEC) | B(E_FAULT) | B(E_NOMEM);
    if (must & (B(E_FAULT) | B(E_INVAL)))
        may |= B(E_FAULT) | B(E_INVAL) | B(E_NAMETOOLONG);
    note("VM_LOAD_ELF(h%ld vm%d, %s at %#lx, size %#lx, argc %d, args %#lx len %ld, probe %s%s) must %s", h,
         v ? v->id : -1,
         kind == I_CHILD ? "child" : kind == I_SUB ? "fuzzer" : kind == I_CORRUPT ? "corrupted child" : "garbage",
         img_ptr, size_arg, argc, args_ptr, args_len, kind == I_CHILD ? argv[3] : "-", v && v->has_probe && v->exp_fault ? " (to fault)" : "",
         errs_str(must));
    long r = hc(MVM_HC_VM_LOAD_ELF, h, name, img_ptr, size_arg, args_ptr, args_len);
    note("  = %ld", r);
    int was_loaded = v && v->loaded;
    if (v && will_load && kind == I_CHILD && r != 0 && v->has_probe) {
        for (int p = 0; p < NPG; p++)   /* the probe was not used */
            v->lock[p] = 0;
        v->has_probe = 0;
    }
    check("VM_LOAD_ELF", r, must, may);
    if (!v || was_loaded)
        return;
    if (kind == I_CORRUPT && image_hits_window(img, size)) {
        unknown_window(v);
        v->tampered = 1;
    }
    v->last_noexec = r == -E_NOEXEC;
    if (r != 0)
        return;
    v->loaded = 1;
    v->started = v->finished = 0;
    v->hc_enosys = 0;
    if (v->out_ok && kind != I_CHILD)
        v->out_ok = 0;
    if (kind == I_CHILD) {
        v->kind = K_CHILD;
        v->hval = hval;
        v->cseed = cseed;
        v->exp_status = exp_status;
    } else if (kind == I_SUB) {
        v->kind = K_SUB;
    } else {
        v->kind = K_WILD;
        v->tampered = 1;
    }
}

/* ---- VCPU_GET / VCPU_SET -------------------------------------------------- */

static void regs_get(struct vm *v, uint8_t *area)
{
    guard_fill(area, GUARD + MVM_HC_REGS_SIZE + GUARD);
    check("VCPU_GET", hc(MVM_HC_VCPU_GET, v->h, (long)(area + GUARD), 0, 0, 0, 0), 0, 0);
    guard_check(area, GUARD + MVM_HC_REGS_SIZE + GUARD, MVM_HC_REGS_SIZE, "VCPU_GET");
    if (ld64(area + GUARD + 8) != 0)
        fail("vm%d: VCPU_GET says x0 = %#llx", v->id, (unsigned long long)ld64(area + GUARD + 8));
}

static void regs_same(struct vm *v, const uint8_t *want, const uint8_t *got, const char *after)
{
    for (int i = 0; i < 520; i++)
        if (i >= 8 && i < 16 ? got[i] != 0 : want[i] != got[i])
            fail("vm%d: registers differ at byte %d after %s", v->id, i, after);
    if ((ld32(want + 520) & 0xff) != ld32(got + 520))
        fail("vm%d: fcsr %#x after %s, want %#x", v->id, ld32(got + 520), after, ld32(want + 520) & 0xff);
}

static void op_vcpu(void)
{
    struct vm *v = pct(95) ? pick_live() : NULL;
    if (!v) {
        long h = bad_handle();
        note("VCPU_GET(%ld) never given", h);
        check("VCPU_GET of a handle not held", hc(MVM_HC_VCPU_GET, h, (long)(regsarea + GUARD), 0, 0, 0, 0), B(E_BADF), 0);
        return;
    }
    int k = (int)below(10);
    note("VCPU op %d on h%ld vm%d", k, v->h, v->id);
    regs_get(v, regsarea);
    static uint8_t before[MVM_HC_REGS_SIZE];
    memcpy(before, regsarea + GUARD, sizeof before);
    uint8_t *r = regsarea + GUARD;
    if (k < 4) {   /* what was read, set back, changes nothing */
        check("VCPU_SET of what VCPU_GET gave", hc(MVM_HC_VCPU_SET, v->h, (long)r, 0, 0, 0, 0), 0, 0);
    } else if (k < 5) {
        st64(r, (rnd() & 0xfffffffffffeull));
        for (int i = 1; i < 32; i++)
            st64(r + 8 + 8 * i, pct(50) ? rnd() : below(64));
        for (int i = 0; i < 32; i++)
            st64(r + 264 + 8 * i, rnd());
        st32(r + 520, (uint32_t)below(256));
        memcpy(before, r, sizeof before);
        check("VCPU_SET of random registers", hc(MVM_HC_VCPU_SET, v->h, (long)r, 0, 0, 0, 0), 0, 0);
        v->tampered = 1;   /* (a load sets only pc and sp) */
    } else if (k < 6) {
        st64(r, ld64(r) | 1);
        check("VCPU_SET with an odd pc", hc(MVM_HC_VCPU_SET, v->h, (long)r, 0, 0, 0, 0), B(E_INVAL), 0);
    } else if (k < 7) {
        st32(r + 520, 0x100u << below(24));
        check("VCPU_SET with fcsr >= 256", hc(MVM_HC_VCPU_SET, v->h, (long)r, 0, 0, 0, 0), B(E_INVAL), 0);
    } else if (k < 8) {
        check("VCPU_GET into a bad buffer", hc(MVM_HC_VCPU_GET, v->h, (long)bad_dst(MVM_HC_REGS_SIZE), 0, 0, 0, 0),
              B(E_FAULT), 0);
    } else if (k < 9) {
        check("VCPU_SET from a bad buffer", hc(MVM_HC_VCPU_SET, v->h, (long)bad_ptr(MVM_HC_REGS_SIZE), 0, 0, 0, 0),
              B(E_FAULT), 0);
    } else {
        /* a good buffer for SET: our read-only page */
        mprotect(ro_page, PG, PROT_READ | PROT_WRITE);
        memcpy(ro_page, r, MVM_HC_REGS_SIZE);
        mprotect(ro_page, PG, PROT_READ);
        check("VCPU_SET from a read-only buffer", hc(MVM_HC_VCPU_SET, v->h, (long)ro_page, 0, 0, 0, 0), 0, 0);
    }
    regs_get(v, regs2);
    regs_same(v, before, regs2 + GUARD, "VCPU_SET");
}

/* ---- budgets, stats, errors, syscalls -------------------------------------- */

static void op_budget(void)
{
    struct vm *v = pct(95) ? pick_live() : NULL;
    static const int64_t buds[] = { 0, 1, 7, 100, 5000, 30000, 100000, 3000000, 0x7fffffffffffffffLL, -1,
                                    (int64_t)0x8000000000000000ull };
    int64_t b = PICK(buds);
    if (!v) {
        long h = bad_handle();
        note("VM_SET_BUDGET(%ld) never given", h);
        check("VM_SET_BUDGET of a handle not held", hc(MVM_HC_VM_SET_BUDGET, h, 5, 0, 0, 0, 0), B(E_BADF), 0);
        return;
    }
    note("VM_SET_BUDGET(h%ld vm%d, %lld)", v->h, v->id, (long long)b);
    long r = hc(MVM_HC_VM_SET_BUDGET, v->h, (long)b, 0, 0, 0, 0);
    check("VM_SET_BUDGET", r, b < 0 ? B(E_INVAL) : 0, 0);
    if (r == 0) {
        v->budget = b;
        v->spent = v->cost = v->charged = 0;
        v->budget_sum = add_budget(v->budget_sum, v->budget);
    }
}

static void op_stats(void)
{
    struct vm *v = pct(95) ? pick_live() : NULL;
    if (!v) {
        long h = bad_handle();
        note("VM_STATS(%ld) never given", h);
        check("VM_STATS of a handle not held", hc(MVM_HC_VM_STATS, h, (long)(statsarea + GUARD), 0, 0, 0, 0), B(E_BADF), 0);
        return;
    }
    if (pct(10)) {
        note("VM_STATS(h%ld vm%d) bad buffer", v->h, v->id);
        check("VM_STATS into a bad buffer", hc(MVM_HC_VM_STATS, v->h, (long)bad_dst(MVM_HC_STATS_SIZE), 0, 0, 0, 0),
              B(E_FAULT), 0);
        return;
    }
    struct stats s;
    get_stats(v, &s);
    note("VM_STATS(h%ld vm%d): %llu instructions, %llu resident", v->h, v->id, (unsigned long long)s.instructions,
         (unsigned long long)s.resident);
    if (s.instructions != v->instr)
        fail("vm%d: instructions went from %llu to %llu without a VM_RUN", v->id, (unsigned long long)v->instr,
             (unsigned long long)s.instructions);
}

static void op_error(void)
{
    struct vm *v = pct(95) ? pick_live() : NULL;
    if (!v) {
        long h = bad_handle();
        check("VM_ERROR of a handle not held", hc(MVM_HC_VM_ERROR, h, (long)(errarea + GUARD), 256, 0, 0, 0), B(E_BADF), 0);
        return;
    }
    long len = PICK(((const long[]){ 0, 1, 16, 256, 256, 4096 }));
    guard_fill(errarea, sizeof errarea);
    long buf = (long)(errarea + GUARD);
    int bad = pct(10);
    if (bad)
        buf = (long)bad_dst((size_t)len);
    note("VM_ERROR(h%ld vm%d, len %ld%s)", v->h, v->id, len, bad ? ", bad buffer" : "");
    long r = hc(MVM_HC_VM_ERROR, v->h, buf, len, 0, 0, 0);
    note("  = %ld", r);
    check("VM_ERROR", r, 0, B(E_INVAL) | B(E_FAULT));
    guard_check(errarea, sizeof errarea, bad ? 0 : (size_t)len, "VM_ERROR");
    /* Only the text and its NUL are written: a buffer that goes bad only
     * further on may work. */
    int straddle = bad && (uint64_t)buf >= (uint64_t)(uintptr_t)edge_page && (uint64_t)buf < (uint64_t)(uintptr_t)edge_end;
    if (bad && !straddle && r == 0 && len)
        fail("VM_ERROR into a buffer it may not write succeeded");
    if (r == 0 && !bad) {
        if (!memchr(errarea + GUARD, 0, (size_t)len))
            fail("vm%d: VM_ERROR text not terminated within %ld bytes", v->id, len);
        if (v->last_noexec && len >= 256 && !errarea[GUARD])
            fail("vm%d: VM_ERROR says nothing after a load that gave ENOEXEC", v->id);
    }
}

static void op_syscall(void)
{
    struct vm *v = pct(95) ? pick_live() : NULL;
    if (!v) {
        long h = bad_handle();
        note("VM_SYSCALL(%ld) never given", h);
        check("VM_SYSCALL of a handle not held", hc(MVM_HC_VM_SYSCALL, h, 0, 0, 0, 0, 0), B(E_BADF), 0);
        return;
    }
    note("VM_SYSCALL(h%ld vm%d) pending %d", v->h, v->id, v->pending_sys);
    long r = hc(MVM_HC_VM_SYSCALL, v->h, 0, 0, 0, 0, 0);
    note("  = %ld", r);
    if (v->pending_sys) {
        check("VM_SYSCALL at a system-call exit", r, 0, 0);
        v->pending_sys = v->run_sys = 0;
        return;
    }
    check("VM_SYSCALL", r, v->finished ? B(E_INVAL) | B(E_BUSY) : 0, B(E_INVAL) | B(E_BUSY));
    if (r == 0)
        v->tampered = 1;   /* it served whatever a7 said, and a0 holds the result (a load sets only pc and sp) */
}

static void op_badh(void)
{
    long h = bad_handle();
    static const unsigned calls[] = { MVM_HC_VM_DESTROY, MVM_HC_VM_ADD_DIR, MVM_HC_VM_SET_CWD, MVM_HC_VM_LOAD_ELF,
                                      MVM_HC_VM_MAP, MVM_HC_VM_UNMAP, MVM_HC_VM_READ, MVM_HC_VM_WRITE,
                                      MVM_HC_VCPU_GET, MVM_HC_VCPU_SET, MVM_HC_VM_RUN, MVM_HC_VM_SET_BUDGET,
                                      MVM_HC_VM_STATS, MVM_HC_VM_SYSCALL, MVM_HC_VM_ERROR, MVM_HC_VM_REDIRECT,
                                      MVM_HC_VM_LOAD_PATH };
    unsigned n = PICK(calls);
    snprintf(strbuf[0], sizeof strbuf[0], "%s", rw[0] ? rw : "/");
    snprintf(strbuf[1], sizeof strbuf[1], "/x");
    long a1 = (long)(dstarea + GUARD), a2 = 16, a3 = 0;
    switch (n) {
    case MVM_HC_VM_ADD_DIR: a1 = 0; a2 = (long)strbuf[0]; a3 = (long)strbuf[1]; break;
    case MVM_HC_VM_SET_CWD: a1 = (long)strbuf[1]; break;
    case MVM_HC_VM_LOAD_ELF: a1 = (long)strbuf[1]; a2 = (long)srcbuf; a3 = 16; break;
    case MVM_HC_VM_MAP: case MVM_HC_VM_UNMAP: a1 = W; a2 = PG; a3 = 3; break;
    case MVM_HC_VM_READ: case MVM_HC_VM_WRITE: a1 = W; a2 = (long)(dstarea + GUARD); a3 = 16; break;
    case MVM_HC_VM_SET_BUDGET: a1 = 100; break;
    case MVM_HC_VM_ERROR: a2 = 256; break;
    case MVM_HC_VM_REDIRECT: a1 = 0; a2 = 1; a3 = (long)strbuf[0]; break;
    case MVM_HC_VM_LOAD_PATH: a1 = 0; a2 = (long)strbuf[1]; a3 = (long)argsbuf; break;
    }
    note("hypercall %u on handle %ld never given", n, h);
    char what[64];
    snprintf(what, sizeof what, "hypercall %u on a handle not held (%ld)", n, h);
    long r = hc(n, h, a1, a2, a3, n == MVM_HC_VM_LOAD_ELF ? (long)argsbuf : n == MVM_HC_VM_LOAD_PATH ? 8 : 0,
                n == MVM_HC_VM_LOAD_ELF ? 8 : 0);
    check(what, r, B(E_BADF), 0);
    if (pct(30)) {
        check("PROBE", hc(MVM_HC_PROBE, 0, 0, 0, 0, 0, 0) == MVM_HC_MAGIC ? 0 : -1, 0, 0);
        unsigned bogus = PICK(((const unsigned[]){ MVM_HC_COUNT, MVM_HC_COUNT + 1, 64, 255, 0xffff }));
        check("an unknown hypercall", hc(bogus, 1, 0, 0, 0, 0, 0), B(E_NOSYS), 0);
    }
}

/* ---- VM_RUN ---------------------------------------------------------------- */

static void read_file_check(struct vm *v)
{
    char want[128], got[256];
    snprintf(want, sizeof want, "hcfuzz-child %llu: %016llx\n", (unsigned long long)v->cseed,
             (unsigned long long)v->hval);
    int fd = open(v->out, O_RDONLY);
    if (fd < 0)
        fail("vm%d: its redirected stdout %s cannot be opened (errno %d)", v->id, v->out, errno);
    ssize_t n = read(fd, got, sizeof got - 1);
    close(fd);
    got[n > 0 ? n : 0] = 0;
    if (strcmp(got, want))
        fail("vm%d: its redirected stdout %s holds \"%.60s\", want \"%s\"", v->id, v->out, got, want);
}

/* The VM ended (exited, died, faulted, out of memory): was it meant to? */
static void finished(struct vm *v, unsigned reason, int status, int sig)
{
    v->finished = 1;
    v->fin_status = status;
    if (v->tampered || v->kind == K_WILD || v->kind == K_NONE) {
        n_wild_end++;
        if (v->has_probe)
            unknown_window(v);
        return;
    }
    if (reason == MVM_EXIT_NOMEM && limited(v)) {
        if (v->has_probe)
            unknown_window(v);
        return;
    }
    if (v->kind == K_CHILD) {
        if (reason == MVM_EXIT_EXITED && status == HCF_CHILD_BREACH)
            fail("vm%d: the child program found a sandbox or handle check failing (status 101; its stderr says which)",
                 v->id);
        if (v->has_probe && v->exp_fault) {
            if (reason != MVM_EXIT_FAULT || sig != 11)
                fail("vm%d: the child's probe of %#llx should fault (page %s), but it ended with reason %u status %d",
                     v->id, (unsigned long long)v->probe, v->st[pidx(v->probe)] == PG_MAPPED ? "mapped" : "unmapped",
                     reason, status);
        } else if (reason != MVM_EXIT_EXITED || status != v->exp_status) {
            fail("vm%d: the child program ended with reason %u status %d, want exit status %d%s", v->id, reason,
                 status, v->exp_status, v->has_probe ? " (after its probe of the window)" : "");
        }
        if (v->has_probe && v->exp_fault)
            n_probe_fault++;
        else
            n_child_ok++;
        if (v->has_probe) {
            if (!v->exp_fault) {
                uint64_t val = v->probe_v ^ v->hval;
                for (int i = 0; i < 8; i++) {
                    uint64_t at = v->probe + 8 + (uint64_t)i;
                    shadow[vidx(v)][pidx(at)][at % PG] = (uint8_t)(val >> 8 * i);
                }
            }
            for (int p = 0; p < NPG; p++)
                v->lock[p] = 0;
            v->has_probe = 0;
        }
        if (v->out_ok && reason == MVM_EXIT_EXITED)
            read_file_check(v);
    } else if (v->kind == K_CHAIN) {
        n_sub_ok++;
        if (reason != MVM_EXIT_EXITED || (status != 0 && status != 10))
            fail("vm%d: the chain of copies of the fuzzer in it ended with reason %u status %d (a FAIL line above "
                 "says why)", v->id, reason, status);
    } else if (v->kind == K_SUB) {
        n_sub_ok++;
        if (reason == MVM_EXIT_EXITED && status == 0)
            return;
        if (reason == MVM_EXIT_EXITED && status == HCF_SUB_NOHC && v->hc_enosys)
            return;
        if (reason == MVM_EXIT_EXITED && status == HCF_SUB_SETUP && limited(v))
            return;
        fail("vm%d: the copy of the fuzzer in it ended with reason %u status %d (a FAIL line above says why)", v->id,
             reason, status);
    }
}

/* What a copy of the fuzzer in v says its VMs retired; the budget we gave
 * it caps that too. */
static void read_report(struct vm *v)
{
    static uint8_t rep[16];
    long r = hc(MVM_HC_VM_READ, v->h, (long)(uintptr_t)report, (long)rep, sizeof rep, 0, 0);
    if (r != 0 || ld64(rep) != REPORT_MAGIC || v->tampered)
        return;
    uint64_t d = ld64(rep + 8);
    if (d < v->desc)
        fail("vm%d: the copy of the fuzzer in it reports %llu instructions run by its VMs, less than before (%llu)",
             v->id, (unsigned long long)d, (unsigned long long)v->desc);
    report[1] += d - v->desc;
    v->desc = d;
    /* Each budget caps what it and its VMs run until the next; what the
     * copy reports may lag behind a budget change, the sum cannot. */
    if (v->budget_sum != ~0ull && v->all_spent + v->desc > v->budget_sum)
        fail("vm%d: given budgets of %llu instructions in all, it retired %llu and its VMs (at any depth) %llu more",
             v->id, (unsigned long long)v->budget_sum, (unsigned long long)v->all_spent,
             (unsigned long long)v->desc);
}

static void run_vm(struct vm *v, int max_iter)
{
    for (int it = 0; it < max_iter; it++) {
        guard_fill(exitarea, sizeof exitarea);
        uint64_t before = v->instr;
        if (pct(2)) {
            long bad = 2L << below(62);
            check("VM_RUN with an unknown flag", hc(MVM_HC_VM_RUN, v->h, (long)(exitarea + GUARD), bad, 0, 0, 0),
                  B(E_INVAL), 0);
        }
        /* A system call passed through by the run itself (also asked for
         * when none is pending: then it changes nothing) */
        long rflags = v->run_sys || pct(3) ? MVM_HC_RUN_SYSCALL : 0;
        long r = hc(MVM_HC_VM_RUN, v->h, (long)(exitarea + GUARD), rflags, 0, 0, 0);
        if (r == 0)
            v->pending_sys = v->run_sys = 0;
        nruns++;
        check_arena("a VM_RUN");
        guard_check(exitarea, sizeof exitarea, MVM_HC_EXIT_SIZE, "VM_RUN");
        /* "A VM whose ancestor has nothing left does not run: VM_RUN
         * reports a budget exit", even one with no program or ended; so
         * does one whose own budget its VMs used up */
        int starved = exhausted(v) || ancestor_exhausted(v) || level > 0;
        if (r == 0 && starved && ld32(exitarea + GUARD) == MVM_EXIT_BUDGET) {
            note("  VM_RUN vm%d: a budget exit (it or a VM above it has no budget left)", v->id);
            if (ld32(exitarea + GUARD + 4) != 124)
                fail("vm%d: a budget exit with status %d", v->id, (int)ld32(exitarea + GUARD + 4));
            n_budget++;
            if (v->loaded) {   /* it may have run up to its own budget */
                struct stats s;
                get_stats(v, &s);
                if (s.instructions < before)
                    fail("vm%d: instructions went down from %llu to %llu in a VM_RUN", v->id,
                         (unsigned long long)before, (unsigned long long)s.instructions);
                uint64_t d = s.instructions - before, c = ld64(exitarea + GUARD + 32);
                v->instr = s.instructions;
                report[1] += d;
                v->all_spent += d;
                if (d)
                    v->started = 1;
                if (v->budget > 0) {
                    v->spent += d;
                    v->cost += c > d ? c : d;
                    if (v->spent > (uint64_t)v->budget || v->cost > (uint64_t)v->budget)
                        fail("vm%d: ran %llu instructions (cost %llu) since its budget was set to %lld", v->id,
                             (unsigned long long)v->spent, (unsigned long long)v->cost, (long long)v->budget);
                }
                if (v->kind == K_SUB || v->kind == K_CHAIN)
                    read_report(v);
            }
            return;
        }
        if (!v->loaded) {
            note("  VM_RUN of unloaded vm%d = %ld", v->id, r);
            check("VM_RUN of a VM with no program", r, B(E_INVAL), 0);
            return;
        }
        const uint8_t *e = exitarea + GUARD;
        unsigned reason = ld32(e);
        int status = (int)ld32(e + 4), sig = (int)ld32(e + 8);
        uint64_t einstr = ld64(e + 32);
        if (r == 0)
            note("  VM_RUN vm%d: reason %u status %d signal %d cause %u addr %#llx pc %#llx cost %llu", v->id, reason,
                 status, sig, ld32(e + 12), (unsigned long long)ld64(e + 16), (unsigned long long)ld64(e + 24),
                 (unsigned long long)einstr);
        else
            note("  VM_RUN vm%d = %ld", v->id, r);
        if (v->finished) {
            check("VM_RUN of a VM that has ended", r, 0, B(E_BUSY));
            if (r == 0 && (reason == MVM_EXIT_BUDGET || reason > MVM_EXIT_NOMEM || reason == 0 ||
                           status != v->fin_status))
                fail("vm%d: ran again after ending with status %d: reason %u status %d", v->id, v->fin_status,
                     reason, status);
            struct stats s;
            get_stats(v, &s);
            if (s.instructions != v->instr)
                fail("vm%d: an ended VM retired %lld more instructions", v->id,
                     (long long)(s.instructions - v->instr));
            return;
        }
        check("VM_RUN", r, 0, 0);
        v->started = 1;
        struct stats s;
        get_stats(v, &s);
        if (s.instructions < before)
            fail("vm%d: instructions went down from %llu to %llu in a VM_RUN", v->id, (unsigned long long)before,
                 (unsigned long long)s.instructions);
        uint64_t delta = s.instructions - before;
        v->instr = s.instructions;
        if (einstr && einstr < delta)
            fail("vm%d: the exit record says the run cost %llu instructions, but the VM retired %llu", v->id,
                 (unsigned long long)einstr, (unsigned long long)delta);
        if (einstr && v->kind == K_CHILD && !v->tampered && einstr != delta)
            fail("vm%d: a VM with no VMs of its own: the run cost %llu, but it retired %llu", v->id,
                 (unsigned long long)einstr, (unsigned long long)delta);
        uint64_t cost = einstr > delta ? einstr : delta;
        report[1] += delta;
        v->all_spent += delta;
        if (v->budget > 0) {
            v->spent += delta;
            v->cost += cost;
            if (v->spent > (uint64_t)v->budget)
                fail("vm%d: retired %llu instructions since its budget was set to %lld", v->id,
                     (unsigned long long)v->spent, (long long)v->budget);
            if (v->cost > (uint64_t)v->budget)
                fail("vm%d: its runs cost %llu instructions since its budget was set to %lld", v->id,
                     (unsigned long long)v->cost, (long long)v->budget);
        }
        if (v->kind == K_SUB || v->kind == K_CHAIN)
            read_report(v);
        /* charged to the VMs above it that we hold */
        for (struct vm *a = v->parent_id > 0 ? by_id(v->parent_id) : NULL; a;
             a = a->parent_id > 0 ? by_id(a->parent_id) : NULL)
            a->charged += cost;
        if (v->tampered) {
            for (int p = 0; p < NPG; p++)
                if (!v->lock[p])
                    v->st[p] = PG_UNKNOWN;
        }
        switch (reason) {
        case MVM_EXIT_SYSCALL:
            if (!(v->cflags & MVM_HC_CREATE_EXIT_SYSCALLS))
                fail("vm%d: a system-call exit from a VM created without EXIT_SYSCALLS", v->id);
            v->pending_sys = 1;
            n_sys_exits++;
            if (pct(50)) {
                v->run_sys = 1;   /* the next VM_RUN serves it (MVM_HC_RUN_SYSCALL) */
                continue;
            }
            check("VM_SYSCALL at a system-call exit", hc(MVM_HC_VM_SYSCALL, v->h, 0, 0, 0, 0, 0), 0, 0);
            v->pending_sys = 0;
            continue;
        case MVM_EXIT_HYPERCALL: {
            if (!(v->cflags & MVM_HC_CREATE_EXIT_HYPERCALLS))
                fail("vm%d: a hypercall exit from a VM created without EXIT_HYPERCALLS", v->id);
            regs_get(v, regsarea);
            uint8_t *rg = regsarea + GUARD;
            uint64_t a7 = ld64(rg + 8 + 8 * 17);
            if (a7 - MVM_HC_BASE >= MVM_HC_COUNT)
                fail("vm%d: a hypercall exit with a7 = %#llx", v->id, (unsigned long long)a7);
            /* we serve no hypercalls: ENOSYS, and on past the ecall */
            st64(rg + 8 + 8 * 10, (uint64_t)-38);
            st64(rg, ld64(rg) + 4);
            check("VCPU_SET serving a hypercall exit", hc(MVM_HC_VCPU_SET, v->h, (long)rg, 0, 0, 0, 0), 0, 0);
            v->hc_enosys = 1;
            n_hc_exits++;
            continue;
        }
        case MVM_EXIT_BUDGET:
            if (status != 124)
                fail("vm%d: a budget exit with status %d", v->id, status);
            n_budget++;
            if (v->budget == 0 && !ancestor_budget(v) && level == 0)
                fail("vm%d: a budget exit, but it has no budget (it retired %llu)", v->id,
                     (unsigned long long)delta);
            if (v->budget > 0 && level == 0 && !ancestor_budget(v) && (v->kind == K_CHILD || einstr) &&
                v->cost + v->charged < (uint64_t)v->budget)
                fail("vm%d: a budget exit after %llu instructions of its budget of %lld", v->id,
                     (unsigned long long)v->cost, (long long)v->budget);
            return;
        case MVM_EXIT_EXITED:
            if (sig != 0 || status < 0 || status > 255)
                fail("vm%d: an exit with status %d signal %d", v->id, status, sig);
            finished(v, reason, status, sig);
            return;
        case MVM_EXIT_SIGNALED:
        case MVM_EXIT_FAULT:
            if (sig < 1 || sig > 64 || status != 128 + sig)
                fail("vm%d: reason %u with status %d signal %d", v->id, reason, status, sig);
            finished(v, reason, status, sig);
            return;
        case MVM_EXIT_NOMEM:
            if (status != 137)
                fail("vm%d: an out-of-memory exit with status %d", v->id, status);
            if (!limited(v))
                fail("vm%d: out of memory with no limit on it", v->id);
            finished(v, reason, status, sig);
            return;
        default:
            fail("vm%d: VM_RUN gave exit reason %u", v->id, reason);
        }
    }
}

static void op_run(void)
{
    struct vm *v = pick_pref(is_runnable);   /* prefer a program that has not ended */
    if (!v || pct(4)) {
        long h = bad_handle();
        note("VM_RUN(%ld) never given", h);
        check("VM_RUN of a handle not held", hc(MVM_HC_VM_RUN, h, (long)(exitarea + GUARD), 0, 0, 0, 0), B(E_BADF), 0);
        return;
    }
    if (pct(5)) {
        uint64_t p = bad_dst(MVM_HC_EXIT_SIZE);
        note("VM_RUN(h%ld vm%d) exit record at %#llx", v->h, v->id, (unsigned long long)p);
        long r = hc(MVM_HC_VM_RUN, v->h, (long)p, 0, 0, 0, 0);
        check("VM_RUN with a bad exit record", r, B(E_FAULT), 0);
        struct stats s;
        get_stats(v, &s);
        if (s.instructions != v->instr)
            fail("vm%d: ran %lld instructions in a VM_RUN refused for its exit record", v->id,
                 (long long)(s.instructions - v->instr));
        return;
    }
    if ((v->tampered || v->kind == K_WILD) && (v->budget == 0 || (uint64_t)v->budget > v->cost + 50000000)) {
        /* a program nobody can predict may loop forever: give it a budget */
        int64_t b = 200000 + (int64_t)below(2000000);
        note("VM_SET_BUDGET(h%ld vm%d, %lld) before running a wild program", v->h, v->id, (long long)b);
        check("VM_SET_BUDGET", hc(MVM_HC_VM_SET_BUDGET, v->h, (long)b, 0, 0, 0, 0), 0, 0);
        v->budget = b;
        v->spent = v->cost = v->charged = 0;
        v->budget_sum = add_budget(v->budget_sum, b);
    }
    if (v->budget > 0 && v->spent >= (uint64_t)v->budget && pct(60)) {
        /* stopped by its budget: a scheduler gives it another slice */
        int64_t b = PICK(((const int64_t[]){ 0, 20000, 200000, 2000000 }));
        if (b == 0 && (v->tampered || v->kind == K_WILD))
            b = 2000000;
        note("VM_SET_BUDGET(h%ld vm%d, %lld) to resume", v->h, v->id, (long long)b);
        check("VM_SET_BUDGET", hc(MVM_HC_VM_SET_BUDGET, v->h, (long)b, 0, 0, 0, 0), 0, 0);
        v->budget = b;
        v->spent = v->cost = v->charged = 0;
        v->budget_sum = add_budget(v->budget_sum, v->budget);
    }
    note("VM_RUN(h%ld vm%d) kind %d loaded %d budget %lld spent %llu", v->h, v->id, v->kind, v->loaded,
         (long long)v->budget, (unsigned long long)v->spent);
    run_vm(v, 300);
}

/* ---- filling the handle table ---------------------------------------------- */

static void fill_table(const char *when)
{
    static long extra[MVM_HC_MAX_CHILDREN + 2];
    int n = 0;
    static uint8_t cfg[MVM_HC_CONFIG_SIZE];
    long r;
    note("filling the handle table (%s): %d held, %d expected", when, nheld, maxh);
    for (;;) {
        r = hc(MVM_HC_VM_CREATE, (long)cfg, 0, 0, 0, 0, 0);
        if (r < 0)
            break;
        accept_handle(r, "VM_CREATE filling the table");
        held[r] = MAXVM;   /* a filler */
        extra[n++] = r;
        if (n > MVM_HC_MAX_CHILDREN)
            fail("more than %d VMs at once", MVM_HC_MAX_CHILDREN);
    }
    note("  %d more, then %ld", n, r);
    if (!(r == -E_NOMEM && level > 0)) {
        check("VM_CREATE on a full table", r, B(E_MFILE), 0);
        if (nheld + n != maxh)
            fail("the handle table held %d VMs (%d of them the model's), want %d", nheld + n, nheld, maxh);
    }
    for (int i = 0; i < n; i++) {
        check("VM_DESTROY of a filler", hc(MVM_HC_VM_DESTROY, extra[i], 0, 0, 0, 0, 0), 0, 0);
        held[extra[i]] = -1;
    }
    for (int i = 0; i < n; i++)
        check("VM_DESTROY of a destroyed filler", hc(MVM_HC_VM_DESTROY, extra[i], 0, 0, 0, 0, 0), B(E_BADF), 0);
}

/* ---- a VM that is not unrolled loses its pages ------------------------------ */

static void op_unroll_hole(void)
{
    if (nlive() >= MAXVM || !child_img)
        return;
    struct vm *bv = pct(50) ? pick_live() : NULL;
    if (bv && (limited(bv) || bv->budget || bv->tampered))
        bv = NULL;
    static uint8_t cfg[MVM_HC_CONFIG_SIZE];
    /* It stops at each system call: the run resumes right after one, with
     * its code and stack still in its caches. */
    unsigned fl = MVM_HC_CREATE_NO_UNROLL | MVM_HC_CREATE_EXIT_SYSCALLS;
    note("not unrolled, backed by %s", bv ? "a VM of ours" : "the fuzzer");
    long r = hc(MVM_HC_VM_CREATE, (long)cfg, fl, bv ? bv->h : 0, 0, 0, 0);
    check("VM_CREATE not unrolled", r, 0, (nheld >= maxh ? B(E_MFILE) : 0) | (level > 0 ? B(E_NOMEM) : 0));
    if (r < 0)
        return;
    accept_handle(r, "VM_CREATE");
    struct vm *c = new_model(r, fl, 0, 0, bv ? bv->id : 0, -1);
    unsigned long n = 200 + below(300);
    char sn[16];
    snprintf(sn, sizeof sn, "%lu", n);
    char *argv[3] = { "hcfuzz-child", "spin", sn };
    size_t alen = pack_args(3, argv, 0, NULL);
    check("VM_LOAD_ELF", hc(MVM_HC_VM_LOAD_ELF, c->h, (long)"hcfuzz-child", (long)child_img, (long)child_size,
                            (long)argsbuf, (long)alen), 0, 0);
    c->loaded = 1;
    c->kind = K_CHILD;
    c->exp_status = (int)(n % 100);
    /* past its start-up, into the loop */
    int stops = 40 + (int)below(60);
    for (int i = 0; i < stops; i++) {
        guard_fill(exitarea, sizeof exitarea);
        r = hc(MVM_HC_VM_RUN, c->h, (long)(exitarea + GUARD), 0, 0, 0, 0);
        nruns++;
        check("VM_RUN", r, 0, 0);
        if (ld32(exitarea + GUARD) != MVM_EXIT_SYSCALL)
            fail("vm%d: the spinning child ended its run with reason %u before its loop was done", c->id,
                 ld32(exitarea + GUARD));
        c->started = 1;
        check("VM_SYSCALL", hc(MVM_HC_VM_SYSCALL, c->h, 0, 0, 0, 0, 0), 0, 0);
    }
    struct stats s;
    get_stats(c, &s);
    report[1] += s.instructions;
    c->instr = s.instructions;
    long u;
    if (bv) {
        u = hc(MVM_HC_VM_UNMAP, bv->h, (long)SLOTS, 1L << 32, 0, 0, 0);
        note("  after %d system calls, VM_UNMAP of the backing VM's slots = %ld", stops, u);
        check("VM_UNMAP of the backing slots", u, 0, B(E_INVAL) | B(E_PERM) | B(E_BUSY) | B(E_ACCES));
    } else {
        u = munmap((void *)(uintptr_t)SLOTS, 1ul << 32) == 0 ? 0 : -errno;
        note("  after %d system calls, munmap of our own slots = %ld", stops, u);
    }
    if (u != 0) {   /* refused: the child goes on unharmed */
        run_vm(c, 2000);
        return;
    }
    slots_gone(bv ? bv->id : 0);
    guard_fill(exitarea, sizeof exitarea);
    r = hc(MVM_HC_VM_RUN, c->h, (long)(exitarea + GUARD), 0, 0, 0, 0);
    nruns++;
    check_arena("a VM_RUN");
    unsigned reason = ld32(exitarea + GUARD);
    note("  VM_RUN after its pages went: %ld, reason %u status %d", r, reason, (int)ld32(exitarea + GUARD + 4));
    check("VM_RUN of a VM whose pages went", r, 0, 0);
    if (reason != MVM_EXIT_FAULT)
        fail("vm%d: a VM that is not unrolled ran on after %s unmapped its pages (reason %u, status %d)", c->id,
             bv ? "its backing VM" : "the fuzzer, its backing,", reason, (int)ld32(exitarea + GUARD + 4));
    c->finished = 1;
    c->fin_status = (int)ld32(exitarea + GUARD + 4);
    c->tampered = 1;
    get_stats(c, &s);
    report[1] += s.instructions - c->instr;
    c->instr = s.instructions;
}

/* ---- a budget caps a whole subtree ----------------------------------------- */

/*
 * A VM with a finite budget runs a chain of copies of the fuzzer, each
 * running the next; whenever it stops for its budget it gets another
 * finite one. What it and every VM below it retired, as the copies report
 * it, may never exceed the sum of those budgets.
 */
static void op_budget_tree(void)
{
    if (nlive() >= MAXVM || !self_img || !bin[0])
        return;
    int64_t b = 100000 + (int64_t)below(600000);
    uint8_t w[MVM_HC_CONFIG_SIZE] = { 0 };
    st64(w + 8, (uint64_t)b);
    note("a budget of %lld for a chain of copies", (long long)b);
    long r = hc(MVM_HC_VM_CREATE, (long)w, 0, 0, 0, 0, 0);
    check("VM_CREATE", r, 0, nheld >= maxh ? B(E_MFILE) : 0);
    if (r < 0)
        return;
    accept_handle(r, "VM_CREATE");
    struct vm *x = new_model(r, 0, 0, b, -1, -1);
    snprintf(strbuf[0], sizeof strbuf[0], "%s", bin);
    check("VM_ADD_DIR", hc(MVM_HC_VM_ADD_DIR, x->h, 0, (long)strbuf[0], (long)strbuf[0], 1, 0), 0, 0);
    x->g[x->ngrants].under = U_GRO;
    x->g[x->ngrants].ro = 1;
    snprintf(x->g[x->ngrants++].guest, sizeof x->g[0].guest, "%s", bin);
    char sn[16], sd[16];
    snprintf(sn, sizeof sn, "%d", 2 + (int)below(2));
    snprintf(sd, sizeof sd, "%d", vmdepth + 1);
    char *argv[] = { "hcfuzz", "--chain", sn, "--depth", sd, "--bin", bin, "--level", "1" };
    size_t alen = pack_args(9, argv, 0, NULL);
    check("VM_LOAD_ELF", hc(MVM_HC_VM_LOAD_ELF, x->h, (long)"hcfuzz", (long)self_img, (long)self_size,
                            (long)argsbuf, (long)alen), 0, 0);
    x->loaded = 1;
    x->kind = K_CHAIN;
    for (int i = 0; i < 60 && !x->finished; i++) {
        run_vm(x, 10);
        if (!x->finished) {
            note("VM_SET_BUDGET(h%ld vm%d, %lld) to go on", x->h, x->id, (long long)b);
            check("VM_SET_BUDGET", hc(MVM_HC_VM_SET_BUDGET, x->h, (long)b, 0, 0, 0, 0), 0, 0);
            x->spent = x->cost = x->charged = 0;
            x->budget_sum = add_budget(x->budget_sum, b);
        }
    }
    note("  the chain: %s; it retired %llu, its VMs %llu, budgets %llu", x->finished ? "ended" : "still going",
         (unsigned long long)x->all_spent, (unsigned long long)x->desc, (unsigned long long)x->budget_sum);
}

/* ---- set-up ----------------------------------------------------------------- */

static uint8_t *read_file(const char *path, size_t *size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    off_t n = lseek(fd, 0, SEEK_END);
    lseek(fd, 0, SEEK_SET);
    uint8_t *b = n > 0 ? malloc((size_t)n) : NULL;
    size_t got = 0;
    while (b && got < (size_t)n) {
        ssize_t k = read(fd, b + got, (size_t)n - got);
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    if (!b || got != (size_t)n) {
        free(b);
        return NULL;
    }
    *size = got;
    return b;
}

/* The edge page's bytes: a straddling buffer's readable part. A read
 * into a straddling buffer may change them; each step starts afresh. */
static void edge_reset(void)
{
    for (uint64_t i = 0; i < PG; i++)
        edge_page[i] = (uint8_t)(i % 255 + 1);   /* no NUL: a string here runs into PROT_NONE */
}

static void setup(void)
{
    for (int i = 0; i <= MVM_HC_MAX_CHILDREN; i++)
        held[i] = -1;
    maxh = MVM_HC_MAX_CHILDREN - slack;
    uint8_t *m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        printf("%ssetup: mmap failed\n", pfx);
        exit(HCF_SUB_SETUP);
    }
    ro_page = m;
    memset(ro_page, 0x5a, PG);
    mprotect(ro_page, PG, PROT_READ);
    none_page = m + PG;
    mprotect(none_page, PG, PROT_NONE);
    edge_page = m + 2 * PG;
    edge_reset();
    edge_end = m + 3 * PG;
    mprotect(edge_end, PG, PROT_NONE);
    memset(longstr, 'a', sizeof longstr);
    fill_arena(arena);
    char path[600];
    if (bin[0]) {
        join(path, sizeof path, bin, "hcfuzz-child");
        child_img = read_file(path, &child_size);
        join(path, sizeof path, bin, "hcfuzz");
        self_img = read_file(path, &self_size);
    }
    size_t wsize = child_size > 4096 ? child_size : 4096;
    work_img = malloc(wsize);
    if (!work_img) {
        printf("%ssetup: out of memory\n", pfx);
        exit(HCF_SUB_SETUP);
    }
    if (rw[0])
        join(subd, sizeof subd, rw, "sub");
}

/* ---- the nesting chain ---------------------------------------------------- */

static int chain(int left)
{
    if (left == 0) {
        printf("%schain: bottom reached at depth %d\n", pfx, vmdepth);
        return 0;
    }
    static uint8_t cfg[MVM_HC_CONFIG_SIZE];
    long h = hc(MVM_HC_VM_CREATE, (long)cfg, 0, 0, 0, 0, 0);
    if (vmdepth >= MAX_DEPTH) {
        if (h != -E_LOOP) {
            printf("%sFAIL chain: a VM at depth %d created a VM (%ld), the limit is %d: want ELOOP\n", pfx, vmdepth,
                   h, MAX_DEPTH);
            return 1;
        }
        printf("%schain: ELOOP at depth %d\n", pfx, vmdepth);
        return 10;
    }
    if (h <= 0) {
        printf("%sFAIL chain: VM_CREATE at depth %d gave %ld\n", pfx, vmdepth, h);
        return 1;
    }
    if (!self_img) {
        printf("%sFAIL chain: no image of the fuzzer under %s at depth %d\n", pfx, bin, vmdepth);
        return 1;
    }
    long r = hc(MVM_HC_VM_ADD_DIR, h, 0, (long)bin, (long)bin, 1, 0);
    if (r != 0) {
        printf("%sFAIL chain: VM_ADD_DIR %s at depth %d gave %ld\n", pfx, bin, vmdepth, r);
        return 1;
    }
    char sleft[16], sdepth[16], slevel[16];
    snprintf(sleft, sizeof sleft, "%d", left - 1);
    snprintf(sdepth, sizeof sdepth, "%d", vmdepth + 1);
    snprintf(slevel, sizeof slevel, "%d", level + 1);
    char *argv[] = { "hcfuzz", "--chain", sleft, "--depth", sdepth, "--bin", bin, "--level", slevel };
    size_t alen = pack_args(9, argv, 0, NULL);
    r = hc(MVM_HC_VM_LOAD_ELF, h, (long)"hcfuzz", (long)self_img, (long)self_size, (long)argsbuf, (long)alen);
    if (r != 0) {
        printf("%sFAIL chain: VM_LOAD_ELF at depth %d gave %ld\n", pfx, vmdepth, r);
        return 1;
    }
    /* A budget exit: ours ran out (the budget of a VM above caps ours
     * and so our copy's); run it again when we are given more. */
    unsigned reason;
    uint64_t before = 0, desc = 0;
    for (int tries = 0;; tries++) {
        r = hc(MVM_HC_VM_RUN, h, (long)(exitarea + GUARD), 0, 0, 0, 0);
        reason = ld32(exitarea + GUARD);
        static uint8_t st[MVM_HC_STATS_SIZE], rep[16];
        if (hc(MVM_HC_VM_STATS, h, (long)st, 0, 0, 0, 0) == 0) {
            report[1] += ld64(st) - before;
            before = ld64(st);
        }
        if (hc(MVM_HC_VM_READ, h, (long)(uintptr_t)report, (long)rep, sizeof rep, 0, 0) == 0 &&
            ld64(rep) == REPORT_MAGIC && ld64(rep + 8) >= desc) {
            report[1] += ld64(rep + 8) - desc;
            desc = ld64(rep + 8);
        }
        if (r != 0 || reason != MVM_EXIT_BUDGET || tries > 100000)
            break;
    }
    int status = (int)ld32(exitarea + GUARD + 4);
    if (r != 0 || reason != MVM_EXIT_EXITED || (status != 0 && status != 10)) {
        printf("%sFAIL chain: the copy at depth %d: VM_RUN %ld, reason %u, status %d\n", pfx, vmdepth + 1, r, reason,
               status);
        return 1;
    }
    check("VM_DESTROY", hc(MVM_HC_VM_DESTROY, h, 0, 0, 0, 0, 0), 0, 0);
    return status;
}

/* ---- main --------------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr, "usage: hcfuzz SEED STEPS [--bin DIR] [--rw DIR] [--canary PATH] [--depth D] [--slack N]\n"
                    "              [--level L] [--max-level M] [-v]\n"
                    "       hcfuzz --chain N [--bin DIR] [--depth D]\n");
    exit(HCF_CHILD_USAGE);
}

int main(int argc, char **argv)
{
    int chain_len = -1, pos = 0;
    const char *posv[2] = { NULL, NULL };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-v"))
            verbose = 1;
        else if (!strcmp(a, "--bin") && val)
            snprintf(bin, sizeof bin, "%s", argv[++i]);
        else if (!strcmp(a, "--rw") && val)
            snprintf(rw, sizeof rw, "%s", argv[++i]);
        else if (!strcmp(a, "--canary") && val)
            snprintf(canary, sizeof canary, "%s", argv[++i]);
        else if (!strcmp(a, "--depth") && val)
            vmdepth = atoi(argv[++i]);
        else if (!strcmp(a, "--slack") && val)
            slack = atoi(argv[++i]);
        else if (!strcmp(a, "--level") && val)
            level = atoi(argv[++i]);
        else if (!strcmp(a, "--max-level") && val)
            max_level = atoi(argv[++i]);
        else if (!strcmp(a, "--chain") && val)
            chain_len = atoi(argv[++i]);
        else if (a[0] != '-' && pos < 2)
            posv[pos++] = a;
        else
            usage();
    }
    if (level > 0) {
        snprintf(pfx, sizeof pfx, "  [level %d] ", level);
    }
    if (hc(MVM_HC_PROBE, 0, 0, 0, 0, 0, 0) != MVM_HC_MAGIC) {
        printf("%sno hypercalls here\n", pfx);
        return HCF_SUB_NOHC;
    }
    if (chain_len >= 0) {
        snprintf(rw, sizeof rw, "%s", "");
        setup();
        int r = chain(chain_len);
        if (r != 1 && level == 0)
            printf("ok chain: %s\n", r == 10 ? "ELOOP at the depth limit" : "bottom reached");
        return r == 1 ? 1 : level == 0 ? 0 : r;
    }
    if (!posv[1])
        usage();
    seed = strtoull(posv[0], NULL, 10);
    nsteps = strtol(posv[1], NULL, 10);
    rs = seed * 0x2545f4914f6cdd1dull + 1;
    setup();

    for (step = 1; step <= nsteps; step++) {
        edge_reset();
        int k = (int)below(1000);
        if (k < 60)
            op_create();
        else if (k < 90)
            op_destroy();
        else if (k < 170)
            op_map();
        else if (k < 205)
            op_unmap();
        else if (k < 290)
            op_write();
        else if (k < 375)
            op_read();
        else if (k < 420)
            op_add_dir();
        else if (k < 450)
            op_redirect();
        else if (k < 462)
            op_cwd();
        else if (k < 572)
            op_load();
        else if (k < 600)
            op_vcpu();
        else if (k < 625)
            op_budget();
        else if (k < 800)
            op_run();
        else if (k < 840)
            op_stats();
        else if (k < 870)
            op_badh();
        else if (k < 880)
            op_syscall();
        else if (k < 890)
            op_error();
        else if (k < 893 && level == 0)
            fill_table("during the run");
        else if (k < 898 && level == 0)
            op_unroll_hole();
        else if (k < 901 && level == 0)
            op_budget_tree();
        else if (nlive() < 3)
            op_create();
        else
            op_run();
        /* whatever ran, our own memory is ours */
        if (step % 16 == 0)
            check_arena("the steps so far");
    }
    step = nsteps + 1;
    /* the end: everything destroyed, every handle gives EBADF, the table is whole */
    for (int i = 0; i < MAXVM; i++)
        if (vms[i].live) {
            note("VM_DESTROY(h%ld) vm%d at the end", vms[i].h, vms[i].id);
            check("VM_DESTROY at the end", hc(MVM_HC_VM_DESTROY, vms[i].h, 0, 0, 0, 0, 0), 0, 0);
            forget(&vms[i]);
            resolve_dependents();
        }
    for (long h = 0; h <= MVM_HC_MAX_CHILDREN + 1; h++)
        check("VM_STATS after destroying everything", hc(MVM_HC_VM_STATS, h, (long)(statsarea + GUARD), 0, 0, 0, 0),
              B(E_BADF), 0);
    if (level == 0)
        fill_table("at the end");
    check_arena("the run");
    printf("%sseed %llu: %ld child programs ended as expected, %ld probes faulted as expected, %ld copies of the "
           "fuzzer ended, %ld wild VMs ended, %ld budget exits, %ld system-call exits, %ld hypercall exits\n",
           pfx, (unsigned long long)seed, n_child_ok, n_probe_fault, n_sub_ok, n_wild_end, n_budget, n_sys_exits,
           n_hc_exits);
    printf("%sok seed %llu: %ld steps, %ld runs\n", pfx, (unsigned long long)seed, nsteps, nruns);
    return 0;
}
