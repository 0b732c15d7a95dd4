/*
 * escape.c — a guest that tries to get out of its sandbox, one way per
 * subcommand, and checks that every way fails (plus the positive checks
 * that the sandbox still works). Run by tests/sandbox/run.sh with
 *   --dir <tmp>/sandbox:/data --dir <tmp>/ro:/ro:ro
 * Host layout (made by run.sh) as the guest sees it:
 *   /data/file.txt "hello\n", /data/sub/inner.txt "inner\n"
 *   /data/etc_link -> /etc, /data/passwd_link -> /etc/passwd,
 *   /data/up3 -> ../../.., /data/outside_abs -> <tmp>/outside (a host path),
 *   /data/loop1 <-> /data/loop2, /data/dangle -> <tmp>/outside/created,
 *   /data/dangle_rel -> ../outside/created2, /ro/ro.txt "readonly\n"
 * <tmp>/outside/secret.txt holds "secret\n" and must stay unreachable.
 * Each check prints "FAIL <where>: <what>" when it does not hold; the
 * exit status is 1 if any failed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int failed;

#define FAIL(...) do { printf("FAIL %s:%d: ", __func__, __LINE__); printf(__VA_ARGS__); printf("\n"); failed = 1; } while (0)

/* call must fail with errno err. */
#define ERR(call, err) do { \
        errno = 0; \
        long r_ = (long)(call); \
        if (r_ != -1 || errno != (err)) \
            FAIL("%s: returned %ld errno %d (%s), expected errno %d (%s)", #call, r_, errno, \
                 strerror(errno), (err), strerror(err)); \
    } while (0)

#define OK(call) do { \
        errno = 0; \
        long r_ = (long)(call); \
        if (r_ < 0) \
            FAIL("%s: returned %ld errno %d (%s)", #call, r_, errno, strerror(errno)); \
    } while (0)

#define CHECK(cond) do { if (!(cond)) FAIL("%s", #cond); } while (0)

/* Contents of a small file, or "" (errno kept) if it cannot be read. */
static const char *slurp_at(int dirfd, const char *path)
{
    static char buf[256];
    buf[0] = 0;
    int fd = openat(dirfd, path, O_RDONLY);
    if (fd < 0)
        return buf;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    buf[n < 0 ? 0 : n] = 0;
    close(fd);
    return buf;
}

static const char *slurp(const char *path) { return slurp_at(AT_FDCWD, path); }

/* Reads nothing that looks like the secret or the host's files. */
static void no_secret(const char *path)
{
    const char *s = slurp(path);
    if (strstr(s, "secret") || strstr(s, "root:"))
        FAIL("%s reached a host file: %.40s", path, s);
}

static void t_dotdot(void)
{
    CHECK(strcmp(slurp("/data/file.txt"), "hello\n") == 0);
    CHECK(strcmp(slurp("/data/../data/file.txt"), "hello\n") == 0);
    CHECK(strcmp(slurp("/data/sub/../../../../data/sub/inner.txt"), "inner\n") == 0);
    ERR(open("/data/../outside/secret.txt", O_RDONLY), ENOENT);
    ERR(open("/data/../../outside/secret.txt", O_RDONLY), ENOENT);
    ERR(open("/data/sub/../../../../../../../../outside/secret.txt", O_RDONLY), ENOENT);
    ERR(open("/../../../../etc/passwd", O_RDONLY), ENOENT);
    ERR(open("/data/../sandbox/file.txt", O_RDONLY), ENOENT);
    /* "/.." is "/": the same directory, listing only the mount points */
    struct stat a, b;
    OK(stat("/", &a));
    OK(stat("/../../..", &b));
    CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev && S_ISDIR(b.st_mode));
    OK(chdir("/data/sub"));
    ERR(open("../../outside/secret.txt", O_RDONLY), ENOENT);
    ERR(open("../../../../../../tmp", O_RDONLY), ENOENT);
    CHECK(strcmp(slurp("../file.txt"), "hello\n") == 0);
    no_secret("../../../../outside/secret.txt");
}

