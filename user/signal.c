/*
 * signal.c — Linux signals for process-mode guests, as riscv64 Linux does
 * them: generation (kill, tgkill, sigqueue, timers, faults, SIGPIPE),
 * pending sets per thread and per process, delivery on a signal frame
 * below the stack pointer or on the alternate stack, rt_sigreturn,
 * system-call restart (SA_RESTART), rt_sigsuspend, rt_sigtimedwait,
 * interval timers, POSIX timers and signalfd. Locking: user/signal.h.
 *
 * The signal frame (arch/riscv/kernel/signal.c, uapi/asm/{ucontext,
 * sigcontext,ptrace}.h; checked against glibc's ucontext_t):
 *
 *   sp ->  +0     siginfo_t (128)
 *          +128   ucontext:  +0 uc_flags  +8 uc_link  +16 uc_stack (24)
 *                            +40 uc_sigmask (8, then 120 reserved)
 *                            +176 uc_mcontext: sc_regs (pc, x1..x31: 256)
 *                                 +256 sc_fpregs: f[32], fcsr, zeros (528)
 *          +1088  (16-byte aligned end)
 *
 * The handler runs with a0 = signo, a1 = &info, a2 = &uc, sp = the frame
 * and ra = the trampoline page every process has at SIG_TRAMPOLINE (the
 * vDSO's __vdso_rt_sigreturn: li a7, 139; ecall).
 */
#include "user/signal.h"

#include <stdatomic.h>
#include <string.h>

#include "host/host.h"
#include "host/thread.h"
#include "mem/mem.h"
#include "user/fs.h"
#include "user/lx.h"
#include "user/proc.h"

#define NSEC 1000000000ull
#define BIT(sig) (1ull << ((sig) - 1))
#define UNBLOCKABLE (BIT(LX_SIGKILL) | BIT(LX_SIGSTOP))
/* Taken before the others, as Linux's SYNCHRONOUS_MASK. */
#define SYNCHRONOUS (BIT(LX_SIGSEGV) | BIT(LX_SIGBUS) | BIT(LX_SIGILL) | BIT(LX_SIGTRAP) | \
                     BIT(LX_SIGFPE) | BIT(LX_SIGSYS))

/* sa_flags, ss_flags (include/uapi/asm-generic/signal{,-defs}.h). */
#define SA_SIGINFO 4u
#define SA_ONSTACK 0x08000000u
#define SA_RESTART 0x10000000u
#define SA_NODEFER 0x40000000u
#define SA_RESETHAND 0x80000000u
#define SS_AUTODISARM (1u << 31)

/* si_code values (include/uapi/asm-generic/siginfo.h). */
#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_TIMER (-2)
#define SI_TKILL (-6)
#define ILL_ILLOPC 1
#define BUS_ADRALN 1
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define TRAP_BRKPT 1

/* struct sigevent */
#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD_ID 4

/* The frame (see the top of the file). */
#define UC_OFF 128
#define UC_STACK 16
#define UC_SIGMASK 40
#define UC_MCONTEXT 176
#define MC_FP 256
#define FP_FCSR 512
#define FP_SIZE 528
#define FRAME_SIZE (UC_OFF + UC_MCONTEXT + MC_FP + FP_SIZE)

#define SYS_RT_SIGRETURN 139
#define NTIMERS_POSIX (SIG_NTIMERS - 3)
#define SIGFD_INFO 128      /* sizeof(struct signalfd_siginfo) */

/* ------------------------------------------------------------ actions */

enum { ACT_TERM, ACT_IGNORE, ACT_STOP };

/* Default actions; core-dumping ones end the process as the others. */
static int default_action(int sig)
{
    switch (sig) {
    case LX_SIGCHLD: case LX_SIGURG: case LX_SIGWINCH: case LX_SIGCONT:
        return ACT_IGNORE;
    case LX_SIGSTOP: case LX_SIGTSTP: case LX_SIGTTIN: case LX_SIGTTOU:
        return ACT_STOP;
    }
    return ACT_TERM;
}

#define STOP_SIGS (BIT(LX_SIGSTOP) | BIT(LX_SIGTSTP) | BIT(LX_SIGTTIN) | BIT(LX_SIGTTOU))

/* Under the run lock or mu. */
static bool ignored(const struct proc *p, int sig)
{
    if (sig == LX_SIGKILL)
        return false;
    uint64_t h = p->sigactions[sig][0];
    return h == LX_SIG_IGN || (h == LX_SIG_DFL && default_action(sig) == ACT_IGNORE);
}

static void set_mask(struct proc *p, struct thread *t, uint64_t mask)
{
    host_mutex_lock(p->mu);
    t->sigmask = mask & ~UNBLOCKABLE;
    host_cond_broadcast(p->cv);     /* a waiter may now take a signal */
    host_mutex_unlock(p->mu);
}

/* Ends the process as killed by sig (the caller holds the run lock). */
static void kill_process(struct proc *p, int sig)
{
    p->exited = true;
    p->exit_code = 128 + sig;
    p->killed_by = sig;
}

static int lowest(uint64_t set)
{
    int n = 1;
    while (!(set & 1)) {
        set >>= 1;
        n++;
    }
    return n;
}

/* ---------------------------------------------------------- generation */

static uint64_t ready_locked(struct proc *p, struct thread *t, uint64_t mask);

