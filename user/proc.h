/*
 * proc.h — a guest process in process mode: one or more threads (each a
 * hart) on one address space, a sandboxed view of files, and the Linux
 * system call layer serving it.
 *
 * Guest address-space layout (all below 2^38, as under Sv39 Linux):
 *   ELF segments (ET_EXEC at their addresses, static-PIE at PROC_PIE_BASE)
 *   heap (brk) right after the highest segment, growing up
 *   mmap area below PROC_MMAP_TOP, allocated top-down
 *   stack: PROC_STACK_SIZE below PROC_STACK_TOP
 */
#ifndef MVM_PROC_H
#define MVM_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem/mem.h"
#include "rv/rv.h"
#include "user/signal.h"

struct elf_src;

#define PROC_STACK_TOP   0x3ffffff000ull
#define PROC_STACK_SIZE  (8ull << 20)
#define PROC_MMAP_TOP    0x3f00000000ull
#define PROC_PIE_BASE    0x2aaaaab000ull

struct fs;        /* user/fs.h: the sandboxed file system and fd table */
struct mm_areas;  /* user/mm.c: the list of mapped ranges */
struct host_thread;
struct host_mutex;
struct host_cond;

/* The identity a guest sees (getuid, AT_UID, ...): fixed, not the host's.
 * The first process of a VM has pid PROC_PID (its parent is "1", outside
 * the VM); the processes and threads it starts get the next ids. */
#define PROC_UID 1000
#define PROC_GID 1000
#define PROC_PID 1000
#define PROC_PPID 1
#define PROC_MAX_ID 4194304     /* as Linux's pid_max: ids are not reused */

struct ptree;     /* user/process.c: the processes of one VM */

struct proc_options {
    struct mem_pool *parent_pool;   /* charged too (a parent VM's), or NULL */
    struct mem_pool *pool;   /* a pool to share (a forked process's parent's, a
                                clone's template's), or NULL for one of its own */
    bool forked;             /* joins its parent's tree of processes (fork) */
    struct mem_space *backing;      /* not unrolled: pages live there, or NULL */
    uint64_t mem_limit;      /* bytes of host memory for guest pages; 0 = default */
    int64_t budget;          /* instructions; <= 0 = unlimited */
    bool trace_syscalls;
    bool trace_insns;
    bool no_jit;             /* interpret every block */
    bool stream_meta;        /* metadata changes on standard streams allowed */
    bool no_fs;              /* no file table yet: the caller installs one (a
                                copy of a template's, proc_copy_loaded) */
};

/*
 * A guest thread (user/thread.c): its hart and what Linux keeps per task.
 * The main thread (tid = pid) runs on the host thread that calls
 * mvm_vm_run (or, in a forked process, vm/vm.c's thread for it); every other one on a host thread of its own.
 */
struct thread {
    struct proc *p;
    struct rv_hart *hart;
    int tid;
    uint64_t clear_child_tid;    /* set_tid_address, CLONE_CHILD_CLEARTID */
    uint64_t robust_list, robust_len;
    uint64_t sigmask;            /* written by the thread under the run lock and mu */
    struct host_thread *host;    /* NULL for the main thread */
    struct thread *next;         /* p->threads, in creation order */
    int room_waits;              /* its page allocations that failed in a row (vm.c) */
    /* A sleep given up because the run stopped (PROC_RESTART): when the
     * same call (the ecall at restart_pc) is made again, it ends at the
     * same deadline (monotonic ns), as Linux's restart_syscall does. */
    uint64_t restart_deadline, restart_pc;

    /* Under p->mu: */
    bool exited;                 /* it called exit (or the process ended) */
    _Atomic bool killed;         /* execve by another thread: it ends now */
    bool done;                   /* its host thread touches nothing any more */
    bool queued;                 /* waiting for the run lock */
    uint64_t queue_seq;          /* its place in that queue (FIFO) */
    bool fwait;                  /* in a futex wait ... */
    bool fforever;               /* ... with no timeout */
    bool fwoken;                 /* woken by FUTEX_WAKE / REQUEUE */
    uint64_t faddr;              /* the futex word waited on */
    uint32_t fbits;              /* FUTEX_WAIT_BITSET's mask */
    uint64_t fseq;               /* wake order (FIFO) */

    /* Under the run lock: */
    bool exit_pending;           /* sys_exit asked this thread to end */
    int exit_status;

    /* Signals (user/signal.c): pending under mu, the rest the thread's own. */
    struct sig_pending pending;  /* sent to this thread */
    uint64_t saved_mask;         /* rt_sigsuspend's: put back at delivery */
    bool restore_mask;
    uint64_t ss_sp, ss_size;     /* sigaltstack */
    uint32_t ss_flags;
};

