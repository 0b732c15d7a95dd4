/* procs.h — shared by the tests/procs programs.
   check() prints one "ok WHAT" or "FAIL WHAT" line and counts failures;
   MUST() gives up (exit 2) when a call the test needs fails; desc() spells
   a wait status ("exit 3", "signal 9", "stopped 19", "continued").
   Before main, stdout is made line-buffered (a fork never copies
   unflushed output: every line is out when printed) and the signals the
   tests use get their default action back and are unblocked, whatever the
   caller left ignored or blocked (a shell's background job ignores SIGINT,
   a CI runner may ignore SIGPIPE), and a watchdog is set: a program still
   running after WATCHDOG seconds prints a FAIL line and exits 3 (a hang
   costs a minute, not the whole timeout; forked children do not inherit
   the alarm). A program that wants what exec left it (probe.c) defines
   KEEP_SIGNALS first, and gets neither. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static int nfail;

__attribute__((format(printf, 2, 3), unused))
static void check(int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs(ok ? "ok " : "FAIL ", stdout);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    if (!ok)
        nfail++;
}

__attribute__((unused))
static long must(long r, const char *what, int line)
{
    if (r < 0) {
        printf("FAIL line %d: %s: %s\n", line, what, strerror(errno));
        exit(2);
    }
    return r;
}
#define MUST(x) must((long)(x), #x, __LINE__)

/* A wait status in words. */
__attribute__((unused))
static const char *desc(int s)
{
    static char buf[4][40];
    static int k;
    char *b = buf[k++ & 3];
    if (WIFEXITED(s))
        snprintf(b, 40, "exit %d", WEXITSTATUS(s));
    else if (WIFSIGNALED(s))
        snprintf(b, 40, "signal %d", WTERMSIG(s));
    else if (WIFSTOPPED(s))
        snprintf(b, 40, "stopped %d", WSTOPSIG(s));
    else if (WIFCONTINUED(s))
        snprintf(b, 40, "continued");
    else
        snprintf(b, 40, "status 0x%x", s);
    return b;
}

/* Waits for pid; the status in words (or "error ..."). */
__attribute__((unused))
static const char *reap(pid_t pid)
{
    int s;
    pid_t r;
    while ((r = waitpid(pid, &s, 0)) < 0 && errno == EINTR)
        ;
    if (r != pid) {
        static char b[64];
        snprintf(b, sizeof b, "error: waitpid gave %d (%s)", (int)r, r < 0 ? strerror(errno) : "another pid");
        return b;
    }
    return desc(s);
}

/* The last line; main returns its value. */
__attribute__((unused))
static int done(void)
{
    puts(nfail ? "some checks FAILED" : "all ok");
    return nfail ? 1 : 0;
}

#define WATCHDOG 30
#define PROCS_STR_(x) #x
#define PROCS_STR(x) PROCS_STR_(x)

__attribute__((unused))
static void procs_watchdog(int sig)
{
    static const char msg[] = "FAIL watchdog: still running after " PROCS_STR(WATCHDOG) " s\n";
    (void)sig;
    write(1, msg, sizeof msg - 1);
    _exit(3);
}

__attribute__((constructor))
static void procs_setup(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
#ifndef KEEP_SIGNALS
    static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGALRM, SIGTERM,
                                SIGCHLD, SIGUSR1, SIGUSR2, SIGTSTP, SIGCONT };
    sigset_t none;
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], SIG_DFL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGALRM, procs_watchdog);
    alarm(WATCHDOG);
#endif
}
