/*
 * fs_test.c — unit tests of the sandbox (user/fs.c): path resolution
 * beneath mapped directories, escapes that must fail, and the fd table.
 * Works on a temporary host tree:
 *   <tmp>/sandbox   mapped at /data (read-write)
 *   <tmp>/ro        mapped at /ro (read-only)
 *   <tmp>/fakeetc   mapped at /etc (so absolute links land there)
 *   <tmp>/outside   never mapped: nothing in it may be reached or changed
 * Expected values follow Linux path semantics with the mapped
 * directories as the only tree (as under chroot), worked out by hand.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tests/unit/check.h"
#include "user/fs.h"
#include "user/lx.h"

static char tmp[512];

static const char *hp(const char *rel)
{
    static char b[4][1024];
    static int i;
    i = (i + 1) % 4;
    snprintf(b[i], sizeof b[i], "%s/%s", tmp, rel);
    return b[i];
}

static void put(const char *rel, const char *text)
{
    FILE *f = fopen(hp(rel), "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* st_mode as Linux numbers it (the same on every Linux host). */
static uint32_t mode_from(const struct stat *st)
{
    return (uint32_t)st->st_mode;
}

static bool host_exists(const char *rel)
{
    struct stat st;
    return lstat(hp(rel), &st) == 0;
}

static struct fs *mkfs(void)
{
    struct fs *fs = fs_new();
    if (!fs)
        return NULL;
    if (fs_add_dir(fs, hp("sandbox"), "/data", false) != 0 ||
        fs_add_dir(fs, hp("ro"), "/ro", true) != 0 ||
        fs_add_dir(fs, hp("fakeetc"), "/etc", true) != 0) {
        fs_free(fs);
        return NULL;
    }
    return fs;
}

/* Reads a whole small guest file; "" with the errno text on failure. */
static const char *slurp(struct fs *fs, int dirfd, const char *path)
{
    static char buf[256];
    int fd = fs_openat(fs, dirfd, path, LX_O_RDONLY, 0);
    if (fd < 0) {
        snprintf(buf, sizeof buf, "E%d", -fd);
        return buf;
    }
    long n = fs_read(fs, fd, buf, sizeof buf - 1);
    fs_close(fs, fd);
    buf[n < 0 ? 0 : n] = 0;
    return buf;
}

static int stat_mode(struct fs *fs, int dirfd, const char *path, int flags)
{
    struct host_stat st;
    int r = fs_fstatat(fs, dirfd, path, flags, &st);
    return r < 0 ? r : (int)st.mode;
}

static void fs_inside(void)
{
    struct fs *fs = mkfs();
    CHECK(fs);
    if (!fs) return;
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/data/file.txt"), "hello\n") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/data/sub/inner.txt"), "inner\n") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "//data///sub/./inner.txt"), "inner\n") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/data/sub/../file.txt"), "hello\n") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/data/rel_in"), "inner\n") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/data/dir_link/inner.txt"), "inner\n") == 0);
    /* ".." after a link to a directory is the link target's parent: sub/.. = /data */
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/data/dir_link/../file.txt"), "hello\n") == 0);
    CHECK(stat_mode(fs, LX_AT_FDCWD, "/data/file.txt", 0) == (int)(LX_S_IFREG | 0644));
    CHECK((stat_mode(fs, LX_AT_FDCWD, "/data/rel_in", LX_AT_SYMLINK_NOFOLLOW) & LX_S_IFMT) == LX_S_IFLNK);
    CHECK((stat_mode(fs, LX_AT_FDCWD, "/data/rel_in", 0) & LX_S_IFMT) == LX_S_IFREG);
    CHECK(stat_mode(fs, LX_AT_FDCWD, "/data/file.txt/", 0) == -LX_ENOTDIR);
    CHECK(stat_mode(fs, LX_AT_FDCWD, "/data/file.txt/x", 0) == -LX_ENOTDIR);
    CHECK(stat_mode(fs, LX_AT_FDCWD, "/data/nothing", 0) == -LX_ENOENT);
    CHECK(stat_mode(fs, LX_AT_FDCWD, "", 0) == -LX_ENOENT);
    /* files of the monitor's user are the guest user's */
    struct host_stat st;
    CHECK(fs_fstatat(fs, LX_AT_FDCWD, "/data/file.txt", 0, &st) == 0 && st.uid == FS_GUEST_UID);
    fs_free(fs);
}

