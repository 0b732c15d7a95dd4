/*
 * xrun.c — runs a command with a time limit and records how it ended, so
 * the CLI suite can tell "the monitor exited with status 139 because its
 * guest faulted" from "the monitor itself died of SIGSEGV" (a shell sees
 * 139 for both).
 *
 *   xrun SECONDS STATUSFILE COMMAND [ARGS...]
 *
 * stdin, stdout and stderr are the command's. STATUSFILE gets one line:
 * "exit N", "signal N" or "timeout" (killed with SIGKILL after SECONDS);
 * a command that cannot be started shows as "exit 127". xrun itself exits
 * 0 unless it could not do its job (2).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
    (void)sig;
    timed_out = 1;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: xrun SECONDS STATUSFILE COMMAND [ARGS...]\n");
        return 2;
    }
    unsigned seconds = (unsigned)strtoul(argv[1], NULL, 10);
    FILE *status = fopen(argv[2], "w");
    if (!status) {
        perror(argv[2]);
        return 2;
    }
    struct sigaction sa = { 0 };
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);

    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[3], argv + 3);
        _exit(127);
    }
    alarm(seconds);
    int st = 0;
    for (;;) {
        pid_t r = waitpid(pid, &st, 0);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR) {
            perror("waitpid");
            return 2;
        }
        if (timed_out)
            kill(pid, SIGKILL);
    }
    alarm(0);
    if (timed_out && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
        fprintf(status, "timeout\n");
    else if (WIFEXITED(st))
        fprintf(status, "exit %d\n", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        fprintf(status, "signal %d\n", WTERMSIG(st));
    else
        fprintf(status, "unknown\n");
    return fclose(status) == 0 ? 0 : 2;
}