/*
 * THE RUN LOCK (step 1 of threads): the threads of a process run one at a
 * time. Whoever holds the run lock owns every guest-visible thing of the
 * process (memory, fs, mm areas, brk, signal state, the harts' registers);
 * a thread gives it up at the end of each time slice and while it blocks
 * (futex wait, sleeps, sched_yield, polls and reads of pipes/terminals),
 * and waiters get it in FIFO order. The scheduling state below "under mu"
 * is guarded by the host mutex mu instead. Later steps (parallel harts)
 * replace the run lock by a thread-safe memory system and per-object
 * locks; the places that take or drop it are all in user/thread.c and
 * vm/vm.c's run loop.
 *
 * Invariant for p->hart: it is the hart of the thread holding the run lock
 * (p->cur), set whenever a thread takes the lock, so that the system-call
 * handlers, which all say p->hart, serve the calling thread. Between runs
 * it is the main thread's. The VM's instruction budget lives in the main
 * thread's hart (p->main->hart), which every thread's instructions are
 * charged to.
 */
struct proc {
    struct mem_pool *pool;
    bool shared_pool;        /* not its own: whoever made it frees it */
    bool forked;             /* a process of another's tree (fork): that one's first frees it */
    struct mem_space *as;
    struct rv_hart *hart;    /* the running thread's (see above) */
    struct fs *fs;

    struct mm_areas *areas;

    uint64_t brk_start;      /* first heap byte */
    uint64_t brk_cur;        /* current break (guest-visible) */
    uint64_t brk_mapped;     /* page-aligned end of what is mapped for the heap */
    uint64_t mmap_hint;      /* next top-down search starts below this */

    uint64_t entry;          /* program entry point */
    uint64_t phdr_addr, phent, phnum, load_bias;
    uint64_t at_random;      /* where the 16 AT_RANDOM bytes are (proc_load) */

    uint64_t sigactions[65][4];  /* handler, flags, restorer, mask (user/signal.h: locking) */
    struct sig_pending sigpending;   /* (mu) sent to the process */
    struct sig_timer timers[SIG_NTIMERS];   /* (mu) */
    _Atomic int timers_armed;    /* how many; read without a lock */

    /* Threads. */
    struct thread *main;     /* its tid is the pid */
    /* Instructions the VM may still run, shared by its threads (each runs
     * slices taken from it) and charged for what its own VMs run. */
    _Atomic int64_t budget;
    struct thread *cur;      /* the thread holding the run lock */
    struct thread *threads;  /* every thread not yet reaped, main first */
    /* Starts running thread t on the calling host thread (vm/vm.c). */
    void (*thread_run)(void *ctx, struct thread *t);
    void *thread_ctx;
    uint64_t reaped_instret; /* instructions of threads already freed */
    /* What its threads had retired at their last slice end: what another
     * thread (the VM's owner counting the tree) may read while it runs. */
    _Atomic uint64_t instret_pub;

    /* Under mu (see THE RUN LOCK): */
    struct host_mutex *mu;
    struct host_cond *cv;    /* every change below is broadcast here */
    struct thread *holder;   /* who holds the run lock, or NULL */
    uint64_t queue_next;     /* ticket for the run lock's FIFO */
    uint64_t fseq_next;
    int nlive;               /* threads that have not exited */
    int nforever;            /* of them, in a futex wait with no timeout */
    bool running;            /* a run (mvm_vm_run) is in progress */
    int in_guest;            /* threads running guest code (without the lock) */
    _Atomic bool stop;       /* the budget ran out: the run ends, threads park */
    bool interruptible;      /* runs in slices: mvm_vm_interrupt may end one */
    _Atomic bool interrupt;  /* mvm_vm_interrupt asked the run to end */
    _Atomic bool ended;      /* the process has ended: every thread stops */

    bool exited;             /* (run lock) the process ended: status below */
    bool sigkilled;          /* (mu) killed from outside (proc_kill): see proc_settle */
    int exit_code;           /* status for the host process (guest code or 128+sig) */
    int killed_by;           /* the signal that ended it, or 0 if it exited */
    /* How it ended when a thread faulted: fault_reason is RV_EXIT_TRAP or
       RV_EXIT_NOMEM (0: it exited or was signalled), with the cause,
       address and pc of the fault. */
    int fault_reason;
    uint32_t fault_cause;
    uint64_t fault_addr, fault_pc;
    bool trace_syscalls;
    uint64_t syscalls;       /* statistics */