static void fs_dotdot(void)
{
    struct fs *fs = mkfs();
    CHECK(fs);
    if (!fs) return;
    /* ".." never leaves "/": all of these are "/" itself */
    struct host_stat root, st;
    CHECK(fs_fstatat(fs, LX_AT_FDCWD, "/", 0, &root) == 0);
    CHECK((root.mode & LX_S_IFMT) == LX_S_IFDIR);
    CHECK(fs_fstatat(fs, LX_AT_FDCWD, "/..", 0, &st) == 0 && st.ino == root.ino);
    CHECK(fs_fstatat(fs, LX_AT_FDCWD, "/data/../../../..", 0, &st) == 0 && st.ino == root.ino);
    CHECK(fs_fstatat(fs, LX_AT_FDCWD, "../../..", 0, &st) == 0 && st.ino == root.ino);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/data/../../../data/file.txt"), "hello\n") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/data/../../outside/secret.txt"), "E2") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/data/sub/../../../sandbox/file.txt"), "E2") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/../../../../../../etc/passwd"), "fake passwd\n") == 0);
    /* a directory fd of a mount root and "..": still "/" */
    int d = fs_openat(fs, LX_AT_FDCWD, "/data", LX_O_RDONLY | LX_O_DIRECTORY, 0);
    CHECK(d >= 3);
    CHECK(fs_fstatat(fs, d, "..", 0, &st) == 0 && st.ino == root.ino);
    CHECK(fs_fstatat(fs, d, "../../..", 0, &st) == 0 && st.ino == root.ino);
    CHECK(strcmp(slurp(fs, d, "../outside/secret.txt"), "E2") == 0);
    CHECK(strcmp(slurp(fs, d, "../../../outside/secret.txt"), "E2") == 0);
    CHECK(strcmp(slurp(fs, d, "sub/../file.txt"), "hello\n") == 0);
    int dd = fs_openat(fs, d, "..", LX_O_RDONLY | LX_O_DIRECTORY, 0);
    CHECK(dd >= 0);
    uint8_t buf[4096];
    long n = fs_getdents64(fs, dd, buf, sizeof buf);
    CHECK(n > 0);
    /* the listing of "/" holds exactly . .. data ro etc */
    int seen = 0, count = 0;
    for (long off = 0; off < n; off += buf[off + 16] | buf[off + 17] << 8) {
        const char *name = (const char *)buf + off + 19;
        count++;
        seen |= !strcmp(name, ".") << 0 | !strcmp(name, "..") << 1 | !strcmp(name, "data") << 2 |
                !strcmp(name, "ro") << 3 | !strcmp(name, "etc") << 4;
    }
    CHECK(seen == 31 && count == 5);
    CHECK(fs_getdents64(fs, dd, buf, sizeof buf) == 0);
    fs_close(fs, dd);
    fs_close(fs, d);
    fs_free(fs);
}

static void fs_symlinks(void)
{
    struct fs *fs = mkfs();
    CHECK(fs);
    if (!fs) return;
    /* absolute links resolve in the guest's namespace: /etc is fakeetc */
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/data/abs_passwd"), "fake passwd\n") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/data/abs_etc/passwd"), "fake passwd\n") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/data/abs_outside"), "E2") == 0);
    /* ../../.. from /data is "/": no "outside" there */
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/data/rel_up/outside/secret.txt"), "E2") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/data/rel_up/data/file.txt"), "hello\n") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/data/loop_a"), "E40") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/data/self/x"), "E40") == 0);
    /* 40 links in a row are allowed, the 41st is ELOOP (Linux MAXSYMLINKS) */
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/data/chain1"), "hello\n") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/data/chain0"), "E40") == 0);
    /* O_NOFOLLOW on a link: ELOOP; O_PATH|O_NOFOLLOW opens the link itself */
    CHECK(fs_openat(fs, LX_AT_FDCWD, "/data/rel_in", LX_O_RDONLY | LX_O_NOFOLLOW, 0) == -LX_ELOOP);
    int lp = fs_openat(fs, LX_AT_FDCWD, "/data/rel_in", LX_O_PATH | LX_O_NOFOLLOW, 0);
    CHECK(lp >= 0);
    CHECK(stat_mode(fs, lp, "", LX_AT_EMPTY_PATH) == (int)(LX_S_IFLNK | 0777));
    CHECK(fs_read(fs, lp, (char[4]){0}, 4) == -LX_EBADF);
    fs_close(fs, lp);
    char b[64];
    long n = fs_readlinkat(fs, LX_AT_FDCWD, "/data/abs_etc", b, sizeof b);
    CHECK(n == 4 && memcmp(b, "/etc", 4) == 0);
    CHECK(fs_readlinkat(fs, LX_AT_FDCWD, "/data/file.txt", b, sizeof b) == -LX_EINVAL);
    /* O_CREAT through a dangling link: the target is resolved in the
       guest; "/newfile" would be in the read-only virtual root */
    CHECK(fs_openat(fs, LX_AT_FDCWD, "/data/dangle_abs", LX_O_WRONLY | LX_O_CREAT, 0644) == -LX_EROFS);
    CHECK(fs_openat(fs, LX_AT_FDCWD, "/data/dangle_rel", LX_O_WRONLY | LX_O_CREAT, 0644) == -LX_ENOENT);
    CHECK(!host_exists("newfile") && !host_exists("outside/created"));
    /* a link the guest makes itself is as harmless */
    CHECK(fs_symlinkat(fs, "../../../../outside", LX_AT_FDCWD, "/data/mine") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/data/mine/secret.txt"), "E2") == 0);
    CHECK(fs_unlinkat(fs, LX_AT_FDCWD, "/data/mine", 0) == 0);
    /* ... and O_CREAT through a dangling link inside the mount creates its target */
    CHECK(fs_symlinkat(fs, "made.txt", LX_AT_FDCWD, "/data/to_made") == 0);
    int fd = fs_openat(fs, LX_AT_FDCWD, "/data/to_made", LX_O_WRONLY | LX_O_CREAT, 0600);
    CHECK(fd >= 0);
    fs_close(fs, fd);
    CHECK(host_exists("sandbox/made.txt"));
    CHECK(fs_openat(fs, LX_AT_FDCWD, "/data/to_made", LX_O_WRONLY | LX_O_CREAT | LX_O_EXCL, 0600) == -LX_EEXIST);
    fs_unlinkat(fs, LX_AT_FDCWD, "/data/to_made", 0);
    fs_unlinkat(fs, LX_AT_FDCWD, "/data/made.txt", 0);
    fs_free(fs);
}

