/* C11 threads: thrd_create/join, mtx, cnd, tss, call_once. */
#include <stdio.h>
#include <threads.h>

static mtx_t m;
static cnd_t c;
static int turn;
static once_flag once = ONCE_FLAG_INIT;
static int inits;
static void init(void) { inits++; }

static int worker(void *a)
{
    int id = (int)(long)a;
    call_once(&once, init);
    mtx_lock(&m);
    while (turn != id)
        cnd_wait(&c, &m);
    printf("turn %d\n", id);
    turn++;
    cnd_broadcast(&c);
    mtx_unlock(&m);
    return id * 10;
}

int main(void)
{
    thrd_t t[5];
    mtx_init(&m, mtx_plain);
    cnd_init(&c);
    for (long i = 4; i >= 0; i--)
        if (thrd_create(&t[i], worker, (void *)i) != thrd_success)
            return 1;
    int sum = 0;
    for (int i = 0; i < 5; i++) {
        int r;
        thrd_join(t[i], &r);
        sum += r;
    }
    printf("sum %d inits %d\n", sum, inits);
    return 0;
}
