/*
 * balloon_driver.c — the guest's side of a balloon (docs/balloon.md), for
 * a program running inside mvm: it asks the monitor for the balloon's
 * target and fills the balloon with memory its allocator can spare, or
 * empties it when the target falls.
 *
 * Memory comes from malloc in CHUNK pieces, page-aligned, so that the
 * allocator keeps them out of the program's way while the monitor holds
 * their pages; before taking any the driver lets the program free what
 * it can (its reclaim callback: caches it can rebuild) and trims the heap
 * (glibc's malloc_trim hands whole free pages back by themselves). A step
 * moves at most STEP_MAX, so that a balloon grows as a driver's does, a
 * little at a time, and a program is never starved at once.
 *
 * The driver's state is the program's: one lock (a C11 atomic flag, as
 * this runs in any libc) covers a poll from the program's own thread and
 * one from the driver's thread.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "host/host.h"
#include "host/thread.h"
#include "vm/vm_int.h"

#define CHUNK (64u << 10)
#define STEP_MAX (16u << 20)
#define PAGE 4096u

static struct {
    atomic_flag busy;
    void **chunk;               /* what the balloon holds */
    size_t n, cap;
    mvm_balloon_reclaim_fn reclaim;
    void *reclaim_arg;
    struct host_thread *thread; /* mvm_balloon_start's */
    struct host_mutex *mu;
    struct host_cond *cv;
    unsigned period_ms;
    bool quit;                  /* under mu */
} drv = { .busy = ATOMIC_FLAG_INIT };

static void lock(void)
{
    while (atomic_flag_test_and_set_explicit(&drv.busy, memory_order_acquire))
        host_thread_yield();
}

static void unlock(void)
{
    atomic_flag_clear_explicit(&drv.busy, memory_order_release);
}

long mvm_balloon_target(void)
{
    return parent_hc(MVM_HC_BALLOON, MVM_BALLOON_TARGET, 0, 0, 0, 0, 0);
}

int mvm_balloon_give(void *addr, size_t len)
{
    return (int)parent_hc(MVM_HC_BALLOON, MVM_BALLOON_GIVE, PTR(addr), (long)len, 0, 0, 0);
}

int mvm_balloon_take(void *addr, size_t len)
{
    return (int)parent_hc(MVM_HC_BALLOON, MVM_BALLOON_TAKE, PTR(addr), (long)len, 0, 0, 0);
}

void mvm_balloon_set_reclaim(mvm_balloon_reclaim_fn fn, void *arg)
{
    lock();
    drv.reclaim = fn;
    drv.reclaim_arg = arg;
    unlock();
}

static bool push(void *c)
{
    if (drv.n == drv.cap) {
        size_t cap = drv.cap ? drv.cap * 2 : 64;
        void **v = realloc(drv.chunk, cap * sizeof *v);
        if (!v)
            return false;
        drv.chunk = v;
        drv.cap = cap;
    }
    drv.chunk[drv.n++] = c;
    return true;
}

/* Fills the balloon by up to want bytes. */
static void inflate(size_t want)
{
    if (drv.reclaim)
        drv.reclaim(want, drv.reclaim_arg);
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
    for (; want >= CHUNK; want -= CHUNK) {
        void *c = aligned_alloc(PAGE, CHUNK);
        if (!c)
            return;
        if (!push(c)) {
            free(c);
            return;
        }
        if (mvm_balloon_give(c, CHUNK) != 0) {
            free(drv.chunk[--drv.n]);
            return;
        }
    }
}

/* Empties it down to keep bytes. */
static void deflate(size_t keep)
{
    while (drv.n && (drv.n - 1) * (size_t)CHUNK >= keep) {
        void *c = drv.chunk[--drv.n];
        mvm_balloon_take(c, CHUNK);
        free(c);
    }
}

long mvm_balloon_poll(void)
{
    long t = mvm_balloon_target();
    if (t < 0)
        return t;
    lock();
    size_t held = drv.n * (size_t)CHUNK, target = (size_t)t;
    if (target >= held + CHUNK)
        inflate(target - held < STEP_MAX ? target - held : STEP_MAX);
    else if (target + CHUNK <= held)
        deflate(held - target > STEP_MAX ? held - STEP_MAX : target);
    long r = (long)(drv.n * (size_t)CHUNK);
    unlock();
    return r;
}

static void driver_main(void *arg)
{
    (void)arg;
    host_mutex_lock(drv.mu);
    while (!drv.quit) {
        host_mutex_unlock(drv.mu);
        mvm_balloon_poll();
        host_mutex_lock(drv.mu);
        uint64_t until = host_time_monotonic_ns() + (uint64_t)drv.period_ms * 1000000u;
        while (!drv.quit && host_cond_wait_until(drv.cv, drv.mu, until))
            ;
    }
    host_mutex_unlock(drv.mu);
}

int mvm_balloon_start(unsigned period_ms)
{
    long t = mvm_balloon_target();
    if (t < 0)
        return (int)t;          /* not inside mvm: nothing to drive */
    if (drv.thread || !period_ms)
        return -MVM_EINVAL;
    drv.period_ms = period_ms;
    drv.quit = false;
    if ((!drv.mu && !(drv.mu = host_mutex_new())) || (!drv.cv && !(drv.cv = host_cond_new())) ||
        !(drv.thread = host_thread_start(driver_main, NULL)))
        return -MVM_ENOMEM;
    return 0;
}

void mvm_balloon_stop(void)
{
    if (drv.thread) {
        host_mutex_lock(drv.mu);
        drv.quit = true;
        host_cond_broadcast(drv.cv);
        host_mutex_unlock(drv.mu);
        host_thread_join(drv.thread);
        drv.thread = NULL;
    }
    lock();
    deflate(0);
    free(drv.chunk);
    drv.chunk = NULL;
    drv.cap = 0;
    unlock();
}
