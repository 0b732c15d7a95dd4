/*
 * thread.c — guest threads: clone, the run lock that lets them take turns,
 * futexes, and the system calls that are per thread (exit, gettid,
 * set_tid_address, robust lists, sched_yield).
 *
 * Step 1 of threads: every thread has its own hart and host thread, but
 * they run one at a time, each holding the process's run lock (see THE
 * RUN LOCK in user/proc.h). The lock is a FIFO of waiting threads over one
 * host mutex (p->mu) and one condition variable (p->cv) that every change
 * of the scheduling state is broadcast on; a thread drops it at the end of
 * its time slice (vm/vm.c) and whenever it blocks here.
 *
 * Deadlock: a thread that would wait forever (a futex wait with no
 * timeout) while every other live thread does too, no timer is armed and
 * no signal is pending for it, can never be woken — nothing outside the
 * process can write its memory or send it a signal (unless the VM has
 * other processes: they could; then nobody is declared deadlocked). The process then ends
 * with status 137 (as if killed) and a message. Every wait here also ends
 * for a signal the thread does not block (user/signal.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/fs.h"
#include "host/host.h"
#include "host/thread.h"
#include "user/fs.h"
#include "user/lx.h"
#include "user/proc.h"

#define NSEC 1000000000ull
#define MAX_THREADS 256             /* live and unreaped, per process */
#define POLL_SLICE_MS 20            /* how often a blocked poll looks for the end */
#define ROBUST_LIST_LIMIT 2048      /* as Linux */

/* clone flags (include/uapi/linux/sched.h). */
#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_FILES 0x400
#define CLONE_SIGHAND 0x800
#define CLONE_PIDFD 0x1000
#define CLONE_PTRACE 0x2000
#define CLONE_VFORK 0x4000
#define CLONE_PARENT 0x8000
#define CLONE_THREAD 0x10000
#define CLONE_NEWNS 0x20000
#define CLONE_SYSVSEM 0x40000
#define CLONE_SETTLS 0x80000
#define CLONE_PARENT_SETTID 0x100000
#define CLONE_CHILD_CLEARTID 0x200000
#define CLONE_DETACHED 0x400000
#define CLONE_UNTRACED 0x800000
#define CLONE_CHILD_SETTID 0x1000000

/* Futex operations and word bits (include/uapi/linux/futex.h). */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu

/* ------------------------------------------------------------ life */

static struct thread *thread_new(struct proc *p, struct rv_hart *h, int tid)
{
    struct thread *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->p = p;
    t->hart = h;
    t->tid = tid;
    return t;
}

int proc_threads_init(struct proc *p)
{
    p->mu = host_mutex_new();
    p->cv = host_cond_new();
    p->main = thread_new(p, p->hart, PROC_PID);
    if (!p->mu || !p->cv || !p->main)
        return -1;
    p->threads = p->cur = p->main;
    p->nlive = 1;
    return 0;
}

void proc_threads_free(struct proc *p)
{
    if (p->mu && p->cv) {
        /* Parked threads (a run that stopped for the budget) end now. */
        host_mutex_lock(p->mu);
        if (!p->ended)
            p->exited = true;   /* read by threads only after seeing ended */
        p->ended = true;
        host_cond_broadcast(p->cv);
        host_mutex_unlock(p->mu);
        proc_join_threads(p);
    }
    for (struct thread *t = p->threads, *n; t; t = n) {
        n = t->next;
        rv_hart_free(t->hart);
        free(t);
    }
    if (!p->threads)
        rv_hart_free(p->hart);  /* set-up failed before the main thread existed */
    p->threads = p->main = p->cur = NULL;
    p->hart = NULL;
    host_cond_free(p->cv);
    host_mutex_free(p->mu);
}

void proc_join_threads(struct proc *p)
{
    for (struct thread *t = p->threads; t; t = t->next)
        if (t->host) {
            host_thread_join(t->host);
            t->host = NULL;
        }
}

