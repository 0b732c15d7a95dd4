/*
 * recurse.c — attack A, unbounded VM-in-VM recursion.
 *
 *   recurse LEVEL GIVEUP
 *
 * Every level creates a VM (delegated, default configuration), passes its
 * own directory down to it, loads itself into it with LEVEL+1 and runs it,
 * then exits with the status its child ended with. Nothing in the guest
 * stops the descent before GIVEUP, so only the monitor can: the VM that
 * `mvm run` creates is level 1, and the monitor refuses to create a VM
 * below level MVM_MAX_DEPTH (32) with -ELOOP. Without that limit every
 * level costs the host monitor stack, and a deep enough tree kills it.
 *
 * Output, one line each:
 *   level L                          level L started
 *   refused at level L: E            VM_CREATE (or VM_RUN) gave error E;
 *                                    this level then exits 0
 *   level L: child status S          the child ended with status S; this
 *                                    level exits S
 *   gave up at level L: no limit     GIVEUP reached (exit 3): the monitor
 *                                    let the tree grow that deep
 *
 * Built without libc (-nostdlib) so each level is a few KiB to load.
 */
#include "hc.h"

static long sys(long n, long a0, long a1, long a2, long a3)
{
    register long r0 __asm__("a0") = a0;
    register long r1 __asm__("a1") = a1;
    register long r2 __asm__("a2") = a2;
    register long r3 __asm__("a3") = a3;
    register long r7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3), "r"(r7) : "memory");
    return r0;
}

#define SYS_openat 56
#define SYS_close 57
#define SYS_read 63
#define SYS_write 64
#define SYS_exit_group 94
#define AT_FDCWD (-100)

static unsigned long slen(const char *s)
{
    unsigned long n = 0;
    while (s[n])
        n++;
    return n;
}

static char line[256];
static unsigned long line_len;

static void put(const char *s)
{
    while (*s && line_len < sizeof line - 1)
        line[line_len++] = *s++;
}

static void put_num(long v)
{
    char b[24];
    int n = 0;
    unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
    if (v < 0)
        put("-");
    do
        b[n++] = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    while (n > 0) {
        char c[2] = { b[--n], 0 };
        put(c);
    }
}

static void flush(void)
{
    put("\n");
    sys(SYS_write, 1, (long)line, (long)line_len, 0);
    line_len = 0;
}

static __attribute__((noreturn)) void quit(int status)
{
    for (;;)
        sys(SYS_exit_group, status, 0, 0, 0);
}

static long num(const char *s)
{
    long v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (*s++ - '0');
    return v;
}

static unsigned char image[1 << 20];
static char dir[4096], args[8192];
static struct hc_config cfg;   /* all zero: the defaults */
static struct hc_exit ex;

static void refused(long level, long err)
{
    put("refused at level ");
    put_num(level);
    put(": ");
    put_num(err);
    flush();
    quit(0);
}

static void fail(long level, const char *what, long err)
{
    put("error at level ");
    put_num(level);
    put(": ");
    put(what);
    put(" ");
    put_num(err);
    flush();
    quit(2);
}

void cmain(long *sp)
{
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    if (argc < 3)
        fail(0, "usage: recurse LEVEL GIVEUP", 0);
    const char *self = argv[0];
    long level = num(argv[1]), giveup = num(argv[2]);
    put("level ");
    put_num(level);
    flush();
    if (level >= giveup) {
        put("gave up at level ");
        put_num(level);
        put(": no limit");
        flush();
        quit(3);
    }

    /* Our own program, read from the directory we were given. */
    long fd = sys(SYS_openat, AT_FDCWD, (long)self, 0, 0), size = 0, got;
    if (fd < 0)
        fail(level, "open self", fd);
    while ((got = sys(SYS_read, fd, (long)image + size, (long)sizeof image - size, 0)) > 0)
        size += got;
    sys(SYS_close, fd, 0, 0, 0);
    unsigned long n = slen(self);
    while (n > 1 && self[n - 1] != '/')
        n--;
    for (unsigned long i = 0; i + 1 < n; i++)
        dir[i] = self[i];
    if (n <= 1)
        dir[0] = '/';

    long h = hc(MVM_HC_VM_CREATE, (long)&cfg, 0, 0, 0, 0, 0);
    if (h < 0)
        refused(level, h);
    long r = hc(MVM_HC_VM_ADD_DIR, h, 0, (long)dir, (long)dir, 1, 0);
    if (r < 0)
        fail(level, "add-dir", r);

    /* argv of the child: self, LEVEL+1, GIVEUP (no environment). */
    char lv[24];
    line_len = 0;
    put_num(level + 1);
    for (unsigned long i = 0; i <= line_len; i++)
        lv[i] = i < line_len ? line[i] : 0;
    line_len = 0;
    const char *av[3] = { self, lv, argv[2] };
    unsigned long at = 8;
    for (int i = 0; i < 3; i++) {
        unsigned long l = slen(av[i]) + 1;
        for (unsigned long j = 0; j < l; j++)
            args[at + j] = av[i][j];
        at += l;
    }
    *(uint32_t *)args = 3;
    *(uint32_t *)(args + 4) = 0;
    r = hc(MVM_HC_VM_LOAD_ELF, h, (long)self, (long)image, size, (long)args, (long)at);
    if (r < 0)
        fail(level, "load", r);
    r = hc(MVM_HC_VM_RUN, h, (long)&ex, 0, 0, 0, 0);
    if (r < 0)
        refused(level, r);
    put("level ");
    put_num(level);
    put(": child status ");
    put_num(ex.status);
    flush();
    quit(ex.status);
}

__asm__(".text\n"
        ".globl _start\n"
        "_start:\n"
        ".option push\n"
        ".option norelax\n"
        "    lla gp, __global_pointer$\n"
        ".option pop\n"
        "    mv a0, sp\n"
        "    andi sp, sp, -16\n"
        "    call cmain\n"
        "1:  j 1b\n");
