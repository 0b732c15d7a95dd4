/*
 * members.c — the list of spaces that a sharing scan (merge.c) or a swap
 * file (swap.c) walks. Both keep it the same way: a space joins when it
 * is made, below the pool that has the scan or the file, and leaves when
 * it is freed; each keeps its own per-space state after the space in the
 * entry, and says itself when a leaving space may go (the scan frees it
 * from the list first and then waits, the clock waits first).
 *
 * The list grows by doubling and never shrinks: it is as long as the
 * most spaces a domain had at once. A space that cannot join (no room)
 * is only never scanned or swapped: both are optimisations.
 */
#include "mem/mem.h"
#include "mem/mem_int.h"

#include <stdlib.h>
#include <string.h>

#include "host/thread.h"

int mem_members_init(struct mem_members *l, size_t size)
{
    *l = (struct mem_members){ .size = size };
    l->lock = host_mutex_new();
    l->cv = host_cond_new();
    if (!l->lock || !l->cv) {
        mem_members_fini(l);
        return MEM_ENOMEM;
    }
    return 0;
}

void mem_members_fini(struct mem_members *l)
{
    free(l->v);
    host_mutex_free(l->lock);
    host_cond_free(l->cv);
    *l = (struct mem_members){ 0 };
}

bool mem_members_add(struct mem_members *l, struct mem_space *as)
{
    host_mutex_lock(l->lock);
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        void *v = realloc(l->v, cap * l->size);
        if (!v) {
            host_mutex_unlock(l->lock);
            return false;
        }
        l->v = v;
        l->cap = cap;
    }
    void *e = mem_members_at(l, l->n++);
    memset(e, 0, l->size);
    *(struct mem_space **)e = as;       /* an entry's first member */
    host_mutex_unlock(l->lock);
    return true;
}

void *mem_members_find(const struct mem_members *l, const struct mem_space *as)
{
    for (size_t i = 0; i < l->n; i++) {
        void *e = mem_members_at(l, i);
        if (*(struct mem_space **)e == as)
            return e;
    }
    return NULL;
}

void mem_members_remove(struct mem_members *l, const struct mem_space *as)
{
    void *e = mem_members_find(l, as);
    if (e)
        memmove(e, mem_members_at(l, --l->n), l->size);    /* (e may be the last) */
}