/* Frees the threads whose host threads have finished (not the main one). */
static void reap(struct proc *p)
{
    for (struct thread **pp = &p->threads->next; *pp;) {
        struct thread *t = *pp;
        host_mutex_lock(p->mu);
        bool done = t->done;
        if (done)
            *pp = t->next;  /* under mu: timers look threads up (user/signal.c) */
        host_mutex_unlock(p->mu);
        if (!done) {
            pp = &t->next;
            continue;
        }
        host_thread_join(t->host);
        p->reaped_instret += rv_instret(t->hart);
        rv_hart_free(t->hart);
        free(t);
    }
}

int proc_live_threads(struct proc *p)
{
    /* nlive is changed only by the run lock's holder. The VM's owner may
     * interrupt it too (mvm_vm_interrupt): then nobody blocks for good. */
    return p->nlive + proc_tree_count(p) - 1 + p->interruptible;
}

uint64_t proc_instret(struct proc *p)
{
    uint64_t n = p->reaped_instret;
    for (struct thread *t = p->threads; t; t = t->next)
        n += rv_instret(t->hart);
    return n;
}

/* ------------------------------------------------------- the run lock */

static bool first_in_queue(struct proc *p, struct thread *t)
{
    for (struct thread *q = p->threads; q; q = q->next)
        if (q != t && q->queued && q->queue_seq < t->queue_seq)
            return false;
    return true;
}

static int lock_locked(struct proc *p, struct thread *t, bool runner)
{
    t->queued = !t->exited;    /* the runner of an exited main only waits */
    t->queue_seq = p->queue_next++;
    int r;
    for (;;) {
        if (p->ended || t->killed) {
            r = PROC_LOCK_ENDED;
            break;
        }
        if (runner && p->stop && !p->holder) {
            r = PROC_LOCK_STOP;
            break;
        }
        if (!t->exited && !p->holder && (runner || (p->running && !p->stop)) && first_in_queue(p, t)) {
            r = PROC_LOCK_OK;
            break;
        }
        host_cond_wait(p->cv, p->mu);
    }
    t->queued = false;
    if (r == PROC_LOCK_OK)
        p->holder = t;
    else
        host_cond_broadcast(p->cv);     /* the queue moved */
    return r;
}

static void took(struct proc *p, struct thread *t)
{
    if (p->cur != t)
        t->hart->resv_valid = false;    /* another thread ran meanwhile */
    p->cur = t;
    p->hart = t->hart;
}

int proc_lock(struct proc *p, struct thread *t, bool runner)
{
    host_mutex_lock(p->mu);
    int r = lock_locked(p, t, runner);
    host_mutex_unlock(p->mu);
    if (r == PROC_LOCK_OK)
        took(p, t);
    return r;
}

static void unlock_locked(struct proc *p, struct thread *t)
{
    if (p->holder == t)
        p->holder = NULL;
    host_cond_broadcast(p->cv);
}

void proc_unlock(struct proc *p, struct thread *t)
{
    host_mutex_lock(p->mu);
    unlock_locked(p, t);
    host_mutex_unlock(p->mu);
}

void proc_guest_enter(struct proc *p, struct thread *t)
{
    host_mutex_lock(p->mu);
    p->in_guest++;
    unlock_locked(p, t);
    host_mutex_unlock(p->mu);
}

int proc_guest_leave(struct proc *p, struct thread *t, bool runner)
{
    host_mutex_lock(p->mu);
    p->in_guest--;
    host_cond_broadcast(p->cv);     /* proc_run_end may be waiting for it */
    int r = lock_locked(p, t, runner);
    host_mutex_unlock(p->mu);
    if (r == PROC_LOCK_OK)
        took(p, t);
    return r;
}

static void end_locked(struct proc *p)
{
    p->ended = true;
    host_cond_broadcast(p->cv);
}

void proc_end(struct proc *p)
{
    host_mutex_lock(p->mu);
    end_locked(p);
    host_mutex_unlock(p->mu);
}

void proc_stop_locked(struct proc *p)
{
    p->stop = true;
    host_cond_broadcast(p->cv);
}

void proc_stop(struct proc *p)
{
    host_mutex_lock(p->mu);
    proc_stop_locked(p);
    host_mutex_unlock(p->mu);
}

void proc_run_begin(struct proc *p)
{
    host_mutex_lock(p->mu);
    p->running = true;
    p->stop = false;
    host_cond_broadcast(p->cv);
    host_mutex_unlock(p->mu);
}

