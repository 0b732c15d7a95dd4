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
#include <unistd.h>

#include "cli/cli.h"
#include "host/host.h"
#include "host/tcp.h"

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
    case OPT_MIGRATE_TO:
        s->migrate_to = arg;
        return 0;
    case OPT_MIGRATE_AT:
        if (!parse_count(arg, &s->snap_at))
            return usage_error("--migrate-at %s: expected a positive number of instructions", arg);
        s->at_is_migrate = true;
        return 0;
    case OPT_NAME:
        s->name = arg;
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
    if (s->snap_file && s->migrate_to)
        return usage_error("%s: one of --snapshot and --migrate-to", "--migrate-to");
    if (s->at_is_migrate != (s->migrate_to && s->snap_at))
        return usage_error("%s", s->at_is_migrate ? "--migrate-at needs --migrate-to HOST:PORT"
                                                  : "--snapshot-at goes with --snapshot, --migrate-at with --migrate-to");
    if (((s->snap_at && !s->at_is_migrate) || s->suspend) && !s->snap_file)
        return usage_error("%s needs --snapshot FILE", s->suspend ? "--suspend" : "--snapshot-at");
    if (s->raw && !s->snap_file && !s->migrate_to)
        return usage_error("%s needs --snapshot FILE or --migrate-to", "--snapshot-uncompressed");
    if ((s->snap_file || s->migrate_to) && host_on_sigusr1(on_sigusr1, NULL) != 0) {
        fprintf(stderr, "mvm: cannot watch for SIGUSR1\n");
        return EXIT_INTERNAL;
    }
    return 0;
}

/* What the VM ran: its own instructions, and those of the VMs its guest
 * made (charged to it, as to its budget). */
static uint64_t retired(mvm_vm *vm)
{
    struct mvm_stats st;
    mvm_vm_stats(vm, &st);
    return st.instructions + st.children_instructions;
}

/* One run of at most n instructions (0: what the budget allows), the
 * budget accounted for; *cut: ended early by n, not by the budget. 0, or
 * an exit status (the message printed). */
static int run_for(struct session *s, mvm_vm *vm, int64_t n, struct mvm_exit *ex, bool *cut)
{
    int64_t step = s->left;
    if (n > 0 && (step == 0 || n < step))
        step = n;
    *cut = step != s->left;
    if (s->left >= 0)
        mvm_vm_set_budget(vm, step);
    int r = mvm_vm_run(vm, ex);
    if (r != 0) {
        fprintf(stderr, "mvm: %s\n", mvm_strerror(r));
        return EXIT_INTERNAL;
    }
    if (s->left > 0)
        s->left = ex->instructions < (uint64_t)s->left ? s->left - (int64_t)ex->instructions : -1;
    return 0;
}

/* The VM's budget is what the user gave it (--budget) less what it ran,
 * not the step run_for gave it: that is what a snapshot keeps. */
static void user_budget(const struct session *s, mvm_vm *vm)
{
    if (s->left >= 0)
        mvm_vm_set_budget(vm, s->left);
}

int session_snapshot(struct session *s, mvm_vm *vm, const char *path, bool raw)
{
    user_budget(s, vm);
    return mvm_vm_snapshot(vm, path, raw ? MVM_SNAPSHOT_UNCOMPRESSED : 0);
}

static int take_snapshot(struct session *s, mvm_vm *vm, int *rc)
{
    user_budget(s, vm);
    int r = mvm_vm_snapshot(vm, s->snap_file, s->raw ? MVM_SNAPSHOT_UNCOMPRESSED : 0);
    if (r == 0 && s->suspend) {
        *rc = EXIT_SUSPENDED;
        return DONE;
    }
    if (r != 0) {
        const char *why = mvm_vm_error(vm);
        fprintf(stderr, "mvm: snapshot %s: %s; the VM goes on\n", s->snap_file, why[0] ? why : mvm_strerror(r));
    }
    return GO_ON;
}

