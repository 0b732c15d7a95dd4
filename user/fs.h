/*
 * fs.h — the guest's sandboxed view of files: mapped directories, path
 * resolution beneath their roots, and the file-descriptor table.
 *
 * The guest sees only what was mapped with fs_add_dir (plus fds 0, 1, 2,
 * which pass through to the host's). "/" is a virtual read-only directory
 * listing the mount points, unless a host directory is mapped at "/".
 * Every guest path is resolved here, one component at a time, from a
 * mount root or from a directory handle the guest holds: ".." never rises
 * above "/", symbolic links are read and re-resolved in the guest's own
 * namespace, and the host is only ever asked to act on (directory handle,
 * single name) pairs, never on a path string. docs/sandbox.md has the
 * model and what it guarantees.
 *
 * Functions return a value or a negative LX_E* errno, as the Linux system
 * calls of the same names do; buffers are host memory (the system-call
 * layer copies to and from guest memory).
 */
#ifndef MVM_USER_FS_H
#define MVM_USER_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/fs.h"
#include "user/proc.h"

/* Host files owned by the monitor's user appear owned by the guest's. */
#define FS_GUEST_UID PROC_UID
#define FS_GUEST_GID PROC_GID

#define FS_PATH_MAX 4096      /* bytes of a guest path, NUL included (PATH_MAX) */
#define FS_NAME_MAX 255
#define FS_MAXSYMLINKS 40     /* links followed in one resolution (Linux's MAXSYMLINKS) */
#define FS_NOFILE 1024        /* default soft RLIMIT_NOFILE */
#define FS_NOFILE_MAX 4096    /* hard RLIMIT_NOFILE: the table never grows beyond */

struct fs;

/* Set-up, used by the monitor before the guest runs. */
struct fs *fs_new(void);     /* guest fds 0, 1, 2 are the host's 0, 1, 2 */
void fs_free(struct fs *fs);
/* A new process's copy (fork): the same mounts, grants and working
 * directory, every descriptor sharing its open file description. NULL
 * if out of memory. */
struct fs *fs_fork(const struct fs *fs);
/* execve: closes the descriptors marked close-on-exec. */
void fs_exec(struct fs *fs);
/* A process's end: closes every descriptor (a pipe's reader sees EOF). */
void fs_close_all(struct fs *fs);
/* An upper bound of the host memory a sandbox's tables take (its fd table
 * at its largest): what a VM is charged for them. */
size_t fs_table_bytes(void);
int fs_add_dir(struct fs *fs, const char *host_dir, const char *guest_path, bool read_only);
/* Grants the directory that from_path names in another sandbox (a parent
 * VM's), read-only if it is read-only there: composition never widens. */
int fs_add_dir_from(struct fs *fs, struct fs *from, const char *from_path, const char *guest_path, bool read_only);
int fs_set_cwd(struct fs *fs, const char *guest_path);   /* default "/" */
/* Makes standard stream newfd (0..2) a copy of another sandbox's open
 * file fromfd (not a directory): a parent VM redirecting its child. */
int fs_import_fd(struct fs *fs, int newfd, struct fs *from, int fromfd);
/* Standard stream fd of fs, where it is still the monitor's own, follows
 * from's where that was redirected (fs_import_fd): a VM a guest made
 * writes where its creator's monitor pointed the creator's streams, as it
 * would in emulated nesting. 0, or a negative errno. */
int fs_follow_stream(struct fs *fs, int fd, struct fs *from);
/* May the guest change the mode, owner or times of its standard streams
 * (which come from outside the sandbox)? Default: no (EPERM). */
void fs_set_stream_meta(struct fs *fs, bool allow);
bool fs_stream_meta(const struct fs *fs);
long fs_pread(struct fs *fs, int fd, void *buf, size_t len, uint64_t off);

/* What an fd refers to, for the calls that go straight to the host. */
struct fs_fd_info {
    int host_fd;          /* -1 for a virtual directory */
    uint32_t type;        /* LX_S_IF* */
    int flags;            /* LX_O_* status flags */
    bool read_only_mount;
};
int fs_fd_info(struct fs *fs, int fd, struct fs_fd_info *out);

