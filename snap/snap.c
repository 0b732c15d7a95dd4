/*
 * snap.c — libmvm's snapshots (include/mvm.h): a VM between runs to a file
 * of the format in snap/format.h, and a new VM from one.
 *
 * The file is the VM section (its settings: memory limit, flags, what is
 * left of its budget) followed by the process's sections (user/save.h);
 * docs/snapshot-format.md describes every byte. The VM must be between
 * runs, so that nothing changes while it is saved; the save changes
 * nothing in it, and a failed one leaves no file behind (the previous
 * snapshot of that name stays whole).
 */
#include "snap/snap_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/file.h"
#include "host/host.h"
#include "host/thread.h"
#include "snap/format.h"
#include "sys/board.h"
#include "user/fs.h"
#include "user/lx.h"
#include "user/proc.h"
#include "user/save.h"

/* Settings saved in the VM section (the public MVM_* flags that matter). */
#define SAVED_FLAGS (MVM_TRACE_SYSCALLS | MVM_TRACE_INSNS | MVM_NO_JIT | MVM_STREAM_META)

int snap_errno(int r)
{
    switch (r) {
    case SNAP_EIO: return -MVM_EIO;
    case SNAP_EFORMAT: return -MVM_ENOEXEC;
    case SNAP_EVERSION: return -MVM_ENOTSUP;
    case SNAP_ECORRUPT: return -MVM_EBADMSG;
    case SNAP_EUNSUPPORTED: return -MVM_ENOTSUP;
    case SNAP_ENOMEM: return -MVM_ENOMEM;
    }
    return r < 0 ? -MVM_EIO : 0;
}

int snap_check_vm(mvm_vm *vm)
{
    if (vm->remote) {
        snprintf(vm->error, sizeof vm->error, "a VM run by the monitor above cannot be saved here");
        return -MVM_ENOSYS;
    }
    if (!snap_available()) {
        snprintf(vm->error, sizeof vm->error, "this build has no snapshots (rebuild with libxxhash-dev)");
        return -MVM_ENOSYS;
    }
    struct proc *p = vm->p;
    if (!vm->loaded || vm->proc_root)
        return -MVM_EINVAL;
    host_mutex_lock(p->mu);
    bool running = p->running, ended = p->exited || p->ended;
    host_mutex_unlock(p->mu);
    if (ended) {
        snprintf(vm->error, sizeof vm->error, "the program has ended");
        return -MVM_EBUSY;
    }
    if (running) {
        snprintf(vm->error, sizeof vm->error, "the VM is running (save it between runs)");
        return -MVM_EBUSY;
    }
    /* Its other processes run on host threads of their own: they park. */
    if (proc_tree_count(p) > 1 && vm_tree_quiesce(vm) != 0) {
        snprintf(vm->error, sizeof vm->error, "a process of the VM did not stop");
        return -MVM_EBUSY;
    }
    int r = proc_check_saveable(p, vm->error, sizeof vm->error);
    return r != 0 ? r : snap_tree_check(vm);   /* the VMs its guest made */
}

void snap_put_settings(struct snap_buf *b, mvm_vm *vm)
{
    struct proc *p = vm->p;
    struct mem_stats ms;
    mem_pool_stats(p->pool, &ms);
    unsigned flags = (p->trace_syscalls ? MVM_TRACE_SYSCALLS : 0) | (p->hart->trace_insns ? MVM_TRACE_INSNS : 0) |
                     (p->hart->no_jit ? MVM_NO_JIT : 0) | (fs_stream_meta(p->fs) ? MVM_STREAM_META : 0);
    /* Its own budget: the VMs above it have theirs. */
    int64_t budget = atomic_load(&p->budget);
    snap_put_u64(b, ms.limit_pages * MEM_PAGE_SIZE);
    snap_put_u32(b, flags);
    /* 0: unlimited; one spent (or overrun by other processes' slices) is 1. */
    snap_put_u64(b, budget >= INT64_MAX / 2 ? 0 : budget <= 0 ? 1 : (uint64_t)budget);
}

