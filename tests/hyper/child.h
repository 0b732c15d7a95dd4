/*
 * child.h — what tests/hyper's guests that load tests/hyper/run.sh's child
 * program into VMs of their own share: "ok"/"FAIL" lines, making a VM,
 * its args block, running it to its end, its shared bytes, and the exit
 * status the child's own formula gives (it exits with a checksum of its
 * first argument mod 100). Built with -Itests -Iinclude, after hc.h.
 */
#ifndef TESTS_HYPER_CHILD_H
#define TESTS_HYPER_CHILD_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hc.h"

static int failed;

static void check(const char *name, int ok, const char *fmt, long v)
{
    if (ok) {
        printf("ok %s\n", name);
        return;
    }
    printf("FAIL %s: ", name);
    printf(fmt, v);
    printf("\n");
    failed = 1;
}

static long create(void)
{
    struct hc_config cfg = { 0 };
    long h = hc(MVM_HC_VM_CREATE, (long)&cfg, 0, 0, 0, 0, 0);
    if (h <= 0) {
        printf("FAIL create: %ld\n", h);
        exit(1);
    }
    return h;
}

/* The args block "path arg" in args (512 bytes): its length. */
static size_t child_args(char *args, const char *path, const char *arg)
{
    uint32_t argc = 2, envc = 0;
    memcpy(args, &argc, 4);
    memcpy(args + 4, &envc, 4);
    size_t a = strlen(path) + 1, b = strlen(arg) + 1;
    if (8 + a + b > 512) {
        printf("FAIL args: path too long\n");
        exit(1);
    }
    memcpy(args + 8, path, a);
    memcpy(args + 8 + a, arg, b);
    return 8 + a + b;
}

static uint64_t shared_bytes(long h)
{
    uint64_t st[MVM_HC_STATS_SIZE / 8];
    if (hc(MVM_HC_VM_STATS, h, (long)st, 0, 0, 0, 0) != 0)
        return ~0ull;
    return st[10];
}

/* Runs the loaded child to its end: its exit status, or -1000 - reason. */
static int run(long h)
{
    struct hc_exit ex;
    for (int i = 0; i < 1000; i++) {
        long r = hc(MVM_HC_VM_RUN, h, (long)&ex, 0, 0, 0, 0);
        if (r != 0)
            return -2000 + (int)r;
        if (ex.reason != EXIT_BUDGET)
            return ex.reason == EXIT_EXITED ? ex.status : -1000 - (int)ex.reason;
    }
    return -3000;
}

/* What the child exits with for argument n (its own formula). */
static int want_status(unsigned long n)
{
    unsigned long s = 0;
    for (unsigned long i = 0; i < n; i++)
        s = s * 31 + i;
    return (int)(s % 100);
}

#endif