static void fs_unmapped(void)
{
    struct fs *fs = mkfs();
    CHECK(fs);
    if (!fs) return;
    CHECK(stat_mode(fs, LX_AT_FDCWD, "/tmp", 0) == -LX_ENOENT);
    CHECK(stat_mode(fs, LX_AT_FDCWD, "/proc/self/exe", 0) == -LX_ENOENT);
    CHECK(stat_mode(fs, LX_AT_FDCWD, "/outside", 0) == -LX_ENOENT);
    CHECK(stat_mode(fs, LX_AT_FDCWD, "/etc/shadow", 0) == -LX_ENOENT);
    CHECK(fs_mkdirat(fs, LX_AT_FDCWD, "/newdir", 0755) == -LX_EROFS);
    CHECK(fs_openat(fs, LX_AT_FDCWD, "/newfile", LX_O_WRONLY | LX_O_CREAT, 0644) == -LX_EROFS);
    CHECK(fs_openat(fs, LX_AT_FDCWD, "/", LX_O_WRONLY, 0) == -LX_EISDIR);
    CHECK(fs_unlinkat(fs, LX_AT_FDCWD, "/data", LX_AT_REMOVEDIR) == -LX_EBUSY);
    CHECK(fs_renameat2(fs, LX_AT_FDCWD, "/data", LX_AT_FDCWD, "/data2", 0) == -LX_EBUSY);
    char big[300];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    CHECK(stat_mode(fs, LX_AT_FDCWD, big, 0) == -LX_ENAMETOOLONG);
    static char longp[FS_PATH_MAX + 10];
    strcpy(longp, "/data");
    while (strlen(longp) < FS_PATH_MAX + 2)
        strcat(longp, "/.");
    CHECK(stat_mode(fs, LX_AT_FDCWD, longp, 0) == -LX_ENAMETOOLONG);
    fs_free(fs);
}

static void fs_read_only(void)
{
    struct fs *fs = mkfs();
    CHECK(fs);
    if (!fs) return;
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/ro/ro.txt"), "keep\n") == 0);
    CHECK(fs_openat(fs, LX_AT_FDCWD, "/ro/ro.txt", LX_O_WRONLY, 0) == -LX_EROFS);
    CHECK(fs_openat(fs, LX_AT_FDCWD, "/ro/ro.txt", LX_O_RDWR, 0) == -LX_EROFS);
    CHECK(fs_openat(fs, LX_AT_FDCWD, "/ro/ro.txt", LX_O_RDONLY | LX_O_TRUNC, 0) == -LX_EROFS);
    CHECK(fs_openat(fs, LX_AT_FDCWD, "/ro/new.txt", LX_O_WRONLY | LX_O_CREAT, 0644) == -LX_EROFS);
    CHECK(fs_mkdirat(fs, LX_AT_FDCWD, "/ro/d", 0755) == -LX_EROFS);
    CHECK(fs_unlinkat(fs, LX_AT_FDCWD, "/ro/ro.txt", 0) == -LX_EROFS);
    CHECK(fs_renameat2(fs, LX_AT_FDCWD, "/ro/ro.txt", LX_AT_FDCWD, "/ro/moved", 0) == -LX_EROFS);
    CHECK(fs_renameat2(fs, LX_AT_FDCWD, "/ro/ro.txt", LX_AT_FDCWD, "/data/moved", 0) == -LX_EXDEV);
    CHECK(fs_fchmodat(fs, LX_AT_FDCWD, "/ro/ro.txt", 0777, 0) == -LX_EROFS);
    CHECK(fs_symlinkat(fs, "x", LX_AT_FDCWD, "/ro/l") == -LX_EROFS);
    CHECK(fs_linkat(fs, LX_AT_FDCWD, "/ro/ro.txt", LX_AT_FDCWD, "/ro/hard", 0) == -LX_EROFS);
    CHECK(fs_utimensat(fs, LX_AT_FDCWD, "/ro/ro.txt", NULL, 0) == -LX_EROFS);
    CHECK(fs_faccessat(fs, LX_AT_FDCWD, "/ro/ro.txt", LX_W_OK, 0) == -LX_EROFS);
    CHECK(fs_faccessat(fs, LX_AT_FDCWD, "/ro/ro.txt", LX_R_OK, 0) == 0);
    int fd = fs_openat(fs, LX_AT_FDCWD, "/ro/ro.txt", LX_O_RDONLY, 0);
    CHECK(fd >= 0);
    CHECK(fs_write(fs, fd, "x", 1) == -LX_EBADF);
    CHECK(fs_fchmod(fs, fd, 0777) == -LX_EROFS);
    CHECK(fs_ftruncate(fs, fd, 0) == -LX_EINVAL);
    fs_close(fs, fd);
    struct host_statfs sf;
    CHECK(fs_statfs(fs, LX_AT_FDCWD, "/ro", &sf) == 0 && (sf.flags & 1));
    struct stat st;
    CHECK(stat(hp("ro/ro.txt"), &st) == 0 && st.st_size == 5 && (st.st_mode & 0777) == 0644);
    fs_free(fs);
}