int snap_get_settings(struct snap_cur *c, struct mvm_config *out)
{
    uint64_t limit = snap_get_u64(c);
    uint32_t flags = snap_get_u32(c);
    uint64_t budget = snap_get_u64(c);
    if (c->bad || (flags & ~SAVED_FLAGS) || (limit && limit < MVM_MEM_MIN) || budget > INT64_MAX)
        return -1;
    *out = (struct mvm_config)MVM_CONFIG_INIT;
    out->mem_limit = limit;
    out->flags = flags;
    out->budget = (int64_t)budget;
    out->nest_mode = MVM_NEST_EMULATE;
    return 0;
}

int snap_write_vm(mvm_vm *vm, struct snap_writer *w)
{
    struct snap_buf b = { 0 };
    snap_put_settings(&b, vm);
    int r = snap_errno(snap_write_buf(w, SAVE_VM, &b));
    snap_buf_free(&b);
    if (r != 0 && r != -MVM_ENOMEM)
        snprintf(vm->error, sizeof vm->error, "%s", snap_writer_error(w));
    return r;
}

int mvm_vm_snapshot(mvm_vm *vm, const char *path, unsigned flags)
{
    if (!vm || !path || (flags & ~(unsigned)MVM_SNAPSHOT_UNCOMPRESSED))
        return -MVM_EINVAL;
    if (vm->is_board)
        return vm_board_snapshot(vm, path, flags);
    vm->error[0] = 0;
    int r = snap_check_vm(vm);
    if (r != 0)
        return r;
    struct snap_writer *w;
    if ((r = snap_writer_open(path, &w, vm->error, sizeof vm->error)) != 0)
        return snap_errno(r);
    if (flags & MVM_SNAPSHOT_UNCOMPRESSED)
        snap_writer_raw(w);
    r = snap_write_vm(vm, w);
    /* The user/ layer's errno values are Linux's, as MVM_E* are. */
    if (r == 0)
        r = proc_save(vm->p, w, 0, vm->error, sizeof vm->error);
    if (r == 0)
        r = snap_tree_write(vm, w);
    if (r == 0 && (r = snap_writer_commit(w)) != 0) {
        snprintf(vm->error, sizeof vm->error, "%s", snap_writer_error(w));
        r = snap_errno(r);
    }
    snap_writer_abort(w);   /* frees; removes the file unless committed */
    return r;
}

/* The VM section: settings for the new VM, cfg's where given. */
static int read_vm_section(struct snap_cur *c, const struct mvm_config *cfg, struct mvm_config *out)
{
    if (snap_get_settings(c, out) != 0 || !snap_cur_end(c))
        return -1;
    if (cfg && cfg->mem_limit)
        out->mem_limit = cfg->mem_limit;
    if (cfg)
        out->flags |= cfg->flags & SAVED_FLAGS;
    if (cfg && cfg->budget)
        out->budget = cfg->budget;
    return 0;
}

/* Checks what mvm_vm_restore and mvm_vm_receive are given. */
static int check_restore_args(const struct mvm_config *cfg, const struct mvm_grant *grants, int ngrants,
                              mvm_vm **out, char *err, size_t errlen)
{
    if (!out || !err || !errlen || ngrants < 0 || (ngrants && !grants) ||
        (cfg && (cfg->budget < 0 || (cfg->mem_limit && cfg->mem_limit < MVM_MEM_MIN))))
        return -MVM_EINVAL;
    *out = NULL;
    err[0] = 0;
    for (int i = 0; i < ngrants; i++) {
        const struct mvm_grant *g = &grants[i];
        if (!g->guest || g->kind < MVM_GRANT_DIR || g->kind > MVM_GRANT_CONNECT || (g->kind == MVM_GRANT_DIR && !g->host))
            return -MVM_EINVAL;
    }
    return 0;
}

/* Where the sections come from: a reader, or a clone template's copy of
 * them (records of u32 type, u32 length, bytes: checked when read). A
 * reader's may be kept (keep): those but the pages, as a template's. */