#define MIGRATE_PAGES 1024      /* pages sent between two slices of the VM */
#define MIGRATE_SLICE 2000000   /* instructions the VM runs between them */
#define MIGRATE_STOP 256        /* a round this small: stop and copy the rest */
#define MIGRATE_ROUNDS 30       /* or after so many rounds (a VM writing faster than the link) */

static void progress(const struct session *s, const struct mvm_migrate_stats *st, bool done)
{
    if (!isatty(STDERR_FILENO))
        return;
    fprintf(stderr, "\rmvm: migrating to %s: round %llu, %.1f MiB sent, %llu pages dirty%s", s->migrate_to,
            (unsigned long long)st->rounds, (double)st->pages_sent * 4096 / 1048576.0,
            (unsigned long long)st->dirty, done ? "\n" : "   ");
}

/* Moves the VM to the monitor listening at --migrate-to: DONE with *rc
 * 120 once it runs there, or with the VM's own end if it ended
 * meanwhile; GO_ON (it runs on here) if anything failed. */
/* A migration that failed: one line, and why in s->why (the control
 * socket's answer). */
static int migrate_failed(struct session *s, const char *why)
{
    snprintf(s->why, sizeof s->why, "%s", why);
    fprintf(stderr, "mvm: migrate to %s: %s; the VM goes on\n", s->migrate_to, why);
    return GO_ON;
}

int session_migrate(struct session *s, mvm_vm *vm, int *rc)
{
    uint64_t t0 = host_time_monotonic_ns();
    s->why[0] = 0;
    s->total_ms = s->down_ms = 0;
    int fd = host_tcp_connect(s->migrate_to, 30);
    if (fd < 0)
        return migrate_failed(s, strerror(-fd));
    struct mvm_migration *m;
    user_budget(s, vm);
    int r = mvm_migrate_begin(vm, fd, s->raw ? MVM_SNAPSHOT_UNCOMPRESSED : 0, &m);
    if (r != 0) {
        const char *why = mvm_vm_error(vm);
        close(fd);
        return migrate_failed(s, why[0] ? why : mvm_strerror(r));
    }
    struct mvm_migrate_stats st = { 0 };
    int act = GO_ON;
    for (;;) {
        long left = mvm_migrate_step(m, MIGRATE_PAGES);
        if (left < 0) {
            r = (int)left;
            break;
        }
        struct mvm_migrate_stats now;
        mvm_migrate_stats(m, &now);
        progress(s, &now, false);
        /* A small round: stop, and send the rest of it with what the VM
         * writes meanwhile (mvm_migrate_finish). */
        if (now.dirty <= MIGRATE_STOP || (left == 0 && now.rounds >= MIGRATE_ROUNDS))
            break;
        /* The VM goes on between steps: pre-copy. */
        struct mvm_exit ex;
        bool cut;
        if ((*rc = run_for(s, vm, MIGRATE_SLICE, &ex, &cut)) != 0) {
            act = DONE;
            break;
        }
        if (ex.reason == MVM_EXIT_INTERRUPTED || (ex.reason == MVM_EXIT_BUDGET && cut))
            continue;
        report_exit(&ex);   /* it ended here, before it could move */
        *rc = exit_status(&ex);
        act = DONE;
        break;
    }
    uint64_t t_stop = host_time_monotonic_ns();
    if (act == GO_ON && r == 0)
        r = mvm_migrate_finish(m);
    uint64_t t_end = host_time_monotonic_ns();
    if (act == GO_ON && r != 0)
        migrate_failed(s, mvm_migrate_error(m));
    mvm_migrate_end(m, &st);
    close(fd);
    if (act == DONE && !s->why[0])
        snprintf(s->why, sizeof s->why, "the VM ended before it could move");
    if (act == DONE || r != 0)
        return act;
    s->total_ms = (double)(t_end - t0) / 1e6;
    s->down_ms = (double)(t_end - t_stop) / 1e6;
    s->sent_mib = (double)st.pages_sent * 4096 / 1048576.0;
    progress(s, &st, true);
    fprintf(stderr, "mvm: migrated to %s: %.1f MiB in %llu rounds, %.1f ms in all, the VM stopped for %.1f ms\n",
            s->migrate_to, (double)st.pages_sent * 4096 / 1048576.0, (unsigned long long)st.rounds,
            (double)(t_end - t0) / 1e6, (double)(t_end - t_stop) / 1e6);
    *rc = EXIT_SUSPENDED;
    return DONE;
}

