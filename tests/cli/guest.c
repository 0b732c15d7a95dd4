/*
 * guest.c — the RISC-V program the CLI suite runs (static glibc). The first
 * argument picks what it does, so one binary covers every pass-through and
 * fault check:
 *   exit N     exit with status N
 *   cat        copy stdin to stdout
 *   env        print the environment, one variable a line
 *   argv       print argc-2, then each following argument as [ARG]
 *   segv       store to address 0         (instruction at cli_store_zero)
 *   ill        run an illegal instruction (at cli_illegal)
 *   ebreak     run ebreak                 (at cli_ebreak)
 *   loop       spin forever
 * The fault routines are labelled so the test can find the exact pc of the
 * faulting instruction with nm, independently of the monitor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

void cli_store_zero(void);
void cli_illegal(void);
void cli_ebreak(void);

/* Each routine's first instruction is the one that faults. 0x0000 is the
 * defined illegal 16-bit encoding (Unprivileged ISA, 16.1). */
__asm__(".text\n"
        ".globl cli_store_zero\n.type cli_store_zero, @function\n"
        "cli_store_zero:\n\tsd zero, 0(zero)\n\tret\n"
        ".globl cli_illegal\n.type cli_illegal, @function\n"
        "cli_illegal:\n\t.2byte 0\n\tret\n"
        ".globl cli_ebreak\n.type cli_ebreak, @function\n"
        "cli_ebreak:\n\tebreak\n\tret\n");

static int copy_stdin(void)
{
    static char buf[8192];
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n == 0)
            return 0;
        if (n < 0)
            return 3;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(1, buf + off, (size_t)(n - off));
            if (w <= 0)
                return 4;
            off += w;
        }
    }
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "exit") == 0 && argc > 2)
        exit(atoi(argv[2]));
    if (strcmp(mode, "cat") == 0)
        return copy_stdin();
    if (strcmp(mode, "env") == 0) {
        for (char **e = environ; *e; e++)
            printf("%s\n", *e);
        return 0;
    }
    if (strcmp(mode, "argv") == 0) {
        printf("%d\n", argc - 2);
        for (int i = 2; i < argc; i++)
            printf("[%s]\n", argv[i]);
        return 0;
    }
    if (strcmp(mode, "segv") == 0)
        cli_store_zero();
    else if (strcmp(mode, "ill") == 0)
        cli_illegal();
    else if (strcmp(mode, "ebreak") == 0)
        cli_ebreak();
    else if (strcmp(mode, "loop") == 0)
        for (;;)
            __asm__ volatile("");
    else
        return 0;
    fprintf(stderr, "%s: the fault did not happen\n", mode);
    return 99;
}
