/*
 * spawnwait.c — fork + exec + wait: N times, fork(); the child execve()s
 * PROGRAM (bench/procs_kernels/exit42.c, which exits 42 at once) with
 * ARGS and an empty environment; the parent waitpid()s and checks the
 * status is 42.
 *
 *   spawnwait N PROGRAM [ARGS...]   prints "spawnwait N: exited 42 each
 *                                   time", then time_ns
 *
 * (ARGS are for running the target through an interpreter explicitly:
 * `spawnwait N /usr/bin/qemu-riscv64 exit42.rv64` does by hand what a
 * binfmt_misc registration would do.)
 *
 * A child whose execve fails exits 100 + errno (ENOEXEC, for instance,
 * is 108): the parent then names the errno and exits 1.
 */
#include "common.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: spawnwait N PROGRAM [ARGS...]\n");
        return 2;
    }
    long n = atol(argv[1]);
    char *prog = argv[2];
    char **args = argv + 2;    /* PROGRAM ARGS... NULL */
    char *env[] = { NULL };
    int64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            fprintf(stderr, "spawnwait: fork %ld: %s\n", i, strerror(errno));
            return 1;
        }
        if (pid == 0) {
            execve(prog, args, env);
            _exit(errno > 0 && errno < 100 ? 100 + errno : 99);
        }
        int st;
        if (waitpid(pid, &st, 0) != pid) {
            fprintf(stderr, "spawnwait: waitpid %ld: %s\n", i, strerror(errno));
            return 1;
        }
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 42) {
            if (WIFEXITED(st) && WEXITSTATUS(st) > 100)
                fprintf(stderr, "spawnwait: execve %s failed in the child: %s\n", prog,
                        strerror(WEXITSTATUS(st) - 100));
            else
                fprintf(stderr, "spawnwait: child %ld: status 0x%x, expected exit 42\n", i, st);
            return 1;
        }
    }
    int64_t t = now_ns() - t0;
    printf("spawnwait %ld: exited 42 each time\n", n);
    report_time(t);
    return 0;
}
