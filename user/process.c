/*
 * process.c — guest processes: the tree of a VM's processes, fork and
 * vfork, execve (ELF and #! scripts), wait4 / waitid, the ids a process
 * has (pid, parent, process group, session) and process death.
 *
 * A VM's processes form one tree. Its first process (pid PROC_PID) is the
 * one mvm_vm_run runs; like the first process of a Linux pid namespace it
 * adopts orphans, and when it ends, every other process of the VM is
 * killed. Every process is a struct proc of its own (its own address
 * space, fd table, threads, signal state and run lock) sharing the VM's
 * page pool (--mem covers them all) and budget (vm/vm.c charges what
 * every process runs to the first one). pids are the VM's own: a guest
 * can see, wait for and signal only processes of its tree.
 *
 * Locking: the tree's mutex guards the list of processes and every
 * field marked (tree) in user/proc.h; it is taken before any process's
 * mu, never while holding one.
 *
 * fork copies the address space copy-on-write (mem_share: no page is
 * copied until one side writes it), shares every open file description
 * (user/fs.c, fs_fork) and copies the signal actions and the calling
 * thread's registers, mask and alternate stack. vfork and
 * clone(CLONE_VM | CLONE_VFORK) (posix_spawn) give a child that runs in
 * its parent's address space (a reference on it: mem_space_ref) with a
 * hart of its own, while the parent waits until the child execs or ends.
 * MAP_SHARED anonymous memory stays shared across fork (mem_set_shared).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/fs.h"
#include "host/host.h"
#include "host/thread.h"
#include "user/elf.h"
#include "user/fs.h"
#include "user/lx.h"
#include "user/proc.h"

/* clone flags (include/uapi/linux/sched.h) that matter for a process. */
#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_FILES 0x400
#define CLONE_SIGHAND 0x800
#define CLONE_VFORK 0x4000
#define CLONE_PARENT 0x8000
#define CLONE_THREAD 0x10000
#define CLONE_SETTLS 0x80000
#define CLONE_PARENT_SETTID 0x100000
#define CLONE_CHILD_CLEARTID 0x200000
#define CLONE_DETACHED 0x400000
#define CLONE_CHILD_SETTID 0x1000000

/* wait options and waitid id types. */
#define WNOHANG 1
#define WUNTRACED 2
#define WEXITED 4
#define WCONTINUED 8
#define WNOWAIT 0x01000000
#define WNOTHREAD 0x20000000
#define WALL 0x40000000
#define WCLONE 0x80000000
enum { P_ALL, P_PID, P_PGID, P_PIDFD };
enum { CLD_EXITED = 1, CLD_KILLED, CLD_DUMPED, CLD_TRAPPED, CLD_STOPPED, CLD_CONTINUED };
#define SA_NOCLDSTOP 1
#define SA_NOCLDWAIT 2

#define MAX_PROCS 1024                /* processes of one VM, zombies included */
/* A fork keeps this many pages of the VM's memory limit free for each
 * process the VM would then have (see fork_room). */
#define FORK_HEADROOM 16
#define EXEC_MAX_FILE (256u << 20)   /* the largest program execve reads */
#define EXEC_MAX_ARGS (2u << 20)     /* argv and envp strings together, as Linux's ARG_MAX-ish */
#define EXEC_MAX_INTERP 4            /* #! scripts naming #! scripts, as Linux */
#define SHEBANG_MAX 256              /* a #! line's length, as Linux */

struct ptree {
    struct host_mutex *mu;
    struct host_cond *cv;    /* running went down */
    int running;             /* processes (not the first) whose host thread runs */
    struct proc *all;        /* every process not freed, the first one first */
    int next_id;             /* the next pid or tid */
    _Atomic int count;       /* processes in all (written under mu) */
};

/* ------------------------------------------------------------- the tree */

int proc_tree_new(struct proc *p)
{
    struct ptree *tr = calloc(1, sizeof *tr);
    if (!tr)
        return -1;
    tr->mu = host_mutex_new();
    tr->cv = host_cond_new();
    if (!tr->mu || !tr->cv) {
        host_mutex_free(tr->mu);
        host_cond_free(tr->cv);
        free(tr);
        return -1;
    }
    tr->all = p;
    tr->next_id = PROC_PID + 1;
    tr->count = 1;
    p->tree = tr;
    return 0;
}

void proc_tree_lock(struct proc *p) { host_mutex_lock(p->tree->mu); }
void proc_tree_unlock(struct proc *p) { host_mutex_unlock(p->tree->mu); }

int proc_tree_count(const struct proc *p)
{
    return p->tree ? atomic_load(&p->tree->count) : 1;    /* any lock may be held */
}

int proc_next_id(struct proc *p)
{
    host_mutex_lock(p->tree->mu);
    int id = p->tree->next_id;
    host_mutex_unlock(p->tree->mu);
    return id;
}

void proc_set_next_id(struct proc *p, int id)
{
    host_mutex_lock(p->tree->mu);
    p->tree->next_id = id;
    host_mutex_unlock(p->tree->mu);
}

