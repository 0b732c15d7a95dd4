/*
 * domain.c — memory domains (include/mvm.h, "Domains"; docs/fleet.md):
 * VMs whose memory is counted together under one limit and, if asked,
 * whose equal pages are shared copy-on-write by a background scan.
 *
 * A domain is a pool of the page pool's tree (mem/pool.c): its VMs' pools
 * are its children, so what they hold is charged to it, and a child
 * domain's to its parent too (a fleet's host budget above the sharing
 * domains of its tenants). Sharing is mem/merge.c's; here is only its
 * pacing: a thread that scans scan_rate pages a second, in steps of 50 ms.
 *
 * Invariant: a domain outlives its VMs and its child domains.
 */
#include <stdlib.h>

#include "host/host.h"
#include "host/thread.h"
#include "mem/mem.h"
#include "vm/vm_int.h"

#define STEP_NS 50000000u       /* the scan thread's step: 20 wake-ups a second */

struct mvm_domain {
    struct mvm_domain_config cfg;
    struct mem_pool *pool;
    struct host_thread *scanner;
    struct host_mutex *mu;
    struct host_cond *cv;
    bool quit;                  /* under mu */
};

static void scan_main(void *arg)
{
    mvm_domain *d = arg;
    uint64_t per_step = (uint64_t)d->cfg.scan_rate * STEP_NS / 1000000000u;
    if (!per_step)
        per_step = 1;
    host_mutex_lock(d->mu);
    uint64_t next = host_time_monotonic_ns();
    while (!d->quit) {
        next += STEP_NS;
        host_mutex_unlock(d->mu);
        mem_pool_scan(d->pool, per_step);
        host_mutex_lock(d->mu);
        uint64_t now = host_time_monotonic_ns();
        if (next < now)
            next = now;         /* behind: do not try to catch up */
        while (!d->quit && host_cond_wait_until(d->cv, d->mu, next))
            ;
    }
    host_mutex_unlock(d->mu);
}

int mvm_domain_new(const struct mvm_domain_config *cfg, mvm_domain **out)
{
    static const struct mvm_domain_config dflt;
    if (!cfg)
        cfg = &dflt;
    if (!out || (cfg->flags & ~(unsigned)MVM_DOMAIN_SHARE) ||
        (cfg->mem_limit && cfg->mem_limit < MVM_MEM_MIN) ||
        (cfg->scan_rate && !(cfg->flags & MVM_DOMAIN_SHARE)))
        return -MVM_EINVAL;
    mvm_domain *d = calloc(1, sizeof *d);
    if (!d)
        return -MVM_ENOMEM;
    d->cfg = *cfg;
    d->pool = mem_pool_new_child(cfg->parent ? cfg->parent->pool : NULL, cfg->mem_limit);
    int r = d->pool ? 0 : -MVM_ENOMEM;
    if (r == 0 && (cfg->flags & MVM_DOMAIN_SHARE))
        r = mem_pool_share(d->pool, 64);     /* MEM_* are negated errno values */
    if (r == 0 && cfg->scan_rate) {
        d->mu = host_mutex_new();
        d->cv = host_cond_new();
        if (!d->mu || !d->cv || !(d->scanner = host_thread_start(scan_main, d)))
            r = -MVM_ENOMEM;
    }
    if (r != 0) {
        mvm_domain_free(d);
        return r;
    }
    *out = d;
    return 0;
}

void mvm_domain_free(mvm_domain *d)
{
    if (!d)
        return;
    if (d->scanner) {
        host_mutex_lock(d->mu);
        d->quit = true;
        host_cond_broadcast(d->cv);
        host_mutex_unlock(d->mu);
        host_thread_join(d->scanner);
    }
    host_cond_free(d->cv);
    host_mutex_free(d->mu);
    mem_pool_free(d->pool);
    free(d);
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
    return 0;
}

struct mem_pool *vm_domain_pool(const mvm_domain *d)
{
    return d ? d->pool : NULL;
}