static void fs_cwd(void)
{
    struct fs *fs = mkfs();
    CHECK(fs);
    if (!fs) return;
    char b[FS_PATH_MAX];
    CHECK(fs_getcwd(fs, b, sizeof b) == 2 && strcmp(b, "/") == 0);
    CHECK(fs_chdir(fs, "/data/sub") == 0);
    CHECK(fs_getcwd(fs, b, sizeof b) == 10 && strcmp(b, "/data/sub") == 0);
    CHECK(fs_getcwd(fs, b, 5) == -LX_ERANGE);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "inner.txt"), "inner\n") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "../file.txt"), "hello\n") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "../../../../outside/secret.txt"), "E2") == 0);
    CHECK(fs_chdir(fs, "/data/dir_link") == 0);
    CHECK(fs_getcwd(fs, b, sizeof b) > 0 && strcmp(b, "/data/sub") == 0);
    CHECK(fs_chdir(fs, "../..") == 0);
    CHECK(fs_getcwd(fs, b, sizeof b) > 0 && strcmp(b, "/") == 0);
    CHECK(fs_chdir(fs, "data") == 0);
    CHECK(fs_getcwd(fs, b, sizeof b) > 0 && strcmp(b, "/data") == 0);
    CHECK(fs_chdir(fs, "file.txt") == -LX_ENOTDIR);
    CHECK(fs_chdir(fs, "/proc") == -LX_ENOENT);
    int d = fs_openat(fs, LX_AT_FDCWD, "sub", LX_O_RDONLY | LX_O_DIRECTORY, 0);
    CHECK(d >= 0);
    CHECK(fs_fchdir(fs, d) == 0);
    fs_close(fs, d);
    CHECK(fs_getcwd(fs, b, sizeof b) > 0 && strcmp(b, "/data/sub") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "inner.txt"), "inner\n") == 0);
    CHECK(fs_set_cwd(fs, "/nowhere") == -LX_ENOENT);
    fs_free(fs);
}

/* A directory renamed out of the sandbox while the guest holds an fd in it. */
static void fs_rename_race(void)
{
    struct fs *fs = mkfs();
    CHECK(fs);
    if (!fs) return;
    mkdir(hp("sandbox/mv"), 0755);
    mkdir(hp("sandbox/mv/deep"), 0755);
    put("sandbox/mv/deep/in.txt", "in\n");
    int d = fs_openat(fs, LX_AT_FDCWD, "/data/mv/deep", LX_O_RDONLY | LX_O_DIRECTORY, 0);
    CHECK(d >= 0);
    CHECK(fs_chdir(fs, "/data/mv/deep") == 0);
    /* the host moves the directory next to the secret */
    CHECK(rename(hp("sandbox/mv"), hp("outside/mv")) == 0);
    /* ".." from the held fd is re-resolved by its guest path, never the host's ".." */
    CHECK(strcmp(slurp(fs, d, "../../../secret.txt"), "E2") == 0);
    CHECK(strcmp(slurp(fs, d, "../../secret.txt"), "E2") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "../../secret.txt"), "E2") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "../../../outside/secret.txt"), "E2") == 0);
    /* the fd's recorded parent /data/mv is gone: ".." finds nothing */
    CHECK(strcmp(slurp(fs, d, "../../../data/file.txt"), "E2") == 0);
    /* what is below the fd stays reachable, as with any open directory */
    CHECK(strcmp(slurp(fs, d, "in.txt"), "in\n") == 0);
    fs_close(fs, d);
    rename(hp("outside/mv"), hp("sandbox/mv"));
    /* the guest renames inside its own mount while it holds an fd */
    d = fs_openat(fs, LX_AT_FDCWD, "/data/mv/deep", LX_O_RDONLY | LX_O_DIRECTORY, 0);
    CHECK(fs_renameat2(fs, LX_AT_FDCWD, "/data/mv", LX_AT_FDCWD, "/data/sub/mv2", 0) == 0);
    CHECK(strcmp(slurp(fs, d, "in.txt"), "in\n") == 0);
    CHECK(strcmp(slurp(fs, d, "../../../../../outside/secret.txt"), "E2") == 0);
    fs_close(fs, d);
    CHECK(fs_renameat2(fs, LX_AT_FDCWD, "/data/sub/mv2", LX_AT_FDCWD, "/data/mv", 0) == 0);
    fs_free(fs);
}

/* Deeper than the walk's handle budget: ".." must come back the right way. */
static void fs_deep(void)
{
    int probe = dup(0);     /* the lowest free host fd: no handle may leak */
    close(probe);
    struct fs *fs = mkfs();
    CHECK(fs);
    if (!fs) return;
    char p[FS_PATH_MAX] = "/data";
    for (int i = 0; i < 40; i++) {
        strcat(p, "/d");
        CHECK(fs_mkdirat(fs, LX_AT_FDCWD, p, 0755) == 0);
    }
    strcat(p, "/f");
    int fd = fs_openat(fs, LX_AT_FDCWD, p, LX_O_WRONLY | LX_O_CREAT, 0644);
    CHECK(fd >= 0);
    CHECK(fs_write(fs, fd, "deep\n", 5) == 5);
    fs_close(fs, fd);
    /* down 40, up 40, down again through a ".." chain */
    char q[FS_PATH_MAX] = "/data";
    for (int i = 0; i < 40; i++)
        strcat(q, "/d");
    for (int i = 0; i < 40; i++)
        strcat(q, "/..");
    strcat(q, "/file.txt");
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, q), "hello\n") == 0);
    strcpy(q, "/data");
    for (int i = 0; i < 40; i++)
        strcat(q, "/d");
    for (int i = 0; i < 45; i++)
        strcat(q, "/..");
    strcat(q, "/data/file.txt");
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, q), "hello\n") == 0);
    strcpy(q, "/data");
    for (int i = 0; i < 39; i++)
        strcat(q, "/d/d/..");
    strcat(q, "/d/f");
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, q), "deep\n") == 0);
    /* from a deep cwd, up past the mount and root */
    p[strlen(p) - 2] = 0;
    CHECK(fs_chdir(fs, p) == 0);
    strcpy(q, "");
    for (int i = 0; i < 42; i++)
        strcat(q, "../");
    strcat(q, "data/file.txt");
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, q), "hello\n") == 0);
    fs_free(fs);
    int again = dup(0);
    close(again);
    CHECK(again == probe);
}

