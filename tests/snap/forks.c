/* forks: processes across a snapshot. The parent maps a shared counter
 * and a private array, forks A (which reads numbers from a pipe and adds
 * them to the shared counter until "end", then exits with a status made
 * of what it saw: the counter and its own copy of the array, which the
 * parent changed after the fork) and B (which exits 7 at once and stays
 * a zombie until the parent reaps it last). The parent computes between
 * lines, so that a snapshot at any point finds A blocked, computing or
 * gone, and B a zombie. Only the parent prints. Exits 0. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    volatile uint64_t *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    static uint64_t priv[4096];
    int fds[2];
    if (shared == MAP_FAILED || pipe(fds) != 0)
        return 1;
    for (int i = 0; i < 4096; i++)
        priv[i] = (uint64_t)i * 2654435761u;
    pid_t a = fork();
    if (a == 0) {
        close(fds[1]);
        FILE *in = fdopen(fds[0], "r");
        char line[64];
        while (fgets(line, sizeof line, in) && strcmp(line, "end\n") != 0)
            *shared += strtoull(line, NULL, 10);
        uint64_t h = 0;
        for (int i = 0; i < 4096; i++)
            h = h * 31 + priv[i];
        _exit((int)((*shared + h) & 0x7f));
    }
    pid_t b = fork();
    if (b == 0)
        _exit(7);
    close(fds[0]);
    for (int i = 0; i < 4096; i++)
        priv[i] = ~priv[i];      /* A keeps the copy it had */
    uint64_t x = 1, sent = 0;
    for (int k = 1; k <= 40; k++) {
        for (int i = 0; i < 200000; i++)
            x = x * 6364136223846793005ull + 1442695040888963407ull;
        char line[32];
        int n = snprintf(line, sizeof line, "%d\n", k);
        if (write(fds[1], line, (size_t)n) != n)
            return 2;
        sent += (uint64_t)k;
        if (k % 10 == 0)
            printf("sent %d (%016llx)\n", k, (unsigned long long)x);
    }
    if (write(fds[1], "end\n", 4) != 4)
        return 3;
    int sa = 0, sb = 0;
    if (waitpid(a, &sa, 0) != a || waitpid(b, &sb, 0) != b)
        return 4;
    uint64_t h = 0;
    for (int i = 0; i < 4096; i++)
        h = h * 31 + (uint64_t)i * 2654435761u;
    printf("A: %d (expected %d), shared %llu of %llu\n", WEXITSTATUS(sa), (int)((sent + h) & 0x7f),
           (unsigned long long)*shared, (unsigned long long)sent);
    printf("B: %s %d\n", WIFEXITED(sb) ? "exited" : "killed", WIFEXITED(sb) ? WEXITSTATUS(sb) : WTERMSIG(sb));
    return 0;
}
