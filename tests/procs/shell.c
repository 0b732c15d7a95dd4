/* shell: a mini shell running a fixed script (argv[1] is the directory
   holding the helper programs). Each line is a pipeline of commands
   separated by "|"; a command is words split on spaces, optionally led
   by NAME=VALUE words that make up its whole environment. For each
   stage the shell makes a pipe, forks, dup2s the pipe ends onto stdin
   and stdout, closes every pipe descriptor and execve's DIR/NAME; then
   it closes its own copies, waits for every stage in order and prints
   their statuses. This runs the whole fork + pipe + dup2 + execve +
   waitpid path with the helpers echoargs, upcase, count, repeat and
   headn:
   - one to six stages; the last stage writes straight to stdout;
   - "repeat yes | headn 3": repeat dies of SIGPIPE when headn exits;
   - a command that does not exist: its stage exits 127, the next stage
     reads EOF;
   - EXIT=3 makes echoargs exit 3: a pipeline's statuses are per stage;
   - 1000 lines through three stages;
   - the shell's own stdin (empty) reaches the first stage. */
#include "procs.h"

static const char *const script[] = {
    "echoargs hello world",
    "echoargs hello world | upcase",
    "echoargs one two three | count",
    "echoargs a b | upcase | count",
    "echoargs x | upcase | upcase | upcase | upcase | count",
    "upcase | count",
    "repeat yes | headn 3",
    "repeat no | headn 2 | upcase",
    "EXIT=3 echoargs bye | count",
    "nosuch arg | count",
    "repeat abc | headn 1000 | count",
};

static char dir[4096];

static void run_line(const char *line)
{
    char buf[1024], *words[64];
    int nw = 0;
    snprintf(buf, sizeof buf, "%s", line);
    for (char *t = strtok(buf, " "); t && nw < 63; t = strtok(NULL, " "))
        words[nw++] = t;
    words[nw] = NULL;

    pid_t pids[16];
    int n = 0, in = -1, start = 0;
    while (start < nw) {
        int end = start;
        while (end < nw && strcmp(words[end], "|"))
            end++;
        int last = end >= nw;
        int fd[2] = { -1, -1 };
        if (!last)
            MUST(pipe(fd));
        /* NAME=VALUE words first, then the command. */
        char *env[16];
        int ne = 0, w = start;
        while (w < end && strchr(words[w], '=') && ne < 15)
            env[ne++] = words[w++];
        env[ne] = NULL;
        char *argv[64];
        int na = 0;
        for (int i = w; i < end; i++)
            argv[na++] = words[i];
        argv[na] = NULL;
        pid_t p = MUST(fork());
        if (p == 0) {
            if (in >= 0) {
                dup2(in, 0);
                close(in);
            }
            if (!last) {
                dup2(fd[1], 1);
                close(fd[1]);
                close(fd[0]);
            }
            char path[4200];
            snprintf(path, sizeof path, "%s/%s", dir, argv[0]);
            execve(path, argv, env);
            fprintf(stderr, "shell: %s: %s\n", argv[0], strerror(errno));
            _exit(127);
        }
        pids[n++] = p;
        if (in >= 0)
            close(in);
        if (!last)
            close(fd[1]);
        in = fd[0];
        start = end + 1;
    }
    printf("status:");
    for (int i = 0; i < n; i++)
        printf(" %s%s", reap(pids[i]), i + 1 < n ? "," : "\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) { puts("usage: shell DIR"); return 2; }
    snprintf(dir, sizeof dir, "%s", argv[1]);
    for (size_t i = 0; i < sizeof script / sizeof script[0]; i++) {
        printf("$ %s\n", script[i]);
        run_line(script[i]);
    }
    int s;
    errno = 0;
    check(wait(&s) == -1 && errno == ECHILD, "no child left over");
    return done();
}
