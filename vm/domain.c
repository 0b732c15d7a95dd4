/*
 * domain.c — memory domains (include/mvm.h, "Domains"; docs/fleet.md):
 * VMs whose memory is counted together under one limit and, if asked,
 * whose equal pages are shared copy-on-write by a background scan, and
 * whose balloons are inflated when they near the limit.
 *
 * A domain is a pool of the page pool's tree (mem/pool.c): its VMs' pools
 * are its children, so what they hold is charged to it, and a child
 * domain's to its parent too (a fleet's host budget above the sharing
 * domains of its tenants). Sharing is mem/merge.c's; here is only its
 * pacing: a thread that scans scan_rate pages a second, in steps of 50 ms
 * (10 ms with a balloon policy).
 *
 * Ballooning (docs/balloon.md) is a policy of the same thread, as VMware
 * ESX's: above HIGH_PCT of the limit it asks the balloons of the domain's
 * VMs (and of its child domains' that have no balloon policy of their
 * own) for what would bring the domain down to GOAL_PCT, each in
 * proportion to what it holds, less what they were asked for and have not
 * yet given; below LOW_PCT it gives back what would bring it up to
 * GOAL_PCT, in proportion to what they hold in their balloons. Only VMs
 * whose guest asked for its target lately (a balloon driver runs) are
 * asked. Balloons reclaim what guests can spare; a guest that has nothing
 * to spare is not made to (that is swapping's work).
 *
 * Swapping (mem/swap.c) is its last resort: above SWAP_HIGH_PCT of the
 * limit the thread writes cold pages of its VMs out to its swap file until
 * they hold SWAP_GOAL_PCT, first in VMs between runs, then waiting for
 * running ones, and gives the freed memory back to the host.
 *
 * Invariants: a domain outlives its VMs and its child domains. The lists
 * (a domain's VMs, its child domains) are under the tree's lock, which the
 * root domain makes and its descendants share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/file.h"
#include "host/host.h"
#include "host/thread.h"
#include "mem/mem.h"
#include "vm/vm_int.h"

#define STEP_NS 50000000u       /* the domain thread's step: 20 wake-ups a second */
#define BALLOON_STEP_NS 10000000u   /* with a balloon policy: 100 (guests fill fast) */
#define HIGH_PCT 80             /* above this share of the limit balloons inflate */
#define GOAL_PCT 70             /* ... to bring it down to this */
#define LOW_PCT 60              /* below this they deflate, up to GOAL_PCT */
#define DRIVER_NS 2000000000u   /* a guest that asked within this has a driver */
#define SWAP_HIGH_PCT 90        /* above this cold pages go to the swap file */
#define SWAP_GOAL_PCT 80        /* ... until this is reached */

struct mvm_domain {
    struct mvm_domain_config cfg;
    struct mem_pool *pool;
    struct host_thread *worker;
    struct host_mutex *mu;
    struct host_cond *cv;
    bool quit;                  /* under mu */
    struct host_mutex *tree_mu; /* the root's: the lists below */
    mvm_vm *vms;                /* its VMs (domain_next) */
    mvm_domain *children, *sibling;
    uint64_t inflations, deflations;   /* the policy's decisions (its thread) */
    uint64_t held_peak;         /* pages: the most its balloons held together */
};

/* ---- the balloon policy ------------------------------------------------- */

struct member_view {
    mvm_vm *vm;
    uint64_t weight;            /* pages it holds, or in its balloon */
    uint64_t target, held;      /* pages */
};

/* The VMs d's policy steers: its own, and those of child domains with
 * no policy of their own. Up to max of them, with a driver running. */
