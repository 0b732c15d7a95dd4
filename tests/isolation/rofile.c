/*
 * rofile.c — attack D: a file reached through a stream must not have its
 * metadata changed when the guest could not change the file itself.
 *
 *   rofile redirect   run with a read-only mount at /ro holding /ro/f;
 *                     makes /ro/f a child VM's stdin (VM_REDIRECT, src 0,
 *                     fd 0, how 0 = read) and runs itself there as
 *                     `rofile child`
 *   rofile child      fchmod(0, 0666), futimens(0, ...), fchown(0, ...)
 *                     must fail: the descriptor came from a read-only
 *                     grant, so fchmod and futimens give EROFS as chmod
 *                     and utimensat on the path would; fchown gives EROFS
 *                     or EPERM. Reading it works (the control).
 *   rofile stream deny|allow
 *                     fchmod(1, 0600) and futimens(1, 1234567890): the
 *                     guest's stdout came from outside its sandbox (the
 *                     shell redirected mvm's stdout to a host file), so by
 *                     default both fail with EPERM ("deny"); with mvm's
 *                     --stream-meta option both succeed ("allow"). Reports
 *                     go to stderr: stdout is the file under test.
 *
 * tests/isolation/run.sh checks the host files' mode, owner and times.
 * Prints "ok NAME" / "FAIL NAME: why"; exits 1 on a failure (the redirect
 * parent: the child's status, 2 on its own errors).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hc.h"

#define CONTENT "do not touch\n"

static int failed;

static void result(FILE *out, const char *name, int r, int want1, int want2)
{
    int e = r < 0 ? errno : 0;
    if (e == want1 || (want2 && e == want2)) {
        fprintf(out, "ok %s\n", name);
    } else {
        fprintf(out, "FAIL %s: %s\n", name, r >= 0 ? "succeeded" : strerror(e));
        failed = 1;
    }
}

static int child(void)
{
    struct timespec ts[2] = { { 2000000000, 0 }, { 2000000000, 0 } };
    result(stdout, "fchmod-ro-stdin", fchmod(0, 0666), EROFS, 0);
    result(stdout, "futimens-ro-stdin", futimens(0, ts), EROFS, 0);
    result(stdout, "fchown-ro-stdin", fchown(0, 4242, 4242), EROFS, EPERM);
    char buf[64] = { 0 };
    ssize_t n = read(0, buf, sizeof buf - 1);
    if (n == (ssize_t)strlen(CONTENT) && memcmp(buf, CONTENT, (size_t)n) == 0) {
        printf("ok read-stdin\n");
    } else {
        printf("FAIL read-stdin: %s\n", n < 0 ? strerror(errno) : "wrong content");
        failed = 1;
    }
    printf("rofile child: %s\n", failed ? "FAILED" : "all refused");
    return failed;
}

static int redirect(const char *self)
{
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
    long r = h < 0 ? h : hc(MVM_HC_VM_REDIRECT, h, 0, 0, (long)"/ro/f", 0, 0);
    if (r < 0) {
        printf("FAIL parent: create/redirect: %ld\n", r);
        return 2;
    }
    *(uint32_t *)args = 2;
    size_t at = 8 + (size_t)sprintf(args + 8, "rofile") + 1;
    at += (size_t)sprintf(args + at, "child") + 1;
    r = hc(MVM_HC_VM_LOAD_ELF, h, (long)self, (long)image, (long)size, (long)args, (long)at);
    if (r == 0)
        r = hc(MVM_HC_VM_RUN, h, (long)&ex, 0, 0, 0, 0);
    if (r < 0) {
        printf("FAIL parent: load/run: %ld\n", r);
        return 2;
    }
    printf("rofile parent: child exit reason %u status %d\n", ex.reason, ex.status);
    return ex.reason == EXIT_EXITED ? ex.status : 2;
}

static int stream(int allow)
{
    struct timespec ts[2] = { { 1234567890, 0 }, { 1234567890, 0 } };
    result(stderr, allow ? "fchmod-stdout-allowed" : "fchmod-stdout-denied", fchmod(1, 0600), allow ? 0 : EPERM, 0);
    result(stderr, allow ? "futimens-stdout-allowed" : "futimens-stdout-denied", futimens(1, ts), allow ? 0 : EPERM, 0);
    fprintf(stderr, "rofile stream: %s\n", failed ? "FAILED" : "as expected");
    return failed;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return child();
    if (argc > 2 && strcmp(argv[1], "stream") == 0)
        return stream(strcmp(argv[2], "allow") == 0);
    return redirect(argv[0]);
}