/* Queues info for thread t (NULL: the process). Under mu. */
static bool queue_locked(struct proc *p, struct thread *t, const struct sig_info *in)
{
    int sig = in->signo;
    uint64_t b = BIT(sig);
    /* Job control acts when a signal is sent, whatever its disposition:
     * SIGCONT (and SIGKILL) continue a stopped process and drop pending
     * stop signals; a stop signal drops a pending SIGCONT. */
    bool continued = false;
    if (sig == LX_SIGCONT || sig == LX_SIGKILL) {
        continued = p->stopped && sig == LX_SIGCONT;
        p->stopped = false;
        p->sigpending.set &= ~STOP_SIGS;
        for (struct thread *w = p->threads; w; w = w->next)
            w->pending.set &= ~STOP_SIGS;
        host_cond_broadcast(p->cv);
    } else if (b & STOP_SIGS) {
        p->sigpending.set &= ~BIT(LX_SIGCONT);
        for (struct thread *w = p->threads; w; w = w->next)
            w->pending.set &= ~BIT(LX_SIGCONT);
    }
    /* A blocked signal is kept even if ignored: the action may change
     * before it is unblocked (Linux's sig_ignored). */
    const struct thread *m = t ? t : p->main;
    if (ignored(p, sig) && !(m->sigmask & b))
        return continued;
    struct sig_pending *q = t ? &t->pending : &p->sigpending;
    if (q->set & b) {
        struct sig_info *old = &q->info[sig - 1];
        if (in->kind == SIG_INFO_TIMER && old->kind == SIG_INFO_TIMER && old->pid == in->pid)
            old->uid += 1 + in->uid;    /* the timer overran */
        return continued;     /* one instance each */
    }
    q->set |= b;
    q->info[sig - 1] = *in;
    /* A thread this wakes no longer waits forever (the deadlock count). */
    for (struct thread *w = p->threads; w; w = w->next)
        if (w->fforever && ready_locked(p, w, w->sigmask)) {
            w->fforever = false;
            p->nforever--;
        }
    host_cond_broadcast(p->cv);
    return continued;
}

void sig_send(struct proc *p, struct thread *t, int sig, int code)
{
    struct sig_info in = { .signo = sig, .code = code, .kind = SIG_INFO_KILL,
                           .pid = p->pid, .uid = PROC_UID };
    host_mutex_lock(p->mu);
    queue_locked(p, t, &in);
    host_mutex_unlock(p->mu);
}

bool sig_send_from(struct proc *p, int sig, int from_pid)
{
    struct sig_info in = { .signo = sig, .code = SI_USER, .kind = SIG_INFO_KILL,
                           .pid = from_pid, .uid = PROC_UID };
    host_mutex_lock(p->mu);
    bool continued = queue_locked(p, NULL, &in);
    host_mutex_unlock(p->mu);
    return continued;
}

void sig_send_child(struct proc *p, int sig, int pid, int code, int status)
{
    /* siginfo's _sigchld: si_pid, si_uid, then si_status where si_value is. */
    struct sig_info in = { .signo = sig, .code = code, .kind = SIG_INFO_KILL,
                           .pid = pid, .uid = PROC_UID, .value = (uint32_t)status };
    host_mutex_lock(p->mu);
    queue_locked(p, NULL, &in);
    host_mutex_unlock(p->mu);
}


void sys_signal_self(struct proc *p, int sig)
{
    if (sig > 0 && sig <= LX_NSIG)
        sig_send(p, p->cur, sig, SI_USER);
}

/* ---------------------------------------------------------------- timers */

static uint64_t clock_now(bool cpu)
{
    return cpu ? host_time_cputime_ns() : host_time_monotonic_ns();
}

static void disarm_locked(struct proc *p, struct sig_timer *tm)
{
    if (tm->armed)
        atomic_fetch_sub(&p->timers_armed, 1);
    tm->armed = false;
}

static void arm_locked(struct proc *p, struct sig_timer *tm, uint64_t expiry, uint64_t interval)
{
    if (!tm->armed)
        atomic_fetch_add(&p->timers_armed, 1);
    tm->armed = true;
    tm->expiry = expiry;
    tm->interval = interval;
    host_cond_broadcast(p->cv);     /* waiters recompute when to wake */
}

static struct thread *thread_locked(struct proc *p, int tid)
{
    for (struct thread *t = p->threads; t; t = t->next)
        if (t->tid == tid && !t->exited)
            return t;
    return NULL;
}

static void fire_locked(struct proc *p, int slot, uint64_t now)
{
    struct sig_timer *tm = &p->timers[slot];
    uint32_t over = 0;
    if (tm->interval) {
        uint64_t n = (now - tm->expiry) / tm->interval + 1;
        tm->expiry += n * tm->interval;
        over = n - 1 > INT32_MAX ? INT32_MAX : (uint32_t)(n - 1);
    } else {
        disarm_locked(p, tm);
    }
    if (tm->notify == SIGEV_NONE)
        return;
    struct sig_info in;
    memset(&in, 0, sizeof in);
    struct thread *t = NULL;
    if (slot < 3) {     /* setitimer: the kernel's SEND_SIG_PRIV */
        static const int sigs[3] = { LX_SIGALRM, LX_SIGVTALRM, LX_SIGPROF };
        in.signo = sigs[slot];
        in.code = SI_KERNEL;
        in.kind = SIG_INFO_KILL;
    } else {
        in.signo = tm->signo;
        in.code = SI_TIMER;
        in.kind = SIG_INFO_TIMER;
        in.pid = slot - 3;
        in.uid = over;
        in.value = tm->value;
        if (tm->notify & SIGEV_THREAD_ID)
            t = thread_locked(p, tm->tid);
    }
    queue_locked(p, t, &in);
}

static void fire_timers_locked(struct proc *p)
{
    if (atomic_load(&p->timers_armed) == 0)
        return;
    uint64_t now[2] = { 0, 0 };
    for (int i = 0; i < SIG_NTIMERS; i++) {
        struct sig_timer *tm = &p->timers[i];
        if (!tm->armed)
            continue;
        if (!now[tm->cpu])
            now[tm->cpu] = clock_now(tm->cpu);
        if (now[tm->cpu] >= tm->expiry)
            fire_locked(p, i, now[tm->cpu]);
    }
}

uint64_t sig_timer_due_locked(struct proc *p)
{
    if (atomic_load(&p->timers_armed) == 0)
        return UINT64_MAX;
    uint64_t due = UINT64_MAX;
    bool cpu = false;
    for (int i = 0; i < SIG_NTIMERS; i++) {
        const struct sig_timer *tm = &p->timers[i];
        if (tm->armed && !tm->cpu && tm->expiry < due)
            due = tm->expiry;
        cpu |= tm->armed && tm->cpu;
    }
    /* CPU-time timers advance while guest code runs: a waiter looks again
     * now and then (they fire at slice ends). */
    uint64_t soon = host_time_monotonic_ns() + 20000000u;
    return cpu && soon < due ? soon : due;
}

bool sig_async(struct proc *p)
{
    return atomic_load(&p->timers_armed) > 0;
}

