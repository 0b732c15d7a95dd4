/*
 * lazy.c — a lazy restore's pager (mem/mem.h, struct mem_pager): the PAGES
 * sections of a snapshot file stay in the file until one of their pages is
 * touched; then that whole section (at most 1 MiB of pages) is read,
 * checked against its checksum, decompressed and given to the space.
 *
 * The PAGE_INDEX section, written after the PAGES sections, says which
 * pages each holds (runs of consecutive pages). It is read, like every
 * section but PAGES, before the VM runs; the PAGES sections themselves are
 * skipped by the reader (snap_reader_defer), which still checks their
 * headers, lengths and the chain of checks past them. A section whose
 * bytes no longer match its check when loaded (the file was changed or
 * damaged after the restore began) stops the VM: its memory is not whole
 * (mem_space_lost says why, and the run ends with MVM_EXIT_LOST).
 *
 * From snap_lazy_attach on the pager holds the reader (snap_reader_hold)
 * and closes it when the space lets it go: when its last lazy page is
 * loaded or unmapped, or with the space. Every call comes with the space's lock held, so the
 * reader (its buffers, its decompression context) has one user at a time.
 */
#include "snap/snap_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem/mem.h"
#include "snap/format.h"

struct lazy_run {
    uint64_t va, pages;
    uint32_t section;
};

struct lazy_key {
    uint64_t va;
    uint32_t run;
};

struct snap_lazy {
    struct mem_pager pager;         /* first: the space sees this */
    struct snap_reader *rd;         /* owned once attached */
    struct snap_ref *sec;           /* the deferred PAGES sections, in file order */
    uint32_t nsec, cap;
    struct lazy_run *runs;          /* in index order: each section's runs together */
    uint32_t *first;                /* per section, its first run (nsec + 1 entries) */
    struct lazy_key *byva;          /* the runs sorted by address */
    size_t nruns;
};

struct snap_lazy *snap_lazy_new(struct snap_reader *rd)
{
    struct snap_lazy *l = calloc(1, sizeof *l);
    if (l)
        l->rd = rd;
    return l;
}

void snap_lazy_free(struct snap_lazy *l)
{
    if (!l)
        return;
    free(l->sec);
    free(l->runs);
    free(l->first);
    free(l->byva);
    free(l);
}

int snap_lazy_add(struct snap_lazy *l)
{
    if (l->nsec == l->cap) {
        uint32_t cap = l->cap ? 2 * l->cap : 64;
        struct snap_ref *n = realloc(l->sec, cap * sizeof *n);
        if (!n)
            return -1;
        l->sec = n;
        l->cap = cap;
    }
    snap_reader_ref(l->rd, &l->sec[l->nsec++]);
    return 0;
}

uint32_t snap_lazy_pending(const struct snap_lazy *l) { return l->nsec; }
void snap_lazy_forget(struct snap_lazy *l) { l->nsec = 0; }

int snap_lazy_load(struct snap_lazy *l, uint32_t i, struct snap_cur *c)
{
    int r = snap_reader_load(l->rd, &l->sec[i], c);
    return r == 1 ? 0 : r;
}

static int by_va(const void *a, const void *b)
{
    uint64_t x = ((const struct lazy_key *)a)->va, y = ((const struct lazy_key *)b)->va;
    return x < y ? -1 : x > y;
}

/* The largest number of pages a PAGES section can hold. */
#define SECTION_PAGES (SNAP_SECTION_MAX / (8 + MEM_PAGE_SIZE))