    /*
     * Processes (user/process.c). Every process of a VM is a struct proc
     * with its own address space, files, threads and run lock; they form
     * one tree (struct ptree, its own mutex) whose first process is the
     * one mvm_vm_run runs. vm/vm.c runs every other one on a host thread
     * of its own (start_process) and frees it when it is reaped.
     */
    struct ptree *tree;
    int pid, pgid, sid;
    int exit_signal;         /* sent to the parent at the end (clone's low byte) */
    struct proc *parent;     /* (tree) who reaps it; NULL for the first process */
    struct proc *tnext;      /* (tree) every process of the tree */
    bool zombie;             /* (tree) ended, status in wstatus, not reaped */
    bool autoreap;           /* (tree) nobody waits: freed by the next collection */
    bool vforked;            /* (tree) its parent waits (vfork) until it execs or ends */
    int wstatus;             /* (tree) Linux wait status */
    uint64_t child_events;   /* (mu) a child ended or left vfork: waiters look again */
    _Atomic bool stopped;    /* (mu) stopped by SIGSTOP & co. until SIGCONT */
    bool stop_report;        /* (tree) a stop not yet reported (WUNTRACED) */
    bool cont_report;        /* (tree) a continue not yet reported (WCONTINUED) */
    int stop_sig;            /* (tree) the signal that stopped it */
    bool execed;             /* (run lock) execve replaced the image: no return value */
    int (*start_process)(struct proc *parent, struct proc *child);
    void (*free_process)(struct proc *child);
};

/*
 * Life of a process (user/proc.c). proc_new sets up an empty process;
 * proc_load loads the ELF image src reads (path is what AT_EXECFN shows)
 * and builds the initial stack: 0, or -1 with a one-line reason in err
 * (bad program), -2 (out of memory), -3 (src's memory is not readable) or
 * -4 (src could not be read: err says why). vm/vm.c runs it (mvm_vm_run).
 */
struct proc *proc_new(const struct proc_options *opt);
void proc_free(struct proc *p);
int proc_load(struct proc *p, const char *path, const struct elf_src *src,
              int argc, char *const argv[], int envc, char *const envp[], char *err, size_t errlen);
/* The signal Linux would kill a process with for this exception. */
int proc_signal_of(uint32_t cause);

/*
 * Threads and the run lock (user/thread.c). Each returns with the run
 * lock held by t, except as said.
 */
enum { PROC_LOCK_OK, PROC_LOCK_ENDED, PROC_LOCK_STOP };
/* Takes the run lock for t, in turn: PROC_LOCK_OK; PROC_LOCK_ENDED if the
 * process has ended (lock not held). A thread other than the runner waits
 * (parked) while no run is in progress or the budget has stopped it; the
 * runner (the host thread in mvm_vm_run) gets PROC_LOCK_STOP instead, and
 * if its main thread has exited it only waits for the end or a stop. */
int proc_lock(struct proc *p, struct thread *t, bool runner);
void proc_unlock(struct proc *p, struct thread *t);
/* Around running guest code in parallel: gives the run lock up (t holds
 * it), and takes it back as proc_lock does. A run ends (proc_run_end) only
 * when no thread is in guest code. */
void proc_guest_enter(struct proc *p, struct thread *t);
int proc_guest_leave(struct proc *p, struct thread *t, bool runner);
/* Ends the process (p->exited, status set by the caller, who holds the
 * run lock): every thread stops at its next wait or lock. */
void proc_end(struct proc *p);
/* The budget is spent: the run stops, other threads park. */
void proc_stop(struct proc *p);
void proc_stop_locked(struct proc *p);     /* the same, p->mu held */
/* A run begins / ends (the runner's side). */
void proc_run_begin(struct proc *p);
void proc_run_end(struct proc *p);
/* PROC_LOCK_ENDED if the process has ended, PROC_LOCK_STOP if the run
 * should stop (budget), else PROC_LOCK_OK. */
int proc_state(struct proc *p);
/* A new thread's or process's registers (clone): the caller's ph, after
 * the ecall, a0 = 0, sp = stack if not 0, tp = tls if settls. */
void proc_child_regs(struct rv_hart *h, const struct rv_hart *ph, uint64_t stack, bool settls, uint64_t tls);
/* A new thread of p with its own hart (registers zero; rdtime, tracing
 * and JIT settings as the main thread's), not yet started; NULL if out
 * of memory. proc_thread_start links t in and starts its host thread,
 * which waits for the run lock (and parks while no run is in progress);
 * on failure (-LX_EAGAIN) t and its hart are freed. */