static void fs_namespace_ops(void)
{
    struct fs *fs = mkfs();
    CHECK(fs);
    if (!fs) return;
    CHECK(fs_mkdirat(fs, LX_AT_FDCWD, "/data/newdir/", 0755) == 0);
    CHECK(fs_mkdirat(fs, LX_AT_FDCWD, "/data/newdir", 0755) == -LX_EEXIST);
    CHECK(fs_mkdirat(fs, LX_AT_FDCWD, "/data", 0755) == -LX_EEXIST);
    CHECK(host_exists("sandbox/newdir"));
    int fd = fs_openat(fs, LX_AT_FDCWD, "/data/newdir/a", LX_O_WRONLY | LX_O_CREAT | LX_O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK(fs_write(fs, fd, "A", 1) == 1);
    fs_close(fs, fd);
    fd = fs_openat(fs, LX_AT_FDCWD, "/data/newdir/b", LX_O_WRONLY | LX_O_CREAT, 0644);
    fs_close(fs, fd);
    CHECK(fs_renameat2(fs, LX_AT_FDCWD, "/data/newdir/a", LX_AT_FDCWD, "/data/newdir/b", LX_RENAME_NOREPLACE) == -LX_EEXIST);
    CHECK(fs_renameat2(fs, LX_AT_FDCWD, "/data/newdir/a", LX_AT_FDCWD, "/data/newdir/c", LX_RENAME_NOREPLACE) == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/data/newdir/c"), "A") == 0);
    CHECK(fs_renameat2(fs, LX_AT_FDCWD, "/data/newdir/c", LX_AT_FDCWD, "/data/newdir/b", LX_RENAME_EXCHANGE) == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/data/newdir/b"), "A") == 0);
    CHECK(fs_renameat2(fs, LX_AT_FDCWD, "/data/newdir/b", LX_AT_FDCWD, "/etc/b", 0) == -LX_EXDEV);
    CHECK(fs_renameat2(fs, LX_AT_FDCWD, "/data/newdir/b", LX_AT_FDCWD, "/b", 0) == -LX_EXDEV);
    CHECK(fs_linkat(fs, LX_AT_FDCWD, "/data/newdir/b", LX_AT_FDCWD, "/data/newdir/h", 0) == 0);
    struct host_stat st;
    CHECK(fs_fstatat(fs, LX_AT_FDCWD, "/data/newdir/h", 0, &st) == 0 && st.nlink == 2);
    CHECK(fs_unlinkat(fs, LX_AT_FDCWD, "/data/newdir", LX_AT_REMOVEDIR) == -LX_ENOTEMPTY);
    CHECK(fs_unlinkat(fs, LX_AT_FDCWD, "/data/newdir", 0) == -LX_EISDIR);
    CHECK(fs_unlinkat(fs, LX_AT_FDCWD, "/data/newdir/.", LX_AT_REMOVEDIR) == -LX_EINVAL);
    CHECK(fs_unlinkat(fs, LX_AT_FDCWD, "/data/newdir/..", LX_AT_REMOVEDIR) == -LX_ENOTEMPTY);
    CHECK(fs_unlinkat(fs, LX_AT_FDCWD, "/data/newdir/b", LX_AT_REMOVEDIR) == -LX_ENOTDIR);
    CHECK(fs_unlinkat(fs, LX_AT_FDCWD, "/data/newdir/b", 0) == 0);
    CHECK(fs_unlinkat(fs, LX_AT_FDCWD, "/data/newdir/c", 0) == 0);
    CHECK(fs_unlinkat(fs, LX_AT_FDCWD, "/data/newdir/h", 0) == 0);
    CHECK(fs_unlinkat(fs, LX_AT_FDCWD, "/data/newdir/h", 0) == -LX_ENOENT);
    CHECK(fs_unlinkat(fs, LX_AT_FDCWD, "/data/newdir", LX_AT_REMOVEDIR) == 0);
    CHECK(!host_exists("sandbox/newdir"));
    /* the umask applies to what the guest creates */
    fs_umask(fs, 077);
    fd = fs_openat(fs, LX_AT_FDCWD, "/data/um", LX_O_WRONLY | LX_O_CREAT, 0666);
    fs_close(fs, fd);
    CHECK(stat_mode(fs, LX_AT_FDCWD, "/data/um", 0) == (int)(LX_S_IFREG | 0600));
    CHECK(fs_fchmodat(fs, LX_AT_FDCWD, "/data/um", 0640, 0) == 0);
    CHECK(stat_mode(fs, LX_AT_FDCWD, "/data/um", 0) == (int)(LX_S_IFREG | 0640));
    /* set-user-ID and set-group-ID bits are never granted */
    CHECK(fs_fchmodat(fs, LX_AT_FDCWD, "/data/um", 06755, 0) == 0);
    CHECK(stat_mode(fs, LX_AT_FDCWD, "/data/um", 0) == (int)(LX_S_IFREG | 0755));
    fd = fs_openat(fs, LX_AT_FDCWD, "/data/um", LX_O_RDONLY, 0);
    CHECK(fs_fchmod(fs, fd, 04777) == 0);
    fs_close(fs, fd);
    CHECK(stat_mode(fs, LX_AT_FDCWD, "/data/um", 0) == (int)(LX_S_IFREG | 0777));
    fs_unlinkat(fs, LX_AT_FDCWD, "/data/um", 0);
    fs_umask(fs, 022);
    CHECK(fs_mkdirat(fs, LX_AT_FDCWD, "/data/sg", 02775) == 0);
    CHECK(stat_mode(fs, LX_AT_FDCWD, "/data/sg", 0) == (int)(LX_S_IFDIR | 0755));
    fd = fs_openat(fs, LX_AT_FDCWD, "/data/sg/x", LX_O_WRONLY | LX_O_CREAT, 04755);
    fs_close(fs, fd);
    CHECK(stat_mode(fs, LX_AT_FDCWD, "/data/sg/x", 0) == (int)(LX_S_IFREG | 0755));
    fs_unlinkat(fs, LX_AT_FDCWD, "/data/sg/x", 0);
    fs_unlinkat(fs, LX_AT_FDCWD, "/data/sg", LX_AT_REMOVEDIR);
    fs_free(fs);
}

static void fs_fds(void)
{
    struct fs *fs = mkfs();
    CHECK(fs);
    if (!fs) return;
    int fd = fs_openat(fs, LX_AT_FDCWD, "/data/file.txt", LX_O_RDONLY | LX_O_CLOEXEC, 0);
    CHECK(fd >= 0);
    CHECK(fs_getfd(fs, fd) == LX_FD_CLOEXEC);
    CHECK((fs_getfl(fs, fd) & LX_O_ACCMODE) == LX_O_RDONLY);
    int d = fs_dup(fs, fd, 0, false);
    CHECK(d > fd && fs_getfd(fs, d) == 0);
    char b[8];
    CHECK(fs_read(fs, fd, b, 2) == 2);
    /* dup'ed fds share the offset */
    CHECK(fs_lseek(fs, d, 0, LX_SEEK_CUR) == 2);
    CHECK(fs_dup3(fs, fd, 10, LX_O_CLOEXEC) == 10 && fs_getfd(fs, 10) == LX_FD_CLOEXEC);
    CHECK(fs_dup3(fs, fd, fd, 0) == -LX_EINVAL);
    CHECK(fs_dup3(fs, 99, 5, 0) == -LX_EBADF);
    CHECK(fs_dup(fs, fd, 20, true) == 20);
    CHECK(fs_close(fs, fd) == 0 && fs_close(fs, fd) == -LX_EBADF);
    CHECK(fs_read(fs, 10, b, 3) == 3 && memcmp(b, "llo", 3) == 0);
    CHECK(fs_write(fs, 10, "x", 1) == -LX_EBADF);
    CHECK(fs_read(fs, 77, b, 1) == -LX_EBADF);
    int again = fs_openat(fs, LX_AT_FDCWD, "/data/file.txt", LX_O_RDONLY, 0);
    CHECK(again == fd);     /* the lowest free fd */
    int p[2];
    CHECK(fs_pipe2(fs, p, LX_O_CLOEXEC) == 0 && p[0] > d && p[1] > p[0]);
    CHECK(fs_write(fs, p[1], "pipe", 4) == 4);
    CHECK(fs_read(fs, p[0], b, 8) == 4 && memcmp(b, "pipe", 4) == 0);
    CHECK(fs_lseek(fs, p[0], 0, LX_SEEK_CUR) == -LX_ESPIPE);
    CHECK(fs_setfl(fs, p[0], LX_O_NONBLOCK) == 0 && (fs_getfl(fs, p[0]) & LX_O_NONBLOCK));
    CHECK(fs_read(fs, p[0], b, 8) == -LX_EAGAIN);
    CHECK(fs_pipe2(fs, p, 0x4) == -LX_EINVAL);
    /* reading a directory; getdents on a file */
    int dd = fs_openat(fs, LX_AT_FDCWD, "/data", LX_O_RDONLY | LX_O_DIRECTORY, 0);
    CHECK(fs_read(fs, dd, b, 1) == -LX_EISDIR);
    uint8_t ents[64];
    CHECK(fs_getdents64(fs, again, ents, sizeof ents) == -LX_ENOTDIR);
    CHECK(fs_getdents64(fs, dd, ents, 20) == -LX_EINVAL);
    CHECK(fs_openat(fs, LX_AT_FDCWD, "/data/file.txt", LX_O_RDONLY | LX_O_DIRECTORY, 0) == -LX_ENOTDIR);
    CHECK(fs_openat(fs, LX_AT_FDCWD, "/data", LX_O_WRONLY, 0) == -LX_EISDIR);
    /* the fd limit */
    CHECK(fs_set_nofile(fs, (uint64_t)dd + 1, (uint64_t)dd + 1) == 0);
    CHECK(fs_openat(fs, LX_AT_FDCWD, "/data/file.txt", LX_O_RDONLY, 0) == -LX_EMFILE);
    CHECK(fs_dup(fs, dd, 0, false) == -LX_EMFILE);
    CHECK(fs_set_nofile(fs, (uint64_t)dd + 1, 4096) == -LX_EPERM);
    fs_free(fs);
}

static void fs_listing(void)
{
    struct fs *fs = mkfs();
    CHECK(fs);
    if (!fs) return;
    int d = fs_openat(fs, LX_AT_FDCWD, "/data/sub", LX_O_RDONLY | LX_O_DIRECTORY, 0);
    CHECK(d >= 0);
    /* a small buffer: entries come one call at a time, none lost */
    uint8_t buf[40];
    int seen = 0, count = 0;
    long n;
    while ((n = fs_getdents64(fs, d, buf, sizeof buf)) > 0) {
        CHECK(n == 24 || n == 32);
        const char *name = (const char *)buf + 19;
        count++;
        seen |= (!strcmp(name, ".")) | (!strcmp(name, "..")) << 1 | (!strcmp(name, "inner.txt")) << 2;
        if (!strcmp(name, "inner.txt"))
            CHECK(buf[18] == LX_DT_REG);
    }
    CHECK(n == 0 && seen == 7 && count == 3);
    CHECK(fs_lseek(fs, d, 0, LX_SEEK_SET) == 0);
    CHECK(fs_getdents64(fs, d, buf, sizeof buf) > 0);
    fs_close(fs, d);
    fs_free(fs);
}

/* Mount points under virtual directories and a host directory at "/". */
static void fs_mount_layouts(void)
{
    struct fs *fs = fs_new();
    CHECK(fs);
    if (!fs) return;
    CHECK(fs_add_dir(fs, hp("sandbox"), "/a/b/c", false) == 0);
    CHECK(fs_add_dir(fs, hp("ro"), "a//x/", true) == -LX_EINVAL);
    CHECK(fs_add_dir(fs, hp("ro"), "/a/../x", true) == -LX_EINVAL);
    CHECK(fs_add_dir(fs, hp("ro"), "/a/b/c/", true) == -LX_EEXIST);
    CHECK(fs_add_dir(fs, hp("nonexistent"), "/n", true) == -LX_ENOENT);
    CHECK(fs_add_dir(fs, hp("ro"), "//a//x/", true) == 0);
    CHECK((stat_mode(fs, LX_AT_FDCWD, "/a", 0) & LX_S_IFMT) == LX_S_IFDIR);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/a/b/c/file.txt"), "hello\n") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/a/x/ro.txt"), "keep\n") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/a/b/c/../../x/ro.txt"), "keep\n") == 0);
    CHECK(stat_mode(fs, LX_AT_FDCWD, "/a/nope", 0) == -LX_ENOENT);
    int d = fs_openat(fs, LX_AT_FDCWD, "/a", LX_O_RDONLY | LX_O_DIRECTORY, 0);
    uint8_t buf[512];
    long n = fs_getdents64(fs, d, buf, sizeof buf);
    int seen = 0, count = 0;
    for (long off = 0; off < n; off += buf[off + 16] | buf[off + 17] << 8) {
        const char *name = (const char *)buf + off + 19;
        count++;
        seen |= (!strcmp(name, "b")) | (!strcmp(name, "x")) << 1;
    }
    CHECK(seen == 3 && count == 4);
    fs_close(fs, d);
    CHECK(fs_chdir(fs, "/a/b") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "c/sub/inner.txt"), "inner\n") == 0);
    fs_free(fs);

    /* a host directory as "/" with a second mount on top of it */
    fs = fs_new();
    CHECK(fs);
    if (!fs) return;
    CHECK(fs_add_dir(fs, hp("sandbox"), "/", false) == 0);
    CHECK(fs_add_dir(fs, hp("ro"), "/sub", true) == 0);
    CHECK(fs_add_dir(fs, hp("fakeetc"), "/deep/er/etc", true) == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/file.txt"), "hello\n") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "file.txt"), "hello\n") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/../../file.txt"), "hello\n") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/sub/ro.txt"), "keep\n") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/sub/inner.txt"), "E2") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/deep/er/etc/passwd"), "fake passwd\n") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/abs_passwd"), "E2") == 0);
    CHECK(strcmp(slurp(fs, LX_AT_FDCWD, "/rel_up/file.txt"), "hello\n") == 0);
    fs_free(fs);
}

