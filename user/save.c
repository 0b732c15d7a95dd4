/*
 * save.c — a process-mode VM's state to snapshot sections and back (see
 * user/save.h; the byte layout of each section is in
 * docs/snapshot-format.md, "Sections of a process-mode VM").
 *
 * What is saved is what the guest can observe, in host-neutral form:
 * registers, the mapped ranges and the bytes of every page that is not
 * zero, ids, signal state, and open files as guest paths (reopened in the
 * restoring sandbox), pipes with the bytes queued in them, and the grants
 * (host directories by their host paths, network grants as given).
 * Nothing host-specific is written: no host fd, pointer or inode.
 *
 * Times: the guest's monotonic clock (and rdtime, and every timer on it)
 * and its CPU-time clock go on at restore from the values they had when
 * saved (host_time_set_monotonic, host_time_set_cputime); the real-time
 * clock is the host's.
 *
 * Sockets, eventfds, timerfds and epoll instances are user/net_save.c's
 * (connections come back reset). What cannot be saved yet is refused with
 * a reason: a vfork child, Unix sockets bound to a name, named FIFOs,
 * files deleted while open, standard streams redirected by a parent VM.
 */
#include "user/save.h"
#include "user/save_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "mvm.h"
#include "host/thread.h"
#include "snap/format.h"
#include "user/fs.h"
#include "user/fs_int.h"
#include "user/lx.h"
#include "user/net.h"
#include "user/net_save.h"
#include "user/signal.h"

#define PAGES_PER_SECTION 64            /* 256 KiB of page bytes a section: what a
                                           lazy restore loads at a time */

/* Flags of the PROC section. */
#define PF_MAIN_EXITED 1

/* Flags of the PROCESS section. */
#define PS_ZOMBIE 1
#define PS_AUTOREAP 2
#define PS_STOP_REPORT 4
#define PS_CONT_REPORT 8
#define PS_STOPPED 16

int save_fail(char *err, size_t errlen, int r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return r;
}

/* ------------------------------------------------------------- saving */

static size_t page_slot(const struct saver *s, const uint8_t *data)
{
    uint64_t h = (uint64_t)(uintptr_t)data * 0x9e3779b97f4a7c15ull;
    size_t i = (size_t)(h >> 20) & (s->cap_pages - 1);
    while (s->pages[i].data && s->pages[i].data != data)
        i = (i + 1) & (s->cap_pages - 1);
    return i;
}

/* Notes that process index has the page data at va; false if out of memory. */
static bool page_note(struct saver *s, const uint8_t *data, uint64_t va)
{
    if (2 * (s->npages + 1) > s->cap_pages) {
        size_t cap = s->cap_pages ? 2 * s->cap_pages : 4096;
        struct seen_page *old = s->pages, *n = calloc(cap, sizeof *n);
        if (!n)
            return false;
        size_t oc = s->cap_pages;
        s->pages = n;
        s->cap_pages = cap;
        for (size_t i = 0; i < oc; i++)
            if (old[i].data)
                s->pages[page_slot(s, old[i].data)] = old[i];
        free(old);
    }
    size_t i = page_slot(s, data);
    if (!s->pages[i].data) {
        s->pages[i] = (struct seen_page){ data, (uint32_t)s->index, va };
        s->npages++;
    }
    return true;
}

static const struct seen_page *page_find(const struct saver *s, const uint8_t *data)
{
    if (!s->pages)
        return NULL;
    size_t i = page_slot(s, data);
    return s->pages[i].data ? &s->pages[i] : NULL;
}

/* Writes the section built in s->b and empties it. */
int save_flush(struct saver *s, uint32_t type)
{
    if (s->b.oom)
        return save_fail(s->err, s->errlen, -LX_ENOMEM, "out of memory");
    int r = snap_write_section(s->w, type, s->b.data, s->b.len);
    snap_buf_reset(&s->b);
    if (r != 0)
        return save_fail(s->err, s->errlen, -LX_EIO, "%s", snap_writer_error(s->w));
    return 0;
}

static void put_info(struct snap_buf *b, const struct sig_info *in)
{
    snap_put_u32(b, (uint32_t)in->signo);
    snap_put_u32(b, (uint32_t)in->code);
    snap_put_u32(b, (uint32_t)in->err);
    snap_put_u8(b, in->kind);
    snap_put_u32(b, (uint32_t)in->pid);
    snap_put_u32(b, in->uid);
    snap_put_u64(b, in->value);
    snap_put_u64(b, in->addr);
}

static void put_pending(struct snap_buf *b, const struct sig_pending *q)
{
    snap_put_u64(b, q->set);
    for (int i = 0; i < 64; i++)
        if (q->set >> i & 1)
            put_info(b, &q->info[i]);
}

static int save_proc(struct saver *s)
{
    struct proc *p = s->p;
    struct snap_buf *b = &s->b;
    snap_put_u32(b, (uint32_t)p->pid);
    snap_put_u32(b, (uint32_t)p->pgid);
    snap_put_u32(b, (uint32_t)p->sid);
    snap_put_u32(b, (uint32_t)proc_next_id(p));
    snap_put_u32(b, p->main->exited ? PF_MAIN_EXITED : 0);
    snap_put_u64(b, host_time_monotonic_ns());
    snap_put_u64(b, host_time_cputime_ns());
    snap_put_u64(b, p->reaped_instret);
    snap_put_u64(b, p->syscalls);
    const uint64_t v[] = { p->brk_start, p->brk_cur, p->brk_mapped, p->mmap_hint, p->entry,
                           p->phdr_addr, p->phent, p->phnum, p->load_bias };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        snap_put_u64(b, v[i]);
    size_t n = 0;
    uint64_t start, end;
    while (mm_area_at(p, n, &start, &end) == 0)
        n++;
    snap_put_u32(b, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        mm_area_at(p, i, &start, &end);
        snap_put_u64(b, start);
        snap_put_u64(b, end);
    }
    return save_flush(s, SAVE_PROC);
}

static int save_fs(struct saver *s)
{
    struct fs *fs = s->p->fs;
    struct snap_buf *b = &s->b;
    snap_put_u32(b, fs->umask);
    snap_put_u64(b, fs->nofile);
    snap_put_u64(b, fs->nofile_max);
    snap_put_str(b, fs->cwd->path[0] ? fs->cwd->path : "/");
    snap_put_u32(b, (uint32_t)fs->nmounts);
    bool child = s->flags & SAVE_CHILD_VM;
    for (int i = 0; i < fs->nmounts; i++) {
        const struct mount *m = &fs->mounts[i];
        const char *from = child ? m->above : m->host;
        if (!from)
            return save_fail(s->err, s->errlen, -LX_ENOTSUP,
                        "%s is a directory passed down by a parent VM: it cannot be granted again", m->guest);
        snap_put_str(b, m->guest[0] ? m->guest : "/");
        snap_put_str(b, from);
        snap_put_u8(b, m->ro);
    }
    int n = 0, dir;
    while (net_grant(fs, n, &dir))
        n++;
    snap_put_u32(b, (uint32_t)n);
    for (int i = 0; i < n; i++) {
        const char *spec = net_grant(fs, i, &dir);
        snap_put_u8(b, (uint8_t)dir);
        snap_put_str(b, spec);
    }
    return save_flush(s, SAVE_FS);
}

