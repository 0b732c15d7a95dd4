/*
 * sys_misc.c — the process, identity, time, limits,
 * randomness and memory system calls (memory ones forward to user/mm.c).
 *
 * The guest runs as PROC_UID/PROC_GID; its processes are
 * user/process.c's, their threads user/thread.c's.
 * Clocks are the host's; signals, interval timers and the rest of the
 * signal calls are user/signal.c's. Layouts are riscv64 Linux's.
 */
#include <string.h>

#include "host/fs.h"
#include "host/host.h"
#include "mem/mem.h"
#include "user/fs.h"
#include "user/lx.h"
#include "user/proc.h"

#define NSEC 1000000000ull
#define COARSE_NS 4000000ull    /* the resolution of *_COARSE clocks at HZ=250 */

static long put_bytes(struct proc *p, uint64_t va, const void *b, size_t n)
{
    return va ? mem_write(p->as, va, b, n) : 0;
}

/* ------------------------------------------------------------ processes */

/* exit, exit_group, clone, futex, gettid, set_tid_address, the robust
   list and sched_yield are per thread: user/thread.c; fork, execve, wait
   and the process ids are user/process.c's. */

long sys_getuid(struct proc *p, const uint64_t *a) { return PROC_UID; }
long sys_geteuid(struct proc *p, const uint64_t *a) { return PROC_UID; }
long sys_getgid(struct proc *p, const uint64_t *a) { return PROC_GID; }
long sys_getegid(struct proc *p, const uint64_t *a) { return PROC_GID; }

static long put_ids(struct proc *p, const uint64_t *a, uint32_t id)
{
    uint8_t b[4];
    st32(b, id);
    for (int i = 0; i < 3; i++) {
        long r = mem_write(p->as, a[i], b, 4);
        if (r < 0)
            return r;
    }
    return 0;
}

long sys_getresuid(struct proc *p, const uint64_t *a) { return put_ids(p, a, PROC_UID); }
long sys_getresgid(struct proc *p, const uint64_t *a) { return put_ids(p, a, PROC_GID); }

long sys_getgroups(struct proc *p, const uint64_t *a)
{
    return (int)a[0] < 0 ? -LX_EINVAL : 0;
}

static bool self(struct proc *p, int64_t pid) { return pid == 0 || pid == p->pid; }

long sys_getpriority(struct proc *p, const uint64_t *a)
{
    if ((int)a[0] < 0 || (int)a[0] > 2)
        return -LX_EINVAL;
    return self(p, (int)a[1]) ? 20 : -LX_ESRCH;     /* 20 - nice, nice 0 */
}

long sys_setpriority(struct proc *p, const uint64_t *a)
{
    if ((int)a[0] < 0 || (int)a[0] > 2)
        return -LX_EINVAL;
    return self(p, (int)a[1]) ? 0 : -LX_ESRCH;
}

long sys_prctl(struct proc *p, const uint64_t *a)
{
    if (a[0] == 3)      /* PR_GET_DUMPABLE */
        return 1;
    return -LX_EINVAL;
}

long sys_uname(struct proc *p, const uint64_t *a)
{
    static const char *const f[6] = { "Linux", "mvm", "6.1.0", "#1 SMP mvm", "riscv64", "(none)" };
    uint8_t b[6 * 65];
    memset(b, 0, sizeof b);
    for (int i = 0; i < 6; i++)
        memcpy(b + 65 * i, f[i], strlen(f[i]));
    return mem_write(p->as, a[0], b, sizeof b);
}

long sys_sysinfo(struct proc *p, const uint64_t *a)
{
    struct mem_stats ms;
    mem_pool_stats(p->pool, &ms);
    uint64_t total = ms.limit_pages ? ms.limit_pages * MEM_PAGE_SIZE : 1ull << 32;
    uint64_t used = ms.pages_in_use * MEM_PAGE_SIZE;
    uint8_t b[112];
    memset(b, 0, sizeof b);
    const struct rv_hart *mh = p->main->hart;
    st64(b + 0, (mh->time_base_ns ? host_time_monotonic_ns() - mh->time_base_ns : 0) / NSEC);
    st64(b + 32, total);
    st64(b + 40, used < total ? total - used : 0);
    st16(b + 80, 1);            /* procs */
    st32(b + 104, 1);           /* mem_unit */
    return mem_write(p->as, a[0], b, sizeof b);
}

