/*
 * session.c — running a VM to its end for `mvm run` and `mvm restore`,
 * with the snapshots asked for on the command line: at an exact count of
 * instructions (--snapshot-at, by giving the VM a budget that ends there),
 * and whenever mvm gets SIGUSR1 (a watcher thread interrupts the run). A
 * snapshot that fails is reported and the VM goes on: nothing is lost.
 * Also `mvm restore` itself.
 */
#include <errno.h>
#include <getopt.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "host/host.h"

int session_option(struct session *s, int opt, const char *arg)
{
    switch (opt) {
    case OPT_SNAPSHOT:
        s->snap_file = arg;
        return 0;
    case OPT_SNAPSHOT_AT:
        if (!parse_count(arg, &s->snap_at))
            return usage_error("--snapshot-at %s: expected a positive number of instructions", arg);
        return 0;
    case OPT_SUSPEND:
        s->suspend = true;
        return 0;
    case OPT_SNAPSHOT_RAW:
        s->raw = true;
        return 0;
    }
    return usage_error("unknown option %s", "?");
}

/* The VM SIGUSR1 interrupts (one per mvm process). */
static _Atomic(mvm_vm *) watched;

static void on_sigusr1(void *ctx)
{
    (void)ctx;
    mvm_vm *vm = atomic_load(&watched);
    if (vm)
        mvm_vm_interrupt(vm);
}

int session_prepare(struct session *s)
{
    if ((s->snap_at || s->suspend || s->raw) && !s->snap_file)
        return usage_error("%s needs --snapshot FILE",
                           s->snap_at ? "--snapshot-at" : s->suspend ? "--suspend" : "--snapshot-uncompressed");
    if (s->snap_file && host_on_sigusr1(on_sigusr1, NULL) != 0) {
        fprintf(stderr, "mvm: cannot watch for SIGUSR1\n");
        return EXIT_INTERNAL;
    }
    return 0;
}

static uint64_t retired(mvm_vm *vm)
{
    struct mvm_stats st;
    mvm_vm_stats(vm, &st);
    return st.instructions;
}

/* Saves vm: true if the snapshot was written. */
static bool take_snapshot(struct session *s, mvm_vm *vm)
{
    int r = mvm_vm_snapshot(vm, s->snap_file, s->raw ? MVM_SNAPSHOT_UNCOMPRESSED : 0);
    if (r == 0)
        return true;
    const char *why = mvm_vm_error(vm);
    fprintf(stderr, "mvm: snapshot %s: %s; the VM goes on\n", s->snap_file, why[0] ? why : mvm_strerror(r));
    return false;
}

int session_run(struct session *s, mvm_vm *vm)
{
    int64_t left;                       /* the VM's own budget: 0 unlimited */
    mvm_vm_get_budget(vm, &left);
    if (s->snap_file) {
        mvm_vm_set_interruptible(vm);
        atomic_store(&watched, vm);
    }
    bool pending_at = s->snap_at > 0;   /* --snapshot-at not taken yet */
    uint64_t t0 = host_time_monotonic_ns();
    fflush(stdout);
    int rc;
    for (;;) {
        /* The budget of this run: the VM's, cut short where --snapshot-at falls. */
        int64_t step = left;
        if (pending_at) {
            uint64_t done = retired(vm);
            if (done >= (uint64_t)s->snap_at) {
                pending_at = false;
                if (take_snapshot(s, vm) && s->suspend) {
                    rc = EXIT_SUSPENDED;
                    break;
                }
                continue;
            }
            if (!step || (uint64_t)s->snap_at - done < (uint64_t)step)
                step = (int64_t)((uint64_t)s->snap_at - done);
        }
        if (left >= 0)
            mvm_vm_set_budget(vm, step);
        struct mvm_exit ex;
        int r = mvm_vm_run(vm, &ex);
        if (r != 0) {
            fprintf(stderr, "mvm: %s\n", mvm_strerror(r));
            rc = EXIT_INTERNAL;
            break;
        }
        if (left > 0)
            left = ex.instructions < (uint64_t)left ? left - (int64_t)ex.instructions : -1;
        if (ex.reason == MVM_EXIT_INTERRUPTED) {
            if (take_snapshot(s, vm) && s->suspend) {
                rc = EXIT_SUSPENDED;
                break;
            }
            continue;
        }
        if (ex.reason == MVM_EXIT_BUDGET && step != left && left >= 0)
            continue;   /* a step towards --snapshot-at ended, not the budget */
        report_exit(&ex);
        rc = ex.status;
        break;
    }
    atomic_store(&watched, NULL);
    if (s->stats)
        print_stats(vm, (double)(host_time_monotonic_ns() - t0) / 1e9);
    return rc;
}

/* ------------------------------------------------------------ restore */