/* Memory, in two walks: the runs of pages with the same permissions
 * (MAP), then the bytes of every page that is not all zero (PAGES
 * sections of PAGES_PER_SECTION pages), and an index of which pages each
 * PAGES section holds (PAGE_INDEX), so that a restore can leave them in
 * the file until they are touched. */
struct memsave {
    struct saver *s;
    uint64_t run_va, run_pages;
    int run_prot;
    bool run_shared;
    uint32_t count;             /* runs, or pages in the section being built */
    int err;
    struct snap_buf index;      /* PAGE_INDEX: u32 sections, then per section */
    uint32_t sections;
    size_t runs_at;             /* where this section's count of runs is in index */
    uint32_t runs;              /* its runs so far */
    uint64_t next_va;           /* the page after the current run */
    struct snap_buf shared;     /* SHARED: u32 n, then (va, process, its va) */
    uint32_t nshared;
};

static bool all_zero(const uint8_t *d)
{
    static const uint8_t zero[MEM_PAGE_SIZE];
    return memcmp(d, zero, MEM_PAGE_SIZE) == 0;
}

static void end_run(struct memsave *m)
{
    if (!m->run_pages)
        return;
    struct snap_buf *b = &m->s->b;
    snap_put_u64(b, m->run_va);
    snap_put_u64(b, m->run_pages);
    snap_put_u8(b, (uint8_t)m->run_prot);
    snap_put_u8(b, m->run_shared);
    m->count++;
    m->run_pages = 0;
}

static int run_out(void *ctx, uint64_t va, int prot, bool shared, const uint8_t *data)
{
    struct memsave *m = ctx;
    (void)data;
    if (m->run_pages && (va != m->run_va + m->run_pages * MEM_PAGE_SIZE || prot != m->run_prot ||
                         shared != m->run_shared))
        end_run(m);
    if (!m->run_pages) {
        m->run_va = va;
        m->run_prot = prot;
        m->run_shared = shared;
    }
    m->run_pages++;
    return 0;
}

/* Sets the count that opens the section being built, and writes it. */
static int flush_counted(struct memsave *m, uint32_t type)
{
    if (!m->s->b.oom)
        st32(m->s->b.data, m->count);
    m->count = 0;
    return save_flush(m->s, type);
}

/* The index entry of the page at va, in the section being built. */
static void index_page(struct memsave *m, uint64_t va)
{
    struct snap_buf *x = &m->index;
    if (m->count == 0) {
        m->sections++;
        m->runs_at = x->len;
        m->runs = 0;
        snap_put_u32(x, 0);     /* its runs, set as they come */
    }
    if (m->count == 0 || va != m->next_va) {
        m->runs++;
        snap_put_u64(x, va);
        snap_put_u32(x, 0);
    }
    if (!x->oom) {
        st32(x->data + m->runs_at, m->runs);
        st32(x->data + x->len - 4, ld32(x->data + x->len - 4) + 1);
    }
    m->next_va = va + MEM_PAGE_SIZE;
}

/* A page of the first process that a migration's receiver has: noted
 * as page_out would, not written. */
static int page_seen(void *ctx, uint64_t va, int prot, bool shared, const uint8_t *data)
{
    struct memsave *m = ctx;
    (void)prot;
    if (data && (shared || !all_zero(data)) && !page_note(m->s, data, va)) {
        m->err = save_fail(m->s->err, m->s->errlen, -LX_ENOMEM, "out of memory");
        return 1;
    }
    return 0;
}

static int page_out(void *ctx, uint64_t va, int prot, bool shared, const uint8_t *data)
{
    struct memsave *m = ctx;
    struct saver *s = m->s;
    (void)prot;
    if (!data)
        return 0;
    if (s->nprocs > 1) {
        /* Several processes: a page met before is named, not saved again. */
        const struct seen_page *sp = page_find(s, data);
        if (sp) {
            snap_put_u64(&m->shared, va);
            snap_put_u32(&m->shared, sp->proc);
            snap_put_u64(&m->shared, sp->va);
            m->nshared++;
            return 0;
        }
        bool zero = all_zero(data);
        /* A zero page counts when shared memory, which must stay one page. */
        if ((!zero || shared) && !page_note(s, data, va)) {
            m->err = save_fail(s->err, s->errlen, -LX_ENOMEM, "out of memory");
            return 1;
        }
        if (zero)
            return 0;
    } else if (all_zero(data)) {
        return 0;
    }
    struct snap_buf *b = &m->s->b;
    index_page(m, va);
    if (m->count == 0)
        snap_put_u32(b, 0);     /* the count, set when the section is full */
    snap_put_u64(b, va);
    snap_put_bytes(b, data, MEM_PAGE_SIZE);
    if (++m->count == PAGES_PER_SECTION && (m->err = flush_counted(m, SAVE_PAGES)) != 0)
        return 1;
    return 0;
}

static int save_memory(struct saver *s)
{
    struct memsave m = { .s = s };
    snap_put_u32(&s->b, 0);     /* the count of runs, set below */
    int r = mem_space_walk(s->p->as, run_out, &m);
    if (r == MEM_EINVAL)
        return save_fail(s->err, s->errlen, -LX_ENOTSUP, "its memory lives in another VM's (not unrolled)");
    end_run(&m);
    if ((r = flush_counted(&m, SAVE_MAP)) != 0)
        return r;
    if ((s->flags & SAVE_NO_PAGES) && s->index == 0) {
        /* The receiver has the first process's pages (pre-copy); the
         * others' are saved here, naming those they share with it. */
        r = s->nprocs > 1 ? mem_space_walk(s->p->as, page_seen, &m) : 0;
        return r == 0 ? 0 : m.err ? m.err : save_fail(s->err, s->errlen, -LX_EIO, "memory could not be read (%d)", r);
    }
    snap_put_u32(&m.index, 0);  /* the count of sections, set below */
    snap_put_u32(&m.shared, 0);
    r = mem_space_walk(s->p->as, page_out, &m);
    if (r == 0 && m.count)
        r = flush_counted(&m, SAVE_PAGES);
    else if (r != 0)
        r = m.err ? m.err : save_fail(s->err, s->errlen, -LX_EIO, "memory could not be read (%d)", r);
    if (r == 0 && m.sections) {
        if (m.index.oom)
            r = save_fail(s->err, s->errlen, -LX_ENOMEM, "out of memory");
        else {
            st32(m.index.data, m.sections);
            r = snap_write_section(s->w, SAVE_PAGE_INDEX, m.index.data, m.index.len);
            if (r != 0)
                r = save_fail(s->err, s->errlen, -LX_EIO, "%s", snap_writer_error(s->w));
        }
    }
    if (r == 0 && m.nshared) {
        if (m.shared.oom)
            r = save_fail(s->err, s->errlen, -LX_ENOMEM, "out of memory");
        else if (st32(m.shared.data, m.nshared), snap_write_section(s->w, SAVE_SHARED, m.shared.data, m.shared.len))
            r = save_fail(s->err, s->errlen, -LX_EIO, "%s", snap_writer_error(s->w));
    }
    snap_buf_free(&m.index);
    snap_buf_free(&m.shared);
    return r;
}