int proc_new_id(struct proc *p)
{
    host_mutex_lock(p->tree->mu);
    int id = p->tree->next_id < PROC_MAX_ID ? p->tree->next_id++ : -LX_EAGAIN;
    host_mutex_unlock(p->tree->mu);
    return id;
}

static struct proc *find_locked(struct proc *p, int pid)
{
    for (struct proc *q = p->tree->all; q; q = q->tnext)
        if (q->pid == pid)
            return q;
    return NULL;
}

struct proc *proc_tree_lock_find(struct proc *p, int pid)
{
    host_mutex_lock(p->tree->mu);
    return find_locked(p, pid);
}

static void unlink_locked(struct proc *c)
{
    for (struct proc **pp = &c->tree->all; *pp; pp = &(*pp)->tnext)
        if (*pp == c) {
            *pp = c->tnext;
            c->tree->count--;
            return;
        }
}

/* Frees the zombies nobody will wait for (their parents ignore SIGCHLD). */
static void collect(struct proc *p)
{
    for (;;) {
        host_mutex_lock(p->tree->mu);
        struct proc *z = NULL;
        for (struct proc *q = p->tree->all; q && !z; q = q->tnext)
            if (q->zombie && q->autoreap)
                z = q;
        if (z)
            unlink_locked(z);
        host_mutex_unlock(p->tree->mu);
        if (!z)
            return;
        p->free_process(z);
    }
}

uint64_t proc_tree_instret(struct proc *p)
{
    uint64_t n = 0;
    host_mutex_lock(p->tree->mu);
    /* The first process is between runs; the others may be running. */
    for (struct proc *q = p->tree->all; q; q = q->tnext)
        n += q == p->tree->all ? proc_instret(q) : atomic_load(&q->instret_pub);
    host_mutex_unlock(p->tree->mu);
    return n;
}

void proc_tree_kill(struct proc *p)
{
    if (!p->tree)
        return;
    host_mutex_lock(p->tree->mu);
    for (struct proc *q = p->tree->all; q; q = q->tnext)
        if (q != p)
            proc_kill(q);
    host_mutex_unlock(p->tree->mu);
}

void proc_tree_end(struct proc *p)
{
    struct ptree *tr = p->tree;
    if (!tr)
        return;
    proc_tree_kill(p);
    host_mutex_lock(tr->mu);
    while (tr->running > 0)
        host_cond_wait(tr->cv, tr->mu);
    host_mutex_unlock(tr->mu);
}

void proc_tree_free(struct proc *p)
{
    struct ptree *tr = p->tree;
    if (!tr)
        return;
    proc_tree_end(p);
    for (;;) {
        host_mutex_lock(tr->mu);
        struct proc *q = tr->all == p ? p->tnext : tr->all;
        if (q)
            unlink_locked(q);
        host_mutex_unlock(tr->mu);
        if (!q)
            break;
        p->free_process(q);     /* its host thread has finished */
    }
    host_cond_free(tr->cv);
    host_mutex_free(tr->mu);
    free(tr);
    p->tree = NULL;
}

/* -------------------------------------------- snapshots of processes */

int proc_tree_list_locked(struct proc *root, struct proc **out, int max)
{
    int n = 0;
    for (struct proc *q = root->tree->all; q && n < max; q = q->tnext)
        out[n++] = q;
    return n;
}

int proc_tree_list(struct proc *root, struct proc **out, int max)
{
    host_mutex_lock(root->tree->mu);
    int n = proc_tree_list_locked(root, out, max);
    host_mutex_unlock(root->tree->mu);
    return n;
}

int proc_tree_list_all(struct proc *root, struct proc ***out)
{
    int max = proc_tree_count(root) + 1;
    *out = calloc((size_t)max, sizeof **out);
    return *out ? proc_tree_list(root, *out, max) : -LX_ENOMEM;
}

struct proc *proc_tree_add(struct proc *root, int pid, int ppid, int *err)
{
    struct ptree *tr = root->tree;
    host_mutex_lock(tr->mu);
    struct proc *parent = find_locked(root, ppid);
    bool taken = find_locked(root, pid) != NULL;
    host_mutex_unlock(tr->mu);
    if (!parent || taken || pid <= PROC_PID || pid >= tr->next_id || proc_tree_count(root) >= MAX_PROCS) {
        *err = -LX_EINVAL;
        return NULL;
    }
    struct proc_options opt = {
        .pool = root->pool,
        .forked = true,
        .trace_syscalls = root->trace_syscalls,
        .trace_insns = root->hart->trace_insns,
        .no_jit = root->hart->no_jit,
        .stream_meta = fs_stream_meta(root->fs),
    };
    struct proc *c = proc_new(&opt);
    if (!c) {
        *err = -LX_ENOMEM;
        return NULL;
    }
    c->pid = c->main->tid = pid;
    c->thread_run = root->thread_run;
    c->start_process = root->start_process;
    c->free_process = root->free_process;
    c->tree = tr;
    c->parent = parent;
    host_mutex_lock(tr->mu);
    struct proc **end = &tr->all;
    while (*end)
        end = &(*end)->tnext;
    *end = c;
    tr->count++;
    host_mutex_unlock(tr->mu);
    return c;
}

