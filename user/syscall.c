/*
 * syscall.c — the Linux system-call dispatcher of process mode: decodes
 * the ecall (a7 = number, a0..a5 = arguments), runs the handler from
 * user/sys_file.c or user/sys_misc.c, puts the result or -errno in a0 and
 * steps over the ecall. With tracing on, each call is printed to stderr
 * as strace would: "[mvm] openat(AT_FDCWD, "/data/x", O_RDONLY) = 3".
 *
 * Numbers are those of the generic table (include/uapi/asm-generic/
 * unistd.h) that riscv64 uses, plus riscv_hwprobe and riscv_flush_icache
 * from arch/riscv; a number without a handler returns -ENOSYS.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "host/net.h"
#include "user/fs.h"
#include "user/net.h"
#include "user/lx.h"
#include "user/proc.h"

#define SYS_NR 451

static const char *const names[SYS_NR] = {
    [0] = "io_setup",
    [1] = "io_destroy",
    [2] = "io_submit",
    [3] = "io_cancel",
    [4] = "io_getevents",
    [5] = "setxattr",
    [6] = "lsetxattr",
    [7] = "fsetxattr",
    [8] = "getxattr",
    [9] = "lgetxattr",
    [10] = "fgetxattr",
    [11] = "listxattr",
    [12] = "llistxattr",
    [13] = "flistxattr",
    [14] = "removexattr",
    [15] = "lremovexattr",
    [16] = "fremovexattr",
    [17] = "getcwd",
    [18] = "lookup_dcookie",
    [19] = "eventfd2",
    [20] = "epoll_create1",
    [21] = "epoll_ctl",
    [22] = "epoll_pwait",
    [23] = "dup",
    [24] = "dup3",
    [25] = "fcntl",
    [26] = "inotify_init1",
    [27] = "inotify_add_watch",
    [28] = "inotify_rm_watch",
    [29] = "ioctl",
    [30] = "ioprio_set",
    [31] = "ioprio_get",
    [32] = "flock",
    [33] = "mknodat",
    [34] = "mkdirat",
    [35] = "unlinkat",
    [36] = "symlinkat",
    [37] = "linkat",
    [39] = "umount2",
    [40] = "mount",
    [41] = "pivot_root",
    [42] = "nfsservctl",
    [43] = "statfs",
    [44] = "fstatfs",
    [45] = "truncate",
    [46] = "ftruncate",
    [47] = "fallocate",
    [48] = "faccessat",
    [49] = "chdir",
    [50] = "fchdir",
    [51] = "chroot",
    [52] = "fchmod",
    [53] = "fchmodat",
    [54] = "fchownat",
    [55] = "fchown",
    [56] = "openat",
    [57] = "close",
    [58] = "vhangup",
    [59] = "pipe2",
    [60] = "quotactl",
    [61] = "getdents64",
    [62] = "lseek",
    [63] = "read",
    [64] = "write",
    [65] = "readv",
    [66] = "writev",
    [67] = "pread64",
    [68] = "pwrite64",
    [69] = "preadv",
    [70] = "pwritev",
    [71] = "sendfile",
    [72] = "pselect6",
    [73] = "ppoll",
    [74] = "signalfd4",
    [75] = "vmsplice",
    [76] = "splice",
    [77] = "tee",
    [78] = "readlinkat",
    [79] = "newfstatat",
    [80] = "fstat",
    [81] = "sync",
    [82] = "fsync",
    [83] = "fdatasync",
    [84] = "sync_file_range",
    [85] = "timerfd_create",
    [86] = "timerfd_settime",
    [87] = "timerfd_gettime",
    [88] = "utimensat",
    [89] = "acct",
    [90] = "capget",
    [91] = "capset",
    [92] = "personality",
    [93] = "exit",
    [94] = "exit_group",
    [95] = "waitid",
    [96] = "set_tid_address",
    [97] = "unshare",
    [98] = "futex",
    [99] = "set_robust_list",
    [100] = "get_robust_list",
    [101] = "nanosleep",
    [102] = "getitimer",
    [103] = "setitimer",
    [104] = "kexec_load",
    [105] = "init_module",
    [106] = "delete_module",
    [107] = "timer_create",
    [108] = "timer_gettime",
    [109] = "timer_getoverrun",
    [110] = "timer_settime",
    [111] = "timer_delete",
    [112] = "clock_settime",
    [113] = "clock_gettime",
    [114] = "clock_getres",
    [115] = "clock_nanosleep",
    [116] = "syslog",
    [117] = "ptrace",
    [118] = "sched_setparam",
    [119] = "sched_setscheduler",
    [120] = "sched_getscheduler",
    [121] = "sched_getparam",
    [122] = "sched_setaffinity",
    [123] = "sched_getaffinity",
    [124] = "sched_yield",
    [125] = "sched_get_priority_max",
    [126] = "sched_get_priority_min",
    [127] = "sched_rr_get_interval",
    [128] = "restart_syscall",
    [129] = "kill",
    [130] = "tkill",
    [131] = "tgkill",
    [132] = "sigaltstack",
    [133] = "rt_sigsuspend",
    [134] = "rt_sigaction",
    [135] = "rt_sigprocmask",
    [136] = "rt_sigpending",
    [137] = "rt_sigtimedwait",
    [138] = "rt_sigqueueinfo",
    [139] = "rt_sigreturn",
    [140] = "setpriority",
    [141] = "getpriority",
    [142] = "reboot",
    [143] = "setregid",
    [144] = "setgid",
    [145] = "setreuid",
    [146] = "setuid",
    [147] = "setresuid",
    [148] = "getresuid",
    [149] = "setresgid",
    [150] = "getresgid",
    [151] = "setfsuid",
    [152] = "setfsgid",
    [153] = "times",
    [154] = "setpgid",
    [155] = "getpgid",
    [156] = "getsid",
    [157] = "setsid",
    [158] = "getgroups",
    [159] = "setgroups",
    [160] = "uname",
    [161] = "sethostname",
    [162] = "setdomainname",
    [163] = "getrlimit",
    [164] = "setrlimit",
    [165] = "getrusage",
    [166] = "umask",
    [167] = "prctl",
    [168] = "getcpu",
    [169] = "gettimeofday",
    [170] = "settimeofday",
    [171] = "adjtimex",
    [172] = "getpid",
    [173] = "getppid",
    [174] = "getuid",
    [175] = "geteuid",
    [176] = "getgid",
    [177] = "getegid",
    [178] = "gettid",
    [179] = "sysinfo",
    [180] = "mq_open",
    [181] = "mq_unlink",
    [182] = "mq_timedsend",
    [183] = "mq_timedreceive",
    [184] = "mq_notify",
    [185] = "mq_getsetattr",
    [186] = "msgget",
    [187] = "msgctl",
    [188] = "msgrcv",
    [189] = "msgsnd",
    [190] = "semget",
    [191] = "semctl",
    [192] = "semtimedop",
    [193] = "semop",
    [194] = "shmget",
    [195] = "shmctl",
    [196] = "shmat",
    [197] = "shmdt",
    [198] = "socket",
    [199] = "socketpair",
    [200] = "bind",
    [201] = "listen",
    [202] = "accept",
    [203] = "connect",
    [204] = "getsockname",
    [205] = "getpeername",
    [206] = "sendto",
    [207] = "recvfrom",
    [208] = "setsockopt",
    [209] = "getsockopt",
    [210] = "shutdown",
    [211] = "sendmsg",
    [212] = "recvmsg",
    [213] = "readahead",
    [214] = "brk",
    [215] = "munmap",
    [216] = "mremap",
    [217] = "add_key",
    [218] = "request_key",
    [219] = "keyctl",
    [220] = "clone",
    [221] = "execve",
    [222] = "mmap",
    [223] = "fadvise64",
    [224] = "swapon",
    [225] = "swapoff",
    [226] = "mprotect",
    [227] = "msync",
    [228] = "mlock",
    [229] = "munlock",
    [230] = "mlockall",
    [231] = "munlockall",
    [232] = "mincore",
    [233] = "madvise",
    [234] = "remap_file_pages",
    [235] = "mbind",
    [236] = "get_mempolicy",
    [237] = "set_mempolicy",
    [238] = "migrate_pages",
    [239] = "move_pages",
    [240] = "rt_tgsigqueueinfo",
    [241] = "perf_event_open",
    [242] = "accept4",
    [243] = "recvmmsg",
    [258] = "riscv_hwprobe",
    [259] = "riscv_flush_icache",
    [260] = "wait4",
    [261] = "prlimit64",
    [262] = "fanotify_init",
    [263] = "fanotify_mark",
    [264] = "name_to_handle_at",
    [265] = "open_by_handle_at",
    [266] = "clock_adjtime",
    [267] = "syncfs",
    [268] = "setns",
    [269] = "sendmmsg",
    [270] = "process_vm_readv",
    [271] = "process_vm_writev",
    [272] = "kcmp",
    [273] = "finit_module",
    [274] = "sched_setattr",
    [275] = "sched_getattr",
    [276] = "renameat2",
    [277] = "seccomp",
    [278] = "getrandom",
    [279] = "memfd_create",
    [280] = "bpf",
    [281] = "execveat",
    [282] = "userfaultfd",
    [283] = "membarrier",
    [284] = "mlock2",
    [285] = "copy_file_range",
    [286] = "preadv2",
    [287] = "pwritev2",
    [288] = "pkey_mprotect",
    [289] = "pkey_alloc",
    [290] = "pkey_free",
    [291] = "statx",
    [292] = "io_pgetevents",
    [293] = "rseq",
    [294] = "kexec_file_load",
    [424] = "pidfd_send_signal",
    [425] = "io_uring_setup",
    [426] = "io_uring_enter",
    [427] = "io_uring_register",
    [428] = "open_tree",
    [429] = "move_mount",
    [430] = "fsopen",
    [431] = "fsconfig",
    [432] = "fsmount",
    [433] = "fspick",
    [434] = "pidfd_open",
    [435] = "clone3",
    [436] = "close_range",
    [437] = "openat2",
    [438] = "pidfd_getfd",
    [439] = "faccessat2",
    [440] = "process_madvise",
    [441] = "epoll_pwait2",
    [442] = "mount_setattr",
    [443] = "quotactl_fd",
    [444] = "landlock_create_ruleset",
    [445] = "landlock_add_rule",
    [446] = "landlock_restrict_self",
    [447] = "memfd_secret",
    [448] = "process_mrelease",
    [449] = "futex_waitv",
    [450] = "set_mempolicy_home_node",
};

/*
 * How each argument is shown in a trace, one letter per argument:
 *   d int   D dirfd   i 64-bit signed   u unsigned   x hex   p pointer
 *   o octal mode   O open flags   s string (read from guest memory)
 *   m octal mode, shown only if the open flags before it create a file
 *   A a socket address, whose length is the next argument
 */