void proc_run_end(struct proc *p)
{
    host_mutex_lock(p->mu);
    if (p->holder == p->main)
        p->holder = NULL;
    /* Threads in guest code end their slices (vm/vm.c looks at stop)
     * and park: the run is over. */
    p->stop = true;
    while ((p->holder && !p->ended) || p->in_guest)
        host_cond_wait(p->cv, p->mu);   /* a slice that was under way */
    p->running = false;
    /* The main thread's view again, unless an ended process still has a
     * holder (a thread that called exit_group is still in its system
     * call and reads p->cur): it lets go, and whoever locks next sets
     * them (took). */
    if (!p->holder) {
        p->cur = p->main;
        p->hart = p->main->hart;
    }
    host_cond_broadcast(p->cv);
    host_mutex_unlock(p->mu);
}

int proc_state(struct proc *p)
{
    host_mutex_lock(p->mu);
    int r = p->ended ? PROC_LOCK_ENDED : p->stop ? PROC_LOCK_STOP : PROC_LOCK_OK;
    host_mutex_unlock(p->mu);
    return r;
}

void proc_thread_done(struct proc *p, struct thread *t)
{
    host_mutex_lock(p->mu);
    t->done = true;
    if (p->holder == t)
        p->holder = NULL;
    host_cond_broadcast(p->cv);
    host_mutex_unlock(p->mu);
}

static void deadlock_locked(struct proc *p, const char *what)
{
    fprintf(stderr, "mvm: deadlock: %s; the guest is ended as killed (SIGKILL)\n", what);
    p->exited = true;
    p->exit_code = 128 + LX_SIGKILL;
    p->killed_by = LX_SIGKILL;
    end_locked(p);
}

void proc_deadlock(struct proc *p, const char *what)
{
    host_mutex_lock(p->mu);
    deadlock_locked(p, what);
    host_mutex_unlock(p->mu);
}

/*
 * Blocks the calling thread (p->cur) until woken (t->fwoken, when waiting
 * on a futex), the monotonic deadline (if any) passes, a signal it does
 * not block is pending (user/signal.c; timers fire meanwhile), or the
 * process ends or — for the main thread — the run stops. Drops the run
 * lock meanwhile if the thread holds it, and takes it back. Called and
 * returns with mu held. Returns 0 woken, 1 timed out, 2 a signal, -1
 * ended/stopped (lock not held).
 */
static int block_locked(struct proc *p, struct thread *t, bool has_deadline, uint64_t deadline)
{
    bool held = p->holder == t;
    if (held)
        unlock_locked(p, t);
    int r;
    for (;;) {
        if (t->fwait && t->fwoken) {
            r = 0;
            break;
        }
        if (p->ended || t->killed || (t == p->main && p->stop)) {
            r = -1;
            break;
        }
        if (sig_ready_locked(p, t)) {
            r = 2;
            break;
        }
        uint64_t due = sig_timer_due_locked(p);
        if (has_deadline || due != UINT64_MAX) {
            if (!host_cond_wait_until(p->cv, p->mu, has_deadline && deadline < due ? deadline : due) &&
                has_deadline && host_time_monotonic_ns() >= deadline) {
                r = 1;
                break;
            }
        } else {
            host_cond_wait(p->cv, p->mu);
        }
    }
    if (held && r >= 0) {
        int lr = lock_locked(p, t, t == p->main);
        if (lr != PROC_LOCK_OK)
            r = lr == PROC_LOCK_STOP && r == 0 ? 0 : -1;
    }
    return r;
}

int proc_sleep_until(struct proc *p, uint64_t deadline_ns)
{
    if (proc_live_threads(p) <= 1 && !sig_async(p)) {
        /* Alone, no timer: nothing can happen meanwhile. */
        uint64_t now = host_time_monotonic_ns();
        if (deadline_ns > now)
            host_sleep_ns(deadline_ns - now);
        return 0;
    }
    struct thread *t = p->cur;
    host_mutex_lock(p->mu);
    int r = block_locked(p, t, true, deadline_ns);
    host_mutex_unlock(p->mu);
    if (r >= 0)
        took(p, t);
    return r < 0 ? -1 : r == 2 ? 1 : 0;
}