static void t_abs_symlink(void)
{
    char b[64];
    ssize_t n = readlink("/data/etc_link", b, sizeof b);
    CHECK(n == 4 && memcmp(b, "/etc", 4) == 0);
    /* the link is resolved in the guest: there is no /etc */
    ERR(open("/data/etc_link/passwd", O_RDONLY), ENOENT);
    ERR(open("/data/passwd_link", O_RDONLY), ENOENT);
    ERR(open("/data/outside_abs/secret.txt", O_RDONLY), ENOENT);
    struct stat st;
    ERR(stat("/data/etc_link", &st), ENOENT);
    OK(lstat("/data/etc_link", &st));
    CHECK(S_ISLNK(st.st_mode));
    ERR(chdir("/data/etc_link"), ENOENT);
    ERR(opendir("/data/etc_link") ? 0 : -1, ENOENT);
    no_secret("/data/passwd_link");
}

static void t_rel_symlink(void)
{
    /* up3 -> ../../.. from /data is "/" */
    struct stat root, st;
    OK(stat("/", &root));
    OK(stat("/data/up3", &st));
    CHECK(st.st_ino == root.st_ino);
    ERR(open("/data/up3/outside/secret.txt", O_RDONLY), ENOENT);
    ERR(open("/data/up3/../../outside/secret.txt", O_RDONLY), ENOENT);
    CHECK(strcmp(slurp("/data/up3/data/file.txt"), "hello\n") == 0);
    OK(chdir("/data/up3"));
    char cwd[PATH_MAX];
    CHECK(getcwd(cwd, sizeof cwd) && strcmp(cwd, "/") == 0);
    no_secret("/data/up3/outside/secret.txt");
}

static void t_symlink_loop(void)
{
    ERR(open("/data/loop1", O_RDONLY), ELOOP);
    ERR(open("/data/loop2/x", O_RDONLY), ELOOP);
    ERR(chdir("/data/loop1"), ELOOP);
    struct stat st;
    ERR(stat("/data/loop1", &st), ELOOP);
    OK(lstat("/data/loop1", &st));
    /* a self-made chain of 41 links is one too many (Linux follows 40) */
    char name[32], target[32];
    for (int i = 0; i <= 40; i++) {
        snprintf(name, sizeof name, "/data/c%d", i);
        if (i == 40)
            snprintf(target, sizeof target, "file.txt");
        else
            snprintf(target, sizeof target, "c%d", i + 1);
        OK(symlink(target, name));
    }
    CHECK(strcmp(slurp("/data/c1"), "hello\n") == 0);
    ERR(open("/data/c0", O_RDONLY), ELOOP);
    for (int i = 0; i <= 40; i++) {
        snprintf(name, sizeof name, "/data/c%d", i);
        OK(unlink(name));
    }
}

static void t_dirfd_dotdot(void)
{
    int d = open("/data", O_RDONLY | O_DIRECTORY);
    OK(d);
    ERR(openat(d, "../outside/secret.txt", O_RDONLY), ENOENT);
    ERR(openat(d, "../../../../outside/secret.txt", O_RDONLY), ENOENT);
    ERR(openat(d, "../../sandbox/file.txt", O_RDONLY), ENOENT);
    CHECK(strcmp(slurp_at(d, "sub/../file.txt"), "hello\n") == 0);
    int up = openat(d, "..", O_RDONLY | O_DIRECTORY);
    OK(up);
    int up2 = openat(up, "../..", O_RDONLY | O_DIRECTORY);
    OK(up2);
    struct stat a, b;
    OK(fstat(up, &a));
    OK(fstat(up2, &b));
    CHECK(a.st_ino == b.st_ino);
    ERR(openat(up2, "outside", O_RDONLY), ENOENT);
    ERR(mkdirat(up, "newdir", 0755), EROFS);
    ERR(openat(up, "newfile", O_WRONLY | O_CREAT, 0644), EROFS);
    /* fchdir to the mount root, then climb */
    OK(fchdir(d));
    OK(chdir(".."));
    OK(chdir(".."));
    char cwd[PATH_MAX];
    CHECK(getcwd(cwd, sizeof cwd) && strcmp(cwd, "/") == 0);
    ERR(open("outside/secret.txt", O_RDONLY), ENOENT);
    /* a subdirectory fd: up twice is still inside */
    int s = open("/data/sub", O_RDONLY | O_DIRECTORY);
    OK(s);
    CHECK(strcmp(slurp_at(s, "../file.txt"), "hello\n") == 0);
    ERR(openat(s, "../../outside/secret.txt", O_RDONLY), ENOENT);
    close(s);
    close(up2);
    close(up);
    close(d);
}