struct thread *proc_thread_new(struct proc *p, int tid);
int proc_thread_start(struct proc *p, struct thread *t);
/* Thread t's host thread is finishing: it touches nothing any more. */
void proc_thread_done(struct proc *p, struct thread *t);
/* Ends thread t after sys_exit (clear_child_tid, robust list); the last
 * thread's exit ends the process. Releases the run lock. */
void proc_thread_exit(struct proc *p, struct thread *t);
/* Stops and joins every secondary thread (the process has ended). */
void proc_join_threads(struct proc *p);
/* Set-up and tear-down of the thread machinery (proc_new, proc_free). */
int proc_threads_init(struct proc *p);
void proc_threads_free(struct proc *p);
/* The live thread with this tid, or NULL. */
struct thread *proc_thread_of(struct proc *p, int tid);
/* Blocks the calling thread until a signal it does not block is pending
 * (PROC_ERESTARTSYS), the monotonic deadline passes if has_deadline
 * (-LX_ETIMEDOUT), the process ends (-LX_EINTR) or the run stops
 * (PROC_RESTART); a deadlock, named by what, if nothing could end it. */
long proc_wait_signal(struct proc *p, bool has_deadline, uint64_t deadline, const char *what);
/* Who could interrupt a blocking call: the threads alive (not exited),
 * plus one for every other process of the VM (it may send a signal), plus
 * one if the VM is interruptible (mvm_vm_interrupt). 1: the caller alone,
 * which may block on the host without polling. */
int proc_live_threads(struct proc *p);
/* Instructions retired by every thread of the process. */
uint64_t proc_instret(struct proc *p);
/* Blocking helpers for system calls: drop the run lock while waiting.
 * proc_sleep_until: monotonic deadline; 0 slept, 1 a signal came, -1 the
 * process ended or (main thread only) the run stopped — the call is then
 * restarted. proc_poll: host_poll without the run lock (PROC_ERESTARTSYS
 * when a signal comes). */
int proc_sleep_until(struct proc *p, uint64_t deadline_ns);
struct host_pollfd;
int proc_poll(struct proc *p, struct host_pollfd *h, size_t n, int ms);
/* Prints why the process is ending and ends it as killed by SIGKILL. */
void proc_deadlock(struct proc *p, const char *what);
/* A system call handler's result asking to run the call again later. */
#define PROC_RESTART (-512L)

/*
 * Processes (user/process.c). proc_tree_new makes p the first process of
 * a new tree (proc_new does it for a process of its own). proc_fork
 * serves clone without CLONE_THREAD (fork, vfork, posix_spawn).
 * proc_ended is called by the host thread of a process that is not the
 * first one when its run has ended: it becomes a zombie, its parent gets
 * SIGCHLD. proc_tree_kill ends every other process of p's tree (p, the
 * first, has ended); proc_tree_free frees them (their host threads
 * done). proc_new_id: a fresh pid/tid, or -LX_EAGAIN.
 */
int proc_tree_new(struct proc *p);
long proc_fork(struct proc *p, uint64_t flags, uint64_t stack, uint64_t ptid, uint64_t tls, uint64_t ctid);
/*
 * Makes p, a new first process with nothing loaded, a copy of src, a
 * first process that was loaded and never ran (mvm_vm_fork): its memory
 * shared copy-on-write, its areas, files and grants, registers and
 * program values, and AT_RANDOM bytes of its own. Their pools must be of
 * one tree. 0 or a negative Linux errno.
 */
long proc_copy_loaded(struct proc *p, struct proc *src);
void proc_ended(struct proc *p);
void proc_tree_kill(struct proc *p);
/* Kills the other processes and waits until their host threads are done. */
void proc_tree_end(struct proc *p);
void proc_tree_free(struct proc *p);
int proc_tree_count(const struct proc *p);
/* The id proc_new_id hands out next (snapshots save and restore it). */
int proc_next_id(struct proc *p);
void proc_set_next_id(struct proc *p, int id);
int proc_new_id(struct proc *p);
/*
 * Snapshots of several processes (user/save.c). proc_tree_list puts the
 * tree's processes in *out (the first process first, then in the order
 * they were made; at most max): how many. proc_tree_add makes a process
 * of root's tree again (pid; its parent, already in the tree, by ppid):
 * as fork makes one, but empty (no threads started, no host thread); NULL
 * with *err. proc_tree_start gives it its host thread (parked until the
 * VM runs); a zombie gets none. A zombie's state is its caller's to set.
 */
