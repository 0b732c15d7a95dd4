/*
 * romount.c — attack C: a read-only mount must stay read-only in a child.
 *
 * Run as `romount parent` with /box writable and /box/sub mounted
 * read-only below it (`--dir BOX:/box --dir BOX/sub:/box/sub:ro`). The
 * parent checks that it cannot write into /box/sub itself, then grants
 * its /box to a child VM, writable (VM_ADD_DIR, src 0 = its own view,
 * read_only 0), and runs itself there as `romount child`. The grant names
 * /box, but the child sees /box as its parent does: composition never
 * widens a grant (docs/hypercalls.md), so /box/sub stays read-only and
 * every change below it fails with EROFS. A grant that resolved /box to
 * the host directory alone would hand the child BOX/sub writable.
 *
 * The child also does what it may (create /box/ok, read /box/sub/f), so
 * the checks are not vacuous; tests/isolation/run.sh then looks at BOX on
 * the host. Prints "ok NAME" / "FAIL NAME: why"; the child exits 1 on a
 * failure, the parent with the child's status (2 on its own errors).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hc.h"

#define CONTENT "read-only content\n"

static int failed;

/* r is a system call's result (-1 and errno on failure). */
static void want_erofs(const char *name, int r)
{
    if (r < 0 && errno == EROFS) {
        printf("ok %s\n", name);
    } else {
        printf("FAIL %s: %s\n", name, r >= 0 ? "succeeded" : strerror(errno));
        failed = 1;
    }
}

static int child(void)
{
    want_erofs("create-in-ro", open("/box/sub/new", O_WRONLY | O_CREAT | O_EXCL, 0644));
    want_erofs("open-trunc-ro", open("/box/sub/f", O_WRONLY | O_TRUNC));
    want_erofs("open-write-ro", open("/box/sub/f", O_RDWR));
    want_erofs("truncate-ro", truncate("/box/sub/f", 0));
    want_erofs("chmod-ro", chmod("/box/sub/f", 0777));
    want_erofs("mkdir-ro", mkdir("/box/sub/d", 0755));
    want_erofs("unlink-ro", unlink("/box/sub/f"));

    /* Controls: the writable part is writable, the read-only part readable. */
    int fd = open("/box/ok", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0 && write(fd, "ok\n", 3) == 3 && close(fd) == 0) {
        printf("ok create-in-rw\n");
    } else {
        printf("FAIL create-in-rw: %s\n", strerror(errno));
        failed = 1;
    }
    char buf[64] = { 0 };
    fd = open("/box/sub/f", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (n == (ssize_t)strlen(CONTENT) && memcmp(buf, CONTENT, (size_t)n) == 0) {
        printf("ok read-ro\n");
    } else {
        printf("FAIL read-ro: %s\n", n < 0 ? strerror(errno) : "wrong content");
        failed = 1;
    }
    printf("romount child: %s\n", failed ? "FAILED" : "all refused");
    return failed;
}

static int parent(const char *self)
{
    /* The parent's own view: /box/sub is read-only. */
    want_erofs("parent-create-in-ro", open("/box/sub/new", O_WRONLY | O_CREAT | O_EXCL, 0644));
    if (failed)
        return 2;

    FILE *f = fopen(self, "rb");
    static unsigned char image[4 << 20];
    size_t size = f ? fread(image, 1, sizeof image, f) : 0;
    if (!size) {
        printf("FAIL parent: cannot read %s\n", self);
        return 2;
    }
    fclose(f);
    static struct hc_config cfg;
    static struct hc_exit ex;
    static char args[4096];
    long h = hc(MVM_HC_VM_CREATE, (long)&cfg, 0, 0, 0, 0, 0);
    long r = h < 0 ? h : hc(MVM_HC_VM_ADD_DIR, h, 0, (long)"/box", (long)"/box", 0, 0);
    if (r < 0) {
        printf("FAIL parent: create/add-dir: %ld\n", r);
        return 2;
    }
    *(uint32_t *)args = 2;
    size_t at = 8 + (size_t)sprintf(args + 8, "romount") + 1;
    at += (size_t)sprintf(args + at, "child") + 1;
    r = hc(MVM_HC_VM_LOAD_ELF, h, (long)self, (long)image, (long)size, (long)args, (long)at);
    if (r == 0)
        r = hc(MVM_HC_VM_RUN, h, (long)&ex, 0, 0, 0, 0);
    if (r < 0) {
        printf("FAIL parent: load/run: %ld\n", r);
        return 2;
    }
    printf("romount parent: child exit reason %u status %d\n", ex.reason, ex.status);
    return ex.reason == EXIT_EXITED ? ex.status : 2;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return child();
    return parent(argv[0]);
}
