/*
 * common.h — what the bench/procs kernels share: a monotonic clock read
 * and the report line. Each kernel prints its result on stdout in two
 * lines: a first line that depends only on the work done (bench/procs
 * checks it against the native build's), and "time_ns N", the kernel's
 * own measurement of the timed part, which leaves out process start-up.
 */
#ifndef PROCS_COMMON_H
#define PROCS_COMMON_H
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static inline int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void report_time(int64_t ns)
{
    printf("time_ns %lld\n", (long long)ns);
}
#endif