/* The unmapped directory is exactly as it was. */
static void fs_outside_untouched(void)
{
    DIR *d = opendir(hp("outside"));
    CHECK(d);
    if (!d) return;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    CHECK(n == 1);
    FILE *f = fopen(hp("outside/secret.txt"), "r");
    char b[32] = "";
    CHECK(f && fgets(b, sizeof b, f) && strcmp(b, "secret\n") == 0);
    if (f)
        fclose(f);
    CHECK(!host_exists("newfile") && !host_exists("b"));
}

#if defined(__linux__) && defined(SYS_openat2)
/*
 * Random paths, resolved by the sandbox and by the host kernel with
 * openat2(RESOLVE_IN_ROOT), which treats a directory as "/" the way the
 * sandbox treats its namespace: ".." stops there, absolute links start
 * there. The kernel's root directory <tmp>/R holds only data/, which the
 * sandbox maps at /data, so both see the same tree.
 */
struct open_how_k {
    uint64_t flags, mode, resolve;
};

static int kernel_stat(int root, const char *path, bool follow, struct stat *st)
{
    struct open_how_k how = { O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW), 0, 0x10 /* RESOLVE_IN_ROOT */ };
    int fd = (int)syscall(SYS_openat2, root, path, &how, sizeof how);
    if (fd < 0)
        return -errno;
    int r = fstat(fd, st) == 0 ? 0 : -errno;
    close(fd);
    return r;
}

