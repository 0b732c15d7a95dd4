/* many: many processes, quickly.
   - 300 children one after another, child i exits with i: each status is
     i % 256 (so 256..299 wrap to 0..43);
   - 20 children alive at once (blocked on one pipe), 20 distinct pids,
     none mine; closing the pipe ends them all; wait() collects each
     exactly once with its own code; then ECHILD;
   - a chain of 30: each process forks the next and exits with its child's
     status + 1, so the first child exits 30; each checks that its
     child's getppid is itself (through the status);
   - a tree: 4 children each fork 4 grandchildren: 16 + 4 reaped, the
     codes add up. */
#include "procs.h"

static int chain(int left)
{
    if (left == 0)
        return 0;
    pid_t me = getpid();
    pid_t p = fork();
    if (p < 0)
        return 200;
    if (p == 0)
        _exit(getppid() == me ? chain(left - 1) : 201);
    int s;
    if (waitpid(p, &s, 0) != p || !WIFEXITED(s))
        return 202;
    return WEXITSTATUS(s) + 1;
}

int main(void)
{
    int s, bad = 0;
    pid_t me = getpid();

    for (int i = 0; i < 300; i++) {
        pid_t p = fork();
        if (p < 0) { printf("FAIL fork %d: %s\n", i, strerror(errno)); return 1; }
        if (p == 0)
            _exit(i);
        if (waitpid(p, &s, 0) != p || !WIFEXITED(s) || WEXITSTATUS(s) != i % 256)
            bad++;
    }
    check(bad == 0, "300 children one after another, each status i %% 256: %d wrong", bad);

    int fd[2];
    pid_t pids[20];
    int seen[20] = { 0 };
    MUST(pipe(fd));
    for (int i = 0; i < 20; i++) {
        pids[i] = MUST(fork());
        if (pids[i] == 0) {
            char c;
            close(fd[1]);
            read(fd[0], &c, 1);
            _exit(100 + i);
        }
    }
    int distinct = 1;
    for (int i = 0; i < 20; i++)
        for (int j = 0; j < i; j++)
            if (pids[i] == pids[j] || pids[i] == me)
                distinct = 0;
    check(distinct, "20 children alive at once have 20 distinct pids");
    close(fd[0]);
    close(fd[1]);
    bad = 0;
    for (int n = 0; n < 20; n++) {
        pid_t r = wait(&s);
        int k = -1;
        for (int i = 0; i < 20; i++)
            if (pids[i] == r)
                k = i;
        if (k < 0 || seen[k]++ || !WIFEXITED(s) || WEXITSTATUS(s) != 100 + k)
            bad++;
    }
    check(bad == 0, "wait() collects each once with its own code: %d wrong", bad);
    errno = 0;
    check(wait(&s) == -1 && errno == ECHILD, "then ECHILD");

    pid_t p = MUST(fork());
    if (p == 0)
        _exit(chain(29) + 1);    /* 1 + 29 processes */
    const char *st = reap(p);
    check(!strcmp(st, "exit 30"), "a chain of 30 processes: %s", st);

    for (int i = 0; i < 4; i++) {
        if (MUST(fork()) == 0) {
            int sum = 0;
            for (int j = 0; j < 4; j++)
                if (fork() == 0)
                    _exit(j + 1);
            for (int j = 0; j < 4; j++)
                if (wait(&s) > 0 && WIFEXITED(s))
                    sum += WEXITSTATUS(s);
            _exit(sum + i);    /* 10 + i */
        }
    }
    int total = 0, n = 0;
    while (wait(&s) > 0) {
        n++;
        total += WIFEXITED(s) ? WEXITSTATUS(s) : 1000;
    }
    check(n == 4 && total == 46, "a tree of 4 x 4: %d children, codes add up to %d", n, total);
    return done();
}