struct source {
    struct snap_reader *rd;
    struct snap_buf *keep;
    const uint8_t *buf;
    size_t len, off;
};

static void keep_section(struct snap_buf *b, uint32_t type, const struct snap_cur *c)
{
    if (type == SAVE_PAGES || type == SAVE_PAGE_INDEX)
        return;
    snap_put_u32(b, type);
    snap_put_u32(b, (uint32_t)c->len);
    snap_put_bytes(b, c->p, c->len);
}

static int source_next(struct source *s, uint32_t *type, struct snap_cur *c)
{
    if (s->rd) {
        int r = snap_reader_next(s->rd, type, c);
        if (r == 1 && s->keep)
            keep_section(s->keep, *type, c);
        return r;
    }
    if (s->off == s->len)
        return 0;
    *type = ld32(s->buf + s->off);
    uint32_t n = ld32(s->buf + s->off + 4);
    *c = (struct snap_cur){ .p = s->buf + s->off + 8, .len = n };
    s->off += 8 + (size_t)n;
    return 1;
}

/* Restoring memory: every PAGES section as it comes (a stream), lazily
 * (a file), or none (a clone: its pages are the template's). */
enum restore_mode { RESTORE_EAGER, RESTORE_LAZY, RESTORE_CLONE };

/* The PAGES sections the reader deferred, read now (no index came). */
static int restore_pending(struct snap_lazy *lz, struct restore *rs, char *why, size_t whylen)
{
    uint32_t n = snap_lazy_pending(lz);
    for (uint32_t i = 0; i < n; i++) {
        struct snap_cur c;
        int r = snap_lazy_load(lz, i, &c);
        if (r != 0)
            return r;   /* a SNAP_E*: the reader says why */
        if ((r = proc_restore(rs, SAVE_PAGES, &c, why, whylen)) != 0)
            return r;
    }
    snap_lazy_forget(lz);
    return 0;
}

/* PAGE_INDEX: the deferred sections become vm's pager (which holds the
 * reader too). */
static int restore_index(struct snap_lazy **lzp, mvm_vm *vm, struct snap_cur *c, char *why, size_t whylen)
{
    struct mem_stats ms;
    mem_pool_stats(vm->p->pool, &ms);
    int e = snap_lazy_index(*lzp, c, ms.limit_pages ? ms.limit_pages : UINT64_MAX / MEM_PAGE_SIZE);
    if (e == -2) {
        snprintf(why, whylen, "out of memory");
        return -MVM_ENOMEM;
    }
    if (e != 0 || snap_lazy_attach(*lzp, vm->p->as) != 0) {
        snprintf(why, whylen, "the page index section is malformed");
        return -MVM_EBADMSG;
    }
    *lzp = NULL;
    return 0;
}

/* CHILD: a VM top's guest made; *rs becomes its restore (NULL if its
 * program has ended: nothing of its own follows). A clone's takes its
 * pages from its namesake in the template's tree. */
static int next_child(struct snap_tree *tree, mvm_vm *top, struct snap_cur *c, struct restore **rs,
                      char *why, size_t whylen)
{
    mvm_vm *child, *tmpl;
    bool done;
    int r = snap_tree_child(tree, c, &child, &tmpl, &done, why, whylen);
    if (r != 0 || done)
        return r;
    if (!(*rs = proc_restore_begin(child->p, NULL, 0, tmpl ? tmpl->p : NULL))) {
        snprintf(why, whylen, "out of memory");
        return -MVM_ENOMEM;
    }
    proc_restore_above(*rs, top->p->fs);
    return 0;
}

/* A VM from the snapshot rd reads, or from src (name: for messages). A
 * lazy restore's pager holds the reader too: it is used here (sections)
 * and by the pager (a process restored after the first sharing the
 * first's pages) one at a time, on this thread, until the VM runs. */