long sys_getcpu(struct proc *p, const uint64_t *a)
{
    uint8_t b[4] = { 0 };
    long r = put_bytes(p, a[0], b, 4);
    return r < 0 ? r : put_bytes(p, a[1], b, 4);
}

long sys_sched_getaffinity(struct proc *p, const uint64_t *a)
{
    if (!self(p, (int)a[0]))
        return -LX_ESRCH;
    if (a[1] < 8 || (a[1] & 7))
        return -LX_EINVAL;
    uint8_t b[8] = { 1 };       /* CPU 0 */
    long r = mem_write(p->as, a[2], b, 8);
    return r < 0 ? r : 8;
}

long sys_sched_setaffinity(struct proc *p, const uint64_t *a)
{
    if (!self(p, (int)a[0]))
        return -LX_ESRCH;
    uint8_t b = 0;
    if (a[1] && mem_read(p->as, a[2], &b, 1) < 0)
        return -LX_EFAULT;
    return b & 1 ? 0 : -LX_EINVAL;
}


/* ---------------------------------------------------------------- time */

static uint64_t now_ns(struct proc *p, int clock, bool *ok)
{
    *ok = true;
    switch (clock) {
    case LX_CLOCK_REALTIME:
    case LX_CLOCK_REALTIME_COARSE:
    case LX_CLOCK_REALTIME_ALARM:
    case LX_CLOCK_TAI:
        return host_time_realtime_ns();
    case LX_CLOCK_MONOTONIC:
    case LX_CLOCK_MONOTONIC_RAW:
    case LX_CLOCK_MONOTONIC_COARSE:
    case LX_CLOCK_BOOTTIME:
    case LX_CLOCK_BOOTTIME_ALARM:
        return host_time_monotonic_ns();
    case LX_CLOCK_PROCESS_CPUTIME_ID:
    case LX_CLOCK_THREAD_CPUTIME_ID:
        return host_time_cputime_ns();
    }
    if (clock < 0) {
        /* CPU-time clocks of a pid: ((~pid) << 3) | type, type 3 invalid. */
        int pid = ~(clock >> 3);
        if ((clock & 7) != 3 && (clock & 7) < 7 && self(p, pid))
            return host_time_cputime_ns();
    }
    *ok = false;
    return 0;
}

static long put_timespec(struct proc *p, uint64_t va, uint64_t ns)
{
    uint8_t b[16];
    st64(b, ns / NSEC);
    st64(b + 8, ns % NSEC);
    return mem_write(p->as, va, b, 16);
}

/* Reads a timespec as ns; -EINVAL when out of range. */
long sys_timespec_in(struct proc *p, uint64_t va, uint64_t *ns)
{
    uint8_t b[16];
    long r = mem_read(p->as, va, b, 16);
    if (r < 0)
        return r;
    int64_t sec = (int64_t)ld64(b), nsec = (int64_t)ld64(b + 8);
    if (sec < 0 || nsec < 0 || nsec >= (int64_t)NSEC)
        return -LX_EINVAL;
    /* Beyond a quarter of the range: never ends, and adding a clock
     * reading to it cannot wrap. */
    *ns = (uint64_t)sec > UINT64_MAX / 4 / NSEC ? UINT64_MAX / 4 : (uint64_t)sec * NSEC + (uint64_t)nsec;
    return 0;
}

long sys_clock_gettime(struct proc *p, const uint64_t *a)
{
    bool ok;
    uint64_t ns = now_ns(p, (int)a[0], &ok);
    return ok ? put_timespec(p, a[1], ns) : -LX_EINVAL;
}

long sys_clock_getres(struct proc *p, const uint64_t *a)
{
    bool ok;
    int c = (int)a[0];
    now_ns(p, c, &ok);
    if (!ok)
        return -LX_EINVAL;
    if (!a[1])
        return 0;
    bool coarse = c == LX_CLOCK_REALTIME_COARSE || c == LX_CLOCK_MONOTONIC_COARSE;
    return put_timespec(p, a[1], coarse ? COARSE_NS : 1);
}