static int save_signals(struct saver *s)
{
    struct proc *p = s->p;
    struct snap_buf *b = &s->b;
    host_mutex_lock(p->mu);
    for (int i = 0; i < 65; i++)
        for (int j = 0; j < 4; j++)
            snap_put_u64(b, p->sigactions[i][j]);
    put_pending(b, &p->sigpending);
    uint32_t n = 0;
    for (int i = 0; i < SIG_NTIMERS; i++)
        n += p->timers[i].used || p->timers[i].armed;
    snap_put_u32(b, n);
    for (int i = 0; i < SIG_NTIMERS; i++) {
        const struct sig_timer *tm = &p->timers[i];
        if (!tm->used && !tm->armed)
            continue;
        snap_put_u32(b, (uint32_t)i);
        snap_put_u8(b, (uint8_t)(tm->used | tm->armed << 1 | tm->cpu << 2));
        snap_put_u32(b, (uint32_t)tm->clock);
        snap_put_u64(b, tm->expiry);   /* on clocks that go on at restore */
        snap_put_u64(b, tm->interval);
        snap_put_u32(b, (uint32_t)tm->signo);
        snap_put_u32(b, (uint32_t)tm->notify);
        snap_put_u32(b, (uint32_t)tm->tid);
        snap_put_u64(b, tm->value);
        snap_put_u32(b, (uint32_t)tm->overrun);
    }
    host_mutex_unlock(p->mu);
    return save_flush(s, SAVE_SIGNALS);
}

static int save_thread(struct saver *s, struct thread *t)
{
    struct snap_buf *b = &s->b;
    const struct rv_hart *h = t->hart;
    snap_put_u32(b, (uint32_t)t->tid);
    snap_put_u64(b, h->pc);
    for (int i = 1; i < 32; i++)
        snap_put_u64(b, h->x[i]);
    for (int i = 0; i < 32; i++)
        snap_put_u64(b, h->f[i]);
    snap_put_u32(b, h->frm << 5 | h->fflags);
    snap_put_u64(b, rv_instret(h));
    /* rdtime reads (monotonic now - base): the base as an age goes on. */
    snap_put_u64(b, host_time_monotonic_ns() - h->time_base_ns);
    snap_put_u64(b, t->clear_child_tid);
    snap_put_u64(b, t->robust_list);
    snap_put_u64(b, t->robust_len);
    host_mutex_lock(t->p->mu);
    snap_put_u64(b, t->sigmask);
    put_pending(b, &t->pending);
    host_mutex_unlock(t->p->mu);
    snap_put_u64(b, t->saved_mask);
    snap_put_u8(b, t->restore_mask);
    snap_put_u64(b, t->ss_sp);
    snap_put_u64(b, t->ss_size);
    snap_put_u32(b, t->ss_flags);
    return save_flush(s, SAVE_THREAD);
}

/* Whether one process can be saved (the checks that need no walk). */
static int check_one(struct proc *p, char *err, size_t errlen)
{
    proc_tree_lock(p);
    bool vforked = p->vforked;
    proc_tree_unlock(p);
    if (vforked)
        return save_fail(err, errlen, -LX_ENOTSUP, "process %d is a vfork child its parent waits for", p->pid);
    struct fs *fs = p->fs;
    for (int fd = 0; fd < fs->nfds; fd++) {
        const struct file *f = fs->fds[fd].f;
        int r = f && f->sock ? net_check_file(f, fd, err, errlen) : 0;
        if (r != 0)
            return r;
    }
    return 0;
}

int proc_check_saveable(struct proc *p, char *err, size_t errlen)
{
    struct proc **procs;
    int n = proc_tree_list_all(p, &procs), r = n < 0 ? save_fail(err, errlen, n, "out of memory") : 0;
    for (int i = 0; i < n && r == 0; i++)
        r = procs[i]->zombie ? 0 : check_one(procs[i], err, errlen);
    free(procs);
    return r;
}

/* PROCESS: where a process after the first begins (a zombie is only this). */
static int save_process(struct saver *s)
{
    struct proc *p = s->p;
    struct snap_buf *b = &s->b;
    proc_tree_lock(p);
    int ppid = p->parent ? p->parent->pid : 0;
    uint8_t fl = (uint8_t)(p->zombie * PS_ZOMBIE | p->autoreap * PS_AUTOREAP | p->stop_report * PS_STOP_REPORT |
                           p->cont_report * PS_CONT_REPORT | atomic_load(&p->stopped) * PS_STOPPED);
    snap_put_u32(b, (uint32_t)p->pid);
    snap_put_u32(b, (uint32_t)ppid);
    snap_put_u32(b, (uint32_t)p->pgid);
    snap_put_u32(b, (uint32_t)p->sid);
    snap_put_u32(b, (uint32_t)p->exit_signal);
    snap_put_u8(b, fl);
    snap_put_u32(b, (uint32_t)p->wstatus);
    snap_put_u32(b, (uint32_t)p->stop_sig);
    snap_put_u32(b, (uint32_t)p->exit_code);
    snap_put_u32(b, (uint32_t)p->killed_by);
    snap_put_u32(b, (uint32_t)p->fault_reason);
    snap_put_u64(b, p->zombie ? atomic_load(&p->instret_pub) : 0);     /* what a zombie ran */
    proc_tree_unlock(p);
    return save_flush(s, SAVE_PROCESS);
}

static int save_one(struct saver *s)
{
    struct proc *p = s->p;
    int r = s->index ? save_process(s) : 0;
    if (r != 0 || p->zombie)
        return r;
    if (r == 0)
        r = save_proc(s);
    if (r == 0)
        r = save_fs(s);
    if (r == 0)
        r = save_files(s);
    if (r == 0)
        r = save_memory(s);
    if (r == 0)
        r = save_signals(s);
    for (struct thread *t = p->threads; t && r == 0; t = t->next)
        if (t == p->main || !t->exited)
            r = save_thread(s, t);
    return r;
}

int proc_save(struct proc *p, struct snap_writer *w, unsigned flags, char *err, size_t errlen)
{
    int r = proc_check_saveable(p, err, errlen);
    if (r != 0)
        return r;
    struct saver s = { .p = p, .flags = flags, .w = w, .err = err, .errlen = errlen };
    if ((s.nprocs = proc_tree_list_all(p, &s.procs)) < 0)
        return save_fail(err, errlen, -LX_ENOMEM, "out of memory");
    for (s.index = 0; s.index < s.nprocs && r == 0; s.index++) {
        s.p = s.procs[s.index];
        r = save_one(&s);
    }
    snap_buf_free(&s.b);
    free(s.procs);
    free(s.files);
    free(s.pages);
    return r;
}

/* ------------------------------------------------------------ pre-copy */

struct valist {
    uint64_t *va;
    size_t n, cap, full;
    bool oom;
};

static int va_out(void *ctx, uint64_t va, int prot, bool shared, const uint8_t *data)
{
    struct valist *l = ctx;
    (void)prot, (void)shared;
    l->full += data != NULL;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1024;
        uint64_t *v = realloc(l->va, cap * sizeof *v);
        if (!v) {
            l->oom = true;
            return 1;
        }
        l->va = v;
        l->cap = cap;
    }
    l->va[l->n++] = va;
    return 0;
}