int proc_tree_start(struct proc *c)
{
    atomic_store(&c->instret_pub, proc_instret(c));
    if (c->zombie)
        return 0;
    host_mutex_lock(c->tree->mu);
    c->tree->running++;
    host_mutex_unlock(c->tree->mu);
    if (c->start_process(c->parent, c) != 0) {
        host_mutex_lock(c->tree->mu);
        c->tree->running--;
        host_mutex_unlock(c->tree->mu);
        return -LX_EAGAIN;
    }
    return 0;
}

/* --------------------------------------------------------------- fork */

/*
 * Whether the VM's memory limit leaves FORK_HEADROOM pages for each of its
 * processes, the new one included. A process just forked copies a few
 * pages before it settles (its stack, libc's data: about 7 for a static
 * glibc program), and so does its parent when it next writes. Without
 * this reserve a fork bomb fills the pool to its last page, and the next
 * of those copies - the parent's as likely as a child's - finds none and
 * the process that faulted is killed; with it, fork fails with ENOMEM
 * while the processes there can still go on. 64 KiB a process is little
 * beside what a process costs the monitor (its hart, code and tables).
 * Only the VM's own limit counts: a host budget shared by many VMs is met
 * by reclaiming memory (balloons, swap), not by refusing forks.
 */
static bool fork_room(struct proc *p)
{
    struct mem_stats st;
    mem_pool_stats(p->pool, &st);
    uint64_t want = ((uint64_t)proc_tree_count(p) + 1) * FORK_HEADROOM;
    return !st.limit_pages || (st.pages_in_use <= st.limit_pages && st.limit_pages - st.pages_in_use >= want);
}

/* The parent a new process reports to. */
static struct proc *parent_for(struct proc *p, uint64_t flags)
{
    return (flags & CLONE_PARENT) && p->parent ? p->parent : p;
}

/* The child's state from the calling thread's: registers, signals. */
static void copy_thread(struct proc *c, struct proc *p, uint64_t flags, uint64_t stack, uint64_t tls)
{
    proc_child_regs(c->main->hart, p->hart, stack, (flags & CLONE_SETTLS) != 0, tls);
    const struct thread *t = p->cur;
    c->main->sigmask = t->sigmask;
    c->main->ss_sp = t->ss_sp;
    c->main->ss_size = t->ss_size;
    c->main->ss_flags = t->ss_flags;
    memcpy(c->sigactions, p->sigactions, sizeof c->sigactions);
}

/* A copy's files and program values from src's (fs: its copy of src's). */
static void take_image(struct proc *c, struct proc *src, struct fs *fs)
{
    if (c->fs)
        fs_free(c->fs);
    c->fs = fs;
    c->entry = src->entry;
    c->phdr_addr = src->phdr_addr;
    c->phent = src->phent;
    c->phnum = src->phnum;
    c->load_bias = src->load_bias;
    c->at_random = src->at_random;
}

long proc_copy_loaded(struct proc *p, struct proc *src)   /* (p may have no file table yet) */
{
    long r = mm_fork(p, src, false);
    struct fs *fs = r == 0 ? fs_fork(src->fs) : NULL;
    if (!fs)
        return r ? (r == -LX_EINVAL ? -LX_ENOSYS : r) : -LX_ENOMEM;
    take_image(p, src, fs);
    memcpy(p->hart->x, src->hart->x, sizeof p->hart->x);
    memcpy(p->hart->f, src->hart->f, sizeof p->hart->f);
    p->hart->fflags = src->hart->fflags;
    p->hart->frm = src->hart->frm;
    p->hart->pc = src->hart->pc;
    memcpy(p->sigactions, src->sigactions, sizeof p->sigactions);
    /* Seeds the guest's libc takes from AT_RANDOM (stack guard, pointer
     * guard) must differ from the template's: one stack page copied. */
    uint8_t rnd[16];
    host_random(rnd, sizeof rnd);
    return mem_poke(p->as, p->at_random, rnd, sizeof rnd) == 0 ? 0 : -LX_ENOMEM;
}