struct call {
    sys_fn fn;
    const char *args;
};

static const struct call calls[SYS_NR] = {
    [17] = { sys_getcwd, "pu" },
    [19] = { sys_eventfd2, "ux" },
    [20] = { sys_epoll_create1, "x" },
    [21] = { sys_epoll_ctl, "dddp" },
    [22] = { sys_epoll_pwait, "dpddpu" },
    [85] = { sys_timerfd_create, "dx" },
    [86] = { sys_timerfd_settime, "dxpp" },
    [87] = { sys_timerfd_gettime, "dp" },
    [198] = { sys_socket, "ddd" },
    [199] = { sys_socketpair, "dddp" },
    [200] = { sys_bind, "dAu" },
    [201] = { sys_listen, "dd" },
    [202] = { sys_accept, "dpp" },
    [203] = { sys_connect, "dAu" },
    [204] = { sys_getsockname, "dpp" },
    [205] = { sys_getpeername, "dpp" },
    [206] = { sys_sendto, "dpuxAu" },
    [207] = { sys_recvfrom, "dpuxpp" },
    [208] = { sys_setsockopt, "dddpu" },
    [209] = { sys_getsockopt, "dddpp" },
    [210] = { sys_shutdown, "dd" },
    [211] = { sys_sendmsg, "dpx" },
    [212] = { sys_recvmsg, "dpx" },
    [242] = { sys_accept4, "dppx" },
    [441] = { sys_epoll_pwait2, "dpdppu" },
    [23] = { sys_dup, "d" },
    [24] = { sys_dup3, "ddO" },
    [25] = { sys_fcntl, "ddx" },
    [29] = { sys_ioctl, "dxx" },
    [32] = { sys_flock, "dd" },
    [33] = { sys_mknodat, "Dsox" },
    [34] = { sys_mkdirat, "Dso" },
    [35] = { sys_unlinkat, "Dsx" },
    [36] = { sys_symlinkat, "sDs" },
    [37] = { sys_linkat, "DsDsx" },
    [43] = { sys_statfs, "sp" },
    [44] = { sys_fstatfs, "dp" },
    [45] = { sys_truncate, "si" },
    [46] = { sys_ftruncate, "di" },
    [47] = { sys_fallocate, "dxii" },
    [48] = { sys_faccessat, "Dso" },
    [49] = { sys_chdir, "s" },
    [50] = { sys_fchdir, "d" },
    [52] = { sys_fchmod, "do" },
    [53] = { sys_fchmodat, "Dso" },
    [54] = { sys_fchownat, "Dsddx" },
    [55] = { sys_fchown, "ddd" },
    [56] = { sys_openat, "DsOm" },
    [57] = { sys_close, "d" },
    [59] = { sys_pipe2, "pO" },
    [61] = { sys_getdents64, "dpu" },
    [62] = { sys_lseek, "did" },
    [63] = { sys_read, "dpu" },
    [64] = { sys_write, "dpu" },
    [65] = { sys_readv, "dpd" },
    [66] = { sys_writev, "dpd" },
    [67] = { sys_pread64, "dpui" },
    [68] = { sys_pwrite64, "dpui" },
    [69] = { sys_preadv, "dpdi" },
    [70] = { sys_pwritev, "dpdi" },
    [71] = { sys_sendfile, "ddpu" },
    [72] = { sys_pselect6, "dppppp" },
    [73] = { sys_ppoll, "pupp" },
    [74] = { sys_signalfd4, "dpux" },
    [78] = { sys_readlinkat, "Dspu" },
    [79] = { sys_newfstatat, "Dspx" },
    [80] = { sys_fstat, "dp" },
    [81] = { sys_sync, "" },
    [82] = { sys_fsync, "d" },
    [83] = { sys_fdatasync, "d" },
    [88] = { sys_utimensat, "Dspx" },
    [93] = { sys_exit, "d" },
    [94] = { sys_exit_group, "d" },
    [96] = { sys_set_tid_address, "p" },
    [98] = { sys_futex, "pdx" },
    [99] = { sys_set_robust_list, "pu" },
    [100] = { sys_get_robust_list, "dpp" },
    [101] = { sys_nanosleep, "pp" },
    [102] = { sys_getitimer, "dp" },
    [103] = { sys_setitimer, "dpp" },
    [107] = { sys_timer_create, "dpp" },
    [108] = { sys_timer_gettime, "dp" },
    [109] = { sys_timer_getoverrun, "d" },
    [110] = { sys_timer_settime, "dxpp" },
    [111] = { sys_timer_delete, "d" },
    [113] = { sys_clock_gettime, "dp" },
    [114] = { sys_clock_getres, "dp" },
    [115] = { sys_clock_nanosleep, "dxpp" },
    [122] = { sys_sched_setaffinity, "dup" },
    [123] = { sys_sched_getaffinity, "dup" },
    [124] = { sys_sched_yield, "" },
    [129] = { sys_kill, "dd" },
    [130] = { sys_tkill, "dd" },
    [131] = { sys_tgkill, "ddd" },
    [132] = { sys_sigaltstack, "pp" },
    [133] = { sys_rt_sigsuspend, "pu" },
    [134] = { sys_rt_sigaction, "dppu" },
    [135] = { sys_rt_sigprocmask, "dppu" },
    [136] = { sys_rt_sigpending, "pu" },
    [137] = { sys_rt_sigtimedwait, "pppu" },
    [138] = { sys_rt_sigqueueinfo, "ddp" },
    [139] = { sys_rt_sigreturn, "" },
    [140] = { sys_setpriority, "ddd" },
    [141] = { sys_getpriority, "dd" },
    [148] = { sys_getresuid, "ppp" },
    [150] = { sys_getresgid, "ppp" },
    [153] = { sys_times, "p" },
    [154] = { sys_setpgid, "dd" },
    [155] = { sys_getpgid, "d" },
    [156] = { sys_getsid, "d" },
    [157] = { sys_setsid, "" },
    [158] = { sys_getgroups, "dp" },
    [160] = { sys_uname, "p" },
    [163] = { sys_getrlimit, "dp" },
    [164] = { sys_setrlimit, "dp" },
    [165] = { sys_getrusage, "dp" },
    [166] = { sys_umask, "o" },
    [167] = { sys_prctl, "dxxxx" },
    [168] = { sys_getcpu, "ppp" },
    [169] = { sys_gettimeofday, "pp" },
    [172] = { sys_getpid, "" },
    [173] = { sys_getppid, "" },
    [174] = { sys_getuid, "" },
    [175] = { sys_geteuid, "" },
    [176] = { sys_getgid, "" },
    [177] = { sys_getegid, "" },
    [178] = { sys_gettid, "" },
    [179] = { sys_sysinfo, "p" },
    [214] = { sys_brk, "p" },
    [220] = { sys_clone, "xppxp" },
    [215] = { sys_munmap, "pu" },
    [216] = { sys_mremap, "puuxp" },
    [222] = { sys_mmap, "puxxdx" },
    [223] = { sys_fadvise64, "diid" },
    [226] = { sys_mprotect, "pux" },
    [227] = { sys_msync, "pux" },
    [228] = { sys_mlock, "pu" },
    [229] = { sys_munlock, "pu" },
    [232] = { sys_mincore, "pup" },
    [233] = { sys_madvise, "pud" },
    [240] = { sys_rt_tgsigqueueinfo, "dddp" },
    [258] = { sys_riscv_hwprobe, "puupx" },
    [259] = { sys_riscv_flush_icache, "ppx" },
    [260] = { sys_wait4, "dpdp" },
    [221] = { sys_execve, "spp" },
    [95] = { sys_waitid, "ddpdp" },
    [261] = { sys_prlimit64, "ddpp" },
    [276] = { sys_renameat2, "DsDsx" },
    [278] = { sys_getrandom, "pux" },
    [291] = { sys_statx, "Dsxxp" },
    [436] = { sys_close_range, "ddx" },
    [439] = { sys_faccessat2, "Dsox" },
};