int snap_lazy_index(struct snap_lazy *l, struct snap_cur *c, uint64_t max_pages)
{
    uint32_t nsec = snap_get_u32(c);
    if (c->bad || nsec != l->nsec || l->runs || !nsec)
        return -1;
    size_t cap = 0;
    uint64_t total = 0;
    if (!(l->first = calloc((size_t)nsec + 1, sizeof *l->first)))
        return -2;
    for (uint32_t k = 0; k < nsec; k++) {
        uint32_t n = snap_get_u32(c);
        uint64_t pages = 0;
        if (c->bad || n == 0 || n > SECTION_PAGES)
            return -1;
        l->first[k] = (uint32_t)l->nruns;
        for (uint32_t j = 0; j < n; j++) {
            uint64_t va = snap_get_u64(c), np = snap_get_u32(c);
            if (c->bad || (va & (MEM_PAGE_SIZE - 1)) || np == 0 || va >> MEM_VA_BITS ||
                np > ((1ull << MEM_VA_BITS) - va) / MEM_PAGE_SIZE || (pages += np) > SECTION_PAGES)
                return -1;
            if (l->nruns == cap) {
                cap = cap ? 2 * cap : 256;
                struct lazy_run *g = realloc(l->runs, cap * sizeof *g);
                if (!g)
                    return -2;
                l->runs = g;
            }
            l->runs[l->nruns++] = (struct lazy_run){ va, np, k };
        }
        /* No more pages than the VM may hold: a hostile index cannot make
         * the restore walk more than its memory. */
        if ((total += pages) > max_pages)
            return -1;
    }
    l->first[nsec] = (uint32_t)l->nruns;
    if (!snap_cur_end(c))
        return -1;
    if (!(l->byva = malloc(l->nruns * sizeof *l->byva)))
        return -2;
    for (size_t i = 0; i < l->nruns; i++)
        l->byva[i] = (struct lazy_key){ l->runs[i].va, (uint32_t)i };
    qsort(l->byva, l->nruns, sizeof *l->byva, by_va);
    return 0;
}

/* The run holding va, or NULL. */
static const struct lazy_run *find_run(const struct snap_lazy *l, uint64_t va)
{
    size_t lo = 0, hi = l->nruns;
    while (lo < hi) {       /* the first run starting above va */
        size_t mid = lo + (hi - lo) / 2;
        if (l->byva[mid].va <= va)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const struct lazy_run *r = &l->runs[l->byva[lo - 1].run];
    return va - r->va < r->pages * MEM_PAGE_SIZE ? r : NULL;
}

static int lazy_fill(struct mem_pager *pg, struct mem_space *as, uint64_t va, char *why, size_t whylen)
{
    struct snap_lazy *l = (struct snap_lazy *)pg;
    const struct lazy_run *run = find_run(l, va);
    if (!run)
        return 0;           /* not in the index: it reads as zero */
    uint32_t k = run->section;
    struct snap_cur c;
    int r = snap_lazy_load(l, k, &c);
    if (r == SNAP_ENOMEM)
        return MEM_ENOMEM;
    if (r != 0) {
        snprintf(why, whylen, "%s", snap_reader_error(l->rd));
        return MEM_EIO;
    }
    uint32_t n = snap_get_u32(&c);
    for (uint32_t i = 0; i < n && !c.bad; i++) {
        uint64_t pva = snap_get_u64(&c);
        const uint8_t *bytes = snap_get_bytes(&c, MEM_PAGE_SIZE);
        if (bytes && (r = mem_pager_put(as, pva, bytes)) != 0)
            return r;
    }
    if (!snap_cur_end(&c)) {
        snprintf(why, whylen, "snapshot section %llu is malformed (pages)",
                 (unsigned long long)l->sec[k].n);
        return MEM_EIO;
    }
    /* What the index promised and the section did not hold reads as zero. */
    for (uint32_t j = l->first[k]; j < l->first[k + 1]; j++)
        for (uint64_t i = 0; i < l->runs[j].pages; i++)
            mem_pager_put(as, l->runs[j].va + i * MEM_PAGE_SIZE, NULL);
    return 0;
}

static void lazy_release(struct mem_pager *pg)
{
    struct snap_lazy *l = (struct snap_lazy *)pg;
    snap_reader_close(l->rd);
    snap_lazy_free(l);
}

int snap_lazy_attach(struct snap_lazy *l, struct mem_space *as)
{
    l->pager.fill = lazy_fill;
    l->pager.release = lazy_release;
    if (mem_space_set_pager(as, &l->pager) != 0)
        return -1;
    /* From here the space owns l, and holds the reader too. */
    snap_reader_hold(l->rd);
    for (size_t i = 0; i < l->nruns; i++)
        mem_set_lazy(as, l->runs[i].va, l->runs[i].pages * MEM_PAGE_SIZE);
    return 0;
}
