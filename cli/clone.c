/*
 * clone.c — `mvm clone`: N VMs from one snapshot, running side by side on
 * host threads of their own and sharing every page none of them changed
 * (mvm_vm_clone: the snapshot is restored once as a template, never run,
 * and each clone maps the template's pages copy-on-write).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "host/host.h"
#include "host/thread.h"

static const char clone_usage[] =
    "usage: mvm clone [options] -n N FILE\n"
    "\n"
    "Starts N VMs from the snapshot FILE at once, each going on from where it\n"
    "was saved, in parallel; they share the memory none of them writes. The\n"
    "grants the snapshot had must be given, as for mvm restore (each clone\n"
    "sees the same directories).\n"
    "\n"
    "options:\n"
    "  -n N                    how many clones (1 to 256)\n"
    "  --out DIR               clone K writes its standard output and error to\n"
    "                          DIR/clone-K.out and DIR/clone-K.err (default: all\n"
    "                          to mvm's own)\n"
    "  --dir HOST[:GUEST][:ro], --listen ADDR:PORT, --connect HOST:PORT\n"
    "                          grants, as for mvm restore\n"
    "  --mem SIZE              the memory limit they share (default: the saved one)\n"
    "  --stats                 how much memory they hold, and would without sharing\n"
    "\n"
    "exit status: 0 if every clone exited 0, else the status of the first one\n"
    "that did not (as mvm run gives it); 121, 122, 127 as for mvm restore.\n";

#define MAX_CLONES 256

struct clone {
    mvm_vm *vm;
    struct host_thread *thread;
    struct mvm_exit ex;
    int r;
};

static void clone_main(void *arg)
{
    struct clone *c = arg;
    c->r = mvm_vm_run(c->vm, &c->ex);
}

/* Its standard streams to DIR/clone-K.{out,err}: 0 or an exit status. */
static int clone_output(mvm_vm *vm, const char *dir, int k)
{
    char path[4096];
    for (int fd = 1; fd <= 2; fd++) {
        snprintf(path, sizeof path, "%s/clone-%d.%s", dir, k, fd == 1 ? "out" : "err");
        int r = mvm_vm_redirect(vm, fd, path, MVM_REDIRECT_WRITE);
        if (r != 0) {
            fprintf(stderr, "mvm: %s: %s\n", path, strerror(-r));
            return EXIT_USAGE;
        }
    }
    return 0;
}