static void t_read_only(void)
{
    CHECK(strcmp(slurp("/ro/ro.txt"), "readonly\n") == 0);
    ERR(open("/ro/ro.txt", O_WRONLY), EROFS);
    ERR(open("/ro/ro.txt", O_RDWR), EROFS);
    ERR(open("/ro/ro.txt", O_RDONLY | O_TRUNC), EROFS);
    ERR(open("/ro/ro.txt", O_WRONLY | O_APPEND), EROFS);
    ERR(open("/ro/new.txt", O_WRONLY | O_CREAT, 0644), EROFS);
    ERR(mkdir("/ro/dir", 0755), EROFS);
    ERR(unlink("/ro/ro.txt"), EROFS);
    ERR(rmdir("/ro"), EBUSY);
    ERR(rename("/ro/ro.txt", "/ro/moved.txt"), EROFS);
    ERR(rename("/ro/ro.txt", "/data/stolen.txt"), EXDEV);
    ERR(rename("/data/file.txt", "/ro/planted.txt"), EXDEV);
    ERR(link("/ro/ro.txt", "/ro/hard"), EROFS);
    ERR(symlink("x", "/ro/link"), EROFS);
    ERR(chmod("/ro/ro.txt", 0777), EROFS);
    ERR(truncate("/ro/ro.txt", 0), EROFS);
    ERR(utimensat(AT_FDCWD, "/ro/ro.txt", NULL, 0), EROFS);
    ERR(access("/ro/ro.txt", W_OK), EROFS);
    OK(access("/ro/ro.txt", R_OK));
    int fd = open("/ro/ro.txt", O_RDONLY);
    OK(fd);
    ERR(write(fd, "x", 1), EBADF);
    ERR(fchmod(fd, 0777), EROFS);
    ERR(ftruncate(fd, 0), EINVAL);
    close(fd);
}

static void t_unmapped(void)
{
    static const char *const paths[] = {
        "/tmp", "/etc", "/etc/passwd", "/home", "/usr/bin/env", "/dev/null", "/sys", "/root",
        "/outside", "/sandbox", "/ro/../outside",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct stat st;
        ERR(stat(paths[i], &st), ENOENT);
    }
    ERR(mkdir("/tmp", 0755), EROFS);
    ERR(open("/newfile", O_WRONLY | O_CREAT, 0644), EROFS);
    ERR(symlink("/data", "/link"), EROFS);
    ERR(rename("/data/file.txt", "/file.txt"), EXDEV);
    /* "/" lists exactly the mount points */
    DIR *d = opendir("/");
    CHECK(d);
    int n = 0, seen = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        n++;
        if (!strcmp(e->d_name, "data")) seen |= 1;
        if (!strcmp(e->d_name, "ro")) seen |= 2;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) seen |= 4;
    }
    if (d)
        closedir(d);
    CHECK(n == 4 && seen == 7);
}

static void t_proc_self(void)
{
    char b[PATH_MAX];
    ERR(readlink("/proc/self/exe", b, sizeof b), ENOENT);
    ERR(readlink("/proc/self/cwd", b, sizeof b), ENOENT);
    ERR(open("/proc/self/root/etc/passwd", O_RDONLY), ENOENT);
    ERR(open("/proc/self/fd/0", O_RDONLY), ENOENT);
    ERR(open("/proc/1/root", O_RDONLY), ENOENT);
    struct stat st;
    ERR(stat("/proc", &st), ENOENT);
}

static void t_long_paths(void)
{
    char name[300];
    memset(name, 'n', 256);
    name[256] = 0;
    ERR(open(name, O_RDONLY), ENAMETOOLONG);
    char p[300];
    snprintf(p, sizeof p, "/data/%s", name);
    ERR(open(p, O_WRONLY | O_CREAT, 0644), ENAMETOOLONG);
    ERR(mkdir(p, 0755), ENAMETOOLONG);
    /* PATH_MAX counts the NUL: 4095 characters are the most a path has */
    static char big[PATH_MAX + 16];
    strcpy(big, "/data");
    while (strlen(big) < PATH_MAX + 2)
        strcat(big, "/.");
    ERR(open(big, O_RDONLY), ENAMETOOLONG);
    ERR(chdir(big), ENAMETOOLONG);
    /* 4094 characters of "./" then a name still resolve */
    strcpy(big, "/data/");
    while (strlen(big) < PATH_MAX - 16)
        strcat(big, "./");
    strcat(big, "file.txt");
    CHECK(strlen(big) < PATH_MAX);
    CHECK(strcmp(slurp(big), "hello\n") == 0);
    /* a 255-character name is fine */
    memset(name, 'm', 255);
    name[255] = 0;
    snprintf(p, sizeof p, "/data/%s", name);
    int fd = open(p, O_WRONLY | O_CREAT, 0644);
    OK(fd);
    close(fd);
    OK(unlink(p));
}