void sig_exec(struct proc *p)
{
    host_mutex_lock(p->mu);
    /* Handlers go back to the default; ignored signals stay ignored. */
    for (int sig = 1; sig <= LX_NSIG; sig++) {
        if (p->sigactions[sig][0] != LX_SIG_IGN)
            p->sigactions[sig][0] = LX_SIG_DFL;
        p->sigactions[sig][1] = p->sigactions[sig][2] = p->sigactions[sig][3] = 0;
    }
    /* POSIX timers go; interval timers and alarm stay, as in Linux. */
    for (int i = 3; i < SIG_NTIMERS; i++) {
        disarm_locked(p, &p->timers[i]);
        p->timers[i].used = false;
    }
    struct thread *t = p->cur;
    t->ss_sp = t->ss_size = 0;
    t->ss_flags = 0;
    host_mutex_unlock(p->mu);
}

/* ------------------------------------------------------------ readiness */

/* Signals t may take now: its own, and the process's when the main thread
 * does not want them first (Linux gives the main thread first crack). */
static uint64_t ready_locked(struct proc *p, struct thread *t, uint64_t mask)
{
    uint64_t shared = p->sigpending.set;
    if (t != p->main && !p->main->exited)
        shared &= p->main->sigmask;
    return (t->pending.set | shared) & ~mask;
}

bool sig_ready_locked(struct proc *p, struct thread *t)
{
    fire_timers_locked(p);
    return ready_locked(p, t, t->sigmask) != 0;
}

bool sig_fatal_pending(struct proc *p, struct thread *t)
{
    host_mutex_lock(p->mu);
    uint64_t set = ready_locked(p, t, t->sigmask);
    bool fatal = false;
    for (int sig = 1; sig <= LX_NSIG && !fatal; sig++)
        fatal = (set & BIT(sig)) &&
                (sig == LX_SIGKILL || (p->sigactions[sig][0] == LX_SIG_DFL && default_action(sig) == ACT_TERM));
    host_mutex_unlock(p->mu);
    return fatal;
}

bool sig_ready(struct proc *p, struct thread *t)
{
    host_mutex_lock(p->mu);
    bool r = sig_ready_locked(p, t);
    host_mutex_unlock(p->mu);
    return r;
}

/* Takes the next signal of set for t (0: none). Under mu. */
static int dequeue_locked(struct proc *p, struct thread *t, uint64_t set, struct sig_info *out)
{
    uint64_t r = ready_locked(p, t, ~set);
    if (!r)
        return 0;
    int sig = lowest(r & SYNCHRONOUS ? r & SYNCHRONOUS : r);
    struct sig_pending *q = t->pending.set & BIT(sig) ? &t->pending : &p->sigpending;
    q->set &= ~BIT(sig);
    *out = q->info[sig - 1];
    if (out->kind == SIG_INFO_TIMER && out->pid >= 0 && out->pid < NTIMERS_POSIX)
        p->timers[3 + out->pid].overrun = (int)out->uid;    /* timer_getoverrun */
    return sig;
}

/* ------------------------------------------------------------- the frame */

static bool on_stack(const struct thread *t, uint64_t sp)
{
    return t->ss_size && sp > t->ss_sp && sp - t->ss_sp <= t->ss_size;
}

static uint32_t stack_state(const struct thread *t, uint64_t sp)
{
    return !t->ss_size ? LX_SS_DISABLE : on_stack(t, sp) ? LX_SS_ONSTACK : 0;
}

static void put_info(uint8_t *b, const struct sig_info *in)
{
    memset(b, 0, 128);
    st32(b, (uint32_t)in->signo);
    st32(b + 4, (uint32_t)in->err);
    st32(b + 8, (uint32_t)in->code);
    if (in->kind == SIG_INFO_FAULT) {
        st64(b + 16, in->addr);
    } else {
        st32(b + 16, (uint32_t)in->pid);
        st32(b + 20, in->uid);
        st64(b + 24, in->value);
    }
}

/* Writes the frame and points the hart at the handler: false if the
 * frame does not fit where it must go. */
static bool setup_frame(struct proc *p, struct thread *t, const struct sig_info *in, uint64_t handler,
                        uint32_t flags, uint64_t saved_mask)
{
    struct rv_hart *h = t->hart;
    uint64_t sp = h->x[2];
    if (on_stack(t, sp) && !on_stack(t, sp - FRAME_SIZE))
        return false;   /* the alternate stack would overflow */
    uint64_t top = sp;
    if ((flags & SA_ONSTACK) && t->ss_size && !on_stack(t, sp))
        top = t->ss_sp + t->ss_size;
    uint64_t frame = (top - FRAME_SIZE) & ~15ull;
    uint8_t b[FRAME_SIZE];
    memset(b, 0, sizeof b);
    put_info(b, in);
    uint8_t *uc = b + UC_OFF, *mc = uc + UC_MCONTEXT, *fp = mc + MC_FP;
    st64(uc + UC_STACK, t->ss_sp);
    st32(uc + UC_STACK + 8, t->ss_size ? t->ss_flags : LX_SS_DISABLE);
    st64(uc + UC_STACK + 16, t->ss_size);
    st64(uc + UC_SIGMASK, saved_mask);
    st64(mc, h->pc);
    for (int i = 1; i < 32; i++)
        st64(mc + 8 * i, h->x[i]);
    for (int i = 0; i < 32; i++)
        st64(fp + 8 * i, h->f[i]);
    st32(fp + FP_FCSR, h->frm << 5 | h->fflags);
    if (frame > top || mem_write(p->as, frame, b, sizeof b) != 0)
        return false;
    if (t->ss_flags & SS_AUTODISARM)
        t->ss_sp = t->ss_size = 0;
    h->x[1] = SIG_TRAMPOLINE;
    h->x[2] = frame;
    h->x[10] = (uint64_t)in->signo;
    h->x[11] = frame;
    h->x[12] = frame + UC_OFF;
    h->pc = handler;
    h->resv_valid = false;
    return true;
}

/* A system call to restart or end with EINTR when a handler runs. */
struct restart {
    bool active;
    long r;
    uint64_t a0;
};