static const char restore_usage[] =
    "usage: mvm restore [options] FILE\n"
    "\n"
    "Goes on running the VM saved in FILE (by mvm run --snapshot), with the\n"
    "settings and budget it had. A snapshot grants nothing by itself: give\n"
    "every directory and network grant it had again (the same or another\n"
    "host directory at each guest path); mvm names any that is missing.\n"
    "\n"
    "options:\n"
    "  --dir HOST[:GUEST][:ro] map host directory HOST at GUEST; repeatable\n"
    "  --listen ADDR:PORT      a listen grant it had (or a new one); repeatable\n"
    "  --connect HOST:PORT     a connect grant it had (or a new one); repeatable\n"
    "  --mem SIZE              memory limit (default: the saved one)\n"
    "  --budget N              stop after N more instructions (exit 124)\n"
    "  --stats                 print execution statistics to stderr at exit\n"
    "  --trace=syscalls|insns  trace system calls or instructions to stderr\n"
    "  --no-jit                interpret every block\n" SESSION_USAGE
    "\n"
    "exit status: the guest's, as for mvm run; 121 something the snapshot needs\n"
    "is missing here (a grant, a directory, an open file); 122 FILE is not a\n"
    "snapshot this monitor can restore (corrupt, truncated, a newer format);\n"
    "127 FILE not found.\n";

int cmd_restore(int argc, char **argv)
{
    enum { R_MEM = 1, R_BUDGET, R_STATS, R_TRACE, R_NOJIT, R_HELP, R_DIR, R_LISTEN, R_CONNECT };
    static const struct option longopts[] = {
        { "mem", required_argument, NULL, R_MEM },
        { "dir", required_argument, NULL, R_DIR },
        { "listen", required_argument, NULL, R_LISTEN },
        { "connect", required_argument, NULL, R_CONNECT },
        { "budget", required_argument, NULL, R_BUDGET },
        { "stats", no_argument, NULL, R_STATS },
        { "trace", required_argument, NULL, R_TRACE },
        { "no-jit", no_argument, NULL, R_NOJIT },
        { "help", no_argument, NULL, R_HELP },
        SESSION_LONGOPTS,
        { NULL, 0, NULL, 0 },
    };
    struct mvm_config cfg = MVM_CONFIG_INIT;
    struct session s = { 0 };
    struct mvm_grant *grants = calloc((size_t)argc + 1, sizeof *grants);
    struct dir_spec *dirs = calloc((size_t)argc + 1, sizeof *dirs);
    int c, rc = 0, ngrants = 0, ndirs = 0;
    mvm_vm *vm = NULL;
    if (!grants || !dirs) {
        rc = EXIT_INTERNAL;
        goto out;
    }
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+:", longopts, NULL)) != -1) {
        const char *a = optarg;
        switch (c) {
        case R_MEM:
            rc = mem_option(a, &cfg.mem_limit);
            break;
        case R_BUDGET:
            if (!parse_count(a, &cfg.budget))
                rc = usage_error("--budget %s: expected a positive number of instructions", a);
            break;
        case R_DIR:
            if ((rc = dir_spec_parse(a, &dirs[ndirs])) == 0) {
                const struct dir_spec *d = &dirs[ndirs++];
                grants[ngrants++] = (struct mvm_grant){ MVM_GRANT_DIR, d->host, d->guest, d->ro };
            }
            break;
        case R_LISTEN:
        case R_CONNECT:
            grants[ngrants++] = (struct mvm_grant){ c == R_LISTEN ? MVM_GRANT_LISTEN : MVM_GRANT_CONNECT, NULL, a, 0 };
            break;
        case R_STATS: s.stats = true; break;
        case R_NOJIT: cfg.flags |= MVM_NO_JIT; break;
        case R_TRACE:
            rc = trace_option(a, &cfg.flags);
            break;
        case R_HELP:
            fputs(restore_usage, stdout);
            goto out;
        case ':':
            rc = usage_error("option %s needs an argument", argv[optind - 1]);
            break;
        case '?':
            rc = usage_error("unknown option %s", argv[optind - 1]);
            break;
        default:
            rc = session_option(&s, c, a);
        }
        if (rc != 0)
            goto out;
    }
    if (optind != argc - 1) {
        rc = usage_error("restore: %s", optind >= argc ? "no snapshot file given" : "one snapshot file only");
        goto out;
    }
    const char *path = argv[optind];
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "mvm: %s: %s\n", path, strerror(errno));
        rc = EXIT_NOTFOUND;
        goto out;
    }
    if ((rc = session_prepare(&s)) != 0)
        goto out;
    char err[512];
    int r = mvm_vm_restore(path, &cfg, grants, ngrants, &vm, err, sizeof err);
    if (r != 0) {
        fprintf(stderr, "mvm: %s\n", err[0] ? err : mvm_strerror(r));
        switch (-r) {
        case MVM_ENOEXEC: case MVM_EBADMSG: case MVM_ENOTSUP: rc = EXIT_BAD_SNAPSHOT; break;
        case MVM_EIO: rc = EXIT_NOTFOUND; break;
        case MVM_ENOMEM: case MVM_ENOSYS: case MVM_EINVAL: rc = EXIT_INTERNAL; break;
        default: rc = EXIT_RESTORE_ENV;
        }
        goto out;
    }
    rc = session_run(&s, vm);
out:
    mvm_vm_destroy(vm);
    for (int i = 0; dirs && i < ndirs; i++)
        free(dirs[i].buf);
    free(dirs);
    free(grants);
    return rc;
}
