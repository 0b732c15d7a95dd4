/* sigaltstack: a recursion that overflows the stack is caught on the
 * alternate stack (SA_ONSTACK) and siglongjmps out; inside the handler
 * sigaltstack reports SS_ONSTACK and refuses a change (EPERM). */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sigjmp_buf env;
static char *alt;
static volatile int on_alt, flags_inside, eperm;

static void h(int sig)
{
    (void)sig;
    char here;
    on_alt = &here >= alt && &here < alt + SIGSTKSZ * 4;
    stack_t cur, n = { .ss_sp = alt, .ss_size = SIGSTKSZ * 4, .ss_flags = 0 };
    sigaltstack(NULL, &cur);
    flags_inside = cur.ss_flags;
    eperm = sigaltstack(&n, NULL) == -1 && errno == EPERM;
    siglongjmp(env, 1);
}

#pragma GCC diagnostic ignored "-Winfinite-recursion"
static int recurse(volatile char *prev, int n)
{
    volatile char buf[1024];
    buf[0] = (char)n;
    buf[1023] = prev ? prev[0] : 0;
    return recurse(buf, n + 1) + buf[5];
}

int main(void)
{
    alt = malloc(SIGSTKSZ * 4);
    stack_t ss = { .ss_sp = alt, .ss_size = SIGSTKSZ * 4, .ss_flags = 0 }, old;
    if (sigaltstack(&ss, &old) != 0)
        return 1;
    printf("old: flags %d (SS_DISABLE %d)\n", old.ss_flags, SS_DISABLE);
    stack_t tiny = { .ss_sp = alt, .ss_size = 100, .ss_flags = 0 };
    printf("too small: %d ENOMEM %d\n", sigaltstack(&tiny, NULL), errno == ENOMEM);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGSEGV, &sa, NULL);
    if (sigsetjmp(env, 1) == 0) {
        recurse(NULL, 0);
        printf("no overflow\n");
    } else {
        printf("overflow caught: on alt stack %d, SS_ONSTACK %d, EPERM %d\n", on_alt,
               flags_inside == SS_ONSTACK, eperm);
    }
    stack_t cur;
    sigaltstack(NULL, &cur);
    printf("after: flags %d size ok %d\n", cur.ss_flags, cur.ss_size == SIGSTKSZ * 4);
    /* Again: the alternate stack is usable after siglongjmp left it. */
    if (sigsetjmp(env, 1) == 0)
        recurse(NULL, 0);
    printf("again: on alt stack %d\n", on_alt);
    return 0;
}