static size_t members(mvm_domain *d, uint64_t now, struct member_view *out, size_t n, size_t max)
{
    for (mvm_vm *vm = d->vms; vm && n < max; vm = vm->domain_next) {
        if (now - atomic_load(&vm->balloon_seen_ns) > DRIVER_NS)
            continue;
        struct mem_stats ms;
        mem_pool_stats(vm->p->pool, &ms);
        out[n++] = (struct member_view){ vm, ms.pages_in_use, atomic_load(&vm->balloon_target) / MEM_PAGE_SIZE,
                                         atomic_load(&vm->balloon_held) / MEM_PAGE_SIZE };
    }
    for (mvm_domain *c = d->children; c && n < max; c = c->sibling)
        if (!(c->cfg.flags & MVM_DOMAIN_BALLOON))
            n = members(c, now, out, n, max);
    return n;
}

static void set_target(struct member_view *m, uint64_t pages)
{
    m->target = pages;
    atomic_store(&m->vm->balloon_target, pages * MEM_PAGE_SIZE);
}

#define MEMBERS_MAX 4096

static void balloon_step(mvm_domain *d, struct member_view *mv)
{
    struct mem_stats ms;
    mem_pool_stats(d->pool, &ms);
    uint64_t limit = d->cfg.mem_limit / MEM_PAGE_SIZE, used = ms.pages_in_use;
    uint64_t goal = limit * GOAL_PCT / 100;
    host_mutex_lock(d->tree_mu);
    size_t n = members(d, host_time_monotonic_ns(), mv, 0, MEMBERS_MAX);
    uint64_t owed = 0, sum_weight = 0, sum_target = 0, sum_held = 0;
    for (size_t i = 0; i < n; i++) {
        owed += mv[i].target > mv[i].held ? mv[i].target - mv[i].held : 0;
        sum_weight += mv[i].weight;
        sum_target += mv[i].target;
        sum_held += mv[i].held;
    }
    if (sum_held > d->held_peak)
        d->held_peak = sum_held;
    if (used > limit * HIGH_PCT / 100 && used - goal > owed && sum_weight) {
        uint64_t need = used - goal - owed;
        for (size_t i = 0; i < n; i++)
            set_target(&mv[i], mv[i].target + (need * mv[i].weight + sum_weight - 1) / sum_weight);
        d->inflations++;
    } else if (used < limit * LOW_PCT / 100 && sum_target) {
        uint64_t spare = goal - used;
        for (size_t i = 0; i < n; i++) {
            uint64_t back = spare >= sum_target ? mv[i].target : spare * mv[i].target / sum_target;
            if (back)
                set_target(&mv[i], mv[i].target - back);
        }
        d->deflations++;
    }
    host_mutex_unlock(d->tree_mu);
}

/* ---- swapping ----------------------------------------------------------- */

static void swap_step(mvm_domain *d)
{
    struct mem_stats ms;
    mem_pool_stats(d->pool, &ms);
    uint64_t limit = d->cfg.mem_limit / MEM_PAGE_SIZE, used = ms.pages_in_use;
    if (used <= limit * SWAP_HIGH_PCT / 100)
        return;
    uint64_t want = used - limit * SWAP_GOAL_PCT / 100;
    long out = mem_pool_swap_out(d->pool, want, false);
    if (out >= 0 && (uint64_t)out < want)
        out += mem_pool_swap_out(d->pool, want - (uint64_t)out, true);
    /* Back to the host in batches of 16 MiB: each madvise is a TLB
     * shootdown of the whole process, and under thrashing the pages
     * freed now are taken again at once (twice the throughput so). */
    if (out > 0)
        mem_pool_trim(d->pool, 4096);
}

/* Makes the domain's swap file in dir, unlinked at once. */
static int swap_open(mvm_domain *d)
{
    size_t len = strlen(d->cfg.swap_dir) + 32;
    char *base = malloc(len), *tmp = malloc(len + 16);
    int fd = -MVM_ENOMEM;
    if (base && tmp) {
        snprintf(base, len, "%s/mvm-swap", d->cfg.swap_dir);
        fd = host_file_create_temp(base, tmp, len + 16);
        if (fd >= 0)
            host_file_unlink(tmp);
    }
    free(base);
    free(tmp);
    if (fd < 0)
        return fd;
    int r = mem_pool_swap(d->pool, fd, d->cfg.swap_max);
    if (r != 0)
        host_file_close(fd);
    return r;
}