/* MAP_SHARED pages, whether written through this space or not. */
static int shared_out(void *ctx, uint64_t va, int prot, bool shared, const uint8_t *data)
{
    return shared ? va_out(ctx, va, prot, shared, data) : 0;
}

long proc_precopy_collect(struct proc *p, uint64_t **vas, size_t *full, bool shared)
{
    struct valist l = { 0 };
    int r = mem_space_dirty(p->as, va_out, &l);
    /* Another process's writes to memory shared with this one mark
     * nothing here: such pages go again (a page may be listed twice). */
    if (r == 0 && shared && !l.oom)
        r = mem_space_walk(p->as, shared_out, &l);
    if (r != 0 || l.oom) {
        free(l.va);
        return l.oom ? -LX_ENOMEM : -LX_ENOTSUP;
    }
    *vas = l.va;
    *full = l.full;
    return (long)l.n;
}

long proc_precopy_send(struct proc *p, struct snap_writer *w, const uint64_t *vas, size_t n, size_t max_full,
                       size_t *full, char *err, size_t errlen)
{
    struct snap_buf b = { 0 };
    uint8_t page[MEM_PAGE_SIZE];
    uint32_t count = 0;
    size_t i = 0;
    *full = 0;
    snap_put_u32(&b, 0);
    for (; i < n && *full < max_full; i++) {
        if (mem_peek_page(p->as, vas[i], page) != 0)
            continue;           /* unmapped since: the final map says so */
        bool zero = all_zero(page);
        snap_put_u64(&b, vas[i] | zero);     /* bit 0: reads as zero */
        if (!zero) {
            snap_put_bytes(&b, page, MEM_PAGE_SIZE);
            ++*full;
        }
        count++;
    }
    long r = (long)i;
    if (b.oom)
        r = save_fail(err, errlen, -LX_ENOMEM, "out of memory");
    else if (st32(b.data, count), snap_write_section(w, SAVE_PRECOPY, b.data, b.len) != 0)
        r = save_fail(err, errlen, -LX_EIO, "%s", snap_writer_error(w));
    snap_buf_free(&b);
    return r;
}

/* ----------------------------------------------------------- restoring */

struct restore *proc_restore_begin(struct proc *p, const struct mvm_grant *grants, int ngrants,
                                   struct proc *tmpl)
{
    struct restore *r = calloc(1, sizeof *r);
    if (r && !(r->used = calloc((size_t)ngrants + 1, sizeof *r->used))) {
        free(r);
        return NULL;
    }
    if (r && !(r->procs = calloc(1, sizeof *r->procs))) {
        free(r->used);
        free(r);
        return NULL;
    }
    if (r) {
        r->p = r->root = r->procs[0] = p;
        r->nprocs = 1;
        r->grants = grants;
        r->ngrants = ngrants;
        r->tmpl = tmpl ? tmpl->as : NULL;
        r->tmpl_root = tmpl;
    }
    return r;
}

/* Guest paths equal but for trailing slashes ("/t/" is "/t"). */
static bool same_path(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    while (la > 1 && a[la - 1] == '/')
        la--;
    while (lb > 1 && b[lb - 1] == '/')
        lb--;
    return la == lb && memcmp(a, b, la) == 0;
}

/* The restorer's grant that stands for a saved one (kind, and guest path
 * or address), or -1. */
static int find_grant(struct restore *rs, int kind, const char *what)
{
    for (int i = 0; i < rs->ngrants; i++) {
        const struct mvm_grant *g = &rs->grants[i];
        if (!rs->used[i] && g->kind == kind &&
            (kind == MVM_GRANT_DIR ? same_path(g->guest, what) : strcmp(g->guest, what) == 0))
            return i;
    }
    return -1;
}

static int grant_dir(struct fs *fs, const struct mvm_grant *g, char *err, size_t errlen)
{
    int r = fs_add_dir(fs, g->host, g->guest, g->read_only != 0);
    return r < 0 ? save_fail(err, errlen, r, "cannot grant %s at %s: %s", g->host, g->guest, strerror(-r)) : 0;
}

/* A string from the snapshot, made fit for a message in place: control
 * characters (a newline would make it two lines) become '?'. */
const char *restore_shown(char *s)
{
    for (char *q = s; *q; q++)
        if ((unsigned char)*q < 0x20 || *q == 0x7f)
            *q = '?';
    return s;
}

int restore_bad(char *err, size_t errlen, const char *what)
{
    return save_fail(err, errlen, -LX_EBADMSG, "the %s section is malformed", what);
}

static void get_info(struct snap_cur *c, struct sig_info *in)
{
    in->signo = (int32_t)snap_get_u32(c);
    in->code = (int32_t)snap_get_u32(c);
    in->err = (int32_t)snap_get_u32(c);
    in->kind = snap_get_u8(c);
    in->pid = (int32_t)snap_get_u32(c);
    in->uid = snap_get_u32(c);
    in->value = snap_get_u64(c);
    in->addr = snap_get_u64(c);
}

static bool get_pending(struct snap_cur *c, struct sig_pending *q)
{
    memset(q, 0, sizeof *q);
    q->set = snap_get_u64(c);
    for (int i = 0; i < 64; i++) {
        if (!(q->set >> i & 1))
            continue;
        get_info(c, &q->info[i]);
        if (q->info[i].signo != i + 1 || q->info[i].kind > SIG_INFO_FAULT)
            return false;
    }
    return !c->bad;
}

static int restore_proc(struct restore *rs, struct snap_cur *c, char *err, size_t errlen)
{
    struct proc *p = rs->p;
    uint32_t pid = snap_get_u32(c), pgid = snap_get_u32(c), sid = snap_get_u32(c);
    uint32_t next = snap_get_u32(c), flags = snap_get_u32(c);
    rs->mono = snap_get_u64(c);
    rs->cpu = snap_get_u64(c);
    p->reaped_instret = snap_get_u64(c);
    p->syscalls = snap_get_u64(c);
    uint64_t *v[] = { &p->brk_start, &p->brk_cur, &p->brk_mapped, &p->mmap_hint, &p->entry,
                      &p->phdr_addr, &p->phent, &p->phnum, &p->load_bias };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        *v[i] = snap_get_u64(c);
    uint32_t n = snap_get_u32(c);
    if (c->bad || pid != (uint32_t)p->pid || !pgid || !sid || pgid > PROC_MAX_ID || sid > PROC_MAX_ID ||
        next <= pid || next > PROC_MAX_ID || (flags & ~PF_MAIN_EXITED))
        return restore_bad(err, errlen, "process");
    p->pgid = (int)pgid;
    p->sid = (int)sid;
    if (rs->nprocs == 1)
        proc_set_next_id(p, (int)next);     /* the VM's, saved with each process */
    else if ((int)next != proc_next_id(p))
        return restore_bad(err, errlen, "process");
    if (flags & PF_MAIN_EXITED) {
        p->main->exited = true;
        p->nlive--;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint64_t start = snap_get_u64(c), end = snap_get_u64(c);
        if (c->bad || start >= end || (start | end) & (MEM_PAGE_SIZE - 1) || end > (1ull << MEM_VA_BITS))
            return restore_bad(err, errlen, "process");
        int r = mm_areas_note(p, start, end);
        if (r < 0)
            return save_fail(err, errlen, r, "out of memory");
    }
    return snap_cur_end(c) ? 0 : restore_bad(err, errlen, "process");
}

