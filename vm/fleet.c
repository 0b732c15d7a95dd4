/*
 * fleet.c — many VMs sharing a pool of host threads by weight
 * (include/mvm.h, "Fleets"; docs/fleet.md).
 *
 * Proportional share, as Linux's CFS divides a CPU among cgroups by
 * cpu.weight: each VM has a virtual time, the instructions it ran scaled
 * by 100 / weight, and a free host thread always runs the ready VM whose
 * virtual time is least, for one turn: a run whose instruction budget is
 * the quantum. A VM that spins forever ends every turn as any other. A VM
 * blocked in a system call holds its thread; a ticker interrupts a run
 * that has lasted slice_ms (the blocked call gives up, to be made again
 * on its next turn), so that it gives the thread back. The VMs a guest
 * makes run inside its turns and are charged to it: shares are
 * hierarchical without more. Nothing here is more than a user of the
 * public calls (budgets, mvm_vm_run, mvm_vm_interrupt).
 *
 * Invariant: a member is READY, RUNNING or DONE; only the thread that made
 * it RUNNING touches its VM and its counts until it sets another state;
 * everything else is under f->mu.
 *
 * Control from another thread (mvm_fleet_pause, _resume, _kill, _hold):
 * flags under f->mu that pick() respects. A paused or held member is not
 * picked; a RUNNING one is interrupted so that its turn ends soon. A
 * holder waits until the member is not RUNNING, and may then read its VM
 * (statistics, the VMs its guest made) until it lets go: no worker
 * touches the VM meanwhile. Workers end when every member is DONE, not
 * when none can be picked: a paused member keeps its fleet alive.
 */
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "host/thread.h"
#include "mvm.h"

#define WEIGHT_UNIT 100         /* cgroups' default cpu.weight */
#define QUANTUM_DEFAULT 1000000
#define SLICE_MS_DEFAULT 50
#define THREADS_MAX 256
#define SIGKILL_NR 9            /* Linux's: a killed member ends as if by it */

enum { READY, RUNNING, DONE };

struct member {
    mvm_vm *vm;
    int weight;
    int64_t budget;             /* its own when added; 0 unlimited */
    int state;
    bool paused;                /* not picked until resumed */
    bool killed;                /* ends at its turn's end, as if by SIGKILL */
    int holders;                /* readers waiting for it or reading it */
    uint64_t vtime;
    uint64_t run_start_ns;      /* RUNNING: since when (the ticker's) */
    struct mvm_exit ex;
    struct mvm_fleet_stats st;
};

struct mvm_fleet {
    struct mvm_fleet_config cfg;
    struct member *m;
    int n, cap;
    uint64_t used;              /* what all its VMs ran */
    bool stopping;              /* the fleet's budget is spent */
    bool ran;
    int running;
    int live;                   /* members not DONE */
    bool ticker_quit;
    struct host_mutex *mu;
    struct host_cond *cv;
};

int mvm_fleet_new(const struct mvm_fleet_config *cfg, mvm_fleet **out)
{
    if (!out || (cfg && (cfg->threads < 0 || cfg->threads > THREADS_MAX || cfg->quantum < 0 || cfg->budget < 0)))
        return -MVM_EINVAL;
    mvm_fleet *f = calloc(1, sizeof *f);
    if (!f)
        return -MVM_ENOMEM;
    if (cfg)
        f->cfg = *cfg;
    if (!f->cfg.threads) {
        int cores = host_cpu_count();
        f->cfg.threads = cores < THREADS_MAX ? cores : THREADS_MAX;
    }
    if (!f->cfg.quantum)
        f->cfg.quantum = QUANTUM_DEFAULT;
    if (!f->cfg.slice_ms)
        f->cfg.slice_ms = SLICE_MS_DEFAULT;
    if (!(f->mu = host_mutex_new()) || !(f->cv = host_cond_new())) {
        mvm_fleet_free(f);
        return -MVM_ENOMEM;
    }
    *out = f;
    return 0;
}

void mvm_fleet_free(mvm_fleet *f)
{
    if (!f)
        return;
    host_cond_free(f->cv);
    host_mutex_free(f->mu);
    free(f->m);
    free(f);
}

