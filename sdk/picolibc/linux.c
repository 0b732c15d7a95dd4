/*
 * Linux user-process glue for picolibc (RV64, lp64d).
 *
 * picolibc is built for bare metal: it leaves start-up, the three standard
 * streams and every operating-system call to the application. This file
 * supplies them as real Linux system calls (ecall, a7 = number from the
 * asm-generic table that riscv64 uses), so a picolibc program is an
 * ordinary static Linux executable.
 *
 * picolibc's headers follow newlib's ABI, not Linux's: open flags, clock
 * ids, struct stat, sigprocmask's "how" and sigset bit order, errno numbers
 * above ERANGE and the clock() tick rate all differ. Every wrapper here
 * translates between the two at the boundary; nothing else in picolibc
 * sees a Linux value.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdio-bufio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

/* Linux riscv64 system call numbers (include/uapi/asm-generic/unistd.h). */
enum {
	LSYS_ioctl = 29,
	LSYS_mkdirat = 34,
	LSYS_unlinkat = 35,
	LSYS_chdir = 49,
	LSYS_openat = 56,
	LSYS_close = 57,
	LSYS_lseek = 62,
	LSYS_read = 63,
	LSYS_write = 64,
	LSYS_newfstatat = 79,
	LSYS_fstat = 80,
	LSYS_exit_group = 94,
	LSYS_nanosleep = 101,
	LSYS_clock_gettime = 113,
	LSYS_clock_getres = 114,
	LSYS_kill = 129,
	LSYS_rt_sigprocmask = 135,
	LSYS_times = 153,
	LSYS_umask = 166,
	LSYS_gettimeofday = 169,
	LSYS_getpid = 172,
	LSYS_brk = 214,
	LSYS_renameat2 = 276,
	LSYS_getrandom = 278,
};

#define LINUX_AT_FDCWD (-100)
#define LINUX_AT_REMOVEDIR 0x200
#define LINUX_TCGETS 0x5401
#define LINUX_USER_HZ 100

static long linux_syscall(long n, long a0, long a1, long a2, long a3, long a4)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a2 __asm__("a2") = a2;
	register long r_a3 __asm__("a3") = a3;
	register long r_a4 __asm__("a4") = a4;
	register long r_a7 __asm__("a7") = n;
	__asm__ volatile("ecall"
			 : "+r"(r_a0)
			 : "r"(r_a1), "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a7)
			 : "memory");
	return r_a0;
}

#define SC0(n) linux_syscall(n, 0, 0, 0, 0, 0)
#define SC1(n, a) linux_syscall(n, (long)(a), 0, 0, 0, 0)
#define SC2(n, a, b) linux_syscall(n, (long)(a), (long)(b), 0, 0, 0)
#define SC3(n, a, b, c) linux_syscall(n, (long)(a), (long)(b), (long)(c), 0, 0)
#define SC4(n, a, b, c, d) \
	linux_syscall(n, (long)(a), (long)(b), (long)(c), (long)(d), 0)
#define SC5(n, a, b, c, d, e) \
	linux_syscall(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e))

/* Linux errno values 1..34 are the same in picolibc; the rest differ. */
static int errno_from_linux(long e)
{
	switch (e) {
	case 35: return EDEADLK;
	case 36: return ENAMETOOLONG;
	case 37: return ENOLCK;
	case 38: return ENOSYS;
	case 39: return ENOTEMPTY;
	case 40: return ELOOP;
	case 75: return EOVERFLOW;
	case 95: return EOPNOTSUPP;
	default: return e <= 34 ? (int)e : EIO;
	}
}

/* A raw result in [-4095, -1] is -errno (the kernel's convention). */
static long check(long r)
{
	if ((unsigned long)r > -4096UL) {
		errno = errno_from_linux(-r);
		return -1;
	}
	return r;
}

/* ---- process ---- */

void _exit(int status)
{
	for (;;)
		SC1(LSYS_exit_group, status);
}

pid_t getpid(void)
{
	return (pid_t)SC0(LSYS_getpid);
}

int kill(pid_t pid, int sig)
{
	/* Signal numbers 1..31 agree between picolibc and Linux. */
	return (int)check(SC2(LSYS_kill, pid, sig));
}

/* picolibc: SIG_SETMASK 0, SIG_BLOCK 1, SIG_UNBLOCK 2, signal s is bit s.
 * Linux:    SIG_BLOCK 0, SIG_UNBLOCK 1, SIG_SETMASK 2, signal s is bit s-1. */
int sigprocmask(int how, const sigset_t *set, sigset_t *oset)
{
	static const int how_map[3] = { 2, 0, 1 };
	unsigned long kset, koset = 0;
	long r;

	if (how < 0 || how > 2) {
		errno = EINVAL;
		return -1;
	}
	if (set)
		kset = (unsigned long)*set >> 1;
	r = check(SC4(LSYS_rt_sigprocmask, how_map[how], set ? &kset : NULL,
		      oset ? &koset : NULL, sizeof(kset)));
	if (r == 0 && oset)
		*oset = (sigset_t)(koset << 1);
	return (int)r;
}