long proc_fork(struct proc *p, uint64_t flags, uint64_t stack, uint64_t ptid, uint64_t tls, uint64_t ctid)
{
    const uint64_t allowed = CLONE_VM | CLONE_VFORK | CLONE_PARENT | CLONE_SETTLS | CLONE_PARENT_SETTID |
                             CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | CLONE_DETACHED | 0xff;
    if (flags & ~allowed)
        return -LX_EINVAL;     /* shared files or handlers between processes: not served */
    if ((flags & CLONE_VM) && !(flags & CLONE_VFORK))
        return -LX_EINVAL;     /* two processes on one address space: only vfork's kind */
    if ((flags & 0xff) > LX_NSIG)
        return -LX_EINVAL;     /* the exit signal, as Linux checks it */
    if (!p->start_process)
        return -LX_ENOSYS;
    collect(p);
    if (proc_tree_count(p) >= MAX_PROCS)
        return -LX_EAGAIN;      /* as RLIMIT_NPROC would */
    if (!fork_room(p))
        return -LX_ENOMEM;
    int pid = proc_new_id(p);
    if (pid < 0)
        return pid;
    struct proc_options opt = {
        .pool = p->pool,
        .forked = true,
        .budget = 0,
        .trace_syscalls = p->trace_syscalls,
        .trace_insns = p->hart->trace_insns,
        .no_jit = p->hart->no_jit,
        .stream_meta = fs_stream_meta(p->fs),
    };
    struct proc *c = proc_new(&opt);
    if (!c)
        return -LX_ENOMEM;
    bool vfork = (flags & CLONE_VM) != 0;
    if (vfork) {
        /* The child runs in the parent's memory until it execs or ends. */
        struct rv_hart *h = rv_hart_new(p->as);
        if (!h) {
            proc_free(c);
            return -LX_ENOMEM;
        }
        rv_hart_free(c->main->hart);
        mem_space_free(c->as);
        mem_space_ref(p->as);
        c->as = p->as;
        c->hart = c->main->hart = h;
    }
    struct fs *fs = fs_fork(p->fs);
    long r = fs ? mm_fork(c, p, vfork) : -LX_ENOMEM;
    if (r != 0) {
        fs_free(fs);
        proc_free(c);
        return r == -LX_EINVAL ? -LX_ENOSYS : r;    /* EINVAL: memory not unrolled */
    }
    take_image(c, p, fs);
    copy_thread(c, p, flags, stack, tls);
    c->pid = c->main->tid = pid;
    c->pgid = p->pgid;
    c->sid = p->sid;
    c->exit_signal = (int)(flags & 0xff);
    c->thread_run = p->thread_run;
    c->start_process = p->start_process;
    c->free_process = p->free_process;
    if (flags & CLONE_CHILD_CLEARTID)
        c->main->clear_child_tid = ctid;
    uint8_t b[4];
    st32(b, (uint32_t)pid);
    r = 0;
    if (flags & CLONE_PARENT_SETTID)
        r = mem_write(p->as, ptid, b, 4);
    if (r == 0 && (flags & CLONE_CHILD_SETTID))
        r = mem_write(c->as, ctid, b, 4);
    if (r < 0) {
        proc_free(c);
        return r;
    }

    struct proc *parent = parent_for(p, flags);
    c->tree = p->tree;
    c->parent = parent;
    c->vforked = (flags & CLONE_VFORK) != 0;
    host_mutex_lock(p->tree->mu);
    struct proc **end = &p->tree->all;
    while (*end)
        end = &(*end)->tnext;
    *end = c;
    p->tree->count++;
    p->tree->running++;
    host_mutex_unlock(p->tree->mu);
    host_mutex_lock(p->mu);
    uint64_t seen = p->child_events;
    host_mutex_unlock(p->mu);
    atomic_store(&c->instret_pub, proc_instret(c));
    if (p->start_process(p, c) != 0) {
        host_mutex_lock(p->tree->mu);
        unlink_locked(c);
        p->tree->running--;
        host_mutex_unlock(p->tree->mu);
        c->tree = NULL;
        proc_free(c);
        return -LX_EAGAIN;
    }
    /* vfork: the parent waits until the child execs or ends (signals
     * stay pending meanwhile, except one that would end the parent: the
     * wait is killable, as Linux's). */
    while (flags & CLONE_VFORK) {
        host_mutex_lock(p->tree->mu);
        bool waiting = c->vforked;
        host_mutex_unlock(p->tree->mu);
        if (!waiting)
            break;
        long w = proc_wait_child(p, seen);
        if (w == -LX_EINTR || w == PROC_RESTART)
            break;      /* the parent ends, or the run stops: the child goes on */
        if (w != 0 && sig_fatal_pending(p, p->cur))
            break;      /* a killable wait, as Linux's: the signal ends the parent */
        if (w != 0)
            host_sleep_ns(1000000);     /* a signal waits: it is taken after the vfork */
        host_mutex_lock(p->mu);
        seen = p->child_events;
        host_mutex_unlock(p->mu);
    }
    return pid;
}

/* The child leaves vfork (execve or its end): its parent goes on. */
static void vfork_release(struct proc *c)
{
    host_mutex_lock(c->tree->mu);
    if (c->vforked)
        proc_child_event(c->parent);
    c->vforked = false;
    host_mutex_unlock(c->tree->mu);
}

/* The SIGCHLD action of p: does nobody wait for its children? */
static bool ignores_children(struct proc *p)
{
    host_mutex_lock(p->mu);
    bool ign = p->sigactions[LX_SIGCHLD][0] == LX_SIG_IGN || (p->sigactions[LX_SIGCHLD][1] & SA_NOCLDWAIT);
    host_mutex_unlock(p->mu);
    return ign;
}