enum { H_NONE, H_RAN, H_ENDED, H_NOFRAME };

/* Acts on one dequeued signal (the run lock held by t). */
static int handle(struct proc *p, struct thread *t, const struct sig_info *in, struct restart *rs)
{
    int sig = in->signo;
    uint64_t handler = sig == LX_SIGKILL ? LX_SIG_DFL : p->sigactions[sig][0];
    uint32_t flags = (uint32_t)p->sigactions[sig][1];
    uint64_t mask = p->sigactions[sig][3];
    if (handler == LX_SIG_IGN)
        return H_NONE;
    if (handler == LX_SIG_DFL) {
        int act = default_action(sig);
        if (act == ACT_IGNORE)
            return H_NONE;
        if (act == ACT_STOP) {
            /* The first process is not stopped (nothing in the VM could
             * then be sure to continue it), as a namespace's init. */
            if (p->parent) {
                host_mutex_lock(p->mu);
                p->stopped = true;
                host_cond_broadcast(p->cv);
                host_mutex_unlock(p->mu);
                proc_job_event(p, sig, false);
            }
            return H_NONE;  /* its threads park before they run again */
        }
        kill_process(p, sig);
        return H_ENDED;
    }
    struct rv_hart *h = t->hart;
    if (rs && rs->active) {
        rs->active = false;
        if (rs->r == PROC_ERESTARTSYS && (flags & SA_RESTART)) {
            h->pc -= 4;
            h->x[10] = rs->a0;
        } else {
            h->x[10] = (uint64_t)-LX_EINTR;
        }
    }
    uint64_t saved = t->restore_mask ? t->saved_mask : t->sigmask;
    if ((handler & 1) || !setup_frame(p, t, in, handler, flags, saved))
        return H_NOFRAME;
    t->restore_mask = false;
    host_mutex_lock(p->mu);
    t->sigmask = (t->sigmask | mask | (flags & SA_NODEFER ? 0 : BIT(sig))) & ~UNBLOCKABLE;
    if (flags & SA_RESETHAND) {
        p->sigactions[sig][0] = LX_SIG_DFL;
        p->sigactions[sig][1] &= ~(uint64_t)SA_SIGINFO;
    }
    host_mutex_unlock(p->mu);
    return H_RAN;
}

/* Delivers every signal t may take now, each handler's frame on top of
 * the last; true if the process ended. */
static bool deliver_all(struct proc *p, struct thread *t, struct restart *rs)
{
    for (int i = 0; i < LX_NSIG; i++) {
        struct sig_info in;
        host_mutex_lock(p->mu);
        fire_timers_locked(p);
        int sig = dequeue_locked(p, t, ~t->sigmask, &in);
        host_mutex_unlock(p->mu);
        if (!sig)
            break;
        int r = handle(p, t, &in, rs);
        if (r == H_NOFRAME) {
            kill_process(p, LX_SIGSEGV);    /* Linux's force_sigsegv */
            r = H_ENDED;
        }
        if (r == H_ENDED)
            return true;
    }
    return false;
}

bool sig_deliver(struct proc *p, struct thread *t)
{
    return deliver_all(p, t, NULL);
}

void sig_syscall_exit(struct proc *p, uint64_t nr, long r, uint64_t a0)
{
    struct thread *t = p->cur;
    /* Waits that Linux never restarts after a handler (ERESTARTNOHAND):
     * pselect6, ppoll, epoll_pwait, epoll_pwait2 (user/thread.c's
     * proc_poll says ERESTARTSYS for all its callers). */
    if (r == PROC_ERESTARTSYS && (nr == 72 || nr == 73 || nr == 22 || nr == 441))
        r = PROC_ERESTARTNOHAND;
    struct restart rs = { (r == PROC_ERESTARTSYS || r == PROC_ERESTARTNOHAND) && nr != SYS_RT_SIGRETURN,
                          r, a0 };
    if (deliver_all(p, t, &rs))
        return;
    if (rs.active) {    /* no handler ran: the call runs again */
        p->hart->pc -= 4;
        p->hart->x[10] = a0;
    }
    if (t->restore_mask) {
        t->restore_mask = false;
        set_mask(p, t, t->saved_mask);
    }
}

bool sig_fault(struct proc *p, struct thread *t)
{
    struct rv_hart *h = t->hart;
    struct sig_info in;
    memset(&in, 0, sizeof in);
    in.kind = SIG_INFO_FAULT;
    in.addr = h->tval;
    switch (h->cause) {
    case RV_CAUSE_ILLEGAL:
        in.signo = LX_SIGILL, in.code = ILL_ILLOPC, in.addr = h->pc;
        break;
    case RV_CAUSE_BREAKPOINT:
        in.signo = LX_SIGTRAP, in.code = TRAP_BRKPT, in.addr = h->pc;
        break;
    case RV_CAUSE_FETCH_MISALIGNED: case RV_CAUSE_LOAD_MISALIGNED: case RV_CAUSE_STORE_MISALIGNED:
        in.signo = LX_SIGBUS, in.code = BUS_ADRALN;
        break;
    default:
        in.signo = LX_SIGSEGV;
        in.code = mem_prot_at(p->as, h->tval) < 0 ? SEGV_MAPERR : SEGV_ACCERR;
        break;
    }
    /* Blocked, ignored or default: the fault ends the process (Linux
     * resets such a signal to its default action, which ends it). */
    uint64_t handler = p->sigactions[in.signo][0];
    if (handler == LX_SIG_DFL || handler == LX_SIG_IGN || (t->sigmask & BIT(in.signo)))
        return false;
    if (handle(p, t, &in, NULL) != H_RAN)
        return false;   /* no room for the frame: reported as the fault */
    /* Whatever else is pending goes on top, as at any return to the guest
     * (the caller sees p->exited if one of them ends the process). */
    deliver_all(p, t, NULL);
    return true;
}

int sig_map_trampoline(struct proc *p)
{
    uint8_t code[8];
    st32(code, 0x08b00893);     /* li a7, 139 (rt_sigreturn) */
    st32(code + 4, 0x00000073); /* ecall */
    int r = mm_map_fixed(p, SIG_TRAMPOLINE, MEM_PAGE_SIZE, MEM_R | MEM_X);
    if (r != 0)
        return r;
    return mem_poke(p->as, SIG_TRAMPOLINE, code, sizeof code) == 0 ? 0 : -LX_ENOMEM;
}