/* ---- the domain's thread ------------------------------------------------ */

static void domain_main(void *arg)
{
    mvm_domain *d = arg;
    struct member_view *mv = NULL;
    uint64_t step = STEP_NS;
    if (d->cfg.flags & MVM_DOMAIN_BALLOON) {
        mv = malloc(MEMBERS_MAX * sizeof *mv);
        step = BALLOON_STEP_NS;
    }
    uint64_t per_step = (uint64_t)d->cfg.scan_rate * step / 1000000000u;
    if (!per_step)
        per_step = 1;
    host_mutex_lock(d->mu);
    uint64_t next = host_time_monotonic_ns();
    while (!d->quit) {
        next += step;
        host_mutex_unlock(d->mu);
        if (d->cfg.scan_rate)
            mem_pool_scan(d->pool, per_step);
        if (mv)
            balloon_step(d, mv);
        if (d->cfg.swap_dir)
            swap_step(d);
        host_mutex_lock(d->mu);
        uint64_t now = host_time_monotonic_ns();
        if (next < now)
            next = now;         /* behind: do not try to catch up */
        while (!d->quit && host_cond_wait_until(d->cv, d->mu, next))
            ;
    }
    host_mutex_unlock(d->mu);
    free(mv);
}

int mvm_domain_new(const struct mvm_domain_config *cfg, mvm_domain **out)
{
    static const struct mvm_domain_config dflt;
    if (!cfg)
        cfg = &dflt;
    if (!out || (cfg->flags & ~(unsigned)(MVM_DOMAIN_SHARE | MVM_DOMAIN_BALLOON)) ||
        (cfg->mem_limit && cfg->mem_limit < MVM_MEM_MIN) ||
        (cfg->scan_rate && !(cfg->flags & MVM_DOMAIN_SHARE)) ||
        ((cfg->flags & MVM_DOMAIN_BALLOON) && !cfg->mem_limit) || (cfg->swap_dir && !cfg->mem_limit))
        return -MVM_EINVAL;
    mvm_domain *d = calloc(1, sizeof *d);
    if (!d)
        return -MVM_ENOMEM;
    d->cfg = *cfg;
    d->pool = mem_pool_new_child(cfg->parent ? cfg->parent->pool : NULL, cfg->mem_limit);
    int r = d->pool ? 0 : -MVM_ENOMEM;
    if (r == 0 && (cfg->flags & MVM_DOMAIN_SHARE))
        r = mem_pool_share(d->pool, 64);     /* MEM_* are negated errno values */
    if (cfg->parent)
        d->tree_mu = cfg->parent->tree_mu;
    else if (r == 0 && !(d->tree_mu = host_mutex_new()))
        r = -MVM_ENOMEM;
    if (r == 0 && cfg->swap_dir)
        r = swap_open(d);
    d->cfg.swap_dir = NULL;     /* the caller's string: only whether there is one */
    if (r == 0 && cfg->swap_dir)
        d->cfg.swap_dir = "";
    if (r == 0 && (cfg->scan_rate || (cfg->flags & MVM_DOMAIN_BALLOON) || cfg->swap_dir)) {
        d->mu = host_mutex_new();
        d->cv = host_cond_new();
        if (!d->mu || !d->cv || !(d->worker = host_thread_start(domain_main, d)))
            r = -MVM_ENOMEM;
    }
    if (r != 0) {
        mvm_domain_free(d);
        return r;
    }
    if (cfg->parent) {
        host_mutex_lock(d->tree_mu);
        d->sibling = cfg->parent->children;
        cfg->parent->children = d;
        host_mutex_unlock(d->tree_mu);
    }
    *out = d;
    return 0;
}

