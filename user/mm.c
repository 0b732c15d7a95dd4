/*
 * mm.c — the memory-management system calls of process mode: brk, mmap,
 * munmap, mprotect, mremap, madvise, with Linux's argument rules.
 *
 * mem/ holds pages and permissions; this file keeps the list of mapped
 * ranges (areas) that placement needs: a sorted array of disjoint
 * [start, end) ranges, merged when adjacent. New mappings without a usable
 * hint go top-down below PROC_MMAP_TOP into the highest gap that fits.
 */
#include "user/proc.h"

#include <stdlib.h>
#include <string.h>

#include "user/fs.h"
#include "user/lx.h"

struct mm_area {
    uint64_t start, end;
};

struct mm_areas {
    struct mm_area *a;
    size_t n, cap;
};

#define PAGE_UP(v) (((v) + MEM_PAGE_SIZE - 1) & MEM_PAGE_MASK)
#define MMAP_BOTTOM 0x10000ull   /* never map page zero and its neighbours */

struct mm_areas *mm_areas_new(void)
{
    return calloc(1, sizeof(struct mm_areas));
}

void mm_areas_free(struct mm_areas *m)
{
    if (m) {
        free(m->a);
        free(m);
    }
}

int mm_area_at(const struct proc *p, size_t i, uint64_t *start, uint64_t *end)
{
    if (i >= p->areas->n)
        return -1;
    *start = p->areas->a[i].start;
    *end = p->areas->a[i].end;
    return 0;
}

/* Removes [start, end) from the list, splitting areas as needed. */
static int areas_remove(struct mm_areas *m, uint64_t start, uint64_t end)
{
    for (size_t i = 0; i < m->n; i++) {
        struct mm_area *ar = &m->a[i];
        if (ar->end <= start || ar->start >= end)
            continue;
        if (ar->start < start && ar->end > end) {   /* split in two */
            if (m->n == m->cap) {
                size_t cap = m->cap ? m->cap * 2 : 16;
                struct mm_area *na = realloc(m->a, cap * sizeof *na);
                if (!na)
                    return -LX_ENOMEM;
                m->a = na;
                m->cap = cap;
                ar = &m->a[i];
            }
            memmove(&m->a[i + 2], &m->a[i + 1], (m->n - i - 1) * sizeof *ar);
            m->a[i + 1].start = end;
            m->a[i + 1].end = ar->end;
            ar->end = start;
            m->n++;
            return 0;
        }
        if (ar->start >= start && ar->end <= end) {  /* swallowed */
            memmove(ar, ar + 1, (m->n - i - 1) * sizeof *ar);
            m->n--;
            i--;
        } else if (ar->start < start) {
            ar->end = start;
        } else {
            ar->start = end;
        }
    }
    return 0;
}

/* Adds [start, end), which the caller made free first. */
static int areas_add(struct mm_areas *m, uint64_t start, uint64_t end)
{
    size_t i = 0;
    while (i < m->n && m->a[i].end < start)
        i++;
    if (i < m->n && m->a[i].end == start) {       /* extend left neighbour */
        m->a[i].end = end;
        if (i + 1 < m->n && m->a[i + 1].start == end) {
            m->a[i].end = m->a[i + 1].end;
            memmove(&m->a[i + 1], &m->a[i + 2], (m->n - i - 2) * sizeof m->a[0]);
            m->n--;
        }
        return 0;
    }
    if (i < m->n && m->a[i].start == end) {       /* extend right neighbour */
        m->a[i].start = start;
        return 0;
    }
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        struct mm_area *na = realloc(m->a, cap * sizeof *na);
        if (!na)
            return -LX_ENOMEM;
        m->a = na;
        m->cap = cap;
    }
    memmove(&m->a[i + 1], &m->a[i], (m->n - i) * sizeof m->a[0]);
    m->a[i].start = start;
    m->a[i].end = end;
    m->n++;
    return 0;
}

static bool areas_free(const struct mm_areas *m, uint64_t start, uint64_t end)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->a[i].start < end && m->a[i].end > start)
            return false;
    return true;
}

/* The highest free gap of len bytes ending at or below top; 0 if none. */
static uint64_t areas_find(const struct mm_areas *m, uint64_t len, uint64_t top)
{
    uint64_t hi = top;
    for (size_t i = m->n; i-- > 0;) {
        const struct mm_area *ar = &m->a[i];
        if (ar->start >= hi)
            continue;
        if (ar->end <= hi && hi - ar->end >= len)
            return hi - len;
        if (ar->start < hi)
            hi = ar->start;
    }
    return hi >= MMAP_BOTTOM + len ? hi - len : 0;
}

int mm_areas_note(struct proc *p, uint64_t start, uint64_t end)
{
    int r = areas_remove(p->areas, start, end);
    return r != 0 ? r : areas_add(p->areas, start, end);
}