void proc_restore_above(struct restore *rs, struct fs *top)
{
    rs->above = top;
}

/* How a restore gives a saved grant again: a directory (its guest path,
 * where it came from, read-only), a network grant (direction, address).
 * 0, or a negative errno with err set. The strings may be changed. */
struct regrant {
    int (*dir)(struct restore *rs, char *guest, char *from, bool ro, char *err, size_t errlen);
    int (*net)(struct restore *rs, int dir, char *addr, char *err, size_t errlen);
};

/* The FS section's grants, each handed to how. */
static int read_grants(struct restore *rs, struct snap_cur *c, const struct regrant *how, char *err, size_t errlen)
{
    char guest[FS_PATH_MAX], from[FS_PATH_MAX];
    uint32_t n = snap_get_u32(c);
    for (uint32_t i = 0; i < n && !c->bad; i++) {
        if (snap_get_str(c, guest, sizeof guest) < 0 || snap_get_str(c, from, sizeof from) < 0)
            return restore_bad(err, errlen, "file system");
        bool ro = snap_get_u8(c) != 0;
        int r = how->dir(rs, guest, from, ro, err, errlen);
        if (r < 0)
            return r;
    }
    n = snap_get_u32(c);
    for (uint32_t i = 0; i < n && !c->bad; i++) {
        int dir = snap_get_u8(c);
        if (snap_get_str(c, from, sizeof from) < 0 || (dir != NET_LISTEN && dir != NET_CONNECT))
            return restore_bad(err, errlen, "file system");
        int r = how->net(rs, dir, from, err, errlen);
        if (r < 0)
            return r;
    }
    return snap_cur_end(c) ? 0 : restore_bad(err, errlen, "file system");
}

/* A VM a guest made: from the top VM's, as the hypercalls did when they
 * were made (fs_add_dir_from, net_allow_from). */
static int dir_above(struct restore *rs, char *guest, char *from, bool ro, char *err, size_t errlen)
{
    int r = fs_add_dir_from(rs->p->fs, rs->above, from, guest, ro);
    return r < 0 ? save_fail(err, errlen, r == -LX_ENOMEM ? r : -LX_EACCES, "a VM it made had %s at %s: %s",
                             restore_shown(from), restore_shown(guest), strerror(-r)) : 0;
}

static int net_above(struct restore *rs, int dir, char *addr, char *err, size_t errlen)
{
    int r = net_allow_from(rs->p->fs, rs->above, dir, addr);
    return r < 0 ? save_fail(err, errlen, r == -LX_ENOMEM ? r : -LX_EACCES, "a VM it made was allowed to %s %s: %s",
                             dir == NET_LISTEN ? "listen on" : "connect to", restore_shown(addr), strerror(-r)) : 0;
}

/* Any other VM: each saved grant given again by the restorer's (a
 * snapshot grants nothing). */
static int dir_granted(struct restore *rs, char *guest, char *host, bool ro, char *err, size_t errlen)
{
    int g = find_grant(rs, MVM_GRANT_DIR, guest);
    if (g < 0)
        return save_fail(err, errlen, -LX_EACCES, "it had %s granted at %s%s: grant a directory there again",
                         restore_shown(host), restore_shown(guest), ro ? " (read-only)" : "");
    rs->used[g] = true;
    return grant_dir(rs->p->fs, &rs->grants[g], err, errlen);
}

static int net_granted(struct restore *rs, int dir, char *addr, char *err, size_t errlen)
{
    int g = find_grant(rs, dir == NET_LISTEN ? MVM_GRANT_LISTEN : MVM_GRANT_CONNECT, addr);
    if (g < 0)
        return save_fail(err, errlen, -LX_EACCES, "it was allowed to %s %s: grant it again",
                         dir == NET_LISTEN ? "listen on" : "connect to", restore_shown(addr));
    rs->used[g] = true;
    return net_allow(rs->p->fs, dir, addr) < 0 ? restore_bad(err, errlen, "file system") : 0;
}

/* The saved grants, then (not for a VM a guest made) the restorer's new ones. */
static int restore_grants(struct restore *rs, struct snap_cur *c, char *err, size_t errlen)
{
    static const struct regrant above = { dir_above, net_above }, granted = { dir_granted, net_granted };
    int r = read_grants(rs, c, rs->above ? &above : &granted, err, errlen);
    if (r != 0 || rs->above)
        return r;
    struct fs *fs = rs->p->fs;
    for (int i = 0; i < rs->ngrants; i++) {    /* new grants */
        const struct mvm_grant *g = &rs->grants[i];
        if (rs->used[i])
            continue;
        r = g->kind == MVM_GRANT_DIR ? grant_dir(fs, g, err, errlen)
          : net_allow(fs, g->kind == MVM_GRANT_LISTEN ? NET_LISTEN : NET_CONNECT, g->guest);
        if (r < 0)
            return g->kind == MVM_GRANT_DIR ? r : save_fail(err, errlen, r, "cannot grant %s", g->guest);
    }
    return 0;
}

static int restore_fs(struct restore *rs, struct snap_cur *c, char *err, size_t errlen)
{
    struct fs *fs = rs->p->fs;
    uint32_t mask = snap_get_u32(c);
    uint64_t cur = snap_get_u64(c), max = snap_get_u64(c);
    char cwd[FS_PATH_MAX];
    if (snap_get_str(c, cwd, sizeof cwd) < 0 || mask > 0777 || cur > max || max > FS_NOFILE_MAX)
        return restore_bad(err, errlen, "file system");
    rs->nofile = cur;       /* set once the files are back (restore_files) */
    rs->nofile_max = max;
    fs_umask(fs, mask);
    int r = restore_grants(rs, c, err, errlen);
    if (r == 0 && (r = fs_set_cwd(fs, cwd)) < 0)
        save_fail(err, errlen, r, "the working directory %s is missing: %s", restore_shown(cwd), strerror(-r));
    return r;
}

/* A clone's private pages: the template's, which restore_map shared
 * copy-on-write all at once (whole page tables, in O(1) each). */
static int map_from_template(struct restore *rs, uint64_t va, uint64_t len, int prot)
{
    return mem_is_mapped(rs->p->as, va, len) ? mem_protect(rs->p->as, va, len, prot) : MEM_EINVAL;
}

/* Its shared memory (MAP_SHARED): its own, a copy of the template's. */
static int copy_from_template(struct restore *rs, uint64_t va, uint64_t len)
{
    uint8_t page[MEM_PAGE_SIZE];
    for (uint64_t a = va; a < va + len; a += MEM_PAGE_SIZE) {
        if (mem_peek_page(rs->tmpl, a, page) != 0)
            return MEM_EINVAL;
        if (!all_zero(page) && mem_poke(rs->p->as, a, page, MEM_PAGE_SIZE) != 0)
            return MEM_ENOMEM;
    }
    return 0;
}

/* A run of MAP over pages sent ahead (a migration; ahead: their
 * addresses, in order): those keep their bytes and take the run's
 * permissions, the gaps between them are mapped afresh. The work is that
 * of the pages sent and of mapping the run, whatever the run's length. */