/* ------------------------------------------------------- system calls */

long sys_rt_sigreturn(struct proc *p, const uint64_t *a)
{
    struct thread *t = p->cur;
    struct rv_hart *h = p->hart;
    uint8_t b[FRAME_SIZE];
    if (mem_read(p->as, h->x[2], b, sizeof b) != 0)
        goto bad;
    const uint8_t *uc = b + UC_OFF, *mc = uc + UC_MCONTEXT, *fp = mc + MC_FP;
    for (int i = FP_FCSR + 4; i < FP_SIZE; i++)
        if (fp[i])
            goto bad;       /* reserved: zero, as the kernel checks */
    uint64_t pc = ld64(mc);
    if (pc & 1)
        goto bad;
    for (int i = 1; i < 32; i++)
        h->x[i] = ld64(mc + 8 * i);
    for (int i = 0; i < 32; i++)
        h->f[i] = ld64(fp + 8 * i);
    uint32_t fcsr = ld32(fp + FP_FCSR);
    h->fflags = fcsr & 0x1f;
    h->frm = (fcsr >> 5) & 7;
    h->resv_valid = false;
    set_mask(p, t, ld64(uc + UC_SIGMASK));
    /* The alternate stack as it was (errors other than faults ignored). */
    uint64_t ss_sp = ld64(uc + UC_STACK), ss_size = ld64(uc + UC_STACK + 16);
    uint32_t ss_flags = ld32(uc + UC_STACK + 8), mode = ss_flags & ~SS_AUTODISARM;
    if (!on_stack(t, h->x[2]) && (mode == 0 || mode == LX_SS_ONSTACK || mode == LX_SS_DISABLE)) {
        if (mode == LX_SS_DISABLE) {
            t->ss_sp = t->ss_size = 0;
            t->ss_flags = LX_SS_DISABLE;
        } else if (ss_size >= LX_MINSIGSTKSZ) {
            t->ss_sp = ss_sp;
            t->ss_size = ss_size;
            t->ss_flags = ss_flags;
        }
    }
    h->pc = pc - 4;     /* sys_dispatch steps over the ecall */
    return (long)h->x[10];
bad:
    kill_process(p, LX_SIGSEGV);    /* a bad frame: never the monitor's problem */
    return 0;
}

long sys_rt_sigaction(struct proc *p, const uint64_t *a)
{
    int sig = (int)a[0];
    if (a[3] != 8)
        return -LX_EINVAL;
    if (sig < 1 || sig > LX_NSIG || (a[1] && (sig == LX_SIGKILL || sig == LX_SIGSTOP)))
        return -LX_EINVAL;
    /* riscv64 struct sigaction: handler, flags, mask (no sa_restorer). */
    uint8_t in[24], out[24];
    if (a[1]) {
        long r = mem_read(p->as, a[1], in, 24);
        if (r < 0)
            return r;
    }
    if (a[2]) {
        st64(out, p->sigactions[sig][0]);
        st64(out + 8, p->sigactions[sig][1]);
        st64(out + 16, p->sigactions[sig][3]);
        long r = mem_write(p->as, a[2], out, 24);
        if (r < 0)
            return r;
    }
    if (a[1]) {
        host_mutex_lock(p->mu);
        p->sigactions[sig][0] = ld64(in);
        p->sigactions[sig][1] = ld64(in + 8);
        p->sigactions[sig][2] = 0;
        p->sigactions[sig][3] = ld64(in + 16) & ~UNBLOCKABLE;
        if (ignored(p, sig)) {
            /* Pending instances go, blocked or not (POSIX). */
            p->sigpending.set &= ~BIT(sig);
            for (struct thread *t = p->threads; t; t = t->next)
                t->pending.set &= ~BIT(sig);
        }
        host_mutex_unlock(p->mu);
    }
    return 0;
}

long sys_rt_sigprocmask(struct proc *p, const uint64_t *a)
{
    if (a[3] != 8)
        return -LX_EINVAL;
    uint64_t set = 0;
    int how = (int)a[0];
    if (a[1]) {
        uint8_t b[8];
        long r = mem_read(p->as, a[1], b, 8);
        if (r < 0)
            return r;
        set = ld64(b);
        if (how != LX_SIG_BLOCK && how != LX_SIG_UNBLOCK && how != LX_SIG_SETMASK)
            return -LX_EINVAL;
    }
    struct thread *t = p->cur;
    uint64_t old = t->sigmask;
    if (a[2]) {
        uint8_t b[8];
        st64(b, old);
        long r = mem_write(p->as, a[2], b, 8);
        if (r < 0)
            return r;
    }
    if (a[1])
        set_mask(p, t, how == LX_SIG_BLOCK ? old | set : how == LX_SIG_UNBLOCK ? old & ~set : set);
    return 0;
}

long sys_rt_sigpending(struct proc *p, const uint64_t *a)
{
    if (a[1] > 8)
        return -LX_EINVAL;
    struct thread *t = p->cur;
    host_mutex_lock(p->mu);
    fire_timers_locked(p);
    uint64_t set = (t->pending.set | p->sigpending.set) & t->sigmask;
    host_mutex_unlock(p->mu);
    uint8_t b[8];
    st64(b, set);
    return mem_write(p->as, a[0], b, (size_t)a[1]);
}

long sys_rt_sigsuspend(struct proc *p, const uint64_t *a)
{
    if (a[1] != 8)
        return -LX_EINVAL;
    uint8_t b[8];
    long r = mem_read(p->as, a[0], b, 8);
    if (r < 0)
        return r;
    struct thread *t = p->cur;
    uint64_t old = t->sigmask;
    set_mask(p, t, ld64(b));
    r = proc_wait_signal(p, false, 0, "every thread waits for a signal or on a futex with no timeout");
    if (r == PROC_RESTART || p->ended) {
        set_mask(p, t, old);    /* it starts afresh when the run resumes */
        return r;
    }
    /* The mask goes back when the handler returns (or at once, if none runs). */
    t->saved_mask = old;
    t->restore_mask = true;
    return PROC_ERESTARTNOHAND;
}