int proc_tree_list(struct proc *root, struct proc **out, int max);
/* The same in a new array *out (the caller frees it): how many, or -LX_ENOMEM. */
int proc_tree_list_all(struct proc *root, struct proc ***out);
int proc_tree_list_locked(struct proc *root, struct proc **out, int max);   /* proc_tree_lock held */
struct proc *proc_tree_add(struct proc *root, int pid, int ppid, int *err);
int proc_tree_start(struct proc *c);
/* Replaces p's image by the ELF in file (execve, after every check that
 * can fail without harm): 0, or -errno with p unchanged. */
long proc_exec(struct proc *p, const char *path, const uint8_t *file, size_t size,
               int argc, char *const argv[], int envc, char *const envp[]);
/* kill(pid, sig) inside p's tree (pid > 0, 0, -1 or -pgid). */
long proc_kill_pid(struct proc *p, int pid, int sig);
/* Instructions retired by every process of the tree. */
uint64_t proc_tree_instret(struct proc *p);
/* Blocks until p->child_events differs from seen: 0, or as wait_on. */
long proc_wait_child(struct proc *p, uint64_t seen);
/* Wakes p's threads waiting in proc_wait_child (the caller holds no lock of p). */
void proc_child_event(struct proc *p);
/* Job control: p stopped (by sig) or continued; its parent is told
 * (SIGCHLD unless SA_NOCLDSTOP, and wait's WUNTRACED / WCONTINUED). The
 * _locked form with the tree's lock held. */
void proc_job_event(struct proc *p, int sig, bool cont);
void proc_job_event_locked(struct proc *p, int sig, bool cont);
/* A thread of a stopped process waits here (without the run lock) until
 * SIGCONT or SIGKILL, the end, or for the runner a stop of the run.
 * Returns as proc_lock; PROC_LOCK_OK at once if the process runs. */
int proc_park_stopped(struct proc *p, struct thread *t, bool runner);
/* execve by the main thread (self, holding the run lock): every other
 * thread ends and is freed. Returns as proc_lock (the lock held again
 * when PROC_LOCK_OK). */
int proc_kill_others(struct proc *p, struct thread *self);
/* Ends p as killed by SIGKILL unless it has ended (any thread may call):
 * it ends, and its runner (proc_settle) records the status. */
void proc_kill(struct proc *p);
/* The runner's view of the end (its other threads stopped or joined): a
 * kill becomes the exit status; returns p->exited. */
bool proc_settle(struct proc *p);
/* The process (not reaped) with this pid in p's tree: held under the
 * tree's lock, which proc_tree_unlock drops. */
struct proc *proc_tree_lock_find(struct proc *p, int pid);
void proc_tree_lock(struct proc *p);
void proc_tree_unlock(struct proc *p);

/*
 * Memory-management system calls (user/mm.c). Each returns the Linux
 * result: a value, or a negative LX_E* errno.
 */
struct mm_areas *mm_areas_new(void);
void mm_areas_free(struct mm_areas *m);
/* Maps [addr, addr+len) afresh (replacing what was there) with MEM_* prot. */
int mm_map_fixed(struct proc *p, uint64_t addr, uint64_t len, int prot);
/* Records [start, end) as in use (mapped by someone else, e.g. the loader). */
int mm_areas_note(struct proc *p, uint64_t start, uint64_t end);
long mm_brk(struct proc *p, uint64_t addr);
long mm_mmap(struct proc *p, uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t off);
long mm_munmap(struct proc *p, uint64_t addr, uint64_t len);
long mm_mprotect(struct proc *p, uint64_t addr, uint64_t len, int prot);
long mm_mremap(struct proc *p, uint64_t old, uint64_t old_len, uint64_t new_len, int flags, uint64_t new_addr);
long mm_madvise(struct proc *p, uint64_t addr, uint64_t len, int advice);
/* fork: c (new, empty) gets p's mappings, shared copy-on-write; or, with
 * share_space (vfork: c already runs in p's space), just their list. */
long mm_fork(struct proc *c, struct proc *p, bool share_space);
/* Area i of the list (0 or -1 past the last): what a snapshot records. */
int mm_area_at(const struct proc *p, size_t i, uint64_t *start, uint64_t *end);
/* Drops every mapping (a process that has ended keeps no pages). */
void mm_release(struct proc *p);

/*
 * The system call layer (user/syscall.c): serves the ecall the hart stopped
 * at (a7 = number, a0..a5 = arguments), writes a0, advances pc. Sets
 * p->exited for exit/exit_group.
 */
void sys_dispatch(struct proc *p);
const char *sys_name(uint64_t nr);   /* "openat", or NULL if unknown */

#endif