long sys_gettimeofday(struct proc *p, const uint64_t *a)
{
    uint64_t ns = host_time_realtime_ns();
    uint8_t b[16];
    st64(b, ns / NSEC);
    st64(b + 8, ns % NSEC / 1000);
    long r = put_bytes(p, a[0], b, 16);
    if (r < 0)
        return r;
    memset(b, 0, 8);    /* struct timezone: UTC, no DST */
    return put_bytes(p, a[1], b, 8);
}

/* Sleeps without the run lock; an ended process or a stopped run ends the
   sleep (the call is then run again when the run resumes, and sleeps to
   the same deadline: a run stopped every few ms, as a fleet's turns are,
   must not make a sleep last forever). A signal ends it with EINTR
   (after its handler) and the time left in *rem. */
static long sleep_for(struct proc *p, uint64_t ns, uint64_t rem)
{
    struct thread *t = p->cur;
    uint64_t now = host_time_monotonic_ns();
    uint64_t deadline = ns > UINT64_MAX / 4 ? UINT64_MAX / 2 : now + ns;
    if (t->restart_deadline && t->restart_pc == t->hart->pc)
        deadline = t->restart_deadline;     /* the same sleep, made again */
    t->restart_deadline = 0;
    int r = proc_sleep_until(p, deadline);
    if (r == 0)
        return 0;
    if (r > 0) {
        uint64_t left = deadline - host_time_monotonic_ns();
        long w = rem ? put_timespec(p, rem, (int64_t)left > 0 ? left : 0) : 0;
        return w < 0 ? w : PROC_ERESTARTNOHAND;
    }
    if (p->exited)
        return 0;
    t->restart_deadline = deadline;
    t->restart_pc = t->hart->pc;
    return PROC_RESTART;
}

long sys_nanosleep(struct proc *p, const uint64_t *a)
{
    uint64_t ns;
    long r = sys_timespec_in(p, a[0], &ns);
    if (r < 0)
        return r;
    return sleep_for(p, ns, a[1]);
}

long sys_clock_nanosleep(struct proc *p, const uint64_t *a)
{
    int c = (int)a[0];
    if (c != LX_CLOCK_REALTIME && c != LX_CLOCK_MONOTONIC && c != LX_CLOCK_BOOTTIME && c != LX_CLOCK_TAI)
        return c == LX_CLOCK_THREAD_CPUTIME_ID ? -LX_EINVAL : -LX_EOPNOTSUPP;
    uint64_t ns;
    long r = sys_timespec_in(p, a[2], &ns);
    if (r < 0)
        return r;
    if (a[1] & LX_TIMER_ABSTIME) {
        bool ok;
        uint64_t now = now_ns(p, c, &ok);
        ns = ns > now ? ns - now : 0;
        return sleep_for(p, ns, 0);
    }
    return sleep_for(p, ns, a[3]);
}

long sys_times(struct proc *p, const uint64_t *a)
{
    uint8_t b[32];
    memset(b, 0, sizeof b);
    st64(b, host_time_cputime_ns() / 10000000);     /* clock ticks at USER_HZ=100 */
    long r = put_bytes(p, a[0], b, 32);
    return r < 0 ? r : (long)(host_time_monotonic_ns() / 10000000);
}

long sys_getrusage(struct proc *p, const uint64_t *a)
{
    int who = (int)a[0];
    if (who != 0 && who != -1 && who != 1)      /* SELF, CHILDREN, THREAD */
        return -LX_EINVAL;
    uint8_t b[144];
    memset(b, 0, sizeof b);
    if (who != -1) {
        uint64_t ns = host_time_cputime_ns();
        st64(b, ns / NSEC);
        st64(b + 8, ns % NSEC / 1000);
        struct mem_stats ms;
        mem_pool_stats(p->pool, &ms);
        st64(b + 32, ms.pages_peak * (MEM_PAGE_SIZE / 1024));     /* ru_maxrss in KiB */
    }
    return mem_write(p->as, a[1], b, sizeof b);
}

/* -------------------------------------------------------------- limits */