/* ---- memory: picolibc's malloc grows its arena with sbrk ---- */

static char *cur_brk;

void *sbrk(ptrdiff_t incr)
{
	char *old, *want, *got;

	if (!cur_brk)
		cur_brk = (char *)SC1(LSYS_brk, 0);
	old = cur_brk;
	if (incr == 0)
		return old;
	want = old + incr;
	/* brk returns the new break on success and the old one on failure. */
	got = (char *)SC1(LSYS_brk, want);
	if ((incr > 0 && got < want) || (incr < 0 && got > want)) {
		errno = ENOMEM;
		return (void *)-1;
	}
	cur_brk = want;
	return old;
}

/* ---- files ---- */

ssize_t read(int fd, void *buf, size_t n)
{
	return check(SC3(LSYS_read, fd, buf, n));
}

ssize_t write(int fd, const void *buf, size_t n)
{
	return check(SC3(LSYS_write, fd, buf, n));
}

static int open_flags_to_linux(int f)
{
	int l = f & O_ACCMODE;

	if (f & O_CREAT) l |= 0100;
	if (f & O_EXCL) l |= 0200;
	if (f & O_NOCTTY) l |= 0400;
	if (f & O_TRUNC) l |= 01000;
	if (f & O_APPEND) l |= 02000;
	if (f & O_NONBLOCK) l |= 04000;
	if (f & O_SYNC) l |= 04010000;
	if (f & O_DIRECTORY) l |= 0200000;
	if (f & O_NOFOLLOW) l |= 0400000;
	if (f & O_CLOEXEC) l |= 02000000;
	return l;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	int mode = 0;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = va_arg(ap, int);
		va_end(ap);
	}
	return (int)check(SC4(LSYS_openat, LINUX_AT_FDCWD, path,
			      open_flags_to_linux(flags), mode));
}

int close(int fd)
{
	return (int)check(SC1(LSYS_close, fd));
}

off_t lseek(int fd, off_t off, int whence)
{
	/* SEEK_SET/CUR/END are 0/1/2 on both sides. */
	return (off_t)check(SC3(LSYS_lseek, fd, off, whence));
}

int isatty(int fd)
{
	unsigned char termios[64];

	if (check(SC3(LSYS_ioctl, fd, LINUX_TCGETS, termios)) < 0)
		return 0;
	return 1;
}

/* struct stat as the riscv64 kernel writes it (asm-generic/stat.h). */
struct linux_stat {
	unsigned long st_dev;
	unsigned long st_ino;
	unsigned int st_mode;
	unsigned int st_nlink;
	unsigned int st_uid;
	unsigned int st_gid;
	unsigned long st_rdev;
	unsigned long pad1;
	long st_size;
	int st_blksize;
	int pad2;
	long st_blocks;
	long st_atime_sec;
	unsigned long st_atime_nsec;
	long st_mtime_sec;
	unsigned long st_mtime_nsec;
	long st_ctime_sec;
	unsigned long st_ctime_nsec;
	unsigned int unused4;
	unsigned int unused5;
};

_Static_assert(sizeof(struct linux_stat) == 128, "kernel struct stat is 128 bytes");

static void stat_from_linux(struct stat *st, const struct linux_stat *k)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = (dev_t)k->st_dev;
	st->st_ino = (ino_t)k->st_ino;
	st->st_mode = (mode_t)k->st_mode; /* S_IF* and permission bits agree */
	st->st_nlink = (nlink_t)k->st_nlink;
	st->st_uid = (uid_t)k->st_uid;
	st->st_gid = (gid_t)k->st_gid;
	st->st_rdev = (dev_t)k->st_rdev;
	st->st_size = (off_t)k->st_size;
	st->st_blksize = (blksize_t)k->st_blksize;
	st->st_blocks = (blkcnt_t)k->st_blocks;
	st->st_atim.tv_sec = k->st_atime_sec;
	st->st_atim.tv_nsec = (long)k->st_atime_nsec;
	st->st_mtim.tv_sec = k->st_mtime_sec;
	st->st_mtim.tv_nsec = (long)k->st_mtime_nsec;
	st->st_ctim.tv_sec = k->st_ctime_sec;
	st->st_ctim.tv_nsec = (long)k->st_ctime_nsec;
}

int fstat(int fd, struct stat *st)
{
	struct linux_stat k;

	if (check(SC2(LSYS_fstat, fd, &k)) < 0)
		return -1;
	stat_from_linux(st, &k);
	return 0;
}

int stat(const char *path, struct stat *st)
{
	struct linux_stat k;

	if (check(SC4(LSYS_newfstatat, LINUX_AT_FDCWD, path, &k, 0)) < 0)
		return -1;
	stat_from_linux(st, &k);
	return 0;
}

int unlink(const char *path)
{
	return (int)check(SC3(LSYS_unlinkat, LINUX_AT_FDCWD, path, 0));
}

int rmdir(const char *path)
{
	return (int)check(SC3(LSYS_unlinkat, LINUX_AT_FDCWD, path,
			      LINUX_AT_REMOVEDIR));
}