int proc_poll(struct proc *p, struct host_pollfd *h, size_t n, int ms)
{
    if ((proc_live_threads(p) <= 1 && !sig_async(p)) || ms == 0)
        return host_poll(h, n, ms);
    int r = host_poll(h, n, 0);
    if (r != 0)
        return r;
    struct thread *t = p->cur;
    uint64_t deadline = ms < 0 ? UINT64_MAX : host_time_monotonic_ns() + (uint64_t)ms * 1000000u;
    /* Not held when the call is served outside a run (vm_syscall: an
     * owner serving its VM's calls): then it is not taken back either. */
    host_mutex_lock(p->mu);
    bool held = p->holder == t;
    host_mutex_unlock(p->mu);
    if (held)
        proc_unlock(p, t);
    bool stopped = false;
    for (;;) {
        int st = t->killed ? PROC_LOCK_ENDED : proc_state(p);
        if (st == PROC_LOCK_ENDED || (t == p->main && st == PROC_LOCK_STOP)) {
            stopped = true;
            break;
        }
        if (sig_ready(p, t)) {
            r = (int)PROC_ERESTARTSYS;     /* a signal: user/signal.c decides */
            break;
        }
        uint64_t now = host_time_monotonic_ns();
        if (now >= deadline) {
            r = 0;
            break;
        }
        uint64_t left = (deadline - now + 999999) / 1000000;
        r = host_poll(h, n, left < POLL_SLICE_MS ? (int)left : POLL_SLICE_MS);
        if (r != 0)
            break;
    }
    if (stopped)
        return proc_state(p) == PROC_LOCK_ENDED ? -LX_EINTR : (int)PROC_RESTART;
    if (!held)
        return r;
    int lr = proc_lock(p, t, t == p->main);
    if (lr == PROC_LOCK_ENDED)
        return -LX_EINTR;
    if (lr == PROC_LOCK_STOP)
        return (int)PROC_RESTART;
    return r;
}

/* --------------------------------------------------------------- futex */

/* Wakes up to n waiters on addr whose bitset meets bits, oldest first. */
static int wake_locked(struct proc *p, uint64_t addr, int64_t n, uint32_t bits)
{
    int woken = 0;
    while (woken < n) {
        struct thread *best = NULL;
        for (struct thread *t = p->threads; t; t = t->next)
            if (t->fwait && !t->fwoken && t->faddr == addr && (t->fbits & bits) &&
                (!best || t->fseq < best->fseq))
                best = t;
        if (!best)
            break;
        best->fwoken = true;
        if (best->fforever) {
            best->fforever = false;
            p->nforever--;
        }
        woken++;
    }
    if (woken)
        host_cond_broadcast(p->cv);
    return woken;
}

static int futex_wake(struct proc *p, uint64_t addr, int64_t n, uint32_t bits)
{
    host_mutex_lock(p->mu);
    int r = wake_locked(p, addr, n, bits);
    host_mutex_unlock(p->mu);
    return r;
}

/* Puts t on the waiters of addr (under mu). */
static void wait_setup_locked(struct proc *p, struct thread *t, uint64_t addr, uint32_t bits)
{
    t->fwait = true;
    t->fwoken = false;
    t->faddr = addr;
    t->fbits = bits;
    t->fseq = p->fseq_next++;
}

/* Blocks t, set up as a waiter, and says how the wait ended: 0 woken,
 * else the system call's result. Called with mu held; releases it. */
static long wait_finish(struct proc *p, struct thread *t, bool has_deadline, uint64_t deadline)
{
    int r = block_locked(p, t, has_deadline, deadline);
    bool woken = t->fwoken;
    t->fwait = t->fwoken = false;
    if (t->fforever) {
        t->fforever = false;
        p->nforever--;
    }
    bool restart = r < 0 && !p->ended && !t->killed && !woken;
    host_mutex_unlock(p->mu);
    if (r >= 0)
        took(p, t);
    if (woken)
        return 0;
    if (restart)
        return PROC_RESTART;    /* the run stopped (budget): wait again when it resumes */
    return r == 2 ? PROC_ERESTARTSYS : r == 1 ? -LX_ETIMEDOUT : -LX_EINTR;
}

