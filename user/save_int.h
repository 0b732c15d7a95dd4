/*
 * save_int.h — what the files of a process's snapshot share: user/save.c
 * (the process: ids, memory, signals, threads; the order of sections) and
 * user/save_files.c (its open files). Nobody else needs it.
 */
#ifndef MVM_USER_SAVE_INT_H
#define MVM_USER_SAVE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mvm.h"
#include "snap/format.h"
#include "user/fs_int.h"
#include "user/proc.h"
#include "user/save.h"

#define PIPE_MAX (1u << 20)             /* Linux's default pipe-max-size */

/* Kinds of open file descriptions (FILES). */
enum { FK_STREAM = 1, FK_PATH, FK_PIPE, FK_SIGNALFD, FK_SOCKET };

/* Pages met in the processes saved so far, by their bytes' address: a
 * page several processes share (fork's copy-on-write, MAP_SHARED) is
 * saved once and named by the others (SHARED). Open addressing. */
struct seen_page {
    const uint8_t *data;        /* NULL: a free slot */
    uint32_t proc;
    uint64_t va;
};

struct saver {
    struct proc *p;
    unsigned flags;             /* SAVE_* of proc_save */
    struct snap_writer *w;
    struct snap_buf b;          /* the section being built */
    char *err;
    size_t errlen;
    /* The VM's processes (several: after fork). */
    struct proc **procs;
    int nprocs, index;          /* index: the one being saved */
    const struct file **files;  /* every open file description, each once */
    uint32_t nfiles;
    struct seen_page *pages;    /* NULL while there is one process */
    size_t npages, cap_pages;
};

/* A process restored before the current one: its threads start at the end. */
struct done {
    struct proc *p;
    struct thread **threads;
    int nthreads;
};

struct restore {
    struct proc *p;             /* the process being restored */
    struct proc *root;          /* the first (the VM's) */
    struct proc **procs;        /* every process so far, in order (SHARED names them) */
    int nprocs;
    struct done *done;          /* those before p */
    int ndone;
    bool zombie;                /* p has ended: nothing follows its PROCESS */
    struct file **files;        /* the VM's open file descriptions (the first FILES) */
    uint32_t nfiles;
    const struct mvm_grant *grants;
    int ngrants;
    bool *used;                 /* grants[i] stood for a saved one */
    unsigned seen;              /* 1 << section type */
    uint64_t mono, cpu;         /* the guest's monotonic and CPU time when saved */
    struct thread **threads;    /* the others, started at the end */
    int nthreads;
    int nsaved;                 /* THREAD sections read */
    bool ahead;                 /* pages came ahead (PRECOPY): MAP keeps them */
    struct mem_space *tmpl;     /* a clone's template: its pages are shared
                                   (the space of the process being restored's
                                   namesake in the template) */
    struct proc *tmpl_root;     /* the template's first process, or NULL */
    uint64_t nofile, nofile_max;   /* RLIMIT_NOFILE as saved */
    struct fs *above;           /* a VM a guest made: the top VM's (proc_restore_above) */
};

/* A one-line reason in err (errlen bytes); returns r. */
int save_fail(char *err, size_t errlen, int r, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Writes the section built in s->b and empties it. */
int save_flush(struct saver *s, uint32_t type);
/* -LX_EBADMSG: "the WHAT section is malformed". */
int restore_bad(char *err, size_t errlen, const char *what);
/* A string from the snapshot made fit for a message, in place. */
const char *restore_shown(char *s);

/* FILES (user/save_files.c): saving the VM's open file descriptions (the
 * first process) and each process's fd table, and restoring them. */
int save_files(struct saver *s);
int restore_files(struct restore *rs, struct snap_cur *c, char *err, size_t errlen);
/* EPOLL (user/save_files.c): what the VM's epoll instances watch. */
int save_epolls(struct saver *s);
int restore_epolls(struct restore *rs, struct snap_cur *c, char *err, size_t errlen);

#endif
