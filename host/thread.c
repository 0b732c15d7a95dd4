/*
 * thread.c — host threads over POSIX threads (host/thread.h).
 */
#include "host/thread.h"

#include "host/host.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>

struct host_thread {
    pthread_t id;
    void (*fn)(void *);
    void *arg;
};

struct host_mutex {
    pthread_mutex_t m;
};

struct host_cond {
    pthread_cond_t c;
};

static void *trampoline(void *arg)
{
    struct host_thread *t = arg;
    t->fn(t->arg);
    return NULL;
}

struct host_thread *host_thread_start(void (*fn)(void *), void *arg)
{
    struct host_thread *t = malloc(sizeof *t);
    if (!t)
        return NULL;
    t->fn = fn;
    t->arg = arg;
    if (pthread_create(&t->id, NULL, trampoline, t) != 0) {
        free(t);
        return NULL;
    }
    return t;
}

void host_thread_join(struct host_thread *t)
{
    if (!t)
        return;
    pthread_join(t->id, NULL);
    free(t);
}

void host_thread_yield(void) { sched_yield(); }

struct host_mutex *host_mutex_new(void)
{
    struct host_mutex *m = malloc(sizeof *m);
    if (m && pthread_mutex_init(&m->m, NULL) != 0) {
        free(m);
        return NULL;
    }
    return m;
}

void host_mutex_free(struct host_mutex *m)
{
    if (!m)
        return;
    pthread_mutex_destroy(&m->m);
    free(m);
}

void host_mutex_lock(struct host_mutex *m) { pthread_mutex_lock(&m->m); }
void host_mutex_unlock(struct host_mutex *m) { pthread_mutex_unlock(&m->m); }
bool host_mutex_trylock(struct host_mutex *m) { return pthread_mutex_trylock(&m->m) == 0; }

struct host_cond *host_cond_new(void)
{
    struct host_cond *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    pthread_condattr_t a;
    if (pthread_condattr_init(&a) != 0) {
        free(c);
        return NULL;
    }
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    int r = pthread_cond_init(&c->c, &a);
    pthread_condattr_destroy(&a);
    if (r != 0) {
        free(c);
        return NULL;
    }
    return c;
}

void host_cond_free(struct host_cond *c)
{
    if (!c)
        return;
    pthread_cond_destroy(&c->c);
    free(c);
}

void host_cond_wait(struct host_cond *c, struct host_mutex *m) { pthread_cond_wait(&c->c, &m->m); }

bool host_cond_wait_until(struct host_cond *c, struct host_mutex *m, uint64_t deadline_ns)
{
    deadline_ns = host_time_monotonic_raw_ns(deadline_ns);   /* as the host's clock */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec >= deadline_ns)
        return false;
    /* Far deadlines are capped (a year): time_t may be 32 bits somewhere. */
    uint64_t cap = (uint64_t)now.tv_sec * 1000000000u + 365ull * 86400 * 1000000000u;
    uint64_t d = deadline_ns < cap ? deadline_ns : cap;
    struct timespec ts = { (time_t)(d / 1000000000u), (long)(d % 1000000000u) };
    return pthread_cond_timedwait(&c->c, &m->m, &ts) != ETIMEDOUT;
}

void host_cond_broadcast(struct host_cond *c) { pthread_cond_broadcast(&c->c); }