/* Path-based calls; dirfd may be LX_AT_FDCWD. */
int fs_openat(struct fs *fs, int dirfd, const char *path, int flags, uint32_t mode);
int fs_fstatat(struct fs *fs, int dirfd, const char *path, int at_flags, struct host_stat *st);
int fs_mkdirat(struct fs *fs, int dirfd, const char *path, uint32_t mode);
int fs_mknodat(struct fs *fs, int dirfd, const char *path, uint32_t mode);
int fs_unlinkat(struct fs *fs, int dirfd, const char *path, int at_flags);
int fs_renameat2(struct fs *fs, int olddirfd, const char *oldpath, int newdirfd,
                 const char *newpath, unsigned flags);
int fs_linkat(struct fs *fs, int olddirfd, const char *oldpath, int newdirfd,
              const char *newpath, int at_flags);
int fs_symlinkat(struct fs *fs, const char *target, int dirfd, const char *path);
long fs_readlinkat(struct fs *fs, int dirfd, const char *path, char *buf, size_t size);
int fs_faccessat(struct fs *fs, int dirfd, const char *path, int mode, int at_flags);
int fs_fchmodat(struct fs *fs, int dirfd, const char *path, uint32_t mode, int at_flags);
int fs_fchownat(struct fs *fs, int dirfd, const char *path, uint32_t uid, uint32_t gid, int at_flags);
/* path NULL: the file dirfd itself. ts as in host_utimensat. */
int fs_utimensat(struct fs *fs, int dirfd, const char *path, const int64_t *ts, int at_flags);
int fs_statfs(struct fs *fs, int dirfd, const char *path, struct host_statfs *st);
int fs_chdir(struct fs *fs, const char *path);
int fs_fchdir(struct fs *fs, int fd);
long fs_getcwd(struct fs *fs, char *buf, size_t size);   /* length with the NUL */

/* Descriptor-based calls. */
int fs_close(struct fs *fs, int fd);
int fs_dup(struct fs *fs, int fd, int min_fd, bool cloexec);   /* lowest free >= min_fd */
int fs_dup3(struct fs *fs, int oldfd, int newfd, int flags);
int fs_getfd(struct fs *fs, int fd);
int fs_setfd(struct fs *fs, int fd, int fd_flags);
int fs_getfl(struct fs *fs, int fd);
int fs_setfl(struct fs *fs, int fd, int flags);
int fs_pipe2(struct fs *fs, int fds[2], int flags);
long fs_read(struct fs *fs, int fd, void *buf, size_t len);
long fs_write(struct fs *fs, int fd, const void *buf, size_t len);
long fs_pwrite(struct fs *fs, int fd, const void *buf, size_t len, uint64_t off);
int64_t fs_lseek(struct fs *fs, int fd, int64_t off, int whence);
/* Fills buf with linux_dirent64 records; bytes used, 0 at the end. */
long fs_getdents64(struct fs *fs, int fd, uint8_t *buf, size_t size);
int fs_ftruncate(struct fs *fs, int fd, int64_t len);
int fs_fsync(struct fs *fs, int fd, bool data_only);
int fs_fchmod(struct fs *fs, int fd, uint32_t mode);

/* signalfd: fd -1 makes one (flags LX_O_CLOEXEC, LX_O_NONBLOCK), else
 * sets the mask of signalfd fd. fs_sigfd: its mask and LX_O_* flags, or
 * -LX_EINVAL if fd is not a signalfd. */
int fs_signalfd(struct fs *fs, int fd, uint64_t mask, int flags);
int fs_sigfd(struct fs *fs, int fd, uint64_t *mask, int *flags);

/* Process-wide state Linux keeps beside the fd table. */
uint32_t fs_umask(struct fs *fs, uint32_t mask);   /* sets, returns the old mask */
void fs_nofile(struct fs *fs, uint64_t *cur, uint64_t *max);
int fs_set_nofile(struct fs *fs, uint64_t cur, uint64_t max);

/*
 * The system-call layer's internal interface: user/syscall.c decodes and
 * traces, the handlers in user/sys_file.c and user/sys_misc.c do the work.
 * Each takes the six argument registers and returns the Linux result.
 */
typedef long (*sys_fn)(struct proc *p, const uint64_t *a);