/* FUTEX_WAIT: has_deadline says whether deadline (monotonic ns) counts.
 * faddr UINT64_MAX (never a futex word) waits for the process's end. */
static long wait_on(struct proc *p, uint64_t addr, uint32_t bits, bool has_deadline, uint64_t deadline,
                    const char *what)
{
    struct thread *t = p->cur;
    host_mutex_lock(p->mu);
    wait_setup_locked(p, t, addr, bits);
    t->fforever = !has_deadline && !sig_ready_locked(p, t);  /* a signal ends it at once */
    if (t->fforever && ++p->nforever >= p->nlive && sig_timer_due_locked(p) == UINT64_MAX &&
        proc_tree_count(p) == 1) {
        /* Every live thread now waits with no end: none can wake another. */
        p->nforever--;
        t->fforever = t->fwait = false;
        deadlock_locked(p, what);
        host_mutex_unlock(p->mu);
        return 0;
    }
    return wait_finish(p, t, has_deadline, deadline);
}

static long read_u32(struct proc *p, uint64_t va, uint32_t *v)
{
    uint8_t b[4];
    if (va & 3)
        return -LX_EINVAL;
    long r = mem_read(p->as, va, b, 4);
    if (r < 0)
        return r;
    *v = ld32(b);
    return 0;
}

long sys_futex(struct proc *p, const uint64_t *a)
{
    int op = (int)a[1] & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    bool realtime = a[1] & FUTEX_CLOCK_REALTIME;
    uint64_t addr = a[0];
    uint32_t val = (uint32_t)a[2];
    switch (op) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
        uint32_t bits = op == FUTEX_WAIT_BITSET ? (uint32_t)a[5] : ~0u;
        if (!bits)
            return -LX_EINVAL;
        bool has_deadline = a[3] != 0;
        uint64_t deadline = 0;
        if (has_deadline) {
            uint8_t t[16];
            long r = mem_read(p->as, a[3], t, 16);
            if (r < 0)
                return r;
            int64_t sec = (int64_t)ld64(t), nsec = (int64_t)ld64(t + 8);
            if (sec < 0 || nsec < 0 || nsec >= (int64_t)NSEC)
                return -LX_EINVAL;
            uint64_t ns = (uint64_t)sec > UINT64_MAX / NSEC - 1 ? UINT64_MAX / 2
                        : (uint64_t)sec * NSEC + (uint64_t)nsec;
            uint64_t mono = host_time_monotonic_ns();
            if (op == FUTEX_WAIT_BITSET) {  /* an absolute time on the chosen clock */
                uint64_t now = realtime ? host_time_realtime_ns() : mono;
                ns = ns > now ? ns - now : 0;
            }
            deadline = mono + (ns < UINT64_MAX / 2 ? ns : UINT64_MAX / 2);
        }
        uint32_t cur;
        long r = read_u32(p, addr, &cur);
        if (r < 0)
            return r;
        if (cur != val)
            return -LX_EAGAIN;
        return wait_on(p, addr, bits, has_deadline, deadline,
                       "every thread waits on a futex with no timeout");
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: {
        uint32_t bits = op == FUTEX_WAKE_BITSET ? (uint32_t)a[5] : ~0u;
        if (!bits)
            return -LX_EINVAL;
        return futex_wake(p, addr, (int32_t)val < 0 ? INT32_MAX : (int32_t)val, bits);
    }
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE: {
        int32_t nwake = (int32_t)val, nmove = (int32_t)a[3];
        uint64_t addr2 = a[4];
        if (nwake < 0 || nmove < 0)
            return -LX_EINVAL;
        uint32_t cur;
        long r = read_u32(p, addr, &cur);
        if (r < 0)
            return r;
        if (op == FUTEX_CMP_REQUEUE && cur != (uint32_t)a[5])
            return -LX_EAGAIN;
        if (addr2 & 3)
            return -LX_EINVAL;
        host_mutex_lock(p->mu);
        int done = wake_locked(p, addr, nwake, ~0u);
        int moved = 0;
        while (moved < nmove) {
            struct thread *best = NULL;
            for (struct thread *t = p->threads; t; t = t->next)
                if (t->fwait && !t->fwoken && t->faddr == addr && (!best || t->fseq < best->fseq))
                    best = t;
            if (!best || addr == addr2)
                break;
            best->faddr = addr2;
            moved++;
        }
        host_mutex_unlock(p->mu);
        return done + moved;
    }
    default:
        return -LX_ENOSYS;
    }
}

