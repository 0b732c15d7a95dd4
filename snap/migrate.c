/*
 * migrate.c — sending a VM to another monitor while it runs (include/mvm.h,
 * "Live migration"): iterative pre-copy over a connected stream, in the
 * snapshot format (snap/format.h).
 *
 *   header, VM section            mvm_migrate_begin (dirty tracking on)
 *   PRECOPY sections ...          mvm_migrate_step, between runs of the VM:
 *                                 round 1 every mapped page, each later round
 *                                 what the VM wrote since the round before
 *   PRECOPY ...                   mvm_migrate_finish, the VM stopped: the
 *                                 pages written since the last round (and
 *                                 with several processes, the first's
 *                                 MAP_SHARED pages: the others write them
 *                                 unseen by its tracking),
 *   PROC ... THREAD, END          then the state: the first process
 *                                 without pages, the others whole, then
 *                                 the VMs its guest made, whole
 *   <- "P" per PRECOPY section    applied (the sender keeps at most WINDOW
 *                                 unanswered: it goes at the receiver's pace)
 *   <- "K"                        the receiver restored it and runs it
 *
 * Pages are read between runs, never while a hart runs, so each copy is
 * consistent; a page written after it was sent is marked again and goes
 * in a later round or at the end. Until the answer comes, nothing is
 * lost: any failure leaves the VM here, able to run on.
 */
#include "snap/snap_int.h"
#include "user/proc.h"

#include <stdio.h>
#include <stdlib.h>

#include "host/file.h"
#include "user/save.h"

#define STEP_MAX 4096   /* pages in one PRECOPY section (16 MiB) */
#define WINDOW 2        /* PRECOPY sections the receiver may not have applied yet */

struct mvm_migration {
    mvm_vm *vm;
    int fd;
    struct snap_writer *w;
    uint64_t *vas;          /* the round's pages */
    size_t n, at;           /* how many, how many sent */
    uint64_t sections, applied;   /* PRECOPY sections sent, and answered */
    bool last;              /* the VM stopped: the last round */
    struct mvm_migrate_stats st;
    char error[256];
};

int mvm_migrate_begin(mvm_vm *vm, int fd, unsigned flags, struct mvm_migration **out)
{
    if (vm && vm->is_board)
        return -MVM_EINVAL;   /* a board has no process */
    if (!vm || fd < 0 || !out || (flags & ~(unsigned)MVM_SNAPSHOT_UNCOMPRESSED))
        return -MVM_EINVAL;
    *out = NULL;
    vm->error[0] = 0;
    int r = snap_check_vm(vm);
    if (r != 0)
        return r;
    struct mvm_migration *m = calloc(1, sizeof *m);
    if (!m)
        return -MVM_ENOMEM;
    m->vm = vm;
    m->fd = fd;
    if ((r = snap_writer_open_stream(fd, "migration", &m->w, vm->error, sizeof vm->error)) != 0) {
        free(m);
        return snap_errno(r);
    }
    if (flags & MVM_SNAPSHOT_UNCOMPRESSED)
        snap_writer_raw(m->w);
    if ((r = snap_write_vm(vm, m->w)) == 0 && mem_space_track(vm->p->as, true) != 0) {
        snprintf(vm->error, sizeof vm->error, "its memory lives in another VM's (not unrolled)");
        r = -MVM_ENOTSUP;
    }
    if (r != 0) {
        snap_writer_abort(m->w);
        free(m);
        return r;
    }
    *out = m;
    return 0;
}

/* Reads the receiver's next answer, which must be want ('K' may come
 * only after every 'P'): 0, or -MVM_EIO with the reason. */
static int answer(struct mvm_migration *m, char want)
{
    char a = 0;
    int64_t got = host_file_read_full(m->fd, &a, 1);
    if (got == 1 && a == MIGRATE_APPLIED[0] && m->applied < m->sections) {
        m->applied++;
        return a == want ? 0 : answer(m, want);
    }
    if (got == 1 && a == want)
        return 0;
    snprintf(m->error, sizeof m->error, "the receiver did not take the VM (%s)",
             got < 0 ? host_file_strerror((int)got) : got == 0 ? "it closed the connection" : "a wrong answer");
    return -MVM_EIO;
}

long mvm_migrate_step(struct mvm_migration *m, size_t max_pages)
{
    if (m->at == m->n) {    /* the next round: what was written since */
        free(m->vas);
        m->vas = NULL;
        m->at = m->n = 0;
        size_t full;
        long n = proc_precopy_collect(m->vm->p, &m->vas, &full, m->last && proc_tree_count(m->vm->p) > 1);
        if (n < 0)
            return n;
        m->n = (size_t)n;
        m->st.rounds++;
        m->st.dirty = full;
    }
    size_t full;
    long k = proc_precopy_send(m->vm->p, m->w, m->vas + m->at, m->n - m->at,
                               max_pages < STEP_MAX ? max_pages : STEP_MAX, &full, m->error, sizeof m->error);
    if (k < 0)
        return k;
    m->at += (size_t)k;
    m->st.pages_sent += full;
    m->sections++;
    /* At the receiver's pace: a section costs it about what it costs us
     * (mapping and copying pages), but a compressible one is small on the
     * wire, and the host's buffers may hold many such: without the window
     * the VM would stop while the receiver still works through them. */
    if (snap_writer_flush(m->w) != 0) {
        snprintf(m->error, sizeof m->error, "%s", snap_writer_error(m->w));
        return -MVM_EIO;
    }
    while (m->sections - m->applied > WINDOW) {
        int r = answer(m, MIGRATE_APPLIED[0]);
        if (r != 0)
            return r;
    }
    return (long)(m->n - m->at);
}

int mvm_migrate_finish(struct mvm_migration *m)
{
    mvm_vm *vm = m->vm;
    int r = snap_check_vm(vm);
    if (r != 0) {
        snprintf(m->error, sizeof m->error, "%s", vm->error);
        return r;
    }
    /* The rest of the round under way (its pages are no longer marked),
     * then a last round: what the VM wrote since (the step collects it).
     * Then the state, without pages. */
    while (m->at < m->n) {
        long left = mvm_migrate_step(m, STEP_MAX);
        if (left < 0)
            return (int)left;
    }
    m->last = true;
    do {
        long left = mvm_migrate_step(m, STEP_MAX);
        if (left < 0)
            return (int)left;
    } while (m->at < m->n);
    r = proc_save(vm->p, m->w, SAVE_NO_PAGES, m->error, sizeof m->error);
    /* The VMs its guest made go whole, now (their pages were not sent ahead). */
    if (r == 0 && (r = snap_tree_write(vm, m->w)) != 0)
        snprintf(m->error, sizeof m->error, "%s", vm->error);
    if (r == 0 && (r = snap_writer_commit(m->w)) != 0) {
        snprintf(m->error, sizeof m->error, "%s", snap_writer_error(m->w));
        r = snap_errno(r);
    }
    if (r != 0)
        return r;
    return answer(m, MIGRATE_READY[0]);
}

void mvm_migrate_stats(const struct mvm_migration *m, struct mvm_migrate_stats *st)
{
    *st = m->st;
}

const char *mvm_migrate_error(const struct mvm_migration *m)
{
    return m->error[0] ? m->error : m->vm->error[0] ? m->vm->error : snap_writer_error(m->w);
}

void mvm_migrate_end(struct mvm_migration *m, struct mvm_migrate_stats *st)
{
    if (!m)
        return;
    if (st)
        *st = m->st;
    mem_space_track(m->vm->p->as, false);
    snap_writer_abort(m->w);
    free(m->vas);
    free(m);
}