void proc_ended(struct proc *p)
{
    vfork_release(p);
    struct ptree *tr = p->tree;
    struct proc *root = tr->all;
    /* Under the tree's lock throughout: the parent cannot go meanwhile. */
    host_mutex_lock(tr->mu);
    p->wstatus = p->killed_by ? (p->fault_reason == RV_EXIT_TRAP ? 0x80 : 0) | p->killed_by
                              : (p->exit_code & 0xff) << 8;
    /* Its children go to the first process, as orphans go to init. */
    bool orphans = false;
    for (struct proc *q = tr->all; q; q = q->tnext)
        if (q->parent == p) {
            q->parent = root;
            orphans |= q->zombie;
        }
    struct proc *parent = p->parent;
    int code = !p->killed_by ? CLD_EXITED : p->fault_reason == RV_EXIT_TRAP ? CLD_DUMPED : CLD_KILLED;
    int status = p->killed_by ? p->killed_by : p->exit_code & 0xff;
    p->autoreap = ignores_children(parent);
    p->zombie = true;
    if (p->exit_signal)
        sig_send_child(parent, p->exit_signal, p->pid, code, status);
    proc_child_event(parent);
    if (orphans && parent != root)
        proc_child_event(root);
    /* The last thing: the first process may now be freed (proc_tree_end). */
    tr->running--;
    host_cond_broadcast(tr->cv);
    host_mutex_unlock(tr->mu);
}

/* ------------------------------------------------------- job control */

void proc_job_event_locked(struct proc *p, int sig, bool cont)
{
    p->stop_report = !cont;
    p->cont_report = cont;
    if (!cont)
        p->stop_sig = sig;
    struct proc *parent = p->parent;
    if (!parent)
        return;
    host_mutex_lock(parent->mu);
    bool quiet = parent->sigactions[LX_SIGCHLD][1] & SA_NOCLDSTOP;
    host_mutex_unlock(parent->mu);
    if (!quiet)
        sig_send_child(parent, LX_SIGCHLD, p->pid, cont ? CLD_CONTINUED : CLD_STOPPED,
                       cont ? LX_SIGCONT : sig);
    proc_child_event(parent);
}

void proc_job_event(struct proc *p, int sig, bool cont)
{
    host_mutex_lock(p->tree->mu);
    proc_job_event_locked(p, sig, cont);
    host_mutex_unlock(p->tree->mu);
}

/* --------------------------------------------------------------- waits */

/* Does child c match wait4's pid argument for the caller p? */
static bool matches(const struct proc *p, const struct proc *c, int idtype, int id)
{
    switch (idtype) {
    case P_ALL: return true;
    case P_PID: return c->pid == id;
    case P_PGID: return c->pgid == (id ? id : p->pgid);
    }
    return false;
}

/*
 * The common part of wait4 and waitid: finds a matching child that has
 * ended, reaps it (unless WNOWAIT) and returns its pid with its status;
 * 0 if some match but none has ended and WNOHANG; -ECHILD if none
 * matches; or a wait's result when interrupted.
 */
/* What wait reports of child c (under the tree's lock): 0 nothing, else
 * the CLD_* code. */
static int reportable(const struct proc *c, int options)
{
    if (c->zombie)
        return (options & WEXITED) ? CLD_EXITED : 0;
    if (c->stop_report && (options & WUNTRACED))
        return CLD_STOPPED;
    if (c->cont_report && (options & WCONTINUED))
        return CLD_CONTINUED;
    return 0;
}

/*
 * The common part of wait4 and waitid: finds a matching child with
 * something to report (its end with WEXITED, a stop with WUNTRACED, a
 * continue with WCONTINUED); reaps an ended one unless WNOWAIT; returns
 * its pid with *out (pid, wstatus, exit_code, killed_by, fault_reason;
 * for a stop or continue wstatus is Linux's 0x7f | sig << 8 or 0xffff
 * and *code says which). 0 if some match but none has news and WNOHANG;
 * -ECHILD if none matches; or a wait's result when interrupted.
 */
static long wait_child(struct proc *p, int idtype, int id, int options, struct proc *out, int *code)
{
    for (;;) {
        host_mutex_lock(p->mu);
        uint64_t seen = p->child_events;
        host_mutex_unlock(p->mu);
        collect(p);
        host_mutex_lock(p->tree->mu);
        struct proc *z = NULL;
        bool any = false;
        for (struct proc *q = p->tree->all; q; q = q->tnext) {
            if (q->parent != p || (q->zombie && q->autoreap) || !matches(p, q, idtype, id))
                continue;
            any = true;
            if ((*code = reportable(q, options)) != 0) {
                z = q;
                break;
            }
        }
        bool reap = false;
        if (z) {
            /* How it ended is read only once it has: a stopped or
             * continued child is still running, and may be ending now. */
            out->pid = z->pid;
            out->exit_code = out->killed_by = out->fault_reason = 0;
            out->stop_sig = z->stop_sig;
            if (*code == CLD_STOPPED) {
                out->wstatus = 0x7f | z->stop_sig << 8;
                if (!(options & WNOWAIT))
                    z->stop_report = false;
            } else if (*code == CLD_CONTINUED) {
                out->wstatus = 0xffff;
                if (!(options & WNOWAIT))
                    z->cont_report = false;
            } else {
                out->exit_code = z->exit_code;
                out->killed_by = z->killed_by;
                out->fault_reason = z->fault_reason;
                out->wstatus = z->wstatus;
                *code = !z->killed_by ? CLD_EXITED : z->fault_reason == RV_EXIT_TRAP ? CLD_DUMPED : CLD_KILLED;
                reap = !(options & WNOWAIT);
                if (reap)
                    unlink_locked(z);
            }
        }
        host_mutex_unlock(p->tree->mu);
        if (z) {
            if (reap)
                p->free_process(z);
            return out->pid;
        }
        if (!any)
            return -LX_ECHILD;
        if (options & WNOHANG)
            return 0;
        long r = proc_wait_child(p, seen);
        if (r != 0)
            return r;
    }
}

