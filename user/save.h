/*
 * save.h — a process-mode VM's state as snapshot sections (user/save.c),
 * in the container of snap/format.h. The layout of every section is in
 * docs/snapshot-format.md, "Sections of a process-mode VM".
 *
 * A process is saved between runs: every thread is parked at an
 * instruction boundary (a system call that was blocked has been rewound
 * to its ecall, to be run again), so registers and memory are the whole
 * CPU state, and nothing changes under the save.
 */
#ifndef MVM_USER_SAVE_H
#define MVM_USER_SAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snap/format.h"
#include "user/proc.h"

struct snap_writer;
struct snap_cur;

/* Section types (the VM section is vm/vm.c's). */
enum {
    SAVE_VM = 1,        /* configuration and budget (vm/vm.c) */
    SAVE_PROC,          /* ids, clocks, brk, mm areas */
    SAVE_FS,            /* grants, working directory, limits */
    SAVE_MAP,           /* mapped ranges and their permissions */
    SAVE_PAGES,         /* contents of pages that are not zero (repeated) */
    SAVE_SIGNALS,       /* actions, pending signals, timers */
    SAVE_THREAD,        /* one per thread, the main thread first */
    SAVE_FILES,         /* open file descriptions and the fd table */
    SAVE_PRECOPY,       /* pages sent ahead by a live migration (repeated, first) */
    /* Which pages each PAGES section holds (after them; optional: a reader
     * may ignore it and read the PAGES sections as they come). */
    SAVE_PAGE_INDEX = 10 | SNAP_TYPE_OPTIONAL,
    SAVE_PROCESS = 11,  /* a process after the first begins: ids, state (a zombie: only this) */
    SAVE_SHARED = 12,   /* pages shared with a process before (after PAGES) */
    SAVE_CHILD = 13,    /* a VM a guest made begins (snap/tree.c) */
    SAVE_TREE = 14,     /* after the top VM's sections: the VMs its guest made follow */
    SAVE_EPOLL = 15,    /* after the first FILES: what the epoll instances watch */
};

/* proc_save flags: SAVE_NO_PAGES leaves the first process's pages out,
 * for a receiver that has them all (a migration's last pre-copy round);
 * the VM's other processes are saved whole. */
#define SAVE_NO_PAGES 1
/* SAVE_CHILD_VM: p is a VM a guest made, whose directories came from the
 * VM at the top: each is saved as its path there (struct mount's above). */
#define SAVE_CHILD_VM 2

/*
 * Writes p's sections. 0, or a negative LX_E* errno with a one-line reason
 * in err: -LX_ENOTSUP for state that cannot be saved yet (err names it),
 * -LX_EIO if writing failed, -LX_ENOMEM. p is left as it was.
 */
int proc_save(struct proc *p, struct snap_writer *w, unsigned flags, char *err, size_t errlen);
/* Whether proc_save would refuse p for what it holds (the same errors). */
int proc_check_saveable(struct proc *p, char *err, size_t errlen);

/*
 * Pre-copy (a live migration): with p's space tracking (mem_space_track),
 * proc_precopy_collect returns the pages marked since the last call (every
 * mapped page the first time; with shared, every MAP_SHARED page too: the
 * VM's other processes write those without marking them here) in *vas (freed by the caller): how many, or
 * -LX_E*; *full: how many of them hold bytes (the others read as zero and
 * cost 8 bytes to send). proc_precopy_send writes the present bytes of
 * the first of those pages as one PRECOPY section, until max_full pages
 * with bytes went (at most SNAP_SECTION_MAX / 4104): how many of vas it
 * took, or -LX_E*; *full: how many of them had bytes. A page that reads
 * as zero goes as its address alone.
 */
long proc_precopy_collect(struct proc *p, uint64_t **vas, size_t *full, bool shared);
long proc_precopy_send(struct proc *p, struct snap_writer *w, const uint64_t *vas, size_t n, size_t max_full,
                       size_t *full, char *err, size_t errlen);

/*
 * Restores into p — new from proc_new, nothing loaded: proc_restore_begin,
 * then proc_restore for each section in file order, then proc_restore_end,
 * which checks that the required sections came, starts the threads
 * (parked until a run) and frees the context (also on error). Same
 * errors, plus -LX_EBADMSG for a section whose contents are impossible.
 */
struct restore;
struct mvm_grant;
/* grants: what the restorer grants (include/mvm.h, mvm_vm_restore). tmpl:
 * for a clone, the first process of a VM restored from the same snapshot,
 * in the same pool (the template), whose processes' pages its processes
 * share copy-on-write, each its namesake's (PAGES sections are then
 * skipped); else NULL. */
struct restore *proc_restore_begin(struct proc *p, const struct mvm_grant *grants, int ngrants,
                                   struct proc *tmpl);
/* A VM a guest made (saved with SAVE_CHILD_VM): its directories and
 * network grants are given again from top, the restored VM at the top
 * (as the hypercalls gave them: never more than top has), not from the
 * restorer's grants. */
void proc_restore_above(struct restore *r, struct fs *top);
int proc_restore(struct restore *r, uint32_t type, struct snap_cur *c, char *err, size_t errlen);
int proc_restore_end(struct restore *r, bool ok, char *err, size_t errlen);

#endif