static int map_over(struct mem_space *as, uint64_t va, uint64_t len, int prot, const struct valist *ahead)
{
    size_t lo = 0, hi = ahead->n;   /* the first page sent at or above va */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ahead->va[mid] < va)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint64_t at = va, end = va + len;
    for (size_t i = lo; i < ahead->n && ahead->va[i] < end; i++) {
        uint64_t a = ahead->va[i];
        int r = a > at ? mem_map(as, at, a - at, prot) : 0;
        if (r == 0)
            r = mem_protect(as, a, MEM_PAGE_SIZE, prot);
        if (r != 0)
            return r;
        at = a + MEM_PAGE_SIZE;
    }
    return at < end ? mem_map(as, at, end - at, prot) : 0;
}

/* After MAP, pages sent ahead that the map does not have go. */
struct runs {
    const uint64_t (*run)[2];   /* [start, end), in address order */
    uint32_t n;
    struct valist *stray;
};

static int find_stray(void *ctx, uint64_t va, int prot, bool shared, const uint8_t *data)
{
    struct runs *r = ctx;
    (void)prot, (void)shared, (void)data;
    uint32_t lo = 0, hi = r->n;     /* the first run ending above va */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (r->run[mid][1] <= va)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->n && r->run[lo][0] <= va ? 0 : va_out(r->stray, va, 0, false, NULL);
}

static int drop_stray(struct mem_space *as, const uint64_t (*run)[2], uint32_t n)
{
    struct valist stray = { 0 };
    struct runs r = { run, n, &stray };
    int e = mem_space_walk(as, find_stray, &r);
    for (size_t i = 0; e == 0 && i < stray.n; i++)
        e = mem_unmap(as, stray.va[i], MEM_PAGE_SIZE);
    free(stray.va);
    return e || stray.oom ? MEM_ENOMEM : 0;
}

static int restore_map(struct restore *rs, struct snap_cur *c, char *err, size_t errlen)
{
    struct mem_space *as = rs->p->as;
    uint32_t n = snap_get_u32(c);
    if (n > c->len / 18)        /* each run takes 18 bytes */
        return restore_bad(err, errlen, "memory map");
    uint64_t (*run)[2] = rs->ahead && n ? calloc(n, sizeof *run) : NULL;
    struct valist ahead = { 0 };    /* the pages sent ahead, in order */
    int r = rs->ahead && n && !run ? MEM_ENOMEM : 0;
    if (r == 0 && rs->ahead && (mem_space_walk(as, va_out, &ahead) != 0 || ahead.oom))
        r = MEM_ENOMEM;
    /* A clone: the template was restored from this very map (and never
     * ran), so it maps exactly these pages; its shared memory is then
     * mapped afresh below. */
    if (r == 0 && rs->tmpl && !rs->ahead)
        r = mem_share_all(as, rs->tmpl);
    for (uint32_t i = 0; i < n && r == 0; i++) {
        uint64_t va = snap_get_u64(c), pages = snap_get_u64(c);
        int prot = snap_get_u8(c);
        bool shared = snap_get_u8(c) != 0;
        uint64_t len = pages * MEM_PAGE_SIZE;
        if (c->bad || !pages || pages > (1ull << (MEM_VA_BITS - MEM_PAGE_SHIFT)) || prot & ~7 ||
            (va & (MEM_PAGE_SIZE - 1)) || va >= (1ull << MEM_VA_BITS) || len > (1ull << MEM_VA_BITS) - va ||
            (run && i > 0 && va < run[i - 1][1])) {
            r = MEM_EINVAL;
            break;
        }
        if (run) {
            run[i][0] = va;
            run[i][1] = va + len;
        }
        r = rs->ahead ? map_over(as, va, len, prot, &ahead)
          : rs->tmpl && !shared ? map_from_template(rs, va, len, prot)
          : mem_map(as, va, len, prot);
        if (r == 0 && shared)
            r = mem_set_shared(as, va, len);
        if (r == 0 && shared && rs->tmpl)
            r = copy_from_template(rs, va, len);
    }
    if (r == 0 && rs->ahead)
        r = drop_stray(as, (const uint64_t (*)[2])run, n);
    free(ahead.va);
    free(run);
    if (r < 0)
        return save_fail(err, errlen, r == MEM_ENOMEM ? -LX_ENOMEM : -LX_EBADMSG,
                    r == MEM_ENOMEM ? "over the memory limit" : "the memory map section is malformed");
    return snap_cur_end(c) ? 0 : restore_bad(err, errlen, "memory map");
}

/* Pages sent ahead by a migration go straight into the space, readable
 * and writable until MAP gives each its permissions (nothing runs yet). */
static int restore_precopy(struct restore *rs, struct snap_cur *c, char *err, size_t errlen)
{
    struct mem_space *as = rs->p->as;
    rs->ahead = true;
    uint32_t n = snap_get_u32(c);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t tag = snap_get_u64(c), va = tag & MEM_PAGE_MASK;
        const uint8_t *d = tag & 1 ? NULL : snap_get_bytes(c, MEM_PAGE_SIZE);
        if (c->bad || (tag & (MEM_PAGE_SIZE - 2)) || va >= (1ull << MEM_VA_BITS))
            return restore_bad(err, errlen, "pre-copy");
        int r = mem_map(as, va, MEM_PAGE_SIZE, MEM_R | MEM_W);   /* drops what was there */
        if (r == 0 && d)
            r = mem_poke(as, va, d, MEM_PAGE_SIZE);
        if (r != 0)
            return save_fail(err, errlen, -LX_ENOMEM, "over the memory limit");
    }
    return snap_cur_end(c) ? 0 : restore_bad(err, errlen, "pre-copy");
}

static int restore_pages(struct restore *rs, struct snap_cur *c, char *err, size_t errlen)
{
    if (rs->tmpl)
        return 0;           /* a clone has them from its template */
    uint32_t n = snap_get_u32(c);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t va = snap_get_u64(c);
        const uint8_t *d = snap_get_bytes(c, MEM_PAGE_SIZE);
        if (!d || (va & (MEM_PAGE_SIZE - 1)) || mem_prot_at(rs->p->as, va) < 0)
            return restore_bad(err, errlen, "pages");
        int r = mem_poke(rs->p->as, va, d, MEM_PAGE_SIZE);
        if (r < 0)
            return save_fail(err, errlen, -LX_ENOMEM, "over the memory limit");
    }
    return snap_cur_end(c) ? 0 : restore_bad(err, errlen, "pages");
}