static void limit_of(struct proc *p, int res, uint64_t *cur, uint64_t *max)
{
    *cur = *max = LX_RLIM_INFINITY;
    switch (res) {
    case LX_RLIMIT_STACK:
        *cur = PROC_STACK_SIZE;
        break;
    case LX_RLIMIT_NOFILE:
        fs_nofile(p->fs, cur, max);
        break;
    case LX_RLIMIT_CORE:
        *cur = 0;
        break;
    case 8:     /* RLIMIT_MEMLOCK */
        *cur = *max = 8 << 20;
        break;
    case 13:    /* RLIMIT_NICE */
    case 14:    /* RLIMIT_RTPRIO */
        *cur = *max = 0;
        break;
    case LX_RLIMIT_AS:
    case LX_RLIMIT_DATA: {
        struct mem_stats ms;
        mem_pool_stats(p->pool, &ms);
        if (ms.limit_pages)
            *cur = *max = ms.limit_pages * MEM_PAGE_SIZE;
        break;
    }
    }
}

/* get (old) and set (new) one limit; only RLIMIT_NOFILE can change. */
static long rlimit(struct proc *p, int res, uint64_t new_va, uint64_t old_va)
{
    if (res < 0 || res >= LX_RLIM_NLIMITS)
        return -LX_EINVAL;
    uint64_t cur, max;
    limit_of(p, res, &cur, &max);
    uint64_t ncur = 0, nmax = 0;
    if (new_va) {
        uint8_t b[16];
        long r = mem_read(p->as, new_va, b, 16);
        if (r < 0)
            return r;
        ncur = ld64(b);
        nmax = ld64(b + 8);
        if (ncur > nmax)
            return -LX_EINVAL;
    }
    if (old_va) {
        uint8_t b[16];
        st64(b, cur);
        st64(b + 8, max);
        long r = mem_write(p->as, old_va, b, 16);
        if (r < 0)
            return r;
    }
    if (!new_va || (ncur == cur && nmax == max))
        return 0;
    if (res == LX_RLIMIT_NOFILE) {
        if (nmax > FS_NOFILE_MAX)
            return -LX_EPERM;
        return fs_set_nofile(p->fs, ncur, nmax);
    }
    return -LX_EPERM;   /* the others are fixed by the monitor */
}

long sys_getrlimit(struct proc *p, const uint64_t *a) { return rlimit(p, (int)a[0], 0, a[1]); }
long sys_setrlimit(struct proc *p, const uint64_t *a) { return rlimit(p, (int)a[0], a[1], 0); }

long sys_prlimit64(struct proc *p, const uint64_t *a)
{
    if (!self(p, (int)a[0]))
        return -LX_ESRCH;
    return rlimit(p, (int)a[1], a[2], a[3]);
}

/* ---------------------------------------------------------- randomness */

long sys_getrandom(struct proc *p, const uint64_t *a)
{
    if (a[2] & ~(uint64_t)(LX_GRND_NONBLOCK | LX_GRND_RANDOM | LX_GRND_INSECURE))
        return -LX_EINVAL;
    if ((a[2] & LX_GRND_RANDOM) && (a[2] & LX_GRND_INSECURE))
        return -LX_EINVAL;
    uint64_t len = a[1] > 33554431 ? 33554431 : a[1];   /* Linux's per-call cap */
    uint8_t b[256];
    uint64_t done = 0;
    while (done < len) {
        size_t k = len - done < sizeof b ? (size_t)(len - done) : sizeof b;
        host_random(b, k);
        long r = mem_write(p->as, a[0] + done, b, k);
        if (r < 0)
            return done ? (long)done : r;
        done += k;
    }
    return (long)done;
}

/* ------------------------------------------------------------ hardware */