int cmd_clone(int argc, char **argv)
{
    enum { C_MEM = 1, C_STATS, C_OUT, C_DIR, C_LISTEN, C_CONNECT, C_HELP };
    static const struct option longopts[] = {
        { "mem", required_argument, NULL, C_MEM },
        { "stats", no_argument, NULL, C_STATS },
        { "out", required_argument, NULL, C_OUT },
        { "dir", required_argument, NULL, C_DIR },
        { "listen", required_argument, NULL, C_LISTEN },
        { "connect", required_argument, NULL, C_CONNECT },
        { "help", no_argument, NULL, C_HELP },
        { NULL, 0, NULL, 0 },
    };
    struct mvm_config cfg = MVM_CONFIG_INIT;
    struct grants g;
    struct clone *clones = NULL;
    const char *out = NULL;
    int64_t n = 0;
    bool stats = false;
    int c, rc = grants_new(&g, argc), made = 0;
    mvm_vm *tmpl = NULL;
    if (rc != 0)
        goto out;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+:n:", longopts, NULL)) != -1) {
        const char *a = optarg;
        switch (c) {
        case 'n':
            if (!parse_count(a, &n) || n > MAX_CLONES)
                rc = usage_error("-n %s: expected a number of clones from 1 to " STR(MAX_CLONES), a);
            break;
        case C_MEM: rc = mem_option(a, &cfg.mem_limit); break;
        case C_STATS: stats = true; break;
        case C_OUT: out = a; break;
        case C_DIR: rc = grants_add(&g, MVM_GRANT_DIR, a); break;
        case C_LISTEN: rc = grants_add(&g, MVM_GRANT_LISTEN, a); break;
        case C_CONNECT: rc = grants_add(&g, MVM_GRANT_CONNECT, a); break;
        case C_HELP:
            fputs(clone_usage, stdout);
            goto out;
        case ':': rc = usage_error("option %s needs an argument", argv[optind - 1]); break;
        default: rc = usage_error("unknown option %s", argv[optind - 1]); break;
        }
        if (rc != 0)
            goto out;
    }
    if (optind != argc - 1 || !n) {
        rc = usage_error("clone: %s", !n ? "-n N is needed" : "one snapshot file");
        goto out;
    }
    const char *path = argv[optind];
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "mvm: %s: %s\n", path, strerror(errno));
        rc = EXIT_NOTFOUND;
        goto out;
    }
    char err[512];
    cfg.flags |= MVM_CLONE_TEMPLATE;    /* read whole, its tables lent once, here */
    /* The host's clock: a restore sets the guest's monotonic clock. */
    uint64_t t0 = host_time_monotonic_raw_ns(host_time_monotonic_ns());
    int r = mvm_vm_restore(path, &cfg, g.g, g.n, &tmpl, err, sizeof err);
    uint64_t t1 = host_time_monotonic_raw_ns(host_time_monotonic_ns());
    if (r != 0) {
        rc = restore_failed(r, err, false);
        goto out;
    }
    if (!(clones = calloc((size_t)n, sizeof *clones))) {
        rc = EXIT_INTERNAL;
        goto out;
    }
    for (; made < n; made++)
        if ((r = mvm_vm_clone(path, tmpl, g.g, g.n, &clones[made].vm, err, sizeof err)) != 0) {
            rc = restore_failed(r, err, false);
            goto out;
        }
    uint64_t t2 = host_time_monotonic_raw_ns(host_time_monotonic_ns());
    for (int i = 0; out && i < n; i++)
        if ((rc = clone_output(clones[i].vm, out, i + 1)) != 0)
            goto out;
    uint64_t t3 = host_time_monotonic_raw_ns(host_time_monotonic_ns());
    if (stats) {
        fprintf(stderr, "mvm: stats: template restored in %.3f ms, %lld clones made in %.3f ms (%.1f us each)",
                (double)(t1 - t0) / 1e6, (long long)n, (double)(t2 - t1) / 1e6, (double)(t2 - t1) / 1e3 / (double)n);
        if (out)
            fprintf(stderr, ", their output files opened in %.3f ms", (double)(t3 - t2) / 1e6);
        fputc('\n', stderr);
    }
    fflush(stdout);
    for (int i = 0; i < n; i++)
        if (!(clones[i].thread = host_thread_start(clone_main, &clones[i])))
            clone_main(&clones[i]);     /* no thread to spare: here, in turn */
    for (int i = 0; i < n; i++)
        if (clones[i].thread)
            host_thread_join(clones[i].thread);
    uint64_t resident = 0, shared = 0;
    for (int i = 0; i < n; i++) {
        struct clone *k = &clones[i];
        if (k->r != 0) {
            fprintf(stderr, "mvm: clone %d: %s\n", i + 1, mvm_strerror(k->r));
            k->ex.status = EXIT_INTERNAL;
        } else if (k->ex.reason != MVM_EXIT_EXITED) {
            fprintf(stderr, "mvm: clone %d: ", i + 1);
            report_exit(&k->ex);
        }
        if (rc == 0 && exit_status(&k->ex) != 0)
            rc = exit_status(&k->ex);
        struct mvm_stats s;
        mvm_vm_stats(k->vm, &s);
        resident += s.resident_bytes;
        shared += s.shared_bytes;
    }
    if (stats)
        fprintf(stderr, "mvm: stats: %lld clones: %llu KiB of guest memory in all, %llu KiB of it shared "
                "with the template (held once)\n", (long long)n, (unsigned long long)(resident >> 10),
                (unsigned long long)(shared >> 10));
out:
    for (int i = 0; clones && i < made; i++)
        mvm_vm_destroy(clones[i].vm);
    free(clones);
    mvm_vm_destroy(tmpl);
    grants_free(&g);
    return rc;
}