static int restore_signals(struct restore *rs, struct snap_cur *c, char *err, size_t errlen)
{
    struct proc *p = rs->p;
    for (int i = 0; i < 65; i++)
        for (int j = 0; j < 4; j++)
            p->sigactions[i][j] = snap_get_u64(c);
    if (!get_pending(c, &p->sigpending))
        return restore_bad(err, errlen, "signals");
    uint32_t n = snap_get_u32(c);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = snap_get_u32(c);
        uint8_t fl = snap_get_u8(c);
        if (c->bad || i >= SIG_NTIMERS || fl > 7 || p->timers[i].used || p->timers[i].armed)
            return restore_bad(err, errlen, "signals");     /* each slot once */
        struct sig_timer *tm = &p->timers[i];
        tm->used = fl & 1;
        tm->armed = fl >> 1 & 1;
        tm->cpu = fl >> 2 & 1;
        tm->clock = (int)snap_get_u32(c);
        tm->expiry = snap_get_u64(c);
        tm->interval = snap_get_u64(c);
        tm->signo = (int)snap_get_u32(c);
        tm->notify = (int)snap_get_u32(c);
        tm->tid = (int)snap_get_u32(c);
        tm->value = snap_get_u64(c);
        tm->overrun = (int)snap_get_u32(c);
        /* As setitimer and timer_create leave them (SIGEV_SIGNAL 0,
         * SIGEV_NONE 1, SIGEV_THREAD_ID 4): a POSIX timer that signals
         * has a signal to send. */
        bool posix = i >= 3;
        if (posix ? (tm->notify != 0 && tm->notify != 1 && tm->notify != 4) ||
                        (tm->notify != 1 && (tm->signo < 1 || tm->signo > 64))
                  : tm->notify != 0)
            return restore_bad(err, errlen, "signals");
        if (tm->armed)
            atomic_fetch_add(&p->timers_armed, 1);
    }
    return snap_cur_end(c) ? 0 : restore_bad(err, errlen, "signals");
}

static int restore_thread(struct restore *rs, struct snap_cur *c, char *err, size_t errlen)
{
    struct proc *p = rs->p;
    uint32_t tid = snap_get_u32(c);
    bool main = rs->nsaved++ == 0;     /* the main thread comes first */
    if (c->bad || (main ? tid != (uint32_t)p->pid : tid <= (uint32_t)p->pid || tid >= (uint32_t)proc_next_id(p)))
        return restore_bad(err, errlen, "thread");
    for (int i = 0; i < rs->nthreads; i++)
        if (rs->threads[i]->tid == (int)tid)
            return restore_bad(err, errlen, "thread");
    struct thread *t = p->main;
    if (!main) {
        struct thread **v = realloc(rs->threads, (size_t)(rs->nthreads + 1) * sizeof *v);
        if (!v || !(t = proc_thread_new(p, (int)tid))) {
            if (v)
                rs->threads = v;
            return save_fail(err, errlen, -LX_ENOMEM, "out of memory");
        }
        rs->threads = v;
        rs->threads[rs->nthreads++] = t;
    }
    struct rv_hart *h = t->hart;
    h->pc = snap_get_u64(c);
    for (int i = 1; i < 32; i++)
        h->x[i] = snap_get_u64(c);
    for (int i = 0; i < 32; i++)
        h->f[i] = snap_get_u64(c);
    uint32_t fcsr = snap_get_u32(c);
    h->fflags = fcsr & 0x1f;
    h->frm = fcsr >> 5 & 7;
    uint64_t instret = snap_get_u64(c), age = snap_get_u64(c);
    rv_set_budget(h, 0);
    h->instret_base = instret;
    h->time_base_ns = rs->mono - age;
    t->clear_child_tid = snap_get_u64(c);
    t->robust_list = snap_get_u64(c);
    t->robust_len = snap_get_u64(c);
    t->sigmask = snap_get_u64(c);
    if (!get_pending(c, &t->pending))
        return restore_bad(err, errlen, "thread");
    t->saved_mask = snap_get_u64(c);
    t->restore_mask = snap_get_u8(c) != 0;
    t->ss_sp = snap_get_u64(c);
    t->ss_size = snap_get_u64(c);
    t->ss_flags = snap_get_u32(c);
    if ((h->pc & 1) || fcsr >> 8 || age > rs->mono)
        return restore_bad(err, errlen, "thread");
    return snap_cur_end(c) ? 0 : restore_bad(err, errlen, "thread");
}

/* SHARED: pages of this process that are an earlier one's (fork's
 * copy-on-write, MAP_SHARED memory): shared with it again. */
static int restore_shared(struct restore *rs, struct snap_cur *c, char *err, size_t errlen)
{
    struct mem_space *as = rs->p->as;
    uint32_t n = snap_get_u32(c);
    if (c->bad || n > c->len / 20)
        return restore_bad(err, errlen, "shared pages");
    for (uint32_t i = 0; i < n; i++) {
        uint64_t va = snap_get_u64(c);
        uint32_t from = snap_get_u32(c);
        uint64_t sva = snap_get_u64(c);
        if (c->bad || from + 1 >= (uint32_t)rs->nprocs || rs->procs[from]->zombie ||
            (va | sva) & (MEM_PAGE_SIZE - 1))
            return restore_bad(err, errlen, "shared pages");
        struct mem_space *src = rs->procs[from]->as;
        int prot = mem_prot_at(as, va);
        if (prot < 0 || mem_prot_at(src, sva) < 0)
            return restore_bad(err, errlen, "shared pages");
        int r = mem_share(as, va, src, sva, MEM_PAGE_SIZE);
        if (r == 0)
            r = mem_protect(as, va, MEM_PAGE_SIZE, prot);   /* its own permissions */
        if (r != 0)
            return save_fail(err, errlen, r == MEM_ENOMEM ? -LX_ENOMEM : -LX_EBADMSG,
                        r == MEM_ENOMEM ? "over the memory limit" : "the shared pages section is malformed");
    }
    return snap_cur_end(c) ? 0 : restore_bad(err, errlen, "shared pages");
}

