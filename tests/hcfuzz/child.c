/*
 * child.c — the program hcfuzz runs in its VMs (tests/hcfuzz/run.sh).
 *
 *   hcfuzz-child SEED ITERS PROBE [CHECK...]
 *
 * Computes hcf_work(SEED, ITERS), runs the sandbox CHECKs, then, if PROBE
 * (hex) is not 0, loads the 64-bit word at PROBE and stores it XORed with
 * the work value at PROBE+8 (the fuzzer mapped and filled that memory and
 * knows what must end up there, or that the access must fault). Prints
 * "hcfuzz-child SEED: VALUE" and exits with VALUE % 100: the fuzzer knows
 * both. A CHECK is
 *   n:PATH   PATH must not exist here (ENOENT): nothing outside the
 *            directories granted to this VM is visible
 *   r:PATH   PATH is in a read-only grant: creating it as a file or a
 *            directory must fail with EROFS
 *   w:PATH   PATH is in a writable grant: create, write, remove
 *   h        hypercalls naming VMs this program never created must get
 *            EBADF (or ENOSYS everywhere when its owner serves none)
 * A failed check prints one line on stderr and exits 101.
 *
 *   hcfuzz-child spin N
 *
 * N rounds of: load a word of its stack, store it back changed, make a
 * system call (getppid); then exit with N % 100. Run in a VM that is not
 * unrolled and stops at each system call, this keeps the VM's stack page
 * and code in its translation caches between runs, so that the fuzzer can
 * take the pages away underneath it (the next access must fault).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hcfuzz.h"

static int breach(const char *check, const char *what, int err)
{
    fprintf(stderr, "hcfuzz-child: check %s: %s (errno %d)\n", check, what, err);
    return 0;
}

static int run_check(const char *c)
{
    const char *path = c + 2;
    if (c[0] == 'n' && c[1] == ':') {
        int fd = open(path, O_RDONLY);
        if (fd >= 0)
            return breach(c, "opened a path that must not be visible", 0);
        if (errno != ENOENT)
            return breach(c, "want ENOENT", errno);
        return 1;
    }
    if (c[0] == 'r' && c[1] == ':') {
        int fd = open(path, O_WRONLY | O_CREAT, 0644);
        if (fd >= 0)
            return breach(c, "created a file in a read-only grant", 0);
        if (errno != EROFS)
            return breach(c, "create: want EROFS", errno);
        if (mkdir(path, 0755) == 0)
            return breach(c, "made a directory in a read-only grant", 0);
        if (errno != EROFS)
            return breach(c, "mkdir: want EROFS", errno);
        return 1;
    }
    if (c[0] == 'w' && c[1] == ':') {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0)
            return breach(c, "could not create a file in a writable grant", errno);
        if (write(fd, "hcf", 3) != 3)
            return breach(c, "write", errno);
        close(fd);
        if (unlink(path) != 0)
            return breach(c, "unlink", errno);
        return 1;
    }
    if (c[0] == 'h' && c[1] == 0) {
        static uint8_t buf[1024];
        int served = hc(MVM_HC_PROBE, 0, 0, 0, 0, 0, 0) == MVM_HC_MAGIC;
        long want = served ? -9 : -38;
        for (long h = 0; h <= MVM_HC_MAX_CHILDREN + 1; h++) {
            long r = hc(MVM_HC_VM_STATS, h, (long)buf, 0, 0, 0, 0);
            if (r != want)
                return breach(c, "stats of a VM it never created", (int)-r);
        }
        if (hc(MVM_HC_VM_DESTROY, 1, 0, 0, 0, 0, 0) != want ||
            hc(MVM_HC_VM_RUN, 1, (long)buf, 0, 0, 0, 0) != want ||
            hc(MVM_HC_VM_READ, 1, HCF_WIN, (long)buf, 16, 0, 0) != want ||
            hc(MVM_HC_VM_WRITE, 2, HCF_WIN, (long)buf, 16, 0, 0) != want ||
            hc(MVM_HC_VM_SET_BUDGET, 1, 1, 0, 0, 0, 0) != want)
            return breach(c, "a hypercall on a VM it never created", 0);
        return 1;
    }
    return breach(c, "unknown check", 0);
}

static int spin(unsigned long n)
{
    volatile uint64_t x[2] = { 1, 2 };
    for (unsigned long i = 0; i < n; i++) {
        x[1] = x[0] + i;
        x[0] = x[1] ^ i;
        syscall(SYS_getppid);
    }
    return (int)(n % 100);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "spin"))
        return spin(strtoul(argv[2], NULL, 10));
    if (argc < 4)
        return HCF_CHILD_USAGE;
    uint64_t seed = strtoull(argv[1], NULL, 10);
    unsigned long iters = strtoul(argv[2], NULL, 10);
    uint64_t probe = strtoull(argv[3], NULL, 16);
    uint64_t h = hcf_work(seed, iters);
    for (int i = 4; i < argc; i++)
        if (!run_check(argv[i]))
            return HCF_CHILD_BREACH;
    if (probe) {
        volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)probe;
        uint64_t v = p[0];
        p[1] = v ^ h;
    }
    printf("hcfuzz-child %llu: %016llx\n", (unsigned long long)seed, (unsigned long long)h);
    return (int)(h % 100);
}
