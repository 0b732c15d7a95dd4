/*
 * owner.c — a guest that owns a VM and steers its balloon through libmvm
 * (mvm_vm_balloon_set / _get, which inside mvm are VM_BALLOON hypercalls):
 *
 *   owner CACHE MIB TARGET_MIB PHASE1 [trusted]
 *
 * runs CACHE (guests/cache) as `cache MIB 4` in a VM of its own, asking
 * its balloon for TARGET_MIB for the first PHASE1 instructions and for
 * nothing after, in slices of 10 M instructions, and reads the VM's
 * resident memory after each slice. Prints what the VM held at most in
 * each phase, what its balloon held after phase 1 and what was asked,
 * then how it ended. (tests/balloon/run.sh checks the numbers.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvm.h"

#define SLICE 10000000

static void *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0)
        if ((n += got) == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    fclose(f);
    *size = n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 5)
        return 2;
    size_t size;
    void *image = slurp(argv[1], &size);
    if (!image) {
        perror(argv[1]);
        return 2;
    }
    uint64_t target = strtoull(argv[3], NULL, 0) << 20;
    unsigned long long phase1 = strtoull(argv[4], NULL, 0);
    struct mvm_config cfg = MVM_CONFIG_INIT;
    if (argc > 5 && strcmp(argv[5], "trusted") == 0)
        cfg.nest_mode = MVM_NEST_TRUSTED;
    mvm_vm *vm;
    char *args[] = { "cache", argv[2], "4", NULL };
    int r = mvm_vm_create(&cfg, &vm);
    if (r == 0)
        r = mvm_vm_load_elf(vm, "cache", image, size, 3, args, 0, NULL);
    if (r == 0)
        r = mvm_vm_balloon_set(vm, target);
    if (r != 0) {
        printf("owner: %s\n", mvm_strerror(r));
        return 1;
    }
    uint64_t most[2] = { 0, 0 }, held1 = 0, asked1 = 0, ran = 0;
    int phase = 0;
    struct mvm_exit ex;
    do {
        if ((r = mvm_vm_set_budget(vm, SLICE)) != 0 || (r = mvm_vm_run(vm, &ex)) != 0) {
            printf("owner: run: %s\n", mvm_strerror(r));
            return 1;
        }
        ran += ex.instructions;
        struct mvm_stats st;
        mvm_vm_stats(vm, &st);
        if (st.resident_bytes > most[phase])
            most[phase] = st.resident_bytes;
        if (phase == 0 && ran >= phase1) {
            if ((r = mvm_vm_balloon_get(vm, &asked1, &held1)) != 0 || (r = mvm_vm_balloon_set(vm, 0)) != 0) {
                printf("owner: balloon: %s\n", mvm_strerror(r));
                return 1;
            }
            phase = 1;
        }
    } while (ex.reason == MVM_EXIT_BUDGET);
    printf("owner: phase 1 at most %llu KiB, asked %llu KiB, held %llu KiB; phase 2 at most %llu KiB; "
           "exit %d after %llu instructions\n",
           (unsigned long long)(most[0] >> 10), (unsigned long long)(asked1 >> 10),
           (unsigned long long)(held1 >> 10), (unsigned long long)(most[1] >> 10), ex.status,
           (unsigned long long)ran);
    mvm_vm_destroy(vm);
    return 0;
}