/* Maps a fresh range and records it; the range is known free or replaced. */
int mm_map_fixed(struct proc *p, uint64_t addr, uint64_t len, int prot)
{
    int r = areas_remove(p->areas, addr, addr + len);
    if (r == 0)
        r = areas_add(p->areas, addr, addr + len);
    if (r != 0)
        return r;
    r = mem_map(p->as, addr, len, prot);
    return r == MEM_ENOMEM ? -LX_ENOMEM : r;
}

static int lx_prot(int prot)
{
    return (prot & LX_PROT_READ ? MEM_R : 0) | (prot & LX_PROT_WRITE ? MEM_W | MEM_R : 0) |
           (prot & LX_PROT_EXEC ? MEM_X : 0);
}

long mm_brk(struct proc *p, uint64_t addr)
{
    if (addr < p->brk_start)
        return (long)p->brk_cur;
    uint64_t end = PAGE_UP(addr);
    if (end < addr || end > PROC_MMAP_TOP)
        return (long)p->brk_cur;
    if (end > p->brk_mapped) {
        if (!areas_free(p->areas, p->brk_mapped, end))
            return (long)p->brk_cur;
        if (mm_map_fixed(p, p->brk_mapped, end - p->brk_mapped, MEM_R | MEM_W) != 0) {
            mem_unmap(p->as, p->brk_mapped, end - p->brk_mapped);
            areas_remove(p->areas, p->brk_mapped, end);
            return (long)p->brk_cur;
        }
    } else if (end < p->brk_mapped) {
        mem_unmap(p->as, end, p->brk_mapped - end);
        areas_remove(p->areas, end, p->brk_mapped);
    }
    p->brk_mapped = end;
    p->brk_cur = addr;
    return (long)addr;
}

long mm_mmap(struct proc *p, uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t off)
{
    int type = flags & 3;
    if (len == 0 || (off & ~MEM_PAGE_MASK) || (type != LX_MAP_PRIVATE && type != LX_MAP_SHARED && type != 3))
        return -LX_EINVAL;
    uint64_t size = PAGE_UP(len);
    if (size < len || size > PROC_MMAP_TOP)
        return -LX_ENOMEM;
    if (!(flags & LX_MAP_ANONYMOUS) && fd < 0)
        return -LX_EBADF;
    uint64_t at;
    if (flags & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE)) {
        if ((addr & ~MEM_PAGE_MASK) || addr < MMAP_BOTTOM || addr + size > PROC_STACK_TOP || addr + size < addr)
            return -LX_EINVAL;
        if ((flags & LX_MAP_FIXED_NOREPLACE) && !(flags & LX_MAP_FIXED) && !areas_free(p->areas, addr, addr + size))
            return -17;   /* EEXIST */
        at = addr;
    } else {
        addr &= MEM_PAGE_MASK;
        if (addr >= MMAP_BOTTOM && addr + size <= PROC_MMAP_TOP && addr + size > addr &&
            areas_free(p->areas, addr, addr + size))
            at = addr;
        else if ((at = areas_find(p->areas, size, PROC_MMAP_TOP)) == 0)
            return -LX_ENOMEM;
    }
    int r = mm_map_fixed(p, at, size, lx_prot(prot));
    if (r != 0)
        return r;
    /* Anonymous shared memory stays one memory across fork. (A shared
     * file mapping is a private copy of the file: docs/sandbox.md.) */
    if ((flags & LX_MAP_ANONYMOUS) && type == LX_MAP_SHARED && mem_set_shared(p->as, at, size) != 0) {
        mm_munmap(p, at, size);
        return -LX_ENOMEM;
    }
    if (!(flags & LX_MAP_ANONYMOUS)) {
        /* File-backed: a private copy of the file's bytes (reads past its
         * end are zero, like the tail of a Linux file mapping). */
        uint8_t buf[16384];
        for (uint64_t done = 0; done < size;) {
            size_t chunk = size - done < sizeof buf ? (size_t)(size - done) : sizeof buf;
            long n = fs_pread(p->fs, fd, buf, chunk, off + done);
            if (n < 0 && done == 0) {
                mm_munmap(p, at, size);
                return n;
            }
            if (n <= 0)
                break;
            if (mem_poke(p->as, at + done, buf, (size_t)n) != 0) {
                mm_munmap(p, at, size);
                return -LX_ENOMEM;
            }
            done += (uint64_t)n;
            if ((size_t)n < chunk)
                break;
        }
    }
    return (long)at;
}

long mm_munmap(struct proc *p, uint64_t addr, uint64_t len)
{
    uint64_t size = PAGE_UP(len);
    if ((addr & ~MEM_PAGE_MASK) || len == 0 || size < len || addr + size < addr || addr + size > (1ull << MEM_VA_BITS))
        return -LX_EINVAL;
    int r = areas_remove(p->areas, addr, addr + size);
    if (r != 0)
        return r;
    mem_unmap(p->as, addr, size);
    return 0;
}