int mvm_fleet_add(mvm_fleet *f, mvm_vm *vm, int weight)
{
    if (!f || !vm || weight < 1 || weight > 10000 || f->ran)
        return -MVM_EINVAL;
    int64_t left = 0;
    int r = mvm_vm_get_budget(vm, &left);
    /* A VM the monitor above runs (a fleet inside mvm) cannot be
     * interrupted from here: its turns still end, a blocked call does not. */
    if (r == 0 && (r = mvm_vm_set_interruptible(vm)) == -MVM_ENOSYS)
        r = 0;
    if (r != 0)
        return r;
    if (f->n == f->cap) {
        int cap = f->cap ? 2 * f->cap : 16;
        struct member *m = realloc(f->m, (size_t)cap * sizeof *m);
        if (!m)
            return -MVM_ENOMEM;
        f->m = m;
        f->cap = cap;
    }
    f->m[f->n] = (struct member){ .vm = vm, .weight = weight, .budget = left < 0 ? 1 : left };
    f->live++;
    return f->n++;
}

/* The ready member with the least virtual time (f->mu held), or NULL. */
static struct member *pick(mvm_fleet *f)
{
    struct member *best = NULL;
    for (int i = 0; i < f->n; i++) {
        struct member *m = &f->m[i];
        if (m->state == READY && !m->paused && !m->holders && (!best || m->vtime < best->vtime))
            best = m;
    }
    return best;
}

/* m ends (f->mu held, m not RUNNING). */
static void finish(mvm_fleet *f, struct member *m)
{
    m->state = DONE;
    f->live--;
}

static void stop_budget(mvm_fleet *f, struct member *m)
{
    m->ex = (struct mvm_exit){ .reason = MVM_EXIT_BUDGET, .status = 124 };
    finish(f, m);
}

/* A kill: the end SIGKILL gives a Linux process (what it ran is kept). */
static void stop_killed(mvm_fleet *f, struct member *m)
{
    m->ex = (struct mvm_exit){ .reason = MVM_EXIT_SIGNALED, .signal = SIGKILL_NR, .status = 128 + SIGKILL_NR,
                               .instructions = m->st.instructions };
    m->st.killed = 1;
    finish(f, m);
}

/* After a turn of m (f->mu held): its state, and the fleet's budget. */
static void account(mvm_fleet *f, struct member *m, int r, bool cut, const struct mvm_exit *ex)
{
    f->running--;
    m->st.turns++;
    m->st.instructions += ex->instructions;
    m->vtime += ex->instructions * WEIGHT_UNIT / (uint64_t)m->weight;
    f->used += ex->instructions;
    m->state = READY;
    if (r != 0) {
        m->ex = (struct mvm_exit){ .status = 123 };   /* no reason: it could not run */
        m->st.error = r;
        finish(f, m);
    } else if (ex->reason != MVM_EXIT_INTERRUPTED && !(ex->reason == MVM_EXIT_BUDGET && cut)) {
        m->ex = *ex;            /* its own end: a kill that came meanwhile was too late */
        finish(f, m);
    } else if (m->killed) {
        stop_killed(f, m);      /* its turn is over, and so is it */
    }
    if (f->cfg.budget && f->used >= (uint64_t)f->cfg.budget)
        f->stopping = true;     /* every VM stops where it is */
    if (f->stopping)
        for (int i = 0; i < f->n; i++)
            if (f->m[i].state == READY)
                stop_budget(f, &f->m[i]);
}