/* PROCESS: the process before is complete; the next one begins. */
static int next_process(struct restore *rs, struct snap_cur *c, char *err, size_t errlen)
{
    if (!rs->zombie && !(rs->seen & 1u << SAVE_THREAD))
        return save_fail(err, errlen, -LX_EBADMSG, "process %d of the snapshot has no thread", rs->p->pid);
    struct done *d = realloc(rs->done, (size_t)(rs->ndone + 1) * sizeof *d);
    struct proc **v = realloc(rs->procs, (size_t)(rs->nprocs + 1) * sizeof *v);
    if (d)
        rs->done = d;
    if (v)
        rs->procs = v;
    if (!d || !v)
        return save_fail(err, errlen, -LX_ENOMEM, "out of memory");
    rs->done[rs->ndone++] = (struct done){ rs->p, rs->threads, rs->nthreads };
    rs->threads = NULL;
    rs->nthreads = rs->nsaved = 0;
    rs->seen = 0;
    memset(rs->used, 0, (size_t)rs->ngrants * sizeof *rs->used);    /* each process its grants */
    uint32_t pid = snap_get_u32(c), ppid = snap_get_u32(c), pgid = snap_get_u32(c), sid = snap_get_u32(c);
    uint32_t exit_signal = snap_get_u32(c);
    uint8_t fl = snap_get_u8(c);
    uint32_t wstatus = snap_get_u32(c), stop_sig = snap_get_u32(c), code = snap_get_u32(c);
    uint32_t killed_by = snap_get_u32(c), reason = snap_get_u32(c);
    uint64_t ran = snap_get_u64(c);
    if (!snap_cur_end(c) || (ran && !(fl & PS_ZOMBIE)) || !pgid || !sid || pgid > PROC_MAX_ID || sid > PROC_MAX_ID || exit_signal > LX_NSIG ||
        fl & ~(PS_ZOMBIE | PS_AUTOREAP | PS_STOP_REPORT | PS_CONT_REPORT | PS_STOPPED) || stop_sig > LX_NSIG ||
        killed_by > LX_NSIG || (reason != 0 && reason != RV_EXIT_TRAP && reason != RV_EXIT_NOMEM) || wstatus > 0xffff)
        return restore_bad(err, errlen, "process");
    int e = 0;
    struct proc *p = proc_tree_add(rs->root, (int)pid, (int)ppid, &e);
    if (!p)
        return e == -LX_ENOMEM ? save_fail(err, errlen, e, "out of memory") : restore_bad(err, errlen, "process");
    rs->procs[rs->nprocs++] = p;
    rs->p = p;
    if (rs->tmpl_root) {
        /* A clone: this process's pages are its namesake's in the
         * template (a zombie has none). */
        struct proc *t = rs->tmpl_root->tree ? proc_tree_lock_find(rs->tmpl_root, (int)pid) : NULL;
        rs->tmpl = t ? t->as : NULL;
        if (rs->tmpl_root->tree)
            proc_tree_unlock(rs->tmpl_root);
        if (!rs->tmpl && !(fl & PS_ZOMBIE))
            return restore_bad(err, errlen, "process (not in the template)");
    }
    p->pgid = (int)pgid;
    p->sid = (int)sid;
    p->exit_signal = (int)exit_signal;
    p->wstatus = (int)wstatus;
    p->stop_sig = (int)stop_sig;
    p->exit_code = (int)code;
    p->killed_by = (int)killed_by;
    p->fault_reason = (int)reason;
    p->autoreap = fl & PS_AUTOREAP;
    p->stop_report = fl & PS_STOP_REPORT;
    p->cont_report = fl & PS_CONT_REPORT;
    atomic_store(&p->stopped, (fl & PS_STOPPED) != 0);
    rs->zombie = fl & PS_ZOMBIE;
    if (rs->zombie) {
        p->reaped_instret = ran;
        p->zombie = p->exited = true;   /* it waits to be reaped, nothing more */
        p->main->exited = true;
        p->nlive = 0;
    }
    return 0;
}

/* Sections in the order they must come; PAGES and THREAD repeat; PAGES
 * and SHARED may be absent. PROCESS starts the next process. */
static const uint32_t order[] = { SAVE_PROC, SAVE_FS, SAVE_FILES, SAVE_EPOLL, SAVE_MAP, SAVE_PAGES, SAVE_SHARED,
                                  SAVE_SIGNALS, SAVE_THREAD };

int proc_restore(struct restore *rs, uint32_t type, struct snap_cur *c, char *err, size_t errlen)
{
    if (type == SAVE_PRECOPY) {     /* before everything else, repeated */
        if (rs->seen || rs->nprocs > 1)
            return save_fail(err, errlen, -LX_EBADMSG, "section %u is out of order", type);
        return restore_precopy(rs, c, err, errlen);
    }
    if (rs->zombie && type != SAVE_PROCESS)
        return save_fail(err, errlen, -LX_EBADMSG, "section %u follows a process that has ended", type);
    if (type == SAVE_PROCESS)
        return next_process(rs, c, err, errlen);
    size_t at = 0;
    while (at < sizeof order / sizeof order[0] && order[at] != type)
        at++;
    if (at == sizeof order / sizeof order[0])
        return save_fail(err, errlen, -LX_EBADMSG, "unknown section type %u", type);
    /* Every section before this one in the order has come (PAGES may be
     * absent: no page was written), and none after it. */
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        bool have = rs->seen & 1u << order[i];
        if ((i < at && !have && order[i] != SAVE_PAGES && order[i] != SAVE_SHARED && order[i] != SAVE_EPOLL) ||
            (i > at && have) ||
            (i == at && have && type != SAVE_PAGES && type != SAVE_THREAD))
            return save_fail(err, errlen, -LX_EBADMSG, "section %u is out of order", type);
    }
    rs->seen |= 1u << type;
    switch (type) {
    case SAVE_PROC: return restore_proc(rs, c, err, errlen);
    case SAVE_FS: return restore_fs(rs, c, err, errlen);
    case SAVE_FILES: return restore_files(rs, c, err, errlen);
    case SAVE_EPOLL: return restore_epolls(rs, c, err, errlen);
    case SAVE_PAGES: return restore_pages(rs, c, err, errlen);
    case SAVE_MAP: return restore_map(rs, c, err, errlen);
    case SAVE_SHARED: return rs->nprocs > 1 ? restore_shared(rs, c, err, errlen) : restore_bad(err, errlen, "shared pages");
    case SAVE_SIGNALS: return restore_signals(rs, c, err, errlen);
    default: return restore_thread(rs, c, err, errlen);
    }
}

int proc_restore_end(struct restore *rs, bool ok, char *err, size_t errlen)
{
    int r = 0;
    struct done *d = realloc(rs->done, (size_t)(rs->ndone + 1) * sizeof *d);
    if (d) {
        rs->done = d;
        rs->done[rs->ndone++] = (struct done){ rs->p, rs->threads, rs->nthreads };
    } else {
        r = save_fail(err, errlen, -LX_ENOMEM, "out of memory");
        free(rs->threads);
    }
    if (ok && r == 0 && !rs->zombie && !(rs->seen & 1u << SAVE_THREAD))
        r = save_fail(err, errlen, -LX_EBADMSG, "process %d of the snapshot has no thread", rs->p->pid);
    for (int k = 0; ok && r == 0 && k < rs->ndone; k++) {
        const struct done *q = &rs->done[k];
        if (!q->p->zombie && q->p->main->exited && q->nthreads == 0)   /* a run would wait forever */
            r = save_fail(err, errlen, -LX_EBADMSG, "every thread of process %d of the snapshot has exited", q->p->pid);
    }
    /* The processes after the first get their host threads (parked until
     * the VM runs), then every process its other threads. */
    for (int k = 1; ok && r == 0 && k < rs->ndone; k++)
        if ((r = proc_tree_start(rs->done[k].p)) < 0)
            save_fail(err, errlen, r, "cannot start process %d", rs->done[k].p->pid);
    for (int k = 0; k < rs->ndone; k++) {
        const struct done *q = &rs->done[k];
        for (int i = 0; i < q->nthreads; i++) {
            struct thread *t = q->threads[i];
            if (ok && r == 0) {
                r = proc_thread_start(q->p, t);
                if (r < 0)
                    save_fail(err, errlen, r, "cannot start a thread");
            } else {
                rv_hart_free(t->hart);
                free(t);
            }
        }
        free(q->threads);
    }
    /* The guest's clocks go on from the snapshot's time. A clone's went
     * on already from its template's restore: set again, they would go
     * back for the clones made before it. */
    if (ok && r == 0 && !rs->tmpl_root) {
        host_time_set_monotonic(rs->mono);
        host_time_set_cputime(rs->cpu);
    }
    for (uint32_t i = 0; i < rs->nfiles; i++)
        file_unref(rs->files[i]);   /* the fd tables hold what they use */
    free(rs->files);
    free(rs->done);
    free(rs->procs);
    free(rs->used);
    free(rs);
    return r;
}