static int restore_from(struct snap_reader *rd, struct source *src, const char *name, const struct mvm_config *cfg,
                        mvm_vm *tmpl, int ack_fd, const struct mvm_grant *grants, int ngrants, enum restore_mode mode,
                        mvm_vm **out, char *err, size_t errlen)
{
    struct snap_buf kept = { 0 };   /* a file's sections, for clones of the VM */
    struct source own = { .rd = rd, .keep = ack_fd < 0 && !tmpl ? &kept : NULL };
    if (!src)
        src = &own;
    uint32_t type;
    struct snap_cur c;
    struct mvm_config vcfg;
    mvm_vm *vm = NULL;
    struct restore *rs = NULL;
    struct snap_lazy *lz = NULL;
    if (mode != RESTORE_EAGER && rd && snap_reader_defer(rd, SAVE_PAGES) != 0)
        mode = RESTORE_EAGER;   /* not a file: read as it comes */
    int r = source_next(src, &type, &c);
    if (r == 1 && (type != SAVE_VM || read_vm_section(&c, cfg, &vcfg) != 0)) {
        snprintf(err, errlen, "%s: the VM section is missing or malformed", name);
        r = -MVM_EBADMSG;
    } else if (r == 0) {
        snprintf(err, errlen, "%s: the snapshot holds no VM", name);
        r = -MVM_EBADMSG;
    } else if (r < 0) {
        snprintf(err, errlen, "%s", snap_reader_error(rd));
        r = snap_errno(r);
    } else if ((r = vm_create_native_in(&vcfg, NULL, NULL, tmpl ? tmpl->p->pool : NULL, 0, &vm)) != 0) {
        snprintf(err, errlen, "%s: cannot make the VM: %s", name, mvm_strerror(r));
    } else {
        vm->loaded = true;
        if (!(rs = proc_restore_begin(vm->p, grants, ngrants, tmpl ? tmpl->p : NULL)) ||
            (mode == RESTORE_LAZY && !(lz = snap_lazy_new(rd))))
            r = -MVM_ENOMEM;
    }
    char why[256] = "";
    int nproc = 0;      /* PROCESS and CHILD sections so far: the first process's memory is lazy */
    struct restore *top_rs = rs;    /* rs: the VM being restored (NULL: one that has ended) */
    struct snap_tree *tree = NULL;
    while (r == 0 && (r = source_next(src, &type, &c)) == 1) {
        r = 0;
        if (type == SAVE_PROCESS || type == SAVE_CHILD)
            nproc++;
        if (type == SAVE_CHILD || type == SAVE_TREE) {
            /* The VM before is complete (the top's restore ends last). */
            if (lz && (r = restore_pending(lz, rs, why, sizeof why)) != 0)
                break;
            if (rs && rs != top_rs && (r = proc_restore_end(rs, true, why, sizeof why)) != 0) {
                rs = NULL;
                break;
            }
            rs = NULL;
            r = type == SAVE_TREE ? snap_tree_begin(&tree, vm, tmpl, &c, why, sizeof why)
                                  : next_child(tree, vm, &c, &rs, why, sizeof why);
            continue;
        }
        if (!rs) {
            snprintf(why, sizeof why, "section %u is out of place", type);
            r = -MVM_EBADMSG;
            break;
        }
        if (type == SAVE_PAGES && mode != RESTORE_EAGER) {
            /* A process after the first: its pages are read at its index. */
            if (mode == RESTORE_LAZY && !lz && !(lz = snap_lazy_new(rd)))
                r = -MVM_ENOMEM;
            if (lz && snap_lazy_add(lz) != 0)
                r = -MVM_ENOMEM;
            if (r != 0)
                snprintf(why, sizeof why, "out of memory");
            continue;       /* deferred; a clone's pages are the template's */
        }
        if (type == SAVE_PAGE_INDEX && lz && nproc == 0) {
            r = restore_index(&lz, vm, &c, why, sizeof why);
            continue;
        }
        if (lz && (r = restore_pending(lz, rs, why, sizeof why)) != 0)
            break;
        if (type & SNAP_TYPE_OPTIONAL)  /* a later addition that may be skipped */
            continue;
        if ((r = proc_restore(rs, type, &c, why, sizeof why)) == 0 && ack_fd >= 0 && type == SAVE_PRECOPY &&
            host_file_write_all(ack_fd, MIGRATE_APPLIED, 1) != 0)
            r = -MVM_EIO;   /* the sender went away */
    }
    if (r == 0 && lz)
        r = restore_pending(lz, rs, why, sizeof why);
    if (r != 0 && why[0])
        snprintf(err, errlen, "%s: %s", name, why);
    else if (r < 0 && !err[0] && rd) {     /* the reader's error (a SNAP_E*) */
        snprintf(err, errlen, "%s", snap_reader_error(rd));
        r = snap_errno(r);
    }
    snap_lazy_free(lz);
    for (int k = 0; k < 2; k++) {   /* the last VM made by a guest, then the top */
        struct restore *x = k == 0 ? (rs != top_rs ? rs : NULL) : top_rs;
        int e = x ? proc_restore_end(x, r == 0, why, sizeof why) : 0;
        if (r == 0 && e != 0) {
            snprintf(err, errlen, "%s: %s", name, why);
            r = e;
        }
    }
    snap_tree_free(tree);
    char *path = r == 0 && own.keep && !kept.oom ? strdup(name) : NULL;
    if (r != 0) {
        snap_buf_free(&kept);
        mvm_vm_destroy(vm);
        return r;
    }
    if (path) {     /* else the first clone reads the file again */
        vm->tmpl_sections = kept.data;
        vm->tmpl_len = kept.len;
        vm->tmpl_path = path;
    } else {
        snap_buf_free(&kept);
    }
    *out = vm;
    return 0;
}

