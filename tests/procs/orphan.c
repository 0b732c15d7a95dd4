/* orphan (mvm only): the first process exits 5 while its child and
   grandchild still run, blocked forever in pause(). The first process is
   the VM's init: when it ends, mvm kills the others and exits 5 at once
   (run.sh checks the status, the time and that no process is left
   holding mvm's stdout). Not run under qemu-riscv64, where the two would
   stay behind as real host processes. */
#include "procs.h"

int main(void)
{
    int fd[2];
    char c;
    MUST(pipe(fd));
    pid_t p = MUST(fork());
    if (p == 0) {
        if (MUST(fork()) == 0) {
            MUST(write(fd[1], "g", 1));
            for (;;)
                pause();
        }
        MUST(write(fd[1], "c", 1));
        for (;;)
            pause();
    }
    MUST(read(fd[0], &c, 1));
    MUST(read(fd[0], &c, 1));
    puts("child and grandchild run; the first process exits 5");
    return 5;
}