/* A wait only a signal, the deadline or the end ends. */
long proc_wait_signal(struct proc *p, bool has_deadline, uint64_t deadline, const char *what)
{
    return wait_on(p, UINT64_MAX, ~0u, has_deadline, deadline, what);
}

/* Not a futex word either: what waiters for a child's change wait on. */
#define CHILD_WAIT (UINT64_MAX - 1)

long proc_wait_child(struct proc *p, uint64_t seen)
{
    struct thread *t = p->cur;
    host_mutex_lock(p->mu);
    if (p->child_events != seen) {
        host_mutex_unlock(p->mu);
        return 0;
    }
    wait_setup_locked(p, t, CHILD_WAIT, ~0u);
    return wait_finish(p, t, false, 0);
}

void proc_child_event(struct proc *p)
{
    host_mutex_lock(p->mu);
    p->child_events++;
    wake_locked(p, CHILD_WAIT, INT64_MAX, ~0u);
    host_cond_broadcast(p->cv);
    host_mutex_unlock(p->mu);
}

int proc_park_stopped(struct proc *p, struct thread *t, bool runner)
{
    host_mutex_lock(p->mu);
    if (!p->stopped) {
        host_mutex_unlock(p->mu);
        return PROC_LOCK_OK;
    }
    unlock_locked(p, t);
    while (p->stopped && !p->ended && !t->killed && !(runner && p->stop))
        host_cond_wait(p->cv, p->mu);
    int r = lock_locked(p, t, runner);
    host_mutex_unlock(p->mu);
    if (r == PROC_LOCK_OK)
        took(p, t);
    return r;
}

int proc_kill_others(struct proc *p, struct thread *self)
{
    host_mutex_lock(p->mu);
    for (struct thread *q = p->threads; q; q = q->next)
        if (q != self)
            q->killed = true;
    host_cond_broadcast(p->cv);
    unlock_locked(p, self);     /* they may need the run lock to leave */
    for (;;) {
        bool all = true;
        for (struct thread *q = p->threads; q && all; q = q->next)
            all = q == self || q->done;
        if (all || p->ended)
            break;
        host_cond_wait(p->cv, p->mu);
    }
    int r = lock_locked(p, self, self == p->main);
    host_mutex_unlock(p->mu);
    if (r != PROC_LOCK_OK)
        return r;
    took(p, self);
    reap(p);
    p->nlive = 1;
    p->nforever = 0;
    return PROC_LOCK_OK;
}

void proc_kill(struct proc *p)
{
    host_mutex_lock(p->mu);
    p->stopped = false;
    if (!p->ended)
        p->sigkilled = true;    /* its status is settled by its runner (proc_settle) */
    end_locked(p);
    host_mutex_unlock(p->mu);
}

bool proc_settle(struct proc *p)
{
    host_mutex_lock(p->mu);
    if (p->sigkilled && !p->exited) {
        p->exited = true;
        p->exit_code = 128 + LX_SIGKILL;
        p->killed_by = LX_SIGKILL;
    }
    bool exited = p->exited;
    host_mutex_unlock(p->mu);
    return exited;
}

/* ------------------------------------------------------------- threads */

static void proc_thread_entry(void *arg);

void proc_child_regs(struct rv_hart *h, const struct rv_hart *ph, uint64_t stack, bool settls, uint64_t tls)
{
    memcpy(h->x, ph->x, sizeof h->x);
    memcpy(h->f, ph->f, sizeof h->f);
    h->fflags = ph->fflags;
    h->frm = ph->frm;
    h->pc = ph->pc + 4;
    h->x[10] = 0;
    if (stack)
        h->x[2] = stack;
    if (settls)
        h->x[4] = tls;
    h->time_base_ns = ph->time_base_ns;     /* one rdtime for all */
    h->trace_insns = ph->trace_insns;
    h->no_jit = ph->no_jit;
}

