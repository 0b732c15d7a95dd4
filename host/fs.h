/*
 * fs.h — the host's file system in the guest's terms. Every call takes
 * Linux (LX_*) flag values and returns a value or a negative LX_E* errno,
 * whatever numbers the host OS uses, so the sandbox above (user/fs.c) is
 * the same on every host.
 *
 * Invariant: nothing here follows a symbolic link in the last component
 * of a name, and nothing takes a path with more than one component from
 * the guest. The sandbox resolves every path itself, one component at a
 * time, holding directory handles; these calls only ever act on
 * (directory handle, single name) pairs it hands down.
 */
#ifndef MVM_HOST_FS_H
#define MVM_HOST_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A file's attributes, as Linux reports them (st_mode with LX_S_IF*). */
struct host_stat {
    uint64_t dev, ino, rdev;    /* dev and rdev in Linux's major/minor encoding */
    uint32_t mode, nlink, uid, gid;
    int64_t size, blocks;
    uint32_t blksize;
    int64_t atime, mtime, ctime;
    uint32_t atime_ns, mtime_ns, ctime_ns;
};

/* One directory entry; off is the position just after it. */
struct host_dirent {
    uint64_t ino;
    int64_t off;
    uint8_t type;               /* LX_DT_* */
    char name[256];
};

struct host_dir;

/* A host errno value as the Linux errno the guest sees (positive). */
int host_err(int host_errno);

/*
 * Opens a host directory named by the monitor's user (never by the guest)
 * to serve as the root of a mapped directory: a handle, or -LX_E*.
 */
int host_root_open(const char *path);

/*
 * Looks up one name in a directory without following it. Fills st; when
 * the entry is a directory, *dir_fd receives a handle of it (else -1).
 */
int host_lookup(int dir_fd, const char *name, int *dir_fd_out, struct host_stat *st);

/*
 * openat with Linux flags; the host call always carries O_NOFOLLOW and
 * O_CLOEXEC (the guest's O_CLOEXEC is the sandbox's bookkeeping). To open
 * a directory handle itself, pass name ".".
 */
int host_openat(int dir_fd, const char *name, int lx_flags, uint32_t mode);
/* The host's /dev/NAME for NAME null, zero, full, random or urandom (no
 * other): a handle, or -LX_ENOENT. */
int host_open_device(const char *name, int lx_flags);
/* Bytes a write to pipe fd surely takes without blocking now (its
 * capacity less what is queued), or -1 if the host cannot say. */
long host_pipe_room(int fd);
/* Another handle of the same open file (close-on-exec, never 0..2). */
int host_dup(int fd);
int host_close(int fd);

long host_read(int fd, void *buf, size_t len);
long host_write(int fd, const void *buf, size_t len);
/* host_write for pipes, sockets and terminals: EPIPE, never SIGPIPE. */
long host_write_stream(int fd, const void *buf, size_t len);
long host_pread(int fd, void *buf, size_t len, int64_t off);
long host_pwrite(int fd, const void *buf, size_t len, int64_t off);
int64_t host_lseek(int fd, int64_t off, int lx_whence);

/* name "" means the handle itself. Never follows a final link. */
int host_fstatat(int dir_fd, const char *name, struct host_stat *st);
int host_fstat(int fd, struct host_stat *st);

int host_mkdirat(int dir_fd, const char *name, uint32_t mode);
int host_mknodat(int dir_fd, const char *name, uint32_t lx_mode);   /* regular files and FIFOs */
int host_unlinkat(int dir_fd, const char *name, bool dir);
int host_renameat2(int old_dir, const char *old_name, int new_dir, const char *new_name,
                   unsigned lx_flags);
int host_linkat(int old_dir, const char *old_name, int new_dir, const char *new_name);
int host_symlinkat(const char *target, int dir_fd, const char *name);
long host_readlinkat(int dir_fd, const char *name, char *buf, size_t size);
int host_faccessat(int dir_fd, const char *name, int lx_mode);
int host_fchmodat(int dir_fd, const char *name, uint32_t mode);
int host_fchmod(int fd, uint32_t mode);
int host_fchownat(int dir_fd, const char *name, uint32_t uid, uint32_t gid);
/* ts: atime sec, nsec, mtime sec, nsec (nsec may be LX_UTIME_NOW/OMIT); NULL = now. */
int host_utimensat(int dir_fd, const char *name, const int64_t *ts);
int host_ftruncate(int fd, int64_t len);
int host_fsync(int fd, bool data_only);

/* Status flags of an open file: LX_O_ACCMODE | LX_O_APPEND | LX_O_NONBLOCK ... */
int host_getfl(int fd);
int host_setfl(int fd, int lx_flags);   /* only O_APPEND and O_NONBLOCK change */
int host_pipe(int fds[2], int lx_flags);
/* Snapshots of pipes: the bytes queued in a pipe (read end fd), left in
 * place, at most size (-LX_EFBIG if more); and queueing them again in a
 * new one (write end fd). */
long host_pipe_peek(int fd, void *buf, size_t size);
int host_pipe_fill(int fd, const void *data, size_t len);

/* Advisory locks: type/whence in LX_ values; on F_GETLK *type etc. are updated. */
int host_lock(int fd, int lx_cmd, int *type, int whence, int64_t *start, int64_t *len, int *pid);
int host_flock(int fd, int op);

/* Terminals. termios is the kernel's 36-byte riscv64 struct termios. */
bool host_isatty(int fd);
int host_tcgets(int fd, uint8_t termios[36]);
int host_tcsets(int fd, int lx_req, const uint8_t termios[36]);
int host_winsize(int fd, uint16_t ws[4]);
int host_fionread(int fd, int *count);

/* poll: events and revents in LX_POLL* values; timeout_ms < 0 waits forever. */
struct host_pollfd {
    int fd;
    short events, revents;
};
int host_poll(struct host_pollfd *fds, size_t n, int timeout_ms);

/* Directory streams over a directory handle (which stays the caller's). */
int host_dir_open(int dir_fd, struct host_dir **out);
int host_dir_read(struct host_dir *d, struct host_dirent *e);   /* 1, 0 at end, or -LX_E* */
int64_t host_dir_tell(struct host_dir *d);
void host_dir_seek(struct host_dir *d, int64_t off);
void host_dir_close(struct host_dir *d);

/* File system statistics (struct statfs fields, Linux meanings). */
struct host_statfs {
    uint64_t type, bsize, blocks, bfree, bavail, files, ffree, namelen, frsize, flags;
};
int host_fstatfs(int fd, struct host_statfs *st);

uint32_t host_euid(void);
uint32_t host_egid(void);

#endif
