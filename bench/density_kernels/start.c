/*
 * start.c — what starting a VM costs when its program is already in
 * memory: `start PROGRAM N` reads PROGRAM once, then N times makes a VM
 * and runs it to its end, timing apart
 *   make   mvm_vm_create + mvm_vm_load_elf of the image (segments copied,
 *          stack and arguments built): the VM is ready to run
 *   run    mvm_vm_run of the whole program
 *   fork   mvm_vm_fork of a template loaded once (never run): the VM is
 *          ready to run, its memory the template's, copy-on-write
 *   frun   mvm_vm_run of such a copy
 * and prints the median and the mean of each, in microseconds, as
 * "make MEDIAN MEAN" and so on. Every run must exit 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mvm.h"

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double *v, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += v[i];
    qsort(v, (size_t)n, sizeof *v, cmp);
    printf("%s %.1f %.1f\n", what, v[n / 2], sum / n);
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    int n = atoi(argv[2]);
    FILE *f = fopen(argv[1], "rb");
    if (!f || n < 1)
        return 2;
    static unsigned char image[16 << 20];
    size_t size = fread(image, 1, sizeof image, f);
    fclose(f);
    double *make = calloc((size_t)n, sizeof *make), *run = calloc((size_t)n, sizeof *run);
    double *fork = calloc((size_t)n, sizeof *fork), *frun = calloc((size_t)n, sizeof *frun);
    if (!make || !run || !fork || !frun)
        return 3;
    char *args[] = { argv[1], NULL };
    for (int i = 0; i < n; i++) {
        mvm_vm *vm;
        struct mvm_exit ex;
        double t0 = now_us();
        if (mvm_vm_create(NULL, &vm) != 0 || mvm_vm_load_elf(vm, argv[1], image, size, 1, args, 0, NULL) != 0)
            return 4;
        double t1 = now_us();
        if (mvm_vm_run(vm, &ex) != 0 || ex.reason != MVM_EXIT_EXITED || ex.status != 0)
            return 5;
        double t2 = now_us();
        mvm_vm_destroy(vm);
        make[i] = t1 - t0;
        run[i] = t2 - t1;
    }
    mvm_vm *tmpl;
    if (mvm_vm_create(NULL, &tmpl) != 0 || mvm_vm_load_elf(tmpl, argv[1], image, size, 1, args, 0, NULL) != 0)
        return 4;
    for (int i = 0; i < n; i++) {
        mvm_vm *vm;
        struct mvm_exit ex;
        double t0 = now_us();
        if (mvm_vm_fork(tmpl, NULL, &vm) != 0)
            return 6;
        double t1 = now_us();
        if (mvm_vm_run(vm, &ex) != 0 || ex.reason != MVM_EXIT_EXITED || ex.status != 0)
            return 7;
        double t2 = now_us();
        mvm_vm_destroy(vm);
        fork[i] = t1 - t0;
        frun[i] = t2 - t1;
    }
    mvm_vm_destroy(tmpl);
    report("make", make, n);
    report("run", run, n);
    report("fork", fork, n);
    report("frun", frun, n);
    return 0;
}