static void fs_vs_openat2(void)
{
    /* names that exist somewhere come often, so most paths get far */
    static const char *const tok[] = {
        ".", "..", "..", "..", "data", "data", "data", "sub", "sub", "sub", "dl", "dl", "abs_sub",
        "parent", "parent", "abs_root", "abs_root", "up3", "chain", "deeper", "x", "file.txt",
        "inner.txt", "rl", "etc", "loop", "nothing", "",
    };
    mkdir(hp("R"), 0755);
    mkdir(hp("R/data"), 0755);
    mkdir(hp("R/data/sub"), 0755);
    mkdir(hp("R/data/sub/deeper"), 0755);
    put("R/data/file.txt", "f\n");
    put("R/data/sub/inner.txt", "i\n");
    put("R/data/sub/deeper/x", "x\n");
    symlink("../../..", hp("R/data/up3"));
    symlink("/data/sub", hp("R/data/abs_sub"));
    symlink("/etc", hp("R/data/etc"));
    symlink("sub", hp("R/data/dl"));
    symlink("sub/inner.txt", hp("R/data/rl"));
    symlink("loop", hp("R/data/loop"));
    symlink("..", hp("R/data/sub/parent"));
    symlink("/", hp("R/data/sub/abs_root"));
    symlink("dl/deeper/../parent/abs_sub", hp("R/data/chain"));
    int root = open(hp("R"), O_PATH | O_DIRECTORY);
    struct stat probe;
    if (kernel_stat(root, "data", true, &probe) == -ENOSYS) {
        printf("SKIP unit/fs_vs_openat2: the host kernel has no openat2\n");
        close(root);
        return;
    }
    struct fs *fs = fs_new();
    CHECK(fs && fs_add_dir(fs, hp("R/data"), "/data", false) == 0);
    CHECK(fs_chdir(fs, "/data/sub") == 0);
    struct host_stat vroot;
    CHECK(fs_fstatat(fs, LX_AT_FDCWD, "/", 0, &vroot) == 0);
    struct stat kroot;
    fstat(root, &kroot);
    uint64_t seed = 12345;
    int mismatches = 0;
    for (int i = 0; i < 6000 && mismatches < 5; i++) {
        char gp[512] = "", kp[600];
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        bool absolute = seed >> 63;
        int n = 1 + (int)(seed >> 40) % 7;
        if (absolute)
            strcat(gp, (seed >> 50) % 4 ? "/data/" : "/");
        for (int k = 0; k < n; k++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            strcat(gp, tok[(seed >> 33) % (sizeof tok / sizeof tok[0])]);
            if (k + 1 < n || (seed >> 20) % 4 == 0)
                strcat(gp, "/");
        }
        bool follow = (seed >> 10) % 3 != 0;
        if (!gp[0])
            continue;       /* "" is ENOENT for both, but the prefix below would hide it */
        /* the kernel resolves relative paths from its root: prefix the cwd */
        snprintf(kp, sizeof kp, "%s%s", gp[0] == '/' ? "" : "data/sub/", gp);
        struct stat ks;
        struct host_stat gs;
        int kr = kernel_stat(root, kp, follow, &ks);
        int gr = fs_fstatat(fs, LX_AT_FDCWD, gp, follow ? 0 : LX_AT_SYMLINK_NOFOLLOW, &gs);
        bool same;
        if (kr < 0 || gr < 0)
            same = kr == gr;
        else if (ks.st_ino == kroot.st_ino && ks.st_dev == kroot.st_dev)
            same = gs.ino == vroot.ino;
        else
            same = gs.ino == (uint64_t)ks.st_ino && gs.mode == mode_from(&ks);
        if (!same) {
            printf("  mismatch: \"%s\" follow=%d: kernel %d (ino %llu), sandbox %d (ino %llu)\n", gp, follow,
                   kr, (unsigned long long)ks.st_ino, gr, (unsigned long long)gs.ino);
            mismatches++;
        }
    }
    CHECK(mismatches == 0);
    fs_free(fs);
    close(root);
}
#endif