const char *sys_name(uint64_t nr)
{
    return nr < SYS_NR ? names[nr] : NULL;
}

static const char *errno_name(long e)
{
    static const char *const n[] = {
        [LX_EPERM] = "EPERM", [LX_ENOENT] = "ENOENT", [LX_ESRCH] = "ESRCH",
        [LX_EINTR] = "EINTR", [LX_EIO] = "EIO", [LX_ENXIO] = "ENXIO",
        [LX_E2BIG] = "E2BIG", [LX_ENOEXEC] = "ENOEXEC", [LX_EBADF] = "EBADF",
        [LX_ECHILD] = "ECHILD", [LX_EAGAIN] = "EAGAIN", [LX_ENOMEM] = "ENOMEM",
        [LX_EACCES] = "EACCES", [LX_EFAULT] = "EFAULT", [LX_ENOTBLK] = "ENOTBLK",
        [LX_EBUSY] = "EBUSY", [LX_EEXIST] = "EEXIST", [LX_EXDEV] = "EXDEV",
        [LX_ENODEV] = "ENODEV", [LX_ENOTDIR] = "ENOTDIR", [LX_EISDIR] = "EISDIR",
        [LX_EINVAL] = "EINVAL", [LX_ENFILE] = "ENFILE", [LX_EMFILE] = "EMFILE",
        [LX_ENOTTY] = "ENOTTY", [LX_ETXTBSY] = "ETXTBSY", [LX_EFBIG] = "EFBIG",
        [LX_ENOSPC] = "ENOSPC", [LX_ESPIPE] = "ESPIPE", [LX_EROFS] = "EROFS",
        [LX_EMLINK] = "EMLINK", [LX_EPIPE] = "EPIPE", [LX_EDOM] = "EDOM",
        [LX_ERANGE] = "ERANGE", [LX_EDEADLK] = "EDEADLK", [LX_ENAMETOOLONG] = "ENAMETOOLONG",
        [LX_ENOLCK] = "ENOLCK", [LX_ENOSYS] = "ENOSYS", [LX_ENOTEMPTY] = "ENOTEMPTY",
        [LX_ELOOP] = "ELOOP", [LX_ENODATA] = "ENODATA", [LX_EOVERFLOW] = "EOVERFLOW",
        [LX_ENOTSOCK] = "ENOTSOCK", [LX_EOPNOTSUPP] = "EOPNOTSUPP", [LX_ETIMEDOUT] = "ETIMEDOUT",
        [LX_EADDRINUSE] = "EADDRINUSE", [LX_EADDRNOTAVAIL] = "EADDRNOTAVAIL",
        [LX_ECONNREFUSED] = "ECONNREFUSED", [LX_ECONNRESET] = "ECONNRESET",
        [LX_EINPROGRESS] = "EINPROGRESS", [LX_ENOTCONN] = "ENOTCONN", [LX_EISCONN] = "EISCONN",
        [LX_EAFNOSUPPORT] = "EAFNOSUPPORT", [LX_ENOPROTOOPT] = "ENOPROTOOPT",
        [LX_EPROTONOSUPPORT] = "EPROTONOSUPPORT", [LX_ESOCKTNOSUPPORT] = "ESOCKTNOSUPPORT",
        [LX_EMSGSIZE] = "EMSGSIZE", [LX_EDESTADDRREQ] = "EDESTADDRREQ",
    };
    return e > 0 && (size_t)e < sizeof n / sizeof n[0] && n[e] ? n[e] : "E?";
}

