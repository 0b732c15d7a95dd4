/* __thread: each thread sees its own copy, initialised from the image. */
#include <pthread.h>
#include <stdio.h>

static __thread long counter = 100;
static __thread char name[16] = "main";

static void *work(void *a __attribute__((unused)))
{
    long id = (long)a;
    snprintf(name, sizeof name, "t%ld", id);
    for (long i = 0; i < id * 10; i++)
        counter++;
    return (void *)(counter * 1000 + (name[1] - '0'));
}

int main(void)
{
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, work, (void *)i);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        printf("t%d: %ld\n", i, (long)r);
    }
    printf("%s: %ld\n", name, counter);
    return 0;
}