static void setup(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmp, sizeof tmp, "%s/mvm-fs-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmp)) {
        perror("mkdtemp");
        exit(1);
    }
    umask(022);
    mkdir(hp("sandbox"), 0755);
    mkdir(hp("sandbox/sub"), 0755);
    mkdir(hp("ro"), 0755);
    mkdir(hp("fakeetc"), 0755);
    mkdir(hp("outside"), 0755);
    put("sandbox/file.txt", "hello\n");
    put("sandbox/sub/inner.txt", "inner\n");
    put("ro/ro.txt", "keep\n");
    put("fakeetc/passwd", "fake passwd\n");
    put("outside/secret.txt", "secret\n");
    symlink("/etc/passwd", hp("sandbox/abs_passwd"));
    symlink("/etc", hp("sandbox/abs_etc"));
    symlink(hp("outside/secret.txt"), hp("sandbox/abs_outside"));
    symlink("../../..", hp("sandbox/rel_up"));
    symlink("sub/inner.txt", hp("sandbox/rel_in"));
    symlink("sub", hp("sandbox/dir_link"));
    symlink("loop_b", hp("sandbox/loop_a"));
    symlink("loop_a", hp("sandbox/loop_b"));
    symlink("self", hp("sandbox/self"));
    symlink("/newfile", hp("sandbox/dangle_abs"));
    symlink("../../../outside/created", hp("sandbox/dangle_rel"));
    /* chainK -> chainK+1 -> ... -> chain40 -> file.txt: chain0 needs 41 links */
    for (int i = 0; i <= 40; i++) {
        char name[64], target[64];
        snprintf(name, sizeof name, "sandbox/chain%d", i);
        if (i == 40)
            snprintf(target, sizeof target, "file.txt");
        else
            snprintf(target, sizeof target, "chain%d", i + 1);
        symlink(target, hp(name));
    }
}

static void teardown(void)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "fs_test: could not remove %s\n", tmp);
}

int main(void)
{
    setup();
    RUN(fs_inside);
    RUN(fs_dotdot);
    RUN(fs_symlinks);
    RUN(fs_unmapped);
    RUN(fs_read_only);
    RUN(fs_cwd);
    RUN(fs_rename_race);
    RUN(fs_deep);
    RUN(fs_namespace_ops);
    RUN(fs_fds);
    RUN(fs_listing);
    RUN(fs_mount_layouts);
    RUN(fs_outside_untouched);
#if defined(__linux__) && defined(SYS_openat2)
    RUN(fs_vs_openat2);
#endif
    teardown();
    return check_total_failed;
}
