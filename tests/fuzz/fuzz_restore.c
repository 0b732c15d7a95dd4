/*
 * fuzz_restore.c — libFuzzer target for the restore path of snapshots
 * (user/save.c: proc_restore_begin, proc_restore, proc_restore_end).
 *
 * A snapshot with valid checksums may still hold any section contents
 * (checksums are not authentication), so the section parsers must take
 * any bytes. The input is a sequence of records, the sections of a
 * process-mode VM without the container (fuzz_snap covers that):
 *
 *   u32 type (LE) | u32 len (LE) | len bytes      ... at most MAX_RECORDS
 *
 * stopping at the first incomplete record. Each run creates a fresh VM as
 * mvm_vm_restore does (vm_create_native, with a FUZZ_MEM_LIMIT pool so
 * memory bombs fail cleanly), begins a restore with one grant — an empty
 * host directory made once per fuzzing process, at guest path "/d" —
 * feeds the records as sections (a type with SNAP_TYPE_OPTIONAL set is
 * skipped, as mvm_vm_restore does) up to the first error, ends the
 * restore (which starts the restored threads, parked) and destroys the
 * VM, which must stop them. TREE and CHILD records go to snap/tree.c as
 * mvm_vm_restore takes them: each CHILD makes a VM of the tree and the
 * records after it restore that VM, its directories granted from the
 * top's (the VM before is ended first, the top's restore last). Checked
 * at every run:
 *   - a call returns 0 or a negative errno, and an error comes with a
 *     non-empty, one-line, NUL-terminated message;
 *   - a restored process is one that can run as the system calls leave
 *     it: a thread alive (else a run waits forever), timers_armed counts
 *     the armed timers, and a POSIX timer that signals has a signal
 *     number (user/signal.c sends it);
 *   - the grant is untouched: still a directory, still empty (a restore
 *     opens files again, never creates one);
 *   - no host fd and no host thread is left behind (the leak checker sees
 *     memory; a hang is libFuzzer's -timeout).
 * Any violation aborts, which libFuzzer reports with the input. With
 * FUZZ_RESTORE_VERBOSE set in the environment, each run prints its
 * outcome (to check that the seeds restore).
 */
#include <dirent.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/host.h"
#include "host/thread.h"
#include "mvm.h"
#include "snap/format.h"
#include "snap/snap_int.h"
#include "user/save.h"
#include "vm/vm_int.h"

/* Room for any seed; small, as a map of the whole address space runs
 * until the pool's limit stops it (about 0.1 s under ASan at 16 MiB). */
#define FUZZ_MEM_LIMIT (16u << 20)
#define MAX_RECORDS 24
#define ERRLEN 256

static char grant_dir[64];

static void violated(const char *what, const char *msg)
{
    fprintf(stderr, "fuzz_restore: %s (restore said: %s)\n", what, msg);
    abort();
}

static void remove_grant_dir(void)
{
    rmdir(grant_dir);
}

/* Entries in a directory other than "." and "..", or -1 if it cannot be
 * listed. */