long sys_riscv_hwprobe(struct proc *p, const uint64_t *a)
{
    uint64_t pairs = a[0], count = a[1], setsize = a[2], cpus = a[3];
    if (a[4])
        return -LX_EINVAL;
    if (setsize && cpus) {
        uint8_t b = 0;
        long r = mem_read(p->as, cpus, &b, 1);
        if (r < 0)
            return r;
        if (!(b & 1))
            return -LX_EINVAL;      /* only CPU 0 exists */
    }
    for (uint64_t i = 0; i < count; i++) {
        uint8_t b[16];
        long r = mem_read(p->as, pairs + 16 * i, b, 16);
        if (r < 0)
            return r;
        int64_t key = (int64_t)ld64(b);
        uint64_t v = 0;
        switch (key) {
        case LX_HWPROBE_KEY_MVENDORID:
        case LX_HWPROBE_KEY_MARCHID:
        case LX_HWPROBE_KEY_MIMPID:
            v = 0;
            break;
        case LX_HWPROBE_KEY_BASE_BEHAVIOR:
            v = LX_HWPROBE_BASE_BEHAVIOR_IMA;
            break;
        case LX_HWPROBE_KEY_IMA_EXT_0:
            v = LX_HWPROBE_IMA_FD | LX_HWPROBE_IMA_C | LX_HWPROBE_IMA_ZBA | LX_HWPROBE_IMA_ZBB |
                LX_HWPROBE_IMA_ZBS;
            break;
        case LX_HWPROBE_KEY_CPUPERF_0:
            v = 0;      /* RISCV_HWPROBE_MISALIGNED_UNKNOWN */
            break;
        default:
            key = -1;
            break;
        }
        st64(b, (uint64_t)key);
        st64(b + 8, v);
        if ((r = mem_write(p->as, pairs + 16 * i, b, 16)) < 0)
            return r;
    }
    return 0;
}

long sys_riscv_flush_icache(struct proc *p, const uint64_t *a)
{
    if (a[2] & ~1ull)       /* SYS_RISCV_FLUSH_ICACHE_LOCAL */
        return -LX_EINVAL;
    /* Every thread's decoded blocks go before this returns (the caller's
     * at its next block, the others' at theirs: a shootdown). */
    mem_space_flush_code(p->as);
    return 0;
}

/* -------------------------------------------------------------- memory */

long sys_brk(struct proc *p, const uint64_t *a) { return mm_brk(p, a[0]); }
long sys_munmap(struct proc *p, const uint64_t *a) { return mm_munmap(p, a[0], a[1]); }
long sys_mprotect(struct proc *p, const uint64_t *a) { return mm_mprotect(p, a[0], a[1], (int)a[2]); }
long sys_madvise(struct proc *p, const uint64_t *a) { return mm_madvise(p, a[0], a[1], (int)a[2]); }

long sys_mmap(struct proc *p, const uint64_t *a)
{
    return mm_mmap(p, a[0], a[1], (int)a[2], (int)a[3], (int)a[4], a[5]);
}

long sys_mremap(struct proc *p, const uint64_t *a)
{
    return mm_mremap(p, a[0], a[1], a[2], (int)a[3], a[4]);
}

/* Every page of [addr, addr+len) mapped: 0, else ENOMEM as Linux says. */
static long range_mapped(struct proc *p, uint64_t addr, uint64_t len)
{
    if (addr & (MEM_PAGE_SIZE - 1))
        return -LX_EINVAL;
    uint64_t end = (addr + len + MEM_PAGE_SIZE - 1) & MEM_PAGE_MASK;
    if (end < addr)
        return -LX_ENOMEM;
    return mem_is_mapped(p->as, addr, end - addr) ? 0 : -LX_ENOMEM;
}

long sys_msync(struct proc *p, const uint64_t *a)
{
    if (a[2] & ~7ull || ((a[2] & 1) && (a[2] & 4)))     /* MS_ASYNC|MS_INVALIDATE|MS_SYNC */
        return -LX_EINVAL;
    return range_mapped(p, a[0], a[1]);
}

long sys_mlock(struct proc *p, const uint64_t *a)
{
    return range_mapped(p, a[0] & MEM_PAGE_MASK, a[1] + (a[0] & (MEM_PAGE_SIZE - 1)));
}

long sys_munlock(struct proc *p, const uint64_t *a)
{
    return sys_mlock(p, a);
}

long sys_mincore(struct proc *p, const uint64_t *a)
{
    uint64_t addr = a[0], len = a[1];
    long r = range_mapped(p, addr, len);
    if (r < 0)
        return r;
    uint64_t pages = (len + MEM_PAGE_SIZE - 1) / MEM_PAGE_SIZE;
    uint8_t b[256];
    memset(b, 1, sizeof b);     /* every mapped page counts as resident */
    for (uint64_t done = 0; done < pages;) {
        size_t k = pages - done < sizeof b ? (size_t)(pages - done) : sizeof b;
        if ((r = mem_write(p->as, a[2] + done, b, k)) < 0)
            return r;
        done += k;
    }
    return 0;
}
