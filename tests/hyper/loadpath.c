/*
 * loadpath.c — VM_LOAD_PATH: the monitor loads a program file that a
 * path names in the caller's view, through the caller's sandbox, and
 * keeps an image of it for the VMs of the tree (vm/image.c), whose pages
 * the children share. The cache must never be seen: a file that changed
 * is loaded as it is now, never as it was.
 *
 *   loadpath FILE SHARE
 *   loadpath FILE parallel
 *
 * The second form forks: two processes of the guest, each on a host
 * thread of its own, load FILE and run it 20 times at once (the tree's
 * images are shared by both; built with ThreadSanitizer, the monitor
 * must report no race).
 *
 * FILE is a copy of tests/hyper/run.sh's child program in a directory the
 * guest may write, left alone for at least two seconds (so that the
 * monitor may keep an image of it); the child prints a checksum of its
 * first argument and exits with the checksum mod 100, worked out here
 * with the same formula. SHARE is 1 where the child's pages must be shared
 * (VM_STATS' shared bytes), 0 where the monitor may copy. Prints "ok
 * NAME" / "FAIL NAME: why" lines, then "loadpath: all checks passed" or
 * "loadpath: FAILED"; exits 1 on a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hc.h"
#include "hyper/child.h"

static char args[512];
static size_t args_len;

static void set_args(const char *path, const char *arg)
{
    args_len = child_args(args, path, arg);
}

static long load_path(long h, const char *path, const char *arg)
{
    set_args(path, arg);
    return hc(MVM_HC_VM_LOAD_PATH, h, 0, (long)path, (long)args, (long)args_len, 0);
}

/* Loads path into a new VM and runs it with argument n: its status. */
static int load_and_run(const char *name, const char *path, unsigned long n, int share)
{
    char arg[32];
    snprintf(arg, sizeof arg, "%lu", n);
    long h = create();
    long r = load_path(h, path, arg);
    check(name, r == 0, "VM_LOAD_PATH gave %ld", r);
    if (r != 0) {
        hc(MVM_HC_VM_DESTROY, h, 0, 0, 0, 0, 0);
        return -1;
    }
    if (share) {
        struct stat st;
        uint64_t sh = shared_bytes(h);
        stat(path, &st);
        check("its pages are shared", sh != ~0ull && sh >= (uint64_t)st.st_size / 2, "%ld bytes shared", (long)sh);
    }
    int s = run(h);
    hc(MVM_HC_VM_DESTROY, h, 0, 0, 0, 0, 0);
    return s;
}

/* Two processes load and run path at once, 20 times each. */
static int parallel(const char *path)
{
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    int bad = 0;
    for (unsigned i = 0; i < 20; i++) {
        unsigned long n = pid == 0 ? 100 + i : 200 + i;
        char name[32];
        snprintf(name, sizeof name, "parallel load %s %u", pid == 0 ? "child" : "parent", i);
        int s = load_and_run(name, path, n, 0);
        if (s != want_status(n)) {
            printf("FAIL %s: status %d\n", name, s);
            bad = 1;
        }
    }
    if (pid == 0)
        _exit(bad || failed);
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        printf("FAIL the other process: status %#x\n", st);
        bad = 1;
    }
    printf("loadpath: %s\n", bad || failed ? "FAILED" : "all checks passed");
    return bad || failed;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: loadpath FILE SHARE | loadpath FILE parallel\n");
        return 2;
    }
    const char *path = argv[1];
    setvbuf(stdout, NULL, _IONBF, 0);
    if (strcmp(argv[2], "parallel") == 0)
        return parallel(path);
    int share = atoi(argv[2]);
    setvbuf(stdout, NULL, _IONBF, 0);
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        perror(path);
        return 2;
    }
    size_t size = (size_t)st.st_size;
    uint8_t *file = malloc(size);
    if (!file || read(fd, file, size) != (ssize_t)size) {
        perror("read");
        return 2;
    }
    close(fd);

    int s = load_and_run("load by path", path, 1000, share);
    check("the child runs", s == want_status(1000), "status %ld", s);
    s = load_and_run("load the same path again", path, 321, share);
    check("the second child runs", s == want_status(321), "status %ld", s);

    /* The file changes in place, same size: what loads is what is there
     * now (garbage: refused), never the image kept of what was. */
    fd = open(path, O_WRONLY);
    memset(file + 16, 0x5a, 64);   /* the ELF header past e_ident */
    long w = fd < 0 ? -1 : pwrite(fd, file, size, 0);
    close(fd);
    check("rewrite the file", w == (long)size, "pwrite gave %ld", w);
    long h = create();
    long r = load_path(h, path, "1");
    check("a changed file is loaded as it is now", r == -ENOEXEC, "VM_LOAD_PATH gave %ld", r);
    char err[256] = "";
    hc(MVM_HC_VM_ERROR, h, (long)err, sizeof err, 0, 0, 0);
    check("and the error says why", err[0] != 0, "%ld", 0);
    hc(MVM_HC_VM_DESTROY, h, 0, 0, 0, 0, 0);

    /* Bad requests. */
    h = create();
    r = load_path(h, "/no/such/program", "1");
    check("a missing file", r == -ENOENT, "VM_LOAD_PATH gave %ld", r);
    r = load_path(h, "/etc/shadow", "1");
    check("a file outside the sandbox", r == -ENOENT || r == -EACCES, "VM_LOAD_PATH gave %ld", r);
    r = load_path(h, "/", "1");
    check("a directory", r == -EACCES, "VM_LOAD_PATH gave %ld", r);
    set_args(path, "1");
    r = hc(MVM_HC_VM_LOAD_PATH, h, 0, 8, (long)args, (long)args_len, 0);
    check("a bad path pointer", r == -EFAULT, "VM_LOAD_PATH gave %ld", r);
    r = hc(MVM_HC_VM_LOAD_PATH, h, 0, (long)path, (long)args, 4, 0);
    check("an args block too short", r == -EINVAL, "VM_LOAD_PATH gave %ld", r);
    r = hc(MVM_HC_VM_LOAD_PATH, h, 77, (long)path, (long)args, (long)args_len, 0);
    check("a source VM not held", r == -EBADF, "VM_LOAD_PATH gave %ld", r);
    r = hc(MVM_HC_VM_LOAD_PATH, h + 40, 0, (long)path, (long)args, (long)args_len, 0);
    check("a VM not held", r == -EBADF, "VM_LOAD_PATH gave %ld", r);
    hc(MVM_HC_VM_DESTROY, h, 0, 0, 0, 0, 0);

    printf("loadpath: %s\n", failed ? "FAILED" : "all checks passed");
    return failed;
}