long sys_rt_sigtimedwait(struct proc *p, const uint64_t *a)
{
    if (a[3] != 8)
        return -LX_EINVAL;
    uint8_t b[8];
    long r = mem_read(p->as, a[0], b, 8);
    if (r < 0)
        return r;
    uint64_t set = ld64(b) & ~UNBLOCKABLE;
    bool has_deadline = a[2] != 0;
    uint64_t deadline = 0;
    if (has_deadline) {
        uint64_t ns;
        if ((r = sys_timespec_in(p, a[2], &ns)) < 0)
            return r;
        deadline = host_time_monotonic_ns() + ns;
    }
    struct thread *t = p->cur;
    struct sig_info in;
    int sig;
    for (;;) {
        host_mutex_lock(p->mu);
        fire_timers_locked(p);
        sig = dequeue_locked(p, t, set, &in);
        host_mutex_unlock(p->mu);
        if (sig)
            break;
        if (has_deadline && host_time_monotonic_ns() >= deadline)
            return -LX_EAGAIN;
        /* Waits with the set unblocked, as Linux (real_blocked). */
        uint64_t old = t->sigmask;
        set_mask(p, t, old & ~set);
        r = proc_wait_signal(p, has_deadline, deadline,
                             "every thread waits for a signal or on a futex with no timeout");
        set_mask(p, t, old);
        if (r == -LX_ETIMEDOUT)
            continue;   /* one last look */
        if (r != PROC_ERESTARTSYS)
            return r;
        host_mutex_lock(p->mu);
        bool other = ready_locked(p, t, t->sigmask | set) != 0;
        host_mutex_unlock(p->mu);
        if (other) {
            host_mutex_lock(p->mu);
            sig = dequeue_locked(p, t, set, &in);
            host_mutex_unlock(p->mu);
            if (sig)
                break;
            return -LX_EINTR;   /* another signal: its handler runs */
        }
    }
    if (a[1]) {
        uint8_t info[128];
        put_info(info, &in);
        if ((r = mem_write(p->as, a[1], info, sizeof info)) < 0)
            return r;
    }
    return sig;
}

long sys_kill(struct proc *p, const uint64_t *a)
{
    int pid = (int)a[0], sig = (int)a[1];
    if (sig < 0 || sig > LX_NSIG)
        return -LX_EINVAL;
    if (pid == INT32_MIN)
        return -LX_ESRCH;
    if (pid == p->pid) {
        if (sig)
            sig_send(p, NULL, sig, SI_USER);
        return 0;
    }
    return proc_kill_pid(p, pid, sig);   /* the VM's processes, itself included */
}

static long send_thread(struct proc *p, int tid, int sig)
{
    if (sig < 0 || sig > LX_NSIG)
        return -LX_EINVAL;
    struct thread *t = proc_thread_of(p, tid);
    if (!t)
        return -LX_ESRCH;
    if (sig)
        sig_send(p, t, sig, SI_TKILL);
    return 0;
}

long sys_tkill(struct proc *p, const uint64_t *a)
{
    int tid = (int)a[0];
    if (tid <= 0)
        return -LX_EINVAL;
    return send_thread(p, tid, (int)a[1]);
}

long sys_tgkill(struct proc *p, const uint64_t *a)
{
    int tgid = (int)a[0], tid = (int)a[1];
    if (tgid <= 0 || tid <= 0)
        return -LX_EINVAL;
    return tgid == p->pid ? send_thread(p, tid, (int)a[2]) : -LX_ESRCH;
}

/* rt_sigqueueinfo / rt_tgsigqueueinfo: a siginfo of the caller's making
 * (to itself, any si_code but SI_TKILL and kernel ones is fine). */
static long queue_info(struct proc *p, struct thread *t, int sig, uint64_t va)
{
    if (sig < 0 || sig > LX_NSIG)
        return -LX_EINVAL;
    uint8_t b[128];
    long r = mem_read(p->as, va, b, sizeof b);
    if (r < 0)
        return r;
    struct sig_info in = { .signo = sig, .code = (int32_t)ld32(b + 8), .err = (int32_t)ld32(b + 4),
                           .kind = SIG_INFO_KILL, .pid = (int32_t)ld32(b + 16), .uid = ld32(b + 20),
                           .value = ld64(b + 24) };
    if (sig) {
        host_mutex_lock(p->mu);
        queue_locked(p, t, &in);
        host_mutex_unlock(p->mu);
    }
    return 0;
}

long sys_rt_sigqueueinfo(struct proc *p, const uint64_t *a)
{
    int pid = (int)a[0];
    if (pid != p->pid)
        return -LX_ESRCH;
    return queue_info(p, NULL, (int)a[1], a[2]);
}

long sys_rt_tgsigqueueinfo(struct proc *p, const uint64_t *a)
{
    if ((int)a[0] != p->pid)
        return -LX_ESRCH;
    struct thread *t = proc_thread_of(p, (int)a[1]);
    if (!t)
        return -LX_ESRCH;
    return queue_info(p, t, (int)a[2], a[3]);
}

long sys_sigaltstack(struct proc *p, const uint64_t *a)
{
    struct thread *t = p->cur;
    uint64_t sp = p->hart->x[2];
    uint8_t nb[24], ob[24];
    if (a[0]) {
        long r = mem_read(p->as, a[0], nb, 24);
        if (r < 0)
            return r;
    }
    memset(ob, 0, sizeof ob);
    st64(ob, t->ss_sp);
    st32(ob + 8, stack_state(t, sp) | (t->ss_flags & SS_AUTODISARM));
    st64(ob + 16, t->ss_size);
    if (a[0]) {
        uint64_t ss_sp = ld64(nb), ss_size = ld64(nb + 16);
        uint32_t flags = ld32(nb + 8), mode = flags & ~SS_AUTODISARM;
        if (on_stack(t, sp))
            return -LX_EPERM;
        if (mode != 0 && mode != LX_SS_ONSTACK && mode != LX_SS_DISABLE)
            return -LX_EINVAL;
        if (mode == LX_SS_DISABLE) {
            ss_sp = ss_size = 0;
        } else if (ss_size < LX_MINSIGSTKSZ) {
            return -LX_ENOMEM;
        }
        t->ss_sp = ss_sp;
        t->ss_size = ss_size;
        t->ss_flags = flags;
    }
    return a[1] ? mem_write(p->as, a[1], ob, 24) : 0;
}