static void t_guest_symlinks(void)
{
    /* links the guest makes itself are resolved in its namespace too */
    OK(symlink("/", "/data/myroot"));
    OK(symlink("../../../../../..", "/data/myup"));
    char host_path[PATH_MAX];
    snprintf(host_path, sizeof host_path, "%s/outside/secret.txt", getenv("OUTSIDE_PARENT") ? getenv("OUTSIDE_PARENT") : "/tmp");
    OK(symlink(host_path, "/data/myhost"));
    ERR(open("/data/myroot/outside/secret.txt", O_RDONLY), ENOENT);
    ERR(open("/data/myup/outside/secret.txt", O_RDONLY), ENOENT);
    ERR(open("/data/myhost", O_RDONLY), ENOENT);
    CHECK(strcmp(slurp("/data/myroot/data/file.txt"), "hello\n") == 0);
    no_secret("/data/myhost");
    OK(unlink("/data/myroot"));
    OK(unlink("/data/myup"));
    OK(unlink("/data/myhost"));
}

static void t_dangling_create(void)
{
    /* O_CREAT follows a dangling link: its target is resolved in the guest */
    ERR(open("/data/dangle", O_WRONLY | O_CREAT, 0644), ENOENT);
    ERR(open("/data/dangle_rel", O_WRONLY | O_CREAT, 0644), ENOENT);
    ERR(mkdir("/data/dangle/x", 0755), ENOENT);
    /* renaming or linking onto the link replaces the link, not its target */
    int fd = open("/data/tmpfile", O_WRONLY | O_CREAT, 0600);
    OK(fd);
    OK(write(fd, "mine\n", 5));
    close(fd);
    OK(link("/data/tmpfile", "/data/tmplink"));
    OK(rename("/data/tmplink", "/data/dangle_copy"));
    OK(symlink("../outside/created3", "/data/dangle3"));
    OK(rename("/data/tmpfile", "/data/dangle3"));
    struct stat st;
    OK(lstat("/data/dangle3", &st));
    CHECK(S_ISREG(st.st_mode));
    OK(unlink("/data/dangle3"));
    OK(unlink("/data/dangle_copy"));
}

static bool exists(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0;
}

/*
 * A directory renamed out of the sandbox by a host process while the guest
 * holds an fd in it and has its cwd there. run.sh moves <tmp>/sandbox/victim
 * to <tmp>/outside/victim after /data/ready appears, then makes /data/moved.
 */
static void t_rename_race(void)
{
    int d = open("/data/victim/deep", O_RDONLY | O_DIRECTORY);
    OK(d);
    OK(chdir("/data/victim/deep"));
    int fd = open("/data/ready", O_WRONLY | O_CREAT, 0644);
    OK(fd);
    close(fd);
    struct timespec ts = { 0, 10 * 1000 * 1000 };
    for (int i = 0; i < 3000 && !exists("/data/moved"); i++)
        nanosleep(&ts, NULL);
    CHECK(exists("/data/moved"));
    CHECK(!exists("/data/victim"));
    /* up from the moved directory: never into the host's tree */
    ERR(openat(d, "../../secret.txt", O_RDONLY), ENOENT);
    ERR(openat(d, "../../../outside/secret.txt", O_RDONLY), ENOENT);
    ERR(openat(d, "..", O_RDONLY), ENOENT);
    ERR(open("../../secret.txt", O_RDONLY), ENOENT);
    ERR(chdir(".."), ENOENT);
    no_secret("../../secret.txt");
    /* what is below the held directory stays what it was */
    CHECK(strcmp(slurp_at(d, "in.txt"), "in\n") == 0);
    CHECK(strcmp(slurp("/data/file.txt"), "hello\n") == 0);
    close(d);
}

