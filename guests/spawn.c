/*
 * spawn.c — isolated child services: a guest that runs other programs in
 * VMs of its own, side by side, and collects what they print and how they
 * end. Inside mvm the VMs are made by the monitor above (hypercalls); the
 * same source built for the host would interpret them itself.
 *
 *   spawn OUTDIR PROGRAM [ARGS...] [-- PROGRAM [ARGS...]]...
 *
 * Each child sees no file and no environment; its stdout goes to
 * OUTDIR/child-N.out. The children run in
 * turns of 200000 instructions each (round robin), so a looping child
 * cannot starve the others; a child that runs past 50 turns is stopped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvm.h"

#define MAX_CHILDREN 16
#define SLICE 200000
#define MAX_TURNS 50

struct child {
    mvm_vm *vm;
    char out[4096];
    int turns, done;
    struct mvm_exit ex;
};

static void *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(f);
    *size = n;
    return buf;
}

static int start(struct child *c, int index, const char *outdir, int argc, char **argv)
{
    size_t size;
    void *image = slurp(argv[0], &size);
    if (!image) {
        perror(argv[0]);
        return -1;
    }
    struct mvm_config cfg = MVM_CONFIG_INIT;
    cfg.mem_limit = 64 << 20;
    cfg.budget = SLICE;
    int r = mvm_vm_create(&cfg, &c->vm);
    if (r == 0) {
        snprintf(c->out, sizeof c->out, "%s/child-%d.out", outdir, index);
        r = mvm_vm_redirect(c->vm, 1, c->out, MVM_REDIRECT_WRITE);
    }
    if (r == 0)
        r = mvm_vm_load_elf(c->vm, argv[0], image, size, argc, argv, 0, NULL);
    free(image);
    if (r != 0) {
        fprintf(stderr, "spawn: %s: %s\n", argv[0],
                r == -MVM_ENOEXEC ? mvm_vm_error(c->vm) : mvm_strerror(r));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: spawn OUTDIR PROGRAM [ARGS...] [-- PROGRAM [ARGS...]]...\n");
        return 2;
    }
    struct child kids[MAX_CHILDREN] = { 0 };
    int n = 0;
    for (int i = 2; i < argc && n < MAX_CHILDREN;) {
        int j = i;
        while (j < argc && strcmp(argv[j], "--") != 0)
            j++;
        argv[j < argc ? j : argc] = NULL;
        if (start(&kids[n], n, argv[1], j - i, argv + i) != 0)
            return 1;
        n++;
        i = j + 1;
    }
    printf("spawn: %d children%s\n", n, mvm_inside() ? " (VMs of the monitor above)" : "");
    for (int live = n; live > 0;) {
        for (int i = 0; i < n; i++) {
            struct child *c = &kids[i];
            if (c->done)
                continue;
            if (mvm_vm_run(c->vm, &c->ex) != 0 || c->ex.reason != MVM_EXIT_BUDGET || ++c->turns >= MAX_TURNS) {
                c->done = 1;
                live--;
            } else {
                mvm_vm_set_budget(c->vm, SLICE);
            }
        }
    }
    int worst = 0;
    for (int i = 0; i < n; i++) {
        struct child *c = &kids[i];
        struct mvm_stats st;
        mvm_vm_stats(c->vm, &st);
        mvm_vm_destroy(c->vm);
        const char *how = c->ex.reason == MVM_EXIT_EXITED ? "exited"
                        : c->ex.reason == MVM_EXIT_BUDGET ? "stopped (too many turns)"
                        : c->ex.reason == MVM_EXIT_FAULT ? "faulted" : "killed";
        printf("child %d: %s with status %d after %d turns, %llu instructions", i, how,
               c->ex.status, c->turns, (unsigned long long)st.instructions);
        if (c->ex.reason == MVM_EXIT_FAULT)
            printf(" (%s at 0x%llx)", c->ex.what ? c->ex.what : "fault", (unsigned long long)c->ex.addr);
        printf("\n");
        size_t size;
        char *text = slurp(c->out, &size);
        if (text) {
            printf("child %d output (%zu bytes): %.*s", i, size, (int)size, text);
            if (!size || text[size - 1] != '\n')
                printf("\n");
            free(text);
        }
        if (c->ex.status > worst)
            worst = c->ex.status;
    }
    return worst;
}