static int act(struct session *s, mvm_vm *vm, int *rc)
{
    return s->migrate_to ? session_migrate(s, vm, rc) : take_snapshot(s, vm, rc);
}

int session_run(struct session *s, mvm_vm *vm)
{
    mvm_vm_get_budget(vm, &s->left);
    if (s->snap_file || s->migrate_to || s->name)
        mvm_vm_set_interruptible(vm);
    if (s->snap_file || s->migrate_to)
        atomic_store(&watched, vm);
    if (s->name) {
        int r = control_open(&s->control, s->name, vm);
        if (r != 0)
            return r;
    }
    bool pending_at = s->snap_at > 0;   /* --snapshot-at / --migrate-at not reached yet */
    struct mvm_exit last = { 0 };
    uint64_t t0 = host_time_monotonic_ns();
    fflush(stdout);
    int rc = 0;
    for (;;) {
        int64_t n = 0;
        if (pending_at) {
            uint64_t done = retired(vm);
            if (done >= (uint64_t)s->snap_at) {
                pending_at = false;
                if (act(s, vm, &rc) == DONE)
                    break;
                continue;
            }
            n = (int64_t)((uint64_t)s->snap_at - done);
        }
        struct mvm_exit ex;
        bool cut;
        if ((rc = run_for(s, vm, n, &ex, &cut)) != 0)
            break;
        if (ex.reason == MVM_EXIT_INTERRUPTED) {
            /* A request on the control socket, or SIGUSR1 (--snapshot, --migrate-to). */
            int a = s->control && control_pending(s->control) ? control_serve(s->control, s, vm, &rc)
                  : s->snap_file || s->migrate_to ? act(s, vm, &rc) : GO_ON;
            if (a == DONE)
                break;
            continue;
        }
        if (ex.reason == MVM_EXIT_BUDGET && cut)
            continue;   /* a step towards --snapshot-at ended, not the budget */
        if (mvm_vm_is_board(vm)) {
            report_board_exit(&ex, vm);
            rc = board_exit_status(&ex);
        } else {
            report_exit(&ex);
            rc = exit_status(&ex);
        }
        last = ex;
        break;
    }
    atomic_store(&watched, NULL);
    control_close(s->control);      /* requests from now on: the VM has ended */
    s->control = NULL;
    if (s->stats) {
        double run_ns = (double)(host_time_monotonic_ns() - t0);
        if (mvm_vm_is_board(vm))
            print_board_stats(vm, run_ns / 1e9, &last);
        else
            print_stats(vm, run_ns / 1e9);
        if (s->restore_ms > 0)    /* with --budget 1: how soon the VM ran again */
            fprintf(stderr, "mvm: stats: restored in %.3f ms, then ran for %.3f ms\n", s->restore_ms, run_ns / 1e6);
    }
    return rc;
}

/* ------------------------------------------------------------ restore */

int grants_new(struct grants *g, int argc)
{
    g->g = calloc((size_t)argc + 1, sizeof *g->g);
    g->dirs = calloc((size_t)argc + 1, sizeof *g->dirs);
    g->n = g->ndirs = 0;
    return g->g && g->dirs ? 0 : EXIT_INTERNAL;
}

