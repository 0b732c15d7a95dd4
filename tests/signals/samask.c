/* sa_mask and SA_NODEFER inside handlers (checked against the expected
 * output only: qemu-riscv64 7.2 does not apply sa_mask). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile int in, depth, maxdepth;

static void h(int sig)
{
    sigset_t c;
    sigprocmask(SIG_SETMASK, NULL, &c);
    in = sigismember(&c, SIGUSR1) * 100 + sigismember(&c, SIGUSR2) * 10 + sigismember(&c, SIGINT);
    (void)sig;
}

static void nested(int sig)
{
    depth++;
    if (depth > maxdepth)
        maxdepth = depth;
    if (depth < 3)
        raise(sig);     /* delivered at once with SA_NODEFER */
    depth--;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaction(SIGUSR1, &sa, NULL);
    kill(getpid(), SIGUSR1);
    printf("sa_mask: %d\n", in);
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGUSR1, &sa, NULL);
    kill(getpid(), SIGUSR1);
    printf("nodefer: %d\n", in);
    sa.sa_handler = nested;
    sigemptyset(&sa.sa_mask);   /* else SIGUSR2 itself stays blocked inside */
    sigaction(SIGUSR2, &sa, NULL);
    raise(SIGUSR2);
    printf("nested depth %d\n", maxdepth);
    sigset_t c;
    sigprocmask(SIG_SETMASK, NULL, &c);
    printf("after: %d %d %d\n", sigismember(&c, SIGUSR1), sigismember(&c, SIGUSR2), sigismember(&c, SIGINT));
    return 0;
}
