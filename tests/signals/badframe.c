/* rt_sigreturn with a stack pointer at no frame: the process dies of
 * SIGSEGV (139), the monitor goes on. */
#include <stdio.h>

int main(void)
{
    printf("before\n");
    fflush(stdout);
    __asm__ volatile("li sp, 0x10\n li a7, 139\n ecall\n" ::: "memory");
    printf("not reached\n");
    return 0;
}