long sys_clone(struct proc *p, const uint64_t *a)
{
    uint64_t flags = a[0], stack = a[1], ptid = a[2], tls = a[3], ctid = a[4];
    const uint64_t thread = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD;
    const uint64_t allowed = thread | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
                             CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | CLONE_DETACHED | 0xff;
    if (!(flags & CLONE_THREAD))    /* a new process: fork, vfork, posix_spawn */
        return proc_fork(p, flags, stack, ptid, tls, ctid);
    if ((flags & thread) != thread)
        return -LX_EINVAL;
    if (flags & ~allowed)
        return -LX_EINVAL;
    if (!p->thread_run)
        return -LX_ENOSYS;
    reap(p);
    int n = 0;
    for (struct thread *t = p->threads; t; t = t->next)
        n++;
    if (n >= MAX_THREADS)
        return -LX_EAGAIN;
    int tid = proc_new_id(p);
    if (tid < 0)
        return tid;
    struct thread *self = p->cur;
    struct rv_hart *h = rv_hart_new(p->as);
    if (!h)
        return -LX_ENOMEM;
    struct thread *t = thread_new(p, h, tid);
    if (!t) {
        rv_hart_free(h);
        return -LX_ENOMEM;
    }
    proc_child_regs(h, p->hart, stack, (flags & CLONE_SETTLS) != 0, tls);
    rv_set_budget(h, 0);
    t->sigmask = self->sigmask;
    if (flags & CLONE_CHILD_CLEARTID)
        t->clear_child_tid = ctid;
    uint8_t b[4];
    st32(b, (uint32_t)t->tid);
    long r = 0;
    if (flags & CLONE_PARENT_SETTID)
        r = mem_write(p->as, ptid, b, 4);
    if (r == 0 && (flags & CLONE_CHILD_SETTID))
        r = mem_write(p->as, ctid, b, 4);
    if (r < 0) {
        rv_hart_free(h);
        free(t);
        return r;
    }
    r = proc_thread_start(p, t);
    return r < 0 ? r : t->tid;
}

int proc_thread_start(struct proc *p, struct thread *t)
{
    /* Linked in before it starts: it waits for the run lock. */
    struct thread **end = &p->threads;
    while (*end)
        end = &(*end)->next;
    host_mutex_lock(p->mu);
    *end = t;
    p->nlive++;
    host_mutex_unlock(p->mu);
    t->host = host_thread_start(proc_thread_entry, t);
    if (!t->host) {
        host_mutex_lock(p->mu);
        *end = NULL;
        p->nlive--;
        host_mutex_unlock(p->mu);
        rv_hart_free(t->hart);
        free(t);
        return -LX_EAGAIN;
    }
    return 0;
}

struct thread *proc_thread_new(struct proc *p, int tid)
{
    struct rv_hart *h = rv_hart_new(p->as);
    struct thread *t = h ? thread_new(p, h, tid) : NULL;
    if (!t) {
        rv_hart_free(h);
        return NULL;
    }
    h->time_base_ns = p->main->hart->time_base_ns;   /* one rdtime for all */
    h->trace_insns = p->main->hart->trace_insns;
    h->no_jit = p->main->hart->no_jit;
    rv_set_budget(h, 0);
    return t;
}

static void proc_thread_entry(void *arg)
{
    struct thread *t = arg;
    t->p->thread_run(t->p->thread_ctx, t);
    proc_thread_done(t->p, t);
}

/* One entry of a robust list: if the thread still owns the futex word
 * at entry + off, mark it FUTEX_OWNER_DIED and wake a waiter. */
static void robust_one(struct proc *p, struct thread *t, uint64_t entry, int64_t off)
{
    uint64_t word = entry + (uint64_t)off;
    uint32_t w;
    if (read_u32(p, word, &w) != 0 || (w & FUTEX_TID_MASK) != (uint32_t)t->tid)
        return;
    uint8_t b[4];
    st32(b, (w & FUTEX_WAITERS) | FUTEX_OWNER_DIED);
    if (mem_write(p->as, word, b, 4) == 0 && (w & FUTEX_WAITERS))
        futex_wake(p, word, 1, ~0u);
}

