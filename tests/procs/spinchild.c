/* spinchild (mvm only, run with --budget): a forked child spins forever
   while the parent waits for it. The instruction budget covers every
   process of the VM, so mvm stops with 124 and "mvm: instruction budget
   exhausted". */
#include "procs.h"

int main(void)
{
    pid_t p = MUST(fork());
    if (p == 0) {
        volatile unsigned long n = 0;
        for (;;)
            n++;
    }
    puts("the child spins; the parent waits");
    printf("FAIL wait returned: %s\n", reap(p));
    return 1;
}