/*
 * A clone template's tables, lent once (MVM_CLONE_TEMPLATE): a space of
 * top's holds every table of each space of its tree (every process of
 * every VM), so that a table is frozen, its counts taken, before the
 * first clone: each clone then only adds a reference to it. A template
 * that runs copies each table it changes, as any holder of a lent one.
 */
static int hold_space(mvm_vm *top, struct mem_space *as)
{
    struct mem_space **h = realloc(top->tmpl_hold, (size_t)(top->ntmpl_hold + 1) * sizeof *h);
    if (!h)
        return -MVM_ENOMEM;
    top->tmpl_hold = h;
    struct mem_space *s = mem_space_new(mem_space_pool(as));
    if (!s)
        return -MVM_ENOMEM;
    h[top->ntmpl_hold++] = s;
    return mem_share_all(s, as) == 0 ? 0 : -MVM_ENOMEM;
}

static int hold_tables(mvm_vm *top, mvm_vm *vm)
{
    struct proc **list;
    int n = proc_tree_list_all(vm->p, &list), r = n < 0 ? -MVM_ENOMEM : 0;
    for (int i = 0; i < n && r == 0; i++)
        if (list[i]->as)
            r = hold_space(top, list[i]->as);
    free(list);
    for (int s = 0; s < MVM_HC_MAX_CHILDREN && r == 0; s++)
        if (vm->children[s] && !vm->children[s]->remote && !vm->children[s]->is_board)
            r = hold_tables(top, vm->children[s]);
    return r;
}

int mvm_vm_restore(const char *path, const struct mvm_config *cfg, const struct mvm_grant *grants, int ngrants,
                    mvm_vm **out, char *err, size_t errlen)
{
    int r = path ? check_restore_args(cfg, grants, ngrants, out, err, errlen) : -MVM_EINVAL;
    if (r != 0)
        return r;
    struct snap_reader *rd;
    if ((r = snap_reader_open(path, &rd, err, errlen)) != 0)
        return snap_errno(r);
    /* A board's snapshot begins with its configuration. */
    uint32_t type;
    struct snap_cur c;
    if ((r = snap_reader_next(rd, &type, &c)) == 1 && type == BOARD_SEC_CONFIG) {
        r = vm_board_restore(rd, &c, out, err, errlen);
        snap_reader_close(rd);
        return r;
    }
    snap_reader_close(rd);
    if ((r = snap_reader_open(path, &rd, err, errlen)) != 0)
        return snap_errno(r);
    bool tmpl = cfg && (cfg->flags & MVM_CLONE_TEMPLATE);
    r = restore_from(rd, NULL, path, cfg, NULL, -1, grants, ngrants,
                     tmpl || (cfg && (cfg->flags & MVM_EAGER_RESTORE)) ? RESTORE_EAGER : RESTORE_LAZY, out, err, errlen);
    snap_reader_close(rd);
    if (r == 0 && tmpl && (r = hold_tables(*out, *out)) != 0) {
        snprintf(err, errlen, "%s: out of memory", path);
        mvm_vm_destroy(*out);
        *out = NULL;
    }
    return r;
}

