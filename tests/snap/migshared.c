/* migshared: memory shared between processes across a live migration.
 * The parent maps a shared page and forks a child that counts in it: each
 * step checks that the page still holds the child's last count, then
 * writes the next. Meanwhile the parent rewrites 8 MiB of its own memory
 * pass after pass (so that a migration's pre-copy goes round after round
 * while the child writes the shared page), then tells the child to stop.
 * A receiver given a copy of the shared page older than the child's own
 * count would make the child see a count that is not its last: the child
 * exits 1, and the parent prints "inconsistent". Prints "consistent" and
 * exits 0 otherwise. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB 8
#define PASSES 40000   /* long enough that the pre-copy gives up (30 rounds) before the parent ends */

struct page {
    volatile uint64_t count, stop, bad;
};

int main(void)
{
    struct page *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    uint64_t *mem = malloc(MIB << 20);
    if (sh == MAP_FAILED || !mem)
        return 2;
    pid_t c = fork();
    if (c == 0) {
        uint64_t mine = 0;
        while (!sh->stop) {
            if (sh->count != mine)
                sh->bad = 1;
            sh->count = ++mine;
        }
        _exit(sh->count == mine && !sh->bad ? 0 : 1);
    }
    uint64_t x = 1;
    for (int pass = 0; pass < PASSES; pass++)
        for (size_t i = 0; i < (MIB << 20) / 8; i += 512)   /* a word in every page */
            mem[i] = x = x * 6364136223846793005ull + (uint64_t)pass;
    sh->stop = 1;
    int st = 0;
    waitpid(c, &st, 0);
    printf("%s\n", WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "consistent" : "inconsistent");
    return 0;
}