#define SYS_FILE_CALLS(X) \
    X(getcwd) X(dup) X(dup3) X(fcntl) X(ioctl) X(flock) X(mknodat) X(mkdirat) \
    X(unlinkat) X(symlinkat) X(linkat) X(statfs) X(fstatfs) X(truncate) \
    X(ftruncate) X(fallocate) X(faccessat) X(chdir) X(fchdir) X(fchmod) \
    X(fchmodat) X(fchownat) X(fchown) X(openat) X(close) X(pipe2) \
    X(getdents64) X(lseek) X(read) X(write) X(readv) X(writev) X(pread64) \
    X(pwrite64) X(preadv) X(pwritev) X(sendfile) X(pselect6) X(ppoll) \
    X(readlinkat) X(newfstatat) X(fstat) X(sync) X(fsync) X(fdatasync) \
    X(utimensat) X(umask) X(fadvise64) X(renameat2) X(statx) X(close_range) \
    X(faccessat2)

#define SYS_MISC_CALLS(X) \
    X(exit) X(exit_group) X(set_tid_address) X(futex) X(set_robust_list) \
    X(get_robust_list) X(nanosleep) X(getitimer) X(setitimer) \
    X(clock_gettime) X(clock_getres) X(clock_nanosleep) X(sched_setaffinity) \
    X(sched_getaffinity) X(sched_yield) X(kill) X(tkill) X(tgkill) \
    X(sigaltstack) X(rt_sigsuspend) X(rt_sigaction) X(rt_sigprocmask) \
    X(rt_sigpending) X(rt_sigreturn) X(getpriority) X(setpriority) X(times) \
    X(getgroups) X(uname) \
    X(getrlimit) X(setrlimit) X(getrusage) X(prctl) X(getcpu) \
    X(gettimeofday) X(getuid) X(geteuid) X(getgid) \
    X(getegid) X(gettid) X(sysinfo) X(getresuid) X(getresgid) X(brk) \
    X(munmap) X(mremap) X(mmap) X(mprotect) X(msync) X(mlock) X(munlock) \
    X(mincore) X(madvise) X(prlimit64) X(getrandom) \
    X(riscv_hwprobe) X(riscv_flush_icache) X(clone)

/* Processes (user/process.c). */
#define SYS_PROC_CALLS(X) \
    X(execve) X(wait4) X(waitid) X(getpid) X(getppid) X(setpgid) X(getpgid) \
    X(getsid) X(setsid)

/* Sockets and event loops (user/net.c). */
#define SYS_NET_CALLS(X) \
    X(socket) X(socketpair) X(bind) X(listen) X(accept) X(accept4) X(connect) \
    X(getsockname) X(getpeername) X(sendto) X(recvfrom) X(sendmsg) X(recvmsg) \
    X(shutdown) X(setsockopt) X(getsockopt) X(eventfd2) X(epoll_create1) \
    X(epoll_ctl) X(epoll_pwait) X(epoll_pwait2) X(timerfd_create) \
    X(timerfd_settime) X(timerfd_gettime)

#define SYS_DECLARE(name) long sys_##name(struct proc *p, const uint64_t *a);
SYS_NET_CALLS(SYS_DECLARE)
SYS_FILE_CALLS(SYS_DECLARE)
SYS_MISC_CALLS(SYS_DECLARE)
SYS_PROC_CALLS(SYS_DECLARE)
#undef SYS_DECLARE

/*
 * Delivers a signal the guest raised against itself (kill, tgkill, abort,
 * a write to a broken pipe): applies its disposition, which for most
 * signals left at their default ends the process with status 128+sig.
 */
void sys_signal_self(struct proc *p, int sig);
/* A piece of guest memory a transfer reads or writes. */
struct seg {
    uint64_t va, len;
};
/* Reads a guest iovec array of cnt entries (at most 1024, else -EINVAL)
 * into segments (*out, freed by the caller) and their total length. */
long sys_iov_in(struct proc *p, uint64_t va, uint64_t cnt, struct seg **out, uint64_t *total);
/* A guest struct timespec at va as nanoseconds: 0 or -EFAULT / -EINVAL. */
long sys_timespec_in(struct proc *p, uint64_t va, uint64_t *ns);

#endif
