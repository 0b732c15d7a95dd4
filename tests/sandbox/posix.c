/*
 * posix.c — file-system behaviour inside the sandbox, compared with the
 * oracle: tests/sandbox/run.sh runs this same binary under qemu-riscv64
 * (which passes calls to the host kernel) in one copy of a directory tree
 * and under mvm in another copy mapped at /data, and the two outputs must
 * be identical. Only relative paths are used, and nothing that differs
 * between two directories of one host (inode numbers, times other than
 * those set here, owners, absolute paths) is printed.
 * Expects the current directory to hold file.txt ("hello\n") and
 * sub/inner.txt ("inner\n").
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/* "ok", the value, or the errno's name. */
static const char *res(long r)
{
    static char b[8][32];
    static int i;
    i = (i + 1) % 8;
    if (r < 0)
        snprintf(b[i], sizeof b[i], "%s", strerrorname_np(errno));
    else
        snprintf(b[i], sizeof b[i], "%ld", r);
    return b[i];
}

#define T(call) printf("%-58s -> %s\n", #call, res((long)(call)))

static void show_stat(const char *what, int r, const struct stat *st)
{
    if (r < 0)
        printf("stat %s -> %s\n", what, strerrorname_np(errno));
    else
        printf("stat %s -> mode %o size %lld nlink %lu\n", what, (unsigned)st->st_mode,
               (long long)st->st_size, (unsigned long)st->st_nlink);
}

static void st(const char *path)
{
    struct stat s;
    int r = stat(path, &s);
    show_stat(path, r, &s);
}

static void lst(const char *path)
{
    struct stat s;
    int r = lstat(path, &s);
    show_stat(path, r, &s);
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of a directory, sorted, with their d_type. */
static void list(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        printf("list %s -> %s\n", path, strerrorname_np(errno));
        return;
    }
    char *names[512];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 512) {
        char *s = malloc(strlen(e->d_name) + 8);
        sprintf(s, "%s:%d", e->d_name, e->d_type);
        names[n++] = s;
    }
    long pos = telldir(d);
    rewinddir(d);
    int again = 0;
    while (readdir(d))
        again++;
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmp);
    printf("list %s (%d, again %d, end %s):", path, n, again, pos >= 0 ? "ok" : "bad");
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

static void cat(const char *path)
{
    char b[256];
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("cat %s -> %s\n", path, strerrorname_np(errno));
        return;
    }
    ssize_t n = read(fd, b, sizeof b - 1);
    close(fd);
    b[n < 0 ? 0 : n] = 0;
    printf("cat %s -> \"", path);
    for (ssize_t i = 0; i < n; i++)
        printf(b[i] == '\n' ? "\\n" : "%c", b[i]);
    printf("\"\n");
}

