/*
 * forkwait.c — process creation and reaping: N times, fork(); the child
 * _exit()s at once with a status that depends on the iteration; the parent
 * waitpid()s for it and checks that status.
 *
 *   forkwait N        prints "forkwait N: statuses ok, sum S", then time_ns
 *
 * Exits 1 if a fork or wait fails or a child's status is not the one it
 * was given.
 */
#include "common.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 2000;
    unsigned long sum = 0;
    int64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            fprintf(stderr, "forkwait: fork %ld: %s\n", i, strerror(errno));
            return 1;
        }
        if (pid == 0)
            _exit((int)(i % 101));
        int st;
        if (waitpid(pid, &st, 0) != pid) {
            fprintf(stderr, "forkwait: waitpid %ld: %s\n", i, strerror(errno));
            return 1;
        }
        if (!WIFEXITED(st) || WEXITSTATUS(st) != i % 101) {
            fprintf(stderr, "forkwait: child %ld: status 0x%x, expected exit %ld\n", i, st, i % 101);
            return 1;
        }
        sum += (unsigned long)WEXITSTATUS(st);
    }
    int64_t t = now_ns() - t0;
    printf("forkwait %ld: statuses ok, sum %lu\n", n, sum);
    report_time(t);
    return 0;
}