/* Appends to a bounded trace line. */
struct line {
    char b[1024];
    size_t n;
};

static void put(struct line *l, const char *fmt, ...)
{
    if (l->n >= sizeof l->b - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(l->b + l->n, sizeof l->b - l->n, fmt, ap);
    va_end(ap);
    if (k > 0)
        l->n += (size_t)k < sizeof l->b - l->n ? (size_t)k : sizeof l->b - l->n - 1;
}

static void put_string(struct line *l, struct proc *p, uint64_t va)
{
    char s[FS_PATH_MAX];
    if (!va) {
        put(l, "NULL");
        return;
    }
    long n = mem_read_str(p->as, va, s, sizeof s);
    if (n < 0) {
        put(l, "0x%" PRIx64, va);
        return;
    }
    put(l, "\"");
    for (long i = 0; i < n && i < 128; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            put(l, "\\%c", c);
        else if (c >= 32 && c < 127)
            put(l, "%c", c);
        else
            put(l, "\\x%02x", c);
    }
    put(l, n > 128 ? "\"..." : "\"");
}

static void put_open_flags(struct line *l, uint64_t f)
{
    static const struct { uint64_t bit; const char *name; } bits[] = {
        { LX_O_CREAT, "O_CREAT" }, { LX_O_EXCL, "O_EXCL" }, { LX_O_NOCTTY, "O_NOCTTY" },
        { LX_O_TRUNC, "O_TRUNC" }, { LX_O_APPEND, "O_APPEND" }, { LX_O_NONBLOCK, "O_NONBLOCK" },
        { LX_O_DSYNC, "O_DSYNC" }, { LX_O_ASYNC, "O_ASYNC" }, { LX_O_DIRECT, "O_DIRECT" },
        { LX_O_LARGEFILE, "O_LARGEFILE" }, { LX_O_DIRECTORY, "O_DIRECTORY" },
        { LX_O_NOFOLLOW, "O_NOFOLLOW" }, { LX_O_NOATIME, "O_NOATIME" }, { LX_O_CLOEXEC, "O_CLOEXEC" },
        { 04000000, "O_SYNC" }, { LX_O_PATH, "O_PATH" }, { 020000000, "O_TMPFILE" },
    };
    static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
    put(l, "%s", acc[f & 3]);
    f &= ~(uint64_t)3;
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
        if (f & bits[i].bit) {
            put(l, "|%s", bits[i].name);
            f &= ~bits[i].bit;
        }
    if (f)
        put(l, "|%#" PRIx64, f);
}

static void put_args(struct line *l, struct proc *p, const char *fmt, const uint64_t *a)
{
    for (int i = 0; fmt[i] && i < 6; i++) {
        uint64_t v = a[i];
        if (fmt[i] == 'm') {
            if (i == 0 || !(a[i - 1] & (LX_O_CREAT | 020000000)))     /* O_CREAT, __O_TMPFILE */
                break;
            put(l, ", %#" PRIo64, v);
            continue;
        }
        if (i)
            put(l, ", ");
        switch (fmt[i]) {
        case 'd': put(l, "%d", (int)v); break;
        case 'D':
            if ((int)v == LX_AT_FDCWD)
                put(l, "AT_FDCWD");
            else
                put(l, "%d", (int)v);
            break;
        case 'i': put(l, "%" PRId64, (int64_t)v); break;
        case 'u': put(l, "%" PRIu64, v); break;
        case 'o': put(l, "%#" PRIo64, v); break;
        case 'O': put_open_flags(l, v); break;
        case 's': put_string(l, p, v); break;
        case 'A': {     /* a sockaddr; its length is the next argument */
            char sa[160];
            net_trace_addr(p, v, i < 5 ? a[i + 1] : 0, sa, sizeof sa);
            put(l, "%s", sa);
            break;
        }
        case 'p':
            if (!v)
                put(l, "NULL");
            else
                put(l, "0x%" PRIx64, v);
            break;
        default: put(l, "%#" PRIx64, v); break;
        }
    }
}

static void put_result(struct line *l, uint64_t nr, long r)
{
    if (r < 0 && r >= -4095)
        put(l, " = %ld %s\n", r, errno_name(-r));
    else if (nr == 222 || nr == 214 || nr == 216)    /* mmap, brk, mremap: addresses */
        put(l, " = %#lx\n", (unsigned long)r);
    else
        put(l, " = %ld\n", r);
}

void sys_dispatch(struct proc *p)
{
    struct rv_hart *h = p->hart;
    uint64_t nr = h->x[17];
    uint64_t a[6];
    for (int i = 0; i < 6; i++)
        a[i] = h->x[10 + i];
    const struct call *c = nr < SYS_NR && calls[nr].fn ? &calls[nr] : NULL;

    struct line l;
    l.n = 0;
    if (p->trace_syscalls) {
        /* Arguments are read before the call: it may change what they point to. */
        if (p->pid == PROC_PID)
            put(&l, "[mvm] ");
        else
            put(&l, "[mvm pid %d] ", p->pid);
        if (c) {
            put(&l, "%s(", names[nr]);
            put_args(&l, p, c->args, a);
        } else {
            if (nr < SYS_NR && names[nr])
                put(&l, "%s(", names[nr]);
            else
                put(&l, "syscall_%" PRIu64 "(", nr);
            put_args(&l, p, "xxxxxx", a);
        }
        put(&l, ")");
    }

    long r = c ? c->fn(p, a) : -LX_ENOSYS;

    bool gone = p->exited || (p->cur && p->cur->exit_pending);
    if (p->execed) {    /* a new image: h is gone, the registers are set */
        p->execed = false;
        if (p->trace_syscalls) {
            put(&l, " = 0\n");
            fputs(l.b, stderr);
        }
        return;
    }
    if (p->trace_syscalls) {
        if (gone || r == PROC_RESTART)
            put(&l, " = ?\n");
        else
            put_result(&l, nr, r);
        fputs(l.b, stderr);
    }
    /* Ended, or to be run again (the run stopped while it blocked). */
    if (gone || r == PROC_RESTART)
        return;
    h->x[10] = (uint64_t)r;
    h->pc += 4;
    sig_syscall_exit(p, nr, r, a[0]);   /* signals: handlers, restarts */
}