/* The guest renames a directory of its own mount while holding an fd in it. */
static void t_self_rename(void)
{
    OK(mkdir("/data/a", 0755));
    OK(mkdir("/data/a/b", 0755));
    int fd = open("/data/a/b/f", O_WRONLY | O_CREAT, 0644);
    OK(fd);
    OK(write(fd, "f\n", 2));
    close(fd);
    int d = open("/data/a/b", O_RDONLY | O_DIRECTORY);
    OK(d);
    OK(rename("/data/a", "/data/sub/a2"));
    CHECK(strcmp(slurp_at(d, "f"), "f\n") == 0);
    ERR(openat(d, "../../../../../outside/secret.txt", O_RDONLY), ENOENT);
    ERR(openat(d, "../b/f", O_RDONLY), ENOENT);     /* its old parent /data/a is gone */
    CHECK(strcmp(slurp("/data/sub/a2/b/f"), "f\n") == 0);
    /* renameat2 inside the mount */
    OK(syscall(SYS_renameat2, AT_FDCWD, "/data/sub/a2", AT_FDCWD, "/data/a", 0));
    OK(mkdir("/data/x", 0755));
    ERR(syscall(SYS_renameat2, AT_FDCWD, "/data/a", AT_FDCWD, "/data/x", 1 /* RENAME_NOREPLACE */), EEXIST);
    OK(syscall(SYS_renameat2, AT_FDCWD, "/data/a", AT_FDCWD, "/data/x", 2 /* RENAME_EXCHANGE */));
    CHECK(strcmp(slurp("/data/x/b/f"), "f\n") == 0);
    OK(unlink("/data/x/b/f"));
    OK(rmdir("/data/x/b"));
    OK(rmdir("/data/x"));
    OK(rmdir("/data/a"));
    close(d);
}

/* The positive side: what is mapped works as on Linux. */
static void t_inside(void)
{
    OK(chdir("/data"));
    char cwd[PATH_MAX];
    CHECK(getcwd(cwd, sizeof cwd) && strcmp(cwd, "/data") == 0);
    CHECK(strcmp(slurp("sub/inner.txt"), "inner\n") == 0);
    OK(chdir("sub"));
    CHECK(getcwd(cwd, sizeof cwd) && strcmp(cwd, "/data/sub") == 0);
    CHECK(strcmp(slurp("inner.txt"), "inner\n") == 0);
    int fd = open("new.txt", O_WRONLY | O_CREAT | O_EXCL, 0644);
    OK(fd);
    OK(write(fd, "new\n", 4));
    close(fd);
    ERR(open("new.txt", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
    DIR *d = opendir(".");
    CHECK(d);
    int seen = 0, n = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        n++;
        if (!strcmp(e->d_name, "inner.txt") && e->d_type == DT_REG) seen |= 1;
        if (!strcmp(e->d_name, "new.txt")) seen |= 2;
    }
    if (d)
        closedir(d);
    CHECK(n == 4 && seen == 3);
    OK(rename("new.txt", "../renamed.txt"));
    CHECK(strcmp(slurp("/data/renamed.txt"), "new\n") == 0);
    OK(unlink("/data/renamed.txt"));
    FILE *f = fopen("/data/sub/stdio.txt", "w");
    CHECK(f);
    if (f) {
        fprintf(f, "%d %s\n", 42, "stdio");
        fclose(f);
    }
    CHECK(strcmp(slurp("stdio.txt"), "42 stdio\n") == 0);
    OK(unlink("stdio.txt"));
}

int main(int argc, char **argv)
{
    static const struct { const char *name; void (*fn)(void); } tests[] = {
        { "dotdot", t_dotdot }, { "abs_symlink", t_abs_symlink }, { "rel_symlink", t_rel_symlink },
        { "symlink_loop", t_symlink_loop }, { "dirfd_dotdot", t_dirfd_dotdot },
        { "read_only", t_read_only }, { "unmapped", t_unmapped }, { "proc_self", t_proc_self },
        { "long_paths", t_long_paths }, { "guest_symlinks", t_guest_symlinks },
        { "dangling_create", t_dangling_create }, { "rename_race", t_rename_race },
        { "self_rename", t_self_rename }, { "inside", t_inside },
    };
    if (argc != 2) {
        fprintf(stderr, "usage: escape TEST\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
        if (!strcmp(argv[1], tests[i].name)) {
            tests[i].fn();
            printf("%s: %s\n", argv[1], failed ? "failed" : "ok");
            return failed;
        }
    fprintf(stderr, "escape: no test %s\n", argv[1]);
    return 2;
}
