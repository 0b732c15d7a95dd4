/*
 * top.c — `mvm top [NAME...]`: the running VMs and fleets of this user,
 * refreshed every second (docs/cli.md). The rows come from the control
 * sockets (control_rows: what mvm ps lists); instructions a second are
 * the difference of two samples over the time between them.
 *
 * On a terminal the screen is redrawn in place and q (or Ctrl-C) quits,
 * the terminal restored; otherwise each refresh is printed as a plain
 * table, so that the output can be read by a program.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "host/host.h"

static const char top_usage[] =
    "usage: mvm top [-n COUNT] [-d SECONDS] [NAME...]\n"
    "\n"
    "Shows the VMs and fleets started with --name (all of them, or those\n"
    "named), with the VMs of each fleet and those their guests made below\n"
    "them, refreshed every SECONDS (1): state, depth, instructions a second,\n"
    "instructions, resident, shared, swapped and ballooned memory (MiB).\n"
    "-n: COUNT refreshes, then exit. On a terminal, q or Ctrl-C quits;\n"
    "elsewhere each refresh is a plain table.\n";

static volatile sig_atomic_t quit;

static void on_signal(int sig)
{
    (void)sig;
    quit = 1;
}

/* The terminal's settings before top changed them, to put back. */
static struct termios saved;
static bool raw_mode;

static void terminal_restore(void)
{
    if (raw_mode) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        raw_mode = false;
    }
    fputs("\033[?25h", stdout);   /* the cursor again */
    fflush(stdout);
}

/* Keys one at a time, unechoed: q is read as soon as it is typed. */
static void terminal_raw(void)
{
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved) != 0)
        return;
    struct termios t = saved;
    t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);    /* ISIG kept: Ctrl-C is SIGINT */
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    raw_mode = tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
}

/* Waits ms, or less if q is typed or a signal comes: false to quit. */
static bool wait_ms(int ms, bool tty)
{
    uint64_t end = host_time_monotonic_ns() + (uint64_t)ms * 1000000u;
    while (!quit) {
        uint64_t now = host_time_monotonic_ns();
        if (now >= end)
            return true;
        int left = (int)((end - now) / 1000000u) + 1;
        if (!tty || !raw_mode) {
            struct timespec ts = { left / 1000, (long)(left % 1000) * 1000000L };
            nanosleep(&ts, NULL);
            continue;
        }
        struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
        char ch;
        if (poll(&p, 1, left) > 0 && read(STDIN_FILENO, &ch, 1) == 1 && (ch == 'q' || ch == 'Q'))
            return false;
    }
    return false;
}

/* The sample of key in prev (n rows), or NULL. */
static const struct vm_row *find(const struct vm_row *prev, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (strcmp(prev[i].key, key) == 0)
            return &prev[i];
    return NULL;
}

static void mib(char *out, size_t size, long long bytes)
{
    snprintf(out, size, "%.1f", (double)bytes / (1024.0 * 1024.0));
}

static void print_table(const struct vm_row *v, int n, const struct vm_row *prev, int nprev, double seconds,
                        bool tty)
{
    if (tty)
        fputs("\033[H\033[2J", stdout);   /* home, clear */
    printf("%-24s %-8s %5s %14s %16s %10s %10s %8s %9s\n", "NAME", "STATE", "DEPTH", "INSTR/S", "INSTRUCTIONS",
           "RESIDENT", "SHARED", "SWAPPED", "BALLOONED");
    for (int i = 0; i < n; i++) {
        const struct vm_row *r = &v[i], *p = find(prev, nprev, r->key);
        char rate[32] = "-", res[32], sh[32], sw[32], bal[32], depth[16] = "-";
        if (p && seconds > 0 && r->instructions >= p->instructions)
            snprintf(rate, sizeof rate, "%.0f", (double)(r->instructions - p->instructions) / seconds);
        if (!r->fleet)
            snprintf(depth, sizeof depth, "%lld", r->depth);
        mib(res, sizeof res, r->resident);
        mib(sh, sizeof sh, r->shared);
        mib(sw, sizeof sw, r->swapped);
        mib(bal, sizeof bal, r->ballooned);
        printf("%*s%-*s %-8s %5s %14s %16lld %10s %10s %8s %9s\n", 2 * r->level, "", 24 - 2 * r->level, r->name,
               r->fleet ? "fleet" : r->state, depth, rate, r->instructions, res, sh, sw, bal);
    }
    if (n == 0)
        printf("(no VM started with --name answers)\n");
    if (!tty)
        printf("\n");
    fflush(stdout);
}

int cmd_top(int argc, char **argv)
{
    long count = -1;
    double delay = 1.0;
    char **names = calloc((size_t)argc, sizeof *names);
    int nnames = 0;
    if (!names)
        return EXIT_INTERNAL;
    for (int i = 1; i < argc; i++) {
        char *end;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(top_usage, stdout);
            free(names);
            return 0;
        } else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            count = strtol(argv[++i], &end, 10);
            if (*end || count < 1) {
                free(names);
                return usage_error("top -n %s: a count of at least 1", argv[i]);
            }
        } else if (strcmp(argv[i], "-d") == 0 && i + 1 < argc) {
            delay = strtod(argv[++i], &end);
            if (*end || !(delay >= 0.1 && delay <= 3600)) {
                free(names);
                return usage_error("top -d %s: seconds, from 0.1 to 3600", argv[i]);
            }
        } else if (argv[i][0] == '-') {
            free(names);
            return usage_error("top: unknown option %s", argv[i]);
        } else {
            names[nnames++] = argv[i];
        }
    }
    bool tty = isatty(STDOUT_FILENO);
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (tty) {
        terminal_raw();
        fputs("\033[?25l", stdout);   /* no cursor blinking over the table */
    }
    struct vm_row *prev = NULL;
    int nprev = control_rows(names, nnames, &prev), rc = 0;
    uint64_t t_prev = host_time_monotonic_ns();
    if (nprev < 0)
        rc = EXIT_INTERNAL;
    for (long k = 0; rc == 0 && (count < 0 || k < count); k++) {
        if (!wait_ms((int)(delay * 1000), tty))
            break;
        struct vm_row *v;
        int n = control_rows(names, nnames, &v);
        uint64_t now = host_time_monotonic_ns();
        if (n < 0) {
            rc = EXIT_INTERNAL;
            break;
        }
        print_table(v, n, prev, nprev, (double)(now - t_prev) / 1e9, tty);
        free(prev);
        prev = v;
        nprev = n;
        t_prev = now;
    }
    free(prev);
    free(names);
    if (tty)
        terminal_restore();
    return rc;
}