/* ---------------------------------------------------------------- timers */

/* The value and interval of timer tm now, in ns. Under mu. */
static void timer_get_locked(const struct sig_timer *tm, uint64_t *value, uint64_t *interval)
{
    *interval = tm->interval;
    *value = 0;
    if (tm->armed) {
        uint64_t now = clock_now(tm->cpu);
        *value = tm->expiry > now ? tm->expiry - now : 1;   /* due: not yet fired */
    }
}

static void put_ns(uint8_t *b, uint64_t ns, bool usec)
{
    st64(b, ns / NSEC);
    st64(b + 8, usec ? (ns % NSEC + 999) / 1000 : ns % NSEC);
    if (usec && ld64(b + 8) == 1000000) {
        st64(b, ns / NSEC + 1);
        st64(b + 8, 0);
    }
}

/* A timeval (usec) or timespec as ns; -EINVAL when out of range. */
static long get_ns(const uint8_t *b, bool usec, uint64_t *ns)
{
    int64_t sec = (int64_t)ld64(b), frac = (int64_t)ld64(b + 8);
    if (sec < 0 || frac < 0 || frac >= (usec ? 1000000 : (int64_t)NSEC))
        return -LX_EINVAL;
    uint64_t f = usec ? (uint64_t)frac * 1000 : (uint64_t)frac;
    *ns = (uint64_t)sec > UINT64_MAX / 4 / NSEC ? UINT64_MAX / 4 : (uint64_t)sec * NSEC + f;
    return 0;
}

long sys_getitimer(struct proc *p, const uint64_t *a)
{
    if (a[0] > 2)
        return -LX_EINVAL;
    uint64_t v, i;
    host_mutex_lock(p->mu);
    fire_timers_locked(p);
    timer_get_locked(&p->timers[a[0]], &v, &i);
    host_mutex_unlock(p->mu);
    uint8_t b[32];
    put_ns(b, i, true);
    put_ns(b + 16, v, true);
    return mem_write(p->as, a[1], b, 32);
}

long sys_setitimer(struct proc *p, const uint64_t *a)
{
    if (a[0] > 2)
        return -LX_EINVAL;
    uint8_t b[32] = { 0 };
    uint64_t value = 0, interval = 0;
    if (a[1]) {
        long r = mem_read(p->as, a[1], b, 32);
        if (r < 0)
            return r;
        if ((r = get_ns(b, true, &interval)) < 0 || (r = get_ns(b + 16, true, &value)) < 0)
            return r;
    }
    struct sig_timer *tm = &p->timers[a[0]];
    uint64_t ov, oi;
    host_mutex_lock(p->mu);
    fire_timers_locked(p);
    timer_get_locked(tm, &ov, &oi);
    tm->used = true;
    tm->cpu = a[0] != 0;    /* VIRTUAL, PROF: the process's CPU time */
    tm->notify = SIGEV_SIGNAL;
    if (value)
        arm_locked(p, tm, clock_now(tm->cpu) + value, interval);
    else
        disarm_locked(p, tm);
    host_mutex_unlock(p->mu);
    if (!a[2])
        return 0;
    put_ns(b, oi, true);
    put_ns(b + 16, ov, true);
    return mem_write(p->as, a[2], b, 32);
}

static bool cpu_clock(int clock, bool *ok)
{
    *ok = true;
    switch (clock) {
    case LX_CLOCK_REALTIME: case LX_CLOCK_MONOTONIC: case LX_CLOCK_BOOTTIME:
    case LX_CLOCK_REALTIME_ALARM: case LX_CLOCK_BOOTTIME_ALARM: case LX_CLOCK_TAI:
        return false;
    case LX_CLOCK_PROCESS_CPUTIME_ID: case LX_CLOCK_THREAD_CPUTIME_ID:
        return true;
    }
    *ok = false;
    return false;
}

static struct sig_timer *timer_of(struct proc *p, uint64_t id)
{
    if ((int64_t)id < 0 || id >= NTIMERS_POSIX || !p->timers[3 + id].used)
        return NULL;
    return &p->timers[3 + id];
}

long sys_timer_create(struct proc *p, const uint64_t *a)
{
    int clock = (int)a[0];
    bool ok, cpu = cpu_clock(clock, &ok);
    if (!ok)
        return -LX_EINVAL;
    int notify = SIGEV_SIGNAL, signo = LX_SIGALRM, tid = 0;
    uint64_t value = 0;
    bool given = a[1] != 0;
    if (given) {
        uint8_t b[20];
        long r = mem_read(p->as, a[1], b, sizeof b);
        if (r < 0)
            return r;
        value = ld64(b);
        signo = (int)ld32(b + 8);
        notify = (int)ld32(b + 12);
        tid = (int)ld32(b + 16);
        if (notify != SIGEV_SIGNAL && notify != SIGEV_NONE && notify != (SIGEV_SIGNAL | SIGEV_THREAD_ID))
            return -LX_EINVAL;
        if (notify != SIGEV_NONE && (signo < 1 || signo > LX_NSIG))
            return -LX_EINVAL;
        if ((notify & SIGEV_THREAD_ID) && !proc_thread_of(p, tid))
            return -LX_EINVAL;
    }
    int id = 0;
    while (id < NTIMERS_POSIX && p->timers[3 + id].used)
        id++;
    if (id == NTIMERS_POSIX)
        return -LX_EAGAIN;
    uint8_t b[4];
    st32(b, (uint32_t)id);
    long r = mem_write(p->as, a[2], b, 4);
    if (r < 0)
        return r;
    struct sig_timer *tm = &p->timers[3 + id];
    host_mutex_lock(p->mu);
    memset(tm, 0, sizeof *tm);
    tm->used = true;
    tm->cpu = cpu;
    tm->clock = clock;
    tm->notify = notify;
    tm->signo = signo;
    tm->tid = tid;
    tm->value = given ? value : (uint64_t)id;
    host_mutex_unlock(p->mu);
    return 0;
}