/* The template's copy of the snapshot's sections other than pages
 * (tmpl->tmpl_sections), kept by its restore or read once here: a clone
 * is then made without the file. 0, or an MVM_E* with err set. */
static int template_sections(mvm_vm *tmpl, const char *path, char *err, size_t errlen)
{
    if (tmpl->tmpl_path && strcmp(tmpl->tmpl_path, path) == 0)
        return 0;
    struct snap_reader *rd;
    int r = snap_reader_open(path, &rd, err, errlen);
    if (r != 0)
        return snap_errno(r);
    snap_reader_defer(rd, SAVE_PAGES);  /* a clone's pages are the template's */
    struct snap_buf b = { 0 };
    uint32_t type;
    struct snap_cur c;
    while ((r = snap_reader_next(rd, &type, &c)) == 1)
        keep_section(&b, type, &c);
    char *p = r == 0 ? strdup(path) : NULL;
    if (r < 0) {
        snprintf(err, errlen, "%s", snap_reader_error(rd));
        r = snap_errno(r);
    } else if (b.oom || !p) {
        snprintf(err, errlen, "%s: out of memory", path);
        r = -MVM_ENOMEM;
    }
    snap_reader_close(rd);
    if (r != 0) {
        free(p);
        snap_buf_free(&b);
        return r;
    }
    free(tmpl->tmpl_sections);
    free(tmpl->tmpl_path);
    tmpl->tmpl_sections = b.data;
    tmpl->tmpl_len = b.len;
    tmpl->tmpl_path = p;
    return 0;
}

int mvm_vm_clone(const char *path, mvm_vm *tmpl, const struct mvm_grant *grants, int ngrants,
                 mvm_vm **out, char *err, size_t errlen)
{
    if (tmpl && tmpl->is_board)
        return -MVM_EINVAL;   /* a board has no process */
    int r = path && tmpl && !tmpl->remote ? check_restore_args(NULL, grants, ngrants, out, err, errlen) : -MVM_EINVAL;
    if (r != 0 || (r = template_sections(tmpl, path, err, errlen)) != 0)
        return r;
    struct snap_reader *rd = NULL;
    struct source src = { .buf = tmpl->tmpl_sections, .len = tmpl->tmpl_len };
    return restore_from(rd, &src, path, NULL, tmpl, -1, grants, ngrants, RESTORE_CLONE, out, err, errlen);
}

int mvm_vm_receive(int fd, const struct mvm_config *cfg, const struct mvm_grant *grants, int ngrants,
                   mvm_vm **out, char *err, size_t errlen)
{
    int r = fd >= 0 ? check_restore_args(cfg, grants, ngrants, out, err, errlen) : -MVM_EINVAL;
    if (r != 0)
        return r;
    struct snap_reader *rd;
    if ((r = snap_reader_open_stream(fd, "migration", &rd, err, errlen)) != 0)
        return snap_errno(r);
    r = restore_from(rd, NULL, "migration", cfg, NULL, fd, grants, ngrants, RESTORE_EAGER, out, err, errlen);
    snap_reader_close(rd);
    /* The answer the sender waits for: the VM runs here from now on. */
    if (r == 0 && host_file_write_all(fd, MIGRATE_READY, 1) != 0) {
        snprintf(err, errlen, "migration: the sender went away before the VM could run here");
        mvm_vm_destroy(*out);
        *out = NULL;
        r = -MVM_EIO;
    }
    return r;
}