int grants_add(struct grants *g, int kind, const char *a)
{
    if (kind != MVM_GRANT_DIR) {
        g->g[g->n++] = (struct mvm_grant){ kind, NULL, a, 0 };
        return 0;
    }
    int rc = dir_spec_parse(a, &g->dirs[g->ndirs]);
    if (rc == 0) {
        const struct dir_spec *d = &g->dirs[g->ndirs++];
        g->g[g->n++] = (struct mvm_grant){ MVM_GRANT_DIR, d->host, d->guest, d->ro };
    }
    return rc;
}

void grants_free(struct grants *g)
{
    for (int i = 0; g->dirs && i < g->ndirs; i++)
        free(g->dirs[i].buf);
    free(g->dirs);
    free(g->g);
}

int restore_failed(int r, const char *err, bool stream)
{
    fprintf(stderr, "mvm: %s\n", err[0] ? err : mvm_strerror(r));
    switch (-r) {
    case MVM_ENOEXEC: case MVM_EBADMSG: case MVM_ENOTSUP: return EXIT_BAD_SNAPSHOT;
    case MVM_EIO: return stream ? EXIT_BAD_SNAPSHOT : EXIT_NOTFOUND;
    case MVM_ENOMEM: case MVM_ENOSYS: case MVM_EINVAL: return EXIT_INTERNAL;
    }
    return EXIT_RESTORE_ENV;
}

#define RESTORE_OPTIONS \
    "options:\n" \
    "  --dir HOST[:GUEST][:ro] map host directory HOST at GUEST; repeatable\n" \
    "  --listen ADDR:PORT      a listen grant it had (or a new one); repeatable\n" \
    "  --connect HOST:PORT     a connect grant it had (or a new one); repeatable\n" \
    "  --mem SIZE              memory limit (default: the saved one)\n" \
    "  --budget N              stop after N more instructions (exit 124)\n" \
    "  --stats                 print execution statistics to stderr at exit\n" \
    "  --trace=syscalls|insns  trace system calls or instructions to stderr\n" \
    "  --no-jit                interpret every block\n" SESSION_USAGE

static const char restore_usage[] =
    "usage: mvm restore [options] FILE\n"
    "\n"
    "Goes on running the VM saved in FILE (by mvm run --snapshot), with the\n"
    "settings and budget it had, or the board saved by mvm boot --snapshot\n"
    "(its disks are opened again at the paths they had: they must be as they\n"
    "were). A snapshot grants nothing by itself: give\n"
    "every directory and network grant it had again (the same or another\n"
    "host directory at each guest path); mvm names any that is missing.\n"
    "Memory is read from FILE as the VM first touches it (FILE stays open):\n"
    "the VM starts at once, whatever its size.\n"
    "\n" RESTORE_OPTIONS
    "  --eager                 read all memory before the VM goes on\n"
    "\n"
    "exit status: the guest's, as for mvm run; 121 something the snapshot needs\n"
    "is missing here (a grant, a directory, an open file); 122 FILE is not a\n"
    "snapshot this monitor can restore (corrupt, truncated, a newer format),\n"
    "also when a part of its memory is found damaged as the VM touches it (the\n"
    "VM stops there); 127 FILE not found.\n";

static const char listen_usage[] =
    "usage: mvm listen [options] HOST:PORT\n"
    "\n"
    "Waits for one VM sent by mvm run --migrate-to (port 0: any free port;\n"
    "the line \"mvm: listening on HOST:PORT\" says which), then runs it. The\n"
    "grants it had must be given here, as for mvm restore.\n"
    "\n" RESTORE_OPTIONS
    "\n"
    "exit status: the guest's, as for mvm run; 121 something the VM needs is\n"
    "missing here; 122 what came is not a VM this monitor can run (the sender\n"
    "went away, or sent something else); 123 cannot listen.\n";