int main(void)
{
    char b[256];
    umask(022);
    /* directories */
    T(mkdir("d", 0755));
    T(mkdir("d", 0755));
    T(mkdir("nope/x", 0755));
    T(mkdir("file.txt/x", 0755));
    T(mkdir("d/e/", 0700));
    st("d/e");
    T(rmdir("d/e/"));

    /* create, write, append, pread, pwrite */
    int fd = open("d/a", O_CREAT | O_WRONLY | O_EXCL, 0640);
    T(fd);
    T(write(fd, "abc\n", 4));
    T(close(fd));
    T(open("d/a", O_CREAT | O_WRONLY | O_EXCL, 0640));
    st("d/a");
    fd = open("d/a", O_RDWR | O_APPEND);
    T(write(fd, "def\n", 4));
    T(lseek(fd, 0, SEEK_CUR));
    T(pread(fd, b, 3, 1));
    printf("pread: %.3s\n", b);
    T(pwrite(fd, "X", 1, 0));          /* O_APPEND: Linux appends anyway */
    T(fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK));
    T(fcntl(fd, F_SETFL, O_NONBLOCK));
    T(fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK));
    T(close(fd));
    cat("d/a");

    /* vectors */
    fd = open("d/v", O_CREAT | O_RDWR | O_TRUNC, 0644);
    struct iovec w[3] = { { "one ", 4 }, { "", 0 }, { "two three\n", 10 } };
    T(writev(fd, w, 3));
    T(lseek(fd, 0, SEEK_SET));
    char p1[5] = "", p2[32] = "";
    struct iovec r[2] = { { p1, 4 }, { p2, sizeof p2 - 1 } };
    T(readv(fd, r, 2));
    printf("readv: [%s] [%s]\n", p1, p2);
    T(preadv(fd, r, 2, 4));
    T(pwritev(fd, w, 3, 2));
    T(lseek(fd, 100, SEEK_SET));
    T(write(fd, "end", 3));
    T(lseek(fd, 0, SEEK_END));
    T(lseek(fd, -1, SEEK_SET));
    T(lseek(fd, 0, 17));
    T(ftruncate(fd, 5));
    struct stat s;
    T(fstat(fd, &s));
    show_stat("fd v", 0, &s);
    T(ioctl(fd, FIONREAD, &(int){ 0 }));
    T(fsync(fd));
    T(fdatasync(fd));
    T(flock(fd, LOCK_EX | LOCK_NB));
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
    T(fcntl(fd, F_SETLK, &fl));
    fl.l_type = F_RDLCK;
    T(fcntl(fd, F_GETLK, &fl));
    printf("getlk type %d\n", fl.l_type);
    T(close(fd));
    cat("d/v");
    T(truncate("d/v", 3));
    cat("d/v");

    /* descriptors */
    fd = open("file.txt", O_RDONLY);
    int d2 = dup(fd);
    T(read(fd, b, 2));
    T(lseek(d2, 0, SEEK_CUR));
    T(dup3(fd, 20, O_CLOEXEC));
    T(fcntl(20, F_GETFD));
    T(fcntl(fd, F_GETFD));
    T(fcntl(fd, F_DUPFD, 15));
    T(fcntl(fd, F_DUPFD_CLOEXEC, 15));
    T(fcntl(16, F_GETFD));
    T(dup3(fd, fd, 0));
    T(dup2(fd, fd));
    T(close(15));
    T(close(16));
    T(close(20));
    T(close(d2));
    T(close(fd));
    T(close(fd));
    T(read(99, b, 1));
    T(write(99, b, 1));
    T(fcntl(99, F_GETFD));
    T(dup2(99, 5));
    T(fcntl(0, 12345));

    /* pipes */
    int pp[2];
    T(pipe2(pp, O_CLOEXEC));
    T(write(pp[1], "ping", 4));
    T(read(pp[0], b, 100));
    T(fcntl(pp[0], F_SETFL, O_NONBLOCK));
    T(read(pp[0], b, 100));
    T(lseek(pp[0], 0, SEEK_CUR));
    T(fcntl(pp[1], F_GETFL) & O_ACCMODE);
    T(close(pp[1]));
    T(read(pp[0], b, 100));
    T(close(pp[0]));
    T(pipe2(pp, 0x12345));

    /* links */
    T(link("d/a", "d/h"));
    st("d/a");
    T(symlink("a", "d/s"));
    T(symlink("a", "d/s"));
    ssize_t n = readlink("d/s", b, sizeof b);
    printf("readlink -> %zd %.*s\n", n, (int)(n > 0 ? n : 0), b);
    T(readlink("d/a", b, sizeof b));
    lst("d/s");
    st("d/s");
    T(symlink("nowhere", "d/dangling"));
    st("d/dangling");
    lst("d/dangling");
    T(symlink("s2", "d/s1"));
    T(symlink("s1", "d/s2"));
    st("d/s1");
    T(rename("d/h", "d/h2"));
    T(syscall(SYS_renameat2, AT_FDCWD, "d/h2", AT_FDCWD, "d/a", 1));
    T(syscall(SYS_renameat2, AT_FDCWD, "d/h2", AT_FDCWD, "d/v", 2));
    cat("d/h2");
    T(syscall(SYS_renameat2, AT_FDCWD, "d/h2", AT_FDCWD, "d/nothere", 2));
    T(rename("d", "d/sub"));
    T(rename("nothere", "x"));
    T(rename("d/a", "d/a"));

    /* removal */
    T(unlink("d"));
    T(rmdir("d"));
    T(rmdir("d/a"));
    T(unlink("nothere"));
    T(rmdir("."));
    T(unlink("d/a/"));

    /* permissions and times */
    T(access("d/a", R_OK | W_OK));
    T(access("d/zz", F_OK));
    T(access("d/a", 8));
    T(chmod("d/a", 0600));
    st("d/a");
    fd = open("d/a", O_RDONLY);
    T(fchmod(fd, 0644));
    T(close(fd));
    st("d/a");
    struct timespec ts[2] = { { 1000000000, 123456789 }, { 1200000000, 987654321 } };
    T(utimensat(AT_FDCWD, "d/a", ts, 0));
    T(stat("d/a", &s));
    printf("times %lld.%09ld %lld.%09ld\n", (long long)s.st_atim.tv_sec, s.st_atim.tv_nsec,
           (long long)s.st_mtim.tv_sec, s.st_mtim.tv_nsec);
    ts[0].tv_nsec = UTIME_OMIT;
    ts[1].tv_nsec = 2000000000;
    T(utimensat(AT_FDCWD, "d/a", ts, 0));
    T(umask(077));
    fd = open("d/masked", O_CREAT | O_WRONLY, 0666);
    T(close(fd));
    T(umask(022));
    st("d/masked");
    T(mkfifo("d/fifo", 0644));
    lst("d/fifo");

    /* opening the wrong kind of thing */
    T(open("file.txt", O_RDONLY | O_DIRECTORY));
    T(open("d", O_WRONLY));
    T(open("d/", O_CREAT | O_WRONLY, 0644));
    T(open("file.txt/", O_RDONLY));
    T(open("", O_RDONLY));
    T(open("d/s", O_RDONLY | O_NOFOLLOW));
    T(open("d/s1", O_RDONLY));
    fd = open("d", O_RDONLY | O_DIRECTORY);
    T(read(fd, b, 1));
    T(write(fd, b, 1));
    T(syscall(SYS_getdents64, fd, b, 10));
    T(openat(fd, "a", O_RDONLY) >= 0);
    T(fstatat(fd, "s", &s, AT_SYMLINK_NOFOLLOW));
    show_stat("at s", 0, &s);
    T(fstatat(fd, "", &s, AT_EMPTY_PATH));
    show_stat("at empty", 0, &s);
    T(fstatat(fd, "", &s, 0));
    T(fchdir(fd));
    T(close(fd));
    cat("a");
    cat("../file.txt");
    cat("../sub/inner.txt");
    T(chdir(".."));
    cat("file.txt");
    fd = open("sub", O_PATH);
    T(read(fd, b, 1));
    T(fstat(fd, &s));
    T(fcntl(fd, F_GETFL) & O_PATH ? 1 : 0);
    T(openat(fd, "inner.txt", O_RDONLY) >= 0);
    T(close(fd));

    /* sendfile */
    int in = open("file.txt", O_RDONLY), out = open("d/copy", O_CREAT | O_WRONLY, 0644);
    off_t off = 1;
    T(sendfile(out, in, &off, 100));
    printf("off %lld\n", (long long)off);
    T(sendfile(out, in, NULL, 3));
    T(lseek(in, 0, SEEK_CUR));
    close(in);
    close(out);
    cat("d/copy");

    /* many entries, read in small steps by readdir */
    T(mkdir("many", 0755));
    for (int i = 0; i < 300; i++) {
        snprintf(b, sizeof b, "many/entry-with-a-long-name-%03d", i);
        close(open(b, O_CREAT | O_WRONLY, 0644));
    }
    DIR *dd = opendir("many");
    int count = 0;
    while (readdir(dd))
        count++;
    closedir(dd);
    printf("many: %d\n", count);

    struct statx sx;
    T(statx(AT_FDCWD, "d/a", 0, STATX_BASIC_STATS, &sx));
    printf("statx mask %x mode %o size %llu nlink %u blksize-set %d\n", sx.stx_mask & STATX_BASIC_STATS,
           sx.stx_mode, (unsigned long long)sx.stx_size, sx.stx_nlink, sx.stx_blksize > 0);
    printf("statx mtime %lld.%09u\n", (long long)sx.stx_mtime.tv_sec, sx.stx_mtime.tv_nsec);
    T(statx(AT_FDCWD, "d/s", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx));
    printf("statx link mode %o size %llu\n", sx.stx_mode, (unsigned long long)sx.stx_size);
    T(statx(AT_FDCWD, "d/nothere", 0, STATX_BASIC_STATS, &sx));
    list(".");
    list("d");
    list("sub");
    struct statfs sf;
    T(statfs(".", &sf));
    printf("statfs namelen %ld\n", (long)sf.f_namelen);
    return 0;
}