long sys_wait4(struct proc *p, const uint64_t *a)
{
    int pid = (int)a[0], options = (int)a[2];
    if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | (int)WCLONE))
        return -LX_EINVAL;
    if (pid == INT32_MIN)
        return -LX_ESRCH;
    int idtype = pid > 0 ? P_PID : pid == -1 ? P_ALL : P_PGID;
    int id = pid < -1 ? -pid : pid > 0 ? pid : 0;
    struct proc got;
    int code;
    long r = wait_child(p, idtype, id, options | WEXITED, &got, &code);
    if (r <= 0)
        return r;
    uint8_t b[4];
    st32(b, (uint32_t)got.wstatus);
    long w = a[1] ? mem_write(p->as, a[1], b, 4) : 0;
    if (w == 0 && a[3]) {
        uint8_t ru[144];      /* struct rusage: the times and counts are not kept */
        memset(ru, 0, sizeof ru);
        w = mem_write(p->as, a[3], ru, sizeof ru);
    }
    return w < 0 ? w : r;
}

long sys_waitid(struct proc *p, const uint64_t *a)
{
    int idtype = (int)a[0], id = (int)a[1], options = (int)a[3];
    if (options & ~(WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT | WNOTHREAD | WALL | (int)WCLONE))
        return -LX_EINVAL;
    if (!(options & (WEXITED | WUNTRACED | WCONTINUED)))
        return -LX_EINVAL;
    if (idtype == P_PIDFD)
        return -LX_EINVAL;     /* no pidfds */
    if (idtype < P_ALL || idtype > P_PGID || (idtype != P_ALL && id <= 0 && idtype == P_PID))
        return -LX_EINVAL;
    struct proc got;
    int code;
    long r = wait_child(p, idtype, id, options, &got, &code);
    if (r < 0)
        return r;
    uint8_t si[128];
    memset(si, 0, sizeof si);
    if (r > 0) {
        st32(si, LX_SIGCHLD);
        st32(si + 8, (uint32_t)code);
        st32(si + 16, (uint32_t)r);
        st32(si + 20, PROC_UID);
        int status = code == CLD_STOPPED ? got.stop_sig : code == CLD_CONTINUED ? LX_SIGCONT
                   : got.killed_by ? got.killed_by : got.exit_code & 0xff;
        st32(si + 24, (uint32_t)status);
    }
    long w = a[2] ? mem_write(p->as, a[2], si, sizeof si) : 0;
    if (w == 0 && a[4]) {
        uint8_t ru[144];
        memset(ru, 0, sizeof ru);
        w = mem_write(p->as, a[4], ru, sizeof ru);
    }
    return w < 0 ? w : 0;
}

/* ------------------------------------------------------------------ ids */

long sys_getpid(struct proc *p, const uint64_t *a) { return p->pid; }

long sys_getppid(struct proc *p, const uint64_t *a)
{
    host_mutex_lock(p->tree->mu);
    int ppid = p->parent ? p->parent->pid : PROC_PPID;
    host_mutex_unlock(p->tree->mu);
    return ppid;
}

long sys_getpgid(struct proc *p, const uint64_t *a)
{
    int pid = (int)a[0];
    if (pid == 0)
        return p->pgid;
    struct proc *q = proc_tree_lock_find(p, pid);
    long r = q ? q->pgid : -LX_ESRCH;
    proc_tree_unlock(p);
    return r;
}

long sys_getsid(struct proc *p, const uint64_t *a)
{
    int pid = (int)a[0];
    if (pid == 0)
        return p->sid;
    struct proc *q = proc_tree_lock_find(p, pid);
    long r = q ? q->sid : -LX_ESRCH;
    proc_tree_unlock(p);
    return r;
}

