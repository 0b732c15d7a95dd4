/*
 * imgshare.c — VM_LOAD_ELF from an image in the caller's memory. Where
 * the image lies page-aligned (as a program read into an mmap'd buffer
 * does), the monitor shares its whole pages with the child copy-on-write
 * instead of copying them (vm/hcall.c). Sharing must not be seen: the
 * child runs the program as it was at the load, whatever the caller does
 * to its buffer afterwards, and the child's own writes never reach the
 * caller. An image the caller cannot read must still be refused.
 *
 *   imgshare CHILD SHARE
 *
 * CHILD is tests/hyper/run.sh's child program (it prints a checksum of
 * its first argument and exits with the checksum mod 100, worked out here
 * with the same formula); SHARE is 1 where the child's pages must be
 * shared (reported by VM_STATS as shared bytes), 0 where the monitor may
 * copy. Prints "ok NAME" / "FAIL NAME: why" lines, then "imgshare: all
 * checks passed" or "imgshare: FAILED"; exits 1 on a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hc.h"
#include "hyper/child.h"

static uint8_t *file;
static size_t size;
static const char *path;

/* A fresh copy of the program at offset off of a new mapping. */
static uint8_t *image_copy(size_t off, size_t *maplen)
{
    long page = sysconf(_SC_PAGESIZE);
    *maplen = (size + off + (size_t)page - 1) & ~(size_t)(page - 1);
    uint8_t *m = mmap(NULL, *maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    memcpy(m + off, file, size);
    return m;
}

static long load(long h, const uint8_t *img, const char *arg)
{
    char args[512];
    size_t n = child_args(args, path, arg);
    return hc(MVM_HC_VM_LOAD_ELF, h, (long)path, (long)img, (long)size, (long)args, (long)n);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: imgshare CHILD SHARE\n");
        return 2;
    }
    path = argv[1];
    int share = atoi(argv[2]);
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        perror(path);
        return 2;
    }
    size = (size_t)st.st_size;
    file = malloc(size);
    if (!file || read(fd, file, size) != (ssize_t)size) {
        perror("read");
        return 2;
    }
    close(fd);
    long page = sysconf(_SC_PAGESIZE);
    setvbuf(stdout, NULL, _IONBF, 0);

    /* Aligned: shared; then the buffer is scribbled over and unmapped,
     * and the child must still run the program it was given. */
    size_t len;
    uint8_t *m = image_copy(0, &len);
    long h = create();
    long r = load(h, m, "1000");
    check("aligned load", r == 0, "VM_LOAD_ELF gave %ld", r);
    uint64_t sh = shared_bytes(h);
    if (share)
        check("aligned shares its pages", sh != ~0ull && sh >= size / 2, "%ld bytes shared", (long)sh);
    memset(m, 0xff, len);
    munmap(m, len);
    int s = run(h);
    check("child runs what it was loaded with", s == want_status(1000), "status %ld", s);
    hc(MVM_HC_VM_DESTROY, h, 0, 0, 0, 0, 0);

    /* The child's writes (its data, its stack, glibc's state) stay its own. */
    m = image_copy(0, &len);
    h = create();
    r = load(h, m, "777");
    s = run(h);
    check("second child", r == 0 && s == want_status(777), "status %ld", r != 0 ? r : s);
    check("the child's writes stay its own", memcmp(m, file, size) == 0, "%ld", 0);
    hc(MVM_HC_VM_DESTROY, h, 0, 0, 0, 0, 0);
    munmap(m, len);

    /* Not aligned as the segments: copied, and no page is shared. */
    m = image_copy(8, &len);
    h = create();
    r = load(h, m + 8, "55");
    sh = shared_bytes(h);
    check("unaligned load", r == 0, "VM_LOAD_ELF gave %ld", r);
    check("unaligned shares nothing", sh == 0, "%ld bytes shared", (long)sh);
    s = run(h);
    check("unaligned child runs", s == want_status(55), "status %ld", s);
    hc(MVM_HC_VM_DESTROY, h, 0, 0, 0, 0, 0);
    munmap(m, len);

    /* Pages of the image the caller cannot read: refused, as a copy
     * through the caller's own loads would be. */
    size_t mid = (size / 2) & ~(size_t)(page - 1);
    m = image_copy(0, &len);
    munmap(m + mid, (size_t)page);
    h = create();
    r = load(h, m, "1");
    check("a hole in the image is refused", r == -EFAULT, "VM_LOAD_ELF gave %ld", r);
    hc(MVM_HC_VM_DESTROY, h, 0, 0, 0, 0, 0);
    munmap(m, len);
    m = image_copy(0, &len);
    mprotect(m + mid, (size_t)page, PROT_NONE);
    h = create();
    r = load(h, m, "1");
    check("an unreadable page in the image is refused", r == -EFAULT, "VM_LOAD_ELF gave %ld", r);
    hc(MVM_HC_VM_DESTROY, h, 0, 0, 0, 0, 0);
    munmap(m, len);

    printf("imgshare: %s\n", failed ? "FAILED" : "all checks passed");
    return failed;
}