/* Linux's exit_robust_list: bounded, every read checked. */
static void robust_exit(struct proc *p, struct thread *t)
{
    uint8_t b[24];
    uint64_t head = t->robust_list;
    if (!head || mem_read(p->as, head, b, 24) < 0)
        return;
    uint64_t entry = ld64(b) & ~1ull, pending = ld64(b + 16) & ~1ull;
    int64_t off = (int64_t)ld64(b + 8);
    for (int i = 0; entry && entry != head && i < ROBUST_LIST_LIMIT; i++) {
        uint8_t nb[8];
        if (mem_read(p->as, entry, nb, 8) < 0)
            break;
        if (entry != pending)
            robust_one(p, t, entry, off);
        entry = ld64(nb) & ~1ull;
    }
    if (pending)
        robust_one(p, t, pending, off);
}

void proc_thread_exit(struct proc *p, struct thread *t)
{
    if (t->clear_child_tid) {
        uint8_t z[4] = { 0 };
        if (mem_write(p->as, t->clear_child_tid, z, 4) == 0)
            futex_wake(p, t->clear_child_tid, 1, ~0u);
    }
    robust_exit(p, t);
    host_mutex_lock(p->mu);
    t->exited = true;
    p->nlive--;
    if (p->nlive == 0) {
        p->exited = true;
        p->exit_code = t->exit_status;
        p->killed_by = 0;
        end_locked(p);
    } else if (p->nforever >= p->nlive && sig_timer_due_locked(p) == UINT64_MAX && proc_tree_count(p) == 1) {
        deadlock_locked(p, "every thread left waits on a futex with no timeout");
    }
    unlock_locked(p, t);
    host_mutex_unlock(p->mu);
}

long sys_exit(struct proc *p, const uint64_t *a)
{
    if (p->nlive > 1) {
        p->cur->exit_pending = true;    /* vm/vm.c ends the thread */
        p->cur->exit_status = (int)(a[0] & 0xff);
        return 0;
    }
    p->exited = true;
    p->exit_code = (int)(a[0] & 0xff);
    return 0;
}

long sys_exit_group(struct proc *p, const uint64_t *a)
{
    p->exited = true;
    p->exit_code = (int)(a[0] & 0xff);
    return 0;
}

long sys_gettid(struct proc *p, const uint64_t *a) { return p->cur->tid; }

long sys_set_tid_address(struct proc *p, const uint64_t *a)
{
    p->cur->clear_child_tid = a[0];
    return p->cur->tid;
}

long sys_set_robust_list(struct proc *p, const uint64_t *a)
{
    if (a[1] != 24)     /* sizeof(struct robust_list_head) */
        return -LX_EINVAL;
    p->cur->robust_list = a[0];
    p->cur->robust_len = a[1];
    return 0;
}

struct thread *proc_thread_of(struct proc *p, int tid)
{
    for (struct thread *t = p->threads; t; t = t->next)
        if (t->tid == tid && !t->exit_pending) {
            host_mutex_lock(p->mu);
            bool gone = t->exited;
            host_mutex_unlock(p->mu);
            return gone ? NULL : t;
        }
    return NULL;
}

long sys_get_robust_list(struct proc *p, const uint64_t *a)
{
    struct thread *t = (int)a[0] == 0 ? p->cur : proc_thread_of(p, (int)a[0]);
    if (!t)
        return -LX_ESRCH;
    uint8_t b[8];
    st64(b, t->robust_list);
    long r = mem_write(p->as, a[1], b, 8);
    if (r < 0)
        return r;
    st64(b, t->robust_len);
    return mem_write(p->as, a[2], b, 8);
}

long sys_sched_yield(struct proc *p, const uint64_t *a)
{
    if (p->nlive > 1) {
        struct thread *t = p->cur;
        proc_unlock(p, t);
        if (proc_lock(p, t, t == p->main) != PROC_LOCK_OK)
            return 0;   /* ended or stopped: the run loop sees it */
    }
    return 0;
}