long sys_setpgid(struct proc *p, const uint64_t *a)
{
    int pid = (int)a[0], pgid = (int)a[1];
    if (pgid < 0)
        return -LX_EINVAL;
    struct ptree *tr = p->tree;
    host_mutex_lock(tr->mu);
    struct proc *q = pid == 0 ? p : find_locked(p, pid);
    long r = 0;
    if (!q || (q != p && q->parent != p))
        r = -LX_ESRCH;
    else if (q->sid == q->pid || q->sid != p->sid)
        r = -LX_EPERM;      /* a session leader, or a child in another session */
    if (r == 0) {
        int g = pgid ? pgid : q->pid;
        bool exists = g == q->pid;
        for (struct proc *o = tr->all; o && !exists; o = o->tnext)
            exists = o->pgid == g && o->sid == p->sid && !o->zombie;
        if (!exists)
            r = -LX_EPERM;
        else
            q->pgid = g;
    }
    host_mutex_unlock(tr->mu);
    return r;
}

long sys_setsid(struct proc *p, const uint64_t *a)
{
    struct ptree *tr = p->tree;
    host_mutex_lock(tr->mu);
    bool leader = false;
    for (struct proc *o = tr->all; o && !leader; o = o->tnext)
        leader = o->pgid == p->pid;
    if (!leader)
        p->sid = p->pgid = p->pid;
    host_mutex_unlock(tr->mu);
    return leader ? -LX_EPERM : p->pid;
}

/* ----------------------------------------------------------------- kill */

long proc_kill_pid(struct proc *p, int pid, int sig)
{
    struct ptree *tr = p->tree;
    host_mutex_lock(tr->mu);
    long r = -LX_ESRCH;
    for (struct proc *q = tr->all; q; q = q->tnext) {
        bool hit = pid > 0 ? q->pid == pid
                 : pid == 0 ? q->pgid == p->pgid
                 : pid == -1 ? q != p && q != tr->all
                 : q->pgid == -pid;
        if (!hit)
            continue;
        r = 0;
        if (sig && !q->zombie && sig_send_from(q, sig, p->pid))
            proc_job_event_locked(q, LX_SIGCONT, true);
    }
    host_mutex_unlock(tr->mu);
    return r;
}

/* --------------------------------------------------------------- execve */

/* Reads the guest's NULL-ended array of strings at va into one block of
 * NUL-separated strings (*buf, grown; *used bytes) with *n strings. */
static long read_strings(struct proc *p, uint64_t va, char **buf, size_t *used, size_t *cap, int *n)
{
    *n = 0;
    if (!va)
        return 0;
    for (int i = 0;; i++) {
        uint8_t b[8];
        long r = mem_read(p->as, va + 8 * (uint64_t)i, b, 8);
        if (r < 0)
            return r;
        uint64_t s = ld64(b);
        if (!s)
            return 0;
        for (;;) {
            if (*cap - *used < 4096) {
                if (*cap >= EXEC_MAX_ARGS)
                    return -LX_E2BIG;
                char *nb = realloc(*buf, *cap * 2);
                if (!nb)
                    return -LX_ENOMEM;
                *buf = nb;
                *cap *= 2;
            }
            long k = mem_read_str(p->as, s, *buf + *used, *cap - *used);
            if (k == -LX_ENAMETOOLONG)
                continue;           /* grow and read it again */
            if (k < 0)
                return k;
            *used += (size_t)k + 1;
            break;
        }
        (*n)++;
    }
}

/* Pointers to the n strings of a block. */
static char **split(char *s, int n)
{
    char **v = calloc((size_t)n + 1, sizeof *v);
    if (!v)
        return NULL;
    for (int i = 0; i < n; i++) {
        v[i] = s;
        s += strlen(s) + 1;
    }
    return v;
}

/* The whole file at path, read through the sandbox (x permission checked). */
static long read_program(struct proc *p, const char *path, uint8_t **out, size_t *size)
{
    long r = fs_faccessat(p->fs, LX_AT_FDCWD, path, 1 /* X_OK */, 0);
    if (r < 0)
        return r;
    int fd = fs_openat(p->fs, LX_AT_FDCWD, path, LX_O_RDONLY, 0);
    if (fd < 0)
        return fd;
    struct fs_fd_info info;
    r = fs_fd_info(p->fs, fd, &info);
    if (r == 0 && info.type != LX_S_IFREG)
        r = -LX_EACCES;
    size_t cap = 1 << 16, n = 0;
    uint8_t *b = r == 0 ? malloc(cap) : NULL;
    if (r == 0 && !b)
        r = -LX_ENOMEM;
    while (r == 0) {
        if (n == cap) {
            uint8_t *nb = cap < EXEC_MAX_FILE ? realloc(b, cap * 2) : NULL;
            if (!nb) {
                r = cap < EXEC_MAX_FILE ? -LX_ENOMEM : -LX_E2BIG;
                break;
            }
            b = nb;
            cap *= 2;
        }
        long k = fs_pread(p->fs, fd, b + n, cap - n, n);
        if (k < 0)
            r = k;
        else if (k == 0)
            break;
        else
            n += (size_t)k;
    }
    fs_close(p->fs, fd);
    if (r < 0) {
        free(b);
        return r;
    }
    *out = b;
    *size = n;
    return 0;
}

/* A "#!" line: the interpreter and its one optional argument, copied to
 * line; false if the line is not usable. */
