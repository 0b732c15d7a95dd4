/*
 * thread.h — host threads, mutexes and condition variables: thin wrappers
 * over POSIX threads, so that the rest of the monitor reaches the host OS
 * only through host/. Objects are opaque and heap-allocated; every
 * function is safe to call from any host thread. Condition variables time
 * out on the monotonic clock (host_time_monotonic_ns).
 */
#ifndef MVM_HOST_THREAD_H
#define MVM_HOST_THREAD_H

#include <stdbool.h>
#include <stdint.h>

struct host_thread;
struct host_mutex;
struct host_cond;

/* Starts fn(arg) on a new host thread; NULL if the host refuses. */
struct host_thread *host_thread_start(void (*fn)(void *), void *arg);
/* Waits for the thread to end and frees it. */
void host_thread_join(struct host_thread *t);

/* Lets another host thread run (sched_yield). */
void host_thread_yield(void);

struct host_mutex *host_mutex_new(void);     /* NULL on ENOMEM */
void host_mutex_free(struct host_mutex *m);
void host_mutex_lock(struct host_mutex *m);
void host_mutex_unlock(struct host_mutex *m);
bool host_mutex_trylock(struct host_mutex *m);   /* true: it is ours now */

struct host_cond *host_cond_new(void);       /* NULL on ENOMEM */
void host_cond_free(struct host_cond *c);
void host_cond_wait(struct host_cond *c, struct host_mutex *m);
/* Waits until signalled or the monotonic clock reaches deadline_ns:
   false if the deadline passed. Spurious wake-ups happen: re-check. */
bool host_cond_wait_until(struct host_cond *c, struct host_mutex *m, uint64_t deadline_ns);
void host_cond_broadcast(struct host_cond *c);

#endif
