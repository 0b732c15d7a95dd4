/*
 * signal.h — Linux signals for process-mode guests (user/signal.c):
 * pending sets per thread and per process, delivery on a riscv64 Linux
 * signal frame, rt_sigreturn, synchronous faults to handlers, interval
 * and POSIX timers, signalfd.
 *
 * Locking (user/proc.h, THE RUN LOCK): pending sets, timers, the signal
 * actions and every thread's mask are written under p->mu (actions and
 * masks also under the run lock, so that the run lock's holder reads them
 * without mu). A sender queues and broadcasts p->cv; a thread takes its
 * signals at its delivery points — the end of a system call (holding the
 * run lock), the end of a time slice, a fault — and every blocking wait
 * (user/thread.c) also ends when a signal the thread does not block is
 * pending, or when a timer is due.
 */
#ifndef MVM_USER_SIGNAL_H
#define MVM_USER_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

struct proc;
struct thread;

/* What a pending signal carries (the parts of siginfo_t Linux fills). */
enum { SIG_INFO_KILL, SIG_INFO_TIMER, SIG_INFO_FAULT };
struct sig_info {
    int32_t signo, code, err;
    uint8_t kind;            /* SIG_INFO_*: which union member is meant */
    int32_t pid;             /* KILL: si_pid; TIMER: si_timerid */
    uint32_t uid;            /* KILL: si_uid; TIMER: si_overrun */
    uint64_t value;          /* si_value (sigqueue, timers) */
    uint64_t addr;           /* FAULT: si_addr */
};

/* A set of pending signals; one instance each (real-time ones included). */
struct sig_pending {
    uint64_t set;            /* bit sig-1 */
    struct sig_info info[64];
};

/* Interval timers (slots 0..2: ITIMER_REAL, _VIRTUAL, _PROF) and POSIX
 * timers (slot 3 + timer id). */
#define SIG_NTIMERS 35
struct sig_timer {
    bool used, armed;
    bool cpu;                /* on the process CPU clock, else monotonic */
    int clock;               /* the clock it was created on */
    uint64_t expiry, interval;   /* ns */
    int signo, notify, tid;  /* SIGEV_*; tid for SIGEV_THREAD_ID */
    uint64_t value;
    int overrun;             /* at its last delivery */
};

/* System call results that ask for a restart, decided at delivery (the
 * kernel's ERESTARTSYS and ERESTARTNOHAND; PROC_RESTART is ERESTARTNOINTR). */
#define PROC_ERESTARTSYS (-513L)    /* restart if the handler has SA_RESTART */
#define PROC_ERESTARTNOHAND (-514L) /* restart only if no handler ran */

/* Where the return trampoline (li a7, 139; ecall) lives in every process. */
#define SIG_TRAMPOLINE 0x3f00000000ull    /* PROC_MMAP_TOP: above mmap, below the stack */

/* Maps the trampoline page (proc_load). 0 or -LX_ENOMEM. */
int sig_map_trampoline(struct proc *p);

/* Queues sig for the process (t NULL) or thread t, as kill/tgkill with
 * the caller's identity; the caller holds the run lock. */
void sig_send(struct proc *p, struct thread *t, int sig, int code);

/* Under p->mu: fires due timers; true if t has a signal to take. */
bool sig_ready_locked(struct proc *p, struct thread *t);
/* The same, taking p->mu. */
bool sig_ready(struct proc *p, struct thread *t);
/* Under p->mu: the monotonic time the next timer is due (UINT64_MAX: none). */
uint64_t sig_timer_due_locked(struct proc *p);
/* May a signal come while the only thread runs or blocks (a timer armed)? */
bool sig_async(struct proc *p);

/* Delivery points (run lock held by t): returns true if the process ended
 * (a fatal signal). sig_deliver at a slice end; sig_syscall_exit after the
 * system call nr with original a0 returned r (also restarts the call). */
bool sig_deliver(struct proc *p, struct thread *t);
void sig_syscall_exit(struct proc *p, uint64_t nr, long r, uint64_t a0);
/* The hart of t stopped at a trap: runs the handler of its signal (true),
 * or false when the fault should end the process as it does without one. */
bool sig_fault(struct proc *p, struct thread *t);

/* A read of fd (user/sys_file.c) into [va, va+len): false if fd is not a
 * signalfd, else true with the read's result in *res. */
bool sig_fd_read(struct proc *p, int fd, uint64_t va, uint64_t len, long *res);

#define SYS_SIGNAL_CALLS(X) \
    X(rt_sigqueueinfo) X(rt_tgsigqueueinfo) X(rt_sigtimedwait) X(timer_create) \
    X(timer_settime) X(timer_gettime) X(timer_getoverrun) X(timer_delete) X(signalfd4)

#define SYS_DECLARE(name) long sys_##name(struct proc *p, const uint64_t *a);
SYS_SIGNAL_CALLS(SYS_DECLARE)
#undef SYS_DECLARE

/* Between processes (user/process.c): a signal from process from_pid,
 * and SIGCHLD (or the child's exit signal) with its si_code and status.
 * sig_exec: what execve resets (handlers, POSIX timers, the alternate
 * stack). */
bool sig_send_from(struct proc *p, int sig, int from_pid);   /* true: it continued p */
void sig_send_child(struct proc *p, int sig, int pid, int code, int status);
void sig_exec(struct proc *p);
/* Is a signal pending for t that would end the process (SIGKILL, or one
 * left at a default action that terminates)? */
bool sig_fatal_pending(struct proc *p, struct thread *t);

#endif