void mvm_domain_free(mvm_domain *d)
{
    if (!d)
        return;
    if (d->worker) {
        host_mutex_lock(d->mu);
        d->quit = true;
        host_cond_broadcast(d->cv);
        host_mutex_unlock(d->mu);
        host_thread_join(d->worker);
    }
    if (d->cfg.parent) {        /* (a no-op if it never joined) */
        host_mutex_lock(d->tree_mu);
        mvm_domain **pp = &d->cfg.parent->children;
        while (*pp && *pp != d)
            pp = &(*pp)->sibling;
        if (*pp)
            *pp = d->sibling;
        host_mutex_unlock(d->tree_mu);
    } else {
        host_mutex_free(d->tree_mu);
    }
    host_cond_free(d->cv);
    host_mutex_free(d->mu);
    mem_pool_free(d->pool);
    free(d);
}

void vm_domain_join(mvm_domain *d, mvm_vm *vm)
{
    host_mutex_lock(d->tree_mu);
    vm->domain = d;
    vm->domain_next = d->vms;
    d->vms = vm;
    host_mutex_unlock(d->tree_mu);
}

void vm_domain_leave(mvm_vm *vm)
{
    mvm_domain *d = vm->domain;
    if (!d)
        return;
    host_mutex_lock(d->tree_mu);
    mvm_vm **pp = &d->vms;
    while (*pp && *pp != vm)
        pp = &(*pp)->domain_next;
    if (*pp)
        *pp = vm->domain_next;
    vm->domain = NULL;
    host_mutex_unlock(d->tree_mu);
}

/* What the balloons of d's VMs (and of its child domains') are asked
 * for and hold, in bytes; under the tree's lock. */
static void balloon_sums(const mvm_domain *d, uint64_t *target, uint64_t *held)
{
    for (const mvm_vm *vm = d->vms; vm; vm = vm->domain_next) {
        *target += atomic_load(&vm->balloon_target);
        *held += atomic_load(&vm->balloon_held);
    }
    for (const mvm_domain *c = d->children; c; c = c->sibling)
        balloon_sums(c, target, held);
}

long mvm_domain_scan(mvm_domain *d, uint64_t pages)
{
    if (!d || !(d->cfg.flags & MVM_DOMAIN_SHARE))
        return -MVM_EINVAL;
    return mem_pool_scan(d->pool, pages);
}

int mvm_domain_stats(const mvm_domain *d, struct mvm_domain_stats *out)
{
    if (!d || !out)
        return -MVM_EINVAL;
    struct mem_stats ms;
    mem_pool_stats(d->pool, &ms);
    *out = (struct mvm_domain_stats){
        .resident_bytes = ms.pages_in_use * MEM_PAGE_SIZE,
        .peak_bytes = ms.pages_peak * MEM_PAGE_SIZE,
    };
    struct mem_merge_stats st;
    if (mem_pool_share_stats(d->pool, &st) == 0) {
        out->scanned_pages = st.scanned;
        out->merged_pages = st.merged;
        out->zero_pages = st.zeroed;
        out->stable_pages = st.stable;
        out->passes = st.passes;
    }
    host_mutex_lock(d->tree_mu);
    balloon_sums(d, &out->balloon_target_bytes, &out->ballooned_bytes);
    out->inflations = d->inflations;    /* balloon_step counts under the same lock */
    out->deflations = d->deflations;
    out->ballooned_peak_bytes = d->held_peak * MEM_PAGE_SIZE;
    struct mem_swap_stats sw;
    if (mem_pool_swap_stats(d->pool, &sw) == 0) {
        out->swapped_bytes = sw.slots_used * MEM_PAGE_SIZE;
        out->swap_peak_bytes = sw.slots_peak * MEM_PAGE_SIZE;
        out->swapped_out = sw.swapped_out;
        out->swapped_in = sw.swapped_in;
        out->swap_corrupt = sw.corrupt;
    }
    host_mutex_unlock(d->tree_mu);
    return 0;
}

struct mem_pool *vm_domain_pool(const mvm_domain *d)
{
    return d ? d->pool : NULL;
}