/* A host thread of the fleet: turns until every VM is done. */
static void worker(void *arg)
{
    mvm_fleet *f = arg;
    host_mutex_lock(f->mu);
    for (;;) {
        struct member *m = pick(f);
        if (!m) {
            if (f->live == 0)
                break;
            host_cond_wait(f->cv, f->mu);
            continue;
        }
        int64_t turn = f->cfg.quantum;
        if (f->cfg.budget && f->cfg.budget - (int64_t)f->used < turn)
            turn = f->cfg.budget - (int64_t)f->used;
        m->state = RUNNING;
        m->run_start_ns = host_time_monotonic_ns();
        f->running++;
        host_mutex_unlock(f->mu);

        /* No more than its own budget has left (overrun by its threads:
         * it ends now, its budget spent). */
        int64_t own = m->budget ? m->budget - (int64_t)m->st.instructions : INT64_MAX;
        if (own < 1)
            own = 1;
        bool cut = turn < own;
        mvm_vm_set_budget(m->vm, cut ? turn : own);
        struct mvm_exit ex;
        int r = mvm_vm_run(m->vm, &ex);
        if (r != 0)
            memset(&ex, 0, sizeof ex);

        host_mutex_lock(f->mu);
        account(f, m, r, cut, &ex);
        host_cond_broadcast(f->cv);
    }
    host_cond_broadcast(f->cv);
    host_mutex_unlock(f->mu);
}

/* Gives a blocked VM's host thread back: a run longer than slice_ms is
 * interrupted (a blocked call gives up, and is made again next turn). */
static void ticker(void *arg)
{
    mvm_fleet *f = arg;
    host_mutex_lock(f->mu);
    while (!f->ticker_quit) {
        uint64_t now = host_time_monotonic_ns();
        for (int i = 0; i < f->n; i++) {
            struct member *m = &f->m[i];
            if (m->state == RUNNING && now - m->run_start_ns > (uint64_t)f->cfg.slice_ms * 1000000u) {
                mvm_vm_interrupt(m->vm);
                m->run_start_ns = now;      /* once a slice */
            }
        }
        host_cond_wait_until(f->cv, f->mu, now + 5000000u);
    }
    host_mutex_unlock(f->mu);
}

int mvm_fleet_run(mvm_fleet *f)
{
    if (!f || f->ran)
        return -MVM_EINVAL;
    f->ran = true;
    struct host_thread *tick = host_thread_start(ticker, f);
    struct host_thread **pool = calloc((size_t)f->cfg.threads, sizeof *pool);
    int started = 0;
    for (; pool && started < f->cfg.threads; started++)
        if (!(pool[started] = host_thread_start(worker, f)))
            break;
    if (started == 0)
        worker(f);          /* no thread to spare: this one */
    for (int i = 0; i < started; i++)
        host_thread_join(pool[i]);
    free(pool);
    host_mutex_lock(f->mu);
    f->ticker_quit = true;
    host_cond_broadcast(f->cv);
    host_mutex_unlock(f->mu);
    if (tick)
        host_thread_join(tick);
    else
        f->ticker_quit = true;
    return 0;
}

/* Both under f->mu: a control thread may ask while the fleet runs. */
int mvm_fleet_result(const mvm_fleet *f, int i, struct mvm_exit *ex, struct mvm_fleet_stats *st)
{
    if (!f || i < 0 || i >= f->n)
        return -MVM_EINVAL;
    host_mutex_lock(f->mu);
    if (ex)
        *ex = f->m[i].ex;
    if (st)
        *st = f->m[i].st;
    int r = f->m[i].state == DONE ? 0 : -MVM_EBUSY;
    host_mutex_unlock(f->mu);
    return r;
}

void mvm_fleet_info(const mvm_fleet *f, struct mvm_fleet_config *cfg, uint64_t *instructions)
{
    host_mutex_lock(f->mu);
    if (cfg)
        *cfg = f->cfg;
    if (instructions)
        *instructions = f->used;
    host_mutex_unlock(f->mu);
}

/* Member i, or NULL (f->mu held or not: n is fixed once the fleet runs). */
static struct member *member_of(const mvm_fleet *f, int i)
{
    return f && i >= 0 && i < f->n ? &f->m[i] : NULL;
}

static int state_of(const struct member *m)
{
    return m->state == DONE ? MVM_FLEET_DONE : m->paused ? MVM_FLEET_PAUSED
         : m->state == RUNNING ? MVM_FLEET_RUNNING : MVM_FLEET_READY;
}