static int entries(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* r: what a call returned; msg: its message buffer (size bytes), filled
 * with 0x55 before the call when it is to say nothing on success. */
static void check_message(int r, const char *msg, size_t size)
{
    if (r > 0)
        violated("a positive return value", "");
    if (r == 0)
        return;
    if (!memchr(msg, 0, size))
        violated("message not NUL-terminated", "?");
    if (!msg[0] || strchr(msg, '\n'))
        violated("message empty or more than one line", msg);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    snprintf(grant_dir, sizeof grant_dir, "/tmp/fuzz_restore.XXXXXX");
    if (!mkdtemp(grant_dir)) {
        perror("fuzz_restore: mkdtemp");
        exit(1);
    }
    atexit(remove_grant_dir);
    return 0;
}

/* After a successful restore: see the header. */
static void check_restored(struct proc *p)
{
    host_mutex_lock(p->mu);
    int live = p->nlive, armed = 0;
    bool no_signal = false;
    for (int i = 0; i < SIG_NTIMERS; i++) {
        const struct sig_timer *tm = &p->timers[i];
        armed += tm->armed;
        /* notify 1 is SIGEV_NONE */
        no_signal |= i >= 3 && (tm->used || tm->armed) && tm->notify != 1 && (tm->signo < 1 || tm->signo > 64);
    }
    host_mutex_unlock(p->mu);
    if (live < 1)
        violated("restored with no live thread", "");
    if (armed != atomic_load(&p->timers_armed))
        violated("timers_armed is not the number of armed timers", "");
    if (no_signal)
        violated("restored a POSIX timer that signals with no valid signal number", "");
}

/* One restore of the records in data. */
static void restore(const uint8_t *data, size_t size)
{
    static int verbose = -1;
    if (verbose < 0)
        verbose = getenv("FUZZ_RESTORE_VERBOSE") != NULL;
    struct mvm_config cfg = MVM_CONFIG_INIT;
    cfg.mem_limit = FUZZ_MEM_LIMIT;
    cfg.flags = MVM_NO_JIT;
    cfg.nest_mode = MVM_NEST_EMULATE;
    mvm_vm *vm;
    if (vm_create_native(&cfg, NULL, NULL, 0, &vm) != 0)
        return;
    vm->loaded = true;
    const struct mvm_grant grant = { .kind = MVM_GRANT_DIR, .host = grant_dir, .guest = "/d" };
    struct restore *rs = proc_restore_begin(vm->p, &grant, 1, NULL);   /* not a clone */
    if (!rs) {
        mvm_vm_destroy(vm);
        return;
    }
    char err[ERRLEN];
    int r = 0, n = 0;
    size_t at = 0;
    struct restore *cur = rs;      /* the VM being restored (NULL: one that has ended) */
    struct snap_tree *tree = NULL;
    while (r == 0 && n < MAX_RECORDS && size - at >= 8) {
        uint32_t type = ld32(data + at);
        uint32_t len = ld32(data + at + 4);
        if (len > size - at - 8)
            break;
        struct snap_cur c = { .p = data + at + 8, .len = len };
        at += 8 + (size_t)len;
        n++;
        if (type & SNAP_TYPE_OPTIONAL)
            continue;
        memset(err, 0x55, sizeof err);
        if (type == SAVE_TREE || type == SAVE_CHILD) {
            if (cur && cur != rs) {
                r = proc_restore_end(cur, true, err, sizeof err);
                check_message(r, err, sizeof err);
                memset(err, 0x55, sizeof err);
            }
            cur = NULL;
            if (r != 0)
                break;
            mvm_vm *child, *tmpl;
            bool done;
            if (type == SAVE_TREE)
                r = snap_tree_begin(&tree, vm, NULL, &c, err, sizeof err);
            else if ((r = snap_tree_child(tree, &c, &child, &tmpl, &done, err, sizeof err)) == 0 && !done) {
                if ((cur = proc_restore_begin(child->p, NULL, 0, NULL))) {
                    proc_restore_above(cur, vm->p->fs);
                } else {
                    r = -MVM_ENOMEM;
                    snprintf(err, sizeof err, "out of memory");
                }
            }
            check_message(r, err, sizeof err);
            continue;
        }
        if (!cur)
            break;      /* out of place: mvm_vm_restore refuses it */
        r = proc_restore(cur, type, &c, err, sizeof err);
        check_message(r, err, sizeof err);
        if (r == 0 && c.off > c.len)
            violated("a section read past its end", "");
    }
    char why[ERRLEN];
    int e = 0;
    if (cur && cur != rs) {
        memset(why, 0x55, sizeof why);
        e = proc_restore_end(cur, r == 0, why, sizeof why);
        check_message(e, why, sizeof why);
        if (e != 0 && r == 0) {
            r = e;
            snprintf(err, sizeof err, "%s", why);
        }
    }
    memset(why, 0x55, sizeof why);
    e = proc_restore_end(rs, r == 0, why, sizeof why);
    check_message(e, why, sizeof why);
    snap_tree_free(tree);
    if (r == 0 && e == 0)
        check_restored(vm->p);
    if (verbose)
        fprintf(stderr, "fuzz_restore: %d records: %s%s\n", n,
                r ? "section failed: " : e ? "end failed: " : "restored", r ? err : e ? why : "");
    mvm_vm_destroy(vm);
}

/* Host fds or threads of this process: the entries of /proc/self/<what>. */
static int count(const char *what)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/%s", what);
    return entries(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fds = count("fd"), tasks = count("task");
    restore(data, size);
    struct stat st;
    if (stat(grant_dir, &st) != 0 || !S_ISDIR(st.st_mode))
        violated("the granted directory is gone or no longer a directory", grant_dir);
    if (entries(grant_dir) != 0)
        violated("something was created in the granted directory", grant_dir);
    if (count("fd") > fds)
        violated("a host fd was left open", "");
    /* A joined thread may linger in /proc for a moment. */
    for (int i = 0; count("task") > tasks; i++) {
        if (i == 1000)
            violated("a host thread was left running", "");
        usleep(1000);
    }
    return 0;
}
