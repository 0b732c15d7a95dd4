/* fdshare: what a child shares with its parent through inherited
   descriptors (argv[1] is a writable directory for a scratch file).
   - the file offset: the child writes, the parent's lseek(fd, 0,
     SEEK_CUR) has moved; the child's lseek moves the parent's offset;
   - the file status flags (F_SETFL O_APPEND in the child shows in the
     parent's F_GETFL), but not the descriptor flags (the child's
     FD_CLOEXEC does not show in the parent's F_GETFD);
   - closing or dup2-ing in the child leaves the parent's table alone;
     a file the parent opens after the fork is not in the child's table;
   - both processes' writes end up in the file in order. */
#include "procs.h"
#include <fcntl.h>

static void token(int fd) { MUST(write(fd, "x", 1)); }
static void await(int fd) { char c; MUST(read(fd, &c, 1)); }

/* Runs fn in a child and waits for it; its status in words. */
static const char *in_child(void (*fn)(int), int fd)
{
    pid_t p = MUST(fork());
    if (p == 0) {
        fn(fd);
        _exit(0);
    }
    return reap(p);
}

static void writes_child(int fd) { _exit(write(fd, "child\n", 6) == 6 ? 0 : 1); }
static void seeks(int fd) { _exit(lseek(fd, 2, SEEK_SET) == 2 ? 0 : 1); }
static void appends(int fd) { _exit(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_APPEND) == 0 ? 0 : 1); }
static void cloexecs(int fd) { _exit(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 ? 0 : 1); }
static void closes(int fd) { _exit(close(fd) == 0 && dup2(0, fd) == fd && dup2(fd, 9) == 9 ? 0 : 1); }

int main(int argc, char **argv)
{
    char path[4096];
    if (argc < 2) { puts("usage: fdshare DIR"); return 2; }
    snprintf(path, sizeof path, "%s/fdshare.tmp", argv[1]);
    int fd = MUST(open(path, O_RDWR | O_CREAT | O_TRUNC, 0644));
    MUST(write(fd, "parent\n", 7));

    const char *st = in_child(writes_child, fd);
    check(!strcmp(st, "exit 0"), "the child wrote 6 bytes: %s", st);
    check(lseek(fd, 0, SEEK_CUR) == 13, "the parent's offset moved to 7+6: %ld", (long)lseek(fd, 0, SEEK_CUR));

    st = in_child(seeks, fd);
    check(!strcmp(st, "exit 0") && lseek(fd, 0, SEEK_CUR) == 2, "the child's lseek(2) moves the parent's offset: %ld",
          (long)lseek(fd, 0, SEEK_CUR));
    MUST(lseek(fd, 0, SEEK_END));

    st = in_child(appends, fd);
    int fl = fcntl(fd, F_GETFL);
    check(!strcmp(st, "exit 0") && (fl & O_APPEND), "the child's F_SETFL O_APPEND shows in the parent");
    MUST(fcntl(fd, F_SETFL, fl & ~O_APPEND));

    st = in_child(cloexecs, fd);
    check(!strcmp(st, "exit 0") && fcntl(fd, F_GETFD) == 0, "the child's FD_CLOEXEC does not: F_GETFD %d",
          fcntl(fd, F_GETFD));

    st = in_child(closes, fd);
    errno = 0;
    check(!strcmp(st, "exit 0") && fcntl(9, F_GETFD) == -1 && errno == EBADF,
          "the child closed and dup2'd over it, and made fd 9: the parent's fd 9 is still closed");
    check(write(fd, "parent2\n", 8) == 8, "the parent's descriptor still works");

    /* A file opened after the fork is the parent's alone. */
    int go[2];
    MUST(pipe(go));
    pid_t p = MUST(fork());
    if (p == 0) {
        int later;
        await(go[0]);
        if (read(go[0], &later, sizeof later) != sizeof later)
            _exit(3);
        errno = 0;
        _exit(fcntl(later, F_GETFD) == -1 && errno == EBADF ? 0 : 1);
    }
    int later = MUST(open(path, O_RDONLY));
    token(go[1]);
    MUST(write(go[1], &later, sizeof later));
    st = reap(p);
    check(!strcmp(st, "exit 0"), "a file opened after the fork is not in the child's table: %s", st);
    close(later);

    char buf[100] = "";
    MUST(lseek(fd, 0, SEEK_SET));
    ssize_t n = MUST(read(fd, buf, sizeof buf - 1));
    buf[n] = 0;
    check(!strcmp(buf, "parent\nchild\nparent2\n"), "the file holds both processes' lines in order: %zd bytes", n);
    close(fd);
    MUST(unlink(path));
    return done();
}