long mm_mprotect(struct proc *p, uint64_t addr, uint64_t len, int prot)
{
    uint64_t size = PAGE_UP(len);
    if ((addr & ~MEM_PAGE_MASK) || size < len || addr + size < addr)
        return -LX_EINVAL;
    if (size == 0)
        return 0;
    int r = mem_protect(p->as, addr, size, lx_prot(prot));
    return r == 0 ? 0 : r == MEM_ENOMEM ? -LX_ENOMEM : -LX_EINVAL;
}

long mm_mremap(struct proc *p, uint64_t old, uint64_t old_len, uint64_t new_len, int flags, uint64_t new_addr)
{
    uint64_t osz = PAGE_UP(old_len), nsz = PAGE_UP(new_len);
    if ((old & ~MEM_PAGE_MASK) || nsz == 0 || nsz < new_len || osz < old_len ||
        (flags & ~(LX_MREMAP_MAYMOVE | LX_MREMAP_FIXED)) ||
        ((flags & LX_MREMAP_FIXED) && !(flags & LX_MREMAP_MAYMOVE)))
        return -LX_EINVAL;
    if (osz == 0 || !mem_is_mapped(p->as, old, osz))
        return -LX_EFAULT;
    int prot = mem_prot_at(p->as, old);
    if (flags & LX_MREMAP_FIXED) {
        if ((new_addr & ~MEM_PAGE_MASK) || new_addr < MMAP_BOTTOM || new_addr + nsz > PROC_STACK_TOP ||
            (new_addr < old + osz && old < new_addr + nsz))
            return -LX_EINVAL;
    } else if (nsz <= osz) {
        if (nsz < osz)
            mm_munmap(p, old + nsz, osz - nsz);
        return (long)old;
    } else if (areas_free(p->areas, old + osz, old + nsz) && old + nsz <= PROC_MMAP_TOP) {
        int r = mm_map_fixed(p, old + osz, nsz - osz, prot);
        return r != 0 ? r : (long)old;
    } else if (!(flags & LX_MREMAP_MAYMOVE)) {
        return -LX_ENOMEM;
    } else if ((new_addr = areas_find(p->areas, nsz, PROC_MMAP_TOP)) == 0) {
        return -LX_ENOMEM;
    }
    uint64_t keep = osz < nsz ? osz : nsz;
    int r = mm_map_fixed(p, new_addr, nsz, prot);
    if (r != 0)
        return r;
    if (mem_move(p->as, old, new_addr, keep) != 0) {
        mm_munmap(p, new_addr, nsz);
        return -LX_ENOMEM;
    }
    mm_munmap(p, old, osz);
    return (long)new_addr;
}

long mm_madvise(struct proc *p, uint64_t addr, uint64_t len, int advice)
{
    uint64_t size = PAGE_UP(len);
    if ((addr & ~MEM_PAGE_MASK) || size < len)
        return -LX_EINVAL;
    if (advice == 4 /* MADV_DONTNEED */ && size > 0) {
        if (!mem_is_mapped(p->as, addr, size))
            return -LX_ENOMEM;
        mem_discard(p->as, addr, size);
    }
    return 0;
}

long mm_fork(struct proc *c, struct proc *p, bool share_space)
{
    struct mm_areas *m = c->areas;
    if (p->areas->n) {
        m->a = malloc(p->areas->n * sizeof *m->a);
        if (!m->a)
            return -LX_ENOMEM;
        memcpy(m->a, p->areas->a, p->areas->n * sizeof *m->a);
        m->n = m->cap = p->areas->n;
    }
    /* Areas in address order, neighbours (text, data, heap: a gap of
     * less than a page table's span that maps nothing) shared in one
     * call, so that a table they fill between them is lent whole. */
    for (size_t i = 0, j; i < m->n && !share_space; i = j) {
        uint64_t start = m->a[i].start, end = m->a[i].end;
        for (j = i + 1; j < m->n && m->a[j].start - end < MEM_TABLE_SPAN && mem_is_free(p->as, end, m->a[j].start - end); j++)
            end = m->a[j].end;
        int r = mem_share(c->as, start, p->as, start, end - start);
        if (r != 0)
            return r == MEM_ENOMEM ? -LX_ENOMEM : -LX_EINVAL;
    }
    c->brk_start = p->brk_start;
    c->brk_cur = p->brk_cur;
    c->brk_mapped = p->brk_mapped;
    c->mmap_hint = p->mmap_hint;
    return 0;
}

void mm_release(struct proc *p)
{
    if (mem_space_refs(p->as) > 1)
        return;     /* a vfork child still runs in it (or its parent does) */
    for (size_t i = 0; i < p->areas->n; i++)
        mem_unmap(p->as, p->areas->a[i].start, p->areas->a[i].end - p->areas->a[i].start);
    p->areas->n = 0;
}