long sys_timer_settime(struct proc *p, const uint64_t *a)
{
    struct sig_timer *tm = timer_of(p, a[0]);
    if (!tm)
        return -LX_EINVAL;
    if (a[1] & ~(uint64_t)LX_TIMER_ABSTIME)
        return -LX_EINVAL;
    uint8_t b[32];
    long r = mem_read(p->as, a[2], b, 32);
    if (r < 0)
        return r;
    uint64_t interval, value;
    if ((r = get_ns(b, false, &interval)) < 0 || (r = get_ns(b + 16, false, &value)) < 0)
        return r;
    uint64_t ov, oi;
    host_mutex_lock(p->mu);
    fire_timers_locked(p);
    timer_get_locked(tm, &ov, &oi);
    if (!value) {
        disarm_locked(p, tm);
    } else {
        uint64_t now = clock_now(tm->cpu), at = now + value;
        if (a[1] & LX_TIMER_ABSTIME) {
            bool real = tm->clock == LX_CLOCK_REALTIME || tm->clock == LX_CLOCK_REALTIME_ALARM ||
                        tm->clock == LX_CLOCK_TAI;
            uint64_t cnow = real ? host_time_realtime_ns() : now;
            at = value > cnow ? now + (value - cnow) : now;
        }
        arm_locked(p, tm, at, interval);
    }
    host_mutex_unlock(p->mu);
    if (!a[3])
        return 0;
    put_ns(b, oi, false);
    put_ns(b + 16, ov, false);
    return mem_write(p->as, a[3], b, 32);
}

long sys_timer_gettime(struct proc *p, const uint64_t *a)
{
    struct sig_timer *tm = timer_of(p, a[0]);
    if (!tm)
        return -LX_EINVAL;
    uint64_t v, i;
    host_mutex_lock(p->mu);
    fire_timers_locked(p);
    timer_get_locked(tm, &v, &i);
    host_mutex_unlock(p->mu);
    uint8_t b[32];
    put_ns(b, i, false);
    put_ns(b + 16, v, false);
    return mem_write(p->as, a[1], b, 32);
}

long sys_timer_getoverrun(struct proc *p, const uint64_t *a)
{
    struct sig_timer *tm = timer_of(p, a[0]);
    if (!tm)
        return -LX_EINVAL;
    host_mutex_lock(p->mu);
    int r = tm->overrun;
    host_mutex_unlock(p->mu);
    return r;
}

long sys_timer_delete(struct proc *p, const uint64_t *a)
{
    struct sig_timer *tm = timer_of(p, a[0]);
    if (!tm)
        return -LX_EINVAL;
    host_mutex_lock(p->mu);
    disarm_locked(p, tm);
    tm->used = false;
    host_mutex_unlock(p->mu);
    return 0;
}

/* ------------------------------------------------------------- signalfd */

long sys_signalfd4(struct proc *p, const uint64_t *a)
{
    int flags = (int)a[3];
    if (a[2] != 8 || (flags & ~(LX_O_CLOEXEC | LX_O_NONBLOCK)))
        return -LX_EINVAL;
    uint8_t b[8];
    long r = mem_read(p->as, a[1], b, 8);
    if (r < 0)
        return r;
    return fs_signalfd(p->fs, (int)a[0], ld64(b) & ~UNBLOCKABLE, flags);
}

/* struct signalfd_siginfo (include/uapi/linux/signalfd.h), 128 bytes. */
static void put_sfd_info(uint8_t *b, const struct sig_info *in)
{
    memset(b, 0, SIGFD_INFO);
    st32(b, (uint32_t)in->signo);
    st32(b + 4, (uint32_t)in->err);
    st32(b + 8, (uint32_t)in->code);
    if (in->kind == SIG_INFO_FAULT) {
        st64(b + 72, in->addr);
        return;
    }
    if (in->kind == SIG_INFO_TIMER) {
        st32(b + 24, (uint32_t)in->pid);    /* ssi_tid: the timer id */
        st32(b + 32, in->uid);              /* ssi_overrun */
    } else {
        st32(b + 12, (uint32_t)in->pid);
        st32(b + 16, in->uid);
    }
    st32(b + 44, (uint32_t)in->value);      /* ssi_int */
    st64(b + 48, in->value);                /* ssi_ptr */
}

bool sig_fd_read(struct proc *p, int fd, uint64_t va, uint64_t len, long *res)
{
    uint64_t mask;
    int flags;
    if (fs_sigfd(p->fs, fd, &mask, &flags) != 0)
        return false;
    if (len < SIGFD_INFO) {
        *res = -LX_EINVAL;
        return true;
    }
    struct thread *t = p->cur;
    uint64_t n = 0;
    for (;;) {
        struct sig_info in;
        host_mutex_lock(p->mu);
        fire_timers_locked(p);
        int sig = dequeue_locked(p, t, mask, &in);
        host_mutex_unlock(p->mu);
        if (sig) {
            uint8_t b[SIGFD_INFO];
            put_sfd_info(b, &in);
            long r = mem_write(p->as, va + n * SIGFD_INFO, b, sizeof b);
            if (r < 0) {
                *res = n ? (long)(n * SIGFD_INFO) : r;
                return true;
            }
            if (++n * SIGFD_INFO + SIGFD_INFO > len)
                break;
            continue;
        }
        if (n)
            break;
        if (flags & LX_O_NONBLOCK) {
            *res = -LX_EAGAIN;
            return true;
        }
        /* Waits with the fd's signals unblocked, as rt_sigtimedwait. */
        uint64_t old = t->sigmask;
        set_mask(p, t, old & ~mask);
        long r = proc_wait_signal(p, false, 0, "every thread waits for a signal or on a futex with no timeout");
        set_mask(p, t, old);
        if (r != PROC_ERESTARTSYS) {
            *res = r;
            return true;
        }
        host_mutex_lock(p->mu);
        bool mine = ready_locked(p, t, ~mask) != 0;
        host_mutex_unlock(p->mu);
        if (!mine) {
            *res = PROC_ERESTARTSYS;    /* another signal: its handler first */
            return true;
        }
    }
    *res = (long)(n * SIGFD_INFO);
    return true;
}