/* mvm restore FILE and mvm listen ADDR: the same options and run. */
static int restore_cmd(int argc, char **argv, bool listen)
{
    enum { R_MEM = 1, R_BUDGET, R_STATS, R_TRACE, R_NOJIT, R_HELP, R_DIR, R_LISTEN, R_CONNECT, R_EAGER };
    static const struct option longopts[] = {
        { "eager", no_argument, NULL, R_EAGER },
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
    struct grants g;
    int c, rc = grants_new(&g, argc);
    mvm_vm *vm = NULL;
    if (rc != 0)
        goto out;
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
        case R_DIR: rc = grants_add(&g, MVM_GRANT_DIR, a); break;
        case R_LISTEN: rc = grants_add(&g, MVM_GRANT_LISTEN, a); break;
        case R_CONNECT: rc = grants_add(&g, MVM_GRANT_CONNECT, a); break;
        case R_STATS: s.stats = true; break;
        case R_NOJIT: cfg.flags |= MVM_NO_JIT; break;
        case R_EAGER:
            if (listen)
                rc = usage_error("%s is for mvm restore (a migration arrives whole)", "--eager");
            cfg.flags |= MVM_EAGER_RESTORE;
            break;
        case R_TRACE:
            rc = trace_option(a, &cfg.flags);
            break;
        case R_HELP:
            fputs(listen ? listen_usage : restore_usage, stdout);
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
        rc = usage_error(listen ? "listen: %s" : "restore: %s",
                         optind >= argc ? (listen ? "no HOST:PORT given" : "no snapshot file given")
                                        : (listen ? "one address only" : "one snapshot file only"));
        goto out;
    }
    const char *path = argv[optind];
    struct stat st;
    if (!listen && stat(path, &st) != 0) {
        fprintf(stderr, "mvm: %s: %s\n", path, strerror(errno));
        rc = EXIT_NOTFOUND;
        goto out;
    }
    if ((rc = session_prepare(&s)) != 0)
        goto out;
    char err[512];
    int r;
    if (listen) {
        char bound[300];
        int lfd = host_tcp_listen(path, bound, sizeof bound), fd = lfd;
        if (lfd >= 0) {
            fprintf(stderr, "mvm: listening on %s\n", bound);
            fd = host_tcp_accept(lfd);
        }
        if (fd < 0) {
            fprintf(stderr, "mvm: listen %s: %s\n", path, strerror(-fd));
            rc = fd == -EINVAL ? EXIT_USAGE : EXIT_INTERNAL;
            goto out;
        }
        r = mvm_vm_receive(fd, &cfg, g.g, g.n, &vm, err, sizeof err);
        close(fd);
    } else {
        /* The host's clock: a restore sets the guest's monotonic clock. */
        uint64_t t0 = host_time_monotonic_raw_ns(host_time_monotonic_ns());
        r = mvm_vm_restore(path, &cfg, g.g, g.n, &vm, err, sizeof err);
        uint64_t t1 = host_time_monotonic_raw_ns(host_time_monotonic_ns());
        s.restore_ms = (double)(t1 - t0) / 1e6;
        if (r == 0 && s.stats)
            fprintf(stderr, "mvm: stats: restored in %.3f ms (%s)\n", s.restore_ms,
                    cfg.flags & MVM_EAGER_RESTORE || mvm_vm_is_board(vm) ? "all memory read"
                                                                          : "memory read on first touch");
    }
    if (r == 0 && mvm_vm_is_board(vm) && cfg.budget)
        mvm_vm_set_budget(vm, cfg.budget);
    rc = r != 0 ? restore_failed(r, err, listen) : mvm_vm_is_board(vm) ? boot_session(&s, vm) : session_run(&s, vm);
out:
    mvm_vm_destroy(vm);
    grants_free(&g);
    return rc;
}

int cmd_restore(int argc, char **argv) { return restore_cmd(argc, argv, false); }
int cmd_listen(int argc, char **argv) { return restore_cmd(argc, argv, true); }