int mkdir(const char *path, mode_t mode)
{
	return (int)check(SC3(LSYS_mkdirat, LINUX_AT_FDCWD, path, mode));
}

mode_t umask(mode_t mask)
{
	return (mode_t)SC1(LSYS_umask, mask); /* cannot fail */
}

int chdir(const char *path)
{
	return (int)check(SC1(LSYS_chdir, path));
}

int rename(const char *from, const char *to)
{
	return (int)check(SC5(LSYS_renameat2, LINUX_AT_FDCWD, from,
			      LINUX_AT_FDCWD, to, 0));
}

/* ---- time ---- */

int gettimeofday(struct timeval *tv, void *tz)
{
	(void)tz; /* the time zone argument is obsolete; Linux ignores it too */
	return (int)check(SC2(LSYS_gettimeofday, tv, 0));
}

_Static_assert(sizeof(struct timeval) == 16, "struct timeval matches Linux");
_Static_assert(sizeof(struct timespec) == 16, "struct timespec matches Linux");

/* picolibc clock id -> Linux clock id, or -1 for an invalid id. */
static int clock_to_linux(clockid_t id)
{
	static const int map[10] = { 5, 0, 2, 3, 1, 4, 6, 7, 8, 9 };

	if ((unsigned)id >= 10) {
		errno = EINVAL;
		return -1;
	}
	return map[id];
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	int lid = clock_to_linux(id);

	return lid < 0 ? -1 : (int)check(SC2(LSYS_clock_gettime, lid, ts));
}

int clock_getres(clockid_t id, struct timespec *ts)
{
	int lid = clock_to_linux(id);

	return lid < 0 ? -1 : (int)check(SC2(LSYS_clock_getres, lid, ts));
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	return (int)check(SC2(LSYS_nanosleep, req, rem));
}

/* Linux counts times() in USER_HZ ticks; picolibc's clock() returns the
 * sum of the fields as CLOCKS_PER_SEC ticks, so scale here. */
clock_t times(struct tms *t)
{
	long k[4];
	long r = check(SC1(LSYS_times, k));
	const long scale = CLOCKS_PER_SEC / LINUX_USER_HZ;

	if (r == -1)
		return (clock_t)-1;
	if (t) {
		t->tms_utime = (clock_t)(k[0] * scale);
		t->tms_stime = (clock_t)(k[1] * scale);
		t->tms_cutime = (clock_t)(k[2] * scale);
		t->tms_cstime = (clock_t)(k[3] * scale);
	}
	return (clock_t)(r * scale);
}

int getentropy(void *buf, size_t n)
{
	unsigned char *p = buf;

	if (n > 256) {
		errno = EIO;
		return -1;
	}
	while (n > 0) {
		long r = check(SC3(LSYS_getrandom, p, n, 0));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* ---- auxiliary vector ---- */

static unsigned long *auxv;

unsigned long getauxval(unsigned long type)
{
	unsigned long *a;

	for (a = auxv; a && a[0] != 0; a += 2)
		if (a[0] == type)
			return a[1];
	errno = ENOENT;
	return 0;
}

/* ---- standard streams ----
 * stdin and stdout are buffered through picolibc's bufio on fds 0 and 1;
 * stdout is line buffered so interactive output appears line by line.
 * stderr is unbuffered, as C requires: each character is one write. */

/* Reading stdin first flushes stdout, so a prompt without a newline is
 * visible before the program waits for input (as glibc does). */
static ssize_t stdin_read(int fd, void *buf, size_t n)
{
	fflush(stdout);
	return read(fd, buf, n);
}

static int stderr_put(char c, FILE *f)
{
	(void)f;
	return write(2, &c, 1) == 1 ? (unsigned char)c : EOF;
}

static char stdin_buf[BUFSIZ];
static char stdout_buf[BUFSIZ];

static struct __file_bufio stdin_file =
	FDEV_SETUP_BUFIO(0, stdin_buf, sizeof(stdin_buf), stdin_read, write, lseek,
			 close, __SRD, 0);
static struct __file_bufio stdout_file =
	FDEV_SETUP_BUFIO(1, stdout_buf, sizeof(stdout_buf), read, write, lseek,
			 close, __SWR, __BLBF);
static FILE stderr_file = FDEV_SETUP_STREAM(stderr_put, NULL, NULL, __SWR);

FILE *const stdin = &stdin_file.xfile.cfile.file;
FILE *const stdout = &stdout_file.xfile.cfile.file;
FILE *const stderr = &stderr_file;

/* exit() runs atexit handlers, then the fini array: flushing here means
 * output written by atexit handlers is not lost either. */
__attribute__((destructor)) static void flush_stdout(void)
{
	fflush(stdout);
}

/* ---- start-up (entered from _start in start.S) ---- */

extern char **environ;
extern int main(int argc, char **argv, char **envp);
extern void __libc_init_array(void);
void __mvm_start(long *sp) __attribute__((noreturn, used));

void __mvm_start(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	char **p = envp;

	while (*p)
		p++;
	auxv = (unsigned long *)(p + 1);
	environ = envp;
	__libc_init_array();
	exit(main(argc, argv, envp));
}