/* Until m is not RUNNING (f->mu held); its turn is cut short. */
static void wait_between(mvm_fleet *f, struct member *m)
{
    if (m->state == RUNNING)
        mvm_vm_interrupt(m->vm);    /* -MVM_ENOSYS inside mvm: the turn ends anyway */
    while (m->state == RUNNING)
        host_cond_wait(f->cv, f->mu);
}

/* Member i with f->mu taken, *r saying whether it is still to be told
 * anything: 0, or -MVM_EBUSY once it is DONE. NULL (f->mu not taken,
 * *r -MVM_EINVAL) if there is no member i. */
static struct member *lock_member(mvm_fleet *f, int i, int *r)
{
    struct member *m = member_of(f, i);
    if (!m) {
        *r = -MVM_EINVAL;
        return NULL;
    }
    host_mutex_lock(f->mu);
    *r = m->state == DONE ? -MVM_EBUSY : 0;
    return m;
}

int mvm_fleet_pause(mvm_fleet *f, int i)
{
    int r;
    struct member *m = lock_member(f, i, &r);
    if (!m)
        return r;
    if (r == 0) {
        m->paused = true;
        wait_between(f, m);
    }
    host_mutex_unlock(f->mu);
    return r;
}

/* The least virtual time of the members taking turns (f->mu held), or
 * UINT64_MAX if none does. */
static uint64_t min_vtime(const mvm_fleet *f)
{
    uint64_t v = UINT64_MAX;
    for (int i = 0; i < f->n; i++)
        if (f->m[i].state != DONE && !f->m[i].paused && f->m[i].vtime < v)
            v = f->m[i].vtime;
    return v;
}

int mvm_fleet_resume(mvm_fleet *f, int i)
{
    int r;
    struct member *m = lock_member(f, i, &r);
    if (!m)
        return r;
    /* It rejoins where the others are (as CFS places a task that wakes):
     * the time it was paused is not owed to it, else it would take the
     * others' shares until its virtual time caught up. */
    uint64_t least = min_vtime(f);
    if (m->paused && least != UINT64_MAX && m->vtime < least)
        m->vtime = least;
    m->paused = false;
    host_cond_broadcast(f->cv);     /* a worker may pick it now */
    host_mutex_unlock(f->mu);
    return r;
}

int mvm_fleet_kill(mvm_fleet *f, int i)
{
    int r;
    struct member *m = lock_member(f, i, &r);
    if (!m)
        return r;
    if (r == 0) {
        m->killed = true;
        wait_between(f, m);         /* its worker's account() ends it */
        if (m->state != DONE)
            stop_killed(f, m);
        else if (!m->st.killed)
            r = -MVM_EBUSY;         /* it ended by itself first */
        host_cond_broadcast(f->cv); /* the last one: the workers end */
    }
    host_mutex_unlock(f->mu);
    return r;
}

int mvm_fleet_hold(mvm_fleet *f, int i, struct mvm_fleet_member *info)
{
    struct member *m = member_of(f, i);
    if (!m)
        return -MVM_EINVAL;
    host_mutex_lock(f->mu);
    if (info)
        *info = (struct mvm_fleet_member){ .state = state_of(m), .weight = m->weight,
                                           .instructions = m->st.instructions, .turns = m->st.turns };
    m->holders++;                   /* from now on no worker picks it */
    wait_between(f, m);
    host_mutex_unlock(f->mu);
    return 0;
}

void mvm_fleet_release(mvm_fleet *f, int i)
{
    struct member *m = member_of(f, i);
    if (!m)
        return;
    host_mutex_lock(f->mu);
    if (m->holders > 0 && --m->holders == 0)
        host_cond_broadcast(f->cv);
    host_mutex_unlock(f->mu);
}

int mvm_fleet_stats_of(mvm_fleet *f, int i, struct mvm_stats *out, struct mvm_fleet_member *info)
{
    int r = mvm_fleet_hold(f, i, info);
    if (r != 0)
        return r;
    mvm_vm_stats(f->m[i].vm, out);
    mvm_fleet_release(f, i);
    return 0;
}

int mvm_fleet_size(const mvm_fleet *f)
{
    return f ? f->n : 0;
}
