/*
 * budget.c — attack E: `mvm run --budget N` caps the instructions of the
 * whole tree of VMs under the guest, grandchildren included.
 *
 *   budget top COUNT ITERS     creates a child VM (delegated) running
 *                              `budget middle COUNT ITERS` and exits with
 *                              its status (7 if it did not simply exit)
 *   budget middle COUNT ITERS  runs COUNT grandchildren one after the other,
 *                              each `budget spin ITERS`, then exits 0
 *   budget spin ITERS          a loop of ITERS iterations (2 instructions
 *                              each), exit 0
 *
 * Each grandchild alone fits in the budget; all of them together are many
 * times over it. The top and the middle try to get around the cap: when a
 * VM they run stops for its budget they simply run it again (up to 1000
 * times). The budget pays for every instruction below the top, so once
 * the total reaches N nothing in the tree may run any more, the top itself
 * is stopped and mvm exits 124. No level turns a budget exit into status
 * 124 itself: the 124 can only be the monitor's. The middle's output tells
 * how far it got.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hc.h"

static unsigned char image[4 << 20];
static size_t image_size;
static char dir[4096];
static struct hc_config cfg;

static long start(const char *self, const char *a1, const char *a2, const char *a3)
{
    static char args[4096];
    const char *v[4] = { self, a1, a2, a3 };
    int n = a3 ? 4 : 3;
    size_t at = 8;
    for (int i = 0; i < n; i++)
        at += (size_t)sprintf(args + at, "%s", v[i]) + 1;
    *(uint32_t *)args = (uint32_t)n;
    *(uint32_t *)(args + 4) = 0;
    long h = hc(MVM_HC_VM_CREATE, (long)&cfg, 0, 0, 0, 0, 0);
    long r = h;
    if (h > 0 && a3)   /* the middle loads the program itself */
        r = hc(MVM_HC_VM_ADD_DIR, h, 0, (long)dir, (long)dir, 1, 0);
    if (r >= 0)
        r = hc(MVM_HC_VM_LOAD_ELF, h, (long)self, (long)image, (long)image_size, (long)args, (long)at);
    return r < 0 ? r : h;
}

/* Runs VM h to its end, resuming it whenever it stops for its budget. */
static long run_through(long h, struct hc_exit *ex)
{
    long r;
    int resumed = 0;
    do
        r = hc(MVM_HC_VM_RUN, h, (long)ex, 0, 0, 0, 0);
    while (r == 0 && ex->reason == EXIT_BUDGET && ++resumed < 1000);
    return r;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 2 && strcmp(argv[1], "spin") == 0) {
        unsigned long n = strtoul(argv[2], 0, 10);
        __asm__ volatile("1: addi %0, %0, -1\n bnez %0, 1b" : "+r"(n));
        return 0;
    }
    if (argc < 4)
        return 2;
    const char *self = argv[0];
    FILE *f = fopen(self, "rb");
    image_size = f ? fread(image, 1, sizeof image, f) : 0;
    if (!image_size) {
        printf("budget %s: cannot read %s\n", argv[1], self);
        return 2;
    }
    fclose(f);
    strcpy(dir, self);
    *strrchr(dir, '/') = 0;
    struct hc_exit ex;
    if (strcmp(argv[1], "top") == 0) {
        long h = start(self, "middle", argv[2], argv[3]);
        long r = h < 0 ? h : run_through(h, &ex);
        if (r < 0) {
            printf("budget top: error %ld\n", r);
            return 2;
        }
        printf("budget top: child exit reason %u status %d\n", ex.reason, ex.status);
        return ex.reason == EXIT_EXITED ? ex.status : 7;
    }
    int count = atoi(argv[2]), done = 0;
    for (int i = 0; i < count; i++) {
        long h = start(self, "spin", argv[3], NULL);
        long r = h < 0 ? h : run_through(h, &ex);
        if (r == 0 && ex.reason == EXIT_EXITED && ex.status == 0)
            done++;
        if (h > 0)
            hc(MVM_HC_VM_DESTROY, h, 0, 0, 0, 0, 0);
    }
    printf("budget middle: %d of %d grandchildren ran to the end\n", done, count);
    return 0;
}