static bool shebang(const uint8_t *file, size_t size, char line[SHEBANG_MAX + 1], char **interp, char **arg)
{
    size_t n = 0;
    while (2 + n < size && n < SHEBANG_MAX && file[2 + n] != '\n')
        n++;
    if (n == SHEBANG_MAX)
        return false;
    memcpy(line, file + 2, n);
    line[n] = 0;
    char *s = line, *e = line + n;
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = 0;
    if (s == e)
        return false;
    *interp = s;
    while (s < e && *s != ' ' && *s != '\t')
        s++;
    *arg = NULL;
    if (s < e) {
        *s++ = 0;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        if (s < e)
            *arg = s;   /* the rest of the line is one argument, as Linux */
    }
    return true;
}

long sys_execve(struct proc *p, const uint64_t *a)
{
    char path[FS_PATH_MAX];
    long r = mem_read_str(p->as, a[0], path, sizeof path);
    if (r < 0)
        return r;
    if (p->cur != p->main) {
        /* Linux would make the caller the process's main thread; here the
         * main thread's host thread is the one that runs the process. */
        fprintf(stderr, "mvm: execve from a thread other than the main one is not supported (EAGAIN)\n");
        return -LX_EAGAIN;
    }
    size_t used = 0, cap = 1 << 16;
    char *strs = malloc(cap);
    if (!strs)
        return -LX_ENOMEM;
    /* Room in front for a #! interpreter's words: argv is rebuilt below. */
    int argc = 0, envc = 0;
    size_t argv_end;
    r = read_strings(p, a[1], &strs, &used, &cap, &argc);
    argv_end = used;
    if (r == 0)
        r = read_strings(p, a[2], &strs, &used, &cap, &envc);
    char **argv = NULL, **envp = NULL, **extra = NULL;
    uint8_t *file = NULL;
    size_t size = 0;
    char *prog = NULL;
    if (r == 0) {
        argv = split(strs, argc);
        envp = split(strs + argv_end, envc);
        prog = strdup(path);
        if (!argv || !envp || !prog)
            r = -LX_ENOMEM;
    }
    /* #! scripts: argv becomes [interp, arg, script, argv[1..]]. */
    int nextra = 0;
    for (int depth = 0; r == 0; depth++) {
        r = read_program(p, prog, &file, &size);
        if (r < 0)
            break;
        if (size < 2 || file[0] != '#' || file[1] != '!')
            break;
        char line[SHEBANG_MAX + 1], *interp, *arg;
        if (depth == EXEC_MAX_INTERP) {
            r = -LX_ELOOP;
        } else if (!shebang(file, size, line, &interp, &arg)) {
            r = -LX_ENOEXEC;
        } else {
            char **ne = realloc(extra, (size_t)(nextra + 3) * sizeof *ne);
            char *i = strdup(interp), *g = arg ? strdup(arg) : NULL;
            if (!ne || !i || (arg && !g)) {
                free(i);
                free(g);
                if (ne)
                    extra = ne;
                r = -LX_ENOMEM;
            } else {
                /* extra holds, innermost first: interp, [arg], script. */
                extra = ne;
                memmove(extra + (arg ? 3 : 2), extra, (size_t)nextra * sizeof *extra);
                extra[0] = i;
                if (arg)
                    extra[1] = g;
                extra[arg ? 2 : 1] = prog;
                nextra += arg ? 3 : 2;
                prog = strdup(i);
                if (!prog)
                    r = -LX_ENOMEM;
            }
        }
        free(file);
        file = NULL;
    }
    if (r == 0 && (size < 4 || memcmp(file, "\177ELF", 4) != 0))
        r = -LX_ENOEXEC;
    char **nargv = NULL;
    int nargc = 0;
    if (r == 0) {
        /* The script's own argv[0] is dropped: the interpreter's words and
         * the script's path come first. */
        int keep = nextra ? (argc > 0 ? argc - 1 : 0) : argc;
        nargc = nextra + keep;
        nargv = calloc((size_t)nargc + 1, sizeof *nargv);
        if (!nargv) {
            r = -LX_ENOMEM;
        } else {
            for (int i = 0; i < nextra; i++)
                nargv[i] = extra[i];
            for (int i = 0; i < keep; i++)
                nargv[nextra + i] = argv[i + (nextra && argc > 0 ? 1 : 0)];
        }
    }
    if (r == 0 && p->threads->next) {
        /* The other threads end first, as Linux's de_thread. */
        int lr = proc_kill_others(p, p->cur);
        r = lr == PROC_LOCK_OK ? 0 : lr == PROC_LOCK_STOP ? PROC_RESTART : -LX_EINTR;
    }
    if (r == 0)
        r = proc_exec(p, path, file, size, nargc, nargv, envc, envp);
    free(nargv);
    free(file);
    for (int i = 0; i < nextra; i++)
        if (extra[i] != prog)
            free(extra[i]);
    free(extra);
    free(prog);
    free(argv);
    free(envp);
    free(strs);
    if (r == 0) {
        p->execed = true;
        vfork_release(p);
    }
    return r;
}
